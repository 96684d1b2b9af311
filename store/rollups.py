"""Daily rollups: sums of scores per rubric version, day, team, agent and channel, kept beside the scores.

Dashboards aggregate months of interactions; reading a million score rows for a chart is too slow, so every
write of scores refreshes the rollups of the days it touched, in the same transaction, and the dashboard
queries read only the rollups (a day's rows are a few per agent). A refresh recomputes whole days from the
scores, so it is idempotent and a rebuild is always the cure for rollups in doubt.

The per-agent rollups and the empathy runs are also kept per week, summed (runs joined) from the daily rows
of the weeks a refresh touched: the leaderboard reads the weeks its period holds whole from those, a seventh of
the rows, and only the days at its edges from the daily ones (`in_weeks`). The per-team rows are few enough
that reading weeks of them measured no faster.

Refreshes of one rubric version are serialised (a PostgreSQL advisory lock; SQLite serialises writers
anyway), so two imports landing on the same day from two replicas cannot interleave their recomputes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (ColumnElement, Float, Integer, Select, and_, case, cast, delete, false, func, insert, literal, or_,
                        select, text, union_all)
from sqlalchemy.orm import Session, aliased

from scoring.model import CHANNELS
from scoring.result import CRITERIA
from scoring.rubric import Rubric
from store.models import (
    AppMeta,
    DailyAgentRollup,
    DailyCsat,
    DailyEmpathyRun,
    DailyRollup,
    DailyScoreBucket,
    DailyTeamRollup,
    Interaction,
    RollupMeasures,
    RubricVersion,
    Score,
    WeeklyAgentRollup,
    WeeklyEmpathyRun,
)
from store.permissions import Scope
from store.rubrics import active_rubric, parsed_rubric

if TYPE_CHECKING:
    from store.queries import Period

# Bump when what the rollups hold changes: the next start rebuilds them (see ensure_current).
ROLLUP_SCHEMA = "3"
SCHEMA_KEY = "rollup_schema"
# The daily rollups kept per week too, each with its weekly table.
WEEKLY = {DailyAgentRollup: WeeklyAgentRollup, DailyEmpathyRun: WeeklyEmpathyRun}
TABLES = (DailyRollup, DailyScoreBucket, DailyCsat, DailyEmpathyRun, DailyTeamRollup, DailyAgentRollup,
          *WEEKLY.values())
MEASURES = tuple(RollupMeasures.__annotations__)
EMPATHY_STREAK_SCORE = 85.0  # an interaction with Empathize at least this extends an empathy streak
# First-contact resolution: resolved without passing the customer on.
FIRST_CONTACT_RESOLVED = and_(Interaction.resolved.is_(True), Score.transfer.is_(False))
_LOCK_BASE = zlib.crc32(b"rapport rollups") & 0x7FFF0000


def within_target(targets: Mapping[str, float]) -> ColumnElement[bool]:
    """Return the condition "first reply within the channel's response target" (NULL when not measured)."""
    return or_(*(and_(Interaction.channel == channel, Score.first_response_seconds <= float(targets[channel]))
                 for channel in CHANNELS))


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Return the SQL count of rows meeting the condition (NULL counts as not meeting it)."""
    return func.sum(case((condition, 1), else_=0))


def owned_apology_score(rubric: Rubric) -> float:
    """Return the Apologize score that only an owned apology reaches: base + apology + ownership points.

    Scores keep no per-cue columns, so "owned" is read from the criterion score: under rubric 2026.1 that
    is 20 + 45 + 30 = 95, while the best apology without ownership (with the sincere bonus) reaches 75.
    """
    rule = rubric.criteria["apologize"]
    return min(100.0, rule.base + rule.points["apology"] + rule.points["ownership"])


# -- writing ------------------------------------------------------------------------------------------


