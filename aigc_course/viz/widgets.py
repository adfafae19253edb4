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
    """Draw ``draw(**static_kwargs)`` once as a figure; in a live notebook, also show the ``controls`` (ipywidgets)
    and redraw that same figure in place whenever one of them changes (one figure, never a second copy).
    Executed notebooks and HTML reports keep the static figure. Returns the controls' box, or None."""
    import matplotlib.pyplot as plt

    fig = draw(**static_kwargs)
    if not has_widgets() or not controls:
        if fig is not None:
            plt.show()
        return None
    import ipywidgets as w
    from IPython.display import display

    handle = display(fig, display_id=True)
    if fig is not None:
        plt.close(fig)      # shown through the handle; closing keeps the inline backend from showing it again

    def _update(_change=None):
        f = draw(**{name: c.value for name, c in controls.items()})
        if f is not None:
            handle.update(f)
            plt.close(f)

    for c in controls.values():
        c.observe(_update, names="value")
    ui = w.VBox(list(controls.values()))
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
        ax.set_title(f"x[{i}] → x[{j}]: 两端是原图，中间是 {steps} 个解码的插值", fontsize=9)
        ax.axis("off")
        fig.tight_layout()
        return fig

    import ipywidgets as w

    controls = {"i": w.IntSlider(value=i, min=0, max=len(pool) - 1), "j": w.IntSlider(value=j, min=0, max=len(pool) - 1)}
    return interactive_or_static(draw, {"i": i, "j": j}, **controls)


# --- chapters 07 and 08 ------------------------------------------------------------------------------------

def attention_explorer(maps, labels=None, layer: int | None = None, head: int = 0):
    """Pick a layer and a head and see its attention heat map. ``maps``: (layers, heads, time, time) or
    (layers, batch, heads, time, time) (first example). The static figure shows every head of ``layer``
    (default: the last layer); the widget shows one (layer, head) at a time."""
    from . import plots

    m = plots.as_attention_maps(maps)
    n_layers, n_heads = m.shape[:2]
    layer = n_layers - 1 if layer is None else layer
    if not 0 <= layer < n_layers or not 0 <= head < n_heads:
        raise ValueError(f"layer must be in 0..{n_layers - 1} and head in 0..{n_heads - 1}, got {layer} and {head}")

    def draw(layer, head=None):
        if head is None:
            return plots.plot_attention_heads(m, layer=layer, labels=labels)
        return plots.plot_attention(m[layer, head], labels=labels, title=f"第 {layer} 层，第 {head} 个头")

    import ipywidgets as w

    return interactive_or_static(draw, {"layer": layer},
                                 layer=w.IntSlider(value=layer, min=0, max=n_layers - 1, description="layer"),
                                 head=w.IntSlider(value=head, min=0, max=n_heads - 1, description="head"))


def sampling_explorer(write, prompt: str = "春", temperature: float = 0.8, top_k: int = 20, top_p: float = 1.0,
                      n: int = 3):
    """Try sampling settings. ``write(prompts, temperature, top_k, top_p, seed)`` must return a list of texts
    (for example ``functools.partial(sampling.generate_text, model, tokenizer)``). The static output prints
    ``n`` poems for the given settings; the widget (prompt, temperature, top-k (0 = off), top-p (1 = off),
    seed) reruns it. Each poem is printed with its form (5 / 7 characters per half-line, or irregular)."""
    if not callable(write):
        raise TypeError(f"write must be callable, got {type(write).__name__}")
    from ..metrics.text import poem_form

    def draw(prompt, temperature, top_k, top_p, seed=0):
        if not prompt:
            print("请输入至少一个字作为开头。")
            return None
        texts = write([prompt] * n, temperature=temperature, top_k=top_k or None,
                      top_p=top_p if top_p < 1.0 else None, seed=seed)
        for i, t in enumerate(texts):
            form = poem_form(t)
            print(f"--- {i + 1} · {'%d 言' % form if form else '不合格律'} ---")
            print(t)
        return None

    import ipywidgets as w

    return interactive_or_static(
        draw, {"prompt": prompt, "temperature": temperature, "top_k": top_k, "top_p": top_p},
        prompt=w.Text(value=prompt, description="prompt", continuous_update=False),
        temperature=w.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description="temperature", continuous_update=False),
        top_k=w.IntSlider(value=top_k, min=0, max=100, description="top-k", continuous_update=False),
        top_p=w.FloatSlider(value=top_p, min=0.05, max=1.0, step=0.05, description="top-p", continuous_update=False),
        seed=w.IntSlider(value=0, min=0, max=99, description="seed", continuous_update=False))
