"""Read-side query functions: keyword-only, take a session, return DataFrames or dataclasses.

Aggregation happens in SQL; only aggregated rows reach pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from scoring.result import CRITERIA
from store.models import Interaction, Score, Team
from store.permissions import Scope
from store.rubrics import active_rubric

CRITERION_LABELS = {
    "listen": "Listen",
    "empathize": "Empathize",
    "apologize": "Apologize & own it",
    "fix": "Fix & add a perk",
    "overcommunicate": "Overcommunicate",
    "respond": "Respond fast",
}

# First-contact resolution: resolved without passing the customer on.
FIRST_CONTACT_RESOLVED = and_(Interaction.resolved.is_(True), Score.transfer.is_(False))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def previous(self) -> Period:
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.start - timedelta(days=1))


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
    first, last = session.execute(
        _scored(session, scope, None, func.min(Interaction.started_at), func.max(Interaction.started_at))
    ).one()
    if first is None:
        return None
    return Period(first.date(), last.date())


def weekly_quality_by_team(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return week, team, interactions and mean overall score per team and week."""
    stmt = _scored(
        session, scope, period,
        Interaction.started_week.label("week"), Team.name.label("team"),
        func.count().label("interactions"), func.avg(Score.overall).label("overall"),
    ).join(Team, Team.id == Interaction.team_id).group_by(Interaction.started_week, Team.name).order_by(
        Interaction.started_week, Team.name)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["week", "team", "interactions", "overall"])
    frame["week"] = pd.to_datetime(frame["week"])
    return frame


def weekly_quality_by_criterion(session: Session, *, scope: Scope, period: Period | None = None) -> pd.DataFrame:
    """Return week, criterion and mean criterion score (not-applicable excluded), long format."""
    stmt = _scored(
        session, scope, period, Interaction.started_week.label("week"),
        *(func.avg(getattr(Score, name)).label(name) for name in CRITERIA),
    ).group_by(Interaction.started_week).order_by(Interaction.started_week)
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
    n, overall, fails, transfers, csat, fcr = session.execute(_scored(
        session, scope, period,
        func.count(), func.avg(Score.overall),
        func.avg(case((Score.auto_fail, 1.0), else_=0.0)),
        func.avg(case((Score.transfer, 1.0), else_=0.0)),
        func.avg(Interaction.csat),
        func.avg(case((FIRST_CONTACT_RESOLVED, 1.0), else_=0.0)),
    )).one()
    if not n:
        return Headline(0, None, None, None, None, None)
    return Headline(n, _float(overall), _float(fails), _float(transfers), _float(csat), _float(fcr))


def _float(value) -> float | None:
    return None if value is None else float(value)
