import keras
import numpy as np
import pytest
from keras import ops

from aigc_course.data import load_fashion_mnist
from aigc_course.models import gan as builders
from aigc_course.models import losses
from aigc_course.models import gan


@pytest.fixture(scope="module")
def real():
    x, y = load_fashion_mnist("train", scale="tanh", limit=128)
    return x, y


def _mlp_gan(seed=0, label_smoothing=0.0):
    keras.utils.set_random_seed(seed)
    g = builders.build_mlp_generator(latent_dim=8, hidden=(32,))
    d = builders.build_mlp_discriminator(hidden=(32,))
    return gan.GAN(g, d, latent_dim=8, label_smoothing=label_smoothing, seed=seed)


def _d_loss_on(model, real, fake):
    return float(ops.convert_to_numpy(losses.d_loss(model.discriminator(real), model.discriminator(fake))))


@pytest.mark.backend
def test_training_lowers_discriminator_loss_on_a_fixed_batch(real):
    x, _ = real
    model = _mlp_gan()
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-4))
    fixed_real = x[:64]
    fixed_fake = model.generate(64, seed=3)
    before = _d_loss_on(model, fixed_real, fixed_fake)
    hist = model.fit(x, batch_size=32, epochs=2, verbose=0, shuffle=False)
    after = _d_loss_on(model, fixed_real, fixed_fake)
    assert after < before - 0.1, (before, after)
    assert set(hist.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v).all() for v in hist.history.values())
    # D(x) rises above D(G(z)) as the discriminator learns
    assert hist.history["d_real"][-1] > hist.history["d_fake"][-1]
    # each batch: one D update and one G update
    assert int(model.d_optimizer.iterations) == int(model.g_optimizer.iterations) == 8


@pytest.mark.backend
def test_seeded_runs_are_reproducible(real):
    x, _ = real

    def run():
        model = _mlp_gan(seed=5)
        model.compile()
        return model.fit(x[:96], batch_size=32, epochs=2, verbose=0, shuffle=False).history

    a, b = run(), run()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.backend
def test_discriminator_is_frozen_during_the_generator_step(real):
    x, _ = real
    model = _mlp_gan()
    model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.Adam(1e-3))
    d_before = [np.array(v) for v in model.discriminator.weights]
    g_before = [np.array(v) for v in model.generator.weights]
    model.fit(x[:64], batch_size=32, epochs=1, verbose=0)
    assert all(np.array_equal(a, np.array(b)) for a, b in zip(d_before, model.discriminator.weights))
    assert any(not np.array_equal(a, np.array(b)) for a, b in zip(g_before, model.generator.weights))


