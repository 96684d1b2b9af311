"""Write interactions, their turns and their automatic scores in bulk.

Everything happens inside the caller's transaction: nothing is committed here,
so an importer can roll a whole file back on failure.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import DateTime, Table, delete, false, func, insert, select, text
from sqlalchemy.orm import Session

from scoring.model import Interaction
from scoring.parallel import Results, ScoringPool
from scoring.result import CRITERIA, Evidence, ScoreResult
from scoring.scorer import Scorer
from store.db import json_text
from store.models import (Customer, Employee, Interaction as InteractionRow, Score, ScoreEvidence, Team, Turn,
                          utcnow)
from store import rollups
from store.rubrics import active_rubric, rescoring_versions, rubric_lock, scorer_for

CHUNK_SIZE = 500
LOOKAHEAD = 2  # chunks being scored while this process writes another: enough to keep the workers busy
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
    return None if day is None else rollups.monday(day)


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


def _customer_ids(session: Session, ids: _RowIds, chunk: Sequence[Interaction]) -> dict[str, int]:
    names = {i.customer_id: i.customer_name for i in chunk if i.customer_id}
    if not names:
        return {}
    known = dict(session.execute(
        select(Customer.external_id, Customer.id).where(Customer.external_id.in_(list(names)))
    ).all())
    missing = [key for key in names if key not in known]
    if missing:
        customer_ids = ids.take(Customer.__table__, len(missing))
        insert_rows(session, Customer.__table__, ("id", "external_id", "name"),
                    [(customer_id, key, names[key]) for customer_id, key in zip(customer_ids, missing)])
        known.update(zip(missing, customer_ids))
    return known


SCORE_COLUMNS = ("overall", "auto_fail", "apology", "transfer", "timeline", "question", "perk", "customer_name_used",
                 "courtesy", "sentiment_start", "sentiment_end", "first_response_seconds", *CRITERIA)


def score_values(result: ScoreResult) -> tuple:
    """Flatten a ScoreResult into the values of SCORE_COLUMNS: the scores table's columns but its ids and time."""
    signals = result.signals
    criteria = result.criteria
    return (result.overall, result.auto_fail, signals.apology, signals.transfer, signals.timeline, signals.question,
            signals.perk, signals.customer_name_used, signals.courtesy, signals.customer_sentiment_start,
            signals.customer_sentiment_end, signals.first_response_seconds,
            *(None if (criterion := criteria.get(name)) is None or not criterion.applicable else criterion.score
              for name in CRITERIA))


def _evidence_dict(e: Evidence) -> dict:
    # Spelled out because dataclasses.asdict's deep copy dominated bulk ingest time.
    return {"turn": e.turn, "start": e.start, "end": e.end, "cue": e.cue, "effect": e.effect, "reason": e.reason}


def evidence_payload(result: ScoreResult) -> dict:
    """Return the evidence of a score as JSON-ready data."""
    return {
        "criteria": {name: [_evidence_dict(e) for e in c.evidence] for name, c in result.criteria.items()},
        "critical": [_evidence_dict(e) for e in result.critical],
    }


def stored_form(result: ScoreResult) -> tuple[tuple, str]:
    """Return what is stored of a score: its SCORE_COLUMNS values and its evidence as the JSON text stored.

    Scoring worker processes send this back rather than the ScoreResult, which is far dearer to pickle; the
    evidence comes as text so that the process writing rows does no conversion.
    """
    return score_values(result), json_text(evidence_payload(result))


def store_scores(session: Session, *, scored: Sequence[tuple[int, ScoreResult]], rubric_version_id: int) -> None:
    """Insert scores and their evidence for (interaction row id, result) pairs."""
    _insert_scores(session, _RowIds(session), [row_id for row_id, _ in scored],
                   [stored_form(result) for _, result in scored], rubric_version_id)


