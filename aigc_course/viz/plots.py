"""Seaborn plots: training curves and friends."""

from __future__ import annotations

import numpy as np


def _history_dict(history) -> dict:
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or not h:
        raise ValueError("history must be a keras History or a non-empty dict of metric name -> list of values")
    return h


def plot_history(history, metrics=None, title: str | None = None, ax=None, xlabel: str = "epoch"):
    """Plot training curves from a keras ``History`` (or a dict of lists). Returns the figure."""
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    h = _history_dict(history)
    names = list(metrics) if metrics is not None else list(h)
    missing = [m for m in names if m not in h]
    if missing:
        raise ValueError(f"metrics {missing} are not in the history; it has {sorted(h)}")
    rows = [(i + 1, name, float(v)) for name in names for i, v in enumerate(np.ravel(h[name]))]
    df = pd.DataFrame(rows, columns=[xlabel, "metric", "value"])
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    sns.lineplot(data=df, x=xlabel, y="value", hue="metric", marker="o" if df[xlabel].max() <= 30 else None, ax=ax)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
