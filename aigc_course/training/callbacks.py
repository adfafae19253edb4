"""Callbacks for training with ``fit()``: image snapshots per epoch, a wall-clock time budget, a per-batch
loss history (plot it with ``aigc_course.viz.plots.plot_history``) and a compact per-epoch progress line."""

from __future__ import annotations

import time

import keras
import numpy as np

from ..viz.images import make_grid


class ImageSnapshots(keras.callbacks.Callback):
    """Every ``every`` epochs, generate images from the same ``n`` latent vectors (drawn once with ``seed``)
    and keep the grid, so the course can show how the *same* z changes over training.

    ``labels``: class ids (n ints) for a conditional generator. ``include_start``: also keep the grid
    before the first update. Results: ``epochs`` (0 = before training) and ``grids`` (2-D arrays in [0, 1]).
    """

    def __init__(self, n: int = 16, every: int = 1, seed: int = 0, ncols: int | None = None, labels=None,
                 include_start: bool = True):
        super().__init__()
        for name, value in (("n", n), ("every", every)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.n, self.every, self.seed = n, every, seed
        self.ncols = ncols or n
        self.labels = None if labels is None else np.asarray(labels, dtype="int32").reshape(-1)
        if self.labels is not None and self.labels.shape != (n,):
            raise ValueError(f"labels must hold n={n} class ids, got shape {self.labels.shape}")
        self.include_start = include_start
        self.epochs: list[int] = []
        self.grids: list[np.ndarray] = []

    def _snapshot(self, epoch: int):
        latent_dim = self.model.generator.inputs[0].shape[-1]
        z = np.random.default_rng(self.seed).standard_normal((self.n, latent_dim)).astype("float32")
        inputs = z if self.labels is None else [z, self.labels]
        images = keras.ops.convert_to_numpy(self.model.generator(inputs, training=False))
        self.epochs.append(epoch)
        self.grids.append(make_grid(images, ncols=self.ncols, value_range="tanh"))

    def on_train_begin(self, logs=None):
        if self.include_start and not self.epochs:
            self._snapshot(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._snapshot(epoch + 1)

    def figure(self, max_rows: int = 8, title: str | None = None):
        """One row per kept snapshot (at most ``max_rows``, evenly spaced), labelled with its epoch."""
        import matplotlib.pyplot as plt

        if not self.grids:
            raise ValueError("no snapshots yet: pass the callback to fit() first")
        picks = np.unique(np.linspace(0, len(self.grids) - 1, min(max_rows, len(self.grids))).round().astype(int))
        h, w = self.grids[0].shape[:2]
        width = min(12.0, 0.9 * self.ncols)
        fig, axes = plt.subplots(len(picks), 1, figsize=(width, width * h / w * len(picks) + 0.4), squeeze=False)
        for ax, i in zip(axes[:, 0], picks):
            ax.imshow(self.grids[i], cmap="gray", vmin=0, vmax=1)
            ax.set_yticks([])
            ax.set_xticks([])
            ax.set_ylabel(f"epoch {self.epochs[i]}", rotation=0, ha="right", va="center")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return fig


class TimeBudget(keras.callbacks.Callback):
    """Stop ``fit()`` once ``seconds`` of wall-clock time have passed (checked after every batch).

    After training: ``elapsed`` (seconds), ``stopped`` (True if the budget ended training) and
    ``batches`` (batches completed)."""

    def __init__(self, seconds: float):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"seconds must be a positive number, got {seconds!r}")
        self.seconds = float(seconds)
        self.elapsed, self.stopped, self.batches = 0.0, False, 0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self.stopped, self.batches = False, 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        self.elapsed = time.perf_counter() - self._start
        if self.elapsed >= self.seconds:
            self.stopped = True
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.elapsed = time.perf_counter() - self._start


class LossHistory(keras.callbacks.Callback):
    """Metrics every ``every`` batches (Keras' History keeps one value per epoch).

    ``history`` is a dict name -> list, ready for ``viz.plots.plot_history(cb.history, xlabel="step")``;
    the values are the running means of the current epoch, as the progress bar shows them."""

    def __init__(self, every: int = 1):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        self.every = every
        self.history: dict[str, list[float]] = {}
        self._step = 0

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self._step % self.every:
            return
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(keras.ops.convert_to_numpy(value)))


