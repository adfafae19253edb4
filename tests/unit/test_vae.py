import math

import keras
import numpy as np
import pytest
from keras import ops

from aigc_course.data import load_fashion_mnist
from aigc_course.models import vae


def _tiny_dense(latent_dim=2, shape=(6,), seed=0, beta=1.0):
    enc = vae.build_dense_encoder(latent_dim, input_shape=shape, hidden=(8,))
    dec = vae.build_dense_decoder(latent_dim, output_shape=shape, hidden=(8,))
    return vae.VAE(enc, dec, beta=beta, seed=seed)


@pytest.mark.backend
def test_sampling_mean_variance_and_gradient():
    layer = vae.Sampling(seed=3)
    mu = np.full((20000, 2), [1.5, -2.0], dtype="float32")
    log_var = np.full((20000, 2), np.log([0.25, 4.0]), dtype="float32")
    z = ops.convert_to_numpy(layer([mu, log_var]))
    assert z.shape == (20000, 2)
    np.testing.assert_allclose(z.mean(axis=0), [1.5, -2.0], atol=0.05)
    np.testing.assert_allclose(z.var(axis=0), [0.25, 4.0], rtol=0.05)
    # differentiable: a Dense layer in front of Sampling gets a gradient through fit()
    x_in = keras.Input((3,))
    out = vae.Sampling(seed=1)([keras.layers.Dense(2)(x_in), keras.layers.Dense(2)(x_in)])
    model = keras.Model(x_in, out)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(np.ones((8, 3), "float32"), np.full((8, 2), 3.0, "float32"), epochs=1, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    with pytest.raises(ValueError, match=r"mu and log_var must have the same shape, got \(2, 2\) and \(2, 3\)"):
        layer([np.zeros((2, 2), "float32"), np.zeros((2, 3), "float32")])


@pytest.mark.backend
def test_elbo_terms_match_closed_form_on_a_hand_built_model():
    # encoder: mu = 0.5 * sum(x), log_var = log 0.25 (constant); decoder logits = 0 (p = 1/2 per pixel)
    x_in = keras.Input((4,))
    mu = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.5), bias_initializer="zeros")(x_in)
    lv = keras.layers.Dense(1, kernel_initializer="zeros",
                            bias_initializer=keras.initializers.Constant(math.log(0.25)))(x_in)
    enc = keras.Model(x_in, [mu, lv])
    z_in = keras.Input((1,))
    dec = keras.Model(z_in, keras.layers.Dense(4, kernel_initializer="zeros", bias_initializer="zeros")(z_in))
    model = vae.VAE(enc, dec, seed=0)
    x = np.array([[1, 0, 1, 1], [0, 0, 0, 0]], dtype="float32")
    terms = vae.elbo_terms(model, x)
    np.testing.assert_allclose(terms["recon"], [4 * math.log(2)] * 2, rtol=1e-5)
    kl = lambda m, s2: 0.5 * (m * m + s2 - math.log(s2) - 1)  # noqa: E731
    np.testing.assert_allclose(terms["kl"], [kl(1.5, 0.25), kl(0.0, 0.25)], rtol=1e-5)
    assert vae.evaluate_elbo(model, x) == pytest.approx(4 * math.log(2) + (kl(1.5, 0.25) + kl(0.0, 0.25)) / 2, rel=1e-5)
    # the training loss uses the same terms: beta = 2 doubles the KL part
    model2 = vae.VAE(enc, dec, beta=2.0)
    y_pred = model2(x)
    loss = float(ops.convert_to_numpy(model2.compute_loss(x=x, y_pred=y_pred)))
    assert loss == pytest.approx(4 * math.log(2) + 2 * (kl(1.5, 0.25) + kl(0.0, 0.25)) / 2, rel=1e-5)


