"""The course's own feature network: a small Fashion-MNIST CNN whose weights ship with the package.

FID, KID, precision/recall and the nearest-neighbour checks in :mod:`aigc_course.metrics.fid` compare
images in the feature space of this classifier instead of Inception-v3 (which was trained on ImageNet
photographs and knows nothing about 28x28 grey clothing).

Architecture (``build_classifier``)::

    input (28, 28, 1) in [0, 1]
    Conv 3x3, 32, ReLU -> MaxPool 2 -> Conv 3x3, 64, ReLU -> MaxPool 2 -> Dropout 0.25 -> Flatten
    Dense 128 named "features"   <- the embedding used by the metrics (taken BEFORE its ReLU)
    ReLU -> Dropout 0.3 -> Dense 10 named "logits"

The embedding is the pre-activation of the 128-unit layer: unlike the post-ReLU values it has no units
that are exactly zero for most images, so its covariance is better conditioned and closer to the
Gaussian that the Fréchet distance assumes. ``embed`` divides it by one fixed number, ``feature_scale``
in the JSON (the root-mean-square of the raw features of the first 10 000 training images), so a typical
coordinate is about 1: this keeps the cubic kernel of KID, (x·y/d + 1)³, in the range it was designed
for (with raw features x·y/d is ~3 and KID's variance explodes). FID values are in these scaled units.

The weights are written by ``scripts/train_feature_net.py`` into ``aigc_course/metrics/weights/``
(``fashion_cnn.weights.h5``, loadable under TensorFlow, JAX and PyTorch) together with
``fashion_cnn.json`` (test accuracy, epochs, backend, date, command).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
WEIGHTS_FILE = WEIGHTS_DIR / "fashion_cnn.weights.h5"
INFO_FILE = WEIGHTS_DIR / "fashion_cnn.json"
FEATURE_LAYER = "features"
FEATURE_DIM = 128
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
TRAIN_SCRIPT = "scripts/train_feature_net.py"

_CACHE: dict = {}


def build_classifier(name: str = "fashion_cnn"):
    """A fresh (untrained) classifier: (n, 28, 28, 1) in [0, 1] -> (n, 10) logits."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Dropout(0.25, name="dropout_conv")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(FEATURE_DIM, name=FEATURE_LAYER)(x)
    x = layers.Activation("relu", name="features_relu")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    outputs = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def weights_info() -> dict:
    """The JSON written beside the weights (test accuracy, epochs, backend, date, command, ...)."""
    if not INFO_FILE.is_file():
        raise FileNotFoundError(
            f"the feature network's description {INFO_FILE} is missing; "
            f"run `python {TRAIN_SCRIPT}` to train the network and write it"
        )
    return json.loads(INFO_FILE.read_text(encoding="utf-8"))


def load_classifier(weights: str | Path | None = None):
    """The shipped classifier with its trained weights (built once, then cached).

    ``weights``: another ``.weights.h5`` file to load instead of the shipped one (not cached).
    """
    path = WEIGHTS_FILE if weights is None else Path(weights)
    if weights is None and "model" in _CACHE:
        return _CACHE["model"]
    if not path.is_file():
        raise FileNotFoundError(
            f"the feature network's weights {path} are missing; "
            f"run `python {TRAIN_SCRIPT}` to train the network and write them"
        )
    model = build_classifier()
    model.load_weights(str(path))
    if weights is None:
        _CACHE["model"] = model
    return model


def _feature_model():
    if "features" not in _CACHE:
        import keras

        model = load_classifier()
        _CACHE["features"] = keras.Model(model.inputs, model.get_layer(FEATURE_LAYER).output,
                                         name="fashion_cnn_features")
    return _CACHE["features"]


def prepare_images(images, value_range: str | None = None, name: str = "images") -> np.ndarray:
    """Check ``images`` and return float32 (n, 28, 28, 1) in [0, 1].

    Accepts (n, 28, 28) or (n, 28, 28, 1) arrays (numpy or backend tensors); ``value_range`` is "tanh"
    ([-1, 1]), "unit" ([0, 1]), "uint8" (0..255) or None (guess, see :func:`aigc_course.viz.images.to_unit`).
    Wrong ranges, NaN/inf, ranks and channel counts raise ValueError naming ``name``.
    """
    from ..viz.images import to_unit

    x = to_unit(images, value_range, name=name)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim == 4 and x.shape[1:3] == IMAGE_SHAPE[:2] and x.shape[-1] != 1:
        raise ValueError(f"{name} must be grey images with one channel, got {x.shape[-1]} channels in shape "
                         f"{x.shape}; convert them to grey first (e.g. images.mean(axis=-1, keepdims=True))")
    if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{name} must have shape (n, 28, 28) or (n, 28, 28, 1), got {tuple(np.shape(images))}")
    if len(x) == 0:
        raise ValueError(f"{name} must hold at least one image, got 0")
    return np.ascontiguousarray(x, dtype="float32")


def _check_batch_size(batch_size) -> int:
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return int(batch_size)


def _run(model, x: np.ndarray, batch_size: int) -> np.ndarray:
    import keras

    out = model.predict(x, batch_size=batch_size, verbose=0)
    return np.asarray(keras.ops.convert_to_numpy(out), dtype="float64")


def raw_features(images, value_range: str | None = None, batch_size: int = 500) -> np.ndarray:
    """The unscaled pre-ReLU activations (n, 128) of the classifier's "features" layer, float64."""
    batch_size = _check_batch_size(batch_size)
    x = prepare_images(images, value_range)
    return _run(_feature_model(), x, batch_size)


