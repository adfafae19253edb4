"""Image grids for grey or RGB images in [-1, 1] or [0, 1] (channels last)."""

from __future__ import annotations

import numpy as np


def to_unit(images, value_range: str | None = None) -> np.ndarray:
    """Images as float numpy in [0, 1]. ``value_range``: "tanh" ([-1, 1]), "unit" ([0, 1]) or None to guess
    from the data (any negative value means [-1, 1])."""
    try:
        import keras

        x = keras.ops.convert_to_numpy(images)
    except Exception:
        x = np.asarray(images)
    x = np.asarray(x, dtype="float32")
    if value_range is None:
        value_range = "tanh" if x.size and x.min() < 0 else "unit"
    if value_range == "tanh":
        x = (x + 1.0) / 2.0
    elif value_range != "unit":
        raise ValueError(f"value_range must be 'tanh', 'unit' or None, got {value_range!r}")
    return np.clip(x, 0.0, 1.0)


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
    x = to_unit(images, value_range)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(f"images must have shape (n, h, w), (n, h, w, 1) or (n, h, w, 3), got {x.shape}")
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
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

    x = to_unit(images, value_range)
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
