"""Chapter 11 time to quality: train the class-conditional U-Net of ``aigc_course.models.diffusion`` for fixed
wall-clock budgets and judge it with the course's metrics, to choose the standard profile's recipe.

At each budget the clock stops and the EMA weights are judged (evaluation time is not training time): FID,
confident share (relative to the test images'), smallest and largest class share of ``--n`` unconditional
DDIM samples against ``--n`` test images, optionally the same at a second step count (``--ddim2``), and the
class accuracy of ``--ng`` guided samples at each ``--guidance`` scale. One JSON line per budget goes to
``--jsonl``. Run it under the shared CPU lock:

    flock /tmp/aigc-cpu.lock python benchmarks/diffusion_recipe.py --seconds 180 --prediction v --min-snr 5 --ddim2 20
    flock /tmp/aigc-cpu.lock python benchmarks/diffusion_recipe.py --seconds 180 --prediction eps --ddim2 20
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from aigc_course.data import load_fashion_mnist  # noqa: E402
from aigc_course.metrics import fid  # noqa: E402
from aigc_course.models import diffusion as D  # noqa: E402
from aigc_course.training.callbacks import TimeBudget  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", default="180", help="training budgets at which to judge, comma-separated")
    p.add_argument("--steps", default="", help="judge at these optimizer step counts instead of --seconds "
                   "(comma-separated; for comparisons on a CPU shared with other work)")
    p.add_argument("--widths", default="16,32,64")
    p.add_argument("--attention", type=int, default=1)
    p.add_argument("--film", type=int, default=0, help="1: residual blocks scale and shift by the embedding (FiLM)")
    p.add_argument("--label-dropout", type=float, default=0.2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=2e-3)
    p.add_argument("--prediction", choices=("eps", "v"), default="v")
    p.add_argument("--min-snr", type=float, default=5.0, help="min-SNR gamma; 0: unweighted")
    p.add_argument("--decay", type=float, default=0.0, help="fraction of the run (the last budget) over which the "
                   "learning rate falls linearly to 0 at the end (0: constant)")
    p.add_argument("--jit", type=int, default=0, help="1: compile the training step with XLA")
    p.add_argument("--ema", default="0.995", help="EMA momenta, comma-separated: each is kept beside the same "
                   "training run and judged on its own (a row per momentum)")
    p.add_argument("--ema-every", type=int, default=4, help="update each average every this many steps, with "
                   "momentum m**every (the chapter's 4; 1: every step)")
    p.add_argument("--ddim", type=int, default=10)
    p.add_argument("--ddim2", type=int, default=0, help="also judge at this many DDIM steps (0: no)")
    p.add_argument("--guidance", default="3", help="guidance scales, comma-separated")
    p.add_argument("--guided-steps", type=int, default=0, help="DDIM steps of the guided samples (0: --ddim2 or --ddim)")
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--ng", type=int, default=500)
    p.add_argument("--tag", default="")
    p.add_argument("--save", default=None, help="save the first EMA's weights at the last budget to this "
                   "*.weights.h5 file (to try samplers on them later)")
    p.add_argument("--jsonl", default=None, help="append one JSON line per budget to this file")
    return p.parse_args(argv)


class StopAfter(keras.callbacks.Callback):
    """Stop ``fit()`` after ``steps`` batches."""

    def __init__(self, steps):
        super().__init__()
        self.steps, self.done = steps, 0

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.done >= self.steps:
            self.model.stop_training = True


class Warmdown(keras.callbacks.Callback):
    """Constant learning rate, then a linear fall to 0 over the last ``fraction`` of ``total`` (steps, or seconds of
    training when ``by_steps`` is False: the clock runs only inside fit())."""

    def __init__(self, base, total, fraction, by_steps):
        super().__init__()
        self.base, self.total, self.fraction, self.by_steps = base, total, fraction, by_steps
        self.steps, self.seconds, self._t0 = 0, 0.0, None

    def on_train_begin(self, logs=None):
        self._t0 = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds += time.perf_counter() - self._t0

    def on_train_batch_begin(self, batch, logs=None):
        done = self.steps if self.by_steps else self.seconds + time.perf_counter() - self._t0
        left = max(0.0, 1.0 - done / self.total)
        self.model.optimizer.learning_rate.assign(self.base * min(1.0, left / self.fraction))

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


def judge(network, betas, prediction, n, steps, real_f, real_conf, seed=1):
    t0 = time.perf_counter()
    s = D.sample(network, betas, n, steps=steps, seed=seed, num_classes=10, prediction=prediction)
    seconds = time.perf_counter() - t0
    c = fid.class_confidence_report(s, value_range="tanh")
    return {"FID": round(fid.fid(real_f, fid.to_features(s, value_range="tanh")), 2),
            "confident_ratio": round(c["confident_share"] / real_conf, 3),
            "unguarded_confident_share": round(c["unguarded_confident_share"], 3),
            "typical_share": round(c["typical_share"], 3),
            "min_class_share": round(min(c["class_histogram"]), 3),
            "max_class_share": round(max(c["class_histogram"]), 3), "sample_seconds": round(seconds, 1)}


def main(argv=None):
    a = parse_args(argv)
    keras.utils.set_random_seed(0)
    x_train, y_train = load_fashion_mnist("train", scale="tanh")
    x_test, _ = load_fashion_mnist("test", scale="unit", limit=a.n)
    betas = D.cosine_betas(1000)
    net = D.build_unet(widths=[int(w) for w in a.widths.split(",")], attention=bool(a.attention), num_classes=10,
                       film=bool(a.film))
    model = D.Diffusion(net, betas, num_classes=10, label_dropout=a.label_dropout, seed=0, prediction=a.prediction,
                        min_snr_gamma=a.min_snr or None)
    model.compile(optimizer=keras.optimizers.Adam(a.learning_rate, global_clipnorm=1.0), jit_compile=bool(a.jit))
    emas = [D.EMA(float(m), every=a.ema_every) for m in a.ema.split(",")]
    real_f = fid.to_features(x_test, value_range="unit")
    real_conf = fid.class_confidence_report(x_test, value_range="unit")["confident_share"]
    trained, steps = 0.0, 0
    by_steps = bool(a.steps)
    budgets = sorted(float(s) for s in (a.steps if by_steps else a.seconds).split(","))
    extra = [Warmdown(a.learning_rate, budgets[-1], a.decay, by_steps)] if a.decay else []
    for budget in budgets:
        if by_steps:                                    # exactly the missing steps, no time limit
            tb = TimeBudget(1e9)
            stop = StopAfter(int(budget) - steps)
            model.fit(x_train, y_train, batch_size=a.batch_size, epochs=1000, callbacks=[tb, *emas, *extra, stop], verbose=0)
        else:
            tb = TimeBudget(max(budget - trained, 1e-3))
            model.fit(x_train, y_train, batch_size=a.batch_size, epochs=1000, callbacks=[tb, *emas, *extra], verbose=0)
        trained, steps = trained + tb.elapsed, steps + tb.batches
        raw = emas[0].backup()
        for ema in emas:
            ema.apply()
            if a.save and ema is emas[0] and budget == budgets[-1]:
                net.save_weights(a.save)
            row = judge_all(a, net, betas, ema.momentum, trained, steps, real_f, real_conf)
            print(json.dumps(row), flush=True)
            if a.jsonl:
                with open(a.jsonl, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row) + "\n")
        emas[0].restore(raw)


def judge_all(a, net, betas, momentum, trained, steps, real_f, real_conf) -> dict:
    """The JSON row of one budget and one EMA momentum (its average already in ``net``)."""
    row = {"tag": a.tag, "prediction": a.prediction, "min_snr": a.min_snr, "film": a.film,
           "label_dropout": a.label_dropout, "decay": a.decay, "ema": momentum, "ema_every": a.ema_every,
           "batch_size": a.batch_size,
           "learning_rate": a.learning_rate, "seconds": round(trained),
           "steps": steps, "steps_per_s": round(steps / trained, 2),
           f"ddim{a.ddim}": judge(net, betas, a.prediction, a.n, a.ddim, real_f, real_conf)}
    if a.ddim2:
        row[f"ddim{a.ddim2}"] = judge(net, betas, a.prediction, a.n, a.ddim2, real_f, real_conf)
    labels = np.arange(a.ng) % 10
    for w in (float(g) for g in a.guidance.split(",")):
        g = D.sample(net, betas, a.ng, steps=a.guided_steps or a.ddim2 or a.ddim, labels=labels, guidance=w, seed=2,
                     num_classes=10, prediction=a.prediction)
        row[f"guided_accuracy_w{w:g}"] = round(float(np.mean(
            fid.class_confidence_report(g, value_range="tanh")["predicted"] == labels)), 3)
    return row


if __name__ == "__main__":
    main()
    # TensorFlow's thread pools have twice kept this process alive after main() returned (the results were already
    # printed and written); leave without the interpreter's teardown.
    os._exit(0)
