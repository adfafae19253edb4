"""An invisible multi-bit watermark for small grey images: dither-modulated quantisation index modulation
(QIM, Chen & Wornell 2001) on keyed mid-frequency coefficients of the orthonormal 2-D DCT.

Each message bit b is carried by ``repeats`` DCT coefficients c. With step Δ (``strength``) and a keyed
dither d per coefficient, bit 0 moves c to the nearest point of the lattice Δ·ℤ + d and bit 1 to the nearest
point of Δ·ℤ + d + Δ/2. The decoder needs only the key: it reads which lattice each coefficient sits on
(soft vote over the repeats). Noise smaller than Δ/4 on a coefficient cannot flip it.

Cost: the orthonormal DCT keeps energy, and the quantisation error is uniform on [-Δ/2, Δ/2], so the
mean squared pixel error is k Δ² / (12 N) for k = n_bits · repeats carriers in an N-pixel image (before
clipping to [0, 1]); ``expected_psnr`` and ``strength_for_psnr`` turn this into decibels and back.
"""

from __future__ import annotations

import math

import numpy as np

PEAK = 1.0
"""Images live in [0, 1]; PSNR is measured against this peak value."""
BAND = (2, 12)
"""Carriers are DCT coefficients (u, v) with BAND[0] <= u + v <= BAND[1]: not the smooth image content
at the lowest frequencies, not the finest detail that resizing removes."""


def _images(images, name: str = "images") -> tuple[np.ndarray, tuple]:
    """(n, h, w) float64 copy and the original shape; accepts (n, h, w) or (n, h, w, 1) in [0, 1]."""
    arr = np.asarray(images, dtype="float64")
    shape = arr.shape
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise ValueError(f"{name} must have shape (n, height, width) or (n, height, width, 1), got {shape}; "
                         f"add a batch axis with x[None] for one image")
    if arr.size and (arr.min() < -1e-6 or arr.max() > PEAK + 1e-6):
        raise ValueError(f"{name} must hold values in [0, 1], got values in [{arr.min():.3g}, {arr.max():.3g}]; "
                         f"map tanh images with (x + 1) / 2 first")
    return arr.copy(), shape


def _positive(name: str, value, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer) if integer else (int, float, np.number)) \
            or not value > 0 or not math.isfinite(value):
        kind = "a whole number >= 1" if integer else "a number > 0"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value) if integer else float(value)


def dct2(x: np.ndarray) -> np.ndarray:
    """Orthonormal 2-D DCT-II over the last two axes (energy-preserving: ‖dct2(x)‖ = ‖x‖)."""
    from scipy.fft import dctn

    return dctn(x, axes=(-2, -1), norm="ortho")


def idct2(c: np.ndarray) -> np.ndarray:
    """Inverse of :func:`dct2`."""
    from scipy.fft import idctn

    return idctn(c, axes=(-2, -1), norm="ortho")


