import math

import pytest

from aigc_course.metrics import text

FIVE = "白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。"
SEVEN = "朝辞白帝彩云间，千里江陵一日还。\n两岸猿声啼不住，轻舟已过万重山。"


def test_perplexity_and_bits_per_character():
    assert text.perplexity(math.log(8)) == pytest.approx(8.0)
    assert text.perplexity([1.0, 3.0]) == pytest.approx(math.exp(2.0))
    assert text.bits_per_character(math.log(8)) == pytest.approx(3.0)
    with pytest.raises(ValueError, match=r"nll must be finite and >= 0 \(nats per token\), got -1.0"):
        text.perplexity(-1.0)
    with pytest.raises(ValueError, match="nll must hold at least one value"):
        text.bits_per_character([])


def test_poem_form():
    assert text.poem_form(FIVE) == 5
    assert text.poem_form(SEVEN) == 7
    assert text.poem_form("白日依山尽，黄河入海流。") is None  # one line only
    assert text.poem_form(FIVE.split("\n")[0] + "\n" + SEVEN.split("\n")[0]) is None  # mixed 5 and 7
    assert text.poem_form("白日依山尽，黄河入海。\n欲穷千里目，更上一层楼。") is None  # a short half-line
    assert text.poem_form("白日依山尽，黄河入海流！\n欲穷千里目，更上一层楼。") is None
    assert text.is_regular_line("欲穷千里目，更上一层楼。", 5) and not text.is_regular_line("欲穷千里目，更上一层楼。", 7)
    with pytest.raises(TypeError, match="a poem must be a str, got int"):
        text.poem_form(3)


def test_form_score():
    assert text.form_score([FIVE, SEVEN, "春眠不觉晓", FIVE + "\n乱码"]) == 0.5
    with pytest.raises(ValueError, match="poems must not be empty"):
        text.form_score([])
    with pytest.raises(TypeError, match="poems must be a list of strings, not one string"):
        text.form_score(FIVE)


def test_novelty():
    assert text.half_lines(FIVE) == ["白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"]
    generated = ["白日依山尽，春风入海流。\n欲穷千里目，更上一层楼。"]
    assert text.novelty(generated, [FIVE, SEVEN]) == 0.25
    assert text.novelty([SEVEN], [FIVE]) == 1.0
    with pytest.raises(ValueError, match="the generated texts hold no half-lines"):
        text.novelty(["，。"], [FIVE])
