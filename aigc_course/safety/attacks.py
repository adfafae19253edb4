"""Everyday image changes that a watermark should survive (or that break it), on images in [0, 1] of shape
(n, h, w) or (n, h, w, 1). Each returns float32 images of the input's shape, clipped to [0, 1]."""

from __future__ import annotations

import numpy as np


def _images(images) -> np.ndarray:
    arr = np.asarray(images, dtype="float64")
    if arr.ndim not in (3, 4) or (arr.ndim == 4 and arr.shape[-1] != 1):
        raise ValueError(f"images must have shape (n, height, width) or (n, height, width, 1), got {arr.shape}")
    return arr


def gaussian_noise(images, sigma: float, seed: int = 0) -> np.ndarray:
    """Add N(0, σ²) noise to every pixel (σ on the [0, 1] scale: 0.02 is about 5 grey levels of 255)."""
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.number)) or not sigma >= 0:
        raise ValueError(f"sigma must be a number >= 0, got {sigma!r}")
    x = _images(images)
    noisy = x + np.random.default_rng(seed).normal(0.0, float(sigma), size=x.shape)
    return np.clip(noisy, 0.0, 1.0).astype("float32")


def quantise(images, levels: int = 256) -> np.ndarray:
    """Round to ``levels`` grey levels (256: saving as an 8-bit PNG); the error is at most 1 / (2 (levels − 1))."""
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be a whole number >= 2, got {levels!r}")
    x = np.clip(_images(images), 0.0, 1.0)
    return (np.round(x * (levels - 1)) / (levels - 1)).astype("float32")


def _zoom_to(x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resampling of (n, h, w) images to (n, height, width), pixel centres aligned."""
    n, h, w = x.shape
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    wy, wx = (ys - y0)[None, :, None], (xs - x0)[None, None, :]
    top = x[:, y0][:, :, x0] * (1 - wx) + x[:, y0][:, :, x1] * wx
    bottom = x[:, y1][:, :, x0] * (1 - wx) + x[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


def resize(images, factor: float = 0.5) -> np.ndarray:
    """Shrink by ``factor`` and enlarge back to the original size (bilinear): fine detail is lost."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.number)) or not 0 < factor <= 1:
        raise ValueError(f"factor must be a number in (0, 1], got {factor!r}")
    x = _images(images)
    flat = x[..., 0] if x.ndim == 4 else x
    h, w = flat.shape[1:]
    small = _zoom_to(flat, max(1, round(h * factor)), max(1, round(w * factor)))
    out = _zoom_to(small, h, w)
    return np.clip(out.reshape(x.shape), 0.0, 1.0).astype("float32")


def crop(images, pixels: int = 2) -> np.ndarray:
    """Cut ``pixels`` off every border and stretch the rest back to the original size (bilinear): every
    feature moves a little, which misaligns anything read at fixed positions."""
    if isinstance(pixels, bool) or not isinstance(pixels, (int, np.integer)) or pixels < 0:
        raise ValueError(f"pixels must be a whole number >= 0, got {pixels!r}")
    x = _images(images)
    flat = x[..., 0] if x.ndim == 4 else x
    h, w = flat.shape[1:]
    if 2 * pixels >= min(h, w):
        raise ValueError(f"pixels must be below half the image size ({min(h, w) // 2}), got {pixels}")
    if pixels == 0:
        return x.astype("float32")
    out = _zoom_to(flat[:, pixels:h - pixels, pixels:w - pixels], h, w)
    return np.clip(out.reshape(x.shape), 0.0, 1.0).astype("float32")


__all__ = ["gaussian_noise", "quantise", "resize", "crop"]
