"""A trainer's review work: the queue and its sampling, one interaction in full, overrides, notes, practice.

Reads take a `scope`; writes take the signed-in user (`by`) and derive the scope from it. Anything out of
scope reads as not found. Every review write bumps `interactions.review_version` only if it still holds the
version the reviewer saw, so two trainers reviewing at once cannot overwrite each other unseen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Row, Select, and_, exists, func, literal, select, true, update
from sqlalchemy.orm import Session, aliased

from scoring.model import Interaction as DomainInteraction, Turn as DomainTurn
from scoring.result import CRITERIA, Evidence
from scoring.scorer import response_waits  # the scorer's own waits, so the view matches the score
from store import audit
from store.models import (
    CoachingNote,
    Customer,
    DailyScoreBucket,
    Employee,
    Interaction,
    PracticeAssignment,
    PracticeSession,
    Review,
    Score,
    ScoreEvidence,
    Team,
    Turn,
    User,
    as_utc,
)
from store.permissions import Scope, scope_for
from store.queries import Period, _midnight, _scored
from store.rollups import monday, rolled
from store.rubrics import active_rubric
from store.users import AuthUser

CONFIRMED = "*"  # the criterion of a review that accepts the machine's scores as they are
REVIEWER_ROLES = ("admin", "trainer")
LOW_CSAT = 2
SAMPLING_MODES = {
    "lowest": "Lowest scores",
    "fair": "Fair sample per agent-week",
    "critical": "Critical behaviour",
}
_HASH_PRIME = 2_147_483_647  # 2**31 - 1, so id * multiplier stays within 64 bits for any 32-bit id


class NotFound(LookupError):
    """The interaction or person does not exist or is outside the caller's scope."""


class ReviewConflict(RuntimeError):
    """Someone reviewed the interaction after the caller loaded it; nothing was written."""


# -- the queue ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    period: Period | None = None
    team_id: int | None = None
    employee_id: int | None = None
    channel: str | None = None
    criterion: str | None = None  # alone it orders "lowest"; with `below` it keeps only scores under it
    below: float | None = None
    auto_fail_only: bool = False
    low_csat: bool = False
    unreviewed_only: bool = False


@dataclass(frozen=True)
class Sampling:
    mode: str = "lowest"  # a key of SAMPLING_MODES
    per_agent_week: int = 2  # "fair": at most this many from each agent's week
    seed: int = 1  # "fair": another seed draws another sample
    limit: int = 200


_QUEUE_SELECT = ["id", "interaction", "started_at", "agent", "team", "channel", "overall", "auto_fail", "csat",
                 "review_version", *CRITERIA]
QUEUE_COLUMNS = ["id", "interaction", "started_at", "agent", "team", "channel", "overall", "weakest",
                 "weakest_score", "auto_fail", "csat", "reviewed", "reviewed_by"]


