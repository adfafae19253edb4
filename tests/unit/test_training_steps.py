"""fit_steps trains exactly the requested number of optimizer steps, also when the data size is not a multiple
of the batch size (the fault of chapter 10's old helper, which ran out of data every other epoch)."""

import keras
import numpy as np
import pytest

from helpers import raises_message

from aigc_course.training import batch_indices, fit_steps


def _regressor(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def _data(n=100):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5, 3.0], dtype="float32"))[:, None]


def test_batch_indices_are_full_batches_of_consecutive_passes():
    idx = batch_indices(100, steps=7, batch_size=32, seed=3)
    assert idx.shape == (7, 32)
    flat = idx.ravel()
    assert sorted(flat[:100]) == list(range(100))          # first pass: every row once
    assert sorted(flat[100:200]) == list(range(100))       # second pass, straddling batch 3
    assert np.array_equal(idx, batch_indices(100, 7, 32, seed=3))
    assert not np.array_equal(idx, batch_indices(100, 7, 32, seed=4))


@pytest.mark.parametrize("n, steps, batch_size", [(100, 7, 32), (50, 13, 64), (1000, 3, 33)])
def test_fit_steps_runs_exactly_the_requested_steps(n, steps, batch_size):
    model = _regressor()
    run = fit_steps(model, _data(n), steps=steps, batch_size=batch_size, seed=1)
    assert run["steps"] == steps == run["requested"]
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == steps
    assert run["epochs"] == pytest.approx(steps * batch_size / n)
    assert run["examples"] == n and run["seconds"] > 0


def test_fit_steps_lowers_the_loss_and_is_seeded():
    data = _data(100)
    losses = []
    for _ in range(2):
        model = _regressor(seed=0)
        before = float(model.evaluate(*data, verbose=0))
        fit_steps(model, data, steps=40, batch_size=32, seed=5)
        losses.append(float(model.evaluate(*data, verbose=0)))
    assert losses[0] < 0.2 * before
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)


def test_augment_sees_every_batch_with_a_step_seeded_generator():
    seen = []

    def flip_sign(x, rng):
        seen.append((len(x), rng.integers(1 << 30)))
        return -x

    x, y = _data(70)
    fit_steps(_regressor(), (x, y), steps=5, batch_size=32, seed=2, augment=flip_sign)
    assert len(seen) >= 5 and {s[0] for s in seen} == {32}   # Keras may also peek at a batch to build
    again = []
    fit_steps(_regressor(), (x, y), steps=5, batch_size=32, seed=2,
              augment=lambda b, rng: again.append(rng.integers(1 << 30)) or b)
    assert [s[1] for s in seen] == again


def test_a_run_stopped_early_raises_unless_check_is_off():
    class StopAfterTwo(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    with raises_message(RuntimeError, "fit_steps asked for 6 steps but 2 ran; a callback stopped training early "
                        "or steps_per_execution does not divide 6; pass check=False to accept a shorter run"):
        fit_steps(_regressor(), _data(40), steps=6, batch_size=8, callbacks=[StopAfterTwo()])
    run = fit_steps(_regressor(), _data(40), steps=6, batch_size=8, callbacks=[StopAfterTwo()], check=False)
    assert run["steps"] == 2


def test_bad_input_is_explained():
    with raises_message(ValueError, "steps must be an int >= 1, got 0; pass a whole number such as 1"):
        fit_steps(_regressor(), _data(10), steps=0, batch_size=4)
    x, y = _data(10)
    with raises_message(ValueError, "every array in data must have 10 rows like data[0], got shape (9, 1) at "
                        "data[1]; pass arrays with one row per example"):
        fit_steps(_regressor(), (x, y[:9]), steps=1, batch_size=4)
    with raises_message(TypeError, "augment must be a function f(x_batch, rng) -> x_batch or None, got int"):
        fit_steps(_regressor(), (x, y), steps=1, batch_size=4, augment=3)


def test_a_gan_with_two_optimizers_runs_exactly_the_requested_steps():
    from aigc_course.models import gan

    keras.utils.set_random_seed(0)
    model = gan.GAN(gan.build_mlp_generator(8, hidden=(16,)), gan.build_mlp_discriminator(hidden=(16,)), 8, seed=0)
    model.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (100, 28, 28, 1)).astype("float32")
    run = fit_steps(model, (x,), steps=5, batch_size=32)
    assert run["steps"] == 5
    assert int(keras.ops.convert_to_numpy(model.d_optimizer.iterations)) == 5
    assert int(keras.ops.convert_to_numpy(model.g_optimizer.iterations)) == 5
