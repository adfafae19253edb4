"""Turning next-token logits into text: greedy, temperature, top-k and top-p (nucleus) sampling, seeded.

The filters work on numpy logits of shape (vocab,) or (batch, vocab). ``generate`` runs a GPT
autoregressively with one compiled forward pass per new token: the model always sees a fixed-size window
(batch, seq_len) plus the index of the last real token in each row, so the compiled function is traced
once and reused for every step (no retracing as the text grows).
"""

from __future__ import annotations

import numpy as np

__all__ = ["apply_temperature", "top_k_filter", "top_p_filter", "softmax", "sample_from_logits",
           "NextTokenModel", "generate", "generate_text"]


def _as_logits(logits) -> np.ndarray:
    try:
        import keras

        arr = keras.ops.convert_to_numpy(logits)
    except Exception:
        arr = np.asarray(logits)
    arr = np.asarray(arr, dtype="float64")
    if arr.ndim not in (1, 2) or arr.shape[-1] < 1:
        raise ValueError(f"logits must have shape (vocab,) or (batch, vocab), got {arr.shape}")
    return arr


def softmax(logits) -> np.ndarray:
    """Probabilities from logits along the last axis (−inf logits get probability 0)."""
    z = _as_logits(logits)
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def apply_temperature(logits, temperature: float) -> np.ndarray:
    """logits / T: T < 1 sharpens the distribution, T > 1 flattens it. T must be > 0 (use greedy for T → 0)."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    return _as_logits(logits) / float(temperature)


def top_k_filter(logits, k: int) -> np.ndarray:
    """Keep the k largest logits of each row and set the rest to −inf (exactly k survive, ties broken by
    position)."""
    z = _as_logits(logits)
    vocab = z.shape[-1]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= vocab:
        raise ValueError(f"top_k must be an int between 1 and the vocabulary size {vocab}, got {k!r}")
    order = np.argsort(-z, axis=-1, kind="stable")
    drop = order[..., int(k):]
    out = z.copy()
    np.put_along_axis(out, drop, -np.inf, axis=-1)
    return out


def top_p_filter(logits, p: float) -> np.ndarray:
    """Nucleus filter: keep the smallest set of most likely tokens whose total probability is ≥ p, set the
    rest to −inf. The most likely token always survives."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 < p <= 1.0:
        raise ValueError(f"top_p must be a number in (0, 1], got {p!r}")
    z = _as_logits(logits)
    probs = softmax(z)
    order = np.argsort(-probs, axis=-1, kind="stable")
    sorted_p = np.take_along_axis(probs, order, axis=-1)
    mass_before = np.cumsum(sorted_p, axis=-1) - sorted_p  # probability of the tokens ranked above
    drop_sorted = mass_before >= p - 1e-12
    out = z.copy()
    drop = np.zeros_like(drop_sorted)
    np.put_along_axis(drop, order, drop_sorted, axis=-1)
    out[drop] = -np.inf
    return out


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise ValueError(f"seed must be a non-negative int, a numpy Generator or None, got {seed!r}")


def sample_from_logits(logits, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
                       greedy: bool = False, seed=None) -> np.ndarray:
    """Draw one token id per row. ``greedy=True`` (or ``temperature=0``) takes the argmax; otherwise the
    logits are divided by ``temperature``, filtered by ``top_k`` and/or ``top_p``, and sampled.
    Returns int64 of shape () for (vocab,) logits or (batch,) for (batch, vocab)."""
    z = _as_logits(logits)
    if greedy or temperature == 0:
        return np.argmax(z, axis=-1)
    z = apply_temperature(z, temperature)
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    probs = softmax(z)
    rng = _rng(seed)
    flat = probs.reshape(-1, probs.shape[-1])
    u = rng.random(len(flat))[:, None]
    ids = np.minimum((np.cumsum(flat, axis=-1) < u).sum(axis=-1), flat.shape[-1] - 1)
    # never land on a filtered token because of rounding in the cumulative sum
    bad = flat[np.arange(len(flat)), ids] == 0
    if bad.any():
        ids[bad] = np.argmax(flat[bad], axis=-1)
    return ids.reshape(probs.shape[:-1]).astype("int64")


