"""Editing the rubric: apply edits with validation, preview their effect, save a version, rescore, activate.

A saved version stays inactive while interactions are rescored under it in committed slices
(`rescore_then_activate`); it becomes active only when every interaction has its score, so
dashboards never show a half-scored version. The job is resumable: rescoring skips what is
already scored, so after a restart the same call carries on, from any replica.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from statistics import mean

import pandas as pd
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from scoring.model import CHANNELS
from scoring.result import CRITERIA, ScoreResult
from scoring.rubric import CUE_FAMILIES, Rubric, RubricError, dump_rubric, parse_rubric
from store import audit
from store.models import DailyTeamRollup, Interaction, RubricVersion, Score, as_utc
from store.permissions import Scope
from store.queries import CRITERION_LABELS
from store.rescore import domain_interactions, rescore
from store.rollups import mean_of, rollup_for
from store.rubrics import (
    activate_rubric,
    active_rubric,
    register_rubric,
    rescoring_versions,
    rubric_lock,
    scorer_for,
)
from store.sampling import sample_interaction_ids
from store.users import AuthUser

CRITICAL_FAMILIES = tuple(family for family in CUE_FAMILIES if family.startswith("critical_"))
PREVIEW_SIZE = 200
PREVIEW_SEED = 20_260_101  # fixed, so every preview compares the same interactions
RESCORE_SLICE = 1000  # interactions per committed transaction: short enough not to block other writers
EDITED_SOURCE = "edited rubric"


def phrase_lines(text: str) -> list[str]:
    """Return the phrases of a text area holding one phrase per line; blank lines are ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def edited_rubric(base: Rubric, *, version: str, weights: Mapping[str, float],
                  response_targets: Mapping[str, float], phrases: Mapping[str, str]) -> Rubric:
    """Return `base` with new weights, targets and cue phrases (one per line); raise RubricError naming the field.

    The result is validated by writing it as TOML and parsing it back, so an edited rubric passes
    exactly the checks a rubric file does.
    """
    criteria = {name: replace(rule, weight=weights.get(name, rule.weight)) for name, rule in base.criteria.items()}
    cues = {family: tuple(phrase_lines(phrases[family])) if family in phrases else existing
            for family, existing in base.cues.items()}
    draft = replace(base, version=version.strip(), criteria=criteria,
                    response_targets={**base.response_targets, **response_targets}, cues=cues)
    return parse_rubric(dump_rubric(draft), source=EDITED_SOURCE)


def describe_error(error: RubricError) -> str:
    """Return the error in the editor's words: which input is wrong, and why."""
    field = error.field
    if match := re.fullmatch(r"criteria\.(\w+)\.weight", field):
        where = f"Weight of {CRITERION_LABELS[match[1]]}"
    elif match := re.fullmatch(r"response_targets\.(\w+)", field):
        where = f"Response target for {match[1]}"
    elif match := re.fullmatch(r"cues\.(\w+)\.phrases(?:\[(\d+)\])?", field):
        where = f"Cue phrases '{match[1]}'" + (f", phrase {int(match[2]) + 1}" if match[2] else "")
    elif field == "criteria":
        where = "Weights"
    else:
        where = field.capitalize() or "Rubric"
    return f"{where}: {error.reason}"


def rubric_changes(before: Rubric, after: Rubric) -> list[str]:
    """Return one line per changed weight, target or cue family, e.g. "cues.apology: +1 −0 phrases"."""
    changes = []
    for name in CRITERIA:
        if before.criteria[name].weight != after.criteria[name].weight:
            changes.append(f"criteria.{name}.weight: {before.criteria[name].weight:g} → "
                           f"{after.criteria[name].weight:g}")
    for channel in CHANNELS:
        if before.response_targets[channel] != after.response_targets[channel]:
            changes.append(f"response_targets.{channel}: {before.response_targets[channel]:g} → "
                           f"{after.response_targets[channel]:g} s")
    for family in CUE_FAMILIES:
        old, new = set(before.cues[family]), set(after.cues[family])
        if old != new:
            changes.append(f"cues.{family}: +{len(new - old)} −{len(old - new)} phrases")
    return changes


