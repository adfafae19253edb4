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
