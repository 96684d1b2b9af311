"""Agreement statistics against hand-computed and published examples, and their edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.agreement import (
    Agreement,
    agreement,
    band,
    exact_agreement,
    krippendorff_alpha,
    mean_difference,
    quadratic_kappa,
)


def pairs_from_matrix(matrix: list[list[int]]) -> list[tuple[int, int]]:
    """Expand a contingency table (rows: first rater, columns: second rater) into rating pairs."""
    return [(i, j) for i, row in enumerate(matrix) for j, count in enumerate(row) for _ in range(count)]


def test_quadratic_kappa_of_a_three_category_table_computed_by_hand():
    # Rows: first rater, columns: second rater, N = 30.
    #        0   1   2   | row
    #   0   10   2   0   | 12
    #   1    3   8   2   | 13
    #   2    0   1   4   |  5
    #  col  13  11   6
    # Weights (i - j)^2 / (k - 1)^2 = (i - j)^2 / 4: 0.25 one category apart, 1 two apart.
    # Observed weighted disagreement: 0.25 * (2 + 3 + 2 + 1) + 1 * (0 + 0) = 2.0
    # Chance counts E_ij = row_i * col_j / 30; weighted:
    #   (0,1) 12*11*0.25 = 33     (0,2) 12*6*1 = 72      (1,0) 13*13*0.25 = 42.25
    #   (1,2) 13*6*0.25 = 19.5    (2,0) 5*13*1 = 65      (2,1) 5*11*0.25 = 13.75
    #   sum = 245.5, divided by N: 8.18333
    # kappa = 1 - 2.0 / 8.18333 = 1 - 60 / 245.5 = 0.755601
    pairs = pairs_from_matrix([[10, 2, 0], [3, 8, 2], [0, 1, 4]])
    assert quadratic_kappa(pairs) == pytest.approx(0.755601, abs=1e-6)
    assert exact_agreement(pairs) == pytest.approx(22 / 30)


def test_with_two_categories_quadratic_kappa_is_cohens_textbook_kappa():
    # The classic 50-item example (Yes/Yes 20, Yes/No 5, No/Yes 10, No/No 15): p_o = 0.7, p_e = 0.5, kappa = 0.4.
    # With two categories every disagreement weighs 1, so the weighted kappa equals the unweighted one.
    pairs = pairs_from_matrix([[15, 10], [5, 20]])
    assert quadratic_kappa(pairs) == pytest.approx(0.4)


def test_kappa_is_one_for_perfect_agreement_and_minus_one_for_systematic_opposition():
    assert quadratic_kappa([(0, 0), (2, 2), (4, 4), (1, 1)]) == 1
    assert quadratic_kappa([(0, 4), (4, 0)]) == -1


def test_kappa_is_undefined_without_pairs_or_without_variation():
    assert quadratic_kappa([]) is None
    # Both raters always say band 3: they agree, but there is nothing to agree on beyond chance.
    assert quadratic_kappa([(3, 3)] * 5) is None
    # One rater always says 3 and the other always 4: no better than chance, so 0.
    assert quadratic_kappa([(3, 4)] * 5) == 0


def _matrix_kappa(pairs: list[tuple[int, int]], k: int = 5) -> float:
    """The textbook formula over a k x k table: 1 - sum(w O) / sum(w E)."""
    n = len(pairs)
    observed = [[0] * k for _ in range(k)]
    for a, b in pairs:
        observed[a][b] += 1
    rows = [sum(observed[i]) for i in range(k)]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weight = [[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(k) for j in range(k))
    chance = sum(weight[i][j] * rows[i] * cols[j] / n for i in range(k) for j in range(k))
    return 1 - disagreement / chance


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=60))
def test_closed_form_kappa_equals_the_contingency_table_formula(pairs):
    kappa = quadratic_kappa(pairs)
    if kappa is None:
        assert len({a for a, _ in pairs} | {b for _, b in pairs}) == 1
    else:
        assert kappa == pytest.approx(_matrix_kappa(pairs))


def test_krippendorffs_alpha_matches_his_published_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units, values 1-5,
    # blanks missing. Published interval alpha: 0.849. Unit 12 has one value and is not pairable.
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[v for v in unit if v is not None] for unit in zip(*observers)]
    assert krippendorff_alpha(units) == pytest.approx(0.849, abs=5e-4)


def test_alpha_is_undefined_without_pairable_units_or_variation():
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[3], [4]]) is None
    assert krippendorff_alpha([[2, 2], [2, 2, 2]]) is None
    assert krippendorff_alpha([[1, 1], [3, 3]]) == 1


@pytest.mark.parametrize(("score", "expected"), [
    (0, 0), (19.9, 0), (20, 1), (39.99, 1), (40, 2), (59.9, 2), (60, 3), (79.9, 3), (80, 4), (100, 4),
])
def test_scores_fall_into_five_bands_of_twenty_points(score, expected):
    assert band(score) == expected


@pytest.mark.parametrize("score", [-0.1, 100.1, float("nan")])
def test_a_score_outside_0_to_100_has_no_band(score):
    with pytest.raises(ValueError, match="score"):
        band(score)


def test_mean_difference_is_second_minus_first():
    assert mean_difference([(50, 70), (80, 60), (10, 40)]) == pytest.approx((20 - 20 + 30) / 3)
    assert mean_difference([]) is None
    assert exact_agreement([]) is None


def test_agreement_bands_the_scores_before_comparing_them():
    # (machine, trainer): 71 and 74 share band 3; 45 vs 62 are one band apart; 10 vs 90 four apart.
    result = agreement([(71, 74), (45, 62), (10, 90), (85, 95)])
    assert result.pairs == 4
    assert result.exact == 0.5
    assert result.mean_difference == pytest.approx((3 + 17 + 80 + 10) / 4)
    assert result.kappa == pytest.approx(quadratic_kappa([(3, 3), (2, 3), (0, 4), (4, 4)]))
    assert agreement([]) == Agreement(0, None, None, None)
