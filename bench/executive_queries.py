"""Time the executive queries on a large organisation; print a table, assert nothing.

    .venv/bin/python bench/executive_queries.py [--demo N] [--copies K] [--database-url URL] [--repeat R]

On an empty database (a temporary SQLite file unless --database-url names an empty one), load the demo
organisation with N scored interactions and hold it K times over in SQL (bench/workspace_queries.py's
`multiply`), so N * K interactions sit in the same twelve months. Each query runs R times for the demo
executive (everything) and the demo trainer (two teams) and the median is printed, the way the pages call
them: the leaderboard, organisation page and impact figures over the default 180 days and over 90 days, and the
whole board pack (every query plus the workbook) over 180 days.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench.workspace_queries import multiply, timed  # noqa: E402
from store import board_pack, leaderboard, organisation  # noqa: E402
from store.db import create_schema, make_engine, make_session_factory  # noqa: E402
from store.demo import load_demo  # noqa: E402
from store.models import Interaction  # noqa: E402
from store.permissions import scope_for  # noqa: E402
from store.queries import Period  # noqa: E402
from store.users import sign_in  # noqa: E402

END = date(2026, 11, 20)
PERIODS = {"180 days": Period(END - timedelta(days=179), END), "90 days": Period(END - timedelta(days=89), END)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=int, default=20_000, help="demo interactions to generate and score")
    parser.add_argument("--copies", type=int, default=50, help="how many times over to hold them")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        create_schema(engine)
        started = time.perf_counter()
        with make_session_factory(engine).begin() as session:
            load_demo(session, today=END, interactions=args.demo)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        multiply(engine, args.copies)
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(Interaction))
        print(f"{engine.dialect.name}: {args.demo:,} demo interactions loaded in {loaded:.0f} s, held "
              f"{args.copies}x = {total:,} in {time.perf_counter() - started:.0f} s\n")
        factory = make_session_factory(engine)
        with factory.begin() as session:
            scopes = {name: scope_for(sign_in(session, username=name, password="demo").user)
                      for name in ("exec", "trainer")}
            assumptions = organisation.impact_assumptions(session)
        rows = []
        for label, period in PERIODS.items():
            for name, call in (
                ("leaderboard", lambda s, scope: leaderboard.leaderboard(s, scope=scope, period=period)),
                ("quality by week", lambda s, scope: organisation.weekly_quality(s, scope=scope, period=period)),
                ("channels by week", lambda s, scope: organisation.weekly_by_channel(s, scope=scope, period=period)),
                ("compliance", lambda s, scope: organisation.channel_compliance(s, scope=scope, period=period)),
                ("teams", lambda s, scope: organisation.team_comparison(s, scope=scope, period=period)),
                ("CSAT against score", lambda s, scope: organisation.csat_against_score(s, scope=scope,
                                                                                       period=period)),
                ("impact counts", lambda s, scope: organisation.impact_counts(s, scope=scope, period=period,
                                                                              assumptions=assumptions)),
            ):
                rows.append((f"{name}, {label}", *(timed(factory, args.repeat, lambda s, c=call, sc=scope: c(s, sc))
                                                   for scope in scopes.values())))

        def whole_pack(session) -> bytes:
            pack = board_pack.gather_board_pack(session, scope=scopes["exec"], period=PERIODS["180 days"],
                                                generated_at=datetime.now(timezone.utc))
            return board_pack.build_workbook(pack)

        rows.append(("board pack + workbook, 180 days", timed(factory, args.repeat, whole_pack), None))
        engine.dispose()
    width = max(len(name) for name, *_ in rows)
    print(f"{'query':<{width}}  {'executive':>9}  {'trainer':>9}")
    for name, *timings in rows:
        print(f"{name:<{width}}  " + "  ".join(f"{t:>7.1f}ms" if t is not None else f"{'—':>9}" for t in timings))


if __name__ == "__main__":
    main()
