"""ROC AUC and the ROC curve on scores with known answers."""

import math

import numpy as np
import pytest
from helpers import raises_message

from aigc_course.metrics import roc


def test_separable_scores_give_auc_one_and_reversed_give_zero():
    rng = np.random.default_rng(0)
    neg, pos = rng.uniform(0, 1, 300), rng.uniform(2, 3, 200)
    assert roc.roc_auc(pos, neg) == 1.0
    assert roc.roc_auc(neg, pos) == 0.0


def test_inseparable_scores_give_auc_near_one_half_within_the_chance_spread():
    n_pos, n_neg = 2000, 3000
    rng = np.random.default_rng(1)
    pos, neg = rng.normal(size=n_pos), rng.normal(size=n_neg)
    spread = roc.chance_auc_std(n_pos, n_neg)
    assert spread == pytest.approx(math.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg)))
    assert abs(roc.roc_auc(pos, neg) - 0.5) < 4 * spread


def test_auc_counts_pairs_and_ties_half():
    # pairs (pos > neg): 3 > 1, 3 > 2, 2 > 1; the pair (2, 2) is a tie -> (3 + 0.5) / 4
    assert roc.roc_auc([3.0, 2.0], [1.0, 2.0]) == pytest.approx(3.5 / 4)
    assert roc.roc_auc([5.0, 5.0], [5.0]) == 0.5


def test_auc_of_gaussians_matches_the_closed_form():
    # X ~ N(d, 1), Y ~ N(0, 1): P(X > Y) = Phi(d / sqrt(2))
    rng = np.random.default_rng(2)
    d, n = 1.0, 20000
    expected = 0.5 * (1 + math.erf(d / 2))
    assert roc.roc_auc(rng.normal(d, 1, n), rng.normal(0, 1, n)) == pytest.approx(expected, abs=4 * roc.chance_auc_std(n, n))


def test_roc_curve_runs_from_origin_to_one_and_its_area_is_the_auc():
    rng = np.random.default_rng(3)
    pos, neg = rng.normal(1, 1, 400), rng.normal(0, 1, 500)
    c = roc.roc_curve(pos, neg)
    assert (c["fpr"][0], c["tpr"][0]) == (0.0, 0.0) and (c["fpr"][-1], c["tpr"][-1]) == (1.0, 1.0)
    assert np.all(np.diff(c["fpr"]) >= 0) and np.all(np.diff(c["tpr"]) >= 0)
    assert np.trapezoid(c["tpr"], c["fpr"]) == pytest.approx(roc.roc_auc(pos, neg), abs=1e-12)


def test_bad_scores_say_what_to_do():
    with raises_message(ValueError, "positive must hold at least one score, got 0; pass one score per example"):
        roc.roc_auc([], [1.0])
    with raises_message(ValueError, "negative must hold finite scores, got 1 NaN or infinite value(s); "
                                    "remove or fix them first"):
        roc.roc_auc([1.0], [np.nan, 0.0])
    with raises_message(ValueError, "n_positive must be a whole number >= 1, got 0"):
        roc.chance_auc_std(0, 5)
