"""Self-attention and a small GPT, written in ``keras.ops`` so they run on TensorFlow, JAX and PyTorch.

Pieces, from the smallest up:

- ``scaled_dot_product_attention(q, k, v, mask)``: softmax(q kᵀ / √d) v, returning outputs and weights;
- ``causal_mask(n)``: the lower-triangular mask that lets position t look only at positions ≤ t;
- ``padding_mask(tokens, pad_id)``: (batch, 1, n) true at real tokens, so no query looks at padding;
- ``MultiHeadSelfAttention``: h heads of scaled dot-product attention with their own projections
  (weights laid out like ``keras.layers.MultiHeadAttention``'s, so the two can be compared number by number);
- ``sinusoidal_positions`` / ``PositionEmbedding`` (``kind="learned"`` or ``"sinusoidal"``);
- ``TransformerBlock``: pre-LayerNorm block  x + Attn(LN(x)),  then  x + FFN(LN(x))  (``norm_first=False``:
  the post-LayerNorm block of the 2017 paper,  LN(x + Attn(x)),  then  LN(x + FFN(x)));
- ``GPT`` / ``build_gpt``: a character-level decoder-only model trained with ``fit()`` on the next-token loss
  −mean_t log p(x_t | x_<t) (``aigc_course.models.losses.next_token_loss``).
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from ..data.lm import _check_positive_int
from .losses import next_token_loss

POSITION_KINDS = ("learned", "sinusoidal")


def _check_dropout(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"dropout must be a float in [0, 1), got {value!r}")
    return float(value)


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V.

    ``q``: (..., n_q, d_k); ``k``: (..., n_k, d_k); ``v``: (..., n_k, d_v); ``mask``: optional, broadcastable
    to (..., n_q, n_k), true (or 1) where a query may look at a key. Masked positions get weight exactly 0.
    Returns ``(outputs (..., n_q, d_v), weights (..., n_q, n_k))``; every row of ``weights`` sums to 1.
    """
    q = ops.convert_to_tensor(q)
    k = ops.convert_to_tensor(k)
    v = ops.convert_to_tensor(v)
    if len(q.shape) < 2 or len(k.shape) != len(q.shape) or len(v.shape) != len(q.shape):
        raise ValueError(f"q, k and v must have the same rank (at least 2), got shapes "
                         f"{tuple(q.shape)}, {tuple(k.shape)} and {tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension d_k, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of positions, got {k.shape[-2]} and {v.shape[-2]}")
    scores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(int(q.shape[-1]))
    if mask is not None:
        mask = ops.cast(ops.convert_to_tensor(mask), "bool")
        # A large negative (not -inf) keeps fully masked rows finite; exp() of it underflows to exactly 0.
        scores = ops.where(mask, scores, ops.full_like(scores, -1e9))
    weights = ops.softmax(scores, axis=-1)
    return ops.matmul(weights, v), weights


def causal_mask(n: int):
    """(n, n) boolean mask, true on and below the diagonal: position t may attend to positions 0 … t."""
    n = _check_positive_int("n", n)
    return ops.cast(ops.tril(ops.ones((n, n), dtype="float32")), "bool")


def padding_mask(tokens, pad_id: int = 0):
    """(batch, 1, n) boolean mask from token ids (batch, n): true where the key is a real token (not ``pad_id``).
    It broadcasts over the queries, so every query ignores the padded keys."""
    tokens = ops.convert_to_tensor(tokens)
    if len(tokens.shape) != 2:
        raise ValueError(f"tokens must have shape (batch, n), got {tuple(tokens.shape)}; add a batch axis with "
                         f"tokens[None] for one sequence")
    return ops.expand_dims(ops.not_equal(tokens, pad_id), -2)


def sinusoidal_positions(length: int, d_model: int) -> np.ndarray:
    """The fixed encoding of "Attention Is All You Need": PE[p, 2i] = sin(p / 10000^(2i/d)),
    PE[p, 2i+1] = cos(p / 10000^(2i/d)). Returns float32 (length, d_model)."""
    length = _check_positive_int("length", length)
    d_model = _check_positive_int("d_model", d_model)
    if d_model % 2:
        raise ValueError(f"d_model must be even for sinusoidal positions, got {d_model}")
    pos = np.arange(length, dtype="float64")[:, None]
    freq = 1.0 / (10000.0 ** (np.arange(0, d_model, 2, dtype="float64") / d_model))
    pe = np.zeros((length, d_model), dtype="float64")
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq)
    return pe.astype("float32")