def _insert_scores(session: Session, ids: _RowIds, row_ids: Sequence[int], stored: Sequence[tuple[tuple, str]],
                   rubric_version_id: int) -> None:
    """Insert the scores of interactions `row_ids` under one version, given in their stored form."""
    if not row_ids:
        return
    score_ids = ids.take(Score.__table__, len(row_ids))
    scored_at = utcnow()
    insert_rows(session, Score.__table__, ("id", "interaction_id", "rubric_version_id", "scored_at", *SCORE_COLUMNS),
                [(score_id, row_id, rubric_version_id, scored_at, *values)
                 for score_id, row_id, (values, _) in zip(score_ids, row_ids, stored)])
    insert_rows(session, ScoreEvidence.__table__, ("score_id", "payload"),
                list(zip(score_ids, [payload for _, payload in stored])), ready=("payload",))


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple], *,
                ready: Collection[str] = ()) -> None:
    """Insert many rows through the driver, converting values as SQLAlchemy's types would: PostgreSQL's COPY
    with psycopg, executemany otherwise.

    Columns named in `ready` hold values in the driver's form already (e.g. JSON text). For the bulk of an
    import: SQLAlchemy's own executemany spent most of an import preparing parameters row by row.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    converters = [(position, convert) for position, name in enumerate(columns) if name not in ready
                  and (convert := _bind_processor(table.c[name].type, dialect)) is not None]
    if converters:
        values = list(zip(*rows))  # column by column: one pass per converted column, not per value
        for position, convert in converters:
            values[position] = [None if value is None else convert(value) for value in values[position]]
        rows = list(zip(*values))
    if dialect.driver == "psycopg":
        # The same values through the same adapters as executemany's parameters, in one stream.
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                               f"VALUES ({', '.join([placeholder] * len(columns))})", rows)


def _bind_processor(column_type, dialect) -> Callable[[Any], Any] | None:
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if isinstance(column_type, DateTime) and processor is not None and dialect.name == "sqlite":
        return _sqlite_datetime(processor)
    return processor


def _sqlite_datetime(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Return SQLite's datetime conversion, for datetimes by isoformat: the same text, a tenth of the time."""

    def convert(value: Any) -> Any:
        # SQLAlchemy's SQLite DATETIME keeps "YYYY-MM-DD HH:MM:SS.ffffff" and drops any UTC offset.
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return processor(value)

    return convert


class _RowIds:
    """Hand out primary keys for the rows an ingest inserts, so that no insert has to return them."""

    def __init__(self, session: Session):
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.next: dict[str, int] = {}

    def take(self, table: Table, count: int) -> Sequence[int]:
        """Return `count` new ids for `table`, in increasing order."""
        if self.postgres:  # the table's own sequence: safe beside other transactions inserting at once
            return self.session.scalars(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count) ORDER BY 1"),
                {"table": table.name, "count": count}).all()
        if table.name not in self.next:
            # SQLite has one writer at a time and this transaction is it until it ends (the empty write takes
            # the lock), so the ids after the largest stay free for it: the ones SQLite itself would give.
            self.session.execute(delete(table).where(false()))
            self.next[table.name] = (self.session.scalar(select(func.max(table.c.id))) or 0) + 1
        first = self.next[table.name]
        self.next[table.name] = first + count
        return range(first, first + count)


def ingest_interactions(session: Session, *, interactions: Iterable[Interaction], batch_id: int | None = None,
                        scorer: Scorer | None = None, progress: Callable[[int], None] | None = None,
                        workers: int = 1) -> IngestCounts:
    """Insert new interactions with turns and scores under the active rubric; skip known ids.

    A version being rescored (saved, not active yet) scores them too, so activating it never leaves them
    behind; the rubric lock keeps that activation waiting until this transaction ends. The rollups of the
    days and teams touched are refreshed before returning. `progress` is called with the number of interactions
    handled so far after each chunk. With `workers` > 1 that many processes score the next chunks while this
    one writes rows; what is stored is the same.
    """
    rubric_lock(session, exclusive=False)
    rubric = active_rubric(session)
    versions = [(rubric.id, scorer or rubric.scorer)]
    versions += [(version_id, scorer_for(content)) for version_id, content in rescoring_versions(session)]
    version_ids = [version_id for version_id, _ in versions]
    directory = _Directory(session)
    ids = _RowIds(session)
    counts = IngestCounts()
    days: set[date] = set()
    teams: set[int | None] = set()
    # Chunks whose rows are written and whose scores are still being computed, oldest first.
    waiting: deque[_Scoring] = deque()
    with ScoringPool([scorer for _, scorer in versions], workers=workers, convert=stored_form) as scoring:
        for chunk in _chunks(interactions, CHUNK_SIZE):
            chunk_counts, scored = _ingest_chunk(session, chunk, directory, ids, scoring, batch_id, days, teams)
            counts += chunk_counts
            if scored is not None:
                waiting.append(scored)
            # The workers score up to LOOKAHEAD chunks ahead while this process writes, never idle for long.
            while len(waiting) > LOOKAHEAD:
                _write_scores(session, ids, waiting.popleft(), version_ids)
            if progress is not None:
                progress(counts.added + counts.duplicates)
        while waiting:
            _write_scores(session, ids, waiting.popleft(), version_ids)
    for version_id in version_ids:
        rollups.refresh(session, rubric_version_id=version_id, days=days, teams=teams)
    _refresh_statistics(session, added=counts.added)
    return counts


