"""GAN builders: functions that return keras models.

Generators map a latent vector z (and, for the conditional ones, a class label) to an image in [-1, 1]
(``tanh``) or to a point in the plane (no activation). Discriminators and critics return *logits* /
scores with no final sigmoid: the losses in ``aigc_course.models.losses`` apply the sigmoid themselves,
so it is applied exactly once (erratum 10).
"""

from __future__ import annotations

import math

import keras
from keras import layers

IMAGE_SHAPE = (28, 28, 1)


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _shape(name: str, value) -> tuple:
    if not isinstance(value, (tuple, list)) or not value or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value):
        raise ValueError(f"{name} must be a non-empty tuple of positive ints, got {value!r}")
    return tuple(value)


def _hidden(value) -> tuple:
    if not isinstance(value, (tuple, list)) or not value or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value):
        raise ValueError(f"hidden must be a non-empty tuple of positive ints, got {value!r}")
    return tuple(value)


def _rate(name: str, value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def build_mlp_generator(latent_dim: int = 64, output_shape=IMAGE_SHAPE, hidden=(256, 512),
                        output_activation: str | None = "tanh", name: str = "mlp_generator") -> keras.Model:
    """Fully connected generator z -> Dense+LeakyReLU per ``hidden`` width -> ``output_shape``.

    Use ``output_activation="tanh"`` for images in [-1, 1] and ``None`` for unbounded points (the 2-D ring).
    """
    _positive_int("latent_dim", latent_dim)
    output_shape = _shape("output_shape", output_shape)
    hidden = _hidden(hidden)
    if output_activation not in ("tanh", "sigmoid", None):
        raise ValueError(f"output_activation must be 'tanh', 'sigmoid' or None, got {output_activation!r}")
    z = keras.Input((latent_dim,), name="z")
    h = z
    for units in hidden:
        h = layers.Dense(units)(h)
        h = layers.LeakyReLU(0.2)(h)
    h = layers.Dense(math.prod(output_shape), activation=output_activation)(h)
    out = layers.Reshape(output_shape)(h)
    return keras.Model(z, out, name=name)


def build_mlp_discriminator(input_shape=IMAGE_SHAPE, hidden=(512, 256), name: str = "mlp_discriminator") -> keras.Model:
    """Fully connected discriminator x -> Flatten -> Dense+LeakyReLU per ``hidden`` width -> one logit."""
    input_shape = _shape("input_shape", input_shape)
    hidden = _hidden(hidden)
    x = keras.Input(input_shape, name="x")
    h = layers.Flatten()(x)
    for units in hidden:
        h = layers.Dense(units)(h)
        h = layers.LeakyReLU(0.2)(h)
    logit = layers.Dense(1, name="logit")(h)
    return keras.Model(x, logit, name=name)


def _dcgan_trunk(h, width: int):
    """Dense features -> 7x7x(2 width) -> 14x14x(width) -> 28x28x1 in [-1, 1] (batch norm + ReLU inside)."""
    h = layers.Dense(7 * 7 * 2 * width, use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((7, 7, 2 * width))(h)
    h = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    return layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="image")(h)


def _conv_trunk(x, width: int, dropout: float):
    """28x28xC -> stride-2 convs (width, 2 width) with LeakyReLU -> flat features -> one output."""
    h = layers.Conv2D(width, 4, strides=2, padding="same")(x)
    h = layers.LeakyReLU(0.2)(h)
    h = layers.Conv2D(2 * width, 4, strides=2, padding="same")(h)
    h = layers.LeakyReLU(0.2)(h)
    h = layers.Flatten()(h)
    if dropout:
        h = layers.Dropout(dropout)(h)
    return layers.Dense(1, name="logit")(h)


def build_dcgan_generator(latent_dim: int = 64, width: int = 64, name: str = "dcgan_generator") -> keras.Model:
    """DCGAN generator for 28x28x1: z -> Dense -> reshape 7x7 -> two stride-2 transposed convolutions.

    Batch norm follows every layer but the last (its moving averages are non-trainable state)."""
    _positive_int("latent_dim", latent_dim)
    _positive_int("width", width)
    z = keras.Input((latent_dim,), name="z")
    return keras.Model(z, _dcgan_trunk(z, width), name=name)


def build_dcgan_discriminator(width: int = 64, dropout: float = 0.0, name: str = "dcgan_discriminator") -> keras.Model:
    """DCGAN discriminator for 28x28x1: two stride-2 convolutions with LeakyReLU, then one logit
    (no batch norm, so real and fake batches never share statistics)."""
    _positive_int("width", width)
    dropout = _rate("dropout", dropout)
    x = keras.Input(IMAGE_SHAPE, name="x")
    return keras.Model(x, _conv_trunk(x, width, dropout), name=name)


def build_wgan_critic(width: int = 64, name: str = "wgan_critic") -> keras.Model:
    """WGAN-GP critic: the DCGAN discriminator's layout returning an unbounded score. It has no batch norm,
    which the gradient penalty requires (the penalty is per example)."""
    _positive_int("width", width)
    x = keras.Input(IMAGE_SHAPE, name="x")
    return keras.Model(x, _conv_trunk(x, width, 0.0), name=name)


def build_conditional_generator(latent_dim: int = 64, num_classes: int = 10, width: int = 64, embed_dim: int = 16,
                                name: str = "conditional_generator") -> keras.Model:
    """Conditional DCGAN generator: inputs [z, label]; the label's learned embedding is concatenated to z."""
    _positive_int("latent_dim", latent_dim)
    _positive_int("num_classes", num_classes)
    _positive_int("width", width)
    _positive_int("embed_dim", embed_dim)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((1,), dtype="int32", name="label")
    e = layers.Flatten()(layers.Embedding(num_classes, embed_dim)(label))
    h = layers.Concatenate()([z, e])
    return keras.Model([z, label], _dcgan_trunk(h, width), name=name)


def build_conditional_discriminator(num_classes: int = 10, width: int = 64, dropout: float = 0.0,
                                    name: str = "conditional_discriminator") -> keras.Model:
    """Conditional discriminator: inputs [image, label]; the label's embedding becomes a 28x28 plane
    stacked onto the image as a second channel, so D judges "is this a real image *of this class*"."""
    _positive_int("num_classes", num_classes)
    _positive_int("width", width)
    dropout = _rate("dropout", dropout)
    x = keras.Input(IMAGE_SHAPE, name="x")
    label = keras.Input((1,), dtype="int32", name="label")
    plane = layers.Reshape((28, 28, 1))(layers.Flatten()(layers.Embedding(num_classes, 28 * 28)(label)))
    h = layers.Concatenate(axis=-1)([x, plane])
    return keras.Model([x, label], _conv_trunk(h, width, dropout), name=name)
