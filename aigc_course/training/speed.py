"""Which Keras backend trains the course fastest on this machine: advice for ``aigc-course doctor``.

Measured with ``benchmarks/cpu_speed.py --parts`` on a 2-core CPU (chapter 04's DCGAN, width 64, batch 128):
under JAX, XLA's CPU code for the *kernel gradient of a transposed convolution* (the generator's upsampling
layers) takes about 280 ms against 13 ms for the same layer's forward pass, which makes the generator's
forward + backward pass about 4x slower than TensorFlow's (oneDNN kernels: 337 against 82 ms); the
discriminator runs at a similar speed on both (52 against 42 ms).

``use_fast_conv_transpose()`` removes that cause: under JAX it gives Keras' transposed convolution a backward
pass computed through the strided convolution it is the adjoint of (same gradients to float rounding,
checked in tests/unit/test_speed.py), which XLA:CPU runs on its fast path; measured on the whole DCGAN step
it raised JAX's steps/s 2.6x on this CPU (1.52 to 3.93, benchmarks/results/cpu_speed-jax.json).

``enable_cpu_speedups()`` turns it on for every JAX run without a GPU or TPU; ``aigc_course.models`` calls it
when imported, so every chapter gets it. ``AIGC_FAST_CONV_TRANSPOSE=0`` keeps Keras' own rule (and brings back
``doctor``'s advice to use TensorFlow on a CPU). On a GPU JAX's own rule is fast and nothing is changed.
"""

from __future__ import annotations

import os

SLOW_ON_CPU = {"jax"}
"""Backends whose CPU path trains the course's transposed-convolution models several times slower."""


def has_accelerator(devices) -> bool:
    """True when any device name (as ``aigc-course doctor`` lists them: 'cpu:0', 'gpu:0', 'cuda:0',
    'tpu:0', 'mps') is not a CPU."""
    return any(not str(d).lower().startswith("cpu") for d in devices or ())


FAST_CONV_TRANSPOSE_ENV = "AIGC_FAST_CONV_TRANSPOSE"
"""Set to 0 to keep Keras' own transposed-convolution gradient under JAX on a CPU."""


def fast_conv_transpose_wanted() -> bool:
    """False when the user switched the JAX CPU fast path off (``AIGC_FAST_CONV_TRANSPOSE=0``)."""
    value = os.environ.get(FAST_CONV_TRANSPOSE_ENV, "1").strip().lower()
    if value not in {"0", "1", "false", "true", "no", "yes", "off", "on", ""}:
        raise ValueError(f"{FAST_CONV_TRANSPOSE_ENV} must be 1 (on, the default) or 0 (off), got {value!r}; "
                         f"fix: export {FAST_CONV_TRANSPOSE_ENV}=0 or unset it")
    return value not in {"0", "false", "no", "off"}


def backend_advice(backend: str, devices, fast_conv_transpose: bool | None = None) -> str | None:
    """One line of advice when ``backend`` is slow on this machine, else None: JAX without a GPU or TPU
    when the fast transposed-convolution gradient is off (``fast_conv_transpose``; None reads
    ``AIGC_FAST_CONV_TRANSPOSE``, on by default)."""
    if fast_conv_transpose is None:
        fast_conv_transpose = fast_conv_transpose_wanted()
    if backend in SLOW_ON_CPU and not has_accelerator(devices) and not fast_conv_transpose:
        return ("JAX 在 CPU 上训练本课程的卷积生成模型（DCGAN、卷积 VAE）比 TensorFlow 慢约 4 倍（XLA 在 CPU 上计算"
                "转置卷积的核梯度很慢）；没有 GPU 时请用 KERAS_BACKEND=tensorflow（或 torch）。"
                " / JAX trains the course's convolutional generators about 4x slower than TensorFlow on a CPU; "
                "without a GPU use KERAS_BACKEND=tensorflow (or torch), or unset AIGC_FAST_CONV_TRANSPOSE=0.")
    return None


_ORIGINAL_CONV_TRANSPOSE = None


def _fast_conv_transpose(original):
    """``original`` (Keras' JAX conv_transpose) with a custom backward pass: the same gradients, computed
    through the strided convolution that the transposed convolution is the adjoint of."""
    import functools

    import jax

    @functools.lru_cache(maxsize=None)
    def with_vjp(params):
        kwargs = dict(params)

        @jax.custom_vjp
        def conv_transpose(x, k):
            return original(x, k, **kwargs)

        def fwd(x, k):
            return original(x, k, **kwargs), (x, k)

        def bwd(res, g):
            x, k = res

            # y = T_k x is linear in x and in k. T_k^* g (JAX's rule for dx: a strided convolution) is
            # linear in k, and <T_k^* g, x> = <g, T_k x>, so dk is the vjp of k -> T_k^* g with x. This
            # avoids JAX's own kernel-gradient rule (a window-dilated convolution, slow on XLA:CPU).
            def adjoint(kk):
                return jax.vjp(lambda xx: original(xx, kk, **kwargs), x)[1](g)[0]

            dx, vjp_k = jax.vjp(adjoint, k)
            return dx, vjp_k(x)[0]

        conv_transpose.defvjp(fwd, bwd)
        return conv_transpose

    def freeze(v):
        return tuple(v) if isinstance(v, list) else v

    @functools.wraps(original)
    def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                       dilation_rate=1):
        params = (("strides", freeze(strides)), ("padding", padding), ("output_padding", freeze(output_padding)),
                  ("data_format", data_format), ("dilation_rate", freeze(dilation_rate)))
        from keras.src.backend.jax.core import convert_to_tensor

        return with_vjp(params)(convert_to_tensor(inputs), convert_to_tensor(kernel))

    conv_transpose._aigc_fast = True
    return conv_transpose


def use_fast_conv_transpose(enable: bool = True) -> bool:
    """Under JAX, give Keras' transposed convolution (``ops.conv_transpose``, hence ``Conv2DTranspose``) a
    backward pass that XLA:CPU runs on its fast path; ``enable=False`` restores Keras' own. Same values
    and gradients (to float rounding). Functions traced before the call keep what they traced with.
    Returns True when the fast version is active; other backends are left alone (False)."""
    global _ORIGINAL_CONV_TRANSPOSE
    import keras

    if keras.backend.backend() != "jax":
        return False
    from keras.src.backend.jax import nn as jax_nn

    current = jax_nn.conv_transpose
    if enable and not getattr(current, "_aigc_fast", False):
        _ORIGINAL_CONV_TRANSPOSE = current
        jax_nn.conv_transpose = _fast_conv_transpose(current)
    elif not enable and getattr(current, "_aigc_fast", False):
        jax_nn.conv_transpose = _ORIGINAL_CONV_TRANSPOSE
    return getattr(jax_nn.conv_transpose, "_aigc_fast", False)


def enable_cpu_speedups() -> bool:
    """Under JAX without a GPU or TPU, turn on ``use_fast_conv_transpose()`` unless
    ``AIGC_FAST_CONV_TRANSPOSE=0``; other backends and accelerators are left alone. Returns True when the
    fast path is active. A Keras whose internals moved (the patch cannot be applied) keeps its own rule."""
    import keras

    if keras.backend.backend() != "jax" or not fast_conv_transpose_wanted():
        return False
    import jax

    if has_accelerator(f"{d.platform}:{d.id}" for d in jax.devices()):
        return False
    try:
        return use_fast_conv_transpose()
    except (ImportError, AttributeError):
        return False
