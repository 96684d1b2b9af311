"""Hand-made interactions whose scores are set directly, so the executive store tests know every number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store import rollups
from store.ingest import ingest_interactions
from store.models import Employee, Interaction, Score, Team
from store.queries import Period
from tests.factories import make_interaction

DAY0 = date(2026, 3, 2)  # a Monday: days 0-6 are week one, 7-13 week two
WEEK_ONE = Period(DAY0, DAY0 + timedelta(days=6))
WEEK_TWO = Period(DAY0 + timedelta(days=7), DAY0 + timedelta(days=13))


@dataclass(frozen=True)
class Row:
    agent: str
    team: str
    day: int  # days after DAY0
    overall: float
    channel: str = "chat"
    empathize: float | None = 50.0
    apologize: float | None = None
    first_response_seconds: float | None = 30.0
    resolved: bool | None = True
    transfer: bool = False
    auto_fail: bool = False
    csat: int | None = None


@dataclass(frozen=True)
class Seeded:
    teams: dict[str, int]
    employees: dict[str, int]


def seed(session: Session, rows: list[Row]) -> Seeded:
    """Ingest one interaction per row (in row order within a day), then overwrite its score with the row's
    and rebuild the rollups."""
    ids = [f"x-{index}" for index in range(len(rows))]
    ingest_interactions(session, interactions=[
        make_interaction(external_id, agent=row.agent, team=row.team, channel=row.channel,
                         start=datetime(DAY0.year, DAY0.month, DAY0.day, 9, tzinfo=timezone.utc)
                         + timedelta(days=row.day, minutes=index),
                         resolved=row.resolved, csat=row.csat)
        for index, (external_id, row) in enumerate(zip(ids, rows))
    ])
    row_ids = dict(session.execute(select(Interaction.external_id, Interaction.id)).all())
    for external_id, row in zip(ids, rows):
        session.execute(update(Score).where(Score.interaction_id == row_ids[external_id]).values(
            overall=row.overall, empathize=row.empathize, apologize=row.apologize,
            first_response_seconds=row.first_response_seconds, transfer=row.transfer, auto_fail=row.auto_fail))
    rollups.rebuild(session)  # the scores were rewritten behind the rollups' back
    session.commit()
    return Seeded(teams=dict(session.execute(select(Team.name, Team.id)).all()),
                  employees=dict(session.execute(select(Employee.name, Employee.id)).all()))


def scores(agent: str, team: str, day: int, overalls: list[float], **fields) -> list[Row]:
    """Return one row per overall score, all on one day."""
    return [Row(agent, team, day, overall, **fields) for overall in overalls]
