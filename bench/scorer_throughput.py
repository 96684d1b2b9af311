"""Measure scorer throughput against VADER on the same turns; print a table, assert nothing.

    .venv/bin/python bench/scorer_throughput.py [--quick] [--interactions N] [--data DIR]

Rapport: `Scorer.score(interaction)` for each interaction. VADER (vaderSentiment, installed for
comparison only): `SentimentIntensityAnalyzer().polarity_scores(text)` on every turn of the same
interactions. Both run in this one process, best CPU time of --repeat interleaved passes after a
warm-up. Sets: the demo generator's interactions, its chat interactions alone (short turns), and
with --data the rated dialogues (STC3 JSONL) of that folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring import native  # noqa: E402
from scoring.evaluate import read_jsonl  # noqa: E402
from scoring.model import Interaction, interaction_from_dict  # noqa: E402
from scoring.rubric import load_rubric  # noqa: E402
from scoring.scorer import Scorer  # noqa: E402
from seed_data.demo import generate_demo  # noqa: E402


def _timed(run: Callable[[], object]) -> float:
    """Return the CPU seconds of one run (steadier than wall time on a shared machine)."""
    start = time.process_time()
    run()
    return time.process_time() - start


def best_rates(runs: Sequence[Callable[[], object]], count: int, repeat: int) -> list[float]:
    """Return each run's best items per second over `repeat` interleaved passes, after a warm-up.

    Passes alternate between the runs so that a busy machine slows them alike.
    """
    for run in runs:
        run()
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for n, run in enumerate(runs):
            best[n] = min(best[n], _timed(run))
    return [count / seconds if seconds else float("inf") for seconds in best]


def measure(name: str, interactions: Sequence[Interaction], scorer: Scorer, vader, repeat: int) -> list[str]:
    """Return one table row: the set, its shape, Rapport's and VADER's interactions/s and µs per interaction,
    and their ratio."""
    texts = [turn.text for interaction in interactions for turn in interaction.turns]
    words = sum(len(text.split()) for text in texts)
    runs: list[Callable[[], object]] = [lambda: [scorer.score(i) for i in interactions]]
    if vader is not None:
        polarity = vader.polarity_scores
        runs.append(lambda: [[polarity(turn.text) for turn in i.turns] for i in interactions])
    rates = best_rates(runs, len(interactions), repeat)
    row = [name, str(len(interactions)), f"{len(texts) / len(interactions):.1f}", f"{words / len(texts):.1f}",
           f"{rates[0]:,.0f}", f"{1e6 / rates[0]:,.0f}"]
    if vader is None:
        return row + ["n/a", "n/a", "n/a"]
    return row + [f"{rates[1]:,.0f}", f"{1e6 / rates[1]:,.0f}", f"{rates[0] / rates[1]:.2f}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run (CI)")
    parser.add_argument("--interactions", type=int, default=2000, help="demo interactions (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per measure (default 5)")
    parser.add_argument("--data", metavar="DIR", help="folder with STC3-style JSONL dialogues")
    args = parser.parse_args(argv)
    count, repeat = (200, 1) if args.quick else (args.interactions, args.repeat)
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        vader = SentimentIntensityAnalyzer()
    except ImportError:
        vader = None
        print("vaderSentiment is not installed: VADER columns are n/a", file=sys.stderr)
    scorer = Scorer(load_rubric())
    demo = [r if isinstance(r, Interaction) else interaction_from_dict(r)
            for r in generate_demo(interactions=count).interactions]
    sets = [("demo, all channels", demo), ("demo, chat only", [i for i in demo if i.channel == "chat"])]
    if args.data:
        files = sorted(Path(args.data).glob("*.jsonl"))
        dialogues = [row.interaction for path in files for row in read_jsonl(path).rows]
        sets.append(("STC3 dialogues (--data)", dialogues[:count] if args.quick else dialogues))
    headers = ("set", "interactions", "turns/int", "words/turn", "Rapport int/s", "Rapport µs/int", "VADER int/s",
               "VADER µs/int", "ratio")
    print(f"scorer: {'compiled (python -m scoring compile)' if native.compiled() else 'plain Python'}")
    rows = [measure(name, items, scorer, vader, repeat) for name, items in sets if items]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