class PositionEmbedding(keras.layers.Layer):
    """Adds a position vector to each of the first ``x.shape[1]`` positions: learned (a trainable table) or
    sinusoidal (fixed). Input and output: (batch, time, d_model) with time ≤ max_len."""

    def __init__(self, max_len: int, d_model: int, kind: str = "learned", **kwargs):
        super().__init__(**kwargs)
        self.max_len = _check_positive_int("max_len", max_len)
        self.d_model = _check_positive_int("d_model", d_model)
        if kind not in POSITION_KINDS:
            raise ValueError(f"kind must be one of {POSITION_KINDS}, got {kind!r}")
        self.kind = kind
        if kind == "learned":
            self.table = self.add_weight(shape=(self.max_len, self.d_model), name="table",
                                         initializer=keras.initializers.RandomNormal(stddev=0.02))
        else:
            self.table = self.add_weight(shape=(self.max_len, self.d_model), name="table", trainable=False,
                                         initializer=keras.initializers.Constant(
                                             sinusoidal_positions(self.max_len, self.d_model)))

    def call(self, x):
        n = x.shape[1]
        if n is not None and n > self.max_len:
            raise ValueError(f"sequence length {n} exceeds max_len {self.max_len}")
        return x + ops.cast(self.table[:n], x.dtype)

    def get_config(self):
        return {**super().get_config(), "max_len": self.max_len, "d_model": self.d_model, "kind": self.kind}


class MultiHeadSelfAttention(keras.layers.Layer):
    """Multi-head self-attention written from scratch.

    For each head h: Q_h = x W_h^Q + b, K_h = x W_h^K + b, V_h = x W_h^V + b; head_h = Attention(Q_h, K_h, V_h);
    the heads are concatenated and projected back to ``d_model``. Weights have the shapes and order of
    ``keras.layers.MultiHeadAttention`` (query/key/value kernels (d_model, heads, key_dim), biases
    (heads, key_dim), output kernel (heads, key_dim, d_model), bias (d_model,)), so
    ``layer.set_weights(keras_mha.get_weights())`` makes the two compute the same function.
    """

    def __init__(self, heads: int, key_dim: int, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.heads = _check_positive_int("heads", heads)
        self.key_dim = _check_positive_int("key_dim", key_dim)
        self.dropout = _check_dropout(dropout)
        self.attn_dropout = keras.layers.Dropout(self.dropout)

    def build(self, input_shape):
        d = input_shape[-1]
        if d is None:
            raise ValueError("the last input dimension (d_model) must be known")
        self.d_model = int(d)
        init = keras.initializers.GlorotUniform()
        shape_in, shape_b = (self.d_model, self.heads, self.key_dim), (self.heads, self.key_dim)
        self.wq = self.add_weight(shape=shape_in, initializer=init, name="query_kernel")
        self.bq = self.add_weight(shape=shape_b, initializer="zeros", name="query_bias")
        self.wk = self.add_weight(shape=shape_in, initializer=init, name="key_kernel")
        self.bk = self.add_weight(shape=shape_b, initializer="zeros", name="key_bias")
        self.wv = self.add_weight(shape=shape_in, initializer=init, name="value_kernel")
        self.bv = self.add_weight(shape=shape_b, initializer="zeros", name="value_bias")
        self.wo = self.add_weight(shape=(self.heads, self.key_dim, self.d_model), initializer=init,
                                  name="output_kernel")
        self.bo = self.add_weight(shape=(self.d_model,), initializer="zeros", name="output_bias")

    def _project(self, x, w, b):
        # (batch, time, d_model) @ (d_model, heads * key_dim) -> (batch, heads, time, key_dim)
        hk = self.heads * self.key_dim
        y = ops.matmul(x, ops.reshape(w, (self.d_model, hk))) + ops.reshape(b, (hk,))
        y = ops.reshape(y, (-1, x.shape[1], self.heads, self.key_dim))
        return ops.transpose(y, (0, 2, 1, 3))

    def call(self, x, attention_mask=None, return_attention=False, training=None):
        """``x``: (batch, time, d_model); ``attention_mask``: (time, time) or (batch, time, time), true = may attend.
        Returns (batch, time, d_model), and the weights (batch, heads, time, time) if ``return_attention``."""
        if len(x.shape) != 3:
            raise ValueError(f"x must have shape (batch, time, d_model), got {tuple(x.shape)}")
        q = self._project(x, self.wq, self.bq)
        k = self._project(x, self.wk, self.bk)
        v = self._project(x, self.wv, self.bv)
        mask = attention_mask
        if mask is not None:
            mask = ops.convert_to_tensor(mask)
            if len(mask.shape) == 3:  # (batch, tq, tk) -> (batch, 1, tq, tk), shared by all heads
                mask = ops.expand_dims(mask, 1)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)  # scales by 1/√key_dim inside
        if self.dropout:
            # dropout on the weights (as keras.layers.MultiHeadAttention does), then re-apply them
            weights_used = self.attn_dropout(weights, training=training)
            heads = ops.matmul(weights_used, v)
        heads = ops.transpose(heads, (0, 2, 1, 3))  # (batch, time, heads, key_dim)
        hk = self.heads * self.key_dim
        merged = ops.reshape(heads, (-1, x.shape[1], hk))
        out = ops.matmul(merged, ops.reshape(self.wo, (hk, self.d_model))) + self.bo
        return (out, weights) if return_attention else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "key_dim": self.key_dim, "dropout": self.dropout}


