"""Diffusion (chapter 11): schedules, the forward process, the posterior, the samplers, training with fit(),
and the agreement between the notebook's lesson code and the package."""

import json
import math
from pathlib import Path

import keras
import numpy as np
import pytest
from helpers import raises_message
from keras import layers, ops

from aigc_course import config
from aigc_course.models import diffusion as D

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "11_diffusion.ipynb"


def _tiny_net(num_classes=None, attention=False, seed=0):
    keras.utils.set_random_seed(seed)
    return D.build_unet(image_shape=(8, 8, 1), widths=(8, 16), attention=attention, num_classes=num_classes,
                        emb_dim=16)


# ------------------------------------------------------------------------------------------ schedules
def test_alpha_bar_matches_the_closed_form():
    b = D.linear_betas(50, 1e-3, 0.05)
    expected = np.array([np.prod([1 - b[s] for s in range(t + 1)]) for t in range(50)])
    np.testing.assert_allclose(D.alpha_bars(b), expected, rtol=1e-12)
    # cosine: abar_t = f(t + 1) / f(0) with f(t) = cos^2((t / T + s) / (1 + s) * pi / 2) wherever beta is not clipped
    T, s = 200, 0.008
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    ab = D.alpha_bars(D.cosine_betas(T, s=s))
    np.testing.assert_allclose(ab[:-5], (f[1:] / f[0])[:-5], rtol=1e-10)
    assert np.all(np.diff(ab) < 0) and 0 < ab[-1] < 1e-3
    np.testing.assert_allclose(D.snr(b), expected / (1 - expected), rtol=1e-10)


def test_schedule_errors():
    with raises_message(ValueError, "schedule must be 'linear' or 'cosine', got 'sigmoid'"):
        D.make_betas("sigmoid", 10)
    with raises_message(ValueError, "need 0 < beta_start < beta_end < 1, got 0.02 and 0.0001"):
        D.linear_betas(10, 0.02, 1e-4)
    with raises_message(ValueError, "betas must be a 1-D array of at least 2 values in (0, 1), got shape (2, 2)"):
        D.alpha_bars(np.full((2, 2), 0.1))


# ----------------------------------------------------------------------------------- forward process
@pytest.mark.backend
def test_q_sample_has_the_closed_form_mean_and_variance():
    b = D.cosine_betas(100)
    ab = D.alpha_bars(b)
    n, t = 20000, 40
    x0 = np.full((n, 2, 2, 1), 0.6, "float32")
    x0[:, 0, 0, 0] = -0.8
    noise = np.random.default_rng(0).standard_normal(x0.shape).astype("float32")
    xt = ops.convert_to_numpy(D.q_sample(x0, np.full(n, t, "int32"), noise, ab)).astype("float64")
    # tolerances from the sample size: 5 standard errors of the mean and of the variance
    mean_tol = 5 * math.sqrt((1 - ab[t]) / n)
    np.testing.assert_allclose(xt.mean(axis=0), math.sqrt(ab[t]) * x0[0], atol=mean_tol)
    np.testing.assert_allclose(xt.var(axis=0) / (1 - ab[t]), 1.0, atol=5 * math.sqrt(2 / (n - 1)))
    # the same as walking the one-step kernel t + 1 times (with its own noise): same moments
    rng = np.random.default_rng(1)
    walk = np.repeat(x0[:1].astype("float64"), n, axis=0)
    for s in range(t + 1):
        walk = math.sqrt(1 - b[s]) * walk + math.sqrt(b[s]) * rng.standard_normal(walk.shape)
    np.testing.assert_allclose(walk.mean(axis=0), math.sqrt(ab[t]) * x0[0], atol=mean_tol)
    np.testing.assert_allclose(walk.var(axis=0) / (1 - ab[t]), 1.0, atol=5 * math.sqrt(2 / (n - 1)))


