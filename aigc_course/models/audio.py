"""A small WaveNet (van den Oord et al. 2016): an autoregressive model of mu-law levels with dilated causal
convolutions, trained with ``fit()`` on any Keras backend, and a fast numpy generator that caches each
layer's past inputs in queues (Paine et al. 2016, "Fast Wavenet Generation Algorithm").

The model reads the levels x_1 .. x_t (integers 0 .. n_levels - 1) and, optionally, one condition per
sequence (for example the pitch of the note), and returns the logits of p(x_{t+1} | x_<=t, condition) at
every position. Each block is

    z = causal_conv_d(h) [+ W_c c],   a = tanh(z_f) * sigmoid(z_g),   h <- h + W_res a,   skip += W_skip a

with dilation d; the dilations 1, 2, 4, ... double the receptive field at each layer. The head reads
relu(sum of the skips + the final h) through two 1x1 convolutions.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers, ops


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


@keras.saving.register_keras_serializable(package="aigc_course")
class CausalBlock(layers.Layer):
    """One gated residual block: a causal convolution of kernel size 2 and dilation ``dilation`` whose output
    is split into a filter and a gate, ``tanh(filter) * sigmoid(gate)``, plus 1x1 convolutions to the residual
    path and to the skip path. Called on ``h`` (batch, time, channels) or ``[h, c]`` with a condition
    embedding ``c`` (batch, channels) added before the gate. Returns ``(h + residual, skip)``."""

    def __init__(self, channels: int, dilation: int, conditioned: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.channels = _check_positive_int(channels, "channels")
        self.dilation = _check_positive_int(dilation, "dilation")
        self.conditioned = bool(conditioned)
        self.conv = layers.Conv1D(2 * self.channels, 2, dilation_rate=self.dilation, padding="causal", name="conv")
        self.cond = layers.Dense(2 * self.channels, use_bias=False, name="cond") if self.conditioned else None
        self.res = layers.Conv1D(self.channels, 1, name="res")
        self.skip = layers.Conv1D(self.channels, 1, name="skip")

    def call(self, inputs):
        if self.conditioned:
            h, c = inputs
            z = self.conv(h) + ops.expand_dims(self.cond(c), 1)
        else:
            h = inputs
            z = self.conv(h)
        a = ops.tanh(z[..., : self.channels]) * ops.sigmoid(z[..., self.channels:])
        return h + self.res(a), self.skip(a)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "dilation": self.dilation,
                "conditioned": self.conditioned}


def receptive_field(dilations: Sequence[int]) -> int:
    """How many past samples (including the current one) one output of kernel-size-2 causal convolutions
    with these ``dilations`` can see: 1 + sum(dilations)."""
    dilations = [_check_positive_int(d, "each dilation") for d in dilations]
    return 1 + sum(dilations)


def build_wavenet(n_levels: int = 256, channels: int = 32, dilations: Sequence[int] = (1, 2, 4, 8, 16, 32),
                  n_conditions: int | None = None, name: str = "wavenet") -> keras.Model:
    """levels (batch, time) int -> logits (batch, time, n_levels) of the *next* level at each position.

    With ``n_conditions`` the model takes ``[levels, condition]``, condition (batch,) ints below
    ``n_conditions``, embedded once and added inside every block (global conditioning)."""
    n_levels = _check_positive_int(n_levels, "n_levels")
    channels = _check_positive_int(channels, "channels")
    dilations = tuple(dilations)
    if not dilations:
        raise ValueError("dilations must list at least one dilation, got ()")
    receptive_field(dilations)
    x_in = keras.Input(shape=(None,), dtype="int32", name="levels")
    inputs = [x_in]
    c = None
    if n_conditions is not None:
        n_conditions = _check_positive_int(n_conditions, "n_conditions")
        c_in = keras.Input(shape=(), dtype="int32", name="condition")
        inputs.append(c_in)
        c = layers.Embedding(n_conditions, channels, name="condition_embedding")(c_in)
    h = layers.Embedding(n_levels, channels, name="level_embedding")(x_in)
    skips = []
    for i, d in enumerate(dilations):
        h, s = CausalBlock(channels, d, conditioned=c is not None, name=f"block_{i}")([h, c] if c is not None else h)
        skips.append(s)
    # the skips of every block plus the end of the residual stream (so the last block's residual is used too)
    out = layers.Activation("relu")(layers.Add()(skips + [h]))
    out = layers.Conv1D(channels, 1, activation="relu", name="head")(out)
    logits = layers.Conv1D(n_levels, 1, name="logits")(out)
    return keras.Model(inputs if c is not None else x_in, logits, name=name)


def next_step_data(levels, conditions=None):
    """Teacher forcing: inputs levels[:, :-1] and targets levels[:, 1:] (the next level at each position).
    Returns ``(x, y)`` or ``([x, conditions], y)``, ready for ``model.fit``."""
    q = np.asarray(levels)
    if q.ndim != 2 or q.shape[1] < 2 or not np.issubdtype(q.dtype, np.integer):
        raise ValueError(f"levels must be an int array of shape (n, time) with time >= 2, got {q.dtype} {q.shape}")
    x, y = q[:, :-1].astype("int32"), q[:, 1:].astype("int32")
    if conditions is None:
        return x, y
    c = np.asarray(conditions)
    if c.shape != (len(q),):
        raise ValueError(f"conditions must have shape ({len(q)},), one per sequence, got {c.shape}")
    return [x, c.astype("int32")], y


def _blocks(model: keras.Model) -> list[CausalBlock]:
    # duck-typed, so that a lesson's own block class (same attributes) works too
    blocks = [lyr for lyr in model.layers if all(hasattr(lyr, a) for a in ("dilation", "conv", "res", "skip"))]
    if not isinstance(model, keras.Model) or not blocks:
        raise TypeError(f"model must be a WaveNet built like build_wavenet (no gated causal blocks in "
                        f"{getattr(model, 'name', type(model).__name__)!r})")
    return blocks


class FastGenerator:
    """Sample-by-sample generation in numpy with a queue per block (the Fast WaveNet cache).

    A block with dilation d needs its input from d steps ago; keeping the last d inputs of every block in a
    ring buffer turns each step into a few small matrix products, instead of re-running the whole network
    on the receptive field. ``step`` gives exactly the logits the Keras model gives at the same position.
    """

    def __init__(self, model: keras.Model):
        self.blocks = _blocks(model)
        self.embedding = model.get_layer("level_embedding").get_weights()[0]
        self.conditioned = self.blocks[0].conditioned
        self.cond_embedding = model.get_layer("condition_embedding").get_weights()[0] if self.conditioned else None
        self.head_w, self.head_b = model.get_layer("head").get_weights()
        self.out_w, self.out_b = model.get_layer("logits").get_weights()
        self.weights = []
        for b in self.blocks:
            kernel, bias = b.conv.get_weights()             # kernel (2, C, 2C): [0] sees t - d, [1] sees t
            cond = b.cond.get_weights()[0] if self.conditioned else None
            rw, rb = b.res.get_weights()
            sw, sb = b.skip.get_weights()
            self.weights.append((b.dilation, kernel[0], kernel[1], bias, cond, rw[0], rb, sw[0], sb))
        self.n_levels = self.out_w.shape[-1]

    def reset(self, n: int, conditions=None):
        """Start ``n`` sequences: empty (zero) queues, and the conditions' projections computed once."""
        self.n, self.t = n, 0
        c = self.weights[0][1].shape[0]
        self.queues = [np.zeros((d, n, c), dtype="float32") for d, *_ in self.weights]
        if self.conditioned:
            if conditions is None:
                raise ValueError("this model is conditioned: pass conditions, one int per sequence")
            cond = np.asarray(conditions, dtype="int64")
            if cond.shape != (n,):
                raise ValueError(f"conditions must have shape ({n},), got {cond.shape}")
            e = self.cond_embedding[cond]
            self.cond_terms = [e @ w[4] for w in self.weights]
        else:
            self.cond_terms = [0.0] * len(self.weights)

    def step(self, levels) -> np.ndarray:
        """Feed one level per sequence (n,) and return the logits of the next one (n, n_levels)."""
        h = self.embedding[np.asarray(levels, dtype="int64")]
        skip = 0.0
        for i, (d, k_past, k_now, bias, _, rw, rb, sw, sb) in enumerate(self.weights):
            queue = self.queues[i]
            slot = self.t % d
            past = queue[slot]                       # this block's input d steps ago (zeros at the start)
            z = past @ k_past + h @ k_now + bias + self.cond_terms[i]
            c = z.shape[-1] // 2
            a = np.tanh(z[:, :c]) / (1.0 + np.exp(-z[:, c:]))
            queue[slot] = h
            skip = skip + a @ sw + sb
            h = h + a @ rw + rb
        out = np.maximum(np.maximum(skip + h, 0.0) @ self.head_w[0] + self.head_b, 0.0)
        self.t += 1
        return out @ self.out_w[0] + self.out_b


