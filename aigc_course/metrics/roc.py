"""ROC curves and the area under them (AUC) for a score that should be higher on positives.

A detector of generated images, or a membership-inference attack, gives each example a score; the ROC
curve plots the true-positive rate against the false-positive rate as the decision threshold sweeps over
every score. Its area equals the probability that a random positive scores above a random negative (ties
count one half): the Mann-Whitney U statistic divided by n_pos * n_neg. 1.0 separates perfectly, 0.5 is
chance, below 0.5 the score points the wrong way.
"""

from __future__ import annotations

import math

import numpy as np


def _scores(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype="float64").reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(values).__name__}; "
                        f"pass one score per example") from None
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one score, got 0; pass one score per example")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite scores, got {int(np.sum(~np.isfinite(arr)))} NaN or "
                         f"infinite value(s); remove or fix them first")
    return arr


def roc_auc(positive, negative) -> float:
    """Area under the ROC curve of scores ``positive`` (e.g. generated images, training members) against
    ``negative`` (real images, non-members): P(score_pos > score_neg) + ½ P(equal)."""
    pos, neg = _scores(positive, "positive"), _scores(negative, "negative")
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([pos, neg]))     # average ranks: ties count one half
    u = ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0
    return float(u / (len(pos) * len(neg)))


def roc_curve(positive, negative) -> dict:
    """The ROC curve: {"fpr", "tpr", "thresholds"}, one point per distinct score (calling a score >= the
    threshold positive), from (0, 0) with threshold +inf to (1, 1)."""
    pos, neg = _scores(positive, "positive"), _scores(negative, "negative")
    thresholds = np.concatenate([[np.inf], np.unique(np.concatenate([pos, neg]))[::-1]])
    pos_sorted, neg_sorted = np.sort(pos), np.sort(neg)
    tpr = 1.0 - np.searchsorted(pos_sorted, thresholds, side="left") / len(pos)
    fpr = 1.0 - np.searchsorted(neg_sorted, thresholds, side="left") / len(neg)
    return {"fpr": fpr, "tpr": tpr, "thresholds": thresholds}


def chance_auc_std(n_positive: int, n_negative: int) -> float:
    """Standard deviation of the AUC of a score that carries no information (both groups from one
    continuous distribution): sqrt((n_pos + n_neg + 1) / (12 n_pos n_neg)). An AUC within about three of
    these of 0.5 is indistinguishable from chance."""
    for name, n in (("n_positive", n_positive), ("n_negative", n_negative)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {n!r}")
    return math.sqrt((n_positive + n_negative + 1) / (12.0 * n_positive * n_negative))


__all__ = ["roc_auc", "roc_curve", "chance_auc_std"]
