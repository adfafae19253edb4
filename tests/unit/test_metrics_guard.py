"""The noise guard of the confident share: the classifier is confidently wrong about noise, the guard is not."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from helpers import raises_message

from aigc_course.data import load_fashion_mnist
from aigc_course.metrics import features, fid


@pytest.fixture(scope="module")
def real():
    return load_fashion_mnist("test", scale="unit", limit=1000)[0]


def _noise_sets(n=500):
    rng = np.random.default_rng(0)
    blobs = gaussian_filter(rng.random((n, 28, 28, 1)), (0, 3, 3, 0))
    return {"uniform noise": rng.random((n, 28, 28, 1)).astype("float32"),
            "grey blobs": ((blobs - blobs.min()) / np.ptp(blobs)).astype("float32")}


def test_pixel_statistics_closed_forms():
    flat = np.full((1, 28, 28), 0.5, dtype="float32")
    stripes = np.zeros((1, 28, 28), dtype="float32")
    stripes[:, :, ::2] = 1.0                       # every horizontal neighbour differs by 1, vertical by 0
    st = features.pixel_statistics(np.concatenate([flat, stripes]), value_range="unit")
    assert st["total_variation"] == pytest.approx([0.0, 0.5])
    assert st["dark_share"] == pytest.approx([0.0, 0.5])


def test_the_classifier_is_fooled_by_noise_and_the_guard_is_not(real):
    for name, x in _noise_sets().items():
        rep = fid.class_confidence_report(x, value_range="unit")
        assert rep["unguarded_confident_share"] > 0.5, name      # what the guard is for
        assert rep["confident_share"] < 0.02, name
        assert rep["typical_share"] < 0.02, name
    rep = fid.class_confidence_report(real, value_range="unit")
    assert rep["typical_share"] > 0.97
    assert rep["confident_share"] >= 0.97 * rep["unguarded_confident_share"]
    off = fid.class_confidence_report(real, value_range="unit", guard=False)
    assert off["confident_share"] == off["unguarded_confident_share"] and off["typical_share"] == 1.0


def test_the_shipped_limits_are_measured_on_the_training_images():
    x = load_fashion_mnist("train", scale="unit", limit=10_000)[0]
    measured = features.measure_pixel_guard(x, value_range="unit")
    assert measured == pytest.approx(features.pixel_guard_limits(), abs=1e-6)


def test_guard_must_be_a_bool(real):
    with raises_message(ValueError, "guard must be True or False, got 'yes'"):
        fid.class_confidence_report(real[:4], value_range="unit", guard="yes")


def test_inception_score_closed_forms():
    eye = np.eye(10)
    assert fid.inception_score(np.tile(eye, (3, 1))) == pytest.approx(10.0)      # confident and balanced
    assert fid.inception_score(np.tile(eye[:1], (7, 1))) == pytest.approx(1.0)   # one class only
    assert fid.inception_score(np.full((5, 10), 0.1)) == pytest.approx(1.0)      # never confident
    two = np.array([[0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 1.0, 0, 0, 0, 0, 0, 0, 0]])
    # p(y) = [.25, .25, .5]; KL rows: log 2, log 2 -> exp(mean) = 2
    assert fid.inception_score(two) == pytest.approx(2.0)
    with raises_message(ValueError, "a 2-D images argument must hold class probabilities (rows >= 0 summing to "
                        "1), got shape (2, 10); pass images (n, 28, 28[, 1]) or softmax outputs"):
        fid.inception_score(np.ones((2, 10)))


def test_inception_score_of_real_images_is_high(real):
    assert fid.inception_score(real, value_range="unit") > 5.0
