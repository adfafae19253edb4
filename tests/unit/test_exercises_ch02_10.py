"""Exercise checkers of chapters 02 and 10 (right answers pass, wrong ones fail with their message, blanks
are 'not attempted') and the chapter-02 generator-loss plot."""

import math

import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch02


def _ok(q, *values):
    r = q.evaluate(*values)
    assert r.status == CORRECT, r.message


def _wrong(q, message, *values):
    r = q.evaluate(*values)
    assert r.status == INCORRECT
    assert r.message == message


# ---------------------------------------------------------------- chapter 02

def test_q1_discriminator_loss():
    _ok(ch02.q1, -(math.log(0.9) + math.log(0.9)))
    _wrong(ch02.q1, "0.15 正是源文（000 §4.1.3）写错的数。请用 -[log 0.9 + log(1 - 0.1)] 真正算一遍。", 0.15)
    _wrong(ch02.q1, "你只算了真实样本那一项 -log D(x)；判别器损失还包括生成样本的 -log(1 - D(G(z)))。",
           -math.log(0.9))
    _wrong(ch02.q1, "d_loss_value 应该是一个数，而你给的是 str", "0.21")
    assert ch02.q1.evaluate(____).status == NOT_ATTEMPTED


def test_q2_cross_entropy():
    _ok(ch02.q2, 0.68518)
    _wrong(ch02.q2, "0.45 是源文（000 §4.3.2）写错的数。", 0.45)
    _wrong(ch02.q2, "ce_value = 1.0000 不对；请再对照公式逐项计算（结果保留 4 位小数以上）。", 1.0)
    assert ch02.q2.evaluate(____).status == NOT_ATTEMPTED


def test_q3_find_the_wrong_numbers():
    _ok(ch02.q3, {"B", "C", "D"})
    _ok(ch02.q3, ["b", "c", "d"])
    _wrong(ch02.q3, "A 其实是对的，用代码算一算就知道。", {"A", "B", "C", "D"})
    _wrong(ch02.q3, "还有错的没找出来：再算一算其余几个（少了 2 个）。", {"B"})
    _wrong(ch02.q3, "只有 A–E 五个选项，['F'] 不是选项。", {"F"})
    assert ch02.q3.evaluate(____).status == NOT_ATTEMPTED


def test_q4_kl_function():
    _ok(ch02.q4, lambda mu, var: 0.5 * np.sum(mu ** 2 + var - np.log(var) - 1, axis=-1))
    _wrong(ch02.q4, "每一维的值对了，但还要沿最后一个轴求和（axis=-1），每个样本一个 KL。",
           lambda mu, var: 0.5 * (mu ** 2 + var - np.log(var) - 1))
    _wrong(ch02.q4, "KL 散度不可能为负；你的函数给出了负数（源文 000 §4.2.2 的公式就有这个问题）。",
           lambda mu, var: np.mean(var * np.log(var) + mu * np.log(np.abs(1 - var)), axis=-1) - 10)
    _wrong(ch02.q4, "第二个参数已经是方差 σ²，不要再开方。",
           lambda mu, var: 0.5 * np.sum(mu ** 2 + np.sqrt(var) - np.log(var) - 1, axis=-1))
    _wrong(ch02.q4, "kl_normal 应该是一个函数，而你给的是 float", 1.0)
    assert ch02.q4.evaluate(lambda mu, var: ____).status == NOT_ATTEMPTED


def test_q5_direction():
    _ok(ch02.q5, "up")
    _wrong(ch02.q5, "这正是源文（000 §4.1.2）的错误说法。-log p 随 p 增大而减小，所以最小化它会让 D(G(z)) 变大。",
           "down")
    _wrong(ch02.q5, "请填字符串 'up'（变大）或 'down'（变小），你给的是 'sideways'", "sideways")
    assert ch02.q5.evaluate(____).status == NOT_ATTEMPTED