def review_queue(session: Session, *, scope: Scope, filters: QueueFilters, sampling: Sampling) -> pd.DataFrame:
    """Return the interactions to review in queue order, with the weakest criterion and who reviewed them."""
    if sampling.mode not in SAMPLING_MODES:
        raise ValueError(f"mode: expected one of {', '.join(SAMPLING_MODES)}, got {sampling.mode!r}")
    if filters.criterion is not None and filters.criterion not in CRITERIA:
        raise ValueError(f"criterion: expected one of {', '.join(CRITERIA)}, got {filters.criterion!r}")
    if sampling.per_agent_week < 1:
        raise ValueError(f"per_agent_week: expected at least 1, got {sampling.per_agent_week}")
    columns = (Interaction.id, Interaction.external_id.label("interaction"), Interaction.started_at,
               Employee.name.label("agent"), Team.name.label("team"), Interaction.channel, Score.overall,
               Score.auto_fail, Interaction.csat, Interaction.review_version,
               *(getattr(Score, name) for name in CRITERIA))
    stmt = _named(_filtered(_scored(session, scope, filters.period, *columns), filters))
    rows = None
    if sampling.mode == "lowest":
        key = getattr(Score, filters.criterion) if filters.criterion else Score.overall
        # Not applicable (NULL) sorts last. As an expression the key also keeps PostgreSQL from walking the
        # whole score index in order: low scores bunch in time, so the period's index finds them faster.
        order = (func.coalesce(key, 101.0), Interaction.started_at.desc(), Interaction.id)
        stmt = stmt.order_by(*order)
        bound = None if filters.criterion else _lowest_overall_bound(session, scope, filters, sampling.limit)
        if filters.criterion is not None:
            # Ordering by a criterion reads the whole period: order the ids alone, then read the page's rows.
            ids = session.scalars(_filtered(_scored(session, scope, filters.period, Interaction.id), filters)
                                  .order_by(*order).limit(sampling.limit)).all()
            rows = session.execute(_named(_scored(session, scope, None, *columns))
                                   .where(Interaction.id.in_(ids)).order_by(*order)).all()
        elif bound is not None:
            # Only the scores under the bound need sorting; should the other filters leave too few of
            # them, the unbounded query below answers instead.
            rows = session.execute(stmt.where(Score.overall < bound).limit(sampling.limit)).all()
            rows = rows if len(rows) == sampling.limit else None
    elif sampling.mode == "critical":
        # Auto-fails are a fraction of a percent: start from their own index, not from the period's scores.
        failed = aliased(Score)
        stmt = stmt.where(Score.auto_fail.is_(True), Interaction.id.in_(
            select(failed.interaction_id).where(failed.rubric_version_id == active_rubric(session).id,
                                                failed.auto_fail == true()))
        ).order_by(Interaction.started_at.desc(), Interaction.id)
    else:
        picks = _filtered(_scored(session, scope, filters.period, Interaction.id), filters)
        rows = _week_by_week(session, filters.period, sampling.limit, lambda week: _fair_sample(
            stmt.where(week), picks.where(week), per_agent_week=sampling.per_agent_week, seed=sampling.seed))
        stmt = _fair_sample(stmt, picks, per_agent_week=sampling.per_agent_week, seed=sampling.seed)
    if rows is None:
        rows = session.execute(stmt.limit(sampling.limit)).all()
    return _with_review_state(session, pd.DataFrame(rows, columns=_QUEUE_SELECT))


def _lowest_overall_bound(session: Session, scope: Scope, filters: QueueFilters, limit: int) -> int | None:
    """Return a whole score under which at least `limit` overall scores of the scope and period lie, from the
    per-team score buckets (store.rollups), or None when there is no such score or no buckets to ask.

    The lowest `limit` scores all lie under it, so the queue sorts those instead of the whole period.
    """
    if filters.period is None or (not scope.everything and scope.employee_id is not None):
        return None
    stmt = rolled(session, scope, filters.period, DailyScoreBucket.bucket, func.sum(DailyScoreBucket.interactions),
                  table=DailyScoreBucket).group_by(DailyScoreBucket.bucket).order_by(DailyScoreBucket.bucket)
    if filters.team_id is not None:
        stmt = stmt.where(DailyScoreBucket.team_id == filters.team_id)
    found = 0
    for bucket, count in session.execute(stmt):
        found += count
        if found >= limit:
            return max(bucket, 0) + 1 if bucket < 100 else None  # auto-fails (bucket -1) score 0
    return None


def _week_by_week(session: Session, period: Period | None, limit: int,
                  week_rows: Callable[[ColumnElement[bool]], Select]) -> list[Row] | None:
    """Return the first `limit` rows of the fair sample, reading the period a week at a time from its end and
    stopping once there are enough; None without a period.

    `week_rows` turns the condition "in this week" into the week's rows in queue order (newest first). A week's
    rows all come after the later weeks' in that order, and the sample picks within agent-weeks (UTC Monday to
    Sunday, like these weeks), so the rows are the same as the whole period's first `limit`.
    """
    if period is None:
        return None
    rows: list[Row] = []
    first_day = monday(period.end)
    while first_day + timedelta(days=7) > period.start and len(rows) < limit:
        start, end = max(first_day, period.start), min(first_day + timedelta(days=7), period.end + timedelta(days=1))
        week = and_(Interaction.started_at >= _midnight(start), Interaction.started_at < _midnight(end))
        rows += session.execute(week_rows(week).limit(limit - len(rows))).all()
        first_day -= timedelta(days=7)
    return rows


