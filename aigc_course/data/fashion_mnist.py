"""Fashion-MNIST (Zalando, MIT licence): 70 000 grey 28x28 images of clothing in 10 classes."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from ._download import download
from ._search import DataSource, corrupt_error, file_problem, find_file

SOURCE = DataSource(
    name="Fashion-MNIST",
    subdir="fashion-mnist",
    system_dirs=["/usr/share/datasets/fashion-mnist"],
    install_hint="install the Debian package with `sudo apt-get install dataset-fashion-mnist`",
    fetch_name="fashion-mnist",
    reinstall_hint="sudo apt-get install --reinstall dataset-fashion-mnist",
)
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
CONTENT_SHA256 = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
"""SHA-256 of each file's *decompressed* content. The gzip wrappers differ between copies (Debian's
``dataset-fashion-mnist`` re-packs them without the file name in the gzip header, so its .gz files are 23-24
bytes shorter than the ones Keras downloads and have other checksums), but the IDX content is the same: these
digests were computed from the Debian files and equal the published digests of the content of the archives
whose MD5s Zalando lists (8d4fb7e6…, 25c81989…, bef4ecab…, bb300cfd…)."""
CLASS_NAMES_EN = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CLASS_NAMES_ZH = ("T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")
NUM_CLASSES = 10
SCALES = ("tanh", "unit", "uint8")


def _dims(filename: str) -> int:
    return 3 if "images" in filename else 1


def _download(filename: str):
    def fetch(target: Path) -> Path:
        def check(tmp: Path) -> None:
            _parse_idx(tmp, filename)
        return download(URL + filename, target, what=f"{SOURCE.name} {filename}", check=check)
    return fetch


def _parse_idx(path: Path, filename: str) -> np.ndarray:
    """The array in the gzipped IDX file ``path`` (known as ``filename``); ValueError says what is wrong."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except EOFError:
        raise ValueError("it is truncated (the gzip data ends early)") from None
    except (OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"it is not a readable gzip file ({exc})") from None
    expected_dims = _dims(filename)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError("it is not an IDX file of unsigned bytes (bad magic number)")
    ndim = data[3]
    if ndim != expected_dims:
        raise ValueError(f"expected an IDX file with {expected_dims} dimension(s), it has {ndim}")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(data, dtype=np.uint8, offset=min(len(data), 4 + 4 * ndim))
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"its header says shape {shape} but it holds {arr.size} values")
    expected = CONTENT_SHA256.get(filename)
    if expected is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise ValueError(f"its content is not the published Fashion-MNIST {filename} (SHA-256 "
                             f"{digest[:16]}…, expected {expected[:16]}…)")
    return arr.reshape(shape)


def _read_idx(path: Path, filename: str) -> np.ndarray:
    try:
        return _parse_idx(path, filename)
    except ValueError as exc:
        raise corrupt_error(SOURCE, path, str(exc)) from None


def check_files(data_dir: str | os.PathLike | None = None) -> dict:
    """{file name: None when found and intact, "missing", or the corruption message} for the four files,
    without downloading (what ``aigc-course doctor`` reports)."""
    return {name: file_problem(lambda: _read_idx(find_file(SOURCE, name, data_dir), name))
            for names in FILES.values() for name in names}


@functools.lru_cache(maxsize=4)
def _load_raw(split: str, data_dir: str | None, env_dir: str | None):
    img_name, lbl_name = FILES[split]
    images = _read_idx(find_file(SOURCE, img_name, data_dir, download=_download(img_name)), img_name)
    labels = _read_idx(find_file(SOURCE, lbl_name, data_dir, download=_download(lbl_name)), lbl_name)
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
    """Make sure the four files are present and intact (downloading missing ones into the Keras cache; the
    first failed download ends the attempt); returns the folder of the first file."""
    paths = []
    for names in FILES.values():
        for name in names:
            path = find_file(SOURCE, name, None, download=_download(name))
            _read_idx(path, name)
            paths.append(path)
    return paths[0].parent
