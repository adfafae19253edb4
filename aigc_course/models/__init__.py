"""Model builders (functions returning keras models), keras.Model subclasses trained with fit(), and sampling.

Import the module you need: ``from aigc_course.models import gan, vae, transformer, sampling, audio``. The GAN models'
train step is written once per backend (``_gan_tensorflow.py``, ``_gan_jax.py``, ``_gan_torch.py``)."""
