"""In a live notebook a widget shows ONE figure and redraws it in place (no second copy under the controls)."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as w  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from aigc_course.viz import widgets  # noqa: E402


class _Handle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj)


@pytest.fixture
def live(monkeypatch):
    shown, handle = [], _Handle()

    def display(obj, display_id=False):
        shown.append(obj)
        return handle if display_id else None

    import IPython.display

    monkeypatch.setattr(widgets, "has_widgets", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    return shown, handle


def test_live_widget_draws_one_figure_and_updates_it_in_place(live):
    shown, handle = live
    calls = []

    def draw(k=0):
        calls.append(k)
        fig, ax = plt.subplots()
        ax.set_title(f"k = {k}")
        return fig

    slider = w.IntSlider(value=0, min=0, max=3)
    ui = widgets.interactive_or_static(draw, {"k": 0}, k=slider)
    figures = [o for o in shown if isinstance(o, matplotlib.figure.Figure)]
    assert calls == [0] and len(figures) == 1                # drawn once, shown once
    assert isinstance(ui, w.VBox) and shown[-1] is ui         # then the controls
    slider.value = 2
    assert calls == [0, 2] and len(handle.updates) == 1       # redrawn into the same display
    assert handle.updates[0].axes[0].get_title() == "k = 2"
    assert len([o for o in shown if isinstance(o, matplotlib.figure.Figure)]) == 1


def test_without_a_front_end_only_the_static_figure(monkeypatch):
    monkeypatch.setattr(widgets, "has_widgets", lambda: False)
    calls = []

    def draw(k=0):
        calls.append(k)
        return plt.figure()

    assert widgets.interactive_or_static(draw, {"k": 1}, k=w.IntSlider()) is None
    assert calls == [1]
