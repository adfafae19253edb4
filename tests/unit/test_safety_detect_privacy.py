"""The detector's data and scores, and the membership report, on inputs with known answers."""

import numpy as np
import pytest
from helpers import raises_message

from aigc_course.safety import detect, privacy


def test_labelled_stacks_real_as_0_and_fake_as_1_shuffled_and_seeded():
    real, fake = np.zeros((30, 28, 28, 1)), np.ones((20, 28, 28, 1))
    x, y = detect.labelled(real, fake, seed=1)
    assert x.shape == (50, 28, 28, 1) and y.shape == (50,)
    assert np.array_equal(x.reshape(50, -1).mean(1), y)          # every image keeps its label
    assert y.sum() == 20 and not np.array_equal(y, np.sort(y))    # shuffled
    x2, y2 = detect.labelled(real, fake, seed=1)
    assert np.array_equal(y, y2)
    with raises_message(ValueError, "real and fake must both have shape (n, 28, 28, 1), got (30, 28, 28, 1) and (20, 28, 28)"):
        detect.labelled(real, fake[..., 0])


@pytest.mark.backend
def test_detector_gives_one_logit_per_image():
    model = detect.compile_detector(detect.build_detector(4))
    s = detect.scores(model, np.random.default_rng(0).uniform(0, 1, (7, 28, 28, 1)))
    assert s.shape == (7,) and np.all(np.isfinite(s))


def test_membership_report_on_separable_and_identical_losses():
    r = privacy.membership_report([1.0, 2.0, 3.0], [4.0, 5.0])
    assert r["auc"] == 1.0 and r["advantage"] == 1.0 and r["threshold"] == 3.0
    assert (r["member_mean"], r["nonmember_mean"]) == (2.0, 4.5)
    same = privacy.membership_report([1.0, 2.0], [1.0, 2.0])
    assert same["auc"] == 0.5 and same["advantage"] == 0.0
