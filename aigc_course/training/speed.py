"""Which Keras backend trains the course fastest on this machine: advice for ``aigc-course doctor``.

Measured with ``benchmarks/cpu_speed.py --parts`` on a 2-core CPU (chapter 04's DCGAN, width 64, batch 128):
under JAX, XLA's CPU code for the *kernel gradient of a transposed convolution* (the generator's upsampling
layers) takes about 280 ms against 13 ms for the same layer's forward pass, which makes the generator's
forward + backward pass about 4x slower than TensorFlow's (oneDNN kernels: 337 against 82 ms); the
discriminator runs at a similar speed on both (52 against 42 ms).

``use_fast_conv_transpose()`` removes that cause: under JAX it gives Keras' transposed convolution a backward
pass computed through the strided convolution it is the adjoint of (same gradients to float rounding,
checked in tests/unit/test_speed.py), which XLA:CPU runs on its fast path; measured on the whole DCGAN step
it raised JAX's steps/s 2.6x on this CPU (1.52 to 3.93, benchmarks/results/cpu_speed-jax.json). Until the course turns it on for
every JAX run, ``backend_advice`` steers CPU users to TensorFlow. On a GPU
JAX is the fast backend. So on a CPU the course recommends TensorFlow (or PyTorch) for the GAN and VAE
chapters.
"""

from __future__ import annotations

SLOW_ON_CPU = {"jax"}
"""Backends whose CPU path trains the course's transposed-convolution models several times slower."""


def has_accelerator(devices) -> bool:
    """True when any device name (as ``aigc-course doctor`` lists them: 'cpu:0', 'gpu:0', 'cuda:0',
    'tpu:0', 'mps') is not a CPU."""
    return any(not str(d).lower().startswith("cpu") for d in devices or ())


def backend_advice(backend: str, devices) -> str | None:
    """One line of advice when ``backend`` is slow on this machine (JAX without a GPU or TPU), else None."""
    if backend in SLOW_ON_CPU and not has_accelerator(devices):
        return ("JAX 在 CPU 上训练本课程的卷积生成模型（DCGAN、卷积 VAE）比 TensorFlow 慢约 4 倍（XLA 在 CPU 上计算"
                "转置卷积的核梯度很慢）；没有 GPU 时请用 KERAS_BACKEND=tensorflow（或 torch）。"
                " / JAX trains the course's convolutional generators about 4x slower than TensorFlow on a CPU; "
                "without a GPU use KERAS_BACKEND=tensorflow (or torch).")
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
