import numpy as np
import pytest

from aigc_course.viz import images


def test_make_grid_shapes_and_ranges():
    x = np.full((5, 4, 4, 1), -1.0, dtype="float32")
    g = images.make_grid(x, ncols=3, pad=1)
    assert g.shape == (2 * 5 + 1, 3 * 5 + 1)
    assert g[1, 1] == 0.0 and g[0, 0] == 1.0  # -1 maps to 0, padding is white
    assert images.make_grid(np.zeros((2, 4, 4, 3)), ncols=2).shape == (6, 11, 3)
    with pytest.raises(ValueError, match=r"images must have shape .* got \(2, 4, 4, 2\)"):
        images.make_grid(np.zeros((2, 4, 4, 2)))
    with pytest.raises(ValueError, match="^value_range must be 'tanh', 'unit', 'uint8' or None, got 'rgb'$"):
        images.to_unit(x, "rgb")


def test_panel_grid_hides_unused_axes_and_checks_titles():
    import matplotlib.pyplot as plt

    fig, axes = images.panel_grid(5, 3, (1.0, 1.0), titles=list("abcde"))
    assert len(axes) == 5 and len(fig.axes) == 6
    assert [a.get_title() for a in axes] == list("abcde")
    assert not fig.axes[5].axison and axes[0].axison
    plt.close(fig)
    with pytest.raises(ValueError, match="got 2 images but 3 titles"):
        images.show_images(np.zeros((2, 4, 4, 1)), titles=["a", "b", "c"])
    fig = images.show_images(np.zeros((3, 4, 4, 1)), ncols=2, titles=["a", "b", "c"])
    assert len(fig.axes) == 4 and [a.get_title() for a in fig.axes[:3]] == ["a", "b", "c"]
    plt.close(fig)
