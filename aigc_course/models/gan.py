"""GAN builders (functions that return keras models) and the GAN models trained with ``fit()``.

Generators map a latent vector z (and, for the conditional ones, a class label) to an image in [-1, 1]
(``tanh``) or to a point in the plane (no activation). Discriminators and critics return *logits* /
scores with no final sigmoid: the losses in ``aigc_course.models.losses`` apply the sigmoid themselves,
so it is applied exactly once (erratum 10).

The models: GAN models trained with ``fit()`` and two optimizers.

``GAN`` (non-saturating loss, optional one-sided label smoothing), ``ConditionalGAN`` (data are
(images, labels); both networks see the label) and ``WGANGP`` (Wasserstein loss, ``n_critic`` critic
updates per generator update, gradient penalty on random interpolates).

The train step is written once per backend, in ``_gan_tensorflow.py`` (GradientTape), ``_gan_jax.py``
(stateless_call + stateless_apply inside the jitted step) and ``_gan_torch.py`` (backward); this module holds
what they share, written in ``keras.ops``. Logged metrics: ``d_loss``, ``g_loss``, ``d_real`` and
``d_fake`` (mean D(x) and mean D(G(z)) as probabilities; for the WGAN critic, the mean scores): each batch's
logs hold that step's values, each epoch's logs the epoch means.
"""

from __future__ import annotations

import importlib
import math

import keras
import numpy as np
from keras import layers, ops

from . import losses

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


# --------------------------------------------------------------------- GAN models trained with fit()
_STEP_MODULES = {"tensorflow": "._gan_tensorflow", "jax": "._gan_jax", "torch": "._gan_torch"}


def step_module(backend: str | None = None):
    """The module holding ``train_step`` for ``backend`` (default: the current Keras backend), e.g. to show
    its source with ``inspect.getsource(step_module("jax").train_step)``. Importing a backend's module needs
    that backend's library installed."""
    name = keras.backend.backend() if backend is None else backend
    if name not in _STEP_MODULES:
        raise ValueError(f"backend must be one of {', '.join(sorted(_STEP_MODULES))}, got {name!r}")
    return importlib.import_module(_STEP_MODULES[name], __package__)


def _backend_module():
    name = keras.backend.backend()
    if name not in _STEP_MODULES:
        raise RuntimeError(f"GAN training supports the backends {sorted(_STEP_MODULES)}, got {name!r}")
    return step_module(name)


class OptimizerPair:
    """The two optimizers seen by Keras as one ``model.optimizer``.

    ``variables`` is the union of both optimizers' variables (discriminator first), which is what Keras'
    JAX trainer threads through the jitted train step as ``optimizer_variables``. ``build`` builds each
    optimizer on its own network's trainable variables.
    """

    def __init__(self, d_optimizer, g_optimizer, discriminator, generator):
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self._nets = (discriminator, generator)

    @property
    def built(self) -> bool:
        return self.d_optimizer.built and self.g_optimizer.built

    def build(self, _variables=None):
        if not self.d_optimizer.built:
            self.d_optimizer.build(self._nets[0].trainable_variables)
        if not self.g_optimizer.built:
            self.g_optimizer.build(self._nets[1].trainable_variables)

    @property
    def variables(self):
        return list(self.d_optimizer.variables) + list(self.g_optimizer.variables)

    @property
    def iterations(self):
        return self.g_optimizer.iterations

    def scale_loss(self, loss):
        return loss


