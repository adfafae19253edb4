"""Metrics and image grids refuse inputs that would give wrong numbers: a value range that does not fit the
values, NaN/inf, a wrong rank or channel count, bad labels."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import raises_message

from aigc_course.data import load_fashion_mnist
from aigc_course.metrics import features, fid
from aigc_course.viz import images

RANGE_FIX = "pass value_range='uint8' for 0..255 pixels, 'unit' for [0, 1] or 'tanh' for [-1, 1]"


@pytest.fixture(scope="module")
def pixels():
    return load_fashion_mnist("test", scale="uint8", limit=40)[0]  # uint8 0..255, (40, 28, 28, 1)


def _calls(x, y=None):
    """Every metric entry point, each called with the images ``x`` (and the good set ``y`` as the other one)."""
    y = x if y is None else y
    return {
        "fid": lambda vr: fid.fid(x, y, value_range=vr),
        "kid": lambda vr: fid.kid(x, y, subset_size=10, subsets=2, value_range=vr),
        "precision_recall": lambda vr: fid.precision_recall(x, y, value_range=vr),
        "class_confidence_report": lambda vr: fid.class_confidence_report(x, value_range=vr),
        "accuracy": lambda vr: features.accuracy(x, np.zeros(len(x), "int64"), value_range=vr),
        "make_grid": lambda vr: images.make_grid(x, value_range=vr),
        "show_images": lambda vr: images.show_images(x, value_range=vr),
    }


@pytest.mark.parametrize("entry", list(_calls(np.zeros(1))))
def test_uint8_pixels_declared_as_tanh_are_refused(pixels, entry):
    prefix = "a: " if entry in ("fid", "kid") else "real: " if entry == "precision_recall" else ""
    with raises_message(ValueError, f"{prefix}images hold values in [0, 255], outside [-1, 1] that "
                                    f"value_range='tanh' means; {RANGE_FIX}"):
        _calls(pixels.astype("float32"))[entry]("tanh")


@pytest.mark.parametrize("entry", ["class_confidence_report", "accuracy", "make_grid", "show_images"])
def test_tanh_images_declared_as_unit_and_float_pixels_without_range(pixels, entry):
    tanh = pixels.astype("float32") / 127.5 - 1
    with raises_message(ValueError, f"images hold values in [-1, 1], outside [0, 1] that value_range='unit' "
                                    f"means; {RANGE_FIX}"):
        _calls(tanh)[entry]("unit")
    with raises_message(ValueError, f"images hold values in [0, 255], outside [0, 1] that value_range=None "
                                    f"(guessed 'unit') means; {RANGE_FIX}"):
        _calls(pixels.astype("float32"))[entry](None)


@pytest.mark.parametrize("entry", ["fid", "class_confidence_report", "accuracy", "make_grid"])
def test_nan_and_inf_are_refused(pixels, entry):
    x = pixels.astype("float32") / 255
    x[3, 5, 5, 0] = np.nan
    x[4, 0, 0, 0] = np.inf
    prefix = "a: " if entry == "fid" else ""
    with raises_message(ValueError, f"{prefix}images contain 2 NaN or infinite value(s) out of 31360; a diverged "
                                    f"model gives NaN: check its training loss (e.g. lower the learning rate)"):
        _calls(x, pixels / 255)[entry]("unit")


def test_rank_and_channels_are_checked(pixels):
    unit = pixels.astype("float32") / 255
    rgb = np.repeat(unit, 3, axis=-1)
    with raises_message(ValueError, "images must be grey images with one channel, got 3 channels in shape "
                                    "(40, 28, 28, 3); convert them to grey first (e.g. images.mean(axis=-1, "
                                    "keepdims=True))"):
        fid.class_confidence_report(rgb, value_range="unit")
    with raises_message(ValueError, "b: images must be grey images with one channel, got 3 channels in shape "
                                    "(40, 28, 28, 3); convert them to grey first (e.g. images.mean(axis=-1, "
                                    "keepdims=True))"):
        fid.fid(unit, rgb, value_range="unit")
    with raises_message(ValueError, "images must have shape (n, 28, 28) or (n, 28, 28, 1), got (40, 784)"):
        features.accuracy(unit.reshape(40, 784), np.zeros(40, "int64"), value_range="unit")
    with raises_message(ValueError, "images must have shape (n, 28, 28) or (n, 28, 28, 1), got (2, 40, 28, 28, 1)"):
        fid.class_confidence_report(np.stack([unit, unit]), value_range="unit")
    with raises_message(ValueError, "images must be a batch of images, got shape (28, 28, 1), which looks like "
                                    "one image (h, w, channels); pass a batch of one, e.g. x[None] instead of x[0] "
                                    "or x[:1]"):
        images.show_images(unit[0])
    with raises_message(ValueError, "images must have shape (n, h, w), (n, h, w, 1) or (n, h, w, 3), got "
                                    "(28, 28)"):
        images.make_grid(unit[0, ..., 0])
    with raises_message(ValueError, "images must have shape (n, h, w), (n, h, w, 1) or (n, h, w, 3), got "
                                    "(40, 28, 28, 2)"):
        images.make_grid(rgb[..., :2])
    with raises_message(ValueError, "ncols must be an int >= 1, got 0"):
        images.make_grid(unit, ncols=0)
    with raises_message(ValueError, "samples contains NaN or infinite values"):
        fid.nearest_neighbours(np.full((2, 3), np.nan), np.zeros((4, 3)))
    with raises_message(TypeError, "images must be an array of images, got str"):
        images.to_unit("x.png")


def test_accuracy_checks_labels(pixels):
    x = pixels.astype("float32") / 255
    with raises_message(ValueError, "labels must have shape (n,) (one class id per image), got (40, 10); for "
                                    "one-hot labels pass labels.argmax(axis=1)"):
        features.accuracy(x, np.eye(10)[np.zeros(40, "int64")], value_range="unit")
    with raises_message(ValueError, "labels must be class ids 0..9, got values in [0, 10]"):
        features.accuracy(x, np.arange(40) % 11, value_range="unit")
    with raises_message(ValueError, "labels must be integer class ids 0..9, got dtype float64"):
        features.accuracy(x, np.full(40, 0.5), value_range="unit")
    with raises_message(ValueError, "got 40 images but 39 labels"):
        features.accuracy(x, np.zeros(39, "int64"), value_range="unit")


def test_declared_ranges_give_the_same_numbers(pixels):
    y = load_fashion_mnist("test", scale="uint8", limit=80)[0][40:]
    unit_x, unit_y = pixels / 255.0, y / 255.0
    expected = fid.fid(unit_x, unit_y, value_range="unit")
    assert fid.fid(pixels, y, value_range="uint8") == pytest.approx(expected, rel=1e-6)
    assert fid.fid(pixels, y) == pytest.approx(expected, rel=1e-6)  # uint8 dtype is recognised
    assert fid.fid(unit_x * 2 - 1, unit_y * 2 - 1, value_range="tanh") == pytest.approx(expected, rel=1e-4)
    # a small overshoot of a sampler is clipped, not refused
    np.testing.assert_array_equal(images.to_unit(np.array([[-1.2, 0.0, 1.2]]), "tanh"), [[0.0, 0.5, 1.0]])
    labels = load_fashion_mnist("test", limit=40)[1]
    assert features.accuracy(pixels, labels, value_range="uint8") == features.accuracy(unit_x, labels, "unit")
    plt.close("all")
