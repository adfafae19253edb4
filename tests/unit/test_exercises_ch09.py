"""Exercise 09's mu-law questions (q6 encode, q7 decode): every correct form passes, the usual slips are named."""

import math

import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch09


def assert_wrong(q, value, fragment):
    result = q.evaluate(value)
    assert result.status == INCORRECT, result
    assert fragment in result.message, result.message


def _round_form(x):
    f = np.sign(x) * np.log1p(255 * np.abs(x)) / np.log1p(255)
    return np.round((f + 1) / 2 * 255).astype(int)


def _log10_floats_form(x):            # any log base, floor(+0.5), float output: the same levels
    f = np.sign(x) * np.log10(1 + 255 * np.abs(x)) / np.log10(256)
    return np.floor((f + 1) * 127.5 + 0.5)


def _loop_form(x):                    # plain Python, one sample at a time, returns a list
    out = []
    for v in x:
        f = math.copysign(math.log(1 + 255 * abs(v)) / math.log(256), v)
        out.append(int(round((f + 1) / 2 * 255)))
    return out


@pytest.mark.parametrize("fn", [_round_form, _log10_floats_form, _loop_form])
def test_q6_accepts_every_correct_form(fn):
    assert ch09.q6.evaluate(fn).status == CORRECT


def test_q6_names_the_usual_mistakes():
    f = lambda x: np.sign(x) * np.log1p(255 * np.abs(x)) / np.log1p(255)  # noqa: E731
    assert_wrong(ch09.q6, f, "还要量化")
    assert_wrong(ch09.q6, lambda x: np.floor((f(x) + 1) / 2 * 255), "向下取整")
    assert_wrong(ch09.q6, lambda x: _round_form(x) - 128, "平移")
    assert_wrong(ch09.q6, lambda x: _round_form(np.abs(x)), "符号丢了")
    assert_wrong(ch09.q6, lambda x: np.floor((x + 1) / 2 * 255 + 0.5), "线性量化")
    assert_wrong(ch09.q6, lambda x: _round_form(x)[:-1], "形状")
    assert_wrong(ch09.q6, 3, "应该是一个函数")
    assert ch09.q6.evaluate(____).status == NOT_ATTEMPTED
    assert ch09.q6.evaluate(lambda x: ____).status == NOT_ATTEMPTED
    # the reference agrees with the package's encoder
    from aigc_course.data import audio

    x = np.linspace(-1, 1, 999)
    np.testing.assert_array_equal(ch09.reference_mu_law_encode(x), audio.mu_law_encode(x))


def _decode(q):
    y = 2 * np.asarray(q) / 255 - 1
    return np.sign(y) * ((1 + 255) ** np.abs(y) - 1) / 255


def test_q7_accepts_correct_forms_and_names_mistakes():
    assert ch09.q7.evaluate(_decode).status == CORRECT
    assert ch09.q7.evaluate(lambda q: np.sign(2 * q / 255 - 1) * np.expm1(np.abs(2 * q / 255 - 1) * np.log(256)) / 255
                            ).status == CORRECT
    assert_wrong(ch09.q7, lambda q: 2 * q / 255 - 1, "反函数")
    assert_wrong(ch09.q7, lambda q: np.abs(_decode(q)), "符号丢了")
    assert_wrong(ch09.q7, lambda q: ((1 + 255) ** (2 * q / 255 - 1) - 1) / 255, "|y|")
    assert ch09.q7.evaluate(____).status == NOT_ATTEMPTED
    from aigc_course.data import audio

    np.testing.assert_allclose(ch09.reference_mu_law_decode(np.arange(256)), audio.mu_law_decode(np.arange(256)),
                               rtol=1e-6)
    # decoding then encoding gives the levels back: the two answers fit together
    np.testing.assert_array_equal(_round_form(_decode(np.arange(256))), np.arange(256))
