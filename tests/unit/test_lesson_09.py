"""Chapter 09's lesson code equals the package's (d2l's ``#@save`` idea).

The code cells of notebooks/09_audio.ipynb whose first line is ``#@save`` (STFT, inverse STFT, Griffin-Lim, the note
VAE's sampling layer, encoder, decoder, loss and model, mu-law encoding and decoding, the WaveNet block and builder)
run here with only math, numpy, keras and keras.ops in scope, and are compared with ``aigc_course.data.audio``,
``aigc_course.models.vae`` and ``aigc_course.models.audio``.
"""

from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from helpers import assert_vae_lesson_equals_package, lesson_namespace

from aigc_course.data import audio as au
from aigc_course.models import audio as wavenet
from aigc_course.models import losses, vae

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09_audio.ipynb"
SAVED = ["stft", "istft", "griffin_lim", "Sampling", "build_note_encoder", "build_note_decoder", "note_elbo_terms",
         "NoteVAE", "mu_law_encode", "mu_law_decode", "CausalBlock", "build_wavenet"]


@pytest.fixture(scope="module")
def lesson():
    return lesson_namespace(NOTEBOOK, SAVED)


def _np(x):
    return ops.convert_to_numpy(x)


def test_stft_istft_and_griffin_lim_equal_the_package(lesson):
    x = au.synth_note(57, "sawtooth", duration=0.3, seed=2).astype("float64")
    s_lesson, s_pkg = lesson["stft"](x, 256, 64), au.stft(x, 256, 64)
    assert s_lesson.shape == s_pkg.shape == (1 + (len(x) - 256) // 64, 129)
    np.testing.assert_allclose(s_lesson, s_pkg, atol=1e-9)
    back = lesson["istft"](s_lesson, 64, len(x))
    np.testing.assert_allclose(back, au.istft(s_pkg, 64, len(x)), atol=1e-9)
    np.testing.assert_allclose(back[256:-256], x[256:-256], atol=1e-9)   # perfect reconstruction inside
    g_lesson, err_lesson = lesson["griffin_lim"](np.abs(s_lesson), 64, n_iter=8, length=len(x), seed=3)
    g_pkg, err_pkg = au.griffin_lim(np.abs(s_pkg), 64, n_iter=8, length=len(x), seed=3, return_errors=True)
    np.testing.assert_allclose(g_lesson, g_pkg, atol=1e-8)
    np.testing.assert_allclose(err_lesson, err_pkg, rtol=1e-7)


def test_griffin_lim_lowers_the_spectral_convergence_and_keeps_the_pitch():
    x = au.synth_note(57, "sawtooth", duration=0.5, seed=0).astype("float64")
    mag = np.abs(au.stft(x, 512, 128))
    y, errors = au.griffin_lim(mag, 128, n_iter=30, length=len(x), seed=0, return_errors=True)
    assert errors[-1] < 0.5 * errors[0] and errors[-1] < 0.2
    assert np.all(np.diff(errors) <= 1e-9)       # alternating projections never increase the error
    f0, clarity = au.estimate_pitch(y.astype("float32"))
    assert f0 == pytest.approx(220.0, rel=0.01) and clarity > 0.85
    assert au.spectral_convergence(mag, np.abs(au.stft(y, 512, 128))) == pytest.approx(errors[-1], rel=0.2)


def test_mu_law_equals_the_package_and_has_the_closed_form(lesson):
    x = np.random.default_rng(0).uniform(-1, 1, 5000)
    q = lesson["mu_law_encode"](x)
    np.testing.assert_array_equal(q, au.mu_law_encode(x))
    np.testing.assert_array_equal(lesson["mu_law_decode"](q), au.mu_law_decode(q))
    assert au.mu_law_encode(np.array([-1.0, 0.0, 1.0])).tolist() == [0, 128, 255]
    # F(0.5) = ln(1 + 127.5) / ln(256) = 0.8757 -> round(1.8757 / 2 * 255) = 239
    assert int(au.mu_law_encode(0.5)) == 239
    # decoding a level returns the centre of its cell: encoding it again gives the same level
    levels = np.arange(256)
    np.testing.assert_array_equal(au.mu_law_encode(au.mu_law_decode(levels)), levels)
    with pytest.raises(ValueError):
        au.mu_law_decode([0, 256])


@pytest.mark.backend
def test_note_vae_pieces_equal_the_package(lesson):
    enc = lesson["build_note_encoder"](4, 33, (16, 8))
    dec = lesson["build_note_decoder"](4, 33, (8, 16))
    p_enc = vae.build_dense_encoder(4, input_shape=(33,), hidden=(16, 8))
    p_dec = vae.build_dense_decoder(4, output_shape=(33,), hidden=(8, 16))
    assert [w.shape for w in enc.get_weights()] == [w.shape for w in p_enc.get_weights()]
    assert [w.shape for w in dec.get_weights()] == [w.shape for w in p_dec.get_weights()]
    p_enc.set_weights(enc.get_weights())
    p_dec.set_weights(dec.get_weights())
    x = np.random.default_rng(1).random((5, 33)).astype("float32")
    for a, b in zip(enc(x), p_enc(x)):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-6)
    z = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(_np(dec(z)), _np(p_dec(z)), rtol=1e-5, atol=1e-6)
    mu, log_var = [_np(t) for t in enc(x)]
    logits = _np(dec(z))
    recon, kl = lesson["note_elbo_terms"](x, logits, mu, log_var)
    np.testing.assert_allclose(_np(recon), _np(losses.bernoulli_nll(x, logits)), rtol=1e-5)
    np.testing.assert_allclose(_np(kl), _np(losses.gaussian_kl(mu, log_var)), rtol=1e-5)
    z_l = _np(lesson["Sampling"](seed=4)([mu, log_var]))
    np.testing.assert_allclose(z_l, _np(vae.Sampling(seed=4)([mu, log_var])), rtol=1e-6, atol=1e-6)


