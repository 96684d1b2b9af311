"""Rescore stored interactions under another rubric version, keeping the older scores."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import groupby

from sqlalchemy import and_, select, text
from sqlalchemy.orm import Session

from scoring.model import Interaction, Outcome, Turn
from store import rollups
from store.ingest import day_of, store_scores
from store.models import as_utc, Customer, Employee, Interaction as InteractionRow, RubricVersion, Score, Team, Turn as TurnRow
from store.rubrics import scorer_for

BATCH_SIZE = 1000
RESCORE_LOCK_BASE = 0x52530000  # plus the version id: an advisory lock key no other Rapport lock uses


def domain_interactions(session: Session, row_ids: Sequence[int]) -> list[tuple[int, Interaction]]:
    """Rebuild scoring-domain interactions from stored rows, in the order of `row_ids`."""
    rows = {
        row.id: row
        for row in session.execute(
            select(InteractionRow.id, InteractionRow.external_id, InteractionRow.channel,
                   InteractionRow.customer_name, InteractionRow.started_at, InteractionRow.resolved,
                   InteractionRow.transferred, InteractionRow.csat, Employee.name.label("agent"),
                   Team.name.label("team"), Customer.external_id.label("customer_key"))
            .outerjoin(Employee, Employee.id == InteractionRow.employee_id)
            .outerjoin(Team, Team.id == InteractionRow.team_id)
            .outerjoin(Customer, Customer.id == InteractionRow.customer_id)
            .where(InteractionRow.id.in_(row_ids))
        )
    }
    turns = session.execute(
        select(TurnRow.interaction_id, TurnRow.speaker, TurnRow.text, TurnRow.at)
        .where(TurnRow.interaction_id.in_(row_ids)).order_by(TurnRow.interaction_id, TurnRow.position)
    ).all()
    turns_by_row = {key: tuple(Turn(t.speaker, t.text, as_utc(t.at)) for t in group)
                    for key, group in groupby(turns, key=lambda t: t.interaction_id)}
    return [
        (row_id, Interaction(
            id=row.external_id, channel=row.channel, turns=turns_by_row.get(row_id, ()),
            customer_name=row.customer_name, customer_id=row.customer_key, agent=row.agent, team=row.team,
            started_at=as_utc(row.started_at),
            outcome=Outcome(resolved=row.resolved, transferred=row.transferred, csat=row.csat),
        ))
        for row_id in row_ids if (row := rows.get(row_id)) is not None
    ]


def unscored_ids(session: Session, *, rubric_version_id: int) -> list[int]:
    """Return the ids of interactions that have no score under the rubric version."""
    return list(session.scalars(
        select(InteractionRow.id)
        .outerjoin(Score, and_(Score.interaction_id == InteractionRow.id, Score.rubric_version_id == rubric_version_id))
        .where(Score.id.is_(None)).order_by(InteractionRow.id)
    ))


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def rescore(session: Session, *, rubric_version_id: int,
            progress: Callable[[int, int], None] | None = None, limit: int | None = None) -> int:
    """Score every interaction not yet scored under the version (at most `limit`); return how many were scored.

    A limit lets a long rescore commit in slices, so a restart resumes where it stopped. The rollups of the
    days touched are refreshed.
    """
    content = session.scalar(select(RubricVersion.content).where(RubricVersion.id == rubric_version_id))
    if content is None:
        raise ValueError(f"rubric_version_id: no rubric version {rubric_version_id}")
    if session.get_bind().dialect.name == "postgresql":
        # Rescores of one version from two processes take turns; each then sees what the other scored.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RESCORE_LOCK_BASE + rubric_version_id})
    scorer = scorer_for(content)
    todo = unscored_ids(session, rubric_version_id=rubric_version_id)[:limit]
    done = 0
    days = set()
    for batch in _batches(todo, BATCH_SIZE):
        interactions = domain_interactions(session, batch)
        days.update(day_of(interaction.start) for _, interaction in interactions)
        store_scores(session, scored=[(row_id, scorer.score(i)) for row_id, i in interactions],
                     rubric_version_id=rubric_version_id)
        done += len(batch)
        if progress is not None:
            progress(done, len(todo))
    rollups.refresh(session, rubric_version_id=rubric_version_id, days=days)
    return done
