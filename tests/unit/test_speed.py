"""aigc_course.training.speed: doctor's advice on the backend to use without a GPU."""

import pytest

from aigc_course.training.speed import backend_advice, has_accelerator
from helpers import raises_message


@pytest.mark.parametrize("devices, expected", [(["cpu:0"], False), ([], False), (["cpu:0", "gpu:0"], True),
                                               (["cuda:0"], True), (["CPU:0", "tpu:0"], True)])
def test_has_accelerator(devices, expected):
    assert has_accelerator(devices) is expected


def test_jax_on_a_cpu_is_steered_to_tensorflow_only_without_the_fast_path(monkeypatch):
    advice = backend_advice("jax", ["cpu:0"], fast_conv_transpose=False)
    assert advice.startswith("JAX 在 CPU 上训练本课程的卷积生成模型")
    assert "KERAS_BACKEND=tensorflow" in advice
    assert backend_advice("jax", ["cpu:0"], fast_conv_transpose=True) is None
    monkeypatch.setenv("AIGC_FAST_CONV_TRANSPOSE", "0")
    assert backend_advice("jax", ["cpu:0"]) == advice
    monkeypatch.delenv("AIGC_FAST_CONV_TRANSPOSE")
    assert backend_advice("jax", ["cpu:0"]) is None


def test_a_bad_fast_path_switch_is_named(monkeypatch):
    from aigc_course.training.speed import fast_conv_transpose_wanted

    monkeypatch.setenv("AIGC_FAST_CONV_TRANSPOSE", "maybe")
    with raises_message(ValueError, "AIGC_FAST_CONV_TRANSPOSE must be 1 (on, the default) or 0 (off), got "
                                    "'maybe'; fix: export AIGC_FAST_CONV_TRANSPOSE=0 or unset it"):
        fast_conv_transpose_wanted()


def test_importing_the_models_turns_the_fast_path_on_only_for_jax_on_a_cpu(monkeypatch):
    import keras

    import aigc_course.models  # noqa: F401  (its import calls enable_cpu_speedups)
    from aigc_course.training import speed

    if keras.backend.backend() != "jax":
        assert speed.enable_cpu_speedups() is False
        return
    import jax
    from keras.src.backend.jax import nn as jax_nn

    on_cpu = all(d.platform == "cpu" for d in jax.devices())
    try:
        assert getattr(jax_nn.conv_transpose, "_aigc_fast", False) is on_cpu
        monkeypatch.setenv("AIGC_FAST_CONV_TRANSPOSE", "0")
        speed.use_fast_conv_transpose(False)
        assert speed.enable_cpu_speedups() is False
        assert not getattr(jax_nn.conv_transpose, "_aigc_fast", False)
    finally:
        monkeypatch.delenv("AIGC_FAST_CONV_TRANSPOSE")
        speed.enable_cpu_speedups()


@pytest.mark.parametrize("backend, devices", [("jax", ["cpu:0", "gpu:0"]), ("tensorflow", ["cpu:0"]),
                                              ("torch", ["cpu"])])
def test_no_advice_where_the_backend_is_fast(backend, devices):
    assert backend_advice(backend, devices) is None


def test_fast_conv_transpose_is_only_for_jax():
    import keras

    from aigc_course.training import speed

    if keras.backend.backend() == "jax":
        pytest.skip("checked by the JAX tests below")
    assert speed.use_fast_conv_transpose() is False


def _grads(net, inputs):
    import jax

    tr = [v.value for v in net.trainable_variables]
    nt = [v.value for v in net.non_trainable_variables]
    return jax.grad(lambda p: (net.stateless_call(p, nt, inputs, training=True)[0] ** 2).sum())(tr)


@pytest.mark.parametrize("which", ["dcgan_generator", "vae_decoder"])
def test_fast_conv_transpose_gives_the_same_gradients_under_jax(which):
    import keras
    import numpy as np

    from aigc_course.models import gan, vae
    from aigc_course.training import speed

    if keras.backend.backend() != "jax":
        pytest.skip("JAX only (tests/test_backends.py runs the unit tests under JAX)")
    keras.utils.set_random_seed(0)
    net = gan.build_dcgan_generator(8, 8) if which == "dcgan_generator" else vae.build_conv_decoder(
        4, filters=(8, 4), dense=16)
    z = np.random.default_rng(0).standard_normal((3, net.inputs[0].shape[-1])).astype("float32")
    was_on = speed.use_fast_conv_transpose(False)  # importing aigc_course.models turned it on (JAX on a CPU)
    reference = _grads(net, z)
    try:
        assert speed.use_fast_conv_transpose() is True
        fast = _grads(net, z)
        outputs = keras.ops.convert_to_numpy(net(z))
    finally:
        assert speed.use_fast_conv_transpose(False) is False
    for a, b in zip(reference, fast):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-4, atol=1e-5 * float(np.abs(a).max()))
    np.testing.assert_allclose(outputs, keras.ops.convert_to_numpy(net(z)), rtol=1e-6, atol=1e-6)
    restored = _grads(net, z)
    speed.use_fast_conv_transpose(was_on)
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(reference, restored))