def _named(stmt: Select) -> Select:
    return (stmt.outerjoin(Employee, Employee.id == Interaction.employee_id)
            .outerjoin(Team, Team.id == Interaction.team_id))


def _filtered(stmt: Select, filters: QueueFilters) -> Select:
    if filters.team_id is not None:
        stmt = stmt.where(Interaction.team_id == filters.team_id)
    if filters.employee_id is not None:
        stmt = stmt.where(Interaction.employee_id == filters.employee_id)
    if filters.channel is not None:
        stmt = stmt.where(Interaction.channel == filters.channel)
    if filters.criterion is not None and filters.below is not None:
        stmt = stmt.where(getattr(Score, filters.criterion) < filters.below)
    if filters.auto_fail_only:
        stmt = stmt.where(Score.auto_fail.is_(True))
    if filters.low_csat:
        stmt = stmt.where(Interaction.csat <= LOW_CSAT)
    if filters.unreviewed_only:
        stmt = stmt.where(Interaction.review_version == 0)
    return stmt


def _fair_sample(stmt: Select, picks: Select, *, per_agent_week: int, seed: int) -> Select:
    """Keep at most `per_agent_week` per agent and week, picked by a seeded hash of the interaction id.

    The hash multiplies the id by a constant drawn from the seed, modulo a prime: the same seed always picks
    the same interactions on every backend, another seed picks others, and busy agents are not reviewed more
    than quiet ones. `picks` selects the ids `stmt` does, without the columns: the picking reads only those.
    """
    digest = hashlib.sha256(f"rapport-sample-{seed}".encode()).digest()
    multiplier = int.from_bytes(digest[:8], "big") % (_HASH_PRIME - 1) + 1
    shuffled = (Interaction.id * literal(multiplier, BigInteger)) % _HASH_PRIME
    ranked = picks.add_columns(func.row_number().over(
        partition_by=(Interaction.employee_id, Interaction.started_week), order_by=(shuffled, Interaction.id),
    ).label("pick")).subquery()
    picked = select(ranked.c.id).where(ranked.c.pick <= per_agent_week)
    return stmt.where(Interaction.id.in_(picked)).order_by(Interaction.started_at.desc(), Interaction.id)


