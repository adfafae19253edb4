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
