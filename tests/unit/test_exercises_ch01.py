"""Exercise 01 checkers: right answers pass, wrong ones fail with their message, blanks are 'not attempted'."""

import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch01


def _ok(q, *values):
    r = q.evaluate(*values)
    assert r.status == CORRECT, r.message


def _wrong(q, message, *values):
    r = q.evaluate(*values)
    assert r.status == INCORRECT
    assert r.message == message


def test_q1_generative_or_discriminative():
    _ok(ch01.q1, {"B", "D", "E", "G"})
    _ok(ch01.q1, ["b", "d", "e", "g"])
    _wrong(ch01.q1, "GAN 的判别器（H）本身是一个二分类器，学的是 p(真 | x)；整个 GAN 才是生成式系统。",
           {"B", "D", "E", "G", "H"})
    _wrong(ch01.q1, "逻辑回归（C）直接建模 p(y | x)，是判别式模型。", {"B", "C"})
    _wrong(ch01.q1, "还漏了 1 个生成式模型。KDE（G）估计的是 p(x) 本身，还能从中抽样，是生成式模型。",
           {"B", "D", "E"})
    _wrong(ch01.q1, "只有 A、B、C、D、E、F、G、H 这些选项，['Z'] 不是选项。", {"Z"})
    _wrong(ch01.q1, "generative_models 应该是字母的集合，例如 {'A', 'B'}，而你给的是 str", "BDEG")
    assert ch01.q1.evaluate(____).status == NOT_ATTEMPTED
    assert ch01.q1.evaluate({"B", ____}).status == NOT_ATTEMPTED


def test_q2_pipeline_order():
    _ok(ch01.q2, ["数据预处理", "模型训练", "内容生成", "内容后处理"])
    _ok(ch01.q2, ("数据预处理", "模型训练", "内容生成", "内容后处理"))
    _wrong(ch01.q2, "第 3 步不对：'内容后处理' 之前还需要 '内容生成'。",
           ["数据预处理", "模型训练", "内容后处理", "内容生成"])
    _wrong(ch01.q2, "第一步必须先把数据准备好（清洗、标准化），模型才有东西可学。",
           ["模型训练", "数据预处理", "内容生成", "内容后处理"])
    _wrong(ch01.q2, "'部署' 不是四个步骤之一；请只用 ['数据预处理', '模型训练', '内容生成', '内容后处理'] 里的名字。",
           ["数据预处理", "模型训练", "内容生成", "部署"])
    _wrong(ch01.q2, "四个步骤每个恰好出现一次，你给了 3 项。", ["数据预处理", "模型训练", "内容生成"])
    _wrong(ch01.q2, "pipeline 应该是一个列表，而你给的是 str", "数据预处理")
    assert ch01.q2.evaluate(["数据预处理", ____, "内容生成", "内容后处理"]).status == NOT_ATTEMPTED


def test_q3_mean_nearest_distance():
    def right(a, b):
        d = np.sqrt(((np.asarray(a)[:, None] - np.asarray(b)[None]) ** 2).sum(-1))
        return d.min(axis=1).mean()

    _ok(ch01.q3, right)
    _wrong(ch01.q3, "方向反了：要对 a 的每一行找 b 中最近的点（对 b 的每一行求最小值的是另一个方向）。",
           lambda a, b: right(b, a))
    _wrong(ch01.q3, "你算的是平方距离；别忘了开平方（欧氏距离）。",
           lambda a, b: (((a[:, None] - b[None]) ** 2).sum(-1)).min(axis=1).mean())
    _wrong(ch01.q3, "你对所有点对取了平均；应当先对每个 a 取最近的 b（min），再取平均。",
           lambda a, b: np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)).mean())
    _wrong(ch01.q3, "在另一组点上结果不对：请对任意形状 (n, 2) 和 (m, 2) 的输入都成立。",
           lambda a, b: ch01.reference_mean_nearest_distance(a, b) if len(a) == 3 else 0.0)
    _wrong(ch01.q3, "mean_nearest_distance 应该是一个函数，而你给的是 float。", 0.5)
    expected = ch01.reference_mean_nearest_distance(ch01._Q3_A, ch01._Q3_B)
    _wrong(ch01.q3, f"在测试数据上应得 {expected:.4f}，你的函数给出 0.0000。", lambda a, b: 0.0)
    assert ch01.q3.evaluate(lambda a, b: ____).status == NOT_ATTEMPTED
    # closed form on the fixed test data
    assert expected == pytest.approx((1 + np.sqrt(13) + 0) / 3)  # nearest: (0,1), (1,1), itself


def test_q4_bayes_posterior():
    assert ch01.POSTERIOR == pytest.approx(0.538102, abs=1e-6)
    _ok(ch01.q4, 0.5381)
    _ok(ch01.q4, np.float32(0.53810))
    _wrong(ch01.q4, "你把两类的先验当成了相等；题目说 p(y=1) = 0.3，要乘上先验。", 1 / (1 + np.exp(-1.0)))
    _wrong(ch01.q4, "这是 p(x, y=1) = p(x | y=1) p(y=1)；还要除以 p(x) = Σ_k p(x | y=k) p(y=k)。",
           0.3 * np.exp(-0.125) / np.sqrt(2 * np.pi))
    _wrong(ch01.q4, "概率应当在 0 到 1 之间，你得到 1.5000。", 1.5)
    _wrong(ch01.q4, "posterior = 0.9000 不对；请按 p(x|y=1)p(y=1) / Σ_k p(x|y=k)p(y=k) 逐项计算。", 0.9)
    _wrong(ch01.q4, "posterior 应该是一个数，而你给的是 str", "0.54")
    assert ch01.q4.evaluate(____).status == NOT_ATTEMPTED


def test_q5_history_find_the_error():
    _ok(ch01.q5, 2014, 2013)
    _ok(ch01.q5, np.int64(2014), 2013)
    _wrong(ch01.q5, "这正是源文（004 §1.1–1.2）的错误：GAN 和 VAE 都不是 20 世纪 80 年代的成果。", 1985, 2013)
    _wrong(ch01.q5, "两个年份填反了：VAE 先公开，GAN 晚一年。", 2013, 2014)
    _wrong(ch01.q5, "VAE 于 2014 年发表在 ICLR 上，但论文首次公开（arXiv）要早一年；本题问的是首次公开的年份。",
           2014, 2014)
    _wrong(ch01.q5, "GAN 的年份不对（你填了 2016）：Goodfellow 等人的论文《Generative Adversarial Nets》。", 2016, 2013)
    _wrong(ch01.q5, "gan_year 应该是一个整数年份，而你给的是 str", "2014", 2013)
    assert ch01.q5.evaluate(2014, ____).status == NOT_ATTEMPTED


def test_check_reads_notebook_variables(monkeypatch, capsys):
    monkeypatch.delenv("AIGC_STRICT_CHECKS", raising=False)
    gan_year, vae_year = 2014, 2013  # noqa: F841  (read by check() from this frame)
    ch01.q5.check()
    assert "q5 ✔ 正确" in capsys.readouterr().out
    monkeypatch.setenv("AIGC_STRICT_CHECKS", "1")
    gan_year = 1985  # noqa: F841
    with pytest.raises(AssertionError, match="strict check failed"):
        ch01.q5.check()
