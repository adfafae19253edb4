"""Chapter 07's lesson code equals the package's (d2l's ``#@save`` idea).

The code cells of notebooks/07_attention.ipynb whose first line is ``#@save`` are executed here, in a namespace
holding only what they may use (math, numpy, keras, keras.ops), and their results are compared with
``aigc_course.models.transformer`` on seeded inputs. A change to either side that alters the numbers fails.
"""

from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from helpers import lesson_namespace

from aigc_course.models import transformer as T

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "07_attention.ipynb"
SAVED = ["scaled_dot_product_attention", "causal_mask", "padding_mask", "MultiHeadAttention",
         "sinusoidal_positions", "TransformerBlock"]


@pytest.fixture(scope="module")
def lesson():
    return lesson_namespace(NOTEBOOK, SAVED)


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.backend
def test_attention_and_masks_equal_the_package(lesson):
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 7, 4))   # (batch, heads, n, d_k)
    v = rng.normal(size=(2, 3, 7, 6))
    q, k, v = (a.astype("float32") for a in (q, k, v))
    mask = rng.random((2, 1, 5, 7)) < 0.7
    mask[..., 0] = True                       # every query sees at least one key
    for m in (None, mask):
        out, w = lesson["scaled_dot_product_attention"](q, k, v, m)
        ref_out, ref_w = T.scaled_dot_product_attention(q, k, v, m)
        np.testing.assert_allclose(_np(out), _np(ref_out), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(_np(w), _np(ref_w), rtol=1e-6, atol=1e-7)
    assert np.all(_np(w)[~np.broadcast_to(mask, _np(w).shape)] == 0.0)
    for n in (1, 4, 9):
        assert np.array_equal(_np(lesson["causal_mask"](n)), _np(T.causal_mask(n)))
    tokens = np.array([[3, 1, 0, 0], [2, 2, 2, 0]], "int32")
    got = _np(lesson["padding_mask"](tokens))
    assert np.array_equal(got, _np(T.padding_mask(tokens)))
    assert got.shape == (2, 1, 4) and got[0, 0].tolist() == [True, True, False, False]
    np.testing.assert_array_equal(lesson["sinusoidal_positions"](10, 6), T.sinusoidal_positions(10, 6))


@pytest.mark.backend
def test_multi_head_attention_equals_the_package_and_keras(lesson):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    pkg = T.MultiHeadSelfAttention(heads=2, key_dim=4)
    pkg(x)
    pkg.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in pkg.get_weights()])
    mine = lesson["MultiHeadAttention"](heads=2, key_dim=4)
    mine(x)
    assert [tuple(w.shape) for w in mine.get_weights()] == [tuple(w.shape) for w in pkg.get_weights()]
    mine.set_weights(pkg.get_weights())
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    ref(x, x)
    ref.set_weights(pkg.get_weights())
    mask = np.broadcast_to(_np(T.causal_mask(5)), (2, 5, 5))
    for m in (None, mask):
        out, w = mine(x, attention_mask=m)
        ref_out, ref_w = pkg(x, attention_mask=m, return_attention=True)
        np.testing.assert_allclose(_np(out), _np(ref_out), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(_np(w), _np(ref_w), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_np(out), _np(ref(x, x, attention_mask=m)), rtol=1e-4, atol=1e-5)


@pytest.mark.backend
@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("causal", [True, False])
def test_transformer_block_equals_the_package(lesson, norm_first, causal):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 6, 8)).astype("float32")
    tokens = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 3, 0, 0, 0]], "int32")
    pkg = T.TransformerBlock(8, 2, ff_dim=16, causal=causal, norm_first=norm_first)
    pkg(x)
    pkg.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in pkg.get_weights()])
    mine = lesson["TransformerBlock"](8, 2, 16, causal=causal, norm_first=norm_first)
    mine(x)
    for name in ["attn", "ln1", "ln2", "ff1", "ff2"]:
        getattr(mine, name).set_weights(getattr(pkg, name).get_weights())
    for mask in (None, T.padding_mask(tokens)):
        out, w = mine(x, attention_mask=mask)
        ref_out, ref_w = pkg(x, attention_mask=mask, return_attention=True)
        np.testing.assert_allclose(_np(out), _np(ref_out), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(_np(w), _np(ref_w), rtol=1e-5, atol=1e-6)
    if causal:
        assert np.all(_np(w)[..., np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0.0)
