"""The shipped Fashion-MNIST feature network: architecture, weights on every backend, accuracy, embeddings,
and the image-based metrics that use it."""

import numpy as np
import pytest

from aigc_course.data import load_fashion_mnist
from aigc_course.metrics import features, fid


@pytest.fixture(scope="module")
def test_set():
    return load_fashion_mnist("test", scale="unit")


def test_build_classifier_shapes_and_feature_layer():
    model = features.build_classifier()
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert model.get_layer(features.FEATURE_LAYER).output.shape == (None, features.FEATURE_DIM)
    assert model.count_params() < 600_000  # the weights file stays well under 3 MB


def test_weights_file_is_small_and_described():
    assert features.WEIGHTS_FILE.stat().st_size < 3 * 1024 * 1024
    info = features.weights_info()
    for key in ("test_accuracy", "epochs", "backend", "date", "command",
                "fid_train10k_vs_test10k", "test_confident_share_0.9", "feature_scale"):
        assert key in info, key
    assert info["command"].startswith("python scripts/train_feature_net.py")


def test_shipped_classifier_accuracy_on_the_real_test_set(test_set):
    # All 10 000 test images (TensorFlow and JAX; PyTorch's CPU predict is too slow for a unit test and is
    # covered by the fingerprint test below).
    x, y = test_set
    acc = features.accuracy(x, y, value_range="unit")
    assert acc >= 0.90
    assert round(acc, 3) == round(features.weights_info()["test_accuracy"], 3)


@pytest.mark.backend
def test_weights_load_identically_on_every_backend(test_set):
    model = features.load_classifier()
    assert features.load_classifier() is model  # cached
    logits = features.predict_logits(test_set[0][:8], value_range="unit")
    np.testing.assert_allclose(logits, features.weights_info()["reference_logits_test_first8"], atol=2e-3)
    assert features.accuracy(*(a[:500] for a in test_set)) >= 0.88


@pytest.mark.backend
def test_embed_and_predict_proba(test_set):
    x = test_set[0][:64]
    f = features.embed(x)
    assert f.shape == (64, 128) and f.dtype == np.float64
    # (n, 28, 28) and images in [-1, 1] give the same features as (n, 28, 28, 1) in [0, 1].
    np.testing.assert_allclose(features.embed(x[..., 0]), f, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(features.embed(x * 2 - 1, value_range="tanh", batch_size=7), f, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(f, features.raw_features(x) / features.weights_info()["feature_scale"], rtol=1e-12)
    p = features.predict_proba(x)
    assert p.shape == (64, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-9)
    assert (p >= 0).all()


def test_feature_errors(tmp_path):
    with pytest.raises(ValueError, match=r"^images must have shape \(n, 28, 28\) or \(n, 28, 28, 1\), got \(2, 32, 32\)$"):
        features.embed(np.zeros((2, 32, 32)))
    with pytest.raises(ValueError, match=r"^images must hold at least one image, got 0$"):
        features.predict_proba(np.zeros((0, 28, 28, 1)))
    with pytest.raises(ValueError, match=r"^value_range must be 'tanh', 'unit', 'uint8' or None, got '0-255'$"):
        features.embed(np.zeros((2, 28, 28, 1)), value_range="0-255")
    with pytest.raises(ValueError, match=r"^batch_size must be a positive int, got 0$"):
        features.embed(np.zeros((2, 28, 28, 1)), batch_size=0)
    with pytest.raises(TypeError, match=r"^images must be an array of images, got str$"):
        features.embed("images.png")
    missing = tmp_path / "none.weights.h5"
    with pytest.raises(FileNotFoundError, match=r"none\.weights\.h5 are missing; run `python scripts/train_feature_net.py`"):
        features.load_classifier(weights=missing)


def test_image_metrics_on_real_images(test_set):
    x, y = test_set
    a, b = x[:300], x[300:600]
    assert fid.fid(a, a) == pytest.approx(0.0, abs=1e-6)
    real_vs_real = fid.fid(a, b)
    noise = np.random.default_rng(0).random((300, 28, 28, 1)).astype("float32")
    assert fid.fid(a, noise) > 10 * real_vs_real
    rep = fid.class_confidence_report(x[:500], threshold=0.9)
    assert rep["predicted"].shape == (500,)
    assert sum(rep["class_histogram"]) == pytest.approx(1.0)
    assert rep["confident_share"] > 0.7
    assert np.mean(rep["predicted"] == y[:500]) >= 0.85
    mem = fid.memorisation_report(x[:10], x[:400], space="features")  # copies, compared in feature space
    np.testing.assert_array_equal(mem["indices"], np.arange(10))
    assert mem["copy_share"] == 1.0 and mem["threshold"] > 0
    with pytest.raises(ValueError, match=r"^threshold must be a number in \(0, 1\], got 0$"):
        fid.class_confidence_report(x[:5], threshold=0)
