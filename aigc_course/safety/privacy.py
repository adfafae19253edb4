"""Membership inference by a loss threshold (Yeom et al. 2018; Shokri et al. 2017 introduced the attack):
a model usually fits the examples it trained on better than new ones, so "loss below a threshold" guesses
"this example was in the training set". How well that guess works, over every threshold, is the ROC AUC
of the score −loss with members as positives: 0.5 means the model leaks nothing this way; the more a model
over-fits, the higher it goes.
"""

from __future__ import annotations

import numpy as np

from ..metrics.roc import roc_auc, roc_curve


def membership_report(member_losses, nonmember_losses) -> dict:
    """The loss-threshold attack on per-example losses of training members and of held-out non-members.

    Returns {"auc": ROC AUC of −loss (members positive), "advantage": max over thresholds of TPR − FPR,
    "threshold": the loss threshold reaching it (guess "member" when loss <= threshold),
    "member_mean" and "nonmember_mean": the mean losses}."""
    m = -np.asarray(member_losses, dtype="float64").reshape(-1)
    n = -np.asarray(nonmember_losses, dtype="float64").reshape(-1)
    auc = roc_auc(m, n)
    curve = roc_curve(m, n)
    gap = curve["tpr"] - curve["fpr"]
    best = int(np.argmax(gap))
    return {"auc": auc, "advantage": float(gap[best]), "threshold": float(-curve["thresholds"][best]),
            "member_mean": float(-m.mean()), "nonmember_mean": float(-n.mean())}


__all__ = ["membership_report"]
