"""Score interactions in worker processes, for bulk imports and the scoring command line.

Scoring is pure CPU work in Python, so a process per core is what speeds it up. A forked worker uses the
scorers built in this process; one started afresh builds its own once, from the rubrics' text. Interactions
travel to the workers; what comes back is what the caller keeps of each result (`convert`: rows to store, a
JSON line), because pickling whole ScoreResults costs about as much as scoring them. Results come back in
input order. With one worker nothing is started: the interactions are scored in this process.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import pickle
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import fields
from operator import attrgetter
from typing import Any

from scoring.model import Interaction, Outcome, Turn
from scoring.result import ScoreResult
from scoring.rubric import dump_rubric, parse_rubric
from scoring.scorer import Scorer

Convert = Callable[[ScoreResult], Any]  # a module-level function: the workers receive it by name
Results = Callable[[], list[list[Any]]]  # waits; then per scorer, the converted results in input order


class ScoringPool:
    """Score interactions with each of `scorers` in `workers` processes (1: in this process).

    Use it as a context manager: leaving it stops the workers.
    """

    def __init__(self, scorers: Sequence[Scorer], *, workers: int = 1, convert: Convert | None = None):
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers}")
        self.scorers = list(scorers)
        self.workers = workers
        self.convert = convert
        self._pool: ProcessPoolExecutor | None = None
        if workers > 1:
            context = multiprocessing.get_context()
            if context.get_start_method() == "fork":
                # A forked worker starts with this process's memory: the scorers are there, built, for free.
                start, scorers = _keep_scorers, self.scorers
            else:
                start, scorers = _start_worker, [(dump_rubric(s.rubric), dict(s.courtesy_points)) for s in self.scorers]
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=start,
                                             initargs=(scorers, convert))

    def __enter__(self) -> ScoringPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers, dropping work not started yet."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def submit(self, interactions: Sequence[Interaction]) -> Results:
        """Start scoring `interactions`; return a function that waits for the results.

        The workers score while the caller goes on, e.g. writing rows or reading the next lines.
        """
        if self._pool is None:
            return lambda: _scored(self.scorers, self.convert, interactions)
        # A few parts per worker, so that one slow part does not leave the other workers idle.
        size = max(1, -(-len(interactions) // (self.workers * 4)))
        parts: list[Future] = [self._pool.submit(_score, _packed(interactions[n:n + size]))
                               for n in range(0, len(interactions), size)]

        def results() -> list[list[Any]]:
            done = [part.result() for part in parts]
            return [[result for part in done for result in part[k]] for k in range(len(self.scorers))]

        return results


def workers_option(text: str) -> int:
    """Read a --workers value (an argparse type): a whole number of processes, at least 1."""
    try:
        workers = int(text)
    except ValueError:
        workers = 0
    if workers < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return workers


def _scored(scorers: Sequence[Scorer], convert: Convert | None,
            interactions: Sequence[Interaction]) -> list[list[Any]]:
    if convert is None:
        return [[scorer.score(i) for i in interactions] for scorer in scorers]
    return [[convert(scorer.score(i)) for i in interactions] for scorer in scorers]


# In a worker process: set once by _start_worker.
_worker_scorers: list[Scorer] = []
_worker_convert: Convert | None = None


def _start_worker(rubrics: Sequence[tuple[str, Mapping[str, float]]], convert: Convert | None) -> None:
    global _worker_scorers, _worker_convert
    _worker_scorers = [Scorer(parse_rubric(text, source="rubric sent to the worker"), courtesy_points=points)
                       for text, points in rubrics]
    _worker_convert = convert


def _keep_scorers(scorers: Sequence[Scorer], convert: Convert | None) -> None:
    global _worker_scorers, _worker_convert
    _worker_scorers, _worker_convert = list(scorers), convert


def _score(packed: bytes) -> list[list[Any]]:
    return _scored(_worker_scorers, _worker_convert, pickle.loads(packed))


def _by_fields(cls: type) -> Callable[[Any], tuple]:
    values = attrgetter(*(f.name for f in fields(cls)))
    return lambda obj: (cls, values(obj))


# Interactions travel to the workers as their classes and field values: the frozen dataclasses' own pickling
# (a __getstate__ and a __setstate__ in Python for every turn) took twice as long to write and to read.
_BY_FIELDS = {cls: _by_fields(cls) for cls in (Interaction, Turn, Outcome)}


def _packed(interactions: Sequence[Interaction]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _BY_FIELDS
    pickler.dump(interactions)
    return buffer.getvalue()
