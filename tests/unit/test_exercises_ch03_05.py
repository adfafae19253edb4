import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch03, ch04, ch05


def _status(q, *values):
    return q.evaluate(*values)


def _wrong(q, *values):
    r = q.evaluate(*values)
    assert r.status == INCORRECT, r
    return r.message


def test_ch03_q1_generator_loss():
    assert _status(ch03.q1, -np.mean(np.log([0.2, 0.5]))).status == CORRECT
    assert "饱和损失" in _wrong(ch03.q1, np.mean(np.log([0.8, 0.5])))
    assert "符号反了" in _wrong(ch03.q1, np.mean(np.log([0.2, 0.5])))
    assert _wrong(ch03.q1, "1.15") == "g_loss_value 应该是一个数，而你给的是 str '1.15'"
    assert _status(ch03.q1, ____).status == NOT_ATTEMPTED


def test_ch03_q2_gradient_ratio():
    assert _status(ch03.q2, 19.0).status == CORRECT
    assert "倒过来" in _wrong(ch03.q2, 0.05 / 0.95)
    assert _wrong(ch03.q2, 3.0) == "ratio = 3.0000 不对；请对照公式再算一遍。"
    assert _status(ch03.q2, ____).status == NOT_ATTEMPTED


def test_ch03_find_the_bug_questions():
    assert _status(ch03.q3, "B").status == CORRECT
    assert _status(ch03.q3, " b ").status == CORRECT
    assert "判别器那一步是对的" in _wrong(ch03.q3, "A")
    assert _wrong(ch03.q3, "E") == "bug 应该是选项字母之一：A, B, C, D，你给的是 'E'"
    assert _status(ch03.q3, ____).status == NOT_ATTEMPTED
    assert _status(ch03.q4, {"G", "D"}).status == CORRECT
    assert "没有被冻结" in _wrong(ch03.q4, {"G"})
    assert _wrong(ch03.q4, "GD") == "changed 应该是一个集合，例如 {\"G\"}。"
    assert _status(ch03.q4, ____).status == NOT_ATTEMPTED


def test_ch03_q5_modes():
    assert _status(ch03.q5, 3).status == CORRECT
    assert "计数大于 0" in _wrong(ch03.q5, 8)
    assert _status(ch03.q5, ____).status == NOT_ATTEMPTED


def test_ch04_questions():
    assert _status(ch04.q1, 14, 16).status == CORRECT
    assert _wrong(ch04.q1, 14, 15).startswith("valid_size = 15 不对")
    assert _wrong(ch04.q1, 16, 16).startswith("same_size = 16 不对")
    assert _status(ch04.q1, ____, 16).status == NOT_ATTEMPTED
    fake = ch04.FAKE
    assert _status(ch04.q2, (fake + 1) / 2).status == CORRECT
    assert "负值变成黑色" in _wrong(ch04.q2, np.clip(fake, 0, 1))
    assert _wrong(ch04.q2, np.zeros(3)) == "shown 的形状应是 (2, 2)，你的是 (3,)"
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    logits = ch04.LOGITS
    assert _status(ch04.q3, sig(logits)).status == CORRECT
    assert "000 §5.4" in _wrong(ch04.q3, 1 - sig(sig(logits)))
    assert "用了两次" in _wrong(ch04.q3, sig(sig(logits)))
    assert _status(ch04.q3, ____).status == NOT_ATTEMPTED
    assert _status(ch04.q4, "B").status == CORRECT
    assert "负像素" in _wrong(ch04.q4, "A")
    assert _status(ch04.q5, lambda z0, z1, t: (1 - t) * z0 + t * z1).status == CORRECT
    assert "两端反了" in _wrong(ch04.q5, lambda z0, z1, t: t * z0 + (1 - t) * z1)
    assert _wrong(ch04.q5, 3) == "interpolate 应该是一个函数，你给的是 int"
    assert _status(ch04.q5, ____).status == NOT_ATTEMPTED


def test_ch05_questions():
    norms = np.array([0.5, 1.0, 2.0])
    assert _status(ch05.q1, np.mean((norms - 1) ** 2)).status == CORRECT
    assert "先减 1 再平方" in _wrong(ch05.q1, np.mean(norms ** 2 - 1))
    assert "不是求和" in _wrong(ch05.q1, np.sum((norms - 1) ** 2))
    assert _status(ch05.q2, -2.0).status == CORRECT
    assert "符号反了" in _wrong(ch05.q2, 2.0)
    assert _status(ch05.q2, ____).status == NOT_ATTEMPTED
    assert _status(ch05.q3, np.repeat(np.arange(10), 8)).status == CORRECT
    assert "同一行" in _wrong(ch05.q3, np.tile(np.arange(10), 8))
    assert _status(ch05.q4, "C").status == CORRECT
    assert "同样的 32 张图" in _wrong(ch05.q4, "A")
    assert "判别器完胜" in _wrong(ch05.q4, "D")
    eps, real, fake = ch05.EPS, ch05.REAL, ch05.FAKE
    assert _status(ch05.q5, eps * real + (1 - eps) * fake).status == CORRECT
    assert "0.5" in _wrong(ch05.q5, 0.5 * real + 0.5 * fake)
    assert _status(ch05.q5, ____).status == NOT_ATTEMPTED


@pytest.mark.parametrize("module", [ch03, ch04, ch05])
def test_every_question_has_hints_and_a_solution(module):
    for name in module.__all__:
        q = getattr(module, name)
        if hasattr(q, "checker"):
            assert q.hints and q.solution_text, name
