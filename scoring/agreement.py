"""Agreement between raters: quadratic-weighted Cohen's kappa, exact agreement, mean difference, alpha.

Scores are 0-100. Kappa, exact agreement and alpha are computed on an ordinal scale of five
equal bands, so that 71 and 74 count as the same judgement:

    band 0: 0-19    band 1: 20-39    band 2: 40-59    band 3: 60-79    band 4: 80-100

Quadratic-weighted kappa of N paired bands (a_i, b_i):

    kappa = 1 - observed / expected
    observed = sum over pairs of (a_i - b_i)^2
    expected = (1/N) * sum over all N^2 pairings of (a_i - b_j)^2
             = sum a^2 + sum b^2 - 2 (sum a)(sum b) / N

This is the textbook formula 1 - sum(w * O) / sum(w * E) with weights w_ij = (i - j)^2 / (k - 1)^2,
observed counts O and chance counts E_ij = row_i * col_j / N: the 1 / (k - 1)^2 cancels, so the
number of categories does not matter. 1 is perfect agreement, 0 chance level, -1 systematic opposition.
It is undefined (None) without pairs, and when both raters give one and the same band every
time: then there is no variation to agree on beyond chance, and exact agreement tells the story.

Krippendorff's alpha (interval metric on the bands) handles any number of raters per unit and
missing ratings: alpha = 1 - D_o / D_e over the units rated at least twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BAND_WIDTH = 20
BAND_LABELS = ("0-19", "20-39", "40-59", "60-79", "80-100")

Pair = tuple[float, float]


def band(score: float) -> int:
    """Return the band (0-4) of a 0-100 score."""
    if not 0 <= score <= 100:
        raise ValueError(f"score: expected 0 to 100, got {score!r}")
    return min(int(score // BAND_WIDTH), len(BAND_LABELS) - 1)


def quadratic_kappa(pairs: Iterable[tuple[int, int]]) -> float | None:
    """Return Cohen's quadratic-weighted kappa of paired ordinal ratings; None when undefined."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum((a - b) ** 2 for a, b in pairs)
    sum_a, sum_b = sum(a for a, _ in pairs), sum(b for _, b in pairs)
    squares = sum(a * a + b * b for a, b in pairs)
    expected = squares - 2 * sum_a * sum_b / n
    if expected == 0:
        return None
    return 1 - observed / expected


def exact_agreement(pairs: Iterable[tuple[int, int]]) -> float | None:
    """Return the share of pairs with the same rating; None without pairs."""
    pairs = list(pairs)
    if not pairs:
        return None
    return sum(a == b for a, b in pairs) / len(pairs)


def mean_difference(pairs: Iterable[Pair]) -> float | None:
    """Return the mean of second - first over the pairs; None without pairs."""
    pairs = list(pairs)
    if not pairs:
        return None
    return sum(b - a for a, b in pairs) / len(pairs)


def krippendorff_alpha(units: Iterable[Sequence[float]]) -> float | None:
    """Return interval Krippendorff's alpha over units (each the ratings one item got); None when undefined."""
    pairable = [list(values) for values in units if len(values) >= 2]
    n = sum(len(values) for values in pairable)
    if n < 2:
        return None
    # For a multiset v of size m, the sum over ordered pairs i != j of (v_i - v_j)^2 is 2 (m sum v^2 - (sum v)^2).
    within = sum(_pair_spread(values) / (len(values) - 1) for values in pairable)
    overall = _pair_spread([v for values in pairable for v in values])
    if overall == 0:
        return None
    return 1 - (n - 1) * within / overall


def _pair_spread(values: Sequence[float]) -> float:
    return 2 * (len(values) * sum(v * v for v in values) - sum(values) ** 2)


@dataclass(frozen=True)
class Agreement:
    """How two sets of 0-100 scores agree: kappa and exact agreement on bands, mean of second - first."""

    pairs: int
    kappa: float | None
    exact: float | None
    mean_difference: float | None


def agreement(pairs: Iterable[Pair]) -> Agreement:
    """Compare paired 0-100 scores (first, second), e.g. (machine, trainer)."""
    pairs = list(pairs)
    bands = [(band(a), band(b)) for a, b in pairs]
    return Agreement(len(pairs), quadratic_kappa(bands), exact_agreement(bands), mean_difference(pairs))
