"""Image grids for grey or RGB images in [-1, 1], [0, 1] or 0..255 (channels last), and the input checks that
the metrics share: value range, NaN/inf, rank and channel count."""

from __future__ import annotations

import numpy as np


VALUE_RANGES = {"tanh": (-1.0, 1.0), "unit": (0.0, 1.0), "uint8": (0.0, 255.0)}
"""What each ``value_range`` means: [-1, 1] (tanh outputs), [0, 1] (sigmoid outputs, ``scale="unit"``) and
0..255 (raw pixels, ``scale="uint8"``)."""
RANGE_SLACK = 0.25
"""Values may overshoot the declared range by this share of its width (e.g. [-1.5, 1.5] for "tanh": a
sampler's small overshoot is clipped); anything further means the range was declared wrongly and is an error."""


def _guess_range(x: np.ndarray, dtype) -> str:
    if np.dtype(dtype) == np.uint8:
        return "uint8"
    return "tanh" if x.size and x.min() < 0 else "unit"


def to_unit(images, value_range: str | None = None, name: str = "images") -> np.ndarray:
    """Images as float32 numpy in [0, 1].

    ``value_range``: "tanh" ([-1, 1]), "unit" ([0, 1]), "uint8" (0..255) or None to guess from the data (uint8
    dtype means 0..255, any negative value [-1, 1], else [0, 1]). NaN or infinite values, and values far outside
    the declared range (for example 0..255 pixels declared as "tanh"), raise ValueError saying which range was
    found; a small overshoot (``RANGE_SLACK``) is clipped.
    """
    if value_range is not None and value_range not in VALUE_RANGES:
        raise ValueError(f"value_range must be 'tanh', 'unit', 'uint8' or None, got {value_range!r}")
    if images is None or isinstance(images, (str, bytes, dict)):
        raise TypeError(f"{name} must be an array of images, got {type(images).__name__}")
    try:
        import keras

        x = keras.ops.convert_to_numpy(images)
    except Exception:
        x = np.asarray(images)
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
    dtype = x.dtype
    x = x.astype("float32")
    bad = int(x.size - np.count_nonzero(np.isfinite(x)))
    if bad:
        raise ValueError(f"{name} contain {bad} NaN or infinite value(s) out of {x.size}; a diverged model gives "
                         f"NaN: check its training loss (e.g. lower the learning rate)")
    chosen = _guess_range(x, dtype) if value_range is None else value_range
    if x.size:
        lo, hi = VALUE_RANGES[chosen]
        slack = RANGE_SLACK * (hi - lo)
        found_lo, found_hi = float(x.min()), float(x.max())
        if found_lo < lo - slack or found_hi > hi + slack:
            said = f"value_range={value_range!r}" if value_range is not None else \
                f"value_range=None (guessed {chosen!r})"
            raise ValueError(
                f"{name} hold values in [{found_lo:.4g}, {found_hi:.4g}], outside [{lo:g}, {hi:g}] that {said} "
                f"means; pass value_range='uint8' for 0..255 pixels, 'unit' for [0, 1] or 'tanh' for [-1, 1]")
    if chosen == "tanh":
        x = (x + 1.0) / 2.0
    elif chosen == "uint8":
        x = x / 255.0
    return np.clip(x, 0.0, 1.0)


def check_image_shape(x: np.ndarray, name: str = "images") -> np.ndarray:
    """``x`` as (n, h, w, c) with c = 1 (grey) or 3 (RGB); (n, h, w) gains a channel axis. ValueError otherwise."""
    if x.ndim == 3 and x.shape[-1] in (1, 3) and x.shape[-2] > 3:
        raise ValueError(f"{name} must be a batch of images, got shape {x.shape}, which looks like one image "
                         f"(h, w, channels); pass a batch of one, e.g. x[None] instead of x[0] or x[:1]")
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(f"{name} must have shape (n, h, w), (n, h, w, 1) or (n, h, w, 3), got {x.shape}")
    return x


def panel_grid(n: int, ncols: int, panel_size: tuple, titles=None, what: str = "panels", **subplot_kw):
    """A figure with one axes per panel, ``ncols`` wide; unused axes are hidden and ``titles`` (one per panel,
    checked) are set. Returns (figure, list of the ``n`` axes)."""
    import matplotlib.pyplot as plt

    if titles is not None and len(titles) != n:
        raise ValueError(f"got {n} {what} but {len(titles)} titles")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows), squeeze=False,
                             **subplot_kw)
    flat = list(axes.flat)
    for axis in flat[n:]:
        axis.axis("off")
    if titles is not None:
        for axis, t in zip(flat, titles):
            axis.set_title(str(t), fontsize=8)
    return fig, flat[:n]


def make_grid(images, ncols: int = 8, pad: int = 1, value_range: str | None = None, pad_value: float = 1.0):
    """Tile ``images`` (n, h, w), (n, h, w, 1) or (n, h, w, 3) into one array (H, W) or (H, W, 3)."""
    x = check_image_shape(to_unit(images, value_range))
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be an int >= 1, got {ncols!r}")
    n, h, w, c = x.shape
    ncols = min(ncols, n) if n else 1
    nrows = -(-n // ncols) if n else 0
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), pad_value, dtype="float32")
    for i in range(n):
        r, col = divmod(i, ncols)
        top, left = pad + r * (h + pad), pad + col * (w + pad)
        grid[top:top + h, left:left + w] = x[i]
    return grid[..., 0] if c == 1 else grid


def show_images(images, ncols: int = 8, titles=None, value_range: str | None = None, title: str | None = None,
                scale: float = 1.0, ax=None):
    """Show images as one grid (one subplot each when ``titles`` are given). Returns the figure."""
    import matplotlib.pyplot as plt

    x = check_image_shape(to_unit(images, value_range))
    n = len(x)
    if titles is not None:
        fig, axes = panel_grid(n, ncols, (scale * 1.3, scale * 1.5), titles, what="images")
        for a, img in zip(axes, x):
            a.axis("off")
            a.imshow(img[..., 0] if img.shape[-1] == 1 else img, cmap="gray", vmin=0, vmax=1)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return fig
    grid = make_grid(x, ncols=ncols, value_range="unit")
    if ax is None:
        rows = grid.shape[0] / max(grid.shape[1], 1)
        fig, ax = plt.subplots(figsize=(scale * min(1.0 * ncols, 12), scale * min(1.0 * ncols, 12) * rows))
    else:
        fig = ax.figure
    ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig
