"""The QIM watermark: round trip, PSNR with known answers, the strength <-> PSNR formulas, and the attacks."""

import math

import numpy as np
import pytest
from helpers import raises_message

from aigc_course.safety import attacks
from aigc_course.safety import watermark as wm


def blobs(n=40, seed=0):
    """Images in [0, 1] that look like Fashion-MNIST: a bright blob on a black background (so clipping matters)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:28, :28]
    out = []
    for _ in range(n):
        cy, cx, r = rng.uniform(10, 18), rng.uniform(10, 18), rng.uniform(5, 9)
        out.append(np.clip(1.2 - np.hypot(yy - cy, xx - cx) / r, 0, 1) * rng.uniform(0.6, 1.0))
    return np.stack(out)[..., None].astype("float32")


def test_psnr_known_answers():
    a = np.zeros((2, 28, 28, 1))
    assert wm.psnr(a, a + 0.01) == pytest.approx(40.0)          # MSE 1e-4
    assert wm.psnr(a, a + 0.1) == pytest.approx(20.0)
    assert wm.psnr(a, a) == math.inf


@pytest.mark.parametrize("repeats", [1, 2])
def test_round_trip_is_exact_on_clean_images_and_stays_in_range(repeats):
    x = blobs()
    bits = wm.random_bits(16, len(x), seed=1)
    marked = wm.embed(x, bits, strength=0.3, key=7, repeats=repeats)
    assert marked.shape == x.shape and marked.dtype == np.float32
    assert marked.min() >= 0.0 and marked.max() <= 1.0
    assert wm.bit_accuracy(bits, wm.extract(marked, 16, strength=0.3, key=7, repeats=repeats)) == 1.0
    # 8-bit saving moves a carrier by far less than a quarter step: still exact
    assert wm.bit_accuracy(bits, wm.extract(attacks.quantise(marked), 16, 0.3, key=7, repeats=repeats)) == 1.0


def test_the_key_is_needed_to_read_the_message():
    x = blobs(200)
    bits = wm.random_bits(16, len(x), seed=2)
    marked = wm.embed(x, bits, strength=0.3, key=7)
    assert abs(wm.bit_accuracy(bits, wm.extract(marked, 16, 0.3, key=8)) - 0.5) < 0.05


def test_psnr_follows_the_quantisation_error_formula_without_clipping():
    # mid-grey images never clip, so the measured PSNR is the uniform-error prediction k·Δ²/12/N
    x = np.full((300, 28, 28), 0.5, dtype="float32") + np.random.default_rng(3).uniform(-0.05, 0.05, (300, 28, 28))
    bits = wm.random_bits(16, len(x), seed=3)
    marked = wm.embed(x.astype("float32"), bits, strength=0.3, key=1)
    assert wm.psnr(x, marked) == pytest.approx(wm.expected_psnr(0.3, 16), abs=0.3)


def test_strength_for_psnr_inverts_expected_psnr():
    s = wm.strength_for_psnr(38.0, 32)
    assert wm.expected_psnr(s, 32) == pytest.approx(38.0)
    assert wm.expected_psnr(0.1, 1, n_pixels=12) == pytest.approx(10 * math.log10(12 * 12 / 0.01))


def test_capacity_known_answer():
    # D / sigma^2 = 1 -> one bit per two pixels
    assert wm.capacity_bits(784, 20 * math.log10(1 / 0.02), 0.02) == pytest.approx(392.0)


def test_bad_inputs_say_how_to_fix():
    with raises_message(ValueError, "images must hold values in [0, 1], got values in [-1, 1]; "
                                    "map tanh images with (x + 1) / 2 first"):
        wm.embed(np.linspace(-1, 1, 784).reshape(1, 28, 28), [0, 1], strength=0.3)
    with raises_message(ValueError, "bits must hold only 0 and 1; convert text with np.unpackbits first"):
        wm.embed(np.zeros((1, 28, 28)), [0, 2])
    with raises_message(ValueError, "the band (2, 12) of a (28, 28) image has 88 coefficients, but "
                                    "n_bits * repeats = 100; use fewer bits or repeats"):
        wm.carriers(100)


def test_gaussian_noise_has_the_requested_spread_and_is_seeded():
    x = np.full((50, 28, 28, 1), 0.5, dtype="float32")
    noisy = attacks.gaussian_noise(x, 0.02, seed=4)
    assert noisy.shape == x.shape
    assert np.std(noisy - x) == pytest.approx(0.02, rel=0.02)
    assert np.array_equal(noisy, attacks.gaussian_noise(x, 0.02, seed=4))
    assert attacks.gaussian_noise(x, 0.5, seed=0).min() >= 0.0      # clipped to [0, 1]


def test_quantise_puts_pixels_on_the_8_bit_grid():
    x = np.random.default_rng(5).uniform(0, 1, (10, 28, 28)).astype("float32")
    q = attacks.quantise(x)
    assert np.allclose(q * 255, np.round(q * 255), atol=1e-4)
    assert np.abs(q - x).max() <= 0.5 / 255 + 1e-6


def test_resize_keeps_smooth_images_and_removes_fine_detail():
    yy, xx = np.mgrid[:28, :28] / 27.0
    ramp = np.broadcast_to(0.2 + 0.6 * xx, (3, 28, 28))
    assert np.allclose(attacks.resize(ramp, 0.5), ramp, atol=0.02)
    checker = np.broadcast_to(((np.add.outer(np.arange(28), np.arange(28))) % 2).astype(float), (3, 28, 28))
    assert attacks.resize(checker, 0.5).std() < 0.1 * checker.std()
    assert attacks.resize(ramp, 1.0).shape == (3, 28, 28)


def test_crop_stretches_the_centre_back_to_full_size():
    x = blobs(4)
    assert np.array_equal(attacks.crop(x, 0), x)
    cropped = attacks.crop(x, 2)
    assert cropped.shape == x.shape
    # the centre pixel stays put, the corner now shows what was 2 pixels inside
    assert np.allclose(cropped[:, 13:15, 13:15], x[:, 13:15, 13:15], atol=0.15)
    assert not np.allclose(cropped, x, atol=1e-3)
    with raises_message(ValueError, "pixels must be below half the image size (14), got 14"):
        attacks.crop(x, 14)
