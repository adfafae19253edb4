"""Model builders (functions returning keras models), keras.Model subclasses trained with fit(), and sampling.

Import the module you need: ``from aigc_course.models import gan, vae, transformer, sampling, audio``. The GAN
models' train step is written once per backend (``_gan_tensorflow.py``, ``_gan_jax.py``, ``_gan_torch.py``).

Importing this package turns on the JAX CPU fast path for transposed convolutions
(``training.speed.enable_cpu_speedups``; ``AIGC_FAST_CONV_TRANSPOSE=0`` keeps Keras' own rule)."""

from ..training.speed import enable_cpu_speedups

enable_cpu_speedups()
