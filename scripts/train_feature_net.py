"""Train the course's Fashion-MNIST feature network and write its weights into the package.

    .venv/bin/python scripts/train_feature_net.py                # train, evaluate, write weights + JSON
    .venv/bin/python scripts/train_feature_net.py --measure-only # only (re)measure the reference numbers

Writes ``aigc_course/metrics/weights/fashion_cnn.weights.h5`` (layer weights only, no optimizer state)
and ``fashion_cnn.json``: test accuracy, epochs, backend, date, the command; ``feature_scale`` (the RMS
of the raw 128-d features of the first 10 000 training images, by which ``features.embed`` divides); and
reference numbers the course quotes for real data: FID, KID and precision/recall between those 10 000
training images and the 10 000 test images, and the share of test images that the classifier labels
with confidence >= 0.9.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(info: dict) -> dict:
    """Add the reference numbers (test accuracy re-measured, real-vs-real FID, confident share)."""
    from aigc_course.data import load_fashion_mnist
    from aigc_course.metrics import features, fid

    import numpy as np

    features._CACHE.clear()
    x_test, y_test = load_fashion_mnist("test", scale="unit")
    x_train, _ = load_fashion_mnist("train", scale="unit", limit=10_000)
    raw = features.raw_features(x_train, value_range="unit")
    info["feature_scale"] = round(float(np.sqrt(np.mean(raw ** 2))), 6)
    features._CACHE["scale"] = info["feature_scale"]
    info["test_accuracy"] = round(features.accuracy(x_test, y_test, value_range="unit"), 4)
    # A fingerprint of the loaded weights: the tests check every backend reproduces these logits.
    info["reference_logits_test_first8"] = [[round(float(v), 4) for v in row]
                                            for row in features.predict_logits(x_test[:8], value_range="unit")]
    f_train, f_test = features.embed(x_train, value_range="unit"), features.embed(x_test, value_range="unit")
    info["fid_train10k_vs_test10k"] = round(float(fid.fid(f_train, f_test)), 4)
    kid_mean, kid_std = fid.kid(f_train, f_test, subset_size=1000, subsets=10, seed=0)
    info["kid_train10k_vs_test10k"] = [round(kid_mean, 6), round(kid_std, 6)]
    pr = fid.precision_recall(f_train, f_test, k=3)
    info["precision_recall_train10k_vs_test10k"] = [round(pr["precision"], 4), round(pr["recall"], 4)]
    info["pixel_guard"] = features.measure_pixel_guard(x_train, value_range="unit")  # the noise guard's limits
    features._CACHE["guard"] = info["pixel_guard"]
    report = fid.class_confidence_report(x_test, threshold=0.9, value_range="unit")
    info["test_confident_share_0.9"] = round(report["confident_share"], 4)
    info["test_confident_share_0.9_unguarded"] = round(report["unguarded_confident_share"], 4)
    return info


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--measure-only", action="store_true", help="keep the weights, re-measure the JSON numbers")
    args = p.parse_args(argv)

    import keras

    from aigc_course.data import load_fashion_mnist
    from aigc_course.metrics import features

    features.WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.measure_only:
        info = features.weights_info()
        info = measure(info)
        features.INFO_FILE.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(info, indent=2))
        return 0

    keras.utils.set_random_seed(args.seed)
    x_train, y_train = load_fashion_mnist("train", scale="unit")
    x_test, y_test = load_fashion_mnist("test", scale="unit")
    model = features.build_classifier()
    steps = args.epochs * (-(-len(x_train) // args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.time()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
              validation_data=(x_test, y_test), verbose=2)
    seconds = time.time() - start
    _, test_acc = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    # Save from a fresh copy so the file holds the layer weights only (no optimizer state): ~1.7 MB.
    clean = features.build_classifier()
    clean.set_weights(model.get_weights())
    clean.save_weights(str(features.WEIGHTS_FILE))
    info = {
        "test_accuracy": round(float(test_acc), 4),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "schedule": "cosine decay to 0",
        "seed": args.seed,
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "train_seconds": round(seconds, 1),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": ("python scripts/train_feature_net.py " + " ".join(argv if argv is not None else sys.argv[1:])).strip(),
        "feature_layer": features.FEATURE_LAYER,
        "feature_dim": features.FEATURE_DIM,
    }
    try:
        info = measure(info)
    except ImportError as exc:  # fid.py not available: keep the accuracy only
        print(f"reference numbers not measured: {exc}")
    features.INFO_FILE.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
