"""Train for exactly N optimizer steps, whatever the data set size: the helper behind controlled comparisons.

``fit(x, epochs=E, steps_per_epoch=S)`` on arrays does not promise E x S steps: when S x batch_size is not a
whole number of passes over the data, Keras runs out of data and ends epochs early, so two variants with
different data sizes train a different number of steps. :func:`fit_steps` removes that trap: a
``keras.utils.PyDataset`` serves ``steps`` full batches from a seeded stream of shuffled passes over the data
(a batch may straddle two passes), ``fit`` runs one epoch of exactly that length, a callback counts the steps
that really ran, and the result says how many (and raises if they differ from the request).
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["fit_steps", "batch_indices"]


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}; pass a whole number such as "
                         f"{max(minimum, 1)}")
    return int(value)


def batch_indices(n: int, steps: int, batch_size: int, seed: int = 0) -> np.ndarray:
    """(steps, batch_size) row numbers: consecutive seeded permutations of range(n), cut into full batches.

    Every row appears once per pass; the last batch of a pass continues into the next pass, so every batch
    has exactly ``batch_size`` rows and nothing is dropped."""
    n = _check_int(n, "n", 1)
    steps = _check_int(steps, "steps", 1)
    batch_size = _check_int(batch_size, "batch_size", 1)
    seed = _check_int(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    need = steps * batch_size
    passes = -(-need // n)
    stream = np.concatenate([rng.permutation(n) for _ in range(passes)])[:need]
    return stream.reshape(steps, batch_size)


def _as_arrays(data) -> tuple:
    if isinstance(data, np.ndarray):
        data = (data,)
    if not isinstance(data, (tuple, list)) or not data:
        raise TypeError(f"data must be an array or a tuple of arrays such as (x,) or (x, y), "
                        f"got {type(data).__name__}")
    arrays = tuple(np.asarray(a) for a in data)
    n = len(arrays[0])
    for i, a in enumerate(arrays):
        if a.ndim == 0 or len(a) != n:
            raise ValueError(f"every array in data must have {n} rows like data[0], got shape {a.shape} at "
                             f"data[{i}]; pass arrays with one row per example")
    if n == 0:
        raise ValueError("data must not be empty, got 0 rows; pass at least one example")
    return arrays


def _make_dataset(arrays, index, augment, seed):
    import keras

    class _Stream(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=1, use_multiprocessing=False)

        def __len__(self):
            return len(index)

        def __getitem__(self, i):
            rows = index[i]
            batch = [a[rows] for a in arrays]
            if augment is not None:
                batch[0] = augment(batch[0], np.random.default_rng([seed, int(i)]))
            return tuple(batch)

    return _Stream()


def fit_steps(model, data, steps: int, batch_size: int, seed: int = 0, augment=None, callbacks=None,
              check: bool = True) -> dict:
    """Train ``model`` (compiled) with ``fit()`` for exactly ``steps`` optimizer steps of ``batch_size`` rows.

    data: an array or a tuple of arrays with one row per example, e.g. ``(x,)`` or ``(x, y)``, passed to the
        model's train step as a batch tuple.
    seed: orders the passes over the data (the same seed gives the same batches for every variant of
        an experiment that uses the same data).
    augment: optional ``f(x_batch, rng) -> x_batch`` applied to the first array of every batch, with a
        generator seeded by (seed, step), so an augmented run is reproducible and sees no extra data.
    callbacks: extra keras callbacks for ``fit``.

    Returns {"steps": steps that ran, "requested": steps, "batch_size", "examples": len(data),
    "epochs": passes over the data (steps x batch_size / examples), "seconds", "history"}. With
    ``check`` (default) a run that did not complete exactly ``steps`` steps raises RuntimeError; a callback
    that stops training early (a time budget) needs ``check=False``.
    """
    import keras

    steps = _check_int(steps, "steps", 1)
    batch_size = _check_int(batch_size, "batch_size", 1)
    seed = _check_int(seed, "seed", 0)
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function f(x_batch, rng) -> x_batch or None, got "
                        f"{type(augment).__name__}")
    arrays = _as_arrays(data)
    index = batch_indices(len(arrays[0]), steps, batch_size, seed)

    class _Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps = 0

        def on_train_batch_end(self, batch, logs=None):
            self.steps = batch + 1  # with steps_per_execution > 1 Keras reports the last step of each run

    counter = _Count()
    start = time.perf_counter()
    history = model.fit(_make_dataset(arrays, index, augment, seed), epochs=1, verbose=0, shuffle=False,
                        callbacks=[counter, *(callbacks or [])])
    seconds = time.perf_counter() - start
    if check and counter.steps != steps:
        raise RuntimeError(f"fit_steps asked for {steps} steps but {counter.steps} ran; a callback stopped "
                           f"training early or steps_per_execution does not divide {steps}; pass check=False "
                           f"to accept a shorter run")
    return {"steps": counter.steps, "requested": steps, "batch_size": batch_size, "examples": len(arrays[0]),
            "epochs": counter.steps * batch_size / len(arrays[0]), "seconds": seconds, "history": history}