def suggest_version(current: str, taken: Iterable[str]) -> str:
    """Return the next free version after `current`: its last number plus one ("2026.1" → "2026.2")."""
    taken = set(taken)
    match = re.fullmatch(r"(.*?)(\d+)", current)
    stem, number = (match[1], int(match[2])) if match else (f"{current}.", 0)
    while f"{stem}{number + 1}" in taken:
        number += 1
    return f"{stem}{number + 1}"


# -- preview ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RubricPreview:
    sample: int
    by_criterion: pd.DataFrame  # criterion ("overall" first), before, after, change: means over the sample
    moves: pd.DataFrame  # id, interaction, before, after, change: overall, the largest moves first


def preview_rubric(session: Session, *, scope: Scope, edited: Rubric, size: int = PREVIEW_SIZE,
                   limit: int = 10) -> RubricPreview:
    """Score the same reproducible sample in scope with the active and the edited rubric, and compare."""
    ids = sample_interaction_ids(session, scope=scope, size=size, seed=PREVIEW_SEED)
    current, candidate = active_rubric(session).scorer, scorer_for(dump_rubric(edited))
    scored = [(row_id, interaction.id, current.score(interaction), candidate.score(interaction))
              for row_id, interaction in domain_interactions(session, ids)]
    rows = [("overall", *_means([(b.overall, a.overall) for *_, b, a in scored]))]
    rows += [(name, *_means([(_criterion(b, name), _criterion(a, name)) for *_, b, a in scored]))
             for name in CRITERIA]
    by_criterion = pd.DataFrame(rows, columns=["criterion", "before", "after", "change"])
    moves = pd.DataFrame([(row_id, external_id, b.overall, a.overall,
                           None if b.overall is None or a.overall is None else a.overall - b.overall)
                          for row_id, external_id, b, a in scored],
                         columns=["id", "interaction", "before", "after", "change"])
    moves = moves.dropna(subset=["change"])
    moves = moves.loc[moves["change"].abs().sort_values(ascending=False, kind="stable").index].head(limit)
    return RubricPreview(sample=len(scored), by_criterion=by_criterion, moves=moves.reset_index(drop=True))


def _criterion(result: ScoreResult, name: str) -> float | None:
    criterion = result.criteria.get(name)
    return criterion.score if criterion is not None and criterion.applicable else None


def _means(pairs: list[tuple[float | None, float | None]]) -> tuple[float | None, float | None, float | None]:
    before = [b for b, _ in pairs if b is not None]
    after = [a for _, a in pairs if a is not None]
    mean_before, mean_after = (mean(before) if before else None), (mean(after) if after else None)
    change = None if mean_before is None or mean_after is None else mean_after - mean_before
    return mean_before, mean_after, change


# -- versions, rescoring, activation ---------------------------------------------------------------------


@dataclass(frozen=True)
class PendingVersion:
    """A saved version not active yet: rescoring under it has not finished."""

    id: int
    version: str
    scored: int
    total: int


def save_version(session: Session, *, rubric: Rubric, by: AuthUser) -> PendingVersion:
    """Store an edited rubric as a new, inactive version, recorded in the audit log."""
    if session.scalar(select(RubricVersion.id).where(RubricVersion.version == rubric.version)) is not None:
        raise RubricError(EDITED_SOURCE, "version", f"{rubric.version!r} already exists; choose a new version")
    if pending_version(session) is not None:
        raise ValueError("version: another version is still being rescored; wait until it is active")
    before = active_rubric(session)
    saved = register_rubric(session, rubric=rubric, created_by=by.username, activate=False)
    audit.record(session, action="rubric_version_created", user_id=by.id, username=by.username,
                 target=f"rubric_version:{saved.id}",
                 detail={"version": rubric.version, "based_on": before.version,
                         "changes": rubric_changes(before.rubric, rubric)})
    return PendingVersion(saved.id, saved.version, 0, _interaction_count(session))


