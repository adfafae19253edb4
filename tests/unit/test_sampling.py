import time

import keras
import numpy as np
import pytest

from aigc_course.models.transformer import build_gpt
from aigc_course.models import sampling as S

LOGITS = np.log(np.array([[0.05, 0.4, 0.3, 0.15, 0.1]]))


def test_greedy_picks_the_argmax():
    assert S.sample_from_logits(LOGITS, greedy=True).tolist() == [1]
    assert S.sample_from_logits(LOGITS, temperature=0).tolist() == [1]
    assert int(S.sample_from_logits(np.array([0.0, 3.0, 1.0]), greedy=True)) == 1


def test_temperature_scales_logits_and_validates():
    np.testing.assert_allclose(S.apply_temperature([2.0, 4.0], 2.0), [1.0, 2.0])
    with pytest.raises(ValueError, match="temperature must be a number > 0, got -1"):
        S.apply_temperature([1.0], -1)
    sharp = S.softmax(S.apply_temperature(LOGITS, 0.5))[0]
    assert sharp[1] > 0.4  # lower temperature concentrates mass on the most likely token


def test_top_k_keeps_exactly_k_and_never_samples_outside():
    filt = S.top_k_filter(LOGITS, 2)
    assert np.isfinite(filt).sum() == 2 and set(np.flatnonzero(np.isfinite(filt[0]))) == {1, 2}
    rows = np.repeat(LOGITS, 2000, axis=0)
    ids = S.sample_from_logits(rows, top_k=2, seed=0)
    assert set(ids.tolist()) == {1, 2}
    share = np.mean(ids == 1)
    assert share == pytest.approx(0.4 / 0.7, abs=0.03)
    with pytest.raises(ValueError, match="top_k must be an int between 1 and the vocabulary size 5, got 6"):
        S.top_k_filter(LOGITS, 6)


def test_top_p_keeps_the_smallest_set_with_enough_mass():
    # sorted: 0.4, 0.3, 0.15, 0.1, 0.05 -> cumulative 0.4, 0.7, 0.85, 0.95, 1.0
    kept = lambda p: set(np.flatnonzero(np.isfinite(S.top_p_filter(LOGITS, p)[0])))
    assert kept(0.4) == {1}
    assert kept(0.5) == {1, 2}
    assert kept(0.7) == {1, 2}
    assert kept(0.8) == {1, 2, 3}
    assert kept(1.0) == {0, 1, 2, 3, 4}
    ids = S.sample_from_logits(np.repeat(LOGITS, 1000, axis=0), top_p=0.8, seed=1)
    assert set(ids.tolist()) == {1, 2, 3}
    with pytest.raises(ValueError, match=r"top_p must be a number in \(0, 1\], got 0"):
        S.top_p_filter(LOGITS, 0)


def test_seeded_sampling_is_reproducible():
    rows = np.repeat(LOGITS, 50, axis=0)
    a = S.sample_from_logits(rows, seed=3)
    b = S.sample_from_logits(rows, seed=3)
    c = S.sample_from_logits(rows, seed=4)
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()


def test_logit_shape_errors():
    with pytest.raises(ValueError, match=r"logits must have shape \(vocab,\) or \(batch, vocab\), got \(1, 2, 3\)"):
        S.sample_from_logits(np.zeros((1, 2, 3)))


@pytest.mark.backend
def test_generate_is_seeded_fast_and_stops_at_eos():
    keras.utils.set_random_seed(0)
    model = build_gpt(vocab_size=12, seq_len=8, d_model=16, heads=2, layers=1, dropout=0.0)
    nxt = S.NextTokenModel(model)
    a = S.generate(model, [[1], [2, 3]], max_new_tokens=12, seed=5, next_token=nxt)
    b = S.generate(model, [[1], [2, 3]], max_new_tokens=12, seed=5, next_token=nxt)
    assert a == b and [len(r) for r in a] == [12, 12]  # longer than the window: it slides
    assert all(0 <= t < 12 for r in a for t in r)
    greedy = S.generate(model, [[1]], max_new_tokens=3, greedy=True, next_token=nxt)[0]
    logits = np.asarray(keras.ops.convert_to_numpy(model(np.array([[1, 0, 0, 0, 0, 0, 0, 0]], "int32"))))
    assert greedy[0] == int(np.argmax(logits[0, 0]))
    eos = greedy[1]
    stopped = S.generate(model, [[1]], max_new_tokens=10, greedy=True, eos_id=eos, next_token=nxt)[0]
    assert stopped == greedy[:2]
    start = time.perf_counter()
    S.generate(model, [[1]], max_new_tokens=32, seed=0, next_token=nxt)
    # One compiled forward per token: about 5 ms each on an idle CPU. The bound is loose because CI machines
    # are shared; a recompilation per token (hundreds of ms each) would still blow through it.
    assert time.perf_counter() - start < 10.0


def test_generate_argument_errors():
    model = build_gpt(vocab_size=5, seq_len=4, d_model=8, heads=2, layers=1)
    with pytest.raises(TypeError, match="prompts must be a list of token-id lists"):
        S.generate(model, [1, 2])
    with pytest.raises(ValueError, match=r"every prompt needs at least one token \(e.g. the <bos> id\)"):
        S.generate(model, [[]])
    with pytest.raises(ValueError, match="max_new_tokens must be a positive int, got 0"):
        S.generate(model, [[1]], max_new_tokens=0)