def test_posterior_mean_and_variance_match_bayes():
    b = D.linear_betas(30, 1e-3, 0.2)
    ab = D.alpha_bars(b)
    c0, ct, var = D.posterior_mean_coefs(b)
    grid = np.linspace(-6, 6, 40001)
    dx = grid[1] - grid[0]
    for t, x0, xt in [(1, 0.3, -0.4), (12, -0.9, 0.5), (29, 0.1, 1.2)]:
        prior = np.exp(-(grid - math.sqrt(ab[t - 1]) * x0) ** 2 / (2 * (1 - ab[t - 1])))
        like = np.exp(-(xt - math.sqrt(1 - b[t]) * grid) ** 2 / (2 * b[t]))
        post = prior * like / np.sum(prior * like * dx)
        mean = np.sum(grid * post) * dx
        assert mean == pytest.approx(c0[t] * x0 + ct[t] * xt, abs=1e-7)
        assert np.sum((grid - mean) ** 2 * post) * dx == pytest.approx(var[t], rel=1e-5)
    assert c0[0] == pytest.approx(1.0) and ct[0] == 0.0 and var[0] == 0.0
    # in terms of the noise: mu~ = (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t), which ddpm_update uses
    x0, eps, t = np.array([0.4, -0.7]), np.array([1.3, 0.2]), 17
    xt = math.sqrt(ab[t]) * x0 + math.sqrt(1 - ab[t]) * eps
    np.testing.assert_allclose(D.ddpm_update(xt, eps, t, b, noise=np.zeros(2)), c0[t] * x0 + ct[t] * xt, rtol=1e-10)
    np.testing.assert_allclose(D.ddpm_update(xt, eps, t, b, noise=np.ones(2)) - c0[t] * x0 - ct[t] * xt,
                               math.sqrt(var[t]), rtol=1e-10)


def test_ddim_with_eta_one_has_ddpm_variance_and_eta_zero_is_exact():
    b = D.cosine_betas(200)
    ab = D.alpha_bars(b)
    _, _, var = D.posterior_mean_coefs(b)
    t = np.arange(1, 200)
    np.testing.assert_allclose(D.ddim_sigma(ab[t], ab[t - 1], 1.0) ** 2, var[t], rtol=1e-10)
    assert np.all(D.ddim_sigma(ab[t], ab[t - 1], 0.0) == 0)
    # with the true noise, a deterministic jump t -> s lands exactly on the closed-form x_s of the same eps
    x0, eps = np.array([0.5, -0.2, 0.9]), np.array([-1.0, 0.4, 2.0])
    xt = math.sqrt(ab[150]) * x0 + math.sqrt(1 - ab[150]) * eps
    np.testing.assert_allclose(D.ddim_update(xt, eps, ab[150], ab[40], eta=0.0),
                               math.sqrt(ab[40]) * x0 + math.sqrt(1 - ab[40]) * eps, rtol=1e-10)
    np.testing.assert_allclose(D.predict_x0(xt, eps, ab[150]), x0, rtol=1e-10)
    np.testing.assert_allclose(D.guided_eps(np.ones(2), np.zeros(2), 3.0), [3.0, 3.0])
    assert list(D.sampling_steps(1000, 5)) == [999, 749, 500, 250, 0]
    with raises_message(ValueError, "steps must be at most the 10 training steps, got 11"):
        D.sampling_steps(10, 11)


# ------------------------------------------------------------------------------------------ the U-Net
@pytest.mark.backend
def test_unet_shapes_and_errors():
    net = _tiny_net(num_classes=10, attention=True)
    out = net([np.zeros((3, 8, 8, 1), "float32"), np.array([0, 5, 9], "int32"), np.array([1, 10, 3], "int32")])
    assert tuple(out.shape) == (3, 8, 8, 1)
    assert any(isinstance(l, layers.MultiHeadAttention) for l in net.layers)
    emb = ops.convert_to_numpy(D.TimeEmbedding(8)(np.array([0, 3], "int32")))
    np.testing.assert_allclose(emb[0], [0, 0, 0, 0, 1, 1, 1, 1], atol=1e-7)
    np.testing.assert_allclose(emb[1, 0], math.sin(3.0), atol=1e-6)
    with raises_message(ValueError, "image height and width must be divisible by 2**(len(widths) - 1) = 4, "
                                    "got (6, 6, 1); use fewer levels or pad the images"):
        D.build_unet(image_shape=(6, 6, 1), widths=(8, 8, 8))


