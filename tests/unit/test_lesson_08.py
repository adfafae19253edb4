"""Chapter 08's lesson code equals the package's (d2l's ``#@save`` idea).

The ``#@save`` cells of notebooks/08_gpt_poetry.ipynb (the GPT with tied weights and the KV-cache generation loop)
are executed here and compared with ``aigc_course.models.transformer.GPT`` and ``aigc_course.models.sampling`` on
seeded inputs: same weights must give the same logits, and the cached loop must give the logits and greedy tokens
of recomputing the whole prefix."""

from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from helpers import lesson_namespace, raises_message

from aigc_course.models import sampling
from aigc_course.models import transformer as T
from aigc_course.models.losses import next_token_loss

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_gpt_poetry.ipynb"
SAVED = ["GPT", "attend_cached", "CachedStep", "generate_cached"]


@pytest.fixture(scope="module")
def lesson():
    return lesson_namespace(NOTEBOOK, SAVED)


def _np(x):
    return ops.convert_to_numpy(x)


def _pair(lesson, vocab=13, seq_len=10, d_model=16, heads=2, layers=2, seed=0):
    """The package's GPT with random (not small) weights, and the lesson's GPT holding the same weights."""
    pkg = T.build_gpt(vocab, seq_len, d_model=d_model, heads=heads, layers=layers, dropout=0.0)
    rng = np.random.default_rng(seed)
    pkg.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32") for w in pkg.get_weights()])
    mine = lesson["GPT"](vocab, seq_len, d_model=d_model, heads=heads, layers=layers, dropout=0.0)
    mine(np.zeros((1, seq_len), "int32"))
    assert [tuple(w.shape) for w in mine.get_weights()] == [tuple(w.shape) for w in pkg.get_weights()]
    mine.set_weights(pkg.get_weights())
    return pkg, mine


@pytest.mark.backend
def test_lesson_gpt_equals_the_package(lesson):
    pkg, mine = _pair(lesson)
    tokens = np.random.default_rng(1).integers(0, 13, size=(3, 10)).astype("int32")
    ref = _np(pkg(tokens))
    np.testing.assert_allclose(_np(mine(tokens)), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(mine(tokens[:, :4])), _np(pkg(tokens[:, :4])), rtol=1e-5, atol=1e-5)
    # weight tying: no separate output matrix, the logits are h E^T + b
    assert mine.count_params() == pkg.count_params()
    assert not any(tuple(w.shape) == (16, 13) for w in mine.get_weights())
    # the lesson's loss is the package's next-token loss
    y = np.roll(tokens, -1, axis=1)
    got = float(_np(mine.compute_loss(y=y, y_pred=ref)))
    assert got == pytest.approx(float(_np(next_token_loss(y, ref))), rel=1e-5)


@pytest.mark.backend
def test_kv_cache_gives_the_logits_of_recomputing(lesson):
    pkg, mine = _pair(lesson, seed=3)
    step = lesson["CachedStep"](mine)
    tokens = np.random.default_rng(4).integers(0, 13, size=(2, 10)).astype("int32")
    full = _np(pkg(tokens))
    blk = mine.blocks[0].attn
    k_cache = np.zeros((2, 2, blk.heads, 10, blk.key_dim), "float32")
    v_cache = np.zeros_like(k_cache)
    for t in range(10):
        logits, k_cache, v_cache = step.predict_on_batch([tokens[:, t], np.array(t, "int32"), k_cache, v_cache])
        np.testing.assert_allclose(logits, full[:, t], rtol=1e-4, atol=1e-4)
    assert np.all(k_cache != 0)  # every position of every layer was written


@pytest.mark.backend
def test_cached_generation_equals_the_package_greedy_loop(lesson):
    pkg, mine = _pair(lesson, seed=5)
    step = lesson["CachedStep"](mine)
    prompts = np.array([[2, 7], [3, 1]], "int32")
    greedy = lambda z: np.argmax(z, axis=-1)
    got = lesson["generate_cached"](step, prompts, 8, greedy)
    assert got.shape == (2, 10) and np.array_equal(got[:, :2], prompts)
    ref = sampling.generate(pkg, prompts.tolist(), max_new_tokens=8, greedy=True)
    assert got[:, 2:].tolist() == ref
    # stops as soon as every row has produced the end token
    eos = int(got[0, 2])
    short = lesson["generate_cached"](step, prompts[:1], 8, greedy, eos_id=eos)
    assert short.shape == (1, 3)
    with raises_message(ValueError, "prompt (2) + new_tokens (9) exceeds the model's seq_len 10"):
        lesson["generate_cached"](step, prompts, 9, greedy)


@pytest.mark.backend
def test_lesson_gpt_trains_with_fit(lesson):
    keras.utils.set_random_seed(0)
    text = np.array([0, 1, 2, 3, 4, 5, 6, 7] * 40, "int32")
    x = np.stack([text[i:i + 8] for i in range(0, 300, 4)])
    y = np.stack([text[i + 1:i + 9] for i in range(0, 300, 4)])
    model = lesson["GPT"](8, 8, d_model=16, heads=2, layers=1, dropout=0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = float(_np(next_token_loss(y, model(x))))
    model.fit(x, y, epochs=6, batch_size=25, verbose=0)
    assert float(_np(next_token_loss(y, model(x)))) < 0.5 * before
