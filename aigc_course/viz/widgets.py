"""Interactive explorers. Every widget also draws a static figure first, so executed notebooks and
HTML reports show something even without a live front end."""

from __future__ import annotations

from typing import Callable


def has_widgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython

        return get_ipython() is not None
    except ImportError:
        return False


def interactive_or_static(draw: Callable, static_kwargs: dict, **controls):
    """Draw ``draw(**static_kwargs)`` once as a static figure, then (in a live notebook) show an
    ``ipywidgets.interactive`` over ``controls`` calling the same ``draw``. Returns the widget or None."""
    import matplotlib.pyplot as plt

    fig = draw(**static_kwargs)
    if fig is not None:
        plt.show()
    if not has_widgets():
        return None
    import ipywidgets as w
    from IPython.display import display

    def _update(**kw):
        f = draw(**kw)
        if f is not None:
            plt.show()

    ui = w.interactive(_update, **controls)
    display(ui)
    return ui


def generator_loss_explorer(d_value: float = 0.1):
    """Saturating vs non-saturating generator loss and gradient against D(G(z)), with a slider for the
    point to inspect (a static figure at ``d_value`` first). Returns the widget or None."""
    from . import plots

    if isinstance(d_value, bool) or not isinstance(d_value, (int, float)):
        raise TypeError(f"d_value must be a float in (0, 1), got {type(d_value).__name__}")
    if not 0.0 < float(d_value) < 1.0:
        raise ValueError(f"d_value must be in (0, 1), got {d_value}")
    curves = plots.generator_loss_curves()
    controls = {}
    if has_widgets():
        import ipywidgets as w

        controls["d_value"] = w.FloatSlider(value=float(d_value), min=0.01, max=0.99, step=0.01,
                                            description="D(G(z))")

    def draw(d_value):
        return plots.plot_generator_losses(d_value, curves=curves)

    return interactive_or_static(draw, {"d_value": float(d_value)}, **controls)


# ---- VAE explorers (chapter 06) ---------------------------------------------------------------------------
def latent_explorer(model, span: float = 3.0, n: int = 15, dims: tuple[int, int] = (0, 1)):
    """Sliders for two latent coordinates -> the decoded image, next to the decoded latent plane (an
    n x n grid over [-span, span]^2, the other latent dimensions 0) with the chosen point marked. The
    static figure (point at the origin) is drawn even without a front end. ``model``: a trained
    ``aigc_course.models.vae.VAE``. Returns the widget or None."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..models import vae
    from .images import make_grid

    images, coords = vae.latent_grid(model, n=n, span=span, dims=dims)
    plane = make_grid(images, ncols=n, pad=0, value_range="unit")

    def draw(z1: float = 0.0, z2: float = 0.0):
        z = np.zeros((1, model.latent_dim), dtype="float32")
        z[0, dims[0]], z[0, dims[1]] = z1, z2
        img = model.decode(z)[0]
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 4), gridspec_kw={"width_ratios": [2, 1]})
        ax0.imshow(plane, cmap="gray" if plane.ndim == 2 else None, vmin=0, vmax=1,
                   extent=(-span, span, -span, span))
        ax0.plot([z1], [z2], "o", color="tab:red", ms=8, mfc="none", mew=2)
        ax0.set_xlabel(f"$z_{dims[0] + 1}$")
        ax0.set_ylabel(f"$z_{dims[1] + 1}$")
        ax1.imshow(img[..., 0] if img.shape[-1] == 1 else img, cmap="gray", vmin=0, vmax=1)
        ax1.set_title(f"z = ({z1:.2f}, {z2:.2f})")
        ax1.axis("off")
        fig.tight_layout()
        return fig

    import ipywidgets as w

    step = float(coords[1] - coords[0]) / 2
    controls = {name: w.FloatSlider(value=0.0, min=-span, max=span, step=step, description=name)
                for name in ("z1", "z2")}
    return interactive_or_static(draw, {"z1": 0.0, "z2": 0.0}, **controls)


def interpolation_strip(model, images, i: int = 0, j: int = 1, steps: int = 10):
    """Decode the straight line between the latent means of ``images[i]`` and ``images[j]``: a strip of
    ``steps`` images with the two originals at its ends. Sliders pick i and j among ``images``.
    Returns the widget or None."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..models import vae
    from .images import make_grid

    pool = np.asarray(images, dtype="float32")
    if len(pool) < 2:
        raise ValueError(f"images must hold at least 2 examples to interpolate between, got {len(pool)}")
    for name, v in (("i", i), ("j", j)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < len(pool):
            raise ValueError(f"{name} must be an index in [0, {len(pool) - 1}], got {v!r}")

    def draw(i: int = i, j: int = j):
        strip = vae.interpolate(model, pool[i], pool[j], steps=steps)
        row = np.concatenate([pool[i:i + 1], strip, pool[j:j + 1]])
        fig, ax = plt.subplots(figsize=(1.0 * len(row), 1.4))
        grid = make_grid(row, ncols=len(row), value_range="unit")
        ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_title(f"x[{i}] → x[{j}]: originals at both ends, {steps} decoded steps between", fontsize=9)
        ax.axis("off")
        fig.tight_layout()
        return fig

    import ipywidgets as w

    controls = {"i": w.IntSlider(value=i, min=0, max=len(pool) - 1), "j": w.IntSlider(value=j, min=0, max=len(pool) - 1)}
    return interactive_or_static(draw, {"i": i, "j": j}, **controls)
