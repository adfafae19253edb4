import math

import numpy as np
import pytest

from helpers import raises_message

from aigc_course.metrics import text

FIVE = "白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。"
SEVEN = "朝辞白帝彩云间，千里江陵一日还。\n两岸猿声啼不住，轻舟已过万重山。"


def test_perplexity_and_bits_per_character():
    assert text.perplexity(math.log(8)) == pytest.approx(8.0)
    assert text.perplexity([1.0, 3.0]) == pytest.approx(math.exp(2.0))
    assert text.bits_per_character(math.log(8)) == pytest.approx(3.0)
    with raises_message(ValueError, "nll must be finite and >= 0 (nats per token), got -1.0"):
        text.perplexity(-1.0)
    with raises_message(ValueError, "nll must hold at least one value"):
        text.bits_per_character([])


def test_poem_form():
    assert text.poem_form(FIVE) == 5
    assert text.poem_form(SEVEN) == 7
    assert text.poem_form("白日依山尽，黄河入海流。") is None  # one line only
    assert text.poem_form(FIVE.split("\n")[0] + "\n" + SEVEN.split("\n")[0]) is None  # mixed 5 and 7
    assert text.poem_form("白日依山尽，黄河入海。\n欲穷千里目，更上一层楼。") is None  # a short half-line
    assert text.poem_form("白日依山尽，黄河入海流！\n欲穷千里目，更上一层楼。") is None
    assert text.is_regular_line("欲穷千里目，更上一层楼。", 5) and not text.is_regular_line("欲穷千里目，更上一层楼。", 7)
    with raises_message(TypeError, "a poem must be a str, got int"):
        text.poem_form(3)


def test_form_score():
    assert text.form_score([FIVE, SEVEN, "春眠不觉晓", FIVE + "\n乱码"]) == 0.5
    with raises_message(ValueError, "poems must not be empty"):
        text.form_score([])
    with raises_message(TypeError, "poems must be a list of strings, not one string"):
        text.form_score(FIVE)


def test_novelty():
    assert text.half_lines(FIVE) == ["白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"]
    generated = ["白日依山尽，春风入海流。\n欲穷千里目，更上一层楼。"]
    assert text.novelty(generated, [FIVE, SEVEN]) == 0.25
    assert text.novelty([SEVEN], [FIVE]) == 1.0
    with raises_message(ValueError, "the generated texts hold no half-lines (they are empty or only punctuation)"):
        text.novelty(["，。"], [FIVE])


# --- regulated verse: structure, rhyme, tone -------------------------------------------------------------

LUSHI = "国破山河在，城春草木深。\n感时花溅泪，恨别鸟惊心。\n烽火连三月，家书抵万金。\n白头搔更短，浑欲不胜簪。"


def test_verses_and_structure():
    assert text.verses(FIVE) == [("白日依山尽", "，"), ("黄河入海流", "。"), ("欲穷千里目", "，"), ("更上一层楼", "。")]
    assert text.verses("白日依山尽黄河") is None          # a run without a closing mark
    assert text.verses("白日依山尽，abc。") is None        # not only Han characters
    assert text.structure_ok(FIVE) and text.structure_ok(SEVEN) and text.structure_ok(LUSHI)
    assert not text.structure_ok(FIVE.split("\n")[0])                     # 2 verses
    assert not text.structure_ok(FIVE + "\n" + FIVE.split("\n")[0])       # 6 verses
    assert not text.structure_ok("白日依山尽，黄河入海。\n欲穷千里目，更上一层楼。")   # a 4-character verse
    assert not text.structure_ok("白日依山尽。黄河入海流。\n欲穷千里目，更上一层楼。")  # odd verse closed by 。
    assert not text.structure_ok("白日依山，黄河入海。\n欲穷千里，更上一层。")          # 4-character verses
    assert text.structure_score([FIVE, SEVEN, "春眠不觉晓", LUSHI]) == 0.75
    with raises_message(ValueError, "poems must not be empty; pass at least one poem"):
        text.structure_score([])
    with raises_message(TypeError, "poems must be a list of strings, not one string; wrap a single poem in a list"):
        text.structure_score(FIVE)
    with raises_message(TypeError, "poems must hold strings (or Poem objects), got an item of type int"):
        text.structure_score([FIVE, 3])


def test_rhyme_table_maps_simplified_characters_to_pingshui_groups():
    table = text.rhyme_table()
    assert len(table) > 9000
    assert table.groups("东") == table.groups("東") == frozenset({"上平声一東"})
    assert "下平声一先" in table.groups("先")              # a group's name character is in the group
    assert table.tone("东") == "平" and table.tone("月") == "仄" and table.tone("看") == "平仄"
    assert table.tone("a") is None and table.groups("a") == frozenset()
    names = table.group_names                 # the 106 groups of 平水韵, 30 of them level-tone (平声)
    assert len(names) == 106 and names == tuple(sorted(names))
    assert sum("平声" in g for g in names) == 30 and {"上平声一東", "下平声十一尤", "入声六月"} <= set(names)


