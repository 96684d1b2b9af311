"""Write interactions, their turns and their automatic scores in bulk.

Everything happens inside the caller's transaction: nothing is committed here,
so an importer can roll a whole file back on failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import Table, insert, select, text
from sqlalchemy.orm import Session

from scoring.model import Interaction
from scoring.parallel import ScoringPool
from scoring.result import CRITERIA, Evidence, ScoreResult
from scoring.scorer import Scorer
from store.models import Customer, Employee, Interaction as InteractionRow, Score, ScoreEvidence, Team, Turn
from store import rollups
from store.rubrics import active_rubric, rescoring_versions, rubric_lock, scorer_for

CHUNK_SIZE = 500
BULK_IMPORT = 1000  # interactions added at once that call for fresh planner statistics


@dataclass
class IngestCounts:
    added: int = 0
    duplicates: int = 0

    def __iadd__(self, other: IngestCounts) -> IngestCounts:
        self.added += other.added
        self.duplicates += other.duplicates
        return self


def day_of(moment: datetime | None) -> date | None:
    """Return the moment's UTC day."""
    return None if moment is None else moment.astimezone(timezone.utc).date()


def week_of(moment: datetime | None) -> date | None:
    """Return the Monday of the moment's UTC week."""
    day = day_of(moment)
    return None if day is None else day - timedelta(days=day.weekday())


def _chunks(items: Iterable[Interaction], size: int) -> Iterator[list[Interaction]]:
    chunk: list[Interaction] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Directory:
    """Teams and employees by name, created on first sight during one ingest."""

    def __init__(self, session: Session):
        self.session = session
        self.teams = {name: id_ for id_, name in session.execute(select(Team.id, Team.name))}
        self.employees = {
            name: (id_, team_id)
            for id_, name, team_id in session.execute(select(Employee.id, Employee.name, Employee.team_id))
        }

    def team_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        if name not in self.teams:
            self.teams[name] = self.session.execute(insert(Team).values(name=name).returning(Team.id)).scalar_one()
        return self.teams[name]

    def employee(self, name: str | None, team_id: int | None) -> tuple[int | None, int | None]:
        if name is None:
            return None, team_id
        if name not in self.employees:
            new_id = self.session.execute(
                insert(Employee).values(name=name, team_id=team_id, is_new_hire=False, active=True)
                .returning(Employee.id)
            ).scalar_one()
            self.employees[name] = (new_id, team_id)
        return self.employees[name]


def _customer_ids(session: Session, chunk: Sequence[Interaction]) -> dict[str, int]:
    names = {i.customer_id: i.customer_name for i in chunk if i.customer_id}
    if not names:
        return {}
    known = dict(session.execute(
        select(Customer.external_id, Customer.id).where(Customer.external_id.in_(list(names)))
    ).all())
    missing = [{"external_id": key, "name": names[key]} for key in names if key not in known]
    if missing:
        rows = session.connection().execute(
            insert(Customer.__table__).returning(Customer.external_id, Customer.id), missing).all()
        known.update(dict(rows))
    return known


def score_columns(result: ScoreResult) -> dict:
    """Flatten a ScoreResult into the columns of the scores table, all but its two ids."""
    signals = result.signals
    row = {
        "overall": result.overall,
        "auto_fail": result.auto_fail,
        "apology": signals.apology,
        "transfer": signals.transfer,
        "timeline": signals.timeline,
        "question": signals.question,
        "perk": signals.perk,
        "customer_name_used": signals.customer_name_used,
        "courtesy": signals.courtesy,
        "sentiment_start": signals.customer_sentiment_start,
        "sentiment_end": signals.customer_sentiment_end,
        "first_response_seconds": signals.first_response_seconds,
    }
    for name in CRITERIA:
        criterion = result.criteria.get(name)
        row[name] = criterion.score if criterion is not None and criterion.applicable else None
    return row


def _evidence_dict(e: Evidence) -> dict:
    # Spelled out because dataclasses.asdict's deep copy dominated bulk ingest time.
    return {"turn": e.turn, "start": e.start, "end": e.end, "cue": e.cue, "effect": e.effect, "reason": e.reason}


def evidence_payload(result: ScoreResult) -> dict:
    """Return the evidence of a score as JSON-ready data."""
    return {
        "criteria": {name: [_evidence_dict(e) for e in c.evidence] for name, c in result.criteria.items()},
        "critical": [_evidence_dict(e) for e in result.critical],
    }


def stored_form(result: ScoreResult) -> tuple[dict, dict]:
    """Return what is stored of a score: its columns but for the two ids, and its evidence payload.

    Scoring worker processes send this back rather than the ScoreResult, which is far dearer to pickle.
    """
    return score_columns(result), evidence_payload(result)


def store_scores(session: Session, *, scored: Sequence[tuple[int, ScoreResult]], rubric_version_id: int) -> None:
    """Insert scores and their evidence for (interaction row id, result) pairs."""
    _insert_scores(session, [(row_id, *stored_form(result)) for row_id, result in scored], rubric_version_id)


