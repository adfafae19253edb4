import math

import numpy as np
import pytest
from keras import ops

from aigc_course.models import losses

f = lambda t: float(ops.convert_to_numpy(t))  # noqa: E731
logit = lambda p: math.log(p / (1 - p))  # noqa: E731


@pytest.mark.backend
def test_bce_closed_form():
    # Erratum 1: -[log 0.9 + log(1 - 0.1)] = 0.211 for the pair (real 0.9, fake 0.1); mean over two = 0.105.
    assert f(losses.bce([1.0, 0.0], [0.9, 0.1])) == pytest.approx(-(math.log(0.9) + math.log(0.9)) / 2, rel=1e-6)
    assert f(losses.bce_with_logits([1.0, 0.0], [logit(0.9), logit(0.1)])) == pytest.approx(0.1053605, rel=1e-5)
    assert f(losses.bce_with_logits([1.0], [80.0])) == pytest.approx(0.0, abs=1e-6)  # stable, no overflow


@pytest.mark.backend
def test_gan_losses_closed_form():
    real, fake = [logit(0.9)], [logit(0.1)]
    assert f(losses.d_loss(real, fake)) == pytest.approx(-(math.log(0.9) + math.log(1 - 0.1)), rel=1e-5)
    assert f(losses.d_loss(real, fake, label_smoothing=0.1)) == pytest.approx(
        -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)) - math.log(0.9), rel=1e-5)
    assert f(losses.g_loss_nonsaturating(fake)) == pytest.approx(-math.log(0.1), rel=1e-5)
    assert f(losses.g_loss_saturating(fake)) == pytest.approx(math.log(0.9), rel=1e-5)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\), got 1.0"):
        losses.d_loss(real, fake, label_smoothing=1.0)
    assert f(losses.wasserstein_critic_loss([2.0, 4.0], [1.0])) == pytest.approx(-2.0)
    assert f(losses.wasserstein_generator_loss([1.0, 3.0])) == pytest.approx(-2.0)


@pytest.mark.backend
def test_gaussian_kl_closed_form():
    mu, logvar = np.array([[0.5, -1.0]]), np.log(np.array([[2.0, 0.5]]))
    expected = 0.5 * sum(m * m + s - math.log(s) - 1 for m, s in [(0.5, 2.0), (-1.0, 0.5)])
    assert f(losses.gaussian_kl(mu, logvar)[0]) == pytest.approx(expected, rel=1e-6)
    assert f(losses.gaussian_kl(np.zeros((1, 4)), np.zeros((1, 4)))[0]) == 0.0
    with pytest.raises(ValueError, match=r"same shape, got \(1, 2\) and \(1, 3\)"):
        losses.gaussian_kl(np.zeros((1, 2)), np.zeros((1, 3)))


@pytest.mark.backend
def test_bernoulli_nll_and_next_token():
    x = np.array([[1.0, 0.0, 1.0]])
    z = np.array([[logit(0.8), logit(0.3), logit(0.6)]])
    assert f(losses.bernoulli_nll(x, z)[0]) == pytest.approx(-(math.log(0.8) + math.log(0.7) + math.log(0.6)), rel=1e-5)
    logits = np.log(np.array([[[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]]]))
    assert f(losses.next_token_loss([[0, 2]], logits)) == pytest.approx(-(math.log(0.7) + math.log(0.5)) / 2, rel=1e-5)
    assert f(losses.next_token_loss([[0, 2]], logits, mask=[[1, 0]])) == pytest.approx(-math.log(0.7), rel=1e-5)
    with pytest.raises(ValueError, match="expected targets"):
        losses.next_token_loss([0, 2], logits)
