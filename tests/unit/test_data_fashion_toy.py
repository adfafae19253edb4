import gzip

import numpy as np
import pytest
from helpers import raises_message

from aigc_course.data import CorruptDataError, DataNotFoundError, fashion_mnist, load_fashion_mnist, make_moons, make_ring, mode_coverage


def test_fashion_mnist_shapes_and_scales():
    x, y = load_fashion_mnist("test", scale="tanh", limit=100)
    assert x.shape == (100, 28, 28, 1) and x.dtype == np.float32 and y.shape == (100,)
    assert x.min() == -1.0 and x.max() == 1.0
    u, _ = load_fashion_mnist("test", scale="unit", limit=100)
    assert u.min() == 0.0 and u.max() == 1.0
    np.testing.assert_allclose(u * 2 - 1, x, atol=1e-6)
    r, _ = load_fashion_mnist("test", scale="uint8", limit=3)
    assert r.dtype == np.uint8
    full_x, full_y = load_fashion_mnist("train")
    assert full_x.shape == (60000, 28, 28, 1)
    assert np.bincount(full_y).tolist() == [6000] * 10
    assert len(fashion_mnist.CLASS_NAMES_ZH) == len(fashion_mnist.CLASS_NAMES_EN) == 10


@pytest.mark.parametrize("kwargs, message", [
    ({"split": "val"}, "split must be 'train' or 'test', got 'val'"),
    ({"scale": "minus1"}, "scale must be one of tanh, unit, uint8, got 'minus1'"),
    ({"limit": 0}, "limit must be a positive int or None, got 0"),
])
def test_fashion_mnist_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as e:
        load_fashion_mnist(**kwargs)
    assert str(e.value) == message


def test_missing_data_gives_one_clear_error(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("AIGC_DATA_DIR", str(empty))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(fashion_mnist, "SOURCE", fashion_mnist.SOURCE.__class__(
        name="Fashion-MNIST", subdir="fashion-mnist", system_dirs=[str(tmp_path / "hidden")],
        install_hint=fashion_mnist.SOURCE.install_hint))
    fashion_mnist._load_raw.cache_clear()
    with pytest.raises(DataNotFoundError) as e:
        load_fashion_mnist("train")
    fashion_mnist._load_raw.cache_clear()
    assert str(e.value) == "\n".join([
        "Could not find 'train-images-idx3-ubyte.gz' of the Fashion-MNIST data set.",
        "Looked in:",
        f"  - {empty}/train-images-idx3-ubyte.gz  ($AIGC_DATA_DIR)",
        f"  - {empty}/fashion-mnist/train-images-idx3-ubyte.gz  ($AIGC_DATA_DIR)",
        f"  - {tmp_path}/hidden/train-images-idx3-ubyte.gz  (system package)",
        f"  - {tmp_path}/keras/datasets/fashion-mnist/train-images-idx3-ubyte.gz  (Keras cache)",
        "  - download: skipped because AIGC_OFFLINE is set",
        "Fix: install the Debian package with `sudo apt-get install dataset-fashion-mnist`, "
        "or set AIGC_DATA_DIR to a folder that holds 'train-images-idx3-ubyte.gz'.",
    ])
    assert isinstance(e.value, FileNotFoundError)


def test_data_dir_argument_wins_and_bad_files_are_reported(tmp_path):
    for name in fashion_mnist.FILES["test"]:  # a good copy in data_dir is used
        (tmp_path / name).symlink_to(f"/usr/share/datasets/fashion-mnist/{name}")
    fashion_mnist._load_raw.cache_clear()
    x, y = load_fashion_mnist("test", scale="uint8", data_dir=tmp_path)
    assert x.shape == (10000, 28, 28, 1) and y[:5].tolist() == [9, 2, 1, 1, 6]

    def idx(path, dims, payload):
        path.unlink()
        header = bytes([0, 0, 8, len(dims)]) + b"".join(int(d).to_bytes(4, "big") for d in dims)
        with gzip.open(path, "wb") as f:
            f.write(header + payload)
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    idx(bad, (3,), bytes([3, 7]))
    fashion_mnist._load_raw.cache_clear()
    with raises_message(CorruptDataError, f"{bad} is corrupt: its header says shape (3,) but it holds 2 values. "
                        f"Fix: replace {bad} with a good copy, or delete it so that the loader looks in the "
                        f"next place."):
        load_fashion_mnist("test", data_dir=tmp_path)
    fashion_mnist._load_raw.cache_clear()


def test_ring_and_moons():
    pts, ids = make_ring(4000, modes=8, radius=2.0, std=0.05, seed=1)
    assert pts.shape == (4000, 2) and pts.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(pts, axis=1).mean(), 2.0, atol=0.01)
    cov = mode_coverage(pts)
    assert cov["modes_covered"] == 8 and cov["high_quality"] > 0.98
    # All samples on one mode: one mode covered.
    assert mode_coverage(np.tile([[2.0, 0.0]], (50, 1)))["modes_covered"] == 1
    np.testing.assert_array_equal(make_ring(10, seed=5)[0], make_ring(10, seed=5)[0])
    m, mid = make_moons(500, noise=0.0, seed=0)
    assert set(mid.tolist()) == {0, 1} and m.shape == (500, 2)
    with pytest.raises(ValueError, match=r"samples must have shape \(n, 2\), got \(3,\)"):
        mode_coverage(np.zeros(3))