def feature_scale() -> float:
    """The fixed divisor of the embedding (``feature_scale`` in the weights JSON)."""
    return _measured("scale", "feature_scale", float)


def _measured(cache_key: str, info_key: str, convert):
    """A number measured by ``--measure-only`` and stored in the weights JSON, read once and cached."""
    if cache_key not in _CACHE:
        info = weights_info()
        if info_key not in info:
            raise FileNotFoundError(f"{INFO_FILE} has no '{info_key}'; run `python {TRAIN_SCRIPT} --measure-only`")
        _CACHE[cache_key] = convert(info[info_key])
    return _CACHE[cache_key]


def embed(images, value_range: str | None = None, batch_size: int = 500) -> np.ndarray:
    """Feature vectors (n, 128), float64: the pre-ReLU activations of the classifier's "features" layer
    divided by ``feature_scale()`` (so a typical coordinate is about 1)."""
    return raw_features(images, value_range, batch_size) / feature_scale()


def predict_logits(images, value_range: str | None = None, batch_size: int = 500) -> np.ndarray:
    """Class logits (n, 10), float64."""
    batch_size = _check_batch_size(batch_size)
    x = prepare_images(images, value_range)
    return _run(load_classifier(), x, batch_size)


def predict_proba(images, value_range: str | None = None, batch_size: int = 500) -> np.ndarray:
    """Class probabilities (n, 10), float64; each row sums to 1."""
    logits = predict_logits(images, value_range, batch_size)
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------------------- the noise guard
DARK_LEVEL = 0.1
"""A pixel below this (in [0, 1]) counts as background in :func:`pixel_statistics`."""


def pixel_statistics(images, value_range: str | None = None) -> dict:
    """Two numbers per image that separate clothing photographs from noise-like images:

    "total_variation": mean absolute difference between horizontally and vertically adjacent pixels
        (noise and speckle are high; a garment on a dark background is low);
    "dark_share": share of pixels darker than DARK_LEVEL (the background: a flat grey or white image has
        none, a speckled one almost only background).
    Returns {"total_variation": (n,), "dark_share": (n,)} as float64 arrays."""
    x = prepare_images(images, value_range)[..., 0].astype("float64")
    tv = (np.abs(np.diff(x, axis=1)).mean(axis=(1, 2)) + np.abs(np.diff(x, axis=2)).mean(axis=(1, 2))) / 2
    return {"total_variation": tv, "dark_share": (x < DARK_LEVEL).mean(axis=(1, 2))}


def pixel_guard_limits() -> dict:
    """The real-image range of :func:`pixel_statistics` (``pixel_guard`` in the weights JSON): the 99.5 %
    quantile of total variation and the 0.5 %-99.5 % range of the dark share over the first 10 000 training
    images, written by ``scripts/train_feature_net.py --measure-only``."""
    return _measured("guard", "pixel_guard", dict)


def measure_pixel_guard(real_images, value_range: str | None = None) -> dict:
    """The limits of the noise guard measured on ``real_images`` (see :func:`pixel_guard_limits`)."""
    st = pixel_statistics(real_images, value_range)
    return {"max_total_variation": round(float(np.quantile(st["total_variation"], 0.995)), 6),
            "min_dark_share": round(float(np.quantile(st["dark_share"], 0.005)), 6),
            "max_dark_share": round(float(np.quantile(st["dark_share"], 0.995)), 6)}


def looks_like_clothing(images, value_range: str | None = None) -> np.ndarray:
    """The noise guard: True where an image's pixel statistics lie inside the range of real Fashion-MNIST
    images (total variation not above, dark share not outside, the limits of :func:`pixel_guard_limits`).

    The classifier alone is fooled by noise: uniform noise or smooth grey blobs are called "Bag" with
    probability >= 0.9 for most images; these statistics reject them while keeping about 99 % of real images."""
    st = pixel_statistics(images, value_range)
    lim = pixel_guard_limits()
    return ((st["total_variation"] <= lim["max_total_variation"])
            & (st["dark_share"] >= lim["min_dark_share"]) & (st["dark_share"] <= lim["max_dark_share"]))


def accuracy(images, labels, value_range: str | None = None, batch_size: int = 500) -> float:
    """Share of ``images`` whose most probable class equals ``labels`` (n,) (class ids 0..9)."""
    if hasattr(labels, "shape") and not isinstance(labels, np.ndarray):  # a backend tensor
        import keras

        labels = keras.ops.convert_to_numpy(labels)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        hint = "; for one-hot labels pass labels.argmax(axis=1)" if labels.ndim == 2 else ""
        raise ValueError(f"labels must have shape (n,) (one class id per image), got {labels.shape}{hint}")
    if labels.dtype.kind not in "iu" and not (labels.dtype.kind == "f" and np.all(np.isfinite(labels))
                                              and np.all(labels == np.round(labels))):
        raise ValueError(f"labels must be integer class ids 0..{NUM_CLASSES - 1}, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"labels must be class ids 0..{NUM_CLASSES - 1}, got values in "
                         f"[{labels.min():g}, {labels.max():g}]")
    logits = predict_logits(images, value_range, batch_size)
    if len(labels) != len(logits):
        raise ValueError(f"got {len(logits)} images but {len(labels)} labels")
    return float(np.mean(np.argmax(logits, axis=1) == labels))
