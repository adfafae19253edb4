"""Chapter 08's lesson code equals the package's (d2l's ``#@save`` idea).

The ``#@save`` cells of notebooks/08_gpt_poetry.ipynb (the rhyme tagger, the GPT with tied weights, the KV-cache
generation loop written per token and as one compiled loop, the rhyme-constrained picker) are executed here and compared with ``aigc_course.models.transformer.GPT`` and ``aigc_course.models.sampling`` on
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
SAVED = ["GPT", "attend_cached", "CachedStep", "generate_cached", "GreedyLoop", "RhymeTagger"]


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
@pytest.mark.parametrize("cached", [True, False])
def test_compiled_greedy_loop_equals_the_token_by_token_loop(lesson, cached):
    pkg, mine = _pair(lesson, seed=6)
    step = lesson["CachedStep"](mine)
    greedy = lambda z: np.argmax(z, axis=-1)
    prompts = np.array([[2, 7, 4], [3, 1, 9]], "int32")
    ref = lesson["generate_cached"](step, prompts, 7, greedy)
    loop = lesson["GreedyLoop"](mine, 7, cached=cached)
    got = np.asarray(loop.predict_on_batch(prompts))
    assert got.shape == (2, 10) and np.array_equal(got[:, :3], prompts)   # the prompt is kept as it was
    assert np.array_equal(got, ref)
    assert got[:, 3:].tolist() == sampling.generate(pkg, prompts.tolist(), max_new_tokens=7, greedy=True)
    with raises_message(ValueError, "prompt (3) + new_tokens (8) exceeds the model's seq_len 10"):
        lesson["GreedyLoop"](mine, 8, cached=cached).call(ops.convert_to_tensor(prompts))   # call(): unwrapped error


def _tagging(lesson, texts):
    from aigc_course.data import CharTokenizer
    from aigc_course.data.chinese_text import DEFAULT_SPECIALS
    from aigc_course.metrics import text as M

    tagger = lesson["RhymeTagger"](M.rhyme_table())
    return tagger, CharTokenizer(DEFAULT_SPECIALS + tagger.tags).fit(texts)


def test_rhyme_tagger_writes_the_group_before_every_rhyme_word(lesson):
    jingye = "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。"        # 霜 and 乡 share 下平声七陽
    broken = "床前明月光，疑是地上霜。\n举头望明月，低头思故月。"        # 月 is 入声: no shared level group
    tagger, tok = _tagging(lesson, [jingye, broken])
    assert len(tagger.tags) == 30 and "<陽>" in tagger.tags and "<尤>" in tagger.tags
    assert tagger.group(jingye) == "下平声七陽" and tagger.group(broken) is None
    ids = tagger.encode(jingye, tok)
    assert tok.decode(ids, skip_specials=False) == "<bos>床前明月光，疑是地上<陽>霜。\n举头望明月，低头思故<陽>乡。<eos>"
    assert tok.decode(ids) == jingye                     # tags are special tokens: decoding drops them
    assert tok.decode(tagger.encode(broken, tok), skip_specials=False) == f"<bos>{broken}<eos>"   # left untagged
    stream = tagger.stream([jingye, broken], tok)
    assert stream.dtype == np.int32 and stream.tolist() == ids + tagger.encode(broken, tok)


def test_rhyme_tagger_picks_one_group_the_rhyme_words_share(lesson):
    from aigc_course.metrics import text as M

    five = "白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。"           # 流, 楼: 下平声十一尤
    tagger, tok = _tagging(lesson, [five])
    assert tagger.group(five) == "下平声十一尤"
    assert tok.decode(tagger.encode(five, tok), skip_specials=False).count("<尤>") == 2
    # a rhyme word in several level groups: the shared ones are kept and the first by name is the tag
    table = M.rhyme_table()
    multi = [c for c in "看思行重" if sum("平声" in g for g in table.groups(c)) > 1]
    assert multi, "expected a character with two level-tone readings"
    c = multi[0]
    text = f"白日依山尽，黄河入海{c}。欲穷千里目，更上一层{c}。"
    assert tagger.group(text) == min(g for g in table.groups(c) if "平声" in g)
    assert tagger.group("白日依山尽，黄河入海流。") is None        # one rhyme word rhymes with nothing
    # exercise 08 q10's answer is what the tagger writes
    from aigc_course.exercises import ch08
    tagger, tok = _tagging(lesson, [ch08.POEM_TAG])
    ids = tagger.encode(ch08.POEM_TAG, tok)[1:-1]
    assert [tok.vocab[i] for i in ids] == ch08.TOKENS_TAG


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


def _drive(picker, target, vocab, fallback):
    """Feed ``picker`` logits that prefer the next character of ``target`` (10) and then ``fallback`` (5)."""
    index = {s: i for i, s in enumerate(vocab)}
    out = []
    for ch in target:
        z = np.zeros((1, len(vocab)))
        z[0, index[fallback[0]]] = z[0, index[fallback[1]]] = 5.0
        z[0, index[fallback[0]]] += 0.5
        z[0, index[ch]] = 10.0
        out.append(vocab[int(picker(z)[0])])
    return "".join(out)


def test_rhyme_picker_changes_only_the_rhyme_positions(lesson):
    from aigc_course.metrics import text as M

    table = M.rhyme_table()
    vocab = ["<pad>", "<unk>", "<bos>", "<eos>", "，", "。", "\n"] + sorted(set(
        "白日依山尽黄河入海流欲穷千里目更上一层楼东舟秋"))
    greedy = lambda z: np.argmax(z, axis=-1)
    # verse 2 ends in 流 (平, 十一尤) and is kept; verse 4 would end in 东 (一东): the picker takes the best
    # character that shares a group with 流, here 楼 (舟 and 秋 are also allowed but get lower logits)
    picker = lesson["RhymePicker"](greedy, vocab, table, [[2, vocab.index("白")]])
    got = _drive(picker, "日依山尽，黄河入海流。\n欲穷千里目，更上一层东。", vocab, fallback="楼舟")
    assert got == "日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。"
    assert M.rhymes("白" + got, table)
    assert [k for k, _, _ in picker.records] == ["first", "later"]
    first_mass, later_mass = picker.records[0][1], picker.records[1][1]
    assert first_mass > 0.97          # 流 (logit 10) is allowed at the first rhyme
    assert later_mass < 0.05          # 东 (logit 10) is not allowed at the second one
    allowed = {vocab[i] for i in np.flatnonzero(picker.records[1][2])}
    assert {"楼", "舟", "秋"} <= allowed and not allowed & {"东", "目", "流"}   # 流 is used already


def test_rhyme_picker_first_rhyme_is_level_tone(lesson):
    from aigc_course.metrics import text as M

    table = M.rhyme_table()
    vocab = ["<bos>", "，", "。"] + sorted(set("白日依山尽黄河入海目楼"))
    greedy = lambda z: np.argmax(z, axis=-1)
    picker = lesson["RhymePicker"](greedy, vocab, table, [[0]])
    # 目 (入声, 仄) cannot end the first rhyming verse; 楼 (平) replaces it, the rest is untouched
    got = _drive(picker, "白日依山尽，黄河入海目。", vocab, fallback="楼尽")
    assert got == "白日依山尽，黄河入海楼。"
    assert table.tone("目") == "仄" and "平" in table.tone("楼")


def test_rhyme_picker_does_not_repeat_a_rhyme_word(lesson):
    from aigc_course.metrics import text as M

    table = M.rhyme_table()
    vocab = ["<bos>", "，", "。"] + sorted(set("白日依山尽黄河入海流欲穷千里目更上一层楼舟"))
    greedy = lambda z: np.argmax(z, axis=-1)
    picker = lesson["RhymePicker"](greedy, vocab, table, [[0]])
    # verse 4 would end in 流 again (重韵): the next best character of the group, 楼, is taken instead
    got = _drive(picker, "白日依山尽，黄河入海流。欲穷千里目，更上一层流。", vocab, fallback="楼舟")
    assert got == "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    assert vocab.index("流") in picker.used[0] and not picker.records[1][2][vocab.index("流")]