def refresh(session: Session, *, rubric_version_id: int, days: Iterable[date | None] | None = None,
            teams: Iterable[int | None] | None = None) -> None:
    """Recompute the rollups of a rubric version for the given days (every day when None), of the given
    teams only (None stands for interactions without a team; every team when `teams` is None)."""
    if days is not None:
        days = {day for day in days if day is not None}
        if not days:
            return
    _lock(session, rubric_version_id)
    rubric = _rubric(session, rubric_version_id)
    ranges = None if days is None else _day_ranges(days)
    # A week's rows hold all its days, so every day of the weeks touched is summed again.
    week_ranges = None if days is None else _day_ranges({monday(day) + timedelta(days=offset) for day in days
                                                         for offset in range(7)})

    def narrowed(stmt, day_column, team_column, ranges=ranges):
        if ranges is not None:
            stmt = stmt.where(or_(*(day_column.between(first, last) for first, last in ranges)))
        if teams is not None:
            team_ids = {team for team in teams if team is not None}
            stmt = stmt.where(or_(team_column.in_(team_ids), team_column.is_(None) if None in teams else false()))
        return stmt

    for table in TABLES:
        weekly = table in WEEKLY.values()
        session.execute(narrowed(delete(table).where(table.rubric_version_id == rubric_version_id),
                                 table.week if weekly else table.day, table.team_id,
                                 week_ranges if weekly else ranges))

    def scored(*columns) -> Select:
        return narrowed(select(*columns).select_from(Interaction)
                        .join(Score, and_(Score.interaction_id == Interaction.id,
                                          Score.rubric_version_id == rubric_version_id))
                        .where(Interaction.started_day.is_not(None)), Interaction.started_day, Interaction.team_id)

    for table, select_rows in ((DailyRollup, _daily_rows), (DailyScoreBucket, _bucket_rows), (DailyCsat, _csat_rows),
                               (DailyEmpathyRun, _empathy_rows)):
        columns, stmt = select_rows(scored, rubric_version_id, rubric)
        session.execute(insert(table).from_select(columns, stmt))
    # The coarser rollups are sums of the daily rows just written, so they always agree with them.
    for table, source, select_rows, source_ranges in (
            (DailyTeamRollup, DailyRollup, _team_rows, ranges), (DailyAgentRollup, DailyRollup, _agent_rows, ranges),
            (WeeklyAgentRollup, DailyAgentRollup, _weekly_agent_rows, week_ranges)):
        columns, stmt = select_rows(rubric_version_id)
        session.execute(insert(table).from_select(columns, narrowed(stmt, source.day, source.team_id,
                                                                    source_ranges)))
    daily_runs = DailyEmpathyRun
    weekly_runs = _weekly_runs(rubric_version_id, session.execute(narrowed(
        select(daily_runs.day, daily_runs.team_id, daily_runs.employee_id, daily_runs.channel,
               *(getattr(daily_runs, name) for name in Runs._fields))
        .where(daily_runs.rubric_version_id == rubric_version_id).order_by(daily_runs.day),
        daily_runs.day, daily_runs.team_id, week_ranges)))
    if weekly_runs:
        session.execute(insert(WeeklyEmpathyRun), weekly_runs)


def rebuild(session: Session) -> None:
    """Recompute every rollup of every rubric version and record that they match this code."""
    for version_id in session.scalars(select(RubricVersion.id)):
        refresh(session, rubric_version_id=version_id)
    row = session.get(AppMeta, SCHEMA_KEY)
    if row is None:
        session.add(AppMeta(key=SCHEMA_KEY, value=ROLLUP_SCHEMA))
    else:
        row.value = ROLLUP_SCHEMA
    session.flush()


def ensure_current(session: Session) -> bool:
    """Rebuild the rollups when they were built by another version of this code (or never); return whether."""
    if session.scalar(select(AppMeta.value).where(AppMeta.key == SCHEMA_KEY)) == ROLLUP_SCHEMA:
        return False
    rebuild(session)
    return True


def _lock(session: Session, rubric_version_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_BASE + rubric_version_id})


def _rubric(session: Session, rubric_version_id: int) -> Rubric:
    row = session.execute(select(RubricVersion.content, RubricVersion.version)
                          .where(RubricVersion.id == rubric_version_id)).one()
    return parsed_rubric(row.content, row.version)


