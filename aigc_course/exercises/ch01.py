"""Questions of exercise 01 (AIGC 概述：核心概念与架构).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. q5 is a
"find the error" question on SYLLABUS erratum 15 (the source dates GANs and VAEs to the 1980s).
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, close, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "MODELS", "STAGES", "reference_mean_nearest_distance",
           "bayes_posterior"]


def _letters(value, name: str, options) -> set[str] | str:
    """``value`` (a set/list/tuple of letters) as an upper-case set, or a message for the learner."""
    if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
        return f"{name} 应该是字母的集合，例如 {{'A', 'B'}}，而你给的是 {type(value).__name__}"
    if any(is_blank(v) for v in value):  # core.is_blank does not look inside sets
        raise NotAttempted(f"把 {name} 中的 ____ 换成你的答案。")
    if not all(isinstance(v, str) for v in value):
        return f"{name} 里应该只有字母（字符串），例如 {{'A', 'B'}}"
    letters = {v.strip().upper() for v in value}
    unknown = sorted(letters - set(options))
    if unknown:
        return f"只有 {'、'.join(sorted(options))} 这些选项，{unknown} 不是选项。"
    return letters


# q1: generative or discriminative? ---------------------------------------------------------------
MODELS = {
    "A": "垃圾邮件分类器：输入一封邮件，输出它是垃圾邮件的概率",
    "B": "变分自编码器（VAE）",
    "C": "逻辑回归（logistic regression）",
    "D": "GAN 的生成器",
    "E": "GPT 这类自回归语言模型",
    "F": "识别 Fashion-MNIST 衣服类别的卷积网络",
    "G": "第 1 章的核密度估计（KDE）",
    "H": "GAN 的判别器（单独看它自己）",
}
GENERATIVE = frozenset({"B", "D", "E", "G"})
_WHY_DISCRIMINATIVE = {
    "A": "A 只给出 p(垃圾邮件 | 邮件)，不能造出新邮件，是判别式模型。",
    "C": "逻辑回归（C）直接建模 p(y | x)，是判别式模型。",
    "F": "F 只学 p(类别 | 图像)，不能画出新衣服，是判别式模型。",
    "H": "GAN 的判别器（H）本身是一个二分类器，学的是 p(真 | x)；整个 GAN 才是生成式系统。",
}
_WHY_GENERATIVE = {
    "B": "VAE（B）从先验抽 z 再解码，能生成新数据，是生成式模型。",
    "D": "GAN 的生成器（D）把噪声变成新样本，是生成式模型。",
    "E": "GPT（E）学的是 p(x_t | x_<t)，一个词一个词地抽样生成文本，是生成式模型。",
    "G": "KDE（G）估计的是 p(x) 本身，还能从中抽样，是生成式模型。",
}


def _check_generative(value):
    letters = _letters(value, "generative_models", MODELS)
    if isinstance(letters, str):
        return letters
    wrong = sorted(letters - GENERATIVE)
    if wrong:
        return _WHY_DISCRIMINATIVE[wrong[0]]
    missing = sorted(GENERATIVE - letters)
    if missing:
        return f"还漏了 {len(missing)} 个生成式模型。" + _WHY_GENERATIVE[missing[0]]
    return None


q1 = Question(
    "q1", _check_generative, var="generative_models",
    hints=["问自己：这个模型能不能造出一个新的样本？只会给输入打标签的是判别式模型。",
           "生成式模型学 p(x)（或 p(x, y)）；判别式模型只学 p(y | x)。"],
    solution="`generative_models = {'B', 'D', 'E', 'G'}`：VAE、GAN 的生成器、GPT、KDE。",
)

# q2: the order of the pipeline -------------------------------------------------------------------
STAGES = ("数据预处理", "模型训练", "内容生成", "内容后处理")


def _check_pipeline(value):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return f"pipeline 应该是一个列表，而你给的是 {type(value).__name__}"
    items = [str(v).strip() for v in value]
    if sorted(items) != sorted(STAGES):
        extra = [v for v in items if v not in STAGES]
        if extra:
            return f"{extra[0]!r} 不是四个步骤之一；请只用 {list(STAGES)} 里的名字。"
        return f"四个步骤每个恰好出现一次，你给了 {len(items)} 项。"
    if items == list(STAGES):
        return None
    first_wrong = next(i for i, (a, b) in enumerate(zip(items, STAGES)) if a != b)
    if first_wrong == 0:
        return "第一步必须先把数据准备好（清洗、标准化），模型才有东西可学。"
    return f"第 {first_wrong + 1} 步不对：{items[first_wrong]!r} 之前还需要 {STAGES[first_wrong]!r}。"


q2 = Question(
    "q2", _check_pipeline, var="pipeline",
    hints=["先有数据才能训练，先有模型才能生成，先有生成结果才能后处理。"],
    solution="`pipeline = ['数据预处理', '模型训练', '内容生成', '内容后处理']`",
)

# q3: mean distance to the nearest real point -----------------------------------------------------


def reference_mean_nearest_distance(a, b) -> float:
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    return float(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min(axis=1).mean())


_Q3_A = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
_Q3_B = np.array([[0.0, 1.0], [3.0, 0.0], [10.0, 10.0], [1.0, 1.0], [-2.0, 0.5]])


def _check_nearest(fn):
    bad = not_a_function(fn, "mean_nearest_distance")
    if bad:
        return bad
    got = fn(_Q3_A, _Q3_B)
    if is_blank(got):
        raise NotAttempted("函数里还有 ____。")
    try:
        got = float(np.asarray(got, dtype="float64"))
    except (TypeError, ValueError):
        return f"函数应该返回一个数，而它返回了 {type(got).__name__}"
    expected = reference_mean_nearest_distance(_Q3_A, _Q3_B)
    if close(got, expected):
        if not close(float(np.asarray(fn(_Q3_B[:2], _Q3_A), dtype="float64")),
                     reference_mean_nearest_distance(_Q3_B[:2], _Q3_A)):
            return "在另一组点上结果不对：请对任意形状 (n, 2) 和 (m, 2) 的输入都成立。"
        return None
    if close(got, reference_mean_nearest_distance(_Q3_B, _Q3_A)):
        return "方向反了：要对 a 的每一行找 b 中最近的点（对 b 的每一行求最小值的是另一个方向）。"
    sq = ((_Q3_A[:, None, :] - _Q3_B[None, :, :]) ** 2).sum(-1).min(axis=1).mean()
    if close(got, sq):
        return "你算的是平方距离；别忘了开平方（欧氏距离）。"
    if close(got, np.sqrt(((_Q3_A[:, None, :] - _Q3_B[None, :, :]) ** 2).sum(-1)).mean()):
        return "你对所有点对取了平均；应当先对每个 a 取最近的 b（min），再取平均。"
    return f"在测试数据上应得 {expected:.4f}，你的函数给出 {got:.4f}。"


q3 = Question(
    "q3", _check_nearest, var="mean_nearest_distance",
    hints=["用广播：a[:, None, :] - b[None, :, :] 的形状是 (n, m, 2)。",
           "沿最后一个轴平方求和再开方得到 (n, m) 的距离矩阵；对 axis=1 取 min，再取 mean。"],
    solution="```python\nd = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))\n"
             "return d.min(axis=1).mean()\n```",
)

# q4: a generative model used as a classifier (Bayes' rule) --------------------------------------


def bayes_posterior(x: float, prior1: float = 0.3, mu0: float = 0.0, mu1: float = 2.0) -> float:
    """p(y=1 | x) for p(x | y=k) = N(mu_k, 1) and p(y=1) = prior1."""
    l0 = math.exp(-0.5 * (x - mu0) ** 2) / math.sqrt(2 * math.pi)
    l1 = math.exp(-0.5 * (x - mu1) ** 2) / math.sqrt(2 * math.pi)
    return prior1 * l1 / (prior1 * l1 + (1 - prior1) * l0)


POSTERIOR = bayes_posterior(1.5)
_NO_PRIOR = bayes_posterior(1.5, prior1=0.5)
_JOINT = 0.3 * math.exp(-0.5 * 0.25) / math.sqrt(2 * math.pi)
_LIKELIHOOD = math.exp(-0.5 * 0.25) / math.sqrt(2 * math.pi)


def _check_posterior(value):
    if isinstance(value, (bool, str, bytes)):
        return f"posterior 应该是一个数，而你给的是 {type(value).__name__}"
    try:
        v = float(np.asarray(value, dtype="float64"))
    except (TypeError, ValueError):
        return f"posterior 应该是一个数，而你给的是 {type(value).__name__}"
    if close(v, POSTERIOR):
        return None
    if close(v, _NO_PRIOR):
        return "你把两类的先验当成了相等；题目说 p(y=1) = 0.3，要乘上先验。"
    if close(v, _JOINT):
        return "这是 p(x, y=1) = p(x | y=1) p(y=1)；还要除以 p(x) = Σ_k p(x | y=k) p(y=k)。"
    if close(v, _LIKELIHOOD):
        return "这是似然 p(x | y=1)；贝叶斯公式还要乘先验并除以 p(x)。"
    if not 0.0 <= v <= 1.0:
        return f"概率应当在 0 到 1 之间，你得到 {v:.4f}。"
    return f"posterior = {v:.4f} 不对；请按 p(x|y=1)p(y=1) / Σ_k p(x|y=k)p(y=k) 逐项计算。"


q4 = Question(
    "q4", _check_posterior, var="posterior",
    hints=["正态密度 N(x; μ, 1) = exp(-(x-μ)²/2) / √(2π)。",
           "p(y=1|x) = p(x|y=1)·0.3 / [p(x|y=1)·0.3 + p(x|y=0)·0.7]。"],
    solution="```python\ndef normal_pdf(x, mu):\n    return np.exp(-0.5 * (x - mu) ** 2) / np.sqrt(2 * np.pi)\n"
             "joint1 = normal_pdf(1.5, 2.0) * 0.3\njoint0 = normal_pdf(1.5, 0.0) * 0.7\n"
             f"posterior = joint1 / (joint0 + joint1)   # ≈ {POSTERIOR:.4f}\n```",
)

# q5: find the error in the history (erratum 15) -------------------------------------------------
GAN_YEAR, VAE_YEAR = 2014, 2013


def _check_years(gan_year, vae_year):
    for name, v in (("gan_year", gan_year), ("vae_year", vae_year)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            return f"{name} 应该是一个整数年份，而你给的是 {type(v).__name__}"
    gan_year, vae_year = int(gan_year), int(vae_year)
    if 1980 <= gan_year < 1990 or 1980 <= vae_year < 1990:
        return "这正是源文（004 §1.1–1.2）的错误：GAN 和 VAE 都不是 20 世纪 80 年代的成果。"
    if (gan_year, vae_year) == (VAE_YEAR, GAN_YEAR):
        return "两个年份填反了：VAE 先公开，GAN 晚一年。"
    if gan_year != GAN_YEAR:
        return f"GAN 的年份不对（你填了 {gan_year}）：Goodfellow 等人的论文《Generative Adversarial Nets》。"
    if vae_year == VAE_YEAR:
        return None
    if vae_year == 2014:
        return "VAE 于 2014 年发表在 ICLR 上，但论文首次公开（arXiv）要早一年；本题问的是首次公开的年份。"
    return f"VAE 的年份不对（你填了 {vae_year}）：Kingma 与 Welling 的论文《Auto-Encoding Variational Bayes》。"


q5 = Question(
    "q5", _check_years, var=("gan_year", "vae_year"),
    hints=["看第 1 章第 6 节的表。", "两篇论文都在深度学习兴起（2012 年前后）之后。"],
    solution=f"`gan_year, vae_year = {GAN_YEAR}, {VAE_YEAR}`（Goodfellow 等；Kingma 与 Welling）。",
)
