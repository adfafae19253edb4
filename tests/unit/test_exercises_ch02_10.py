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
    _wrong(ch02.q1, "d_loss_value 应该是一个数，而你给的是 str '0.21'", "0.21")
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
    _wrong(ch02.q4, "kl_normal 应该是一个函数，而你给的是 float。", 1.0)
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


# ---------------------------------------------------------------- chapter 10
from aigc_course.exercises import ch10  # noqa: E402
from aigc_course.metrics import fid  # noqa: E402


def _trace_sqrt(s1, s2):
    from scipy import linalg

    return float(np.trace(linalg.sqrtm(s1 @ s2)).real)


def test_ch10_q1_trace_sqrt_product():
    _ok(ch10.q1, _trace_sqrt)
    _wrong(ch10.q1, "你算的是 Tr(Σ1Σ2)，还没有开矩阵平方根。", lambda a, b: float(np.trace(a @ b)))
    _wrong(ch10.q1, "你算的是 √Tr(Σ1Σ2)：要先对矩阵 Σ1Σ2 开平方根，再求迹。",
           lambda a, b: float(np.sqrt(np.trace(a @ b))))
    with np.errstate(invalid="ignore"):
        _wrong(ch10.q1, "结果不是有限数（NaN）：你可能用 np.sqrt 对矩阵逐元素开方了；矩阵平方根要用 scipy.linalg.sqrtm。",
               lambda a, b: float(np.trace(np.sqrt(a @ b - 10.0))))
    _wrong(ch10.q1, "trace_sqrt_product 返回了复数 1+2j；请取实部（.real）", lambda a, b: 1 + 2j)
    assert ch10.q1.evaluate(lambda a, b: ____).status == NOT_ATTEMPTED


def test_ch10_q2_frechet_distance():
    from aigc_course.metrics import fid

    _ok(ch10.q2, lambda m1, s1, m2, s2: fid.frechet_distance(m1, s1, m2, s2))
    _wrong(ch10.q2, "只算了均值项；还要加上协方差项 Tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2})。",
           lambda m1, s1, m2, s2: float(np.sum((m1 - m2) ** 2)))
    _wrong(ch10.q2, "协方差项里矩阵平方根前面的系数是 2。",
           lambda m1, s1, m2, s2: float(np.sum((m1 - m2) ** 2) + np.trace(s1) + np.trace(s2) - _trace_sqrt(s1, s2)))
    assert ch10.q2.evaluate(lambda *a: ____).status == NOT_ATTEMPTED


def test_ch10_q3_one_dimensional_fid():
    _ok(ch10.q3, 1.25)
    _wrong(ch10.q3, "这里的 2² 是方差；一维时协方差项化为 (σ1 − σ2)²，用的是标准差 σ1 = 1、σ2 = 2。", 9.25)
    _wrong(ch10.q3, "只算了均值项；标准差不同也会贡献 (σ1 − σ2)²。", 0.25)
    _wrong(ch10.q3, "fid_1d 应该是一个数，而你给的是 str", "1.25")
    assert ch10.q3.evaluate(____).status == NOT_ATTEMPTED


def test_ch10_q4_similarity_score_erratum():
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    _ok(ch10.q4, sig(ch10.Q4_LOGITS))
    _wrong(ch10.q4, "这就是源文（000 §5.4.2）的“相似度分数”：sigmoid 用了两次，而且 1 − … 把含义颠倒了。",
           1 - sig(sig(ch10.Q4_LOGITS)))
    _wrong(ch10.q4, "sigmoid 用了两次：判别器给的是 logit，只需要一次 sigmoid。", sig(sig(ch10.Q4_LOGITS)))
    _wrong(ch10.q4, "1 − sigmoid(logit) 是判别器认为图像是“假”的概率，题目问的是“真”的概率。", 1 - sig(ch10.Q4_LOGITS))
    _wrong(ch10.q4, "p_real 应有 5 个数（每个 logit 一个），你给了 2 个", [0.5, 0.5])
    assert ch10.q4.evaluate(____).status == NOT_ATTEMPTED


def test_ch10_q5_q6_reading_metrics():
    _ok(ch10.q5, "A", "b")
    _wrong(ch10.q5, "模式坍塌的模型只生成少数几种样子：它生成的都“像”（精确率高），却覆盖不了真实数据（召回率低）。", "B", "A")
    _wrong(ch10.q5, "两个答案不能是同一个模型。", "A", "A")
    _wrong(ch10.q5, "blurry 请填 'A' 或 'B'，你给的是 'C'", "A", "C")
    assert ch10.q5.evaluate("A", ____).status == NOT_ATTEMPTED
    _ok(ch10.q6, "kid")
    _wrong(ch10.q6, "FID 有偏：两组同分布的样本越少，FID 越大（第 10 章第 6 节的图）。", "FID")
    assert ch10.q6.evaluate(____).status == NOT_ATTEMPTED


def test_ch10_q7_nearest_training_image():
    samples, train = ch10.memo_data()
    assert samples.shape == (6, 28, 28) and train.shape == (200, 28, 28)
    d = np.sqrt(((samples.reshape(6, 1, -1) - train.reshape(1, 200, -1)) ** 2).sum(-1))
    nearest = d.argmin(axis=1)
    assert list(nearest[[1, 3, 4]]) == [17, 42, 123]           # the planted copies are found
    assert d.min(axis=1)[[1, 3, 4]].max() < d.min(axis=1)[[0, 2, 5]].min()
    _ok(ch10.q7, nearest)
    _wrong(ch10.q7, "你找的是最远的训练图（argmax）；要 argmin。", d.argmax(axis=1))
    _wrong(ch10.q7, "nearest 应是下标（整数），不是距离；用 argmin 而不是 min。", d.min(axis=1))
    _wrong(ch10.q7, "nearest 应有形状 (6,)（每个样本一个训练图下标），你的是 (5,)", nearest[:5])
    assert ch10.q7.evaluate(____).status == NOT_ATTEMPTED