def carriers(n: int, key: int = 0, shape: tuple = (28, 28), band: tuple = BAND) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of ``n`` DCT coefficients in the mid-frequency band, in an order fixed by ``key``
    (the secret shared by embedder and decoder)."""
    n = _positive("n", n, integer=True)
    u, v = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    mask = (u + v >= band[0]) & (u + v <= band[1])
    rows, cols = u[mask], v[mask]
    if n > len(rows):
        raise ValueError(f"the band {band} of a {shape} image has {len(rows)} coefficients, but n_bits * repeats "
                         f"= {n}; use fewer bits or repeats")
    pick = np.random.default_rng(key).permutation(len(rows))[:n]
    return rows[pick], cols[pick]


def dither(n: int, strength: float, key: int = 0) -> np.ndarray:
    """The keyed offsets d of the ``n`` carriers, uniform in [0, Δ)."""
    return np.random.default_rng([key, 1]).uniform(0.0, strength, size=n)


def _message(bits, n_images: int) -> np.ndarray:
    b = np.asarray(bits)
    if b.ndim == 1:
        b = np.broadcast_to(b, (n_images, len(b)))
    if b.ndim != 2 or b.shape[0] != n_images or b.shape[1] < 1:
        raise ValueError(f"bits must have shape (n_bits,) or (n_images, n_bits) = ({n_images}, n_bits), "
                         f"got {np.shape(bits)}")
    if not np.all((b == 0) | (b == 1)):
        raise ValueError("bits must hold only 0 and 1; convert text with np.unpackbits first")
    return b.astype("int64")


def embed(images, bits, strength: float = 0.4, key: int = 0, repeats: int = 1, iterations: int = 10) -> np.ndarray:
    """Hide ``bits`` ((n_bits,) for every image, or (n, n_bits)) in ``images`` in [0, 1]; returns float32
    images of the same shape, still in [0, 1].

    Every carrier is moved to its bit's lattice point; the image is then clipped to [0, 1] and the carriers
    set again, ``iterations`` times (alternating projections), because clipping the black background of a
    Fashion-MNIST image would otherwise undo part of the mark."""
    strength = _positive("strength", strength)
    repeats = _positive("repeats", repeats, integer=True)
    iterations = _positive("iterations", iterations, integer=True)
    x, shape = _images(images)
    b = _message(bits, len(x))
    k = b.shape[1] * repeats
    rows, cols = carriers(k, key, x.shape[1:])
    d = dither(k, strength, key)
    offset = d + np.repeat(b, repeats, axis=1) * strength / 2.0            # (n, k): the bit's lattice
    c = dct2(x)[:, rows, cols]
    target = strength * np.round((c - offset) / strength) + offset
    for _ in range(iterations):
        coeffs = dct2(x)
        coeffs[:, rows, cols] = target
        x = np.clip(idct2(coeffs), 0.0, PEAK)
    return x.reshape(shape).astype("float32")


def soft_bits(images, n_bits: int, strength: float = 0.4, key: int = 0, repeats: int = 1) -> np.ndarray:
    """Per bit, the mean over its carriers of cos(2π (c − d) / Δ): +1 on the bit-0 lattice, −1 on the
    bit-1 lattice, near 0 when noise has moved the carrier halfway. Shape (n, n_bits)."""
    n_bits = _positive("n_bits", n_bits, integer=True)
    strength = _positive("strength", strength)
    repeats = _positive("repeats", repeats, integer=True)
    x, _ = _images(images)
    k = n_bits * repeats
    rows, cols = carriers(k, key, x.shape[1:])
    c = dct2(x)[:, rows, cols]
    phase = np.cos(2.0 * np.pi * (c - dither(k, strength, key)) / strength)
    return phase.reshape(len(x), n_bits, repeats).mean(axis=2)


def extract(images, n_bits: int, strength: float = 0.4, key: int = 0, repeats: int = 1) -> np.ndarray:
    """Decode the hidden bits (int64, shape (n, n_bits)) with the key and the strength used by ``embed``."""
    return (soft_bits(images, n_bits, strength, key, repeats) < 0).astype("int64")


def random_bits(n_bits: int, n_images: int | None = None, seed: int = 0) -> np.ndarray:
    """A random message: (n_bits,) or, with ``n_images``, one per image (n_images, n_bits)."""
    n_bits = _positive("n_bits", n_bits, integer=True)
    size = (n_bits,) if n_images is None else (_positive("n_images", n_images, integer=True), n_bits)
    return np.random.default_rng(seed).integers(0, 2, size=size).astype("int64")


def bit_accuracy(expected, decoded) -> float:
    """Share of bits decoded correctly (all images together)."""
    e, d = np.asarray(expected), np.asarray(decoded)
    if d.ndim == 2 and e.ndim == 1:
        e = np.broadcast_to(e, d.shape)
    if e.shape != d.shape:
        raise ValueError(f"expected and decoded bits must have the same shape, got {e.shape} and {d.shape}")
    return float(np.mean(e == d))


def psnr(reference, test, peak: float = PEAK) -> float:
    """Peak signal-to-noise ratio in dB, 10 log10(peak² / MSE), with the MSE over all pixels of all images
    (inf for identical images). Above about 35 dB a difference is hard to see on [0, 1] images."""
    a, b = np.asarray(reference, dtype="float64"), np.asarray(test, dtype="float64")
    if a.shape != b.shape:
        raise ValueError(f"reference and test must have the same shape, got {a.shape} and {b.shape}")
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(peak ** 2 / mse)


def expected_psnr(strength: float, n_carriers: int, n_pixels: int = 784, peak: float = PEAK) -> float:
    """PSNR of QIM before clipping: MSE = n_carriers · Δ² / 12 / n_pixels (uniform quantisation error)."""
    strength = _positive("strength", strength)
    n_carriers = _positive("n_carriers", n_carriers, integer=True)
    n_pixels = _positive("n_pixels", n_pixels, integer=True)
    return 10.0 * math.log10(peak ** 2 * 12.0 * n_pixels / (n_carriers * strength ** 2))


def strength_for_psnr(psnr_db: float, n_carriers: int, n_pixels: int = 784, peak: float = PEAK) -> float:
    """The largest step Δ whose expected PSNR is ``psnr_db``: Δ = peak · sqrt(12 N / k · 10^(−PSNR/10))."""
    if isinstance(psnr_db, bool) or not isinstance(psnr_db, (int, float, np.number)) or not math.isfinite(psnr_db):
        raise ValueError(f"psnr_db must be a finite number of decibels, got {psnr_db!r}")
    n_carriers = _positive("n_carriers", n_carriers, integer=True)
    n_pixels = _positive("n_pixels", n_pixels, integer=True)
    return peak * math.sqrt(12.0 * n_pixels / n_carriers * 10.0 ** (-psnr_db / 10.0))


def capacity_bits(n_pixels: int, psnr_db: float, sigma: float, peak: float = PEAK) -> float:
    """Shannon's upper bound on the bits an image can carry: (N / 2) log2(1 + D / σ²), with the embedding
    distortion D = peak² 10^(−PSNR/10) per pixel and Gaussian noise σ per pixel (Costa 1983: an image known
    only to the embedder does not lower it). Practical schemes stay far below it."""
    n_pixels = _positive("n_pixels", n_pixels, integer=True)
    sigma = _positive("sigma", sigma)
    distortion = peak ** 2 * 10.0 ** (-float(psnr_db) / 10.0)
    return 0.5 * n_pixels * math.log2(1.0 + distortion / sigma ** 2)


__all__ = ["dct2", "idct2", "carriers", "dither", "embed", "soft_bits", "extract", "random_bits", "bit_accuracy",
           "psnr", "expected_psnr", "strength_for_psnr", "capacity_bits", "BAND", "PEAK"]