@pytest.mark.backend
def test_film_blocks_scale_and_shift_after_the_norm():
    keras.utils.set_random_seed(0)
    plain = D.build_unet(image_shape=(8, 8, 1), widths=(8, 16), attention=False, num_classes=10, emb_dim=16)
    keras.utils.set_random_seed(0)
    film = D.build_unet(image_shape=(8, 8, 1), widths=(8, 16), attention=False, num_classes=10, emb_dim=16,
                        film=True)
    dense = lambda net: sum(isinstance(l, layers.Dense) for l in net.layers)
    blocks = 4                                           # one per level on the way down, the bottom, one going up
    assert dense(film) == dense(plain) + blocks          # a scale and a shift instead of one bias per block
    # one block alone: with zero features, GroupNorm(h) = 0, so the output is the shortcut plus conv(swish(shift));
    # the additive block's bias is removed by the norm (every channel of a group gets the same bias here)
    x_in, e_in = keras.Input((4, 4, 8)), keras.Input((4,))
    outs = {f: keras.Model([x_in, e_in], D.residual_block(x_in, e_in, 8, groups=1, film=f)) for f in (False, True)}
    for f, m in outs.items():
        dense_layers = [l for l in m.layers if isinstance(l, layers.Dense)]
        for l in dense_layers:                           # emb -> the same value on every channel
            l.set_weights([np.ones((4, 8), "float32"), np.zeros(8, "float32")])
    x, e = np.zeros((1, 4, 4, 8), "float32"), np.full((1, 4), 0.5, "float32")
    assert np.allclose(ops.convert_to_numpy(outs[False]([x, e])), ops.convert_to_numpy(outs[False]([x, 0 * e])))
    assert not np.allclose(ops.convert_to_numpy(outs[True]([x, e])), ops.convert_to_numpy(outs[True]([x, 0 * e])))


