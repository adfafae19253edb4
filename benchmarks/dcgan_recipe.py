"""Chapter 04's DCGAN recipe on this CPU: train one configuration for a wall-clock budget and judge it at
checkpoints (training seconds; evaluation time is not counted) with the course's metrics.

Prints one line per checkpoint: steps, steps/s, FID against 2 000 test images, guarded confident share as a
multiple of real test images', the smallest and largest class share (raw generator weights and, with
``--ema``, the averaged weights). Run it under the shared lock, one configuration at a time:

    flock /tmp/aigc-cpu.lock python benchmarks/dcgan_recipe.py --budgets 120,240,340 --spe 8 --ema 0.995
    python benchmarks/dcgan_recipe.py --throughput 25 --batch-size 32    # steps/s only, no metrics
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
from aigc_course.metrics import fid as fidm  # noqa: E402
from aigc_course.models import gan  # noqa: E402
from aigc_course.training import callbacks  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budgets", default="120,240,340")
    p.add_argument("--throughput", type=float, default=0.0, help="only measure steps/s for this many seconds")
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--d-lr", type=float, default=2e-4)
    p.add_argument("--g-lr", type=float, default=2e-4)
    p.add_argument("--beta1", type=float, default=0.5)
    p.add_argument("--smoothing", type=float, default=0.1)
    p.add_argument("--spe", type=int, default=1, help="steps_per_execution")
    p.add_argument("--ema", type=float, default=0.0, help="EMA decay of G's weights (0 = off)")
    p.add_argument("--ema-every", type=int, default=4)
    p.add_argument("--history", action="store_true", help="also record the per-step losses (LossHistory)")
    p.add_argument("--no-jit", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-eval", type=int, default=2000)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    args.budgets = sorted(float(b) for b in args.budgets.split(","))
    return args


class Checkpoints(keras.callbacks.Callback):
    """Stops the clock at each budget (training seconds), judges the generator, starts the clock again."""

    def __init__(self, budgets, judge):
        super().__init__()
        self.budgets, self.judge = list(budgets), judge
        self.rows = []

    def on_train_begin(self, logs=None):
        self.train_seconds, self._start = 0.0, time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        seconds = self.train_seconds + now - self._start
        if seconds >= self.budgets[0]:
            self.budgets.pop(0)
            steps = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
            row = {"seconds": round(seconds, 1), "steps": steps, "steps_per_s": round(steps / seconds, 2)}
            row.update(self.judge(self.model))
            self.rows.append(row)
            print(json.dumps(row), flush=True)
            if not self.budgets:
                self.model.stop_training = True
            self.train_seconds, self._start = seconds, time.perf_counter()


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    x, _ = load_fashion_mnist("train", scale="tanh")
    model = gan.GAN(gan.build_dcgan_generator(args.latent_dim, args.width), gan.build_dcgan_discriminator(args.width),
                    latent_dim=args.latent_dim, label_smoothing=args.smoothing, seed=args.seed)
    model.compile(d_optimizer=keras.optimizers.Adam(args.d_lr, beta_1=args.beta1),
                  g_optimizer=keras.optimizers.Adam(args.g_lr, beta_1=args.beta1),
                  jit_compile=not args.no_jit, steps_per_execution=args.spe)
    cbs = []
    ema = callbacks.GeneratorEMA(args.ema, every=args.ema_every) if args.ema else None
    if ema is not None:
        cbs.append(ema)
    if args.history:
        cbs.append(callbacks.LossHistory())
    if args.throughput:
        budget = callbacks.TimeBudget(args.throughput)
        start = time.perf_counter()
        model.fit(x, batch_size=args.batch_size, epochs=1000, verbose=0, callbacks=cbs + [budget])
        steps = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        print(json.dumps({"config": vars(args), "steps": steps, "seconds": round(time.perf_counter() - start, 1),
                          "steps_per_s": round(steps / (time.perf_counter() - start), 2)}))
        return
    x_test, _ = load_fashion_mnist("test", scale="tanh", limit=args.n_eval)
    real_conf = fidm.class_confidence_report(x_test, value_range="tanh")["confident_share"]
    real_f = fidm.to_features(x_test, value_range="tanh")    # embedded once, not at every checkpoint

    def judge_samples(samples):
        rep = fidm.class_confidence_report(samples, value_range="tanh")
        hist = rep["class_histogram"]
        return {"fid": round(fidm.fid(fidm.to_features(samples, value_range="tanh"), real_f), 2),
                "conf_x_real": round(rep["confident_share"] / real_conf, 3),
                "min_class": round(min(hist), 3), "max_class": round(max(hist), 3)}

    def judge(m):
        out = {"raw": judge_samples(m.generate(args.n_eval, seed=11))}
        if ema is not None and ema.average is not None:
            ema.apply()
            out["ema"] = judge_samples(m.generate(args.n_eval, seed=11))
            ema.restore()
        return out

    print(json.dumps({"config": vars(args)}), flush=True)
    checkpoints = Checkpoints(args.budgets, judge)
    model.fit(x, batch_size=args.batch_size, epochs=1000, verbose=0, callbacks=cbs + [checkpoints])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"config": vars(args), "rows": checkpoints.rows}, f, indent=2)


if __name__ == "__main__":
    main()
