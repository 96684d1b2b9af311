"""Agent profiles, team trends and customer histories, aggregated in SQL over the interactions in scope
(period aggregates over the daily rollups)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import case, exists, false, func, or_, select
from sqlalchemy.orm import Session

from scoring.result import CRITERIA
from store.models import (Customer, DailyAgentRollup, DailyRollup, Employee, Interaction, PracticeSession, Review, Score,
                          Team, User)
from store.permissions import Scope
from store.queries import CRITERION_LABELS, Period, _scored
from store.rollups import mean_of, ratio, rolled, rollup_for
from store.review import employee_scope, interaction_scope
from store.rubrics import active_rubric

AGENT_SERIES, TEAM_SERIES = "Agent", "Team average"
BUCKET_WIDTH = 10


def within_team(scope: Scope, team_id: int) -> Scope:
    """Return the part of the scope inside one team: nothing when the team lies outside it."""
    if scope.everything or team_id in scope.team_ids:
        return Scope(team_ids=(team_id,))
    return Scope()


# -- people -------------------------------------------------------------------------------------------


def teams_in_scope(session: Session, *, scope: Scope) -> pd.DataFrame:
    """Return id and name of the teams whose agents are in scope."""
    rows = session.execute(
        select(Team.id, Team.name)
        .where(Team.id.in_(select(Employee.team_id).where(employee_scope(scope)))).order_by(Team.name)
    ).all()
    return pd.DataFrame(rows, columns=["id", "name"])


def agents_in_scope(session: Session, *, scope: Scope) -> pd.DataFrame:
    """Return id, name, team_id and team of the agents in scope, by name."""
    rows = session.execute(
        select(Employee.id, Employee.name, Employee.team_id, Team.name)
        .outerjoin(Team, Team.id == Employee.team_id).where(employee_scope(scope)).order_by(Employee.name)
    ).all()
    return pd.DataFrame(rows, columns=["id", "name", "team_id", "team"])


@dataclass(frozen=True)
class AgentSummary:
    id: int
    name: str
    team_id: int | None
    team: str | None
    hire_date: date | None
    is_new_hire: bool
    interactions: int
    average_overall: float | None
    auto_fail_rate: float | None
    reviewed: int


def agent_summary(session: Session, *, scope: Scope, employee_id: int,
                  period: Period | None = None) -> AgentSummary | None:
    """Return who the agent is and their headline figures for the period, or None outside the scope."""
    person = session.execute(
        select(Employee.id, Employee.name, Employee.team_id, Team.name, Employee.hire_date, Employee.is_new_hire)
        .outerjoin(Team, Team.id == Employee.team_id).where(Employee.id == employee_id, employee_scope(scope))
    ).one_or_none()
    if person is None:
        return None
    n, overall, fails, reviewed = session.execute(
        _scored(session, scope, period, func.count(), func.avg(Score.overall),
                func.avg(case((Score.auto_fail, 1.0), else_=0.0)),
                func.coalesce(func.sum(case((Interaction.review_version > 0, 1), else_=0)), 0))
        .where(Interaction.employee_id == employee_id)
    ).one()
    return AgentSummary(*person, interactions=n, average_overall=_float(overall),
                        auto_fail_rate=_float(fails) if n else None, reviewed=int(reviewed))


# -- an agent against their team ------------------------------------------------------------------------


def _agent_and_team_means(session: Session, scope: Scope, period: Period | None, employee_id: int,
                          weekly: bool) -> pd.DataFrame | None:
    """Return [week,] criterion, agent and team: mean criterion scores (not-applicable excluded) of the agent
    and of their current team, in one pass over their rows; None when the agent is outside the scope."""
    found = session.execute(select(Employee.team_id).where(Employee.id == employee_id, employee_scope(scope))
                            ).one_or_none()
    if found is None:
        return None
    groups = {"agent": DailyRollup.employee_id == employee_id,
              "team": false() if found.team_id is None else DailyRollup.team_id == found.team_id}
    keys = [DailyRollup.week] if weekly else []
    stmt = rolled(session, scope, period, *keys, *(
        ratio(case((where, getattr(DailyRollup, f"{name}_sum")), else_=0),
              case((where, getattr(DailyRollup, f"{name}_n")), else_=0))
        for where in groups.values() for name in CRITERIA))
    stmt = stmt.where(or_(*groups.values()))
    if weekly:
        stmt = stmt.group_by(DailyRollup.week).order_by(DailyRollup.week)
    rows = session.execute(stmt).all()
    # Built as records rather than melted and merged in pandas: on a quarter's weeks pandas' reshaping took
    # longer than the query.
    width = len(CRITERIA)
    key = 1 if weekly else 0
    records = [(*row[:key], name, _nan(row[key + n]), _nan(row[key + width + n]))
               for n, name in enumerate(CRITERIA) for row in rows]
    return pd.DataFrame(records, columns=[*(["week"] if weekly else []), "criterion", "agent", "team"]
                        ).astype({"agent": "float64", "team": "float64"})


def weekly_criteria_against_team(session: Session, *, scope: Scope, employee_id: int,
                                 period: Period | None = None) -> pd.DataFrame:
    """Return week, criterion, label, series (AGENT_SERIES or TEAM_SERIES) and mean score."""
    columns = ["week", "criterion", "label", "series", "score"]
    means = _agent_and_team_means(session, scope, period, employee_id, weekly=True)
    if means is None:
        return pd.DataFrame(columns=columns)
    records = [(week, criterion, CRITERION_LABELS[criterion], series, score)
               for who, series in (("agent", AGENT_SERIES), ("team", TEAM_SERIES))
               for week, criterion, score in zip(means["week"], means["criterion"], means[who]) if score == score]
    frame = pd.DataFrame(records, columns=columns).astype({"score": "float64"})
    frame["week"] = pd.to_datetime(frame["week"])
    return frame


def criteria_against_team(session: Session, *, scope: Scope, employee_id: int,
                          period: Period | None = None) -> pd.DataFrame:
    """Return criterion, label, agent, team and difference (agent - team), strongest first."""
    columns = ["criterion", "label", "agent", "team", "difference"]
    frame = _agent_and_team_means(session, scope, period, employee_id, weekly=False)
    if frame is None:
        return pd.DataFrame(columns=columns)
    frame = frame.dropna(subset=["agent"])
    frame["label"] = frame["criterion"].map(CRITERION_LABELS)
    frame["difference"] = frame["agent"] - frame["team"]
    return frame[columns].sort_values("difference", ascending=False, ignore_index=True)


def score_distribution(session: Session, *, scope: Scope, employee_id: int,
                       period: Period | None = None) -> pd.DataFrame:
    """Return bucket (lower edge), label and interactions: how the agent's overall scores spread over 0-100."""
    edges = range(BUCKET_WIDTH, 100, BUCKET_WIDTH)
    bucket = case(*((Score.overall < edge, edge - BUCKET_WIDTH) for edge in edges), else_=100 - BUCKET_WIDTH)
    counts = dict(session.execute(
        _scored(session, scope, period, bucket, func.count())
        .where(Interaction.employee_id == employee_id, Score.overall.is_not(None)).group_by(bucket)
    ).all())
    lows = range(0, 100, BUCKET_WIDTH)
    return pd.DataFrame({
        "bucket": list(lows),
        "label": [f"{low}-{low + BUCKET_WIDTH - 1}" if low < 100 - BUCKET_WIDTH else f"{low}-100" for low in lows],
        "interactions": [int(counts.get(low, 0)) for low in lows],
    })