def _day_ranges(days: set[date]) -> list[tuple[date, date]]:
    """Return the days as sorted runs of consecutive days, (first, last) each."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and ranges[-1][1] == day - timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _sum(column: Any) -> ColumnElement:
    return func.coalesce(func.sum(column), 0.0)


def _daily_rows(scored, rubric_version_id: int, rubric: Rubric) -> tuple[list[str], Select]:
    keys = [Interaction.started_day, Interaction.started_week, Interaction.team_id, Interaction.employee_id,
            Interaction.channel]
    values = {
        "rubric_version_id": _constant(rubric_version_id),
        "day": Interaction.started_day, "week": Interaction.started_week, "team_id": Interaction.team_id,
        "employee_id": Interaction.employee_id, "channel": Interaction.channel,
        "interactions": func.count(),
        "overall_n": func.count(Score.overall), "overall_sum": _sum(Score.overall),
        "overall_sum_squares": _sum(Score.overall * Score.overall),
    }
    for name in CRITERIA:
        values[f"{name}_n"] = func.count(getattr(Score, name))
        values[f"{name}_sum"] = _sum(getattr(Score, name))
    values.update({
        "auto_fails": count_where(Score.auto_fail), "transfers": count_where(Score.transfer),
        "first_contact_resolved": count_where(FIRST_CONTACT_RESOLVED),
        "owned_apologies": count_where(Score.apologize >= owned_apology_score(rubric)),
        "csat_n": func.count(Interaction.csat), "csat_sum": _sum(Interaction.csat),
        "replies": func.count(Score.first_response_seconds), "first_response_sum": _sum(Score.first_response_seconds),
        "within_target": count_where(within_target(rubric.response_targets)),
    })
    return list(values), scored(*values.values()).group_by(*keys)


def _bucket_rows(scored, rubric_version_id: int, rubric: Rubric) -> tuple[list[str], Select]:
    # floor(overall) for scores kept to 0.1, in arithmetic both SQLite and PostgreSQL have built in.
    bucket = case((Score.auto_fail, -1), else_=cast(func.round(Score.overall * 10), Integer) // 10)
    stmt = (scored(_constant(rubric_version_id), Interaction.started_day, Interaction.team_id, bucket,
                   func.count())
            .where(Score.overall.is_not(None)).group_by(Interaction.started_day, Interaction.team_id, bucket))
    return ["rubric_version_id", "day", "team_id", "bucket", "interactions"], stmt


def _csat_rows(scored, rubric_version_id: int, rubric: Rubric) -> tuple[list[str], Select]:
    stmt = (scored(_constant(rubric_version_id), Interaction.started_day, Interaction.team_id, Interaction.csat,
                   func.count(), func.count(Score.overall), _sum(Score.overall))
            .where(Interaction.csat.is_not(None))
            .group_by(Interaction.started_day, Interaction.team_id, Interaction.csat))
    return ["rubric_version_id", "day", "team_id", "csat", "interactions", "overall_n", "overall_sum"], stmt


def _empathy_rows(scored, rubric_version_id: int, rubric: Rubric) -> tuple[list[str], Select]:
    """Select each agent-day's runs, for each channel and for all channels together (channel NULL).

    In start order the running count of misses numbers the runs ("islands"): island 0 holds the hits before
    the first miss and the last island the hits after the last miss.
    """
    hit = case((Score.empathize >= EMPATHY_STREAK_SCORE, 1), else_=0)
    selects = []
    for channel in (Interaction.channel, None):
        keys = [Interaction.started_day, Interaction.team_id, Interaction.employee_id]
        if channel is not None:
            keys.append(channel)
        island = func.sum(1 - hit).over(partition_by=keys, order_by=(Interaction.started_at, Interaction.id))
        marked = (scored(*(key.label(key.key) for key in keys), hit.label("hit"), island.label("island"))
                  .where(Interaction.employee_id.is_not(None), Score.overall.is_not(None),
                         Score.empathize.is_not(None))).subquery()
        mkeys = [marked.c[key.key] for key in keys]
        islands = select(*mkeys, marked.c.island, func.sum(marked.c.hit).label("run"), func.count().label("size"),
                         func.max(marked.c.island).over(partition_by=mkeys).label("last")
                         ).group_by(*mkeys, marked.c.island).subquery()
        ikeys = [islands.c[key.key] for key in keys]
        channel_value = islands.c.channel if channel is not None else cast(None, DailyEmpathyRun.channel.type)
        selects.append(select(
            _constant(rubric_version_id), *ikeys[:3], channel_value,
            func.sum(islands.c.size), _sum(case((islands.c.island == 0, islands.c.run), else_=0)),
            _sum(case((islands.c.island == islands.c.last, islands.c.run), else_=0)),
            func.max(islands.c.run), func.max(islands.c.island),
        ).group_by(*ikeys))
    columns = ["rubric_version_id", "day", "team_id", "employee_id", "channel", "scored", "head", "tail", "best",
               "misses"]
    return columns, selects[0].union_all(selects[1])


def _summed_rows(source, rubric_version_id: int, keys: list, extra: dict) -> tuple[list[str], Select]:
    values = {"rubric_version_id": _constant(rubric_version_id), **{key.key: key for key in keys},
              **{name: func.sum(getattr(source, name)) for name in MEASURES}, **extra}
    stmt = (select(*values.values()).where(source.rubric_version_id == rubric_version_id).group_by(*keys))
    return list(values), stmt


def _team_rows(rubric_version_id: int) -> tuple[list[str], Select]:
    return _summed_rows(DailyRollup, rubric_version_id, [DailyRollup.day, DailyRollup.week, DailyRollup.team_id,
                                                         DailyRollup.channel], {})


def _agent_rows(rubric_version_id: int) -> tuple[list[str], Select]:
    social = DailyRollup.channel == "social"
    return _summed_rows(
        DailyRollup, rubric_version_id,
        [DailyRollup.day, DailyRollup.week, DailyRollup.team_id, DailyRollup.employee_id],
        {"social_replies": func.sum(case((social, DailyRollup.replies), else_=0)),
         "social_within_target": func.sum(case((social, DailyRollup.within_target), else_=0))})


def _weekly_agent_rows(rubric_version_id: int) -> tuple[list[str], Select]:
    days = DailyAgentRollup
    return _summed_rows(days, rubric_version_id, [days.week, days.team_id, days.employee_id],
                        {"social_replies": func.sum(days.social_replies),
                         "social_within_target": func.sum(days.social_within_target)})


class Runs(NamedTuple):
    """Runs of consecutive high-empathy interactions over a stretch of time (see DailyEmpathyRun)."""

    scored: int
    head: int
    tail: int
    best: int
    misses: int


NO_RUNS = Runs(0, 0, 0, 0, 0)


def join_runs(first: Runs, then: Runs) -> Runs:
    """Return the runs of one stretch followed by the next: the run ending the first carries into the second.

    Associative, with NO_RUNS as identity, so days join into weeks and weeks into periods in any grouping.
    """
    return Runs(first.scored + then.scored,
                first.head if first.misses else first.scored + then.head,
                then.tail if then.misses else first.tail + then.scored,
                max(first.best, then.best, first.tail + then.head),
                first.misses + then.misses)


def _weekly_runs(rubric_version_id: int, days: Iterable) -> list[dict[str, Any]]:
    """Return the weekly empathy runs from daily ones (day, team_id, employee_id, channel, *Runs) in day order."""
    weeks: dict[tuple, Runs] = {}
    for day, team_id, employee_id, channel, *runs in days:
        key = (monday(day), team_id, employee_id, channel)
        weeks[key] = join_runs(weeks.get(key, NO_RUNS), Runs(*runs))
    return [{"rubric_version_id": rubric_version_id, "week": week, "team_id": team_id, "employee_id": employee_id,
             "channel": channel, **runs._asdict()} for (week, team_id, employee_id, channel), runs in weeks.items()]


def monday(day: date) -> date:
    """Return the Monday of the day's week (as Interaction.started_week holds)."""
    return day - timedelta(days=day.weekday())


