"""Denoising diffusion (DDPM / DDIM) with classifier-free guidance: noise schedules, the forward process in
closed form, the epsilon-prediction loss trained with ``fit()``, a small U-Net, and the two samplers.

This is the reusable form of chapter 11's code (the notebook writes the same functions in front of the
learner; ``tests/unit/test_diffusion.py`` checks that the two agree).

Notation (Ho et al. 2020; Song et al. 2021). Steps t = 0 … T-1 index beta_1 … beta_T of the papers:

* one step  q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I),  alpha_t = 1 - beta_t;
* closed form  q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I),  abar_t = prod_{s<=t} alpha_s;
* posterior  q(x_{t-1} | x_t, x_0) = N(mu~_t, beta~_t I) with
  mu~_t = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t,
  beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t  (abar_{-1} = 1, so beta~_0 = 0);
* loss  E_{x_0, t, eps} || eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) ||^2;
* DDIM step from t to s < t:  x_s = sqrt(abar_s) x0_hat + sqrt(1 - abar_s - sigma^2) eps_hat + sigma z,
  sigma = eta sqrt((1 - abar_s) / (1 - abar_t)) sqrt(1 - abar_t / abar_s); eta = 1 and s = t - 1 give
  sigma^2 = beta~_t, DDPM's posterior variance.

Classifier-free guidance (Ho & Salimans 2022): one network sees the class label or, with probability
``label_dropout`` during training, the extra "null" label ``num_classes``; at sampling time
eps = eps_null + w (eps_label - eps_null): w = 0 is unconditional, w = 1 conditional, w > 1 guided.
"""

from __future__ import annotations

import math
import time
from typing import Sequence

import keras
import numpy as np
from keras import layers, ops

IMAGE_SHAPE = (28, 28, 1)


