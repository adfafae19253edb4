"""Exercise 12's checkers: right answers pass, known mistakes get their explanation, blanks are not attempted."""

import math

import numpy as np

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch12
from aigc_course.safety import watermark as wm


def _wrong(q, *values):
    r = q.evaluate(*values)
    assert r.status == INCORRECT, r
    return r.message


def test_q1_invented_citation():
    assert ch12.q1.evaluate("B").status == CORRECT
    assert "Radford、Metz 和 Chintala" in _wrong(ch12.q1, "C")
    assert _wrong(ch12.q1, "E") == "invented 应该是选项字母之一：A, B, C, D，你给的是 'E'"
    assert ch12.q1.evaluate(____).status == NOT_ATTEMPTED


def test_q2_auc_function():
    def right(p, n):
        p, n = np.asarray(p, float)[:, None], np.asarray(n, float)[None, :]
        return float(np.mean((p > n) + 0.5 * (p == n)))

    assert ch12.q2.evaluate(right).status == CORRECT
    assert "弄反了" in _wrong(ch12.q2, lambda p, n: right(n, p))
    assert "半个" in _wrong(ch12.q2, lambda p, n: float(np.mean(np.asarray(p)[:, None] > np.asarray(n)[None, :])))
    assert "准确率" in _wrong(ch12.q2, lambda p, n: (np.sum(np.asarray(p) > 0.5) + np.sum(np.asarray(n) < 0.5)) / 9)
    # right on the exercise's data but wrong elsewhere (hard-coded answer)
    assert "另一组" in _wrong(ch12.q2, lambda p, n: 0.775)
    assert _wrong(ch12.q2, 3) == "auc 应该是一个函数 auc(positive, negative)，而你给的是 int。"
    assert ch12.q2.evaluate(lambda p, n: ____).status == NOT_ATTEMPTED
    assert ch12.q2.evaluate(____).status == NOT_ATTEMPTED


def test_q3_step_for_psnr_agrees_with_the_package():
    step = math.sqrt(12 * 784 / 32 * 10 ** (-38 / 10))
    assert ch12.q3.evaluate(step).status == CORRECT
    assert math.isclose(step, wm.strength_for_psnr(38.0, 32))
    assert "少了 12" in _wrong(ch12.q3, math.sqrt(784 / 32 * 10 ** (-3.8)))
    assert "不是 16" in _wrong(ch12.q3, math.sqrt(12 * 784 / 16 * 10 ** (-3.8)))
    assert "功率之比" in _wrong(ch12.q3, math.sqrt(12 * 784 / 32 * 10 ** (-1.9)))
    assert ch12.q3.evaluate(____).status == NOT_ATTEMPTED


def test_q4_membership_statement():
    assert ch12.q4.evaluate("A").status == CORRECT
    assert "不是准确率" in _wrong(ch12.q4, "C")
    assert "最近邻" in _wrong(ch12.q4, "D")
    assert ch12.q4.evaluate(____).status == NOT_ATTEMPTED
