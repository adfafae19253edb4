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


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the lessons' train steps are TensorFlow code")
@pytest.mark.parametrize("steps_per_execution", [1, 2])
def test_ch04_lesson_train_step_equals_the_package_step(steps_per_execution):
    ns = lesson("04_dcgan.ipynb", "build_generator", "build_discriminator", "DCGAN")

    def nets():
        keras.utils.set_random_seed(5)
        return ns["build_generator"](8, 4), ns["build_discriminator"](4)

    x, _ = load_fashion_mnist("train", scale="tanh", limit=32)
    # two steps of 16 images: the batch-norm statistics and both optimizers' states carry over
    _same_after_one_step(ns["DCGAN"], gan.GAN, nets, x, 16, label_smoothing=0.1,
                         steps_per_execution=steps_per_execution)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the lessons' train steps are TensorFlow code")
def test_the_ch04_agreement_check_fails_when_the_lesson_step_differs():
    ns = lesson("04_dcgan.ipynb", "DCGAN")
    x, _ = load_fashion_mnist("train", scale="tanh", limit=16)
    with pytest.raises(AssertionError):   # without label smoothing the lesson's step is a different step
        _same_after_one_step(_with_smoothing(ns["DCGAN"], 0.0), gan.GAN, _dcgan_nets, x, 16, label_smoothing=0.1)


def test_ch05_conditional_networks_match_the_package_builders():
    ns = lesson("05_conditional_wgan.ipynb", "build_conditional_generator", "build_conditional_discriminator")
    assert layer_summary(ns["build_conditional_generator"](16, 8)) == layer_summary(
        gan.build_conditional_generator(16, 10, 8))
    assert layer_summary(ns["build_conditional_discriminator"](8)) == layer_summary(
        gan.build_conditional_discriminator(10, 8))


def _same_after_one_step(lesson_cls, package_cls, make_nets, x, fit_batch, steps_per_execution=1, **kwargs):
    """Train a lesson model and a package model from the same weights and seed for one epoch of ``x`` (one step
    when ``len(x) == fit_batch``); assert the same logged losses and the same weights after it."""
    models = []
    for cls in (lesson_cls, package_cls):
        g, d = make_nets()
        model = cls(g, d, latent_dim=8, seed=4, **kwargs)
        model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9),
                      g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9),
                      steps_per_execution=steps_per_execution)
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


def test_ch03_jsd_identity_and_saturation():
    ns = lesson("03_gan_basics.ipynb", "value_and_jsd")
    density, value_and_jsd, x = ns["density"], ns["value_and_jsd"], ns["x_grid"]
    gauss = lambda mu, s: density(np.exp(-0.5 * ((x - mu) / s) ** 2))  # noqa: E731
    for mu in (0.0, 1.5, 3.0):
        v, jsd = value_and_jsd(gauss(0.0, 1.0), gauss(mu, 1.0))
        assert abs(v - (-np.log(4) + 2 * jsd)) < 1e-9
    # N(0, 1) against N(mu, 1): JSD has no closed form, but it is 0 at mu = 0 and grows with mu
    jsds = [value_and_jsd(gauss(0.0, 1.0), gauss(mu, 1.0))[1] for mu in (0.0, 1.0, 2.0)]
    assert abs(jsds[0]) < 1e-12 and jsds[0] < jsds[1] < jsds[2] < np.log(2)
    uniform = lambda lo: density((x >= lo) & (x < lo + 1))  # noqa: E731
    for theta, expected in [(0.25, 0.25 * np.log(2)), (0.5, 0.5 * np.log(2)), (2.0, np.log(2)), (5.0, np.log(2))]:
        v, jsd = value_and_jsd(uniform(0.0), uniform(theta))
        assert abs(jsd - expected) < 2e-3, theta
    assert abs(value_and_jsd(uniform(0.0), uniform(2.0))[0]) < 1e-9       # disjoint supports: V(D*, G) = 0


def test_ch03_bilinear_radius_follows_the_update_matrix_eigenvalues():
    bilinear = lesson("03_gan_basics.ipynb", "bilinear")["bilinear"]
    eta, steps = 0.3, 40
    radius = {m: np.hypot(*bilinear(eta, steps, m)[-1]) for m in ("simultaneous", "alternating", "extragradient")}
    np.testing.assert_allclose(radius["simultaneous"], (1 + eta ** 2) ** (steps / 2), rtol=1e-10)
    np.testing.assert_allclose(radius["extragradient"], (1 - eta ** 2 + eta ** 4) ** (steps / 2), rtol=1e-10)
    alt = bilinear(eta, 500, "alternating")
    assert np.hypot(*alt.T).max() < 1.2 and np.hypot(*alt.T).min() > 0.8    # a closed orbit around (0, 0)
    np.testing.assert_allclose(alt[2], [1 - eta ** 2, eta + eta * (1 - eta ** 2)])  # y is updated with the new x


def test_ch03_minibatch_std_feature():
    ns = lesson("03_gan_basics.ipynb", "build_discriminator", "MinibatchStd")
    x = np.array([[0.0, 1.0], [2.0, 5.0], [4.0, 3.0]], dtype="float32")
    out = ops.convert_to_numpy(ns["MinibatchStd"]()(x))
    np.testing.assert_allclose(out[:, :2], x)
    np.testing.assert_allclose(out[:, 2], np.full(3, np.std(x, axis=0).mean()), rtol=1e-6)
    same = ops.convert_to_numpy(ns["MinibatchStd"]()(np.ones((4, 2), dtype="float32")))
    np.testing.assert_allclose(same[:, 2], 0.0, atol=1e-6)                  # a collapsed batch has no spread
    d = ns["build_ring_discriminator"](minibatch_std=True)
    assert tuple(d.output.shape) == (None, 1)
    assert d.layers[-1].inputs[0].shape[-1] == 3                            # the inner D sees x and the spread
    assert ns["build_ring_discriminator"]().layers[-1].inputs[0].shape[-1] == 2


def _dcgan_nets():
    keras.utils.set_random_seed(5)
    return gan.build_dcgan_generator(8, 4), gan.build_dcgan_discriminator(4)


def _with_smoothing(cls, value):
    class Changed(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.label_smoothing = value
    return Changed