# ------------------------------------------------------------------------------------------- checks
def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _number(name: str, value, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
    return float(value)


# ---------------------------------------------------------------------------------------- schedules
def linear_betas(steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> np.ndarray:
    """DDPM's linear schedule: beta_t evenly spaced from ``beta_start`` to ``beta_end`` (float64, (steps,))."""
    steps = _positive_int("steps", steps, 2)
    beta_start = _number("beta_start", beta_start, 0.0, 1.0)
    beta_end = _number("beta_end", beta_end, 0.0, 1.0)
    if not 0 < beta_start < beta_end < 1:
        raise ValueError(f"need 0 < beta_start < beta_end < 1, got {beta_start!r} and {beta_end!r}")
    return np.linspace(beta_start, beta_end, steps, dtype="float64")


def cosine_betas(steps: int = 1000, s: float = 0.008, max_beta: float = 0.999) -> np.ndarray:
    """Nichol & Dhariwal's cosine schedule: abar(t) = f(t) / f(0), f(t) = cos^2((t / T + s) / (1 + s) * pi / 2),
    beta_t = 1 - abar_t / abar_{t-1}, clipped at ``max_beta`` (float64, (steps,))."""
    steps = _positive_int("steps", steps, 2)
    s = _number("s", s, 0.0, 1.0)
    max_beta = _number("max_beta", max_beta, 0.0, 1.0)
    f = np.cos((np.arange(steps + 1, dtype="float64") / steps + s) / (1 + s) * np.pi / 2) ** 2
    abar = f / f[0]
    return np.clip(1.0 - abar[1:] / abar[:-1], 0.0, max_beta)


def make_betas(kind: str, steps: int) -> np.ndarray:
    """``linear_betas(steps)`` or ``cosine_betas(steps)`` by name."""
    if kind == "linear":
        return linear_betas(steps)
    if kind == "cosine":
        return cosine_betas(steps)
    raise ValueError(f"schedule must be 'linear' or 'cosine', got {kind!r}")


def _betas(betas) -> np.ndarray:
    b = np.asarray(betas, dtype="float64")
    if b.ndim != 1 or len(b) < 2 or not np.all((b > 0) & (b < 1)):
        raise ValueError(f"betas must be a 1-D array of at least 2 values in (0, 1), got shape {b.shape}")
    return b


def alpha_bars(betas) -> np.ndarray:
    """abar_t = prod_{s <= t} (1 - beta_s), the share of the signal's variance left after step t."""
    return np.cumprod(1.0 - _betas(betas))


def snr(betas) -> np.ndarray:
    """Signal-to-noise ratio of x_t: abar_t / (1 - abar_t)."""
    ab = alpha_bars(betas)
    return ab / (1.0 - ab)


def posterior_mean_coefs(betas):
    """(c0, ct, var): q(x_{t-1} | x_t, x_0) = N(c0_t x_0 + ct_t x_t, var_t I), each (T,) float64."""
    b = _betas(betas)
    ab = np.cumprod(1.0 - b)
    ab_prev = np.concatenate([[1.0], ab[:-1]])
    c0 = np.sqrt(ab_prev) * b / (1.0 - ab)
    ct = np.sqrt(1.0 - b) * (1.0 - ab_prev) / (1.0 - ab)
    var = b * (1.0 - ab_prev) / (1.0 - ab)
    return c0, ct, var


def ddim_sigma(abar_t, abar_s, eta: float):
    """DDIM's noise level for a jump from t to s < t: eta * sqrt((1 - abar_s) / (1 - abar_t) * (1 - abar_t / abar_s))."""
    abar_t, abar_s = np.asarray(abar_t, "float64"), np.asarray(abar_s, "float64")
    return eta * np.sqrt((1.0 - abar_s) / (1.0 - abar_t) * (1.0 - abar_t / abar_s))


# ----------------------------------------------------------------------------------- forward process
def _per_example(table, t):
    """table[t] shaped (batch, 1, 1, 1) for broadcasting over images (keras.ops: any backend)."""
    return ops.reshape(ops.take(table, t), (-1, 1, 1, 1))


def q_sample(x0, t, noise, abar):
    """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps: a draw of q(x_t | x_0) for given noise eps."""
    abar = ops.convert_to_tensor(np.asarray(abar, "float32") if isinstance(abar, np.ndarray) else abar)
    a = _per_example(abar, t)
    return ops.sqrt(a) * x0 + ops.sqrt(1.0 - a) * noise


def predict_x0(x_t, eps, abar_t):
    """Invert the closed form: x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)."""
    return (x_t - np.sqrt(1.0 - abar_t) * eps) / np.sqrt(abar_t)


def ddim_update(x_t, eps, abar_t: float, abar_s: float, eta: float = 0.0, noise=None, clip: bool = True):
    """One DDIM step from t to s (numpy): x_s = sqrt(abar_s) x0_hat + sqrt(1 - abar_s - sigma^2) eps + sigma z.

    ``clip``: clip x0_hat to the data range [-1, 1] first. Near t = T, abar_t is almost 0 and dividing by
    sqrt(abar_t) multiplies the network's small errors into huge values; clipping keeps them in range."""
    sigma = float(ddim_sigma(abar_t, abar_s, eta))
    x0 = predict_x0(x_t, eps, abar_t)
    if clip:
        x0 = np.clip(x0, -1.0, 1.0)
    x_s = np.sqrt(abar_s) * x0 + np.sqrt(max(1.0 - abar_s - sigma ** 2, 0.0)) * eps
    if sigma > 0:
        x_s = x_s + sigma * noise
    return x_s


def ddpm_update(x_t, eps, t: int, betas, noise=None, clip: bool = True):
    """One ancestral step t -> t-1 (numpy): the posterior mean c0_t x0_hat + ct_t x_t, which equals
    1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - abar_t) eps) when x0_hat is not clipped, plus sqrt(beta~_t) z
    (no noise at t = 0). ``clip``: clip x0_hat to [-1, 1] (see :func:`ddim_update`)."""
    b = _betas(betas)
    ab = np.cumprod(1.0 - b)
    c0, ct, var = posterior_mean_coefs(b)
    x0 = predict_x0(x_t, eps, ab[t])
    if clip:
        x0 = np.clip(x0, -1.0, 1.0)
    mean = c0[t] * x0 + ct[t] * x_t
    return mean + np.sqrt(var[t]) * noise if t > 0 else mean


def guided_eps(eps_label, eps_null, guidance: float):
    """Classifier-free guidance: eps_null + w (eps_label - eps_null)."""
    return eps_null + guidance * (eps_label - eps_null)


def _prediction(prediction: str) -> str:
    if prediction not in ("eps", "v"):
        raise ValueError(f"prediction must be 'eps' (the noise) or 'v' (the velocity), got {prediction!r}")
    return prediction


def v_target(x0, eps, t, abar):
    """The velocity v = sqrt(abar_t) eps - sqrt(1 - abar_t) x_0 (Salimans & Ho 2022), per example."""
    a = _per_example(ops.convert_to_tensor(np.asarray(abar, "float32")) if isinstance(abar, np.ndarray) else abar, t)
    return ops.sqrt(a) * eps - ops.sqrt(1.0 - a) * x0


def eps_from_v(x_t, v, abar_t):
    """The noise implied by a velocity: eps = sqrt(1 - abar_t) x_t + sqrt(abar_t) v (numpy)."""
    return np.sqrt(1.0 - abar_t) * x_t + np.sqrt(abar_t) * v


def loss_weights(betas, prediction: str = "eps", min_snr_gamma: float | None = None) -> np.ndarray:
    """Per-step weights of the squared error so that every objective is the eps-loss times a weight w(t).

    In x_0 units the v-error is (SNR + 1) times and the eps-error SNR times the x_0-error, so both
    objectives weight steps by (1 + SNR) or SNR relative to predicting x_0. Min-SNR-gamma (Hang et al. 2023)
    caps that x_0-weight at gamma: eps-loss weight min(SNR, gamma) / SNR, v-loss weight
    min(SNR, gamma) / (SNR + 1). ``min_snr_gamma=None``: no cap, all weights 1 (float64, (T,))."""
    prediction = _prediction(prediction)
    s = snr(betas)
    if min_snr_gamma is None:
        return np.ones_like(s)
    capped = np.minimum(s, float(min_snr_gamma))
    return capped / s if prediction == "eps" else capped / (s + 1.0)


# ----------------------------------------------------------------------------------------- the U-Net
@keras.saving.register_keras_serializable(package="aigc_course")
class TimeEmbedding(layers.Layer):
    """Sinusoidal features of the step t (like a Transformer's positions): [sin(t w_k), cos(t w_k)],
    w_k = 1 / 10000^(k / (dim/2 - 1))."""

    def __init__(self, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = _positive_int("dim", dim, 2)
        if self.dim % 2:
            raise ValueError(f"dim must be even, got {dim!r}")

    def call(self, t):
        half = self.dim // 2
        freqs = ops.exp(-math.log(10000.0) * ops.arange(half, dtype="float32") / max(half - 1, 1))
        angles = ops.reshape(ops.cast(t, "float32"), (-1, 1)) * ops.reshape(freqs, (1, -1))
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}


def residual_block(x, emb, width: int, groups: int = 8, film: bool = False):
    """GroupNorm -> swish -> conv, condition on the step (and label) embedding, GroupNorm -> swish -> conv,
    plus a 1x1-projected shortcut when the width changes.

    ``film=False``: add the projected embedding as a per-channel bias before the second GroupNorm.
    ``film=True``: scale and shift after it, h <- GroupNorm(h) * (1 + s) + b with (s, b) projected from the
    embedding (FiLM, Perez et al. 2018; the "scale-shift norm" of Dhariwal & Nichol 2021)."""
    skip = x if x.shape[-1] == width else layers.Conv2D(width, 1)(x)
    h = layers.Activation("swish")(layers.GroupNormalization(min(groups, x.shape[-1]))(x))
    h = layers.Conv2D(width, 3, padding="same")(h)
    if film:
        scale = layers.Reshape((1, 1, width))(layers.Dense(width)(emb))
        shift = layers.Reshape((1, 1, width))(layers.Dense(width)(emb))
        h = layers.GroupNormalization(min(groups, width))(h) * (1.0 + scale) + shift
    else:
        h = h + layers.Reshape((1, 1, width))(layers.Dense(width)(emb))
        h = layers.GroupNormalization(min(groups, width))(h)
    h = layers.Activation("swish")(h)
    h = layers.Conv2D(width, 3, padding="same")(h)
    return layers.Add()([skip, h])


def attention_block(x, heads: int = 4, groups: int = 8):
    """Self-attention over the pixels of a (small) feature map, with a residual connection."""
    height, width, ch = x.shape[1:]
    h = layers.GroupNormalization(min(groups, ch))(x)
    h = layers.Reshape((height * width, ch))(h)
    h = layers.MultiHeadAttention(heads, max(ch // heads, 1))(h, h)
    return layers.Add()([x, layers.Reshape((height, width, ch))(h)])


def build_unet(image_shape: Sequence[int] = IMAGE_SHAPE, widths: Sequence[int] = (32, 64, 64),
               blocks: int = 1, attention: bool = True, num_classes: int | None = None,
               emb_dim: int = 128, film: bool = False, name: str = "unet") -> keras.Model:
    """A small U-Net eps_theta([x_t, t(, label)]) -> eps_hat with the shape of x_t.

    ``widths[i]`` channels at resolution level i (each level halves height and width with a stride-2
    convolution; the up path mirrors it with nearest-neighbour upsampling and the down path's outputs
    concatenated as skip connections); ``blocks`` residual blocks per level; ``attention`` adds
    self-attention at the lowest resolution. ``num_classes``: add a label input (ids 0 … num_classes - 1,
    and ``num_classes`` for "no label", classifier-free guidance's null label). ``film``: every residual block
    scales and shifts its normalised features by the embedding instead of adding it (see :func:`residual_block`)."""
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape!r}")
    widths = tuple(widths)
    if not widths or any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1 for w in widths):
        raise ValueError(f"widths must be a non-empty sequence of positive ints, got {widths!r}")
    factor = 2 ** (len(widths) - 1)
    if image_shape[0] % factor or image_shape[1] % factor:
        raise ValueError(f"image height and width must be divisible by 2**(len(widths) - 1) = {factor}, "
                         f"got {image_shape!r}; use fewer levels or pad the images")
    blocks = _positive_int("blocks", blocks)
    x_in = keras.Input(image_shape, name="x_t")
    t_in = keras.Input((), dtype="int32", name="t")
    inputs = [x_in, t_in]
    emb = TimeEmbedding(emb_dim)(t_in)
    emb = layers.Dense(emb_dim, activation="swish")(emb)
    if num_classes is not None:
        num_classes = _positive_int("num_classes", num_classes)
        y_in = keras.Input((), dtype="int32", name="label")
        inputs.append(y_in)
        emb = emb + layers.Embedding(num_classes + 1, emb_dim)(y_in)
    emb = layers.Dense(emb_dim, activation="swish")(emb)

    h = layers.Conv2D(widths[0], 3, padding="same")(x_in)
    skips = []
    for level, width in enumerate(widths):                      # down path
        for _ in range(blocks):
            h = residual_block(h, emb, width, film=film)
        if level < len(widths) - 1:
            skips.append(h)
            h = layers.Conv2D(width, 3, strides=2, padding="same")(h)
    if attention:                                               # bottom
        h = attention_block(h)
    h = residual_block(h, emb, widths[-1], film=film)
    for level in reversed(range(len(widths) - 1)):              # up path
        h = layers.UpSampling2D(2)(h)
        h = layers.Conv2D(widths[level], 3, padding="same")(h)
        h = layers.Concatenate()([h, skips[level]])
        for _ in range(blocks):
            h = residual_block(h, emb, widths[level], film=film)
    h = layers.Activation("swish")(layers.GroupNormalization(min(8, widths[0]))(h))
    out = layers.Conv2D(image_shape[-1], 3, padding="same", name="eps")(h)
    return keras.Model(inputs, out, name=name)


# ------------------------------------------------------------------------------------------ training
@keras.saving.register_keras_serializable(package="aigc_course")
class Diffusion(keras.Model):
    """The denoising model trained with ``fit(images)`` or, class-conditional, ``fit(images, labels)``.

    ``call`` draws t ~ U{0, …, T-1} and eps ~ N(0, I), forms x_t in closed form, (drops each label to the null
    label with probability ``label_dropout``), and returns (network output, target, per-example weight);
    ``compute_loss`` is the weighted mean squared difference. ``prediction``: the network predicts the noise
    eps ("eps", DDPM's L_simple) or the velocity v = sqrt(abar_t) eps - sqrt(1 - abar_t) x_0 ("v");
    ``min_snr_gamma``: weight the steps by :func:`loss_weights` (None: all weights 1). Images are expected in
    [-1, 1]."""

    def __init__(self, network: keras.Model, betas, num_classes: int | None = None,
                 label_dropout: float = 0.1, seed: int | None = None, prediction: str = "eps",
                 min_snr_gamma: float | None = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(network, keras.Model):
            raise TypeError(f"network must be a keras.Model (e.g. build_unet(...)), got {type(network).__name__}")
        self.network = network
        self.betas = _betas(betas)
        self.abar = alpha_bars(self.betas)
        self.steps = len(self.betas)
        self.num_classes = None if num_classes is None else _positive_int("num_classes", num_classes)
        if (len(network.inputs) == 3) != (self.num_classes is not None):
            raise ValueError("num_classes must be given exactly when the network has a label input "
                             f"(network inputs: {len(network.inputs)}, num_classes: {num_classes!r})")
        self.label_dropout = _number("label_dropout", label_dropout, 0.0, 1.0)
        self.prediction = _prediction(prediction)
        self.min_snr_gamma = None if min_snr_gamma is None else _number("min_snr_gamma", min_snr_gamma, 1e-9, 1e9)
        self.loss_weights = loss_weights(self.betas, self.prediction, self.min_snr_gamma).astype("float32")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.data_shape = tuple(network.inputs[0].shape[1:])

    def call(self, inputs, training=False):
        x0, labels = (inputs["images"], inputs.get("labels")) if isinstance(inputs, dict) else (inputs, None)
        n = ops.shape(x0)[0]
        t = keras.random.randint((n,), 0, self.steps, seed=self.seed_generator, dtype="int32")
        eps = keras.random.normal(ops.shape(x0), seed=self.seed_generator)
        x_t = q_sample(x0, t, eps, self.abar.astype("float32"))
        net_in = [x_t, t]
        if self.num_classes is not None:
            keep = keras.random.uniform((n,), seed=self.seed_generator) >= self.label_dropout
            net_in.append(ops.where(keep, ops.cast(labels, "int32"), self.num_classes))
        target = eps if self.prediction == "eps" else v_target(x0, eps, t, self.abar.astype("float32"))
        return self.network(net_in, training=training), target, ops.take(self.loss_weights, t)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y_pred is None:
            y_pred = self(x, training=training)
        out, target, weight = y_pred
        return ops.mean(weight * ops.mean(ops.square(out - target), axis=(1, 2, 3)))

    def fit(self, x=None, y=None, **kwargs):
        """Train on images ``x`` in [-1, 1] (and class ids ``y`` for a conditional network)."""
        x = np.asarray(x, dtype="float32")
        if x.ndim != 4 or tuple(x.shape[1:]) != self.data_shape:
            raise ValueError(f"x must have shape (n, {', '.join(map(str, self.data_shape))}), got {x.shape}")
        if (y is None) != (self.num_classes is None):
            raise ValueError("pass class ids y exactly when the model is class-conditional "
                             f"(num_classes={self.num_classes!r}, y given: {y is not None})")
        data = {"images": x}
        if y is not None:
            data["labels"] = np.asarray(y, dtype="int32").reshape(-1)
        return super().fit(data, **kwargs)

    def generate(self, n: int, steps: int = 50, eta: float = 0.0, labels=None, guidance: float = 1.0,
                 seed: int = 0, batch_size: int = 500, method: str = "ddim", trajectory_every: int | None = None):
        """``n`` samples in [-1, 1] (numpy); see :func:`sample`."""
        return sample(self.network, self.betas, n, steps=steps, eta=eta, labels=labels, guidance=guidance,
                      seed=seed, batch_size=batch_size, method=method, trajectory_every=trajectory_every,
                      num_classes=self.num_classes, prediction=self.prediction)

    def get_config(self):
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network),
                "betas": self.betas.tolist(), "num_classes": self.num_classes,
                "label_dropout": self.label_dropout, "seed": self.seed, "prediction": self.prediction,
                "min_snr_gamma": self.min_snr_gamma}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        network = keras.saving.deserialize_keras_object(config.pop("network"))
        return cls(network, **config)


class EMA(keras.callbacks.Callback):
    """An exponential moving average of the trainable weights, kept beside training (numpy; it starts at the
    weights after the first batch and is updated every ``every`` batches): w_ema <- m w_ema + (1 - m) w, with
    m = min(momentum ** every, (1 + k) / (10 + k)) after k updates, so the early average is not stuck at the
    random start. ``backup()`` returns the current trainable weights,
    ``apply()`` copies the average into the model and ``restore(weights)`` puts saved weights back."""

    def __init__(self, momentum: float = 0.999, every: int = 1):
        super().__init__()
        self.momentum = _number("momentum", momentum, 0.0, 1.0)
        self.every = _positive_int("every", every)
        self.average: list | None = None
        self.updates = 0
        self._batch = 0

    def on_train_batch_end(self, batch, logs=None):
        self._batch += 1
        if self.average is not None and self._batch % self.every:
            return                                  # (the first batch always starts the average)
        weights = self.backup()
        if self.average is None:
            self.average = weights
            return
        m = min(self.momentum ** self.every, (1.0 + self.updates) / (10.0 + self.updates))
        for avg, w in zip(self.average, weights):
            avg *= m
            avg += (1.0 - m) * w
        self.updates += 1

    def backup(self) -> list:
        return [np.array(ops.convert_to_numpy(v.value)) for v in self.model.trainable_weights]

    def restore(self, weights) -> None:
        variables = self.model.trainable_weights
        if len(weights) != len(variables):
            raise ValueError(f"expected {len(variables)} weight arrays, got {len(weights)}")
        for v, w in zip(variables, weights):
            v.assign(w)

    def apply(self) -> None:
        if self.average is None:
            raise ValueError("no average yet: pass the EMA callback to fit() first")
        self.restore(self.average)


class Timer(keras.callbacks.Callback):
    """Wall-clock seconds and batches of every ``fit()`` call it is passed to, added up (``seconds``, ``batches``)."""

    def __init__(self):
        super().__init__()
        self.seconds, self.batches = 0.0, 0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1

    def on_train_end(self, logs=None):
        self.seconds += time.perf_counter() - self._start


# ------------------------------------------------------------------------------------------ sampling
def sampling_steps(total: int, steps: int) -> np.ndarray:
    """``steps`` evenly spaced training steps from T-1 down to 0 (the DDIM sub-sequence), int64."""
    total, steps = _positive_int("total", total, 2), _positive_int("steps", steps)
    if steps > total:
        raise ValueError(f"steps must be at most the {total} training steps, got {steps}")
    return np.unique(np.round(np.linspace(0, total - 1, steps)).astype("int64"))[::-1]


def _labels(labels, n: int, num_classes):
    if num_classes is None:
        if labels is not None:
            raise ValueError("labels need a class-conditional network (num_classes is None)")
        return None
    if labels is None:
        return np.full(n, num_classes, "int32")                 # the null label: unconditional samples
    labels = np.asarray(labels).astype("int32").reshape(-1)
    if labels.shape != (n,) or labels.min() < 0 or labels.max() > num_classes:
        raise ValueError(f"labels must hold n={n} class ids in [0, {num_classes}] ({num_classes} = no label), "
                         f"got shape {labels.shape}")
    return labels


def sample(network: keras.Model, betas, n: int, steps: int = 50, eta: float = 0.0, labels=None,
           guidance: float = 1.0, seed: int = 0, batch_size: int = 500, method: str = "ddim",
           trajectory_every: int | None = None, num_classes: int | None = None, prediction: str = "eps"):
    """Draw ``n`` images by reverse diffusion from x_T ~ N(0, I) (numpy, seeded, in batches).

    method "ddim": ``steps`` evenly spaced steps with noise level ``eta`` (0: deterministic);
    method "ddpm": the ancestral sampler over all T steps (``steps`` and ``eta`` ignored).
    A conditional network gets ``labels`` (None: the null label) and ``guidance`` w (classifier-free:
    eps_null + w (eps_label - eps_null); w = 1 uses the labels alone and w = 0 the null label alone, one network
    call per step each; any other w costs two).
    ``trajectory_every``: also return the list of x_t (kept every that many steps, and the last).
    ``prediction``: what the network outputs, "eps" (the noise) or "v" (the velocity, turned into eps).
    """
    prediction = _prediction(prediction)
    b = _betas(betas)
    abar = np.cumprod(1.0 - b)
    n = _positive_int("n", n)
    batch_size = _positive_int("batch_size", batch_size)
    if method not in ("ddim", "ddpm"):
        raise ValueError(f"method must be 'ddim' or 'ddpm', got {method!r}")
    eta = _number("eta", eta, 0.0, 1.0)
    if (num_classes is None) == (len(network.inputs) == 3):
        raise ValueError("num_classes must be given exactly when the network has a label input "
                         f"(network inputs: {len(network.inputs)}, num_classes: {num_classes!r})")
    labels = _labels(labels, n, num_classes)
    if labels is not None and guidance == 0.0:
        labels = np.full(n, num_classes, "int32")               # w = 0 is eps_null alone: one call per step
    guided = labels is not None and guidance != 1.0 and guidance != 0.0
    ts = np.arange(len(b))[::-1] if method == "ddpm" else sampling_steps(len(b), steps)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *network.inputs[0].shape[1:])).astype("float32")
    trajectory = [x.copy()] if trajectory_every else None

    def eps_of(x_t, t):
        out = np.empty_like(x_t)
        for lo in range(0, n, batch_size):
            xb = x_t[lo:lo + batch_size]
            tb = np.full(len(xb), t, "int32")
            if labels is None:
                out[lo:lo + batch_size] = ops.convert_to_numpy(network([xb, tb], training=False))
            elif not guided:
                out[lo:lo + batch_size] = ops.convert_to_numpy(network([xb, tb, labels[lo:lo + batch_size]],
                                                                       training=False))
            else:
                lb = labels[lo:lo + batch_size]
                both = ops.convert_to_numpy(network([np.concatenate([xb, xb]), np.concatenate([tb, tb]),
                                                     np.concatenate([lb, np.full_like(lb, num_classes)])],
                                                    training=False))
                out[lo:lo + batch_size] = guided_eps(both[:len(xb)], both[len(xb):], guidance)
        return out

    for i, t in enumerate(ts):
        eps = eps_of(x, int(t))
        if prediction == "v":
            eps = eps_from_v(x, eps, abar[t])
        noise = rng.standard_normal(x.shape).astype("float32")
        if method == "ddpm":
            x = ddpm_update(x, eps, int(t), b, noise)
        else:
            s_bar = abar[ts[i + 1]] if i + 1 < len(ts) else 1.0
            x = ddim_update(x, eps, abar[t], s_bar, eta, noise)
        x = x.astype("float32")
        if trajectory is not None and ((i + 1) % trajectory_every == 0 or i + 1 == len(ts)):
            trajectory.append(x.copy())
    x = np.clip(x, -1.0, 1.0)
    return (x, trajectory) if trajectory is not None else x


__all__ = ["IMAGE_SHAPE", "linear_betas", "cosine_betas", "make_betas", "alpha_bars", "snr",
           "posterior_mean_coefs", "ddim_sigma", "q_sample", "predict_x0", "ddim_update", "ddpm_update",
           "guided_eps", "v_target", "eps_from_v", "loss_weights", "TimeEmbedding", "residual_block", "attention_block", "build_unet", "Diffusion", "EMA",
           "Timer", "sampling_steps", "sample"]
