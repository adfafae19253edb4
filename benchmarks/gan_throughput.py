"""DCGAN training throughput: the package's GAN step (one compiled step per batch, run by fit()) against a
plain train_on_batch loop over the same two models, as the source documents write it (the generator's
samples from predict(), two discriminator calls, and a combined model with the discriminator frozen).

Both run in this one process on the active Keras backend, so the ratio is a fair comparison:

    KERAS_BACKEND=tensorflow .venv/bin/python benchmarks/gan_throughput.py
    KERAS_BACKEND=jax .venv/bin/python benchmarks/gan_throughput.py --steps 500 --batch-size 128   # on a GPU
"""

from __future__ import annotations

import argparse
import json
import time

import keras
import numpy as np

from aigc_course.models import gan as builders
from aigc_course.models import gan


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=12, help="timed training steps per method (default 12)")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (compilation), default 3")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--width", type=int, default=64, help="DCGAN width (channels of the first conv)")
    p.add_argument("--latent-dim", type=int, default=100)
    p.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    args = p.parse_args(argv)
    for name in ("steps", "warmup", "batch_size", "width", "latent_dim"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    return args


def real_batches(n: int, batch_size: int, seed: int = 0) -> np.ndarray:
    """Random images in [-1, 1] of the Fashion-MNIST shape (throughput does not depend on the pixels)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n * batch_size, 28, 28, 1)).astype("float32")


def package_steps_per_second(args) -> float:
    keras.utils.set_random_seed(0)
    model = gan.GAN(builders.build_dcgan_generator(args.latent_dim, args.width),
                    builders.build_dcgan_discriminator(args.width), latent_dim=args.latent_dim, seed=0)
    model.compile()
    model.fit(real_batches(args.warmup, args.batch_size), batch_size=args.batch_size, epochs=1, verbose=0)
    x = real_batches(args.steps, args.batch_size, seed=1)
    start = time.perf_counter()
    hist = model.fit(x, batch_size=args.batch_size, epochs=1, verbose=0)
    float(hist.history["d_loss"][-1])  # the values are on the host: the work is done
    return args.steps / (time.perf_counter() - start)


def train_on_batch_steps_per_second(args) -> float:
    keras.utils.set_random_seed(0)
    generator = builders.build_dcgan_generator(args.latent_dim, args.width)
    discriminator = builders.build_dcgan_discriminator(args.width)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    discriminator.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss=bce)
    discriminator.trainable = False  # frozen inside the combined model only
    z = keras.Input((args.latent_dim,))
    combined = keras.Model(z, discriminator(generator(z)))
    combined.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss=bce)
    discriminator.trainable = True
    ones = np.ones((args.batch_size, 1), "float32")
    zeros = np.zeros((args.batch_size, 1), "float32")
    rng = np.random.default_rng(0)

    def step(real):
        noise = rng.standard_normal((args.batch_size, args.latent_dim)).astype("float32")
        fake = generator.predict(noise, verbose=0)
        discriminator.train_on_batch(real, ones)
        discriminator.train_on_batch(fake, zeros)
        return combined.train_on_batch(noise, ones)

    data = real_batches(args.warmup + args.steps, args.batch_size, seed=1).reshape(-1, args.batch_size, 28, 28, 1)
    for real in data[:args.warmup]:
        step(real)
    start = time.perf_counter()
    for real in data[args.warmup:]:
        loss = step(real)
    float(np.asarray(loss).ravel()[0])
    return args.steps / (time.perf_counter() - start)


def main(argv=None) -> dict:
    args = parse_args(argv)
    pkg = package_steps_per_second(args)
    tob = train_on_batch_steps_per_second(args)
    result = {"backend": keras.backend.backend(), "batch_size": args.batch_size, "width": args.width,
              "latent_dim": args.latent_dim, "steps": args.steps, "package_steps_per_s": round(pkg, 3),
              "train_on_batch_steps_per_s": round(tob, 3), "ratio": round(pkg / tob, 2)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"backend {result['backend']}, batch {args.batch_size}, width {args.width}, {args.steps} timed steps")
        print(f"  package GAN step (fit):     {pkg:8.2f} steps/s")
        print(f"  train_on_batch loop:        {tob:8.2f} steps/s")
        print(f"  ratio:                      {pkg / tob:8.2f} x")
    return result


if __name__ == "__main__":
    main()
