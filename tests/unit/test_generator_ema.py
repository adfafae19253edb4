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