# ------------------------------------------------------------------------- v-prediction, min-SNR weights
@pytest.mark.backend
def test_velocity_round_trip_and_min_snr_weights():
    b = D.cosine_betas(40)
    ab = D.alpha_bars(b)
    rng = np.random.default_rng(2)
    x0 = rng.uniform(-1, 1, (3, 4, 4, 1)).astype("float32")
    eps = rng.standard_normal(x0.shape).astype("float32")
    t = np.array([0, 17, 39], "int32")
    x_t = ops.convert_to_numpy(D.q_sample(x0, t, eps, ab))
    v = ops.convert_to_numpy(D.v_target(x0, eps, t, ab))
    a = ab[t].reshape(-1, 1, 1, 1)
    np.testing.assert_allclose(v, np.sqrt(a) * eps - np.sqrt(1 - a) * x0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(D.eps_from_v(x_t, v, a), eps, rtol=1e-4, atol=1e-4)   # v and x_t give eps back
    s = ab / (1 - ab)
    np.testing.assert_array_equal(D.loss_weights(b), np.ones(40))
    np.testing.assert_allclose(D.loss_weights(b, "eps", 5.0), np.minimum(s, 5.0) / s)
    np.testing.assert_allclose(D.loss_weights(b, "v", 5.0), np.minimum(s, 5.0) / (s + 1))
    # in x_0 units both objectives weight every step by min(SNR, gamma): eps-error^2 = SNR x0-error^2,
    # v-error^2 = (SNR + 1) x0-error^2 for a fixed x_t
    x0_hat = x0 + 0.1
    eps_hat = (x_t - np.sqrt(a) * x0_hat) / np.sqrt(1 - a)
    v_hat = np.sqrt(a) * eps_hat - np.sqrt(1 - a) * x0_hat
    e0, ee, ev = (np.mean((p - q) ** 2, axis=(1, 2, 3)) for p, q in ((x0_hat, x0), (eps_hat, eps), (v_hat, v)))
    np.testing.assert_allclose(ee, s[t] * e0, rtol=1e-3)
    np.testing.assert_allclose(ev, (s[t] + 1) * e0, rtol=1e-3)
    with raises_message(ValueError, "prediction must be 'eps' (the noise) or 'v' (the velocity), got 'x0'"):
        D.loss_weights(b, "x0")


@pytest.mark.backend
def test_v_prediction_trains_and_samples():
    rng = np.random.default_rng(0)
    x = np.tile(np.where(np.arange(8)[:, None] < 4, 0.8, -0.8).astype("float32")[None, :, :, None], (16, 1, 8, 1))
    b = D.cosine_betas(50)
    model = D.Diffusion(_tiny_net(), b, seed=0, prediction="v", min_snr_gamma=5.0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    t = rng.integers(0, 50, 16).astype("int32")
    eps = rng.standard_normal(x.shape).astype("float32")
    target = ops.convert_to_numpy(D.v_target(x, eps, t, D.alpha_bars(b)))

    def v_loss():
        x_t = ops.convert_to_numpy(D.q_sample(x, t, eps, model.abar))
        return float(np.mean((ops.convert_to_numpy(model.network([x_t, t])) - target) ** 2))

    before = v_loss()
    model.fit(x, batch_size=16, epochs=40, verbose=0)
    assert v_loss() < 0.7 * before
    a = model.generate(3, steps=4, seed=1)
    assert a.shape == (3, 8, 8, 1) and np.array_equal(a, model.generate(3, steps=4, seed=1))


# ----------------------------------------------------------------------------------------- training
def _fixed_loss(model, x0, t, eps, labels=None):
    x_t = ops.convert_to_numpy(D.q_sample(x0, t, eps, model.abar))
    inputs = [x_t, t] if labels is None else [x_t, t, labels]
    return float(np.mean((ops.convert_to_numpy(model.network(inputs)) - eps) ** 2))


@pytest.mark.backend
def test_training_lowers_the_loss_on_a_fixed_batch():
    rng = np.random.default_rng(0)
    x = np.tile(np.where(np.arange(8)[:, None] < 4, 0.8, -0.8).astype("float32")[None, :, :, None], (16, 1, 8, 1))
    y = np.arange(16) % 10
    model = D.Diffusion(_tiny_net(num_classes=10), D.cosine_betas(50), num_classes=10, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    t = rng.integers(0, 50, 16).astype("int32")
    eps = rng.standard_normal(x.shape).astype("float32")
    before = _fixed_loss(model, x, t, eps, y.astype("int32"))
    history = model.fit(x, y, batch_size=16, epochs=40, verbose=0)
    after = _fixed_loss(model, x, t, eps, y.astype("int32"))
    assert np.isfinite(history.history["loss"]).all()
    assert after < 0.7 * before, (before, after)
    with raises_message(ValueError, "pass class ids y exactly when the model is class-conditional "
                                    "(num_classes=10, y given: False)"):
        model.fit(x)
    with raises_message(ValueError, "x must have shape (n, 8, 8, 1), got (2, 8, 8)"):
        model.fit(np.zeros((2, 8, 8), "float32"), y[:2])


@pytest.mark.backend
def test_ema_tracks_and_restores_the_weights():
    model = D.Diffusion(_tiny_net(), D.cosine_betas(20), seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05))
    ema = D.EMA(0.9)
    model.fit(np.zeros((8, 8, 8, 1), "float32"), batch_size=4, epochs=3, callbacks=[ema], verbose=0)
    raw = ema.backup()
    assert ema.updates == 5 and len(ema.average) == len(raw)
    ema.apply()
    assert all(np.allclose(a, b) for a, b in zip(ema.backup(), ema.average))
    ema.restore(raw)
    assert all(np.array_equal(a, b) for a, b in zip(ema.backup(), raw))


@pytest.mark.backend
def test_ema_every_k_steps_uses_momentum_to_the_k():
    # every=2: the average starts at the weights after step 1 and then takes m = momentum**2 (0.09 here, below the
    # warm-up cap (1 + k) / (10 + k)) at steps 2, 4 and 6
    model = D.Diffusion(_tiny_net(), D.cosine_betas(20), seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05))
    seen = []

    class Record(keras.callbacks.Callback):       # the weights after every step (self.model: synced on JAX too)
        def on_train_batch_end(self, batch, logs=None):
            seen.append([np.array(ops.convert_to_numpy(v.value)) for v in self.model.trainable_weights])

    record = Record()
    ema = D.EMA(0.3, every=2)
    x = np.random.default_rng(0).uniform(-1, 1, (12, 8, 8, 1)).astype("float32")
    model.fit(x, batch_size=2, epochs=1, shuffle=False, callbacks=[record, ema], verbose=0)
    assert len(seen) == 6 and ema.updates == 3
    expected = seen[0]
    for w in (seen[1], seen[3], seen[5]):
        expected = [0.09 * a + 0.91 * b for a, b in zip(expected, w)]
    for a, b in zip(ema.average, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    assert not np.allclose(ema.average[-1], seen[5][-1])
    with raises_message(ValueError, "every must be an int >= 1, got 0"):
        D.EMA(0.9, every=0)


# ----------------------------------------------------------------------------------------- sampling
@pytest.mark.backend
def test_seeded_sampling_is_reproducible():
    net = _tiny_net(num_classes=10)
    b = D.cosine_betas(20)
    labels = np.arange(6) % 10
    a = D.sample(net, b, 6, steps=5, labels=labels, guidance=2.0, seed=3, batch_size=4, num_classes=10)
    again = D.sample(net, b, 6, steps=5, labels=labels, guidance=2.0, seed=3, batch_size=4, num_classes=10)
    other = D.sample(net, b, 6, steps=5, labels=labels, guidance=2.0, seed=4, num_classes=10)
    assert a.shape == (6, 8, 8, 1) and np.array_equal(a, again) and not np.allclose(a, other)
    assert a.min() >= -1 and a.max() <= 1
    ddpm = D.sample(net, b, 2, method="ddpm", seed=1, num_classes=10)
    assert np.array_equal(ddpm, D.sample(net, b, 2, method="ddpm", seed=1, num_classes=10))
    x, traj = D.sample(net, b, 2, steps=6, seed=1, trajectory_every=2, num_classes=10)
    assert len(traj) == 4 and np.array_equal(np.clip(traj[-1], -1, 1), x)
    # w = 0 is the unconditional sample (one network call per step with the null label)
    np.testing.assert_allclose(D.sample(net, b, 6, steps=5, labels=labels, guidance=0.0, seed=3, num_classes=10),
                               D.sample(net, b, 6, steps=5, seed=3, num_classes=10), rtol=1e-5, atol=1e-6)
    with raises_message(ValueError, "num_classes must be given exactly when the network has a label input "
                                    "(network inputs: 3, num_classes: None)"):
        D.sample(net, b, 2)
    with raises_message(ValueError, "labels must hold n=2 class ids in [0, 10] (10 = no label), got shape (3,)"):
        D.sample(net, b, 2, labels=[1, 2, 3], num_classes=10)


# -------------------------------------------------------------------- the notebook's code agrees
def _lesson_namespace():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]
             if c["cell_type"] == "code" and "lesson" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) >= 5, f"expected the lesson's definition cells tagged 'lesson', found {len(cells)}"
    ns = {"math": math, "np": np, "keras": keras, "layers": layers, "ops": ops}
    for source in cells:
        exec(compile(source, str(NOTEBOOK), "exec"), ns)
    return ns