class TransformerBlock(keras.layers.Layer):
    """Pre-LayerNorm Transformer block (as in GPT-2):  x ← x + Attn(LN(x)),  x ← x + FFN(LN(x)),
    with FFN = Dense(ff_dim, gelu) → Dense(d_model). ``causal=True`` applies the causal mask;
    ``norm_first=False`` gives the post-LayerNorm block of the 2017 paper: x ← LN(x + Attn(x)), x ← LN(x + FFN(x))."""

    def __init__(self, d_model: int, heads: int, ff_dim: int | None = None, dropout: float = 0.0,
                 causal: bool = True, norm_first: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.d_model = _check_positive_int("d_model", d_model)
        self.heads = _check_positive_int("heads", heads)
        if self.d_model % self.heads:
            raise ValueError(f"d_model must be divisible by heads, got d_model={d_model} and heads={heads}")
        self.ff_dim = _check_positive_int("ff_dim", ff_dim if ff_dim is not None else 4 * self.d_model)
        self.dropout = _check_dropout(dropout)
        self.causal = bool(causal)
        if not isinstance(norm_first, bool):
            raise ValueError(f"norm_first must be True (pre-LayerNorm) or False (post-LayerNorm), got {norm_first!r}")
        self.norm_first = norm_first
        self.ln1 = keras.layers.LayerNormalization(epsilon=1e-5)
        self.attn = MultiHeadSelfAttention(self.heads, self.d_model // self.heads, dropout=self.dropout)
        self.ln2 = keras.layers.LayerNormalization(epsilon=1e-5)
        self.ff1 = keras.layers.Dense(self.ff_dim, activation="gelu")
        self.ff2 = keras.layers.Dense(self.d_model)
        self.drop1 = keras.layers.Dropout(self.dropout)
        self.drop2 = keras.layers.Dropout(self.dropout)

    def build(self, input_shape):
        self.ln1.build(input_shape)
        self.attn.build(input_shape)
        self.ln2.build(input_shape)
        self.ff1.build(input_shape)
        self.ff2.build(tuple(input_shape[:-1]) + (self.ff_dim,))

    def call(self, x, attention_mask=None, return_attention=False, training=None):
        """``attention_mask``: optional, broadcastable to (batch, time, time), true = may attend (e.g.
        ``padding_mask``); combined with the causal mask when ``causal``."""
        mask = attention_mask
        if self.causal:
            c = causal_mask(x.shape[1])
            mask = c if mask is None else ops.logical_and(ops.cast(mask, "bool"), c)
        if self.norm_first:
            a, w = self.attn(self.ln1(x), attention_mask=mask, return_attention=True, training=training)
            x = x + self.drop1(a, training=training)
            x = x + self.drop2(self.ff2(self.ff1(self.ln2(x))), training=training)
        else:
            a, w = self.attn(x, attention_mask=mask, return_attention=True, training=training)
            x = self.ln1(x + self.drop1(a, training=training))
            x = self.ln2(x + self.drop2(self.ff2(self.ff1(x)), training=training))
        return (x, w) if return_attention else x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "heads": self.heads, "ff_dim": self.ff_dim,
                "dropout": self.dropout, "causal": self.causal, "norm_first": self.norm_first}


class GPT(keras.Model):
    """Decoder-only character model: token + position embedding → ``layers`` causal Transformer blocks →
    LayerNorm → logits over the vocabulary through the transposed token embedding (weight tying). Trained with ``fit(x, y)`` where ``y`` is ``x`` shifted by one
    token; the loss is the categorical next-token cross-entropy (``next_token_loss``)."""

    def __init__(self, vocab_size: int, seq_len: int, d_model: int = 128, heads: int = 4, layers: int = 2,
                 dropout: float = 0.1, positional: str = "learned", **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = _check_positive_int("vocab_size", vocab_size)
        self.seq_len = _check_positive_int("seq_len", seq_len)
        self.d_model = _check_positive_int("d_model", d_model)
        self.n_heads = _check_positive_int("heads", heads)
        self.n_layers = _check_positive_int("layers", layers)
        self.dropout_rate = _check_dropout(dropout)
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model must be divisible by heads, got d_model={d_model} and heads={heads}")
        if positional not in POSITION_KINDS:
            raise ValueError(f"positional must be one of {POSITION_KINDS}, got {positional!r}")
        self.positional = positional
        self.token_embedding = keras.layers.Embedding(
            self.vocab_size, self.d_model, embeddings_initializer=keras.initializers.RandomNormal(stddev=0.02))
        self.position_embedding = PositionEmbedding(self.seq_len, self.d_model, kind=positional)
        self.embed_dropout = keras.layers.Dropout(self.dropout_rate)
        self.blocks = [TransformerBlock(self.d_model, self.n_heads, dropout=self.dropout_rate, causal=True,
                                        name=f"block_{i}") for i in range(self.n_layers)]
        self.final_norm = keras.layers.LayerNormalization(epsilon=1e-5)
        # weight tying: the output layer reuses the token embedding (logits = h Eᵀ + b), only a bias is new
        self.output_bias = self.add_weight(shape=(self.vocab_size,), initializer="zeros", name="output_bias")

    def _check_tokens(self, tokens):
        if len(tokens.shape) != 2:
            raise ValueError(f"tokens must have shape (batch, time), got {tuple(tokens.shape)}")
        if tokens.shape[1] is not None and tokens.shape[1] > self.seq_len:
            raise ValueError(f"sequence length {tokens.shape[1]} exceeds the model's seq_len {self.seq_len}")

    def call(self, tokens, training=None):
        self._check_tokens(tokens)
        h = self.position_embedding(self.token_embedding(tokens))
        h = self.embed_dropout(h, training=training)
        for block in self.blocks:
            h = block(h, training=training)
        return self.logits(self.final_norm(h))

    def logits(self, h):
        """Output layer tied to the token embedding E (vocab, d_model): h Eᵀ + b."""
        return ops.matmul(h, ops.transpose(self.token_embedding.embeddings)) + self.output_bias

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y is None:
            raise ValueError("GPT.fit needs targets y (the inputs shifted by one token)")
        return next_token_loss(y, y_pred, mask=sample_weight)

    def attention_maps(self, tokens) -> np.ndarray:
        """Attention weights of every layer and head for ``tokens`` (batch, time), run eagerly:
        numpy (layers, batch, heads, time, time)."""
        tokens = ops.convert_to_tensor(np.asarray(tokens, dtype="int32"))
        self._check_tokens(tokens)
        h = self.position_embedding(self.token_embedding(tokens))
        maps = []
        for block in self.blocks:
            h, w = block(h, return_attention=True, training=False)
            maps.append(ops.convert_to_numpy(w))
        return np.stack(maps)

    def get_config(self):
        return {"vocab_size": self.vocab_size, "seq_len": self.seq_len, "d_model": self.d_model,
                "heads": self.n_heads, "layers": self.n_layers, "dropout": self.dropout_rate,
                "positional": self.positional, "name": self.name}


def build_gpt(vocab_size: int, seq_len: int, d_model: int = 128, heads: int = 4, layers: int = 2,
              dropout: float = 0.1, positional: str = "learned") -> GPT:
    """A built (weights created) character-level GPT; see ``GPT``."""
    model = GPT(vocab_size, seq_len, d_model=d_model, heads=heads, layers=layers, dropout=dropout,
                positional=positional, name="gpt")
    model(np.zeros((1, model.seq_len), dtype="int32"))
    return model


# The language-model data pipeline (token stream, windows, WindowDataset) lives in ``aigc_course.data.lm``;
# the names stay importable from here for code written against earlier versions.
from ..data.lm import WindowDataset, encode_texts, lm_windows  # noqa: E402,F401
