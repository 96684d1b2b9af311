"""Calibration: how trainers agree with the machine, and blind rounds in which trainers score the same work.

Agreement is measured with scoring.agreement: quadratic-weighted kappa and exact agreement on five
20-point bands, and the mean difference of the 0-100 scores.

Machine vs trainers. For each interaction and criterion, the latest override (a review of that
criterion) pairs the machine's score at the time with the trainer's. A confirmation (a review of
criterion CONFIRMED: "the machine's scores are right") counts as agreement on every criterion it
scored that has no override. A trainer's "not applicable" pairs nothing.

Blind rounds. A trainer names a round and draws a reproducible sample of interactions in their scope
(the seed is derived from the name). Every trainer who can see all of the round's interactions may
rate each of them on every criterion, 0-100 or not applicable. Until the results are visible a rater
is shown the transcripts and their own ratings only: no other rater's scores, no machine scores. The
results are visible when the round is closed, or to a rater who has finished once at least one other
rater has finished too; before the close they include finished raters only.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from statistics import mean

import pandas as pd
from sqlalchemy import Subquery, and_, case, delete, func, insert, select
from sqlalchemy.orm import Session

from scoring.agreement import (
    Agreement,
    agreement,
    band,
    exact_agreement,
    krippendorff_alpha,
    mean_difference,
    quadratic_kappa,
)
from scoring.result import CRITERIA
from store import audit
from store.models import (
    CalibrationItem,
    CalibrationRating,
    CalibrationRound,
    Employee,
    Interaction,
    Review,
    Score,
    Turn,
    User,
    as_utc,
    utcnow,
)
from store.permissions import Scope, scope_for
from store.review import CONFIRMED, TurnView
from store.rubrics import active_rubric
from store.sampling import sample_interaction_ids
from store.users import AuthUser

CALIBRATION_ROLES = ("admin", "trainer")
MIN_ROUND_SIZE, MAX_ROUND_SIZE = 2, 50

AGREEMENT_COLUMNS = ["criterion", "pairs", "kappa", "exact", "mean_difference"]
DISAGREEMENT_COLUMNS = ["id", "interaction", "agent", "criterion", "machine", "trainer", "difference",
                        "reviewer", "reviewed_at"]


# Round ratings: criterion -> rater id -> interaction id -> 0-100 (not-applicable ratings left out).
RaterScores = dict[str, dict[int, dict[int, float]]]
# The machine's: criterion -> interaction id -> 0-100 (not-applicable left out).
MachineScores = dict[str, dict[int, float]]


class RoundNotFound(LookupError):
    """The round does not exist or holds interactions outside the caller's scope."""


# -- machine vs trainers ---------------------------------------------------------------------------------


def _in_scope(scope: Scope):
    return scope.condition(team_column=Interaction.team_id, employee_column=Interaction.employee_id)


def _latest(*conditions) -> Subquery:
    """Return the ids of the latest review per interaction and criterion among the reviews meeting `conditions`.

    Joined as a table rather than tested with IN: PostgreSQL guessed 200 ids for an IN-subquery and scanned every
    score in parallel (300 ms at a million interactions) instead of looking up the few thousand reviewed ones.
    """
    return (select(func.max(Review.id).label("id")).where(*conditions)
            .group_by(Review.interaction_id, Review.criterion).subquery())


