"""Variational auto-encoder (VAE): reparameterisation, encoder/decoder builders and a ``keras.Model``
trained with ``fit()`` on any Keras backend.

The encoder maps x to the parameters (mu, log sigma^2) of q(z | x) = N(mu, diag(sigma^2)); the decoder maps
z to the *logits* of independent Bernoulli pixels p(x | z). Training minimises the negative evidence lower
bound per example

    -ELBO(x) = -E_q[log p(x | z)] + KL(q(z | x) || N(0, I))

estimated with one reparameterised sample z = mu + sigma * eps, eps ~ N(0, I). ``beta`` weights the KL term
(beta-VAE); ``evaluate_elbo`` always reports the beta = 1 bound in nats per example.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers, ops

from .losses import bernoulli_nll, gaussian_kl


def _check_latent_dim(latent_dim) -> int:
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, (int, np.integer)) or latent_dim < 1:
        raise ValueError(f"latent_dim must be an int >= 1, got {latent_dim!r}")
    return int(latent_dim)


def _check_shape(shape, what: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{what} must be a tuple of positive ints, got {shape!r}") from None
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"{what} must be a tuple of positive ints, got {shape!r}")
    return shape


def _check_widths(widths, what: str) -> tuple[int, ...]:
    widths = tuple(widths)
    if not widths or any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1 for w in widths):
        raise ValueError(f"{what} must be a non-empty sequence of positive ints, got {widths!r}")
    return tuple(int(w) for w in widths)


def _apply(model, x: np.ndarray, batch_size: int):
    """``model`` on ``x`` as numpy: one direct call for a single batch (no tracing), else ``predict``."""
    if len(x) <= batch_size:
        out = model(x, training=False)
        if isinstance(out, (list, tuple)):
            return tuple(ops.convert_to_numpy(o) for o in out)
        return ops.convert_to_numpy(out)
    return model.predict(x, batch_size=batch_size, verbose=0)


@keras.saving.register_keras_serializable(package="aigc_course")
class Sampling(layers.Layer):
    """Reparameterisation: given (mu, log_var) return z = mu + exp(log_var / 2) * eps with eps ~ N(0, I).

    The noise comes from a seeded ``keras.random.SeedGenerator``, so gradients flow into mu and log_var
    and a seeded run repeats exactly.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"Sampling expects a pair (mu, log_var), got {type(inputs).__name__}")
        mu, log_var = inputs
        if tuple(mu.shape) != tuple(log_var.shape):
            raise ValueError(f"mu and log_var must have the same shape, got {tuple(mu.shape)} and "
                             f"{tuple(log_var.shape)}")
        eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)
        return mu + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def build_dense_encoder(latent_dim: int, input_shape: Sequence[int] = (28, 28, 1),
                        hidden: Sequence[int] = (512, 256), name: str = "dense_encoder") -> keras.Model:
    """MLP encoder: x (any shape, flattened) -> [mu, log_var], each (batch, latent_dim)."""
    latent_dim = _check_latent_dim(latent_dim)
    input_shape = _check_shape(input_shape, "input_shape")
    hidden = _check_widths(hidden, "hidden")
    x_in = keras.Input(shape=input_shape, name="x")
    h = layers.Flatten()(x_in) if len(input_shape) > 1 else x_in
    for width in hidden:
        h = layers.Dense(width, activation="relu")(h)
    mu = layers.Dense(latent_dim, name="mu")(h)
    log_var = layers.Dense(latent_dim, name="log_var")(h)
    return keras.Model(x_in, [mu, log_var], name=name)


