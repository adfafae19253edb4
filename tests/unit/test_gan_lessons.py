"""The lessons' own code (networks and train step written in notebooks 03-05) agrees with the package's
builders and steps: same layers and shapes, same losses after one seeded step (d2l's #@save idea)."""

from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest
from keras import layers, ops

from aigc_course.data import load_fashion_mnist
from aigc_course.models import gan

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def lesson(notebook: str, *names: str) -> dict:
    """Execute the notebook's code cells that define ``names`` (``def name(`` or ``class name(``) and
    return the namespace."""
    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    ns = {"keras": keras, "layers": layers, "ops": ops, "np": np, "gan": gan}
    for name in names:
        cells = [c.source for c in nb.cells if c.cell_type == "code"
                 and (f"def {name}(" in c.source or f"class {name}(" in c.source)]
        assert len(cells) == 1, f"{notebook}: expected one code cell defining {name}, found {len(cells)}"
        exec(compile(cells[0], f"{notebook}:{name}", "exec"), ns)
    return ns


def layer_summary(model):
    return [(type(layer).__name__, tuple(layer.output.shape[1:]) if not isinstance(layer.output, list) else None,
             layer.count_params()) for layer in model.layers]


@pytest.mark.parametrize("width", [4, 32])
def test_ch04_networks_match_the_package_builders(width):
    ns = lesson("04_dcgan.ipynb", "build_generator", "build_discriminator")
    assert layer_summary(ns["build_generator"](16, width)) == layer_summary(gan.build_dcgan_generator(16, width))
    assert layer_summary(ns["build_discriminator"](width)) == layer_summary(gan.build_dcgan_discriminator(width))


def test_ch04_networks_compute_what_the_builders_compute():
    ns = lesson("04_dcgan.ipynb", "build_generator", "build_discriminator")
    ours, theirs = ns["build_generator"](8, 4), gan.build_dcgan_generator(8, 4)
    theirs.set_weights(ours.get_weights())
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(ours(z)), ops.convert_to_numpy(theirs(z)), atol=1e-6)
    d_ours, d_theirs = ns["build_discriminator"](4), gan.build_dcgan_discriminator(4)
    d_theirs.set_weights(d_ours.get_weights())
    x = np.random.default_rng(1).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(d_ours(x)), ops.convert_to_numpy(d_theirs(x)), atol=1e-5)


@pytest.mark.parametrize("k,s", [(2, 2), (3, 2), (4, 2), (3, 1)])
def test_ch04_scatter_transposed_convolution_matches_keras(k, s):
    conv_transpose = lesson("04_dcgan.ipynb", "conv_transpose")["conv_transpose"]
    x = np.random.default_rng(k + s).standard_normal((1, 3, 4, 2)).astype("float32")
    layer = layers.Conv2DTranspose(3, k, strides=s, padding="valid", use_bias=False)
    expected = ops.convert_to_numpy(layer(x))[0]
    ours = ops.convert_to_numpy(conv_transpose(x[0], layer.kernel, s))
    assert ours.shape == (s * 2 + k, s * 3 + k, 3) == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)