def _interaction_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Interaction))


def pending_version(session: Session) -> PendingVersion | None:
    """Return the newest version saved after the active one and not active yet, with its rescoring progress."""
    rescoring = rescoring_versions(session)
    if not rescoring:
        return None
    version_id = rescoring[0][0]
    version = session.scalar(select(RubricVersion.version).where(RubricVersion.id == version_id))
    scored = session.scalar(select(func.count()).select_from(Score).where(Score.rubric_version_id == version_id))
    return PendingVersion(version_id, version, scored, _interaction_count(session))


def rescore_then_activate(session_factory: sessionmaker[Session], *, version_id: int, by: AuthUser,
                          progress: Callable[[int], None] | None = None) -> int:
    """Rescore under the version in committed slices, then activate it; return how many were scored.

    `progress` is called with the number scored so far after each slice. Safe to call again after
    an interruption: it carries on with what is not scored yet.
    """
    done = 0
    while True:
        with session_factory.begin() as session:
            scored = rescore(session, rubric_version_id=version_id, limit=RESCORE_SLICE)
        if scored == 0:
            with session_factory.begin() as session:
                # Imports in flight commit before the lock is granted, so the check below sees them.
                rubric_lock(session, exclusive=True)
                scored = rescore(session, rubric_version_id=version_id, limit=RESCORE_SLICE)
                if scored == 0:
                    if not session.get(RubricVersion, version_id).active:  # another replica may have finished
                        activate_rubric(session, version_id=version_id, by=by)
                    return done
        done += scored
        if progress is not None:
            progress(done)


def versions(session: Session) -> pd.DataFrame:
    """Return every rubric version: id, version, active, created_at, created_by and interactions scored.

    Scores of dated interactions are counted from the team rollups, which every write of scores refreshes, and
    the few undated ones (which no rollup holds) from the scores themselves: counting every score took the
    longest of any rubric page read at a million interactions.
    """
    dated = select(DailyTeamRollup.rubric_version_id.label("version_id"),
                   func.sum(DailyTeamRollup.interactions).label("scored")).group_by(DailyTeamRollup.rubric_version_id)
    undated = (select(Score.rubric_version_id.label("version_id"), func.count().label("scored"))
               .join(Interaction, Interaction.id == Score.interaction_id)
               .where(Interaction.started_day.is_(None)).group_by(Score.rubric_version_id))
    both = union_all(dated, undated).subquery()
    scored = (select(both.c.version_id.label("rubric_version_id"), func.sum(both.c.scored).label("scored"))
              .group_by(both.c.version_id).subquery())
    rows = session.execute(
        select(RubricVersion.id, RubricVersion.version, RubricVersion.active, RubricVersion.created_at,
               RubricVersion.created_by, func.coalesce(scored.c.scored, 0))
        .outerjoin(scored, scored.c.rubric_version_id == RubricVersion.id)
        .order_by(RubricVersion.created_at.desc(), RubricVersion.id.desc())
    ).all()
    return pd.DataFrame([(*row[:3], as_utc(row[3]), *row[4:]) for row in rows],
                        columns=["id", "version", "active", "created_at", "created_by", "scored"])


def weekly_overall_by_version(session: Session, *, scope: Scope) -> pd.DataFrame:
    """Return week, version, interactions and mean overall score under every version that has scores."""
    rollup = rollup_for(scope)
    stmt = (
        select(rollup.week, RubricVersion.version, func.sum(rollup.interactions), mean_of("overall", rollup))
        .join(RubricVersion, RubricVersion.id == rollup.rubric_version_id)
        .where(scope.condition(team_column=rollup.team_id, employee_column=getattr(rollup, "employee_id", None)))
        .group_by(rollup.week, RubricVersion.version)
        .order_by(rollup.week, RubricVersion.version)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["week", "version", "interactions", "overall"])
    frame["week"] = pd.to_datetime(frame["week"])
    frame["overall"] = frame["overall"].astype("float64")
    return frame