@pytest.mark.backend
def test_steps_per_execution_and_batch_norm_statistics(real):
    x, _ = real
    keras.utils.set_random_seed(1)
    g = builders.build_dcgan_generator(latent_dim=8, width=4)
    model = gan.GAN(g, builders.build_dcgan_discriminator(width=4), latent_dim=8, seed=1)
    model.compile(steps_per_execution=2)
    hist = model.fit(x[:128], batch_size=32, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 4 and int(model.d_optimizer.iterations) == 4
    assert np.isfinite(hist.history["g_loss"]).all()
    # the generator's batch-norm moving averages were updated (they start at mean 0, variance 1)
    moving = [np.array(v) for v in g.non_trainable_variables]
    assert any(np.abs(m).max() > 1e-6 for m in moving[::2]), "moving means never changed"


@pytest.mark.backend
def test_wgan_gp_takes_n_critic_steps_and_conditional_gan_trains(real):
    x, y = real
    keras.utils.set_random_seed(2)
    w = gan.WGANGP(builders.build_dcgan_generator(8, 4), builders.build_wgan_critic(4), latent_dim=8, n_critic=3, seed=2)
    w.compile()
    assert w.d_optimizer.beta_1 == 0.0 and w.d_optimizer.beta_2 == 0.9  # the WGAN-GP paper's Adam
    # fit batches of n_critic * 16 images: each of the 3 critic updates gets 16 fresh ones
    hist = w.fit(x[:96], batch_size=48, epochs=1, verbose=0, shuffle=False)
    assert int(w.d_optimizer.iterations) == 6 and int(w.g_optimizer.iterations) == 2
    assert np.isfinite(hist.history["d_loss"]).all()
    c = gan.ConditionalGAN(builders.build_conditional_generator(8, 10, 4), builders.build_conditional_discriminator(10, 4),
                           latent_dim=8, seed=2)
    c.compile()
    hist = c.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(hist.history["d_loss"]).all()
    assert c.generate(4, labels=[0, 1, 2, 3]).shape == (4, 28, 28, 1)


def test_critic_batches_are_disjoint_fresh_slices():
    x = np.arange(12, dtype="float32").reshape(12, 1)
    labels = np.arange(12, dtype="int32") % 5
    w = gan.WGANGP(builders.build_dcgan_generator(8, 4), builders.build_wgan_critic(4), latent_dim=8, n_critic=3)
    chunks = [(ops.convert_to_numpy(r), ops.convert_to_numpy(y)) for r, y in w.critic_batches(x, labels)]
    assert len(chunks) == 3
    np.testing.assert_array_equal(np.concatenate([r for r, _ in chunks]), x)
    np.testing.assert_array_equal(np.concatenate([y for _, y in chunks]), labels)
    plain = _mlp_gan()
    [(r, y)] = plain.critic_batches(x, None)
    assert r is x and y is None


def test_gradient_penalty_closed_form():
    grads = np.zeros((2, 2, 2, 1), "float32")
    grads[0, 0, 0, 0] = 2.0  # norm 2 -> (2 - 1)^2 = 1 ; second example norm 0 -> (0 - 1)^2 = 1
    assert float(ops.convert_to_numpy(gan.GAN.penalty(grads))) == pytest.approx(1.0, abs=1e-5)
    grads[1, 1, 1, 0] = 1.0  # norm 1 -> 0
    assert float(ops.convert_to_numpy(gan.GAN.penalty(grads))) == pytest.approx(0.5, abs=1e-5)


def test_objectives_use_the_shared_losses():
    model = _mlp_gan(label_smoothing=0.1)
    r, f = np.array([[2.0], [1.0]], "float32"), np.array([[-1.0], [0.5]], "float32")
    v = lambda t: float(ops.convert_to_numpy(t))  # noqa: E731
    assert v(model.d_objective(r, f)) == pytest.approx(v(losses.d_loss(r, f, label_smoothing=0.1)))
    assert v(model.g_objective(f)) == pytest.approx(v(losses.g_loss_nonsaturating(f)))


def test_generate_is_seeded_and_errors(real):
    model = _mlp_gan()
    np.testing.assert_array_equal(model.generate(4, seed=7), model.generate(4, seed=7))
    assert not np.array_equal(model.generate(4, seed=7), model.generate(4, seed=8))
    with pytest.raises(ValueError, match=r"^n must be a positive int, got 0$"):
        model.generate(0)
    with pytest.raises(ValueError, match=r"^labels are only used by a ConditionalGAN$"):
        model.generate(2, labels=[0, 1])
    g, d = model.generator, model.discriminator
    with pytest.raises(ValueError, match=r"^latent_dim is 4 but the generator's latent input has size 8$"):
        gan.GAN(g, d, latent_dim=4)
    with pytest.raises(ValueError, match=r"^ConditionalGAN expects a generator with 2 input\(s\), got one with 1$"):
        gan.ConditionalGAN(g, d, latent_dim=8)
    with pytest.raises(TypeError, match=r"^generator and discriminator must be keras.Model instances, got str and"):
        gan.GAN("g", d, latent_dim=8)
    with pytest.raises(ValueError, match=r"^label_smoothing must be in \[0, 1\), got 1.5$"):
        gan.GAN(g, d, latent_dim=8, label_smoothing=1.5)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match=r"^d_optimizer and g_optimizer must be two different optimizer objects$"):
        model.compile(d_optimizer=opt, g_optimizer=opt)
    with pytest.raises(TypeError, match=r"^g_optimizer must be a keras.optimizers.Optimizer, got str$"):
        model.compile(g_optimizer="adam")
    with pytest.raises(ValueError, match=r"^n_critic must be a positive int, got 0$"):
        gan.WGANGP(g, d, latent_dim=8, n_critic=0)


@pytest.mark.backend
def test_batch_logs_are_per_step_values_and_epoch_logs_their_mean(real):
    from aigc_course.training import callbacks

    x, _ = real
    model = _mlp_gan(seed=3)
    model.compile()
    steps = callbacks.LossHistory(every=1)
    hist = model.fit(x[:96], batch_size=32, epochs=2, verbose=0, shuffle=False, callbacks=[steps])
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        per_step = np.array(steps.history[key])
        assert per_step.shape == (6,)
        np.testing.assert_allclose(hist.history[key], per_step.reshape(2, 3).mean(axis=1), rtol=1e-5)