class NextTokenModel:
    """Wraps a GPT into one compiled function: (tokens (batch, seq_len), index (batch,)) → logits at
    ``index`` (batch, vocab). Only the needed row of logits leaves the compiled function."""

    def __init__(self, gpt):
        import keras
        from keras import ops

        seq_len = getattr(gpt, "seq_len", None)
        if seq_len is None:
            raise TypeError(f"expected a GPT model with a seq_len attribute, got {type(gpt).__name__}")
        self.gpt, self.seq_len = gpt, int(seq_len)

        class NextLogits(keras.Model):
            def __init__(self, inner):
                super().__init__(name="next_token_logits")
                self.inner = inner

            def call(self, inputs):
                tokens, index = inputs
                logits = self.inner(tokens, training=False)
                idx = ops.reshape(ops.cast(index, "int32"), (-1, 1, 1))
                return ops.take_along_axis(logits, idx, axis=1)[:, 0, :]

        self.model = NextLogits(gpt)

    def __call__(self, tokens: np.ndarray, index: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_on_batch([tokens.astype("int32"), index.astype("int32")]))


def generate(model, prompts, max_new_tokens: int = 64, temperature: float = 1.0, top_k: int | None = None,
             top_p: float | None = None, greedy: bool = False, seed=0, eos_id: int | None = None,
             next_token: NextTokenModel | None = None) -> list[list[int]]:
    """Continue each prompt (a non-empty list of token ids) by up to ``max_new_tokens`` tokens, all prompts
    in one batch. Stops a row at ``eos_id`` (included in the output). Returns the new tokens of each row.
    Texts longer than the model's window keep only the last ``seq_len`` tokens as context."""
    if isinstance(prompts, (list, tuple)) and prompts and all(isinstance(t, (int, np.integer)) for t in prompts):
        raise TypeError("prompts must be a list of token-id lists (one per text); wrap a single prompt in a list")
    if not isinstance(prompts, (list, tuple)) or not prompts:
        raise ValueError(f"prompts must be a non-empty list of token-id lists, got {prompts!r}")
    if any(len(p) == 0 for p in prompts):
        raise ValueError("every prompt needs at least one token (e.g. the <bos> id)")
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, (int, np.integer)) or max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be a positive int, got {max_new_tokens!r}")
    nxt = next_token or NextTokenModel(model)
    rng = _rng(seed)
    n, window = len(prompts), nxt.seq_len
    buf = np.zeros((n, window), dtype="int32")
    index = np.zeros(n, dtype="int32")
    for i, p in enumerate(prompts):
        p = list(p)[-window:]
        buf[i, :len(p)] = p
        index[i] = len(p) - 1
    out: list[list[int]] = [[] for _ in range(n)]
    done = np.zeros(n, dtype=bool)
    for _ in range(int(max_new_tokens)):
        logits = nxt(buf, index)
        ids = sample_from_logits(logits, temperature=temperature, top_k=top_k, top_p=top_p, greedy=greedy, seed=rng)
        for i in np.flatnonzero(~done):
            tok = int(ids[i])
            out[i].append(tok)
            if eos_id is not None and tok == eos_id:
                done[i] = True
                continue
            if index[i] + 1 < window:
                index[i] += 1
            else:  # window full: slide it left by one token
                buf[i, :-1] = buf[i, 1:]
            buf[i, index[i]] = tok
        if done.all():
            break
    return out


def generate_text(model, tokenizer, prompts, max_new_tokens: int = 64, temperature: float = 1.0,
                  top_k: int | None = None, top_p: float | None = None, greedy: bool = False, seed=0,
                  next_token: NextTokenModel | None = None) -> list[str]:
    """Like ``generate`` for strings: each prompt is encoded after <bos>; returns prompt + continuation,
    decoded, stopping at <eos>."""
    if isinstance(prompts, str):
        raise TypeError("prompts must be a list of strings; wrap a single prompt in a list")
    if not isinstance(prompts, (list, tuple)) or not prompts or not all(isinstance(p, str) for p in prompts):
        raise ValueError(f"prompts must be a non-empty list of strings, got {prompts!r}")
    ids = [tokenizer.encode(p, add_bos=True) for p in prompts]
    new = generate(model, ids, max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                   greedy=greedy, seed=seed, eos_id=tokenizer.eos_id, next_token=next_token)
    return [p + tokenizer.decode(t) for p, t in zip(prompts, new)]