def test_rhyme_on_real_and_broken_poems():
    assert text.rhyme_words(FIVE) == ["流", "楼"]
    assert text.rhymes(FIVE) and text.rhymes(SEVEN) and text.rhymes(LUSHI)   # 尤, 删, 侵
    assert not text.rhymes("白日依山尽，黄河入海流。\n欲穷千里目，更上一层山。")   # 流 (尤) vs 山 (删)
    assert not text.rhymes("白日依山尽，黄河入海流。")                  # one rhyme word rhymes with nothing
    assert text.rhyme_rate([FIVE, SEVEN, "白日依山尽，黄河入海流。\n欲穷千里目，更上一层山。", "春眠"]) == 0.5
    assert text.rhyme_coverage([FIVE, "白日依山尽，黄河入海a。"]) == 1.0
    with raises_message(ValueError, "the poems hold no verses to look up (each needs at least 2 verses closed by "
                                    "，。！？；)"):
        text.rhyme_coverage(["春眠不觉晓"])


def test_tone_pattern_and_agreement():
    pattern = text.tone_pattern(4, 5, "仄")
    assert pattern[0] == [None, "仄", None, "平", None]
    assert pattern[1] == [None, "平", None, "仄", "平"]     # 对: opposite of verse 1; rhyme position 平
    assert pattern[2] == [None, "平", None, "仄", "仄"]     # 粘: same as verse 2; odd verse ends 仄
    assert text.tone_pattern(4, 7, "平")[0] == [None, "平", None, "仄", None, "平", None]
    assert text.tone_agreement(LUSHI) == 1.0                  # 杜甫《春望》 keeps the pattern
    assert text.tone_agreement(FIVE) >= 0.8
    assert text.tone_agreement("春眠不觉晓") is None
    # every regulated character swapped for one of the opposite tone: agreement drops
    broken = "国破山河在，城春草木深。\n感时花溅泪，恨别鸟惊心。\n烽火连三月，家书抵万金。\n白头搔更短，浑欲不胜月。"
    assert text.tone_agreement(broken) < 1.0
    assert text.mean_tone_agreement([LUSHI, "春眠"]) == 1.0 and text.mean_tone_agreement(["春眠"]) is None
    with raises_message(ValueError, "expected 4 or 8 verses of 5 or 7 characters and first '平' or '仄', "
                                    "got 6, 5 and '平'"):
        text.tone_pattern(6, 5, "平")


def test_repetition_distinct_and_shuffle():
    assert text.repetition_rate("白日白日") == 0.5 and text.repetition_rate(FIVE) == 0.0
    assert text.repetition_rate("，。") == 0.0
    assert text.distinct_n(["白日依山尽，白日依山尽。"], 2) == 0.5
    assert text.distinct_n([FIVE], 1) == 1.0
    with raises_message(ValueError, "the poems hold no 3-gram of Han characters; generate longer texts or use a "
                                    "smaller n"):
        text.distinct_n(["白日，依山。"], 3)
    with raises_message(ValueError, "n must be a positive int, got 0"):
        text.distinct_n([FIVE], 0)
    shuffled = text.shuffle_characters(LUSHI, seed=1)
    assert sorted(shuffled) == sorted(LUSHI) and shuffled != LUSHI
    assert shuffled == text.shuffle_characters(LUSHI, seed=1)
    assert not text.structure_ok(shuffled)


def test_metrics_separate_real_poems_from_shuffled_text():
    """The validation the lesson does, on the 唐诗三百首 poems with 20/28/40/56 characters."""
    from aigc_course.data import load_tang_poems
    from aigc_course.data.tang_full import normalise

    real = [p.text for p in load_tang_poems() if len(normalise(p.text)) in (20, 28, 40, 56)]
    assert len(real) > 200
    shuffled = [text.shuffle_characters(t, seed=i) for i, t in enumerate(real)]
    assert text.structure_score(real) >= 0.95 and text.rhyme_rate(real) >= 0.8
    assert text.structure_score(shuffled) <= 0.1 and text.rhyme_rate(shuffled) <= 0.1
    assert text.rhyme_coverage(real) >= 0.95
    rng = np.random.default_rng(0)
    pool = [c for t in real for c in normalise(t)]
    random_like = ["".join(pool[rng.integers(len(pool))] if normalise(c) else c for c in t) for t in real[:60]]
    assert text.mean_tone_agreement(real) > text.mean_tone_agreement(random_like) + 0.15
