"""Toy 2-D data sets: a ring of Gaussians (the classic mode-collapse test) and two moons."""

from __future__ import annotations

import numpy as np


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``modes`` centres, evenly spaced on a circle of ``radius``: shape (modes, 2)."""
    if modes < 1:
        raise ValueError(f"modes must be >= 1, got {modes}")
    angles = 2 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype("float32")


def make_ring(n: int = 2048, modes: int = 8, radius: float = 2.0, std: float = 0.05, seed: int = 0):
    """Points from a mixture of ``modes`` Gaussians on a ring; returns (points (n, 2) float32, mode ids (n,))."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if std <= 0:
        raise ValueError(f"std must be > 0, got {std}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, modes, size=n)
    pts = ring_centers(modes, radius)[ids] + rng.normal(0.0, std, size=(n, 2))
    return pts.astype("float32"), ids.astype("int64")


def make_moons(n: int = 2048, noise: float = 0.05, seed: int = 0):
    """Two interleaving half circles; returns (points (n, 2) float32, moon ids (n,) in {0, 1})."""
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 2, size=n)
    t = rng.uniform(0.0, np.pi, size=n)
    x = np.where(ids == 0, np.cos(t), 1.0 - np.cos(t))
    y = np.where(ids == 0, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x, y], axis=1) + rng.normal(0.0, noise, size=(n, 2))
    return pts.astype("float32"), ids.astype("int64")


def mode_coverage(samples, modes: int = 8, radius: float = 2.0, std: float = 0.05, k_std: float = 3.0):
    """How well 2-D ``samples`` cover a ring made by ``make_ring``.

    A sample is high quality when it lies within ``k_std`` standard deviations of its nearest centre;
    a mode is covered when it holds at least one such sample.
    Returns a dict: ``modes_covered`` (int), ``high_quality`` (share of samples), ``counts`` (per mode).
    """
    s = np.asarray(samples, dtype="float64")
    if s.ndim != 2 or s.shape[1] != 2:
        raise ValueError(f"samples must have shape (n, 2), got {s.shape}")
    centers = ring_centers(modes, radius).astype("float64")
    d = np.linalg.norm(s[:, None, :] - centers[None], axis=-1)
    nearest = d.argmin(axis=1)
    good = d[np.arange(len(s)), nearest] <= k_std * std
    counts = np.bincount(nearest[good], minlength=modes)
    return {"modes_covered": int((counts > 0).sum()), "high_quality": float(good.mean()) if len(s) else 0.0,
            "counts": counts.tolist()}