def _constant(value: int) -> ColumnElement[int]:
    return literal(value, Integer)


# -- reading ------------------------------------------------------------------------------------------


class TeamFiguresOnly(PermissionError):
    """Figures kept per team cannot be narrowed to one agent (agents never see organisation figures)."""


def rollup_for(scope: Scope) -> type[DailyTeamRollup] | type[DailyRollup]:
    """Return the smallest rollup holding every measure per channel for the scope: the per-team one, unless
    the scope is one agent's (whose figures only the per-agent rows hold)."""
    return DailyRollup if not scope.everything and scope.employee_id is not None else DailyTeamRollup


def whole_weeks(period: Period) -> tuple[date, date] | None:
    """Return the Mondays of the first and the last week lying wholly within the period (None when none does)."""
    first = monday(period.start + timedelta(days=6))
    last = monday(period.end + timedelta(days=1)) - timedelta(days=7)
    return (first, last) if first <= last else None


def in_weeks(session: Session, period: Period | None, table, *, columns: Sequence[str] | None = None):
    """Return the table's rows under the active rubric for the period, to select from in the table's stead.

    For a table kept per week too (WEEKLY) and a period holding whole weeks: the weekly rows of those weeks
    (their `day` is the week's Monday) and the table's own rows for the days at the period's edges, as one
    UNION ALL. Sums over the period, or by week, add up as over the daily rows; nothing may group by day.
    Naming the `columns` read (rubric_version_id and day among them, for `rolled`) lets an index that holds
    them all answer alone.
    """
    weeks = None if period is None or table not in WEEKLY else whole_weeks(period)
    if weeks is None:
        return table
    weekly, rubric_id = WEEKLY[table], active_rubric(session).id
    names = columns or [column.key for column in table.__table__.columns]

    def days(first: date, last: date) -> Select:  # each edge a range of its own, so the index reads it alone
        return select(*(getattr(table, name) for name in names)).where(table.rubric_version_id == rubric_id,
                                                                       table.day.between(first, last))

    whole = select(*(weekly.week.label("day") if name == "day" else getattr(weekly, name) for name in names)
                   ).where(weekly.rubric_version_id == rubric_id, weekly.week.between(*weeks))
    rows = union_all(days(period.start, weeks[0] - timedelta(days=1)), whole,
                     days(weeks[1] + timedelta(days=7), period.end))
    return aliased(table, rows.subquery(f"{table.__tablename__}_in_weeks"))


