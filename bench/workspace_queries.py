"""Time the trainer-workspace queries on a large organisation; print a table, assert nothing.

    .venv/bin/python bench/workspace_queries.py [--demo N] [--copies K] [--database-url URL] [--repeat R]
                                                [--existing]

On an empty database (a temporary SQLite file unless --database-url names an empty one), load the demo
organisation with N scored interactions, then copy every interaction and its score K - 1 times in SQL
(same agents, teams, channels and times; new ids), so N * K interactions sit in the same twelve months.
Each query runs R times per role (admin sees everything, the demo trainer two teams, the demo agent
themself) and the median is printed, the way the pages call them: the queue over 28 days, profiles and
team trends over 90 days. --existing times the queries on a database this script filled before, e.g. to
compare indexes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, select, text  # noqa: E402

from store import profiles, queries, review  # noqa: E402
from store.db import create_schema, make_engine, make_session_factory  # noqa: E402
from store.demo import load_demo  # noqa: E402
from store.models import Customer, Interaction, Score  # noqa: E402
from store.permissions import scope_for  # noqa: E402
from store.users import sign_in  # noqa: E402

END = date(2026, 11, 20)
QUEUE_PERIOD = queries.Period(END - timedelta(days=27), END)
PROFILE_PERIOD = queries.Period(END - timedelta(days=89), END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=int, default=20_000, help="demo interactions to generate and score")
    parser.add_argument("--copies", type=int, default=50, help="how many times over to hold them")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--existing", action="store_true", help="time the queries on an already filled database")
    args = parser.parse_args()
    if args.existing and not args.database_url:
        parser.error("--existing needs --database-url")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        create_schema(engine)
        if not args.existing:
            started = time.perf_counter()
            with make_session_factory(engine).begin() as session:
                load_demo(session, today=END, interactions=args.demo)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            multiply(engine, args.copies)
            print(f"{args.demo:,} demo interactions loaded in {loaded:.0f} s, held {args.copies}x in "
                  f"{time.perf_counter() - started:.0f} s")
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(Interaction))
        print(f"{engine.dialect.name}: {total:,} interactions\n")
        rows = run(engine, args.repeat)
        engine.dispose()
    width = max(len(name) for name, *_ in rows)
    print(f"{'query':<{width}}  {'admin':>9}  {'trainer':>9}  {'agent':>9}")
    for name, *timings in rows:
        print(f"{name:<{width}}  " + "  ".join(f"{t:>7.1f}ms" if t is not None else f"{'—':>9}" for t in timings))


def multiply(engine: Engine, copies: int) -> None:
    """Copy every interaction and its scores copies - 1 times with offset ids; review one in a hundred."""
    with engine.begin() as connection:
        step_i = connection.scalar(select(func.max(Interaction.id)))
        step_s = connection.scalar(select(func.max(Score.id)))
        interaction_columns = [c.name for c in Interaction.__table__.columns]
        score_columns = [c.name for c in Score.__table__.columns]
        for k in range(1, copies):
            shifted_i = ", ".join(
                f"id + {k * step_i}" if c == "id" else f"external_id || '-c{k}'" if c == "external_id" else c
                for c in interaction_columns)
            connection.execute(text(f"INSERT INTO interactions ({', '.join(interaction_columns)}) "
                                    f"SELECT {shifted_i} FROM interactions WHERE id <= {step_i}"))
            shifted_s = ", ".join(f"id + {k * step_s}" if c == "id" else
                                  f"interaction_id + {k * step_i}" if c == "interaction_id" else c
                                  for c in score_columns)
            connection.execute(text(f"INSERT INTO scores ({', '.join(score_columns)}) "
                                    f"SELECT {shifted_s} FROM scores WHERE id <= {step_s}"))
        # One interaction in a hundred reviewed, so the review lookups have something to find.
        reviewer = connection.scalar(text("SELECT id FROM users WHERE username = 'admin'"))
        connection.execute(text(
            "INSERT INTO reviews (interaction_id, reviewer_id, criterion, automatic_score, human_score, comment, "
            f"created_at) SELECT interaction_id, {reviewer}, 'listen', listen, listen, 'bench', scored_at "
            "FROM scores WHERE interaction_id % 100 = 0"))
        connection.execute(text("UPDATE interactions SET review_version = 1 WHERE id % 100 = 0"))
        if engine.dialect.name == "postgresql":
            for table in ("interactions", "scores"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
        connection.execute(text("ANALYZE"))


def timed(factory, repeat: int, call: Callable) -> float:
    """Return the median milliseconds of `call(session)`, each run in its own session as a page would."""
    spent = []
    for _ in range(repeat):
        with factory() as session:
            started = time.perf_counter()
            call(session)
            spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


def run(engine: Engine, repeat: int) -> list[tuple]:
    factory = make_session_factory(engine)
    with factory.begin() as session:
        users = {name: sign_in(session, username=name, password="demo").user
                 for name in ("admin", "trainer", "newhire")}
    agent = users["newhire"].employee_id
    with factory() as session:
        trainer_scope = scope_for(users["trainer"])
        busiest = session.scalar(select(Interaction.employee_id).where(trainer_scope.condition(
            team_column=Interaction.team_id, employee_column=Interaction.employee_id))
            .group_by(Interaction.employee_id).order_by(func.count().desc()).limit(1))
        one = session.scalar(select(Interaction.id).where(Interaction.employee_id == agent).limit(1))
        customer_id, customer_key = session.execute(
            select(Customer.id, Customer.external_id).join(Interaction, Interaction.customer_id == Customer.id)
            .where(Interaction.employee_id == agent).limit(1)).one()
    lowest, fair, critical = (review.Sampling(mode=mode) for mode in ("lowest", "fair", "critical"))
    recent = review.QueueFilters(period=QUEUE_PERIOD)
    below = review.QueueFilters(period=QUEUE_PERIOD, criterion="fix", below=50, unreviewed_only=True)

    def person(scope_user: str) -> int:
        return agent if scope_user == "newhire" else busiest

    checks: list[tuple[str, Callable[[str], Callable | None]]] = [
        ("queue: lowest, 28 days", lambda u: lambda s: review.review_queue(
            s, scope=scope_for(users[u]), filters=recent, sampling=lowest)),
        ("queue: fair sample, 28 days", lambda u: lambda s: review.review_queue(
            s, scope=scope_for(users[u]), filters=recent, sampling=fair)),
        ("queue: critical, 28 days", lambda u: lambda s: review.review_queue(
            s, scope=scope_for(users[u]), filters=recent, sampling=critical)),
        ("queue: fix < 50, unreviewed", lambda u: lambda s: review.review_queue(
            s, scope=scope_for(users[u]), filters=below, sampling=lowest)),
        ("interaction detail", lambda u: lambda s: review.interaction_detail(
            s, scope=scope_for(users[u]), interaction_id=one)),
        ("profile: summary, 90 days", lambda u: lambda s: profiles.agent_summary(
            s, scope=scope_for(users[u]), employee_id=person(u), period=PROFILE_PERIOD)),
        ("profile: weekly vs team, 90 days", lambda u: lambda s: profiles.weekly_criteria_against_team(
            s, scope=scope_for(users[u]), employee_id=person(u), period=PROFILE_PERIOD)),
        ("profile: strengths, 90 days", lambda u: lambda s: profiles.criteria_against_team(
            s, scope=scope_for(users[u]), employee_id=person(u), period=PROFILE_PERIOD)),
        ("profile: histogram, 90 days", lambda u: lambda s: profiles.score_distribution(
            s, scope=scope_for(users[u]), employee_id=person(u), period=PROFILE_PERIOD)),
        ("profile: response times, 90 days", lambda u: lambda s: profiles.response_compliance(
            s, scope=scope_for(users[u]), period=PROFILE_PERIOD, employee_id=person(u))),
        ("profile: recent interactions", lambda u: lambda s: profiles.recent_interactions(
            s, scope=scope_for(users[u]), employee_id=person(u))),
        ("profile: reviews", lambda u: lambda s: profiles.agent_reviews(
            s, scope=scope_for(users[u]), employee_id=person(u))),
        ("trends: heatmap, 90 days", lambda u: None if u == "newhire" else lambda s: profiles.criterion_heatmap(
            s, scope=scope_for(users[u]), period=PROFILE_PERIOD)),
        ("trends: by criterion, 90 days", lambda u: None if u == "newhire" else
         lambda s: queries.weekly_quality_by_criterion(s, scope=scope_for(users[u]), period=PROFILE_PERIOD)),
        ("trends: channel mix, 90 days", lambda u: None if u == "newhire" else lambda s: profiles.weekly_channel_mix(
            s, scope=scope_for(users[u]), period=PROFILE_PERIOD)),
        ("trends: transfers, 90 days", lambda u: None if u == "newhire" else lambda s: profiles.weekly_transfer_rate(
            s, scope=scope_for(users[u]), period=PROFILE_PERIOD)),
        ("trends: response times, 90 days", lambda u: None if u == "newhire" else
         lambda s: profiles.response_compliance(s, scope=scope_for(users[u]), period=PROFILE_PERIOD)),
        ("customers: search by name", lambda u: None if u == "newhire" else lambda s: profiles.find_customers(
            s, scope=scope_for(users[u]), text="ma")),
        ("customers: search by id", lambda u: None if u == "newhire" else lambda s: profiles.find_customers(
            s, scope=scope_for(users[u]), text=customer_key)),
        ("customers: history", lambda u: None if u == "newhire" else lambda s: profiles.customer_history(
            s, scope=scope_for(users[u]), customer_id=customer_id)),
    ]
    rows = []
    for name, make in checks:
        calls = [make(u) for u in ("admin", "trainer", "newhire")]
        rows.append((name, *(None if call is None else timed(factory, repeat, call) for call in calls)))
    return rows


if __name__ == "__main__":
    main()
