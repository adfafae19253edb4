"""Chapter 05's lesson pieces (weight clipping, the finite-difference gradient norm, the fixed source) do what the
prose says, and the chapter's bars stay where the course set them."""

import keras
import numpy as np
from keras import ops

from aigc_course import config

from test_gan_lessons import lesson


def test_standard_and_full_bars_are_the_course_targets(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)  # make test sets smoke; these read the named profiles
    std = config.settings("05_conditional_wgan", "standard").bars
    assert std["max_fid_wgan"] <= 15.0 and std["max_class_share_wgan"] <= 0.25
    assert std["min_class_accuracy"] >= 0.8 and std["max_train_seconds"] <= 600
    full = config.settings("05_conditional_wgan", "full").bars
    assert full["min_class_accuracy"] >= 0.9


def test_plain_gan_and_wgan_gp_get_equal_time_and_one_width(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    for profile in ("smoke", "standard", "full"):
        cfg = config.settings("05_conditional_wgan", profile)
        if profile != "smoke":
            assert cfg.n_critic == 5                                  # the paper's n_critic
        assert cfg.compare_seconds * 2 + cfg.cgan_seconds <= cfg.bars["max_train_seconds"]


def test_clip_constraint_keeps_every_parameter_within_c_after_an_update():
    ns = lesson("05_conditional_wgan.ipynb", "build_critic_2d")
    keras.utils.set_random_seed(0)
    critic = ns["build_critic_2d"](ns["ClipWeights"](0.01))
    opt = keras.optimizers.RMSprop(1e-1)
    grads = [np.ones(v.shape, "float32") * (-1) ** i for i, v in enumerate(critic.trainable_variables)]
    opt.apply(grads, critic.trainable_variables)
    params = np.concatenate([ops.convert_to_numpy(v).ravel() for v in critic.trainable_variables])
    assert np.abs(params).max() <= 0.01 + 1e-7
    assert np.mean(np.isclose(np.abs(params), 0.01)) > 0.5          # a large step pins them at the bound
    free = ns["build_critic_2d"]()
    keras.optimizers.RMSprop(1e-1).apply(grads, free.trainable_variables)
    assert max(np.abs(ops.convert_to_numpy(v)).max() for v in free.trainable_variables) > 0.05


def test_finite_difference_gradient_norm_of_a_linear_critic_is_its_weight_norm():
    ns = lesson("05_conditional_wgan.ipynb", "gradient_norms")
    x = keras.Input((2,))
    f = keras.Model(x, keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant([[3.0], [-4.0]]))(x))
    pts = np.random.default_rng(0).standard_normal((7, 2)).astype("float32")
    np.testing.assert_allclose(ns["gradient_norms"](f, pts), 5.0, rtol=1e-3)


def test_fixed_source_halves_z_and_never_learns():
    ns = lesson("05_conditional_wgan.ipynb", "fixed_source")
    g = ns["fixed_source"]()
    z = np.random.default_rng(1).standard_normal((4, 2)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(g(z)), 0.5 * z, atol=1e-6)
    before = [ops.convert_to_numpy(v).copy() for v in g.trainable_variables]
    keras.optimizers.SGD(0.0).apply([np.ones(v.shape, "float32") for v in g.trainable_variables], g.trainable_variables)
    for b, v in zip(before, g.trainable_variables):
        np.testing.assert_array_equal(b, ops.convert_to_numpy(v))