def rolled(session: Session, scope: Scope, period: Period | None, *columns, table=DailyRollup) -> Select:
    """Select from a rollup table under the active rubric, limited to scope and period.

    The per-team tables (team rollups, buckets, CSAT) have no agent column and refuse an agent's scope.
    """
    employee_column = getattr(table, "employee_id", None)
    if employee_column is None and not scope.everything and scope.employee_id is not None:
        raise TeamFiguresOnly(f"{table.__tablename__} holds teams, not agents, and cannot answer for one agent")
    stmt = select(*columns).select_from(table).where(
        table.rubric_version_id == active_rubric(session).id,
        scope.condition(team_column=table.team_id, employee_column=employee_column))
    if period is not None:
        stmt = stmt.where(table.day.between(period.start, period.end))
    return stmt


def mean_of(name: str, table=DailyRollup) -> ColumnElement[float]:
    """Return the mean of a measure over the rows aggregated: the sum of its sums over the sum of its counts."""
    return ratio(getattr(table, f"{name}_sum"), getattr(table, f"{name}_n"))


def ratio(part: Any, whole: Any) -> ColumnElement[float]:
    """Return sum(part) / sum(whole) as a float, NULL when the whole is zero."""
    return cast(func.sum(part), Float) / func.nullif(func.sum(whole), 0)