def _insert_scores(session: Session, rows: Sequence[tuple[int, dict, dict]], rubric_version_id: int) -> None:
    """Insert scores given as (interaction row id, columns, evidence payload)."""
    if not rows:
        return
    # Core inserts returning the natural key: the ORM's bulk path splits rows into small groups
    # by which columns are NULL, and ordered RETURNING would fall back to a statement per row.
    score_ids = dict(session.connection().execute(
        insert(Score.__table__).returning(Score.interaction_id, Score.id),
        [{"interaction_id": row_id, "rubric_version_id": rubric_version_id, **columns}
         for row_id, columns, _ in rows],
    ).all())
    insert_rows(session, ScoreEvidence.__table__, ("score_id", "payload"),
                [(score_ids[row_id], payload) for row_id, _, payload in rows])


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert many rows through the driver's executemany, converting values as SQLAlchemy's types would.

    For the widest tables of a bulk import (turns, evidence): SQLAlchemy's own executemany spent most of an
    import preparing parameters row by row.
    """
    connection = session.connection()
    dialect = connection.dialect
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    converters = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    if any(converters):
        rows = [tuple(value if convert is None or value is None else convert(value)
                      for value, convert in zip(row, converters)) for row in rows]
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                               f"VALUES ({', '.join([placeholder] * len(columns))})", rows)


def ingest_interactions(session: Session, *, interactions: Iterable[Interaction], batch_id: int | None = None,
                        scorer: Scorer | None = None, progress: Callable[[int], None] | None = None,
                        workers: int = 1) -> IngestCounts:
    """Insert new interactions with turns and scores under the active rubric; skip known ids.

    A version being rescored (saved, not active yet) scores them too, so activating it never leaves them
    behind; the rubric lock keeps that activation waiting until this transaction ends. The rollups of the
    days and teams touched are refreshed before returning. `progress` is called with the number of interactions
    handled so far after each chunk. With `workers` > 1 that many processes score each chunk while this one
    writes its rows; what is stored is the same.
    """
    rubric_lock(session, exclusive=False)
    rubric = active_rubric(session)
    versions = [(rubric.id, scorer or rubric.scorer)]
    versions += [(version_id, scorer_for(content)) for version_id, content in rescoring_versions(session)]
    directory = _Directory(session)
    counts = IngestCounts()
    days: set[date] = set()
    teams: set[int | None] = set()
    with ScoringPool([scorer for _, scorer in versions], workers=workers, convert=stored_form) as scoring:
        for chunk in _chunks(interactions, CHUNK_SIZE):
            counts += _ingest_chunk(session, chunk, directory, [version_id for version_id, _ in versions],
                                    scoring, batch_id, days, teams)
            if progress is not None:
                progress(counts.added + counts.duplicates)
    for version_id, _ in versions:
        rollups.refresh(session, rubric_version_id=version_id, days=days, teams=teams)
    if counts.added >= BULK_IMPORT:
        _refresh_statistics(session)
    return counts


def _refresh_statistics(session: Session) -> None:
    """Sample the tables for the query planner after a bulk import.

    Without statistics SQLite walks the wrong index (the review queue went from 70 ms to a second at 200,000
    interactions), and PostgreSQL's autovacuum may not have looked yet when the first page asks.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA analysis_limit = 10000"))  # a sample: a third of a second at 200,000
    session.execute(text("ANALYZE"))


def _ingest_chunk(session: Session, chunk: list[Interaction], directory: _Directory, version_ids: list[int],
                  scoring: ScoringPool, batch_id: int | None, days: set[date],
                  teams: set[int | None]) -> IngestCounts:
    known = set(session.scalars(
        select(InteractionRow.external_id).where(InteractionRow.external_id.in_([i.id for i in chunk]))
    ))
    fresh: list[Interaction] = []
    for interaction in chunk:
        if interaction.id not in known:
            known.add(interaction.id)
            fresh.append(interaction)
    counts = IngestCounts(added=len(fresh), duplicates=len(chunk) - len(fresh))
    if not fresh:
        return counts
    scored = scoring.submit(fresh)  # in worker processes, if any, while the rows below are written
    customers = _customer_ids(session, fresh)
    rows = []
    for interaction in fresh:
        team_id = directory.team_id(interaction.team)
        employee_id, employee_team = directory.employee(interaction.agent, team_id)
        start = interaction.start
        day = day_of(start)
        team_id = team_id if team_id is not None else employee_team
        days.add(day)
        teams.add(team_id)
        rows.append({
            "external_id": interaction.id,
            "channel": interaction.channel,
            "employee_id": employee_id,
            "team_id": team_id,
            "customer_id": customers.get(interaction.customer_id) if interaction.customer_id else None,
            "customer_name": interaction.customer_name,
            "started_at": start,
            "started_day": day,
            "started_week": week_of(start),
            "resolved": interaction.outcome.resolved,
            "transferred": interaction.outcome.transferred,
            "csat": interaction.outcome.csat,
            "turn_count": len(interaction.turns),
            "batch_id": batch_id,
        })
    ids_by_key = dict(session.connection().execute(
        insert(InteractionRow.__table__).returning(InteractionRow.external_id, InteractionRow.id), rows
    ).all())
    row_ids = [ids_by_key[interaction.id] for interaction in fresh]
    insert_rows(session, Turn.__table__, ("interaction_id", "position", "speaker", "text", "at"), [
        (row_id, position, turn.speaker, turn.text, turn.at)
        for row_id, interaction in zip(row_ids, fresh)
        for position, turn in enumerate(interaction.turns)
    ])
    for version_id, stored in zip(version_ids, scored()):
        _insert_scores(session, [(row_id, *form) for row_id, form in zip(row_ids, stored)], version_id)
    return counts