def _refresh_statistics(session: Session, *, added: int) -> None:
    """Give the query planner fresh statistics when an import has made them stale.

    Without statistics, or with sampled ones, SQLite walks the wrong index: the review queue went from 70 ms
    to a second at 200,000 interactions, and a 10,000-row sample made every score look like one rubric
    version's in ten thousand (2.6 s instead of 0.1 s at a million). So SQLite reads every row, about two
    seconds at a million, whenever the interactions have grown by a tenth since it last did (the share at
    which PostgreSQL's autovacuum analyzes). PostgreSQL samples anyway; it analyzes after any bulk import,
    because autovacuum may not have looked yet when the first page asks.
    """
    if session.get_bind().dialect.name != "sqlite":
        if added >= BULK_IMPORT:
            session.execute(text("ANALYZE"))
        return
    if not added:
        return
    analysed = None
    if session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        # Each statistics row starts with the row count of its table when it was taken.
        analysed = session.scalar(text("SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 "
                                       "WHERE tbl = 'interactions'"))
    if analysed is None or session.scalar(select(func.count()).select_from(InteractionRow)) >= 1.1 * analysed:
        session.execute(text("PRAGMA analysis_limit = 0"))
        session.execute(text("ANALYZE"))


@dataclass
class _Scoring:
    """A chunk's interaction row ids and the scores being computed for them."""

    row_ids: Sequence[int]
    results: Results


INTERACTION_COLUMNS = ("id", "external_id", "channel", "employee_id", "team_id", "customer_id", "customer_name",
                       "started_at", "started_day", "started_week", "resolved", "transferred", "csat", "turn_count",
                       "review_version", "batch_id")


def _ingest_chunk(session: Session, chunk: list[Interaction], directory: _Directory, ids: _RowIds,
                  scoring: ScoringPool, batch_id: int | None, days: set[date],
                  teams: set[int | None]) -> tuple[IngestCounts, _Scoring | None]:
    """Write a chunk's new interactions and their turns, and start scoring them."""
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
        return counts, None
    results = scoring.submit(fresh)  # in worker processes, if any, while the rows below are written
    customers = _customer_ids(session, ids, fresh)
    row_ids = ids.take(InteractionRow.__table__, len(fresh))
    rows = []
    for row_id, interaction in zip(row_ids, fresh):
        team_id = directory.team_id(interaction.team)
        employee_id, employee_team = directory.employee(interaction.agent, team_id)
        start = interaction.start
        day = day_of(start)
        team_id = team_id if team_id is not None else employee_team
        days.add(day)
        teams.add(team_id)
        outcome = interaction.outcome
        rows.append((row_id, interaction.id, interaction.channel, employee_id, team_id,
                     customers.get(interaction.customer_id) if interaction.customer_id else None,
                     interaction.customer_name, start, day, week_of(start), outcome.resolved, outcome.transferred,
                     outcome.csat, len(interaction.turns), 0, batch_id))
    insert_rows(session, InteractionRow.__table__, INTERACTION_COLUMNS, rows)
    insert_rows(session, Turn.__table__, ("interaction_id", "position", "speaker", "text", "at"), [
        (row_id, position, turn.speaker, turn.text, turn.at)
        for row_id, interaction in zip(row_ids, fresh)
        for position, turn in enumerate(interaction.turns)
    ])
    return counts, _Scoring(row_ids, results)


def _write_scores(session: Session, ids: _RowIds, scoring: _Scoring, version_ids: Sequence[int]) -> None:
    for version_id, stored in zip(version_ids, scoring.results()):
        _insert_scores(session, ids, scoring.row_ids, stored, version_id)
