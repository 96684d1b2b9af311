"""Learn the courtesy points of the politeness strategies from rated requests.

`python -m scoring train-courtesy --data DIR` reads the politeness files of DIR (CSV with `text` and
a numeric `score`, as `evaluate` reads them), keeps their "tune" half (scoring.evaluate.half_of) and
labels its top quartile polite and its bottom quartile impolite, as the evaluation does. Each request
is scored as one agent turn with every learned point at 0, so the features are exactly the
strategies the scorer reports as courtesy evidence; the hand-set service points count as a fixed
offset. An L2-regularised logistic regression without intercept (no strategy found reads neutral)
is fitted by Newton's method in pure Python, and each weight times POINTS_PER_LOGIT, rounded to 0.1,
is written as that strategy's points (scoring/courtesy_points.toml by default). Courtesy minus 50 is
then POINTS_PER_LOGIT times the log-odds that the request reads polite. The same data and options
give the same file byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scoring import politeness
from scoring.evaluate import HALVES, EvaluationError, LabelledFile, evaluate, quartile_bounds
from scoring.rubric import Rubric
from scoring.scorer import Scorer

POINTS_PER_LOGIT = 20.0
L2 = 3.0  # the penalty on the squared weights; keeps rare strategies near 0
_MAX_STEPS = 50
_CONVERGED = 1e-10


@dataclass(frozen=True)
class Training:
    """The learned points and what they were learned from."""

    points: dict[str, float]
    files: list[str]
    rows: int  # rated requests in the tune half
    examples: int  # of them in the top or bottom quartile
    l2: float


def train(files: Sequence[LabelledFile], rubric: Rubric, l2: float = L2) -> Training:
    """Fit the learned strategies' points on the tune half of the politeness files."""
    rated = [f for f in files if f.kind == "politeness"]
    rows = [row for f in rated for row in f.rows if row.half == "tune"]
    if len(rows) < 8:
        raise EvaluationError(f"fewer than 8 rated requests in the tune half of the politeness files "
                              f"({len(rows)}; a politeness file is a CSV with 'text' and a numeric 'score')")
    scorer = Scorer(rubric, courtesy_points={})
    index = {name: i for i, name in enumerate(politeness.LEARNED)}
    low, high = quartile_bounds([row.labels["politeness"] for row in rows])
    examples: list[tuple[list[int], float, float]] = []
    for row in rows:
        score = row.labels["politeness"]
        if low < score < high:
            continue
        evidence = scorer.score(row.interaction).courtesy_evidence
        active = sorted(index[e.cue] for e in evidence if e.cue in index)
        offset = sum(e.effect for e in evidence) / POINTS_PER_LOGIT  # only the fixed points are nonzero
        examples.append((active, offset, 1.0 if score >= high else 0.0))
    weights = fit_logistic(examples, len(index), l2)
    points = {name: round(weights[i] * POINTS_PER_LOGIT, 1) + 0.0 for name, i in index.items()}  # no -0.0
    return Training(points, [f.path.name for f in rated], len(rows), len(examples), l2)


def fit_logistic(examples: Sequence[tuple[Sequence[int], float, float]], size: int, l2: float) -> list[float]:
    """Return the weights minimizing log-loss + l2/2 * |w|^2 for binary features.

    Each example is (indices of its features that are 1, a fixed offset added to its log-odds, label 0/1).
    """
    weights = [0.0] * size
    for _ in range(_MAX_STEPS):
        gradient = [l2 * w for w in weights]
        hessian = [[l2 if i == j else 0.0 for j in range(size)] for i in range(size)]
        for active, offset, label in examples:
            p = _sigmoid(offset + sum(weights[j] for j in active))
            curvature = p * (1.0 - p)
            for j in active:
                gradient[j] += p - label
                row = hessian[j]
                for k in active:
                    row[k] += curvature
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step)]
        if max(map(abs, step), default=0.0) < _CONVERGED:
            break
    return weights


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve matrix @ x = vector by Gaussian elimination with partial pivoting (the matrix is overwritten)."""
    n = len(vector)
    rows = [matrix[i] + [vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col]
        for r in range(col + 1, n):
            factor = rows[r][col] / head[col]
            if factor:
                rows[r] = [a - factor * b for a, b in zip(rows[r], head)]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (rows[i][n] - sum(rows[i][j] * x[j] for j in range(i + 1, n))) / rows[i][i]
    return x


def points_toml(training: Training, source: str | None) -> str:
    """Return the points file: a header saying how it was made, then the [points] table."""
    files = ", ".join(training.files)
    lines = [
        "# Courtesy points per politeness strategy (scoring/politeness.py), learned by",
        "# `python -m scoring train-courtesy` (scoring/courtesy_training.py): an L2-regularised logistic",
        f"# regression (l2 = {training.l2:g}) on the top and bottom quartiles ({training.examples} requests)",
        f"# of the tune half ({training.rows}) of {files}; {POINTS_PER_LOGIT:g} points per unit of log-odds.",
        f"# Data: {source or files + ' (no source given)'}",
        "# Courtesy signals are stamped with the rubric version: bump it when these points change.",
        "",
        "[points]",
    ]
    lines += [f"{name} = {value!r}" for name, value in training.points.items()]
    return "\n".join(lines) + "\n"


def write_points(training: Training, out: Path, source: str | None) -> None:
    """Write the points file for `training` to `out`."""
    out.write_text(points_toml(training, source), encoding="utf-8")
    politeness.learned_points.cache_clear()


def report(training: Training, files: Sequence[LabelledFile], rubric: Rubric) -> str:
    """Return the learned points and their courtesy figures per half, one line each."""
    scorer = Scorer(rubric, courtesy_points=training.points)
    table = evaluate([f for f in files if f.kind == "politeness"], scorer)
    lines = [f"{name:22s} {value:+6.1f}" for name, value in training.points.items()]
    lines.append(f"trained on {training.examples} of {training.rows} tune-half requests "
                 f"(top and bottom quartile), l2 = {training.l2:g}")
    for row in table:
        figures = "  ".join(f"{half} {'n/a' if row[half] is None else format(row[half], '.3f')}"
                            for half in HALVES)
        lines.append(f"{row['measure']}: {figures}")
    return "\n".join(lines) + "\n"