def response_compliance(session: Session, *, scope: Scope, period: Period | None = None,
                        employee_id: int | None = None) -> pd.DataFrame:
    """Return per channel: interactions, timed ones, mean first response, target and share on target.

    An interaction meets the target when its first reply came within the active rubric's channel target.
    """
    targets = active_rubric(session).rubric.response_targets
    rollup = DailyRollup if employee_id is not None else rollup_for(scope)
    stmt = rolled(session, scope, period, rollup.channel, func.sum(rollup.interactions),
                  func.sum(rollup.replies), ratio(rollup.first_response_sum, rollup.replies),
                  ratio(rollup.within_target, rollup.replies), table=rollup)
    if employee_id is not None:
        stmt = stmt.where(DailyRollup.employee_id == employee_id)
    rows = session.execute(stmt.group_by(rollup.channel).order_by(rollup.channel)).all()
    frame = pd.DataFrame(rows, columns=["channel", "interactions", "timed", "mean_first_response_seconds",
                                        "within_target"])
    frame["target_seconds"] = frame["channel"].map(targets).astype("float64")
    for column in ("mean_first_response_seconds", "within_target"):
        frame[column] = frame[column].astype("float64")
    return frame


def recent_interactions(session: Session, *, scope: Scope, employee_id: int, limit: int = 25) -> pd.DataFrame:
    """Return the agent's latest interactions, newest first."""
    rows = session.execute(
        _scored(session, scope, None, Interaction.id, Interaction.external_id, Interaction.started_at,
                Interaction.channel, Score.overall, Score.auto_fail, Interaction.csat,
                (Interaction.review_version > 0).label("reviewed"))
        .where(Interaction.employee_id == employee_id)
        .order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=["id", "interaction", "started_at", "channel", "overall", "auto_fail", "csat",
                                        "reviewed"])
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["csat"] = frame["csat"].astype("Int64")
    return frame


