"""Measure the trainer tools on a demo organisation; print a table, assert nothing.

    .venv/bin/python bench/trainer_tools.py [--interactions N] [--database-url URL]

On a fresh database (a temporary SQLite file unless --database-url names an empty one) with the
demo organisation: rescoring every interaction under a new rubric version in committed slices,
then activating it (total, and the longest slice: how long other writers may wait); previewing
an edit on 200 interactions; the CSV of every interaction (time, size, peak Python memory); the
workbook of the largest team over 26 weeks; machine-vs-trainer agreement over synthetic reviews;
drawing a calibration round.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from scoring.result import CRITERIA  # noqa: E402
from store import calibration, exports, rubric_editing  # noqa: E402
from store.db import create_schema, make_engine, make_session_factory  # noqa: E402
from store.demo import load_demo  # noqa: E402
from store.models import Interaction, Review, Score  # noqa: E402
from store.permissions import Scope  # noqa: E402
from store.queries import Period  # noqa: E402
from store.rubrics import active_rubric  # noqa: E402
from store.users import sign_in  # noqa: E402

END = date(2026, 11, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=22_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        create_schema(engine)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        with factory.begin() as session:
            load_demo(session, today=END, interactions=args.interactions)
        print(f"{engine.dialect.name}, {args.interactions:,} demo interactions loaded in "
              f"{time.perf_counter() - started:.1f} s\n")
        rows = run(factory)
        engine.dispose()
    width = max(len(name) for name, _ in rows)
    for name, result in rows:
        print(f"{name:<{width}}  {result}")


def run(factory) -> list[tuple[str, str]]:
    rows = []
    with factory.begin() as session:
        admin = sign_in(session, username="admin", password="demo").user
        trainer = sign_in(session, username="trainer", password="demo").user
        base = active_rubric(session)
        edited = rubric_editing.edited_rubric(base.rubric, version=base.version + "-bench", weights={"fix": 2.0},
                                              response_targets={}, phrases={})

    with factory() as session:
        started = time.perf_counter()
        preview = rubric_editing.preview_rubric(session, scope=Scope(everything=True), edited=edited)
        rows.append(("preview an edit", f"{preview.sample} interactions in {time.perf_counter() - started:.2f} s"))

    with factory.begin() as session:
        pending = rubric_editing.save_version(session, rubric=edited, by=admin)
    marks = [time.perf_counter()]
    rubric_editing.rescore_then_activate(factory, version_id=pending.id, by=admin,
                                         progress=lambda done: marks.append(time.perf_counter()))
    marks.append(time.perf_counter())
    total = marks[-1] - marks[0]
    slices = [b - a for a, b in zip(marks, marks[1:])]
    rows.append(("rescore and activate", f"{pending.total:,} in {total:.1f} s ({pending.total / total:,.0f}/s); "
                                         f"longest slice of {rubric_editing.RESCORE_SLICE:,}: {max(slices):.2f} s"))

    with factory() as session:
        tracemalloc.start()
        started = time.perf_counter()
        size = sum(len(chunk) for chunk in exports.interactions_csv(session, scope=Scope(everything=True)))
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        count = session.scalar(select(func.count()).select_from(Interaction))
        rows.append(("CSV of every interaction", f"{count:,} rows, {size / 1e6:.1f} MB in {seconds:.2f} s, "
                                                 f"peak Python memory {peak / 1e6:.1f} MB"))

        team_id = session.execute(select(Interaction.team_id, func.count()).group_by(Interaction.team_id)
                                  .order_by(func.count().desc())).first()[0]
        period = Period(END - timedelta(weeks=26) + timedelta(days=1), END)
        started = time.perf_counter()
        report = exports.team_report(session, scope=Scope(everything=True), team_id=team_id, period=period)
        data = exports.workbook_bytes(report)
        rows.append(("workbook of the largest team, 26 weeks",
                     f"{len(report.interactions):,} interactions, {len(data) / 1e6:.1f} MB in "
                     f"{time.perf_counter() - started:.2f} s"))

    with factory.begin() as session:
        rubric_id = active_rubric(session).id
        scored = session.execute(select(Score.id, Score.interaction_id, *(getattr(Score, c) for c in CRITERIA))
                                 .where(Score.rubric_version_id == rubric_id).limit(5000)).all()
        rng = random.Random(1)
        reviews = []
        for score_id, interaction_id, *values in scored:
            criterion, machine = rng.choice([(c, v) for c, v in zip(CRITERIA, values) if v is not None])
            reviews.append({"interaction_id": interaction_id, "score_id": score_id, "reviewer_id": trainer.id,
                            "criterion": criterion, "automatic_score": machine, "comment": "bench",
                            "human_score": min(100.0, max(0.0, machine + rng.gauss(0, 10)))})
        session.execute(insert(Review), reviews)
    with factory() as session:
        started = time.perf_counter()
        calibration.machine_agreement(session, scope=Scope(everything=True))
        calibration.largest_disagreements(session, scope=Scope(everything=True))
        rows.append(("machine vs trainers", f"{len(reviews):,} reviews in {time.perf_counter() - started:.2f} s"))
    with factory.begin() as session:
        started = time.perf_counter()
        calibration.create_round(session, name="bench", size=50, by=trainer)
        rows.append(("draw a round of 50 (trainer's scope)", f"{time.perf_counter() - started:.2f} s"))
    return rows


if __name__ == "__main__":
    main()
