"""Which Keras backend trains the course fastest on this machine: advice for ``aigc-course doctor``.

Measured with ``benchmarks/cpu_speed.py --parts`` on a 2-core CPU (chapter 04's DCGAN, width 64, batch 128):
under JAX, XLA's CPU code for the *kernel gradient of a transposed convolution* (the generator's upsampling
layers) takes about 280 ms against 13 ms for the same layer's forward pass, which makes the generator's
forward + backward pass about 4x slower than TensorFlow's (oneDNN kernels: 337 against 82 ms); the
discriminator runs at a similar speed on both (52 against 42 ms). On a GPU
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