@pytest.mark.backend
def test_fit_lowers_the_loss_and_logs_terms():
    keras.utils.set_random_seed(0)
    x, _ = load_fashion_mnist("train", scale="unit", limit=256)
    model = vae.VAE(vae.build_dense_encoder(4, hidden=(32,)), vae.build_dense_decoder(4, hidden=(32,)), seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    before = vae.evaluate_elbo(model, x)
    hist = model.fit(x, epochs=3, batch_size=32, verbose=0).history
    assert {"loss", "recon", "kl"} <= set(hist)
    assert hist["loss"][-1] < hist["loss"][0] - 50
    np.testing.assert_allclose(np.add(hist["recon"], hist["kl"]), hist["loss"], rtol=1e-3)
    after = vae.evaluate_elbo(model, x)
    assert after < before - 100


def test_conv_builders_shapes():
    enc = vae.build_conv_encoder(16, filters=(4, 8), dense=16)
    dec = vae.build_conv_decoder(16, filters=(8, 4), dense=16)
    mu, lv = enc(np.zeros((2, 28, 28, 1), "float32"))
    assert tuple(mu.shape) == (2, 16) and tuple(lv.shape) == (2, 16)
    assert tuple(dec(np.zeros((3, 16), "float32")).shape) == (3, 28, 28, 1)
    model = vae.VAE(enc, dec)
    logits, mu, lv = model(np.zeros((2, 28, 28, 1), "float32"))
    assert tuple(logits.shape) == (2, 28, 28, 1) and model.latent_dim == 16


def test_seeded_determinism():
    x = np.random.default_rng(0).uniform(size=(64, 6)).astype("float32")

    def run():
        keras.utils.set_random_seed(1)
        m = _tiny_dense(seed=5)
        m.compile(optimizer=keras.optimizers.Adam(1e-2))
        return m.fit(x, epochs=2, batch_size=16, verbose=0, shuffle=False).history["loss"], m.generate(3, seed=2)

    (h1, g1), (h2, g2) = run(), run()
    np.testing.assert_allclose(h1, h2, rtol=1e-6)
    np.testing.assert_allclose(g1, g2, rtol=1e-6)
    assert g1.shape == (3, 6) and 0 <= g1.min() and g1.max() <= 1


def test_encode_decode_reconstruct_shapes():
    model = _tiny_dense(latent_dim=3)
    x = np.random.default_rng(0).uniform(size=(5, 6)).astype("float32")
    mu, log_var = model.encode(x)
    assert mu.shape == (5, 3) and log_var.shape == (5, 3)
    rec = model.reconstruct(x)
    assert rec.shape == (5, 6) and 0 <= rec.min() and rec.max() <= 1
    np.testing.assert_allclose(rec, model.decode(mu), rtol=1e-6)


def test_clear_errors():
    with pytest.raises(ValueError, match=r"latent_dim must be an int >= 1, got 0"):
        vae.build_dense_encoder(0)
    with pytest.raises(ValueError, match=r"latent_dim must be an int >= 1, got 2.5"):
        vae.build_conv_decoder(2.5)
    with pytest.raises(ValueError, match=r"beta must be a finite number >= 0, got -1"):
        _tiny_dense(beta=-1)
    with pytest.raises(ValueError, match=r"output height and width must be divisible by 2\*\*len\(filters\) = 4"):
        vae.build_conv_decoder(2, output_shape=(30, 30, 1))
    with pytest.raises(ValueError, match=r"decoder expects a latent of size 3 but the encoder gives 2"):
        vae.VAE(vae.build_dense_encoder(2, input_shape=(6,)), vae.build_dense_decoder(3, output_shape=(6,)))
    with pytest.raises(TypeError, match=r"encoder and decoder must be keras.Model instances, got str and str"):
        vae.VAE("enc", "dec")
    model = _tiny_dense()
    with pytest.raises(ValueError, match=r"x must have shape \(n, 6\), got \(4, 5\)"):
        vae.evaluate_elbo(model, np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"x must hold values in \[0, 1\] \(Bernoulli likelihood\), got values in \[-1, 1\]"):
        model.fit(np.array([[-1, 1, 0, 0, 0, 0]], "float32"), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"z must have shape \(n, 2\), got \(3,\)"):
        model.decode(np.zeros(3))
    with pytest.raises(ValueError, match=r"n must be an int >= 1, got 0"):
        model.generate(0)


def test_latent_grid_interpolation_and_widgets_without_front_end():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aigc_course.viz import plots, widgets

    model = _tiny_dense(latent_dim=2)
    images, coords = vae.latent_grid(model, n=4, span=2.0)
    assert images.shape == (16, 6)
    np.testing.assert_allclose(coords, [-2, -2 / 3, 2 / 3, 2], rtol=1e-6)
    # first row is the top of the plane (z2 = +span), read left to right (z1 from -span)
    np.testing.assert_allclose(images[0], model.decode(np.array([[-2.0, 2.0]]))[0], rtol=1e-5)
    x = np.random.default_rng(0).uniform(size=(2, 6)).astype("float32")
    strip = vae.interpolate(model, x[0], x[1], steps=5)
    mu, _ = model.encode(x)
    assert strip.shape == (5, 6)
    np.testing.assert_allclose(strip[[0, -1]], model.decode(mu), rtol=1e-5)
    with pytest.raises(ValueError, match=r"steps must be an int >= 2, got 1"):
        vae.interpolate(model, x[0], x[1], steps=1)
    with pytest.raises(ValueError, match=r"dims must be two different latent indices below 2, got \(0, 0\)"):
        vae.latent_grid(model, dims=(0, 0))

    img_model = vae.VAE(vae.build_dense_encoder(2, hidden=(4,)), vae.build_dense_decoder(2, hidden=(4,)))
    pool = np.random.default_rng(1).uniform(size=(3, 28, 28, 1)).astype("float32")
    plt.close("all")
    assert widgets.latent_explorer(img_model, n=3) is None  # no IPython here: static figure only
    assert widgets.interpolation_strip(img_model, pool, 0, 2, steps=3) is None
    assert len(plt.get_fignums()) == 2
    with pytest.raises(ValueError, match=r"j must be an index in \[0, 2\], got 3"):
        widgets.interpolation_strip(img_model, pool, 0, 3)
    fig = plots.plot_latent_map(np.zeros((4, 2)), np.array([0, 1, 1, 2]), ["a", "b", "c"])
    assert len(fig.axes[0].get_legend().get_texts()) == 3
    with pytest.raises(ValueError, match=r"z must have shape \(n, 2\), got \(4, 3\)"):
        plots.plot_latent_map(np.zeros((4, 3)), np.zeros(4))
    plt.close("all")


def test_save_and_load_roundtrip(tmp_path):
    model = _tiny_dense(beta=2.0, seed=3)
    model(np.zeros((1, 6), "float32"))
    model.save(tmp_path / "vae.keras")
    loaded = keras.saving.load_model(tmp_path / "vae.keras")
    assert isinstance(loaded, vae.VAE) and loaded.beta == 2.0 and loaded.latent_dim == 2
    z = np.array([[0.5, -1.0], [2.0, 0.0]], "float32")
    np.testing.assert_allclose(loaded.decode(z), model.decode(z), rtol=1e-6)