def agent_reviews(session: Session, *, scope: Scope, employee_id: int, limit: int = 200) -> pd.DataFrame:
    """Return the latest human reviews of the agent's interactions, newest first ("*" = scores confirmed)."""
    rows = session.execute(
        select(Review.interaction_id, Interaction.external_id, Review.created_at, Review.criterion,
               Review.automatic_score, Review.human_score, Review.comment, User.display_name)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .join(User, User.id == Review.reviewer_id)
        .where(Interaction.employee_id == employee_id, interaction_scope(scope))
        .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=["interaction_id", "interaction", "at", "criterion", "automatic_score",
                                        "human_score", "comment", "reviewer"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def practice_sessions(session: Session, *, scope: Scope, employee_id: int) -> pd.DataFrame:
    """Return the agent's practice sessions, newest first."""
    rows = session.execute(
        select(PracticeSession.scenario_key, PracticeSession.started_at, PracticeSession.ended_at,
               PracticeSession.outcome, PracticeSession.overall, PracticeSession.auto_fail)
        .join(Employee, Employee.id == PracticeSession.employee_id)
        .where(PracticeSession.employee_id == employee_id, employee_scope(scope))
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
    ).all()
    frame = pd.DataFrame(rows, columns=["scenario", "started_at", "ended_at", "outcome", "overall", "auto_fail"])
    for column in ("started_at", "ended_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


# -- teams ------------------------------------------------------------------------------------------------


def criterion_heatmap(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return employee_id, agent, team, criterion, label, score and interactions: one cell per agent and criterion."""
    agents = DailyAgentRollup
    sums = (rolled(session, scope, period, agents.employee_id, func.sum(agents.interactions).label("n"),
                   *(mean_of(name, agents).label(name) for name in CRITERIA), table=agents)
            .group_by(agents.employee_id).subquery())
    # Names are joined to the few aggregated rows, not to every day.
    stmt = (select(sums.c.employee_id, Employee.name, Team.name, sums.c.n, *(sums.c[name] for name in CRITERIA))
            .join(Employee, Employee.id == sums.c.employee_id).outerjoin(Team, Team.id == Employee.team_id))
    ids = ["employee_id", "agent", "team", "interactions"]
    wide = pd.DataFrame(session.execute(stmt).all(), columns=[*ids, *CRITERIA])
    frame = wide.melt(id_vars=ids, var_name="criterion", value_name="score").dropna(subset=["score"])
    frame["score"] = frame["score"].astype("float64")
    frame["label"] = frame["criterion"].map(CRITERION_LABELS)
    return frame[["employee_id", "agent", "team", "criterion", "label", "score", "interactions"]].sort_values(
        ["team", "agent", "criterion"], ignore_index=True)


def weekly_channel_mix(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return week, channel and interactions."""
    rollup = rollup_for(scope)
    rows = session.execute(
        rolled(session, scope, period, rollup.week, rollup.channel, func.sum(rollup.interactions), table=rollup)
        .group_by(rollup.week, rollup.channel).order_by(rollup.week, rollup.channel)
    ).all()
    frame = pd.DataFrame(rows, columns=["week", "channel", "interactions"])
    frame["week"] = pd.to_datetime(frame["week"])
    return frame


def weekly_transfer_rate(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return week, team, interactions and transfer_rate (share where the customer was passed on)."""
    rollup = rollup_for(scope)
    rows = session.execute(
        rolled(session, scope, period, rollup.week, Team.name, func.sum(rollup.interactions),
               ratio(rollup.transfers, rollup.interactions), table=rollup)
        .join(Team, Team.id == rollup.team_id)
        .group_by(rollup.week, Team.name).order_by(rollup.week, Team.name)
    ).all()
    frame = pd.DataFrame(rows, columns=["week", "team", "interactions", "transfer_rate"])
    frame["week"] = pd.to_datetime(frame["week"])
    frame["transfer_rate"] = frame["transfer_rate"].astype("float64")
    return frame


# -- customers ------------------------------------------------------------------------------------------


def find_customers(session: Session, *, scope: Scope, text: str, limit: int = 20) -> pd.DataFrame:
    """Return the customer whose id is `text`, else up to `limit` customers, by name, whose name contains
    `text`, with their in-scope contacts counted."""
    columns = ["id", "customer", "name", "interactions", "last_contact"]
    text = text.strip()
    if not text:
        return pd.DataFrame(columns=columns)
    # An exact customer id names one customer: looked up by its index, without scanning every name for it.
    by_id = session.scalar(select(Customer.id).where(Customer.external_id == text))
    matching = Customer.id == by_id if by_id is not None else Customer.name.icontains(text, autoescape=True)
    # Pick the customers first, so a short fragment like "ma" never counts the contacts of thousands.
    picked = (select(Customer.id)
              .where(matching, exists().where(Interaction.customer_id == Customer.id, interaction_scope(scope)))
              .order_by(Customer.name, Customer.id).limit(limit))
    rows = session.execute(
        select(Customer.id, Customer.external_id, Customer.name, func.count(Interaction.id),
               func.max(Interaction.started_at))
        .join(Interaction, Interaction.customer_id == Customer.id)
        .where(Customer.id.in_(picked), interaction_scope(scope))
        .group_by(Customer.id, Customer.external_id, Customer.name).order_by(Customer.name, Customer.id)
    ).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["last_contact"] = pd.to_datetime(frame["last_contact"], utc=True)
    return frame


@dataclass(frozen=True)
class CustomerHistory:
    id: int
    external_id: str
    name: str | None
    interactions: pd.DataFrame  # in time order


def customer_history(session: Session, *, scope: Scope, customer_id: int) -> CustomerHistory | None:
    """Return every in-scope interaction of one customer, oldest first, or None when there is none."""
    customer = session.execute(select(Customer.external_id, Customer.name).where(Customer.id == customer_id)
                               ).one_or_none()
    if customer is None:
        return None
    rows = session.execute(
        _scored(session, scope, None, Interaction.id, Interaction.external_id, Interaction.started_at,
                Interaction.channel, Employee.name, Team.name, Score.overall, Score.auto_fail, Interaction.csat,
                Interaction.resolved, Score.transfer, (Interaction.review_version > 0).label("reviewed"))
        .outerjoin(Employee, Employee.id == Interaction.employee_id)
        .outerjoin(Team, Team.id == Interaction.team_id)
        .where(Interaction.customer_id == customer_id)
        .order_by(Interaction.started_at, Interaction.id)
    ).all()
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["id", "interaction", "started_at", "channel", "agent", "team", "overall",
                                        "auto_fail", "csat", "resolved", "passed_on", "reviewed"])
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["csat"] = frame["csat"].astype("Int64")
    return CustomerHistory(customer_id, customer.external_id, customer.name, frame)


def _float(value) -> float | None:
    return None if value is None else float(value)


def _nan(value) -> float:
    return math.nan if value is None else float(value)
