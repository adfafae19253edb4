"""What makes the package's DCGAN step fast or slow on a CPU, measured in one run on the active backend.

Variants of the same chapter 04 DCGAN (width 64, latent 64, batch 128) trained by ``fit()``, each for the
same number of steps, in interleaved rounds (A B C ... A B C ...) so that a busy machine slows them alike;
the table gives the median steps/s and the ratio to the plain ``fit()``:

- ``fit``: ``compile()`` defaults, no callbacks;
- ``batch_callbacks``: chapter 04's per-batch callbacks (LossHistory every 5 steps, TimeBudget), i.e. what
  per-batch logging costs; chapter 04's ImageSnapshots runs once per epoch (156 steps in the standard
  profile), so its cost is given apart as ``snapshot_ms`` (one grid of 12 images);
- ``steps_per_execution=4``: four batches per compiled call (fewer Python round trips);
- ``jit_compile=True``: XLA under TensorFlow (JAX always compiles with XLA);
- ``fast_conv_transpose`` (JAX only): ``aigc_course.training.speed.use_fast_conv_transpose()`` active
  while the step is traced (the transposed convolution's backward pass through its adjoint convolution).

Under JAX, ``--parts`` also times the pieces of one step (generator forward, generator backward, the
transposed convolutions' kernel gradient) to show where the time goes, and the transposed convolution's
backward pass computed through the strided convolution it is the adjoint of (the fix this points to), and
adds the ``fast_conv_transpose`` variant.

    KERAS_BACKEND=tensorflow python benchmarks/cpu_speed.py --steps 20 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _common import write_json  # noqa: E402

from aigc_course.models import gan  # noqa: E402
from aigc_course.training import callbacks, speed  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20, help="timed steps per variant and round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--variants", default="fit,batch_callbacks,steps_per_execution=4,jit_compile=True")
    p.add_argument("--parts", action="store_true", help="under JAX: time the pieces of one step")
    p.add_argument("--json", default=None, help="write the results to this JSON file")
    return p.parse_args(argv)


def make_model(args, variant):
    keras.utils.set_random_seed(0)
    model = gan.GAN(gan.build_dcgan_generator(args.latent_dim, args.width), gan.build_dcgan_discriminator(args.width),
                    latent_dim=args.latent_dim, seed=0)
    kwargs = {}
    if variant.startswith("steps_per_execution="):
        kwargs["steps_per_execution"] = int(variant.split("=")[1])
    if variant == "jit_compile=True":
        kwargs["jit_compile"] = True
    model.compile(**kwargs)
    return model


def batch_callbacks():
    return [callbacks.LossHistory(every=5), callbacks.TimeBudget(10 ** 6)]


def snapshot_ms(model) -> float:
    """Milliseconds of one ImageSnapshots grid (median of 5, after one untimed call)."""
    snaps = callbacks.ImageSnapshots(n=12, seed=1)
    snaps.set_model(model)
    snaps._snapshot(0)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        snaps._snapshot(0)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def measure(args) -> dict:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (args.steps * args.batch_size, 28, 28, 1)).astype("float32")
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    models = {}
    for v in variants:  # build and compile each once (the first fit traces); not timed
        fast = speed.use_fast_conv_transpose(v == "fast_conv_transpose")
        if v == "fast_conv_transpose" and not fast:
            raise SystemExit("the fast_conv_transpose variant needs KERAS_BACKEND=jax")
        models[v] = make_model(args, v)
        models[v].fit(x, batch_size=args.batch_size, epochs=1, verbose=0)  # the same data as timed
        speed.use_fast_conv_transpose(False)
    times = {v: [] for v in variants}
    for _ in range(args.rounds):
        for v in variants:
            cbs = batch_callbacks() if v == "batch_callbacks" else None
            start = time.perf_counter()
            hist = models[v].fit(x, batch_size=args.batch_size, epochs=1, verbose=0, callbacks=cbs)
            float(hist.history["d_loss"][-1])
            times[v].append(args.steps / (time.perf_counter() - start))
    base = statistics.median(times[variants[0]])
    result = {"snapshot_ms": snapshot_ms(models[variants[0]])}
    print(f"one ImageSnapshots grid: {result['snapshot_ms']} ms", flush=True)
    return result | {v: {"steps_per_s": round(statistics.median(t), 3), "runs": [round(s, 3) for s in t],
                "ratio_to_" + variants[0]: round(statistics.median(t) / base, 3)} for v, t in times.items()}


def jax_parts(args) -> dict:
    """Milliseconds of the pieces of one DCGAN step under JAX (jitted, blocked until ready)."""
    import jax

    keras.utils.set_random_seed(0)
    G, D = gan.build_dcgan_generator(args.latent_dim, args.width), gan.build_dcgan_discriminator(args.width)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((args.batch_size, args.latent_dim)).astype("float32")
    x = rng.uniform(-1, 1, (args.batch_size, 28, 28, 1)).astype("float32")
    gt, gn = [v.value for v in G.trainable_variables], [v.value for v in G.non_trainable_variables]
    dt, dn = [v.value for v in D.trainable_variables], [v.value for v in D.non_trainable_variables]
    h = rng.standard_normal((args.batch_size, 7, 7, 2 * args.width)).astype("float32")
    k = rng.standard_normal((4, 4, args.width, 2 * args.width)).astype("float32")
    a = rng.standard_normal((args.batch_size, 14, 14, args.width)).astype("float32")
    conv_t = lambda h, k: keras.ops.conv_transpose(h, k, 2, padding="same")  # noqa: E731
    conv = lambda a, k: keras.ops.conv(a, k, 2, padding="same")  # noqa: E731
    pieces = {
        "G_forward": (jax.jit(lambda p, z: G.stateless_call(p, gn, z, training=True)[0]), (gt, z)),
        "G_forward_backward": (jax.jit(jax.grad(lambda p, z: G.stateless_call(p, gn, z, training=True)[0].sum())),
                               (gt, z)),
        "D_forward_backward": (jax.jit(jax.grad(lambda p, x: D.stateless_call(p, dn, x, training=True)[0].sum())),
                               (dt, x)),
        "conv_transpose_7to14_forward": (jax.jit(conv_t), (h, k)),
        "conv_transpose_7to14_kernel_grad": (jax.jit(jax.grad(lambda k, h: conv_t(h, k).sum())), (k, h)),
        "conv_14to7_forward": (jax.jit(conv), (a, k)),
        "conv_14to7_kernel_grad": (jax.jit(jax.grad(lambda k, a: conv(a, k).sum())), (k, a)),
    }
    # The transposed convolution's backward pass two ways: JAX's own transpose rule (its kernel gradient is
    # a convolution with window dilation, slow on XLA:CPU) and the same gradients from the strided forward
    # convolution whose adjoint the transposed convolution is (dx = conv(g, k); dk = that conv's kernel
    # gradient with x as the output cotangent), which XLA:CPU runs on its fast path.
    g = rng.standard_normal((args.batch_size, 14, 14, args.width)).astype("float32")
    pads = ((1, 1), (1, 1))  # Keras' "same" for a 4x4 kernel, stride 2, 14 -> 7
    fwd_conv = lambda g, k: jax.lax.conv_general_dilated(g, k, (2, 2), pads,  # noqa: E731
                                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def via_conv(x, k, g):
        return fwd_conv(g, k), jax.vjp(lambda kk: fwd_conv(g, kk), k)[1](x)[0]

    keras_backward = jax.jit(lambda x, k, g: jax.vjp(conv_t, x, k)[1](g))
    fast_backward = jax.jit(via_conv)
    (dx0, dk0), (dx1, dk1) = keras_backward(h, k, g), fast_backward(h, k, g)
    pieces["conv_transpose_7to14_backward_jax_rule"] = (keras_backward, (h, k, g))
    pieces["conv_transpose_7to14_backward_via_strided_conv"] = (fast_backward, (h, k, g))
    out = {"via_strided_conv_max_rel_error": float(max(np.abs(dx1 - dx0).max() / np.abs(dx0).max(),
                                                       np.abs(dk1 - dk0).max() / np.abs(dk0).max()))}
    for name, (fn, fargs) in pieces.items():
        jax.block_until_ready(fn(*fargs))
        start = time.perf_counter()
        for _ in range(5):
            jax.block_until_ready(fn(*fargs))
        out[name + "_ms"] = round((time.perf_counter() - start) / 5 * 1000, 1)
    return out


def main(argv=None) -> dict:
    args = parse_args(argv)
    result = {"backend": keras.backend.backend(), "batch_size": args.batch_size, "width": args.width,
              "latent_dim": args.latent_dim, "steps": args.steps, "rounds": args.rounds, "cpu_count": os.cpu_count()}
    if args.parts and result["backend"] == "jax":
        result["jax_parts"] = jax_parts(args)
        print(json.dumps(result["jax_parts"]), flush=True)
        if "fast_conv_transpose" not in args.variants.split(","):
            args.variants += ",fast_conv_transpose"
    result["variants"] = measure(args)
    print(f"backend {result['backend']}, batch {args.batch_size}, width {args.width}, {args.steps} steps x "
          f"{args.rounds} rounds (median)")
    for v, r in result["variants"].items():
        if not isinstance(r, dict):
            continue
        print(f"  {v:<26} {r['steps_per_s']:7.2f} steps/s   ratio {list(r.values())[-1]:.3f}   runs {r['runs']}")
    if args.json:
        write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
