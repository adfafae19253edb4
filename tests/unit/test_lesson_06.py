"""Chapter 06's lesson code equals the package's (d2l's ``#@save`` idea).

The code cells of notebooks/06_vae.ipynb whose first line is ``#@save`` (sampling layer, encoder, decoder, loss,
model) are executed here with only math, numpy, keras and keras.ops in scope, and compared with
``aigc_course.models.vae`` and ``aigc_course.models.losses``: same layers and shapes, same outputs with the same
weights, same loss after one seeded training step.
"""

from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from helpers import assert_vae_lesson_equals_package, lesson_namespace

from aigc_course.models import losses, vae

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "06_vae.ipynb"
SAVED = ["Sampling", "build_encoder", "build_decoder", "negative_elbo_terms", "VAE"]


@pytest.fixture(scope="module")
def lesson():
    return lesson_namespace(NOTEBOOK, SAVED)


def _np(x):
    return ops.convert_to_numpy(x)


def _images(n, seed):
    return np.random.default_rng(seed).random((n, 28, 28, 1)).astype("float32")


@pytest.mark.backend
def test_sampling_layer_equals_the_package(lesson):
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(64, 3)).astype("float32")
    log_var = rng.normal(size=(64, 3)).astype("float32")
    z_lesson = _np(lesson["Sampling"](seed=5)([mu, log_var]))
    z_package = _np(vae.Sampling(seed=5)([mu, log_var]))
    np.testing.assert_allclose(z_lesson, z_package, rtol=1e-6, atol=1e-6)
    eps = (z_lesson - mu) / np.exp(0.5 * log_var)      # the noise is standard normal, shared by both
    assert abs(eps.mean()) < 0.2 and abs(eps.std() - 1.0) < 0.2


@pytest.mark.backend
@pytest.mark.parametrize("filters,dense,latent", [((32, 64), 256, 16), ((8, 16), 32, 2)])
def test_encoder_and_decoder_equal_the_package(lesson, filters, dense, latent):
    enc, dec = lesson["build_encoder"](latent, filters, dense), lesson["build_decoder"](latent, filters[::-1], dense)
    p_enc = vae.build_conv_encoder(latent, filters=filters, dense=dense)
    p_dec = vae.build_conv_decoder(latent, filters=filters[::-1], dense=dense)
    assert [tuple(w.shape) for w in enc.get_weights()] == [tuple(w.shape) for w in p_enc.get_weights()]
    assert [tuple(w.shape) for w in dec.get_weights()] == [tuple(w.shape) for w in p_dec.get_weights()]
    p_enc.set_weights(enc.get_weights())
    p_dec.set_weights(dec.get_weights())
    x = _images(4, 1)
    for a, b in zip(enc(x), p_enc(x)):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-5)
    z = np.random.default_rng(2).normal(size=(4, latent)).astype("float32")
    np.testing.assert_allclose(_np(dec(z)), _np(p_dec(z)), rtol=1e-5, atol=1e-5)
    assert tuple(dec(z).shape) == (4, 28, 28, 1)


@pytest.mark.backend
def test_loss_terms_equal_the_package_losses(lesson):
    rng = np.random.default_rng(3)
    x = _images(5, 4)
    logits = rng.normal(scale=3.0, size=(5, 28, 28, 1)).astype("float32")
    mu, log_var = rng.normal(size=(5, 6)).astype("float32"), rng.normal(size=(5, 6)).astype("float32")
    recon, kl_per_dim = lesson["negative_elbo_terms"](x, logits, mu, log_var)
    np.testing.assert_allclose(_np(recon), _np(losses.bernoulli_nll(x, logits)), rtol=1e-5)
    np.testing.assert_allclose(_np(kl_per_dim).sum(-1), _np(losses.gaussian_kl(mu, log_var)), rtol=1e-5)
    assert _np(kl_per_dim).shape == (5, 6) and np.all(_np(kl_per_dim) >= 0)


@pytest.mark.backend
@pytest.mark.parametrize("beta", [1.0, 4.0])
def test_one_seeded_training_step_gives_the_same_model(lesson, beta):
    x = _images(32, 5)

    def pair():
        keras.utils.set_random_seed(0)
        enc, dec = lesson["build_encoder"](3, (8, 16), 32), lesson["build_decoder"](3, (16, 8), 32)
        p_enc, p_dec = vae.build_conv_encoder(3, filters=(8, 16), dense=32), vae.build_conv_decoder(3, filters=(16, 8), dense=32)
        p_enc.set_weights(enc.get_weights())
        p_dec.set_weights(dec.get_weights())
        return lesson["VAE"](enc, dec, beta=beta, seed=9), vae.VAE(p_enc, p_dec, beta=beta, seed=9)

    assert_vae_lesson_equals_package(pair, x)


@pytest.mark.backend
def test_free_bits_stop_the_kl_push_below_the_threshold(lesson):
    keras.utils.set_random_seed(1)
    enc, dec = lesson["build_encoder"](4, (8, 16), 32), lesson["build_decoder"](4, (16, 8), 32)
    x = _images(16, 6)
    plain, free = lesson["VAE"](enc, dec, seed=2), lesson["VAE"](enc, dec, free_bits=10.0, seed=2)
    y = plain(x)
    recon, kl_per_dim = lesson["negative_elbo_terms"](x, *y)
    loss_plain = float(_np(plain.compute_loss(x, y_pred=y)))
    loss_free = float(_np(free.compute_loss(x, y_pred=y)))
    kl_means = _np(kl_per_dim).mean(0)
    assert loss_plain == pytest.approx(float(_np(recon).mean() + kl_means.sum()), rel=1e-5)
    assert loss_free == pytest.approx(float(_np(recon).mean() + np.maximum(kl_means, 10.0).sum()), rel=1e-5)
    assert loss_free > loss_plain