@pytest.mark.backend
def test_one_seeded_note_vae_step_gives_the_same_model(lesson):
    x = np.random.default_rng(5).random((32, 33)).astype("float32")

    def pair():
        keras.utils.set_random_seed(0)
        enc, dec = lesson["build_note_encoder"](3, 33, (16,)), lesson["build_note_decoder"](3, 33, (16,))
        p_enc = vae.build_dense_encoder(3, input_shape=(33,), hidden=(16,))
        p_dec = vae.build_dense_decoder(3, output_shape=(33,), hidden=(16,))
        p_enc.set_weights(enc.get_weights())
        p_dec.set_weights(dec.get_weights())
        return lesson["NoteVAE"](enc, dec, seed=9), vae.VAE(p_enc, p_dec, seed=9)

    mine = assert_vae_lesson_equals_package(pair, x)
    gen = mine.generate(6, seed=1)
    assert gen.shape == (6, 33) and gen.min() >= 0 and gen.max() <= 1


def _copy_weights(src, dst):
    """Copy weights layer by layer in creation order (the two builders create the same layers)."""
    assert [w.shape for w in src.get_weights()] == [w.shape for w in dst.get_weights()]
    dst.set_weights(src.get_weights())


@pytest.mark.backend
@pytest.mark.parametrize("conditions", [None, 5])
def test_wavenet_equals_the_package(lesson, conditions):
    keras.utils.set_random_seed(0)
    mine = lesson["build_wavenet"](16, 8, (1, 2, 4), n_conditions=conditions)
    pkg = wavenet.build_wavenet(16, 8, (1, 2, 4), n_conditions=conditions)
    _copy_weights(mine, pkg)
    x = np.random.default_rng(0).integers(0, 16, size=(3, 20)).astype("int32")
    inputs = x if conditions is None else [x, np.array([0, 2, 4], "int32")]
    out = _np(mine(inputs))
    assert out.shape == (3, 20, 16)
    np.testing.assert_allclose(out, _np(pkg(inputs)), rtol=1e-5, atol=1e-5)


@pytest.mark.backend
def test_lesson_wavenet_is_causal_and_the_cache_reproduces_it(lesson):
    keras.utils.set_random_seed(1)
    model = lesson["build_wavenet"](16, 8, (1, 2, 4, 8), n_conditions=3)
    x = np.random.default_rng(1).integers(0, 16, size=(2, 60)).astype("int32")
    c = np.array([0, 2], "int32")
    base = _np(model([x, c]))
    x2 = x.copy()
    x2[:, 25] = (x2[:, 25] + 7) % 16
    changed = np.abs(_np(model([x2, c])) - base).max(axis=(0, 2)) > 1e-6
    rf = wavenet.receptive_field((1, 2, 4, 8))
    assert rf == 16
    assert not changed[:25].any() and changed[25] and not changed[25 + rf:].any()
    gen = wavenet.FastGenerator(model)
    gen.reset(2, c)
    cached = np.stack([gen.step(x[:, t]) for t in range(60)], axis=1)
    np.testing.assert_allclose(cached, base, rtol=1e-4, atol=1e-4)
