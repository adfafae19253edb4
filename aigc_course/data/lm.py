"""Data for a language model: texts → one token stream → (input, target) windows.

- ``encode_texts(texts, tokenizer)``: <bos> + tokens + <eos> for each text, concatenated into one int32 stream;
- ``lm_windows(stream, seq_len, stride)``: fixed windows x = stream[i:i+seq_len], y = stream[i+1:i+seq_len+1]
  (validation sets);
- ``WindowDataset``: random windows, a fixed number of batches per epoch, seeded (training with ``fit()``).

The tokenizer is anything with ``encode(text, add_bos=, add_eos=)`` (``CharTokenizer`` or a sub-word one).
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["encode_texts", "lm_windows", "WindowDataset"]


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)



def encode_texts(texts, tokenizer) -> np.ndarray:
    """One int32 stream: for each text, <bos> + its characters + <eos>, all concatenated."""
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings (or Poem objects), not one string")
    ids: list[int] = []
    n = 0
    for t in texts:
        t = getattr(t, "text", t)
        if not isinstance(t, str):
            raise TypeError(f"texts must hold strings or Poem objects, got {type(t).__name__}")
        ids.extend(tokenizer.encode(t, add_bos=True, add_eos=True))
        n += 1
    if n == 0:
        raise ValueError("texts must not be empty")
    return np.asarray(ids, dtype="int32")


def _check_stream(stream, seq_len: int) -> np.ndarray:
    stream = np.asarray(stream)
    seq_len = _check_positive_int("seq_len", seq_len)
    if stream.ndim != 1 or stream.dtype.kind not in "iu":
        raise ValueError(f"stream must be a 1-D array of token ids, got shape {stream.shape} and dtype {stream.dtype}")
    if len(stream) < seq_len + 1:
        raise ValueError(f"stream has {len(stream)} tokens; windows of seq_len={seq_len} need at least {seq_len + 1}")
    return stream.astype("int32")


def lm_windows(stream, seq_len: int, stride: int | None = None,
               start_token: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fixed windows over ``stream``: x = stream[i:i+seq_len], y = stream[i+1:i+seq_len+1], for i every ``stride``
    tokens (default ``seq_len``) or, with ``start_token``, at every occurrence of that token that leaves room
    for a full window (one window per text when it is the ``<bos>`` id). Returns int32 arrays (n, seq_len) each;
    used for validation sets."""
    stream = _check_stream(stream, seq_len)
    if start_token is not None:
        if stride is not None:
            raise ValueError("give stride or start_token, not both: windows start every stride tokens or at "
                             "each start_token")
        starts = _starts_at(stream, seq_len, start_token)
    else:
        stride = seq_len if stride is None else _check_positive_int("stride", stride)
        starts = np.arange(0, len(stream) - seq_len, stride)
    idx = starts[:, None] + np.arange(seq_len)[None, :]
    return stream[idx], stream[idx + 1]


def _starts_at(stream: np.ndarray, seq_len: int, start_token) -> np.ndarray:
    if isinstance(start_token, bool) or not isinstance(start_token, (int, np.integer)):
        raise ValueError(f"start_token must be a token id (int) or None, got {start_token!r}")
    starts = np.flatnonzero(stream[:len(stream) - seq_len] == start_token)
    if len(starts) == 0:
        raise ValueError(f"no window of seq_len={seq_len} can start at token {start_token}: it does not "
                         f"occur early enough in the stream; use a longer stream or start_token=None")
    return starts


class WindowDataset(keras.utils.PyDataset):
    """Random (x, y) windows from a token stream, ``steps`` batches per epoch, seeded: batch i of epoch e
    is the same in every run with the same seed. Lets ``fit()`` train on a long corpus with an epoch of
    any length (so early stopping can look at the validation loss often).

    ``start_token``: when given (e.g. the ``<bos>`` id), every window starts at an occurrence of that token,
    so the first text of each window sits at positions 0, 1, 2, … exactly as it does when generating from
    ``<bos>``; the window then runs on into the following texts. None: windows start anywhere."""

    def __init__(self, stream, seq_len: int, batch_size: int, steps: int, seed: int = 0,
                 start_token: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.stream = _check_stream(stream, seq_len)
        self.seq_len = int(seq_len)
        self.batch_size = _check_positive_int("batch_size", batch_size)
        self.steps = _check_positive_int("steps", steps)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.seed, self.epoch = seed, 0
        self._span = np.arange(self.seq_len)[None, :]
        self.starts = None if start_token is None else _starts_at(self.stream, self.seq_len, start_token)

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        rng = np.random.default_rng([self.seed, self.epoch, int(i)])
        if self.starts is None:
            starts = rng.integers(0, len(self.stream) - self.seq_len, size=self.batch_size)
        else:
            starts = self.starts[rng.integers(0, len(self.starts), size=self.batch_size)]
        idx = starts[:, None] + self._span
        return self.stream[idx], self.stream[idx + 1]

    def on_epoch_end(self):
        self.epoch += 1