def test_q6_gradients():
    _ok(ch02.q6, -0.02, -0.98)
    _wrong(ch02.q6, "两个梯度填反了：饱和损失 log(1 − D) 的梯度是 −D。", -0.98, -0.02)
    _wrong(ch02.q6, "这是对 D 的导数；题目要的是对判别器 logit l 的导数（D = sigmoid(l)）。", -1 / 0.98, -50.0)
    _wrong(ch02.q6, "grad_ns = -0.5000 不对；∂/∂l (−log sigmoid(l)) = −(1 − sigmoid(l))。", -0.02, -0.5)
    assert ch02.q6.evaluate(-0.02, ____).status == NOT_ATTEMPTED


def test_q7_attention_example():
    x = np.arange(1.0, 6.0)
    row = np.exp(x) / np.exp(x).sum()
    _ok(ch02.q7, row, row @ x)
    assert abs(row @ x - 4.4519) < 1e-3
    _wrong(ch02.q7, "这是源文（002 §4.3）的 j/5：它们加起来等于 3，不是概率。e^{1·j} 不能和分母里的 e 约掉。",
           x / 5, 7.0)
    _wrong(ch02.q7, "7 是源文写错的 y_1。", row, 7.0)
    _wrong(ch02.q7, "row1 应有 5 个数，你给了 4 个", row[:4], 1.0)
    assert ch02.q7.evaluate(____, ____).status == NOT_ATTEMPTED


def test_q8_scaled_attention():
    def good(q, k, v):
        return ch02.reference_attention(q, k, v)

    def unscaled(q, k, v):
        return ch02.reference_attention(q, k, v, scale=False)

    def by_dk(q, k, v):
        return ch02.reference_attention(np.asarray(q) / q.shape[-1], k, v, scale=False)

    _ok(ch02.q8, good)
    _wrong(ch02.q8, "忘了除以 √d_k：没有缩放时 d_k 越大 softmax 越接近独热。", unscaled)
    _wrong(ch02.q8, "应除以 √d_k（d_k = 16 时除以 4），不是除以 d_k。", by_dk)
    _wrong(ch02.q8, "q (2, 3, 16)、k (2, 5, 16)、v (2, 5, 4) 时输出形状应为 (2, 3, 4)，你的是 (2, 3, 5)",
           lambda q, k, v: np.zeros((2, 3, 5)))
    assert ch02.q8.evaluate(lambda q, k, v: ____).status == NOT_ATTEMPTED


def test_reference_attention_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"q and k must share the last axis d_k, got \(2, 3\) and \(4, 5\)"):
        ch02.reference_attention(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros((4, 1)))


@pytest.mark.backend
def test_generator_loss_curves_match_closed_form():
    from aigc_course.viz import plots

    c = plots.generator_loss_curves(num=21)
    p = c["p"]
    assert p.shape == (21,) and p[0] == pytest.approx(1e-3) and p[-1] == pytest.approx(1 - 1e-3)
    np.testing.assert_allclose(c["saturating"], np.log1p(-p), atol=1e-4)
    np.testing.assert_allclose(c["nonsaturating"], -np.log(p), atol=1e-4)
    np.testing.assert_allclose(c["grad_saturating"], -p, atol=2e-3)
    np.testing.assert_allclose(c["grad_nonsaturating"], -(1 - p), atol=2e-3)
    with pytest.raises(ValueError, match="num must be an int >= 3, got 2"):
        plots.generator_loss_curves(num=2)


def test_plot_generator_losses_and_explorer():
    import matplotlib

    matplotlib.use("Agg")
    from aigc_course.viz import plots, widgets

    c = plots.generator_loss_curves(num=11)
    fig = plots.plot_generator_losses(0.3, curves=c)
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match=r"d_value must be in \(0, 1\), got 1.5"):
        plots.plot_generator_losses(1.5, curves=c)
    with pytest.raises(TypeError, match=r"d_value must be a float in \(0, 1\) or None, got str"):
        plots.plot_generator_losses("0.3", curves=c)
    with pytest.raises(ValueError, match=r"curves is missing \['grad_saturating'\]"):
        plots.plot_generator_losses(0.3, curves={k: v for k, v in c.items() if k != "grad_saturating"})
    with pytest.raises(ValueError, match=r"d_value must be in \(0, 1\), got 0"):
        widgets.generator_loss_explorer(0)
    assert widgets.generator_loss_explorer(0.2) is None  # no IPython kernel here: static figure only
