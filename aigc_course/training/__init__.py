"""Training: GAN models with two optimizers (one train step per backend), callbacks, sampling.

Import the module you need: ``from aigc_course.training import gan, callbacks, sampling``."""