class GAN(keras.Model):
    """Generator and discriminator trained in alternation by ``fit(x)``.

    Each batch: (1) one discriminator update on the real batch and a fresh fake batch (the generator is
    held fixed), (2) one generator update with the non-saturating loss -log D(G(z)) (the discriminator is
    held fixed). ``label_smoothing`` replaces the real target 1 by 1 - label_smoothing (one-sided).
    """

    conditional = False
    wasserstein = False

    def __init__(self, generator, discriminator, latent_dim: int, label_smoothing: float = 0.0,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError(f"generator and discriminator must be keras.Model instances, got "
                            f"{type(generator).__name__} and {type(discriminator).__name__}")
        if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive int, got {latent_dim!r}")
        if not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ValueError(f"seed must be None or a non-negative int, got {seed!r}")
        n_inputs = 2 if self.conditional else 1
        for net, role in ((generator, "generator"), (discriminator, "discriminator")):
            if len(net.inputs) != n_inputs:
                raise ValueError(f"{type(self).__name__} expects a {role} with {n_inputs} input(s), "
                                 f"got one with {len(net.inputs)}")
        g_latent = generator.inputs[0].shape[-1]
        if g_latent != latent_dim:
            raise ValueError(f"latent_dim is {latent_dim} but the generator's latent input has size {g_latent}")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.label_smoothing = float(label_smoothing)
        self.n_critic = 1
        self.gp_weight = 0.0
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._trackers = [keras.metrics.Mean(name=n) for n in ("d_loss", "g_loss", "d_real", "d_fake")]
        self.built = True

    # -- Keras plumbing ---------------------------------------------------------------------------------
    def compile(self, d_optimizer=None, g_optimizer=None, steps_per_execution: int = 1, jit_compile="auto", **kwargs):
        """Give each network its optimizer (default: Adam(2e-4, beta_1=0.5), the DCGAN paper's choice)."""
        d_optimizer = d_optimizer if d_optimizer is not None else keras.optimizers.Adam(2e-4, beta_1=0.5)
        g_optimizer = g_optimizer if g_optimizer is not None else keras.optimizers.Adam(2e-4, beta_1=0.5)
        for opt, role in ((d_optimizer, "d_optimizer"), (g_optimizer, "g_optimizer")):
            if not isinstance(opt, keras.optimizers.Optimizer):
                raise TypeError(f"{role} must be a keras.optimizers.Optimizer, got {type(opt).__name__}")
        if d_optimizer is g_optimizer:
            raise ValueError("d_optimizer and g_optimizer must be two different optimizer objects")
        if isinstance(steps_per_execution, bool) or not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(f"steps_per_execution must be a positive int, got {steps_per_execution!r}")
        super().compile(optimizer=None, steps_per_execution=steps_per_execution, jit_compile=jit_compile, **kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.optimizer = OptimizerPair(d_optimizer, g_optimizer, self.discriminator, self.generator)
        self.optimizer.build()

    @property
    def metrics(self):
        return list(self._trackers)

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, *args):
        # TensorFlow and PyTorch call train_step(data); JAX calls train_step(state, data).
        return _backend_module().train_step(self, *args)

    def make_train_function(self, force=False):
        if keras.backend.backend() != "torch" or self.steps_per_execution == 1:
            return super().make_train_function(force=force)
        # Keras' PyTorch trainer refuses steps_per_execution > 1; run the buffered batches one by one.
        if self.train_function is None or force:
            def multi_step(batches):
                logs = None
                for batch in batches:
                    logs = self.train_step(batch)
                return logs
            self.train_function = multi_step
        return self.train_function

    # -- pieces shared by the three backend steps (keras.ops only) -----------------------------------------
    def unpack(self, data):
        """(real images, labels or None) from a batch yielded by fit()."""
        if isinstance(data, (tuple, list)):
            if self.conditional:
                if len(data) < 2 or data[1] is None:
                    raise ValueError("ConditionalGAN.fit needs labels: call fit(x, y)")
                return data[0], data[1]
            return data[0], None
        if self.conditional:
            raise ValueError("ConditionalGAN.fit needs labels: call fit(x, y)")
        return data, None

    def critic_batches(self, real, labels):
        """Split the fit() batch into ``n_critic`` equal slices, one fresh real batch per critic update
        (a WGAN-GP is fitted with ``batch_size = n_critic * B``; a plain GAN has one slice, the whole batch)."""
        k = self.n_critic
        if k == 1:
            return [(real, labels)]
        b = ops.shape(real)[0] // k
        return [(real[i * b:(i + 1) * b], None if labels is None else labels[i * b:(i + 1) * b]) for i in range(k)]

    def sample_latent(self, n):
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)

    def sample_uniform(self, n, ndim: int):
        return keras.random.uniform((n,) + (1,) * (ndim - 1), seed=self.seed_generator)

    def g_inputs(self, z, labels):
        return [z, labels] if self.conditional else z

    def d_inputs(self, images, labels):
        return [images, labels] if self.conditional else images

    def d_objective(self, real_out, fake_out):
        if self.wasserstein:
            return losses.wasserstein_critic_loss(real_out, fake_out)
        return losses.d_loss(real_out, fake_out, label_smoothing=self.label_smoothing)

    def g_objective(self, fake_out):
        if self.wasserstein:
            return losses.wasserstein_generator_loss(fake_out)
        return losses.g_loss_nonsaturating(fake_out)

    @staticmethod
    def penalty(grads):
        """Gradient penalty E[(||grad_x f(x_hat)||_2 - 1)^2] from the per-example input gradients."""
        flat = ops.reshape(grads, (ops.shape(grads)[0], -1))
        norms = ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12)
        return ops.mean(ops.square(norms - 1.0))

    def interpolate(self, real, fake):
        """x_hat = eps * real + (1 - eps) * fake with eps ~ U(0, 1) drawn per example."""
        eps = self.sample_uniform(ops.shape(real)[0], len(real.shape))
        return eps * real + (1.0 - eps) * fake

    def update_metrics(self, d_loss, g_loss, real_out, fake_out):
        if self.wasserstein:
            d_real, d_fake = ops.mean(real_out), ops.mean(fake_out)
        else:
            d_real, d_fake = ops.mean(ops.sigmoid(real_out)), ops.mean(ops.sigmoid(fake_out))
        values = (d_loss, g_loss, d_real, d_fake)
        for tracker, value in zip(self._trackers, values):
            tracker.update_state(value)
        # Per-batch logs are this step's values (a LossHistory callback then records per-step curves, not
        # running means that reset at each epoch); the epoch's logs are the trackers' means.
        return {t.name: v for t, v in zip(self._trackers, values)}

    # -- after training ----------------------------------------------------------------------------------
    def generate(self, n: int, labels=None, seed: int = 0, batch_size: int = 500) -> np.ndarray:
        """``n`` samples from the generator (inference mode) as a numpy array; the same ``seed`` gives the
        same latent vectors. Conditional models need ``labels`` (n ints)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        if self.conditional:
            if labels is None:
                raise ValueError("ConditionalGAN.generate needs labels: one class id per sample")
            labels = np.asarray(labels).astype("int32").reshape(-1)
            if labels.shape != (n,):
                raise ValueError(f"labels must hold n={n} class ids, got shape {labels.shape}")
            return self._infer(self.generator, [z, labels], n, batch_size)
        if labels is not None:
            raise ValueError("labels are only used by a ConditionalGAN")
        return self._infer(self.generator, z, n, batch_size)

    @staticmethod
    def _infer(net, inputs, n: int, batch_size: int) -> np.ndarray:
        # One direct call for a small batch (no predict() function to build); predict() for many.
        if n <= batch_size:
            return np.asarray(ops.convert_to_numpy(net(inputs, training=False)))
        return net.predict(inputs, batch_size=batch_size, verbose=0)

    def discriminator_logits(self, images, labels=None, batch_size: int = 500) -> np.ndarray:
        """The discriminator's logits (n,) for ``images`` (inference mode); D(x) = sigmoid(logit)."""
        images = np.asarray(images, dtype="float32")
        if self.conditional:
            if labels is None:
                raise ValueError("a ConditionalGAN's discriminator needs labels: one class id per image")
            inputs = [images, np.asarray(labels).astype("int32").reshape(-1)]
        else:
            inputs = images
        return self._infer(self.discriminator, inputs, len(images), batch_size).reshape(-1)


