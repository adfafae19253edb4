import keras
import numpy as np
from helpers import raises_message

from aigc_course.models import gan
from aigc_course.training import callbacks


def _model(g_lr):
    keras.utils.set_random_seed(0)
    model = gan.GAN(gan.build_mlp_generator(4, output_shape=(2,), hidden=(8,), output_activation=None),
                    gan.build_mlp_discriminator(input_shape=(2,), hidden=(8,)), latent_dim=4, seed=0)
    model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(g_lr))
    return model


def test_average_of_constant_weights_is_the_weights_and_apply_restore_round_trip():
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    model = _model(0.0)                      # the generator never changes
    ema = callbacks.GeneratorEMA(decay=0.9, every=2)
    model.fit(x, batch_size=8, epochs=1, verbose=0, callbacks=[ema])
    for a, w in zip(ema.average, model.generator.get_weights()):
        np.testing.assert_allclose(a, w, rtol=1e-6)


def test_average_lags_the_trained_weights():
    x = np.random.default_rng(0).normal(size=(256, 2)).astype("float32")
    model = _model(0.5)
    start = [w.copy() for w in model.generator.get_weights()]
    ema = callbacks.GeneratorEMA(decay=0.99, every=1)
    model.fit(x, batch_size=8, epochs=1, verbose=0, callbacks=[ema])
    raw = model.generator.get_weights()
    ema.apply()
    averaged = model.generator.get_weights()
    # the average trails the trained weights: it has moved from the start, but less far
    moved_raw = sum(np.abs(r - s).sum() for r, s in zip(raw, start))
    moved_avg = sum(np.abs(a - s).sum() for a, s in zip(averaged, start))
    assert 0 < moved_avg < moved_raw
    ema.restore()
    for r, w in zip(raw, model.generator.get_weights()):
        np.testing.assert_array_equal(r, w)


def test_errors():
    with raises_message(ValueError, "decay must be a number in (0, 1), got 1.0"):
        callbacks.GeneratorEMA(decay=1.0)
    with raises_message(ValueError, "every must be a positive int, got 0"):
        callbacks.GeneratorEMA(every=0)
    ema = callbacks.GeneratorEMA()
    with raises_message(ValueError, "no average yet: pass the callback to fit() and train for at least `every` batches"):
        ema.apply()
    with raises_message(ValueError, "nothing to restore: call apply() first"):
        ema.restore()


def test_steps_per_execution_counts_steps_and_decays_per_step():
    x = np.random.default_rng(0).normal(size=(256, 2)).astype("float32")
    runs = {}
    for spe, every in ((1, 4), (4, 1)):
        model = _model(0.0)                  # constant generator: the average must stay the weights
        model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.0),
                      steps_per_execution=spe)
        ema = callbacks.GeneratorEMA(decay=0.9, every=every)
        model.fit(x, batch_size=8, epochs=1, verbose=0, callbacks=[ema])
        runs[spe] = ema
        for a, w in zip(ema.average, model.generator.get_weights()):
            np.testing.assert_allclose(a, w, rtol=1e-6)
    assert runs[1].steps == runs[4].steps == 32          # 256 / 8 steps, whether Keras calls back 32 or 8 times


def test_steps_per_execution_weights_each_update_by_the_steps_it_covers():
    ema = callbacks.GeneratorEMA(decay=0.5, every=1)

    class Fake:                                           # a generator whose weight is the step count
        def __init__(self):
            self.generator = self
            self.value = 0.0

        @property
        def weights(self):
            return [np.array(self.value)]

    ema.set_model(Fake())
    ema.on_epoch_begin(0)
    for end_step in (3, 7):                               # steps_per_execution = 4: Keras reports steps 3 and 7
        ema.model.value = float(end_step + 1)
        ema.on_train_batch_end(end_step)
    # start at 4, then 4 steps later: d = 0.5 ** 4, so 0.0625 * 4 + 0.9375 * 8
    assert ema.steps == 8
    np.testing.assert_allclose(ema.average[0], 0.0625 * 4 + 0.9375 * 8)