def build_dense_decoder(latent_dim: int, output_shape: Sequence[int] = (28, 28, 1),
                        hidden: Sequence[int] = (256, 512), name: str = "dense_decoder") -> keras.Model:
    """MLP decoder: z (batch, latent_dim) -> Bernoulli logits of shape (batch, *output_shape)."""
    latent_dim = _check_latent_dim(latent_dim)
    output_shape = _check_shape(output_shape, "output_shape")
    hidden = _check_widths(hidden, "hidden")
    z_in = keras.Input(shape=(latent_dim,), name="z")
    h = z_in
    for width in hidden:
        h = layers.Dense(width, activation="relu")(h)
    h = layers.Dense(int(np.prod(output_shape)), name="logits")(h)
    out = layers.Reshape(output_shape)(h) if len(output_shape) > 1 else h
    return keras.Model(z_in, out, name=name)


def build_conv_encoder(latent_dim: int, input_shape: Sequence[int] = (28, 28, 1),
                       filters: Sequence[int] = (32, 64), dense: int = 256,
                       name: str = "conv_encoder") -> keras.Model:
    """Convolutional encoder for images: stride-2 convolutions, then a dense layer -> [mu, log_var]."""
    latent_dim = _check_latent_dim(latent_dim)
    input_shape = _check_shape(input_shape, "input_shape")
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    filters = _check_widths(filters, "filters")
    x_in = keras.Input(shape=input_shape, name="x")
    h = x_in
    for f in filters:
        h = layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Flatten()(h)
    h = layers.Dense(dense, activation="relu")(h)
    mu = layers.Dense(latent_dim, name="mu")(h)
    log_var = layers.Dense(latent_dim, name="log_var")(h)
    return keras.Model(x_in, [mu, log_var], name=name)