def _with_review_state(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the weakest criterion and the reviewers to a page of queue rows."""
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["csat"] = frame["csat"].astype("Int64")
    scores = frame[list(CRITERIA)].astype("float64")
    # Not-applicable criteria (NaN) never count as weakest; a row with none applicable has no weakest.
    frame["weakest"] = scores.fillna(float("inf")).idxmin(axis=1).where(scores.notna().any(axis=1))
    frame["weakest_score"] = scores.min(axis=1)
    reviewers: dict[int, list[str]] = {}
    if len(frame):
        for interaction_id, name in session.execute(
            select(Review.interaction_id, User.display_name).join(User, User.id == Review.reviewer_id)
            .where(Review.interaction_id.in_(frame["id"].tolist())).order_by(Review.created_at.desc(), Review.id.desc())
        ):
            names = reviewers.setdefault(interaction_id, [])
            if name not in names:
                names.append(name)
    frame["reviewed"] = frame["review_version"] > 0
    frame["reviewed_by"] = [", ".join(reviewers.get(i, [])) or None for i in frame["id"]]
    return frame[QUEUE_COLUMNS]


# -- one interaction ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnView:
    speaker: str
    text: str
    at: datetime | None


@dataclass(frozen=True)
class Wait:
    """How long the customer waited for one agent reply, against the channel's target."""

    turn: int
    seconds: float
    target_seconds: float

    @property
    def on_time(self) -> bool:
        return self.seconds <= self.target_seconds


@dataclass(frozen=True)
class ReviewEntry:
    criterion: str  # a criterion, or CONFIRMED for "reviewed, scores accepted"
    automatic_score: float | None
    human_score: float | None
    comment: str
    reviewer: str
    at: datetime


@dataclass(frozen=True)
class InteractionDetail:
    id: int
    external_id: str
    channel: str
    started_at: datetime | None
    employee_id: int | None
    agent: str | None
    team: str | None
    customer_id: int | None  # customers.id, for the customer history
    customer_key: str | None
    customer_name: str | None
    resolved: bool | None
    transferred: bool | None
    csat: int | None
    review_version: int
    turns: tuple[TurnView, ...]
    rubric_version: str
    overall: float | None
    auto_fail: bool
    scores: dict[str, float | None]  # the machine's, None = not applicable
    evidence: dict[str, tuple[Evidence, ...]]
    critical: tuple[Evidence, ...]
    sentiment_start: float | None
    sentiment_end: float | None
    waits: tuple[Wait, ...]
    reviews: tuple[ReviewEntry, ...]  # newest first

    @property
    def overrides(self) -> dict[str, ReviewEntry]:
        """Return the latest human override of each overridden criterion."""
        latest: dict[str, ReviewEntry] = {}
        for entry in self.reviews:
            if entry.criterion != CONFIRMED:
                latest.setdefault(entry.criterion, entry)
        return latest

    @property
    def reviewed(self) -> bool:
        return self.review_version > 0


def interaction_detail(session: Session, *, scope: Scope, interaction_id: int) -> InteractionDetail | None:
    """Return one interaction with its turns, active-rubric score, evidence, waits and reviews, or None."""
    rubric = active_rubric(session)
    row = session.execute(
        _scored(session, scope, None, Interaction, Score, ScoreEvidence.payload, Employee.name, Team.name,
                Customer.external_id)
        .outerjoin(ScoreEvidence, ScoreEvidence.score_id == Score.id)
        .outerjoin(Employee, Employee.id == Interaction.employee_id)
        .outerjoin(Team, Team.id == Interaction.team_id)
        .outerjoin(Customer, Customer.id == Interaction.customer_id)
        .where(Interaction.id == interaction_id)
    ).one_or_none()
    if row is None:
        return None
    interaction, score, payload, agent, team, customer_key = row
    payload = payload or {"criteria": {}, "critical": []}
    turns = tuple(TurnView(speaker, text, as_utc(at)) for speaker, text, at in session.execute(
        select(Turn.speaker, Turn.text, Turn.at).where(Turn.interaction_id == interaction_id).order_by(Turn.position)))
    started_at = as_utc(interaction.started_at)
    target = rubric.rubric.response_targets[interaction.channel]
    waits = response_waits(DomainInteraction(
        id=interaction.external_id, channel=interaction.channel, started_at=started_at,
        turns=tuple(DomainTurn(t.speaker, t.text, t.at) for t in turns)))
    return InteractionDetail(
        id=interaction.id, external_id=interaction.external_id, channel=interaction.channel, started_at=started_at,
        employee_id=interaction.employee_id, agent=agent, team=team, customer_id=interaction.customer_id,
        customer_key=customer_key, customer_name=interaction.customer_name, resolved=interaction.resolved,
        transferred=interaction.transferred, csat=interaction.csat, review_version=interaction.review_version,
        turns=turns, rubric_version=rubric.version, overall=score.overall, auto_fail=score.auto_fail,
        scores={name: getattr(score, name) for name in CRITERIA},
        evidence={name: tuple(Evidence(**e) for e in payload["criteria"].get(name, ())) for name in CRITERIA},
        critical=tuple(Evidence(**e) for e in payload.get("critical", ())),
        sentiment_start=score.sentiment_start, sentiment_end=score.sentiment_end,
        waits=tuple(Wait(turn, seconds, target) for turn, seconds in waits),
        reviews=tuple(ReviewEntry(criterion, automatic, human, comment, reviewer, as_utc(at))
                      for criterion, automatic, human, comment, reviewer, at in session.execute(
                          select(Review.criterion, Review.automatic_score, Review.human_score, Review.comment,
                                 User.display_name, Review.created_at)
                          .join(User, User.id == Review.reviewer_id).where(Review.interaction_id == interaction_id)
                          .order_by(Review.created_at.desc(), Review.id.desc()))),
    )


# -- review writes --------------------------------------------------------------------------------------


def override_criterion(session: Session, *, by: AuthUser, interaction_id: int, seen_version: int, criterion: str,
                       human_score: float | None, comment: str) -> int:
    """Replace the machine's score of one criterion with a human one; return the new review version.

    `human_score` None means the reviewer judges the criterion not applicable. Raises ValueError naming the
    field, NotFound out of scope, and ReviewConflict when someone reviewed since `seen_version`.
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion: expected one of {', '.join(CRITERIA)}, got {criterion!r}")
    if human_score is not None and not 0 <= human_score <= 100:
        raise ValueError(f"human_score: expected 0 to 100, got {human_score:g}")
    comment = comment.strip()
    if not comment:
        raise ValueError("comment: say why the score is wrong; an override needs a comment")
    score_id, automatic = _reviewable(session, by, interaction_id, getattr(Score, criterion))
    _claim(session, interaction_id, seen_version)
    session.add(Review(interaction_id=interaction_id, score_id=score_id, reviewer_id=by.id, criterion=criterion,
                       automatic_score=automatic, human_score=human_score, comment=comment))
    audit.record(session, action="review_override", user_id=by.id, username=by.username,
                 target=f"interaction:{interaction_id}",
                 detail={"criterion": criterion, "automatic_score": automatic, "human_score": human_score,
                         "comment": comment})
    session.flush()
    return seen_version + 1


def confirm_review(session: Session, *, by: AuthUser, interaction_id: int, seen_version: int,
                   comment: str = "") -> int:
    """Mark the interaction reviewed with the machine's scores accepted; return the new review version.

    Stored as a review of criterion CONFIRMED whose automatic and human scores are both the overall.
    """
    score_id, overall = _reviewable(session, by, interaction_id, Score.overall)
    _claim(session, interaction_id, seen_version)
    session.add(Review(interaction_id=interaction_id, score_id=score_id, reviewer_id=by.id, criterion=CONFIRMED,
                       automatic_score=overall, human_score=overall, comment=comment.strip()))
    audit.record(session, action="review_confirm", user_id=by.id, username=by.username,
                 target=f"interaction:{interaction_id}", detail={"overall": overall})
    session.flush()
    return seen_version + 1


def _reviewable(session: Session, by: AuthUser, interaction_id: int, column) -> tuple[int, float | None]:
    """Return the active score's id and `column` for an interaction the user may review."""
    if by.role not in REVIEWER_ROLES:
        raise PermissionError(f"role: a {by.role} cannot review interactions")
    row = session.execute(_scored(session, scope_for(by), None, Score.id, column)
                          .where(Interaction.id == interaction_id)).one_or_none()
    if row is None:
        raise NotFound(f"interaction {interaction_id}")
    return row[0], row[1]


def _claim(session: Session, interaction_id: int, seen_version: int) -> None:
    """Bump the review version if it is still the one the reviewer saw; otherwise raise ReviewConflict."""
    claimed = session.execute(
        update(Interaction).where(Interaction.id == interaction_id, Interaction.review_version == seen_version)
        .values(review_version=Interaction.review_version + 1).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ReviewConflict(f"interaction {interaction_id} was reviewed by someone else since version {seen_version}")


# -- coaching notes and practice assignments ----------------------------------------------------------


def add_coaching_note(session: Session, *, by: AuthUser, employee_id: int, text: str,
                      interaction_id: int | None = None) -> None:
    """Leave a note for an agent, optionally about one of their interactions."""
    text = text.strip()
    if not text:
        raise ValueError("text: a coaching note cannot be empty")
    _check_coachable(session, by, employee_id, interaction_id)
    session.add(CoachingNote(employee_id=employee_id, author_id=by.id, interaction_id=interaction_id, text=text))
    audit.record(session, action="coaching_note", user_id=by.id, username=by.username,
                 target=f"employee:{employee_id}", detail={"interaction_id": interaction_id})
    session.flush()


def assign_practice(session: Session, *, by: AuthUser, employee_id: int, scenario_key: str, due_date: date | None,
                    interaction_id: int | None = None) -> None:
    """Give an agent a practice scenario to complete by `due_date`."""
    scenario_key = scenario_key.strip()
    if not scenario_key:
        raise ValueError("scenario_key: pick or name a scenario")
    if len(scenario_key) > 100:
        raise ValueError("scenario_key: at most 100 characters")
    _check_coachable(session, by, employee_id, interaction_id)
    session.add(PracticeAssignment(employee_id=employee_id, scenario_key=scenario_key, due_date=due_date,
                                   assigned_by=by.id, interaction_id=interaction_id))
    audit.record(session, action="practice_assigned", user_id=by.id, username=by.username,
                 target=f"employee:{employee_id}",
                 detail={"scenario_key": scenario_key, "due_date": due_date.isoformat() if due_date else None,
                         "interaction_id": interaction_id})
    session.flush()


def _check_coachable(session: Session, by: AuthUser, employee_id: int, interaction_id: int | None) -> None:
    if by.role not in REVIEWER_ROLES:
        raise PermissionError(f"role: a {by.role} cannot coach agents")
    scope = scope_for(by)
    if session.scalar(select(Employee.id).where(Employee.id == employee_id, employee_scope(scope))) is None:
        raise NotFound(f"employee {employee_id}")
    if interaction_id is not None and session.scalar(
        select(Interaction.id).where(Interaction.id == interaction_id, Interaction.employee_id == employee_id,
                                     interaction_scope(scope))
    ) is None:
        raise NotFound(f"interaction {interaction_id} of employee {employee_id}")


def coaching_notes(session: Session, *, scope: Scope, employee_id: int) -> pd.DataFrame:
    """Return an agent's coaching notes, newest first."""
    rows = session.execute(
        select(CoachingNote.created_at, User.display_name, CoachingNote.text, CoachingNote.interaction_id,
               Interaction.external_id)
        .join(Employee, Employee.id == CoachingNote.employee_id)
        .join(User, User.id == CoachingNote.author_id)
        .outerjoin(Interaction, Interaction.id == CoachingNote.interaction_id)
        .where(CoachingNote.employee_id == employee_id, employee_scope(scope))
        .order_by(CoachingNote.created_at.desc(), CoachingNote.id.desc())
    ).all()
    frame = pd.DataFrame(rows, columns=["at", "author", "text", "interaction_id", "interaction"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def practice_assignments(session: Session, *, scope: Scope, employee_id: int) -> pd.DataFrame:
    """Return an agent's practice assignments, soonest due first, and whether a session completed each."""
    completed = exists().where(PracticeSession.employee_id == PracticeAssignment.employee_id,
                               PracticeSession.scenario_key == PracticeAssignment.scenario_key,
                               PracticeSession.ended_at.is_not(None),
                               PracticeSession.ended_at >= PracticeAssignment.created_at)
    rows = session.execute(
        select(PracticeAssignment.scenario_key, PracticeAssignment.due_date, User.display_name,
               PracticeAssignment.created_at, PracticeAssignment.interaction_id, completed)
        .join(Employee, Employee.id == PracticeAssignment.employee_id)
        .join(User, User.id == PracticeAssignment.assigned_by)
        .where(PracticeAssignment.employee_id == employee_id, employee_scope(scope))
        .order_by(PracticeAssignment.due_date.asc().nulls_last(), PracticeAssignment.id)
    ).all()
    frame = pd.DataFrame(rows, columns=["scenario", "due", "assigned_by", "assigned_at", "interaction_id",
                                        "completed"])
    frame["assigned_at"] = pd.to_datetime(frame["assigned_at"], utc=True)
    frame["completed"] = frame["completed"].astype(bool)
    return frame


def interaction_scope(scope: Scope) -> ColumnElement[bool]:
    """Return the condition limiting interactions to the scope."""
    return scope.condition(team_column=Interaction.team_id, employee_column=Interaction.employee_id)


def employee_scope(scope: Scope) -> ColumnElement[bool]:
    """Return the condition limiting employees to the scope (by their current team)."""
    return scope.condition(team_column=Employee.team_id, employee_column=Employee.id)