@pytest.mark.backend
def test_notebook_lesson_code_agrees_with_the_package():
    nb = _lesson_namespace()
    for T in (10, 1000):
        np.testing.assert_array_equal(nb["linear_betas"](T), D.linear_betas(T))
        np.testing.assert_array_equal(nb["cosine_betas"](T), D.cosine_betas(T))
    b = D.cosine_betas(30)
    np.testing.assert_array_equal(nb["alpha_bars"](b), D.alpha_bars(b))
    for a, p in zip(nb["posterior_mean_coefs"](b), D.posterior_mean_coefs(b)):
        np.testing.assert_allclose(a, p, rtol=1e-12)
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 1)).astype("float32")
    eps = np.random.default_rng(1).standard_normal((4, 8, 8, 1)).astype("float32")
    t = np.array([0, 3, 17, 29], "int32")
    np.testing.assert_allclose(ops.convert_to_numpy(nb["q_sample"](x, t, eps, D.alpha_bars(b))),
                               ops.convert_to_numpy(D.q_sample(x, t, eps, D.alpha_bars(b))), rtol=1e-6)
    ab = D.alpha_bars(b)
    np.testing.assert_allclose(nb["ddim_update"](x, eps, ab[20], ab[5], 0.5, eps),
                               D.ddim_update(x, eps, ab[20], ab[5], 0.5, eps), rtol=1e-6)
    np.testing.assert_allclose(nb["ddpm_update"](x, eps, 12, b, eps), D.ddpm_update(x, eps, 12, b, eps), rtol=1e-6)

    # same layers and shapes, then the same loss after one seeded step from the same weights
    for film in (False, True):
        kw = dict(image_shape=(8, 8, 1), widths=(8, 16), attention=True, num_classes=10, emb_dim=16, film=film)
        keras.utils.set_random_seed(0)
        net_nb = nb["build_unet"](**kw)
        keras.utils.set_random_seed(0)
        net_pkg = D.build_unet(**kw)
        assert [type(l).__name__ for l in net_nb.layers] == [type(l).__name__ for l in net_pkg.layers]
        assert [tuple(l.output.shape) for l in net_nb.layers[1:]] == \
            [tuple(l.output.shape) for l in net_pkg.layers[1:]]
        assert net_nb.count_params() == net_pkg.count_params()
        init = net_pkg.get_weights()
        random = [np.random.default_rng(i).normal(0, 0.3, w.shape).astype("float32") for i, w in enumerate(init)]
        net_pkg.set_weights(random)
        net_nb.set_weights(random)
        probe = [x, np.array([0, 3, 5, 7], "int32"), np.array([1, 10, 3, 4], "int32")]
        np.testing.assert_allclose(ops.convert_to_numpy(net_nb(probe)), ops.convert_to_numpy(net_pkg(probe)),
                                   rtol=1e-4, atol=1e-5)
    # film=True from here on (the chapter's network)
    net_pkg.set_weights(init)
    net_nb.set_weights(init)
    y = np.arange(4) % 10
    for objective in ({}, {"prediction": "v", "min_snr_gamma": 5.0}):
        np.testing.assert_allclose(nb["loss_weights"](b, **objective), D.loss_weights(b, **objective), rtol=1e-12)
        losses = []
        for model in (nb["Diffusion"](net_nb, b, num_classes=10, seed=5, **objective),
                      D.Diffusion(net_pkg, b, num_classes=10, seed=5, **objective)):
            model.compile(optimizer=keras.optimizers.SGD(0.1))
            h = keras.Model.fit(model, {"images": x, "labels": y.astype("int32")}, batch_size=4, epochs=2,
                                shuffle=False, verbose=0)
            losses.append(h.history["loss"])
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
        np.testing.assert_allclose(net_nb.get_weights()[-1], net_pkg.get_weights()[-1], rtol=1e-5, atol=1e-7)

    # the samplers give the same images
    b = D.cosine_betas(8)
    for kwargs in [dict(steps=4), dict(steps=4, eta=1.0), dict(steps=3, labels=y, guidance=2.5),
                   dict(steps=3, labels=y, guidance=0.0), dict(steps=3, labels=y, guidance=1.0),
                   dict(method="ddpm", labels=y), dict(steps=3, labels=y, guidance=2.5, prediction="v")]:
        a = nb["sample"](net_pkg, b, 4, seed=2, batch_size=3, **kwargs)
        p = D.sample(net_pkg, b, 4, seed=2, batch_size=3, num_classes=10, **kwargs)
        np.testing.assert_allclose(a, p, rtol=1e-4, atol=1e-5)   # thread-order round-off only


def test_chapter_settings(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)  # make test sets smoke; this reads each profile
    for profile in ("smoke", "standard", "full"):
        cfg = config.settings("11_diffusion", profile)
        assert len(cfg.widths) >= 2 and 28 % 2 ** (len(cfg.widths) - 1) == 0
        assert cfg.compare_seconds <= cfg.train_seconds
        assert cfg.guidance >= 0 and max(cfg.ladder_steps) <= cfg.timesteps
    bars = config.settings("11_diffusion", "standard").bars
    assert bars["max_fid"] <= 15 and bars["min_confident_ratio"] >= 0.4 and bars["min_guided_accuracy"] >= 0.8
    assert bars["min_class_share"] >= 0.04 and bars["max_class_share"] <= 0.20