def build_conv_decoder(latent_dim: int, output_shape: Sequence[int] = (28, 28, 1),
                       filters: Sequence[int] = (64, 32), dense: int = 256,
                       name: str = "conv_decoder") -> keras.Model:
    """Convolutional decoder: dense -> (h/2^k, w/2^k, filters[0]) -> stride-2 transposed convolutions
    -> a 3x3 convolution giving Bernoulli logits of shape ``output_shape``."""
    latent_dim = _check_latent_dim(latent_dim)
    output_shape = _check_shape(output_shape, "output_shape")
    filters = _check_widths(filters, "filters")
    if len(output_shape) != 3:
        raise ValueError(f"output_shape must be (height, width, channels), got {output_shape!r}")
    step = 2 ** len(filters)
    h_out, w_out, c_out = output_shape
    if h_out % step or w_out % step:
        raise ValueError(f"output height and width must be divisible by 2**len(filters) = {step}, "
                         f"got {output_shape!r}")
    z_in = keras.Input(shape=(latent_dim,), name="z")
    h = layers.Dense(dense, activation="relu")(z_in)
    h = layers.Dense((h_out // step) * (w_out // step) * filters[0], activation="relu")(h)
    h = layers.Reshape((h_out // step, w_out // step, filters[0]))(h)
    for f in filters:
        h = layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu")(h)
    out = layers.Conv2D(c_out, 3, padding="same", name="logits")(h)
    return keras.Model(z_in, out, name=name)


@keras.saving.register_keras_serializable(package="aigc_course")
class VAE(keras.Model):
    """A VAE trained with ``fit(x)`` (x in [0, 1], no targets).

    ``call(x)`` returns ``(logits, mu, log_var)``; the loss is the batch mean of
    ``recon + beta * kl`` per example, and fit() logs ``loss``, ``recon`` and ``kl`` (nats per example).
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(encoder, keras.Model) or not isinstance(decoder, keras.Model):
            raise TypeError(f"encoder and decoder must be keras.Model instances, got "
                            f"{type(encoder).__name__} and {type(decoder).__name__}")
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating, np.integer)) \
                or not np.isfinite(beta) or beta < 0:
            raise ValueError(f"beta must be a finite number >= 0, got {beta!r}")
        enc_out = encoder.outputs
        if enc_out is None or len(enc_out) != 2:
            raise ValueError("encoder must output two tensors [mu, log_var]")
        latent_dim = int(enc_out[0].shape[-1])
        dec_in = int(decoder.inputs[0].shape[-1])
        if dec_in != latent_dim:
            raise ValueError(f"decoder expects a latent of size {dec_in} but the encoder gives {latent_dim}")
        in_shape, out_shape = tuple(encoder.inputs[0].shape[1:]), tuple(decoder.outputs[0].shape[1:])
        if in_shape != out_shape:
            raise ValueError(f"decoder output shape {out_shape} differs from encoder input shape {in_shape}")
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.latent_dim = latent_dim
        self.data_shape = in_shape
        self.sampling = Sampling(seed=seed, name="sampling")
        self.recon_tracker = keras.metrics.Mean(name="recon")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    # -- training -------------------------------------------------------------------------------------
    def call(self, x, training=False):
        mu, log_var = self.encoder(x, training=training)
        z = self.sampling([mu, log_var])
        return self.decoder(z, training=training), mu, log_var

    def _terms(self, x, y_pred):
        logits, mu, log_var = y_pred
        return bernoulli_nll(x, logits), gaussian_kl(mu, log_var)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y_pred is None:
            y_pred = self(x, training=training)
        recon, kl = self._terms(x, y_pred)
        return ops.mean(recon + self.beta * kl)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        # Runs after compute_loss on every backend (also inside JAX's stateless training step).
        recon, kl = self._terms(x, y_pred)
        self.recon_tracker.update_state(recon)
        self.kl_tracker.update_state(kl)
        return super().compute_metrics(x, y, y_pred, sample_weight)

    @property
    def metrics(self):
        return [*super().metrics, self.recon_tracker, self.kl_tracker]

    def _check_x(self, x, what: str = "x") -> np.ndarray:
        if isinstance(x, keras.utils.PyDataset):
            return x
        try:
            arr = np.asarray(x, dtype="float32")
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be a numpy array of shape (n, {', '.join(map(str, self.data_shape))}), "
                            f"got {type(x).__name__}") from None
        if arr.ndim != len(self.data_shape) + 1 or tuple(arr.shape[1:]) != self.data_shape:
            raise ValueError(f"{what} must have shape (n, {', '.join(map(str, self.data_shape))}), got {arr.shape}")
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise ValueError(f"{what} must hold values in [0, 1] (Bernoulli likelihood), got values in "
                             f"[{arr.min():.3g}, {arr.max():.3g}]")
        return arr

    def fit(self, x=None, y=None, **kwargs):
        """``keras.Model.fit`` on x in [0, 1] (checked); targets are not used."""
        if y is not None:
            raise ValueError("a VAE reconstructs its input: call fit(x) without targets y")
        val = kwargs.get("validation_data")
        if val is not None and not isinstance(val, (tuple, list, keras.utils.PyDataset)):
            kwargs["validation_data"] = (self._check_x(val, "validation_data"),)
        return super().fit(self._check_x(x), **kwargs)

    # -- using a trained model ------------------------------------------------------------------------
    def encode(self, x, batch_size: int = 500):
        """(mu, log_var) as numpy arrays, each (n, latent_dim)."""
        mu, log_var = _apply(self.encoder, self._check_x(x), batch_size)
        return mu, log_var

    def decode(self, z, batch_size: int = 500) -> np.ndarray:
        """Bernoulli means sigmoid(logits) in [0, 1] for latents z of shape (n, latent_dim)."""
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}")
        logits = _apply(self.decoder, z, batch_size)
        return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype="float64"))).astype("float32")

    def reconstruct(self, x, batch_size: int = 500) -> np.ndarray:
        """Decode the posterior means: a deterministic reconstruction in [0, 1]."""
        mu, _ = self.encode(x, batch_size)
        return self.decode(mu, batch_size)

    def generate(self, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
        """Decode ``n`` latents drawn from the prior N(0, temperature^2 I) (numpy, seeded)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be an int >= 1, got {n!r}")
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}")
        z = np.random.default_rng(seed).normal(size=(int(n), self.latent_dim)).astype("float32") * temperature
        return self.decode(z)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
                "seed": self.sampling.seed}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        enc = keras.saving.deserialize_keras_object(config.pop("encoder"))
        dec = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(enc, dec, **config)


def elbo_terms(model: VAE, x, batch_size: int = 500) -> dict:
    """Per-example reconstruction term -log p(x | z) (one z ~ q(z | x)) and KL(q(z | x) || p(z)), in nats,
    from one batched ``predict`` pass. Returns {"recon": (n,), "kl": (n,)} as numpy arrays."""
    _check_vae(model)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    x = model._check_x(x)
    if len(x) == 0:
        raise ValueError("x must hold at least one example, got 0")
    logits, mu, log_var = _apply(model, x, batch_size)
    logits = np.asarray(logits, dtype="float64").reshape(len(x), -1)
    xf = x.astype("float64").reshape(len(x), -1)
    # -log p(x|z) = sum softplus(l) - x * l  (stable form of the Bernoulli negative log-likelihood)
    recon = np.sum(np.logaddexp(0.0, logits) - xf * logits, axis=1)
    mu, log_var = np.asarray(mu, "float64"), np.asarray(log_var, "float64")
    kl = 0.5 * np.sum(mu ** 2 + np.exp(log_var) - log_var - 1.0, axis=1)
    return {"recon": recon, "kl": kl}


def evaluate_elbo(model: VAE, x, batch_size: int = 500) -> float:
    """Mean -ELBO (beta = 1) over held-out ``x`` in nats per example: E[recon + KL]. Lower is better;
    it is an upper bound on the mean -log p(x)."""
    terms = elbo_terms(model, x, batch_size)
    return float(np.mean(terms["recon"] + terms["kl"]))


def _check_vae(model) -> VAE:
    if not isinstance(model, VAE):
        raise TypeError(f"model must be an aigc_course.models.vae.VAE, got {type(model).__name__}")
    return model


def latent_grid(model: VAE, n: int = 15, span: float = 3.0, dims: tuple[int, int] = (0, 1)):
    """Decode an n x n grid of latents covering [-span, span]^2 in latent dimensions ``dims`` (the others 0).

    Returns (images (n * n, *data_shape) in [0, 1], row by row from the top (largest z2) down, and the
    grid coordinates (n,))."""
    _check_vae(model)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if not span > 0:
        raise ValueError(f"span must be > 0, got {span!r}")
    d0, d1 = dims
    if not (0 <= d0 < model.latent_dim and 0 <= d1 < model.latent_dim and d0 != d1):
        raise ValueError(f"dims must be two different latent indices below {model.latent_dim}, got {dims!r}")
    coords = np.linspace(-span, span, int(n)).astype("float32")
    z = np.zeros((n * n, model.latent_dim), dtype="float32")
    z1, z2 = np.meshgrid(coords, coords[::-1])
    z[:, d0], z[:, d1] = z1.ravel(), z2.ravel()
    return model.decode(z), coords


def interpolate(model: VAE, x_a, x_b, steps: int = 8) -> np.ndarray:
    """Decode the straight line between the posterior means of two examples: (steps, *data_shape)."""
    _check_vae(model)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an int >= 2, got {steps!r}")
    pair = model._check_x(np.stack([np.asarray(x_a, "float32"), np.asarray(x_b, "float32")]), "x_a and x_b")
    mu, _ = model.encode(pair)
    t = np.linspace(0.0, 1.0, int(steps), dtype="float32")[:, None]
    return model.decode((1.0 - t) * mu[0] + t * mu[1])


__all__ = ["latent_grid", "interpolate", "Sampling", "build_dense_encoder", "build_dense_decoder", "build_conv_encoder", "build_conv_decoder",
           "VAE", "elbo_terms", "evaluate_elbo"]