def generate(model: keras.Model, n_samples: int, n: int = 1, conditions=None, start_level: int = 128,
             temperature: float = 1.0, seed: int = 0) -> np.ndarray:
    """Sample ``n`` sequences of ``n_samples`` levels, each step drawn from softmax(logits / temperature),
    starting from ``start_level`` (128 is mu-law silence). Returns int64 (n, n_samples)."""
    n_samples = _check_positive_int(n_samples, "n_samples")
    n = _check_positive_int(n, "n")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    gen = FastGenerator(model)
    if not 0 <= start_level < gen.n_levels:
        raise ValueError(f"start_level must be in 0 .. {gen.n_levels - 1}, got {start_level!r}")
    gen.reset(n, conditions)
    rng = np.random.default_rng(seed)
    current = np.full(n, start_level, dtype="int64")
    out = np.empty((n, n_samples), dtype="int64")
    for t in range(n_samples):
        logits = gen.step(current) / temperature
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        cdf = np.cumsum(p, axis=1)
        u = rng.random((n, 1)) * cdf[:, -1:]
        current = np.minimum((cdf < u).sum(axis=1), gen.n_levels - 1)
        out[:, t] = current
    return out


__all__ = ["CausalBlock", "receptive_field", "build_wavenet", "next_step_data", "FastGenerator", "generate"]
