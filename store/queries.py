"""Read-side query functions: keyword-only, take a session, return DataFrames or dataclasses.

Aggregation happens in SQL; only aggregated rows reach pandas. Aggregates over periods read the daily
rollups (store.rollups); lists of interactions read the interactions and their scores (`_scored`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from scoring.result import CRITERIA
from store.models import Interaction, Score, Team
from store.permissions import Scope
from store.rollups import mean_of, ratio, rolled, rollup_for
from store.rubrics import active_rubric

CRITERION_LABELS = {
    "listen": "Listen",
    "empathize": "Empathize",
    "apologize": "Apologize & own it",
    "fix": "Fix & add a perk",
    "overcommunicate": "Overcommunicate",
    "respond": "Respond fast",
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def previous(self) -> Period:
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.start - timedelta(days=1))

    def days_of_week(self, monday: date) -> int:
        """Return how many days of the week starting on `monday` the period holds (0-7)."""
        first, last = max(monday, self.start), min(monday + timedelta(days=6), self.end)
        return max(0, (last - first).days + 1)


def _scored(session: Session, scope: Scope, period: Period | None, *columns) -> Select:
    """Select from interactions joined to their active-rubric score, limited to scope and period."""
    rubric_id = active_rubric(session).id
    stmt = (
        select(*columns)
        .select_from(Interaction)
        .join(Score, and_(Score.interaction_id == Interaction.id, Score.rubric_version_id == rubric_id))
        .where(scope.condition(team_column=Interaction.team_id, employee_column=Interaction.employee_id))
    )
    if period is not None:
        stmt = stmt.where(Interaction.started_at >= _midnight(period.start),
                          Interaction.started_at < _midnight(period.end + timedelta(days=1)))
    return stmt


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def data_range(session: Session, *, scope: Scope) -> Period | None:
    """Return the first and last day with interactions in scope, or None when there are none."""
    rollup = rollup_for(scope)
    first, last = session.execute(rolled(session, scope, None, func.min(rollup.day), func.max(rollup.day),
                                         table=rollup)).one()
    return None if first is None else Period(first, last)


def weekly_quality_by_team(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return week, team, interactions and mean overall score per team and week."""
    rollup = rollup_for(scope)
    stmt = rolled(
        session, scope, period,
        rollup.week, Team.name, func.sum(rollup.interactions), mean_of("overall", rollup), table=rollup,
    ).join(Team, Team.id == rollup.team_id).group_by(rollup.week, Team.name).order_by(rollup.week, Team.name)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["week", "team", "interactions", "overall"])
    frame["week"] = pd.to_datetime(frame["week"])
    return frame.astype({"interactions": "int64", "overall": "float64"})


def weekly_quality_by_criterion(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return week, criterion and mean criterion score (not-applicable excluded), long format."""
    rollup = rollup_for(scope)
    stmt = rolled(session, scope, period, rollup.week, *(mean_of(name, rollup).label(name) for name in CRITERIA),
                  table=rollup).group_by(rollup.week).order_by(rollup.week)
    wide = pd.DataFrame(session.execute(stmt).all(), columns=["week", *CRITERIA])
    frame = wide.melt(id_vars="week", var_name="criterion", value_name="score").dropna(subset=["score"])
    frame["criterion"] = frame["criterion"].map(CRITERION_LABELS)
    frame["week"] = pd.to_datetime(frame["week"])
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Headline:
    interactions: int
    average_overall: float | None
    auto_fail_rate: float | None
    transfer_rate: float | None
    csat: float | None
    first_contact_resolution: float | None


def headline(session: Session, *, scope: Scope, period: Period | None = None) -> Headline:
    """Return the headline figures for the scope and period."""
    rollup = rollup_for(scope)
    n, overall, fails, transfers, csat, fcr = session.execute(rolled(
        session, scope, period,
        func.sum(rollup.interactions), mean_of("overall", rollup),
        ratio(rollup.auto_fails, rollup.interactions),
        ratio(rollup.transfers, rollup.interactions),
        mean_of("csat", rollup),
        ratio(rollup.first_contact_resolved, rollup.interactions),
        table=rollup,
    )).one()
    if not n:
        return Headline(0, None, None, None, None, None)
    return Headline(int(n), _float(overall), _float(fails), _float(transfers), _float(csat), _float(fcr))


def _float(value) -> float | None:
    return None if value is None else float(value)