def test_random_spd_is_a_covariance_and_checks_its_input():
    s = ch10.random_spd(4, 0)
    assert np.allclose(s, s.T) and np.linalg.eigvalsh(s).min() > 0
    with pytest.raises(ValueError, match="d must be a positive int, got 0"):
        ch10.random_spd(0, 0)


def test_ch10_q8_q9_fid_bias():
    a, b = ch10.bias_features()
    small, large = fid.fid(a[:50], b[:50]), fid.fid(a, b)
    assert small > 10 * large > 0
    _ok(ch10.q8, small, large)
    _wrong(ch10.q8, "两个数填反了：fid_small 是用前 50 行算的，fid_large 用全部 2000 行。", large, small)
    _wrong(ch10.q8, f"fid_large = {small:.4f} 不对；用 a 和 b 的全部 2000 行算 FID。", small, small)
    assert ch10.q8.evaluate(____, large).status == NOT_ATTEMPTED
    expected = 2 * ch10.BIAS_TRACE / ch10.BIAS_N
    _ok(ch10.q9, expected)
    rng = np.random.default_rng(0)
    draw = lambda: (rng.normal(size=(50, 8)) * ch10.BIAS_SCALES).mean(0)   # noqa: E731
    mc = np.mean([np.sum((draw() - draw()) ** 2) for _ in range(4000)])
    _ok(ch10.q9, mc)                                     # a Monte-Carlo estimate is a correct form too
    _wrong(ch10.q9, "两组样本的均值都有误差：差 μ̂a − μ̂b 的方差是两者之和，Tr(Σ)/n 要乘 2。", expected / 2)
    _wrong(ch10.q9, "真值 ‖μa − μb‖² 是 0，但题目问的是估计值 ‖μ̂a − μ̂b‖² 的期望：它大于 0，这就是偏差。", 0.0)
    assert ch10.q9.evaluate(____).status == NOT_ATTEMPTED


def _design(**variant):
    base = {"learning_rate": 1e-3, "steps": 1500, "images": 3000, "batch_size": 64}
    return {"baseline": dict(base), "variant": {**base, "learning_rate": 3e-3, **variant}, "seeds": [0, 1, 2]}


def test_ch10_q10_controlled_design():
    _ok(ch10.q10, _design())
    _ok(ch10.q10, {**_design(learning_rate=1e-4), "seeds": (7, 8, 9, 10)})      # any other lr, any seeds
    _wrong(ch10.q10, "训练步数不同：多训练几步本身就会让模型变好，这会冒充成学习率的效果。", _design(steps=2000))
    _wrong(ch10.q10, "数据量不同：一次改了两个因素，结果的差别无法归因于学习率。", _design(images=6000))
    _wrong(ch10.q10, "只有 2 个种子：至少要 3 个，才能估计种子之间的离散，判断差别是否只是随机波动。",
           {**_design(), "seeds": [0, 1]})
    _wrong(ch10.q10, "要比较的因素是学习率：variant 的 learning_rate 应与基线不同。", _design(learning_rate=1e-3))
    assert ch10.q10.evaluate({**_design(), "seeds": ____}).status == NOT_ATTEMPTED


def test_ch10_q11_verdict_accepts_every_sensible_rule():
    def spread_rule(base, variant):
        d, s = variant.mean() - base.mean(), base.std() + variant.std()
        return "better" if d < -s else "worse" if d > s else "no difference"

    def t_rule(base, variant):   # Welch's t statistic beyond 2
        se = np.sqrt(base.var(ddof=1) / len(base) + variant.var(ddof=1) / len(variant))
        t = (variant.mean() - base.mean()) / se
        return "better" if t < -2 else "worse" if t > 2 else "no difference"

    _ok(ch10.q11, spread_rule)
    _ok(ch10.q11, t_rule)
    _wrong(ch10.q11, "均值差 -0.33 小于种子离散（约 5.92）时不能下结论，你的函数却说 'better'：只比较均值会把随机波动当成效果。",
           lambda b, v: "better" if v.mean() < b.mean() else "worse")
    _wrong(ch10.q11, "verdict 应返回 'better'、'worse' 或 'no difference'，你的函数返回了 True",
           lambda b, v: True)
    assert ch10.q11.evaluate(lambda b, v: ____).status == NOT_ATTEMPTED


def test_ch10_q12_confounds():
    for form in ({"A", "B"}, "AB", "b, a", ["a", "B"]):
        _ok(ch10.q12, form)
    _wrong(ch10.q12, "漏了 B：把翻转后的副本拼进数据集，训练图像数从 3000 变成了 6000，这本身是另一个因素。", "A")
    _wrong(ch10.q12, "漏了 A：旧的 fit_steps 在 3000 张图上只跑了 234 步，在 6000 张图上跑了 281 步（第 10 章第 1 节）。", "B")
    _wrong(ch10.q12, "C 在题目里两边是相同的（同一个种子、同一个评估集、同一个学习率），不是混杂因素。", "ABC")
    _wrong(ch10.q12, "confounds 请填选项字母的集合，例如 {'A', 'C'} 或 'AC'，你给的是 'XYZ'", "XYZ")
    assert ch10.q12.evaluate(____).status == NOT_ATTEMPTED