class EpochProgress(keras.callbacks.Callback):
    """A compact progress display for long ``fit()`` calls: one short line per epoch (or fewer).

    Keras' own progress bar (``verbose=1``) rewrites one line with carriage returns, which a saved notebook
    or an HTML report shows as hundreds of lines; ``verbose=2`` prints every metric. This prints, at most
    once per ``min_seconds`` and always for the last epoch, a line such as::

        [训练] 第 3/12 轮 · 41 s · loss 245.1 · val_loss 247.0

    ``metrics`` chooses which logged values to show (default: all, at most ``max_metrics``). Use it with
    ``fit(..., verbose=0, callbacks=[EpochProgress(label="VAE")])``.
    """

    def __init__(self, label: str = "训练", metrics=None, min_seconds: float = 5.0, max_metrics: int = 4):
        super().__init__()
        if not isinstance(label, str) or not label:
            raise ValueError(f"label must be a non-empty string, got {label!r}")
        if metrics is not None and (isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics)):
            raise ValueError(f"metrics must be a list of metric names, e.g. ['loss', 'val_loss'], got {metrics!r}")
        if isinstance(min_seconds, bool) or not isinstance(min_seconds, (int, float)) or min_seconds < 0:
            raise ValueError(f"min_seconds must be a number >= 0, got {min_seconds!r}")
        if isinstance(max_metrics, bool) or not isinstance(max_metrics, int) or max_metrics < 1:
            raise ValueError(f"max_metrics must be a positive int, got {max_metrics!r}")
        self.label, self.metrics = label, None if metrics is None else list(metrics)
        self.min_seconds, self.max_metrics = float(min_seconds), max_metrics
        self.lines: list[str] = []

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self._last = -float("inf")
        self.lines = []
        self._epochs = self.params.get("epochs") if self.params else None

    def _format(self, epoch: int, logs: dict) -> str:
        names = self.metrics if self.metrics is not None else list(logs)[: self.max_metrics]
        parts = []
        for name in names:
            if name in logs:
                value = float(keras.ops.convert_to_numpy(logs[name]))
                parts.append(f"{name} {value:.4g}")
        total = f"/{self._epochs}" if self._epochs else ""
        elapsed = time.perf_counter() - self._start
        return " · ".join([f"[{self.label}] 第 {epoch + 1}{total} 轮", f"{elapsed:.0f} s", *parts])

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        last_epoch = self._epochs is not None and epoch + 1 >= self._epochs
        if now - self._last < self.min_seconds and not last_epoch:
            self._pending = (epoch, dict(logs or {}))
            return
        self._pending = None
        self._last = now
        self._emit(self._format(epoch, logs or {}))

    def on_train_end(self, logs=None):
        pending = getattr(self, "_pending", None)
        if pending is not None:  # stopped early (time budget, early stopping): show where it ended
            self._emit(self._format(*pending))
            self._pending = None

    def _emit(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)


class GeneratorEMA(keras.callbacks.Callback):
    """Exponential moving average of the generator's weights (batch-norm statistics included):
    w_ema <- d * w_ema + (1 - d) * w, applied every ``every`` batches with d = decay ** every.

    Averaging the last few thousand steps smooths the generator's step-to-step oscillation around the
    equilibrium; after training, ``apply()`` loads the averages into the generator (keeping the raw
    weights in ``raw``) and ``restore()`` puts the raw weights back.

    With ``compile(steps_per_execution=k)`` Keras calls the callback once per k steps; ``steps`` counts
    optimizer steps (from the batch index Keras reports), and an update that comes n steps after the
    previous one uses d = decay ** n, so ``decay`` stays a per-step decay."""

    def __init__(self, decay: float = 0.999, every: int = 4):
        super().__init__()
        if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0.0 < decay < 1.0:
            raise ValueError(f"decay must be a number in (0, 1), got {decay!r}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        self.decay, self.every = float(decay), every
        self.average: list[np.ndarray] | None = None
        self.raw: list[np.ndarray] | None = None
        self.steps, self._last_batch, self._since = 0, -1, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._last_batch = -1

    def on_train_batch_end(self, batch, logs=None):
        done = batch - self._last_batch if batch > self._last_batch else 1   # steps in this execution
        self._last_batch = batch
        crossed = (self.steps + done) // self.every > self.steps // self.every
        self.steps += done
        self._since += done
        if self.average is not None and not crossed:
            return                      # (the first batch always starts the average)
        weights = [keras.ops.convert_to_numpy(v) for v in self.model.generator.weights]
        if self.average is None:
            self.average, self._since = weights, 0
            return
        d = self.decay ** max(self.every, self._since)
        self._since = 0
        self.average = [d * a + (1.0 - d) * w for a, w in zip(self.average, weights)]

    def apply(self):
        if self.average is None:
            raise ValueError("no average yet: pass the callback to fit() and train for at least `every` batches")
        self.raw = [keras.ops.convert_to_numpy(v) for v in self.model.generator.weights]
        self.model.generator.set_weights(self.average)

    def restore(self):
        if self.raw is None:
            raise ValueError("nothing to restore: call apply() first")
        self.model.generator.set_weights(self.raw)