class ConditionalGAN(GAN):
    """GAN whose generator and discriminator both take the class label: ``fit(images, labels)``; the
    fakes of a batch are drawn for the labels of the real batch."""

    conditional = True


class WGANGP(GAN):
    """Wasserstein GAN with gradient penalty: ``n_critic`` critic updates per generator update, critic loss
    E[f(G(z))] - E[f(x)] + gp_weight * E[(||grad f(x_hat)|| - 1)^2], x_hat a random interpolate.

    As in the paper (Gulrajani et al. 2017, Algorithm 1) every critic update sees a fresh real batch: fit it
    with ``batch_size = n_critic * B``; each step splits that batch into ``n_critic`` slices of B images,
    one per critic update, and the generator update uses B latent vectors."""

    wasserstein = True

    def __init__(self, generator, critic, latent_dim: int, n_critic: int = 5, gp_weight: float = 10.0,
                 seed: int | None = None, **kwargs):
        super().__init__(generator, critic, latent_dim, seed=seed, **kwargs)
        if isinstance(n_critic, bool) or not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"n_critic must be a positive int, got {n_critic!r}")
        if isinstance(gp_weight, bool) or not isinstance(gp_weight, (int, float)) or gp_weight < 0:
            raise ValueError(f"gp_weight must be a non-negative number, got {gp_weight!r}")
        self.n_critic = n_critic
        self.gp_weight = float(gp_weight)

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Default optimizers: Adam(1e-4, beta_1=0, beta_2=0.9), as in the WGAN-GP paper."""
        d_optimizer = d_optimizer if d_optimizer is not None else keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        g_optimizer = g_optimizer if g_optimizer is not None else keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        super().compile(d_optimizer, g_optimizer, **kwargs)
