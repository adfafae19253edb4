"""Fashion-MNIST (Zalando, MIT licence): 70 000 grey 28x28 images of clothing in 10 classes."""

from __future__ import annotations

import functools
import gzip
import os
import urllib.request
from pathlib import Path

import numpy as np

from ._search import DataSource, find_file

SOURCE = DataSource(
    name="Fashion-MNIST",
    subdir="fashion-mnist",
    system_dirs=["/usr/share/datasets/fashion-mnist"],
    install_hint="install the Debian package with `sudo apt-get install dataset-fashion-mnist`",
)
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
CLASS_NAMES_EN = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CLASS_NAMES_ZH = ("T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")
NUM_CLASSES = 10
SCALES = ("tanh", "unit", "uint8")


def _download(filename: str):
    def fetch(target: Path) -> Path:
        urllib.request.urlretrieve(URL + filename, target)
        return target
    return fetch


def _read_idx(path: Path, expected_dims: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    ndim = data[3]
    if ndim != expected_dims:
        raise ValueError(f"{path}: expected {expected_dims} dimensions, the file has {ndim}")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape} but holds {arr.size} values (truncated file?)")
    return arr.reshape(shape)


@functools.lru_cache(maxsize=4)
def _load_raw(split: str, data_dir: str | None, env_dir: str | None):
    img_name, lbl_name = FILES[split]
    images = _read_idx(find_file(SOURCE, img_name, data_dir, download=_download(img_name)), 3)
    labels = _read_idx(find_file(SOURCE, lbl_name, data_dir, download=_download(lbl_name)), 1)
    if len(images) != len(labels):
        raise ValueError(f"Fashion-MNIST {split}: {len(images)} images but {len(labels)} labels")
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_fashion_mnist(split: str = "train", scale: str = "tanh", limit: int | None = None,
                       data_dir: str | os.PathLike | None = None):
    """Load Fashion-MNIST images ``(n, 28, 28, 1)`` and int64 labels ``(n,)``.

    split: "train" (60 000) or "test" (10 000).
    scale: "tanh" -> float32 in [-1, 1] (for tanh generators), "unit" -> float32 in [0, 1]
           (for Bernoulli VAEs and classifiers), "uint8" -> the raw bytes.
    limit: keep only the first ``limit`` images (the order of the file is already shuffled).
    """
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit <= 0):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")
    images, labels = _load_raw(split, None if data_dir is None else str(data_dir),
                               os.environ.get("AIGC_DATA_DIR"))
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = images[..., None]
    if scale == "tanh":
        x = x.astype("float32") / 127.5 - 1.0
    elif scale == "unit":
        x = x.astype("float32") / 255.0
    else:
        x = x.copy()
    return x, labels.astype("int64")


def available(data_dir: str | os.PathLike | None = None) -> bool:
    """True when all four files can be found without downloading."""
    try:
        for names in FILES.values():
            for name in names:
                find_file(SOURCE, name, data_dir)
        return True
    except FileNotFoundError:
        return False


def fetch():
    """Make sure the four files are present (downloading into the Keras cache if needed); returns the folder."""
    paths = [find_file(SOURCE, name, None, download=_download(name)) for names in FILES.values() for name in names]
    return paths[0].parent
