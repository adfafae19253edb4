"""The lessons' own code (networks and train step written in notebooks 03-05) agrees with the package's
builders and steps: same layers and shapes, same losses after one seeded step (d2l's #@save idea)."""

from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest
from keras import layers, ops

from aigc_course.data import load_fashion_mnist
from aigc_course.models import gan, losses

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def lesson(notebook: str, *names: str) -> dict:
    """Execute the notebook's code cells that define ``names`` (``def name(`` or ``class name(``) and
    return the namespace."""
    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    ns = {"keras": keras, "layers": layers, "ops": ops, "np": np, "gan": gan, "losses": losses}
    for name in names:
        cells = [c.source for c in nb.cells if c.cell_type == "code"
                 and (f"def {name}(" in c.source or f"class {name}(" in c.source)]
        assert len(cells) == 1, f"{notebook}: expected one code cell defining {name}, found {len(cells)}"
        exec(compile(cells[0], f"{notebook}:{name}", "exec"), ns)
    return ns


def layer_summary(model):
    return [(type(layer).__name__, tuple(layer.output.shape[1:]) if not isinstance(layer.output, list) else None,
             layer.count_params()) for layer in model.layers]


@pytest.mark.parametrize("width", [4, 32])
def test_ch04_networks_match_the_package_builders(width):
    ns = lesson("04_dcgan.ipynb", "build_generator", "build_discriminator")
    assert layer_summary(ns["build_generator"](16, width)) == layer_summary(gan.build_dcgan_generator(16, width))
    assert layer_summary(ns["build_discriminator"](width)) == layer_summary(gan.build_dcgan_discriminator(width))


def test_ch04_networks_compute_what_the_builders_compute():
    ns = lesson("04_dcgan.ipynb", "build_generator", "build_discriminator")
    ours, theirs = ns["build_generator"](8, 4), gan.build_dcgan_generator(8, 4)
    theirs.set_weights(ours.get_weights())
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(ours(z)), ops.convert_to_numpy(theirs(z)), atol=1e-6)
    d_ours, d_theirs = ns["build_discriminator"](4), gan.build_dcgan_discriminator(4)
    d_theirs.set_weights(d_ours.get_weights())
    x = np.random.default_rng(1).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(d_ours(x)), ops.convert_to_numpy(d_theirs(x)), atol=1e-5)


@pytest.mark.parametrize("k,s", [(2, 2), (3, 2), (4, 2), (3, 1)])
def test_ch04_scatter_transposed_convolution_matches_keras(k, s):
    conv_transpose = lesson("04_dcgan.ipynb", "conv_transpose")["conv_transpose"]
    x = np.random.default_rng(k + s).standard_normal((1, 3, 4, 2)).astype("float32")
    layer = layers.Conv2DTranspose(3, k, strides=s, padding="valid", use_bias=False)
    expected = ops.convert_to_numpy(layer(x))[0]
    ours = ops.convert_to_numpy(conv_transpose(x[0], layer.kernel, s))
    assert ours.shape == (s * 2 + k, s * 3 + k, 3) == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_ch05_conditional_networks_match_the_package_builders():
    ns = lesson("05_conditional_wgan.ipynb", "build_conditional_generator", "build_conditional_discriminator")
    assert layer_summary(ns["build_conditional_generator"](16, 8)) == layer_summary(
        gan.build_conditional_generator(16, 10, 8))
    assert layer_summary(ns["build_conditional_discriminator"](8)) == layer_summary(
        gan.build_conditional_discriminator(10, 8))


def _same_after_one_step(lesson_cls, package_cls, make_nets, x, fit_batch, **kwargs):
    """Train a lesson model and a package model from the same weights and seed for one step; return both."""
    models = []
    for cls in (lesson_cls, package_cls):
        g, d = make_nets()
        model = cls(g, d, latent_dim=8, seed=4, **kwargs)
        model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9),
                      g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9))
        logs = model.fit(x, batch_size=fit_batch, epochs=1, verbose=0, shuffle=False).history
        models.append((model, logs))
    (a, la), (b, lb) = models
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose(la[key], lb[key], rtol=1e-4, atol=1e-5, err_msg=key)
    for va, vb in zip(a.generator.weights + a.discriminator.weights, b.generator.weights + b.discriminator.weights):
        np.testing.assert_allclose(ops.convert_to_numpy(va), ops.convert_to_numpy(vb), rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the lessons' train steps are TensorFlow code")
def test_ch05_lesson_wgan_gp_step_equals_the_package_step():
    ns = lesson("05_conditional_wgan.ipynb", "gradient_penalty", "LessonWGANGP")
    x, _ = load_fashion_mnist("train", scale="tanh", limit=24)

    def nets():
        keras.utils.set_random_seed(7)
        return gan.build_dcgan_generator(8, 4), gan.build_wgan_critic(4)

    # one step: 3 critic updates on three fresh slices of 8 images, then one generator update
    _same_after_one_step(ns["LessonWGANGP"], gan.WGANGP, nets, x, 24, n_critic=3, gp_weight=10.0)


def test_ch03_mlp_networks_match_the_package_builders():
    ns = lesson("03_gan_basics.ipynb", "build_generator", "build_discriminator")
    assert layer_summary(ns["build_generator"](16)) == layer_summary(gan.build_mlp_generator(16))
    assert layer_summary(ns["build_discriminator"]()) == layer_summary(gan.build_mlp_discriminator())
    ring_g = ns["build_generator"](8, hidden=(32, 32), output_shape=(2,), output_activation=None)
    assert layer_summary(ring_g) == layer_summary(
        gan.build_mlp_generator(8, output_shape=(2,), hidden=(32, 32), output_activation=None))


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the lessons' train steps are TensorFlow code")
def test_ch03_lesson_train_step_equals_the_package_step():
    ns = lesson("03_gan_basics.ipynb", "LessonGAN")
    x, _ = load_fashion_mnist("train", scale="tanh", limit=16)

    _same_after_one_step(ns["LessonGAN"], gan.GAN, _dcgan_nets, x, 16, label_smoothing=0.1)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the lessons' train steps are TensorFlow code")
def test_the_agreement_check_fails_when_the_lesson_step_differs():
    ns = lesson("03_gan_basics.ipynb", "LessonGAN")
    x, _ = load_fashion_mnist("train", scale="tanh", limit=16)

    with pytest.raises(AssertionError):   # the same step without label smoothing is a different step
        _same_after_one_step(_with_smoothing(ns["LessonGAN"], 0.0), gan.GAN, _dcgan_nets, x, 16, label_smoothing=0.1)


def _dcgan_nets():
    keras.utils.set_random_seed(5)
    return gan.build_dcgan_generator(8, 4), gan.build_dcgan_discriminator(4)


def _with_smoothing(cls, value):
    class Changed(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.label_smoothing = value
    return Changed