def _review_pairs(session: Session, scope: Scope) -> dict[str, Counter[tuple[float, float]]]:
    """Return how often each (machine, trainer) score pair occurs per criterion in the reviews in scope."""
    latest_overrides = _latest(Review.criterion.in_(CRITERIA))
    overrides = session.execute(
        select(Review.interaction_id, Review.criterion, Review.automatic_score, Review.human_score)
        .join(latest_overrides, latest_overrides.c.id == Review.id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(_in_scope(scope))
    ).all()
    pairs: dict[str, Counter[tuple[float, float]]] = {name: Counter() for name in CRITERIA}
    overridden = set()
    for interaction_id, criterion, machine, trainer in overrides:
        overridden.add((interaction_id, criterion))
        if machine is not None and trainer is not None:
            pairs[criterion][machine, trainer] += 1
    latest_confirmations = _latest(Review.criterion == CONFIRMED)
    confirmed = session.execute(
        select(Review.interaction_id, *(getattr(Score, name) for name in CRITERIA))
        .join(latest_confirmations, latest_confirmations.c.id == Review.id)
        .join(Score, Score.id == Review.score_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(_in_scope(scope))
    ).all()
    for interaction_id, *scores in confirmed:
        for criterion, score in zip(CRITERIA, scores):
            if score is not None and (interaction_id, criterion) not in overridden:
                pairs[criterion][score, score] += 1
    return pairs


def machine_agreement(session: Session, *, scope: Scope) -> pd.DataFrame:
    """Return per criterion: pairs, kappa, exact agreement and mean difference (trainer - machine)."""
    rows = []
    for criterion, counted in _review_pairs(session, scope).items():
        result = _counted_agreement(counted)
        rows.append((criterion, result.pairs, result.kappa, result.exact, result.mean_difference))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def _counted_agreement(counted: Counter[tuple[float, float]]) -> Agreement:
    """Return scoring.agreement.agreement of the counted pairs, banding each distinct score once.

    Tens of thousands of reviews hold a few hundred distinct pairs; banding every pair was most of the time.
    """
    banded = {pair: (band(pair[0]), band(pair[1])) for pair in counted}
    bands = [banded[pair] for pair, count in counted.items() for _ in range(count)]
    scores = [pair for pair, count in counted.items() for _ in range(count)]
    return Agreement(len(scores), quadratic_kappa(bands), exact_agreement(bands), mean_difference(scores))


def largest_disagreements(session: Session, *, scope: Scope, limit: int = 20) -> pd.DataFrame:
    """Return the latest overrides in scope that differ most from the machine, largest first."""
    latest_overrides = _latest(Review.criterion.in_(CRITERIA))
    difference = Review.human_score - Review.automatic_score
    rows = session.execute(
        select(Interaction.id, Interaction.external_id, Employee.name, Review.criterion, Review.automatic_score,
               Review.human_score, difference, User.display_name, Review.created_at)
        .join(latest_overrides, latest_overrides.c.id == Review.id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .outerjoin(Employee, Employee.id == Interaction.employee_id)
        .join(User, User.id == Review.reviewer_id)
        .where(_in_scope(scope), difference.is_not(None), difference != 0)
        .order_by(func.abs(difference).desc(), Review.id.desc())
        .limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    frame["reviewed_at"] = pd.to_datetime(frame["reviewed_at"], utc=True)
    return frame


# -- blind rounds ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSummary:
    id: int
    name: str
    created_by_id: int
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    items: int
    finished_raters: tuple[str, ...]  # display names of raters who rated every item on every criterion

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class RaterItem:
    """One interaction of a round as its rater sees it: what to read, and the rater's own ratings only."""

    interaction_id: int
    channel: str
    my_ratings: Mapping[str, float | None]  # criterion -> 0-100, None = not applicable; empty until rated

    @property
    def rated(self) -> bool:
        return len(self.my_ratings) == len(CRITERIA)


@dataclass(frozen=True)
class RaterView:
    round: RoundSummary
    items: tuple[RaterItem, ...]
    results_visible: bool
    can_close: bool

    @property
    def finished(self) -> bool:
        return all(item.rated for item in self.items)


@dataclass(frozen=True)
class RoundResults:
    raters: tuple[str, ...]
    by_criterion: pd.DataFrame  # criterion, raters_kappa, raters_exact, alpha, machine_kappa, machine_exact,
    #                             machine_mean_difference (mean over raters of rater - machine)
    rater_pairs: pd.DataFrame  # rater_a, rater_b, pairs, kappa, exact (all criteria)
    vs_machine: pd.DataFrame  # rater, pairs, kappa, exact, mean_difference (all criteria)
    spread: pd.DataFrame  # id, interaction, criterion, lowest, highest, machine, bands_apart; widest first


def _check_role(user: AuthUser) -> None:
    if user.role not in CALIBRATION_ROLES:
        raise PermissionError(f"role: a {user.role} cannot take part in calibration rounds")


def create_round(session: Session, *, name: str, size: int, by: AuthUser) -> RoundSummary:
    """Draw `size` interactions in the creator's scope into a new open round; the name seeds the draw."""
    _check_role(by)
    name = name.strip()
    if not name:
        raise ValueError("name: give the round a name")
    if len(name) > CalibrationRound.__table__.c.name.type.length:
        raise ValueError(f"name: at most {CalibrationRound.__table__.c.name.type.length} characters")
    if not MIN_ROUND_SIZE <= size <= MAX_ROUND_SIZE:
        raise ValueError(f"size: expected {MIN_ROUND_SIZE} to {MAX_ROUND_SIZE} interactions, got {size}")
    ids = sample_interaction_ids(session, scope=scope_for(by), size=size, seed=zlib.crc32(name.encode()))
    if len(ids) < MIN_ROUND_SIZE:
        raise ValueError("size: there are not enough scored interactions in your scope for a round")
    round_ = CalibrationRound(name=name, created_by=by.id)
    session.add(round_)
    session.flush()
    session.execute(insert(CalibrationItem), [{"round_id": round_.id, "interaction_id": i} for i in ids])
    audit.record(session, action="calibration_round_created", user_id=by.id, username=by.username,
                 target=f"calibration_round:{round_.id}", detail={"name": name, "interactions": ids})
    session.flush()
    return _summaries(session, scope_for(by), round_id=round_.id)[0]


def _summaries(session: Session, scope: Scope, round_id: int | None = None) -> list[RoundSummary]:
    """Return the rounds whose interactions are all in scope, newest first."""
    out_of_scope = func.sum(case((_in_scope(scope), 0), else_=1))
    items = (select(CalibrationItem.round_id, func.count().label("item_count"), out_of_scope.label("hidden"))
             .join(Interaction, Interaction.id == CalibrationItem.interaction_id)
             .group_by(CalibrationItem.round_id).subquery())
    stmt = (select(CalibrationRound.id, CalibrationRound.name, CalibrationRound.created_by, User.display_name,
                   CalibrationRound.created_at, CalibrationRound.closed_at, items.c.item_count)
            .join(items, items.c.round_id == CalibrationRound.id)
            .join(User, User.id == CalibrationRound.created_by)
            .where(items.c.hidden == 0)
            .order_by(CalibrationRound.created_at.desc(), CalibrationRound.id.desc()))
    if round_id is not None:
        stmt = stmt.where(CalibrationRound.id == round_id)
    rows = session.execute(stmt).all()
    finished = _finished_raters(session, [row.id for row in rows])
    return [RoundSummary(id=row.id, name=row.name, created_by_id=row.created_by, created_by=row.display_name,
                         created_at=as_utc(row.created_at), closed_at=as_utc(row.closed_at), items=row.item_count,
                         finished_raters=tuple(name for _, name in sorted(finished.get(row.id, []))))
            for row in rows]


def _finished_raters(session: Session, round_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Return (rater id, display name) of the raters who rated every item of each round on every criterion."""
    if not round_ids:
        return {}
    items = (select(CalibrationItem.round_id, func.count().label("item_count"))
             .where(CalibrationItem.round_id.in_(round_ids)).group_by(CalibrationItem.round_id).subquery())
    rows = session.execute(
        select(CalibrationRating.round_id, CalibrationRating.rater_id, User.display_name)
        .join(User, User.id == CalibrationRating.rater_id)
        .join(items, items.c.round_id == CalibrationRating.round_id)
        .where(CalibrationRating.round_id.in_(round_ids))
        .group_by(CalibrationRating.round_id, CalibrationRating.rater_id, User.display_name, items.c.item_count)
        .having(func.count() == items.c.item_count * len(CRITERIA))
    ).all()
    finished: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for round_id, rater_id, name in rows:
        finished[round_id].append((rater_id, name))
    return finished


def list_rounds(session: Session, *, scope: Scope) -> tuple[RoundSummary, ...]:
    """Return the rounds whose interactions are all in scope, newest first."""
    return tuple(_summaries(session, scope))


def _round(session: Session, scope: Scope, round_id: int) -> RoundSummary:
    found = _summaries(session, scope, round_id=round_id)
    if not found:
        raise RoundNotFound(f"calibration round {round_id}")
    return found[0]


def _results_visible(session: Session, round_: RoundSummary, viewer_id: int) -> bool:
    if not round_.is_open:
        return True
    finished_ids = {rater_id for rater_id, _ in _finished_raters(session, [round_.id]).get(round_.id, [])}
    return viewer_id in finished_ids and len(finished_ids) >= 2


def rater_view(session: Session, *, round_id: int, rater: AuthUser) -> RaterView:
    """Return a round as `rater` may see it: its interactions and the rater's own ratings, nobody else's."""
    _check_role(rater)
    round_ = _round(session, scope_for(rater), round_id)
    items = session.execute(
        select(Interaction.id, Interaction.channel)
        .join(CalibrationItem, CalibrationItem.interaction_id == Interaction.id)
        .where(CalibrationItem.round_id == round_id).order_by(Interaction.id)
    ).all()
    mine: dict[int, dict[str, float | None]] = defaultdict(dict)
    for interaction_id, criterion, score in session.execute(
        select(CalibrationRating.interaction_id, CalibrationRating.criterion, CalibrationRating.score)
        .where(CalibrationRating.round_id == round_id, CalibrationRating.rater_id == rater.id)
    ):
        mine[interaction_id][criterion] = score
    return RaterView(
        round=round_,
        items=tuple(RaterItem(interaction_id, channel, dict(mine.get(interaction_id, {})))
                    for interaction_id, channel in items),
        results_visible=_results_visible(session, round_, rater.id),
        can_close=round_.is_open and (rater.role == "admin" or rater.id == round_.created_by_id),
    )


def item_turns(session: Session, *, round_id: int, interaction_id: int, rater: AuthUser) -> tuple[TurnView, ...]:
    """Return the turns of one interaction of a round the rater may see; raise RoundNotFound otherwise."""
    _check_role(rater)
    _round(session, scope_for(rater), round_id)
    if session.get(CalibrationItem, (round_id, interaction_id)) is None:
        raise RoundNotFound(f"interaction {interaction_id} in calibration round {round_id}")
    return tuple(TurnView(speaker, text, as_utc(at)) for speaker, text, at in session.execute(
        select(Turn.speaker, Turn.text, Turn.at).where(Turn.interaction_id == interaction_id).order_by(Turn.position)
    ))


def save_ratings(session: Session, *, round_id: int, interaction_id: int, ratings: Mapping[str, float | None],
                 by: AuthUser) -> None:
    """Store the rater's scores of one interaction on every criterion, replacing earlier ones.

    A score is 0-100, or None for not applicable.
    """
    _check_role(by)
    round_ = _round(session, scope_for(by), round_id)
    if not round_.is_open:
        raise ValueError(f"round: {round_.name!r} is closed; its ratings can no longer change")
    if session.get(CalibrationItem, (round_id, interaction_id)) is None:
        raise RoundNotFound(f"interaction {interaction_id} in calibration round {round_id}")
    for criterion in ratings:
        if criterion not in CRITERIA:
            raise ValueError(f"{criterion}: not a criterion; expected {', '.join(CRITERIA)}")
    for criterion in CRITERIA:
        if criterion not in ratings:
            raise ValueError(f"{criterion}: give a score from 0 to 100 or mark it not applicable")
        score = ratings[criterion]
        if score is not None and not 0 <= score <= 100:
            raise ValueError(f"{criterion}: expected a score from 0 to 100, got {score:g}")
    session.execute(delete(CalibrationRating).where(CalibrationRating.round_id == round_id,
                                                    CalibrationRating.interaction_id == interaction_id,
                                                    CalibrationRating.rater_id == by.id))
    session.execute(insert(CalibrationRating), [
        {"round_id": round_id, "interaction_id": interaction_id, "rater_id": by.id, "criterion": criterion,
         "score": ratings[criterion]}
        for criterion in CRITERIA
    ])
    audit.record(session, action="calibration_rated", user_id=by.id, username=by.username,
                 target=f"calibration_round:{round_id}",
                 detail={"interaction_id": interaction_id, "ratings": dict(ratings)})


def close_round(session: Session, *, round_id: int, by: AuthUser) -> None:
    """Close an open round (its creator or an admin); its ratings are then final and the results open to all."""
    view = rater_view(session, round_id=round_id, rater=by)
    if not view.can_close:
        raise PermissionError("round: only its creator or an admin can close an open round")
    session.get(CalibrationRound, round_id).closed_at = utcnow()
    audit.record(session, action="calibration_round_closed", user_id=by.id, username=by.username,
                 target=f"calibration_round:{round_id}")
    session.flush()


def round_results(session: Session, *, round_id: int, viewer: AuthUser) -> RoundResults | None:
    """Return how the raters agree with each other and with the machine, or None while still hidden."""
    view = rater_view(session, round_id=round_id, rater=viewer)
    if not view.results_visible:
        return None
    finished_ids = {rater_id for rater_id, _ in _finished_raters(session, [round_id]).get(round_id, [])}
    rows = session.execute(
        select(CalibrationRating.rater_id, User.display_name, CalibrationRating.interaction_id,
               CalibrationRating.criterion, CalibrationRating.score)
        .join(User, User.id == CalibrationRating.rater_id)
        .where(CalibrationRating.round_id == round_id)
    ).all()
    if view.round.is_open:
        rows = [row for row in rows if row.rater_id in finished_ids]
    names = {row.rater_id: row.display_name for row in rows}
    scores: RaterScores = {name: defaultdict(dict) for name in CRITERIA}
    for rater_id, _, interaction_id, criterion, score in rows:
        if score is not None:
            scores[criterion][rater_id][interaction_id] = score
    machine = _machine_scores(session, round_id)
    raters = sorted(names, key=names.__getitem__)
    return RoundResults(
        raters=tuple(names[r] for r in raters),
        by_criterion=_by_criterion(scores, machine, raters),
        rater_pairs=_rater_pairs(scores, raters, names),
        vs_machine=_vs_machine(scores, machine, raters, names),
        spread=_spread(session, scores, machine),
    )


def _machine_scores(session: Session, round_id: int) -> MachineScores:
    """Return the active rubric's scores of the round's interactions: criterion -> interaction id -> 0-100."""
    rubric_id = active_rubric(session).id
    machine: MachineScores = {name: {} for name in CRITERIA}
    for interaction_id, *values in session.execute(
        select(Score.interaction_id, *(getattr(Score, name) for name in CRITERIA))
        .join(CalibrationItem, and_(CalibrationItem.interaction_id == Score.interaction_id,
                                    CalibrationItem.round_id == round_id))
        .where(Score.rubric_version_id == rubric_id)
    ):
        for criterion, value in zip(CRITERIA, values):
            if value is not None:
                machine[criterion][interaction_id] = value
    return machine


def _paired(first: Mapping[int, float], second: Mapping[int, float]) -> list[tuple[float, float]]:
    return [(first[key], second[key]) for key in sorted(first.keys() & second.keys())]


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return mean(known) if known else None


def _by_criterion(scores: RaterScores, machine: MachineScores, raters: list[int]) -> pd.DataFrame:
    rows = []
    for criterion in CRITERIA:
        by_rater = scores[criterion]
        between = [agreement(_paired(by_rater[a], by_rater[b])) for a, b in combinations(raters, 2)]
        against = [agreement(_paired(machine[criterion], by_rater[r])) for r in raters]
        items = {key for r in raters for key in by_rater[r]}
        alpha = krippendorff_alpha([[band(by_rater[r][key]) for r in raters if key in by_rater[r]]
                                    for key in sorted(items)])
        rows.append((criterion, _mean([a.kappa for a in between]), _mean([a.exact for a in between]), alpha,
                     _mean([a.kappa for a in against]), _mean([a.exact for a in against]),
                     _mean([a.mean_difference for a in against])))
    return pd.DataFrame(rows, columns=["criterion", "raters_kappa", "raters_exact", "alpha", "machine_kappa",
                                       "machine_exact", "machine_mean_difference"])


def _pooled(first: Callable[[str], Mapping[int, float]],
            second: Callable[[str], Mapping[int, float]]) -> list[tuple[float, float]]:
    """Pair two sources of scores (each a function of the criterion) over every criterion."""
    return [pair for criterion in CRITERIA for pair in _paired(first(criterion), second(criterion))]


def _rater_pairs(scores: RaterScores, raters: list[int], names: Mapping[int, str]) -> pd.DataFrame:
    rows = []
    for a, b in combinations(raters, 2):
        result = agreement(_pooled(lambda c: scores[c][a], lambda c: scores[c][b]))
        rows.append((names[a], names[b], result.pairs, result.kappa, result.exact))
    return pd.DataFrame(rows, columns=["rater_a", "rater_b", "pairs", "kappa", "exact"])


def _vs_machine(scores: RaterScores, machine: MachineScores, raters: list[int],
                names: Mapping[int, str]) -> pd.DataFrame:
    rows = []
    for r in raters:
        result = agreement(_pooled(lambda c: machine[c], lambda c: scores[c][r]))
        rows.append((names[r], result.pairs, result.kappa, result.exact, result.mean_difference))
    return pd.DataFrame(rows, columns=["rater", "pairs", "kappa", "exact", "mean_difference"])


def _spread(session: Session, scores: RaterScores, machine: MachineScores) -> pd.DataFrame:
    rated = {interaction_id for criterion in CRITERIA for ratings in scores[criterion].values()
             for interaction_id in ratings}
    external = dict(session.execute(select(Interaction.id, Interaction.external_id)
                                    .where(Interaction.id.in_(rated))).all())
    rows = []
    for criterion in CRITERIA:
        by_item: dict[int, list[float]] = defaultdict(list)
        for ratings in scores[criterion].values():
            for interaction_id, score in ratings.items():
                by_item[interaction_id].append(score)
        for interaction_id, values in by_item.items():
            if len(values) >= 2:
                rows.append((interaction_id, external[interaction_id], criterion, min(values), max(values),
                             machine[criterion].get(interaction_id), band(max(values)) - band(min(values))))
    frame = pd.DataFrame(rows, columns=["id", "interaction", "criterion", "lowest", "highest", "machine",
                                        "bands_apart"])
    return frame.sort_values(["bands_apart", "id"], ascending=[False, True], ignore_index=True)
