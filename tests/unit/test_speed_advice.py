"""aigc_course.training.speed: doctor's advice on the backend to use without a GPU."""

import pytest

from aigc_course.training.speed import backend_advice, has_accelerator


@pytest.mark.parametrize("devices, expected", [(["cpu:0"], False), ([], False), (["cpu:0", "gpu:0"], True),
                                               (["cuda:0"], True), (["CPU:0", "tpu:0"], True)])
def test_has_accelerator(devices, expected):
    assert has_accelerator(devices) is expected


def test_jax_on_a_cpu_is_steered_to_tensorflow():
    advice = backend_advice("jax", ["cpu:0"])
    assert advice.startswith("JAX 在 CPU 上训练本课程的卷积生成模型")
    assert "KERAS_BACKEND=tensorflow" in advice


@pytest.mark.parametrize("backend, devices", [("jax", ["cpu:0", "gpu:0"]), ("tensorflow", ["cpu:0"]),
                                              ("torch", ["cpu"])])
def test_no_advice_where_the_backend_is_fast(backend, devices):
    assert backend_advice(backend, devices) is None
