"""Questions of exercise 10 (评估与改进): FID's matrix square-root term, the Fréchet distance, the source's
"similarity score" (erratum 10), reading precision/recall, KID's unbiasedness, a nearest-neighbour
memorisation check, FID's bias at small n, designing a controlled comparison and finding the confound in a
flawed experiment."""

from __future__ import annotations

import numpy as np

from .core import NotAttempted, Question, close, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12", "memo_data", "random_spd",
           "bias_features", "BIAS_TRACE", "BIAS_N", "Q4_LOGITS"]


def random_spd(d: int, seed: int) -> np.ndarray:
    """A random symmetric positive-definite (d, d) matrix (a covariance matrix)."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"d must be a positive int, got {d!r}")
    a = np.random.default_rng(seed).normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def _reference_trace_sqrt(s1, s2) -> float:
    from scipy import linalg

    return float(np.trace(linalg.sqrtm(s1 @ s2)).real)


def _call_number(fn, *args, what: str):
    out = fn(*args)
    if is_blank(out):
        raise NotAttempted(f"{what} 里还有 ____。")
    try:
        arr = np.asarray(out)
        value = complex(arr.reshape(())) if arr.size == 1 else None
    except (TypeError, ValueError):
        value = None
    if value is None:
        raise TypeError(f"{what} 应返回一个数，而返回了 {type(out).__name__} {np.shape(out)}")
    if abs(value.imag) > 1e-6 * max(1.0, abs(value.real)):
        raise TypeError(f"{what} 返回了复数 {value:.4g}；请取实部（.real）")
    return value.real


# q1: Tr((Σ1 Σ2)^{1/2})
def _check_trace_sqrt(fn):
    bad = not_a_function(fn, "trace_sqrt_product")
    if bad:
        return bad
    s1, s2 = random_spd(5, 1), random_spd(5, 2)
    try:
        got = _call_number(fn, s1, s2, what="trace_sqrt_product")
    except TypeError as exc:
        return str(exc)
    if not np.isfinite(got):
        return "结果不是有限数（NaN）：你可能用 np.sqrt 对矩阵逐元素开方了；矩阵平方根要用 scipy.linalg.sqrtm。"
    expected = _reference_trace_sqrt(s1, s2)
    if close(got, expected, rtol=1e-4, atol=1e-6):
        return None
    if close(got, float(np.sqrt(np.trace(s1 @ s2)))):
        return "你算的是 √Tr(Σ1Σ2)：要先对矩阵 Σ1Σ2 开平方根，再求迹。"
    if close(got, float(np.trace(s1 @ s2))):
        return "你算的是 Tr(Σ1Σ2)，还没有开矩阵平方根。"
    return f"结果 {got:.4f} 不对；应为 Tr(sqrtm(Σ1 @ Σ2))。"


q1 = Question(
    "q1", _check_trace_sqrt, var="trace_sqrt_product",
    hints=["`from scipy import linalg`，`linalg.sqrtm(m)` 是矩阵平方根（满足 r @ r == m）。",
           "sqrtm 可能返回带极小虚部的复数矩阵：取 `np.trace(...).real`。"],
    solution="`return float(np.trace(linalg.sqrtm(sigma1 @ sigma2)).real)`",
)


# q2: the Fréchet distance from statistics
def _check_fid(fn):
    bad = not_a_function(fn, "frechet")
    if bad:
        return bad
    rng = np.random.default_rng(3)
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    s1, s2 = random_spd(4, 4), random_spd(4, 5)
    try:
        got = _call_number(fn, mu1, s1, mu2, s2, what="frechet")
    except TypeError as exc:
        return str(exc)
    mean_term = float(np.sum((mu1 - mu2) ** 2))
    cov_term = float(np.trace(s1) + np.trace(s2) - 2 * _reference_trace_sqrt(s1, s2))
    if close(got, mean_term + cov_term, rtol=1e-4, atol=1e-6):
        try:
            same = _call_number(fn, mu1, s1, mu1, s1, what="frechet")
        except TypeError as exc:
            return str(exc)
        if not close(same, 0.0, atol=1e-5):
            return f"同一个分布与自己的距离应为 0，你的函数给出 {same:.4g}"
        return None
    if close(got, float(np.sqrt(np.sum((mu1 - mu2) ** 2))) + cov_term):
        return "均值项是距离的平方 ‖μ1 − μ2‖²，不要开方。"
    if close(got, mean_term):
        return "只算了均值项；还要加上协方差项 Tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2})。"
    if close(got, mean_term + float(np.trace(s1) + np.trace(s2) - _reference_trace_sqrt(s1, s2))):
        return "协方差项里矩阵平方根前面的系数是 2。"
    return f"结果 {got:.4f} 不对；FID = ‖μ1 − μ2‖² + Tr(Σ1) + Tr(Σ2) − 2 Tr((Σ1Σ2)^{{1/2}})。"


q2 = Question(
    "q2", _check_fid, var="frechet",
    hints=["均值项：`np.sum((mu1 - mu2) ** 2)`。", "协方差项：`np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt_product(sigma1, sigma2)`。"],
    solution="`return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt_product(sigma1, sigma2))`",
)


# q3: 1-D closed form: real N(0, 1), generated N(0.5, 2^2)
FID_1D = 0.5 ** 2 + (1.0 - 2.0) ** 2


def _check_fid_1d(value):
    if isinstance(value, (str, bytes, bool)):
        return f"fid_1d 应该是一个数，而你给的是 {type(value).__name__}"
    try:
        v = float(np.asarray(value, dtype="float64").reshape(()))
    except (TypeError, ValueError):
        return f"fid_1d 应该是一个数，而你给的是 {type(value).__name__}"
    if close(v, FID_1D):
        return None
    if close(v, 0.5 ** 2 + (1.0 - 4.0) ** 2) or close(v, 0.5 ** 2 + 1.0 + 4.0 - 2 * 2.0 ** 0.5):
        return "这里的 2² 是方差；一维时协方差项化为 (σ1 − σ2)²，用的是标准差 σ1 = 1、σ2 = 2。"
    if close(v, 0.5 ** 2):
        return "只算了均值项；标准差不同也会贡献 (σ1 − σ2)²。"
    return f"fid_1d = {v:.4f} 不对；一维时 FID = (μ1 − μ2)² + (σ1 − σ2)²。"


q3 = Question(
    "q3", _check_fid_1d, var="fid_1d",
    hints=["一维时 Σ = σ²，(Σ1Σ2)^{1/2} = σ1σ2。", "σ1² + σ2² − 2σ1σ2 = (σ1 − σ2)²。"],
    solution="`fid_1d = (0 - 0.5) ** 2 + (1 - 2) ** 2`，即 1.25。",
)

# q4: erratum 10, the discriminator's belief that an image is real
Q4_LOGITS = np.array([-4.0, -1.0, 0.0, 0.5, 3.0])


def _sig(v):
    return 1.0 / (1.0 + np.exp(-np.asarray(v, dtype="float64")))


def _check_p_real(value):
    try:
        got = np.asarray(value, dtype="float64").ravel()
    except (TypeError, ValueError):
        return f"p_real 应该是 5 个数，而你给的是 {type(value).__name__}"
    if got.shape != Q4_LOGITS.shape:
        return f"p_real 应有 {len(Q4_LOGITS)} 个数（每个 logit 一个），你给了 {got.size} 个"
    if close(got, _sig(Q4_LOGITS)):
        return None
    if close(got, 1 - _sig(_sig(Q4_LOGITS))):
        return "这就是源文（000 §5.4.2）的“相似度分数”：sigmoid 用了两次，而且 1 − … 把含义颠倒了。"
    if close(got, _sig(_sig(Q4_LOGITS))):
        return "sigmoid 用了两次：判别器给的是 logit，只需要一次 sigmoid。"
    if close(got, 1 - _sig(Q4_LOGITS)):
        return "1 − sigmoid(logit) 是判别器认为图像是“假”的概率，题目问的是“真”的概率。"
    return "p_real 应为 sigmoid(logits) = 1 / (1 + exp(−logits))。"


q4 = Question(
    "q4", _check_p_real, var="p_real",
    hints=["课程的判别器输出 logit（没有最后的 sigmoid）。", "`1 / (1 + np.exp(-logits))`"],
    solution="`p_real = 1 / (1 + np.exp(-logits))`：只用一次 sigmoid，数值越大判别器越相信是真图。",
)


# q5: reading precision and recall
def _check_pr(collapsed, blurry):
    choices = {"A", "B"}
    for name, v in (("collapsed", collapsed), ("blurry", blurry)):
        if not isinstance(v, str) or v.strip().upper() not in choices:
            return f"{name} 请填 'A' 或 'B'，你给的是 {v!r}"
    c, b = collapsed.strip().upper(), blurry.strip().upper()
    if c == b:
        return "两个答案不能是同一个模型。"
    if c == "B":
        return "模式坍塌的模型只生成少数几种样子：它生成的都“像”（精确率高），却覆盖不了真实数据（召回率低）。"
    return None


q5 = Question(
    "q5", _check_pr, var=("collapsed", "blurry"),
    hints=["精确率：生成样本落在真实流形里的比例；召回率：真实样本落在生成流形里的比例。"],
    solution="`collapsed = 'A'`（精确率 0.95、召回率 0.20），`blurry = 'B'`（精确率 0.40、召回率 0.85）。",
)


# q6: which metric is unbiased
def _check_unbiased(value):
    if not isinstance(value, str) or value.strip().upper() not in ("FID", "KID"):
        return f"请填 'FID' 或 'KID'，你给的是 {value!r}"
    if value.strip().upper() == "FID":
        return "FID 有偏：两组同分布的样本越少，FID 越大（第 10 章第 6 节的图）。"
    return None


q6 = Question(
    "q6", _check_unbiased, var="unbiased",
    hints=["回到第 10 章第 6–7 节：真实对真实的 FID 和 KID 随样本数如何变化？"],
    solution="`unbiased = 'KID'`：它的无偏估计在两组样本同分布时期望为 0。",
)


# q7: nearest training image of each sample
_COPIES = {1: 17, 3: 42, 4: 123}


def memo_data() -> tuple[np.ndarray, np.ndarray]:
    """(samples (6, 28, 28), train (200, 28, 28)) in [0, 1]: samples 1, 3 and 4 are training images 17, 42 and
    123 with faint noise, the others are test images."""
    from ..data import load_fashion_mnist

    train, _ = load_fashion_mnist("train", scale="unit", limit=200)
    test, _ = load_fashion_mnist("test", scale="unit", limit=3)
    rng = np.random.default_rng(10)
    rows, t = [], iter(test[..., 0])
    for i in range(6):
        if i in _COPIES:
            rows.append(np.clip(train[_COPIES[i], ..., 0] + rng.normal(0, 0.02, (28, 28)), 0, 1))
        else:
            rows.append(next(t))
    return np.stack(rows).astype("float32"), train[..., 0]


def _expected_nearest():
    samples, train = memo_data()
    d = np.sqrt(((samples.reshape(6, 1, -1) - train.reshape(1, len(train), -1)) ** 2).sum(-1))
    return d.argmin(axis=1), d


def _check_nearest(value):
    try:
        got = np.asarray(value)
    except (TypeError, ValueError):
        return f"nearest 应该是 6 个整数，而你给的是 {type(value).__name__}"
    if got.shape != (6,):
        return f"nearest 应有形状 (6,)（每个样本一个训练图下标），你的是 {got.shape}"
    expected, d = _expected_nearest()
    if got.dtype.kind == "f" and not np.allclose(got, np.round(got)):
        return "nearest 应是下标（整数），不是距离；用 argmin 而不是 min。"
    got = got.astype("int64")
    if np.array_equal(got, d.argmax(axis=1)):
        return "你找的是最远的训练图（argmax）；要 argmin。"
    if not np.array_equal(got, expected):
        wrong = int(np.sum(got != expected))
        return f"有 {wrong} 个样本的最近训练图找错了；按展平后的像素算欧氏距离。"
    return None


q7 = Question(
    "q7", _check_nearest, var="nearest",
    hints=["把图像展平成 (n, 784)，用广播算出 (6, 200) 的距离矩阵。", "`d.argmin(axis=1)`"],
    solution=("```python\nd = np.sqrt(((samples.reshape(6, 1, -1) - train.reshape(1, len(train), -1)) ** 2).sum(-1))\n"
              "nearest = d.argmin(axis=1)\n```"),
)


# q8: FID's bias at small n, measured
BIAS_N = 50
BIAS_SCALES = np.linspace(0.5, 1.5, 8)
BIAS_TRACE = float(np.sum(BIAS_SCALES ** 2))
"""Tr(Σ) of the distribution behind :func:`bias_features` (a diagonal covariance)."""


def bias_features() -> tuple[np.ndarray, np.ndarray]:
    """Two independent (2000, 8) feature sets drawn from one Gaussian N(0, diag(BIAS_SCALES²)): the true
    FID between their distributions is exactly 0."""
    rng = np.random.default_rng(8)
    return (rng.normal(size=(2000, 8)) * BIAS_SCALES, rng.normal(size=(2000, 8)) * BIAS_SCALES)


def _fid_rows(a, b):
    from ..metrics import fid

    return fid.fid(a, b)


def _check_bias(fid_small, fid_large):
    for name, v in (("fid_small", fid_small), ("fid_large", fid_large)):
        if isinstance(v, (str, bytes, bool)) or np.size(v) != 1:
            return f"{name} 应该是一个数，而你给的是 {type(v).__name__}"
    a, b = bias_features()
    small, large = _fid_rows(a[:BIAS_N], b[:BIAS_N]), _fid_rows(a, b)
    fs, fl = float(np.asarray(fid_small, dtype="float64")), float(np.asarray(fid_large, dtype="float64"))
    if close(fs, large, rtol=1e-3) and close(fl, small, rtol=1e-3):
        return "两个数填反了：fid_small 是用前 50 行算的，fid_large 用全部 2000 行。"
    if not close(fs, small, rtol=1e-3):
        return (f"fid_small = {fs:.4f} 不对；用 a 和 b 的前 {BIAS_N} 行（a[:{BIAS_N}]、b[:{BIAS_N}]）算 FID，"
                "可以用 fid.fid 或你在第 2 题写的 frechet。")
    if not close(fl, large, rtol=1e-3):
        return f"fid_large = {fl:.4f} 不对；用 a 和 b 的全部 2000 行算 FID。"
    return None


q8 = Question(
    "q8", _check_bias, var=("fid_small", "fid_large"),
    hints=["`fid.fid(a[:50], b[:50])` 直接接受特征矩阵 (n, d)。",
           "也可以用第 2 题的 frechet：`frechet(a[:50].mean(0), np.cov(a[:50], rowvar=False), ...)`。"],
    solution="`fid_small = fid.fid(a[:50], b[:50])`，`fid_large = fid.fid(a, b)`：真值是 0，可两个估计都大于 0，"
             "样本越少越大。",
)


# q9: the mean term's bias in closed form
def _check_mean_term(value):
    if isinstance(value, (str, bytes, bool)) or np.size(value) != 1:
        return f"expected_mean_term 应该是一个数，而你给的是 {type(value).__name__}"
    v = float(np.asarray(value, dtype="float64"))
    expected = 2 * BIAS_TRACE / BIAS_N
    if close(v, expected, rtol=0.05):     # the closed form, or a Monte-Carlo estimate of it
        return None
    if close(v, BIAS_TRACE / BIAS_N, rtol=0.05):
        return "两组样本的均值都有误差：差 μ̂a − μ̂b 的方差是两者之和，Tr(Σ)/n 要乘 2。"
    if close(v, 2 * BIAS_TRACE / BIAS_N ** 2, rtol=0.05) or close(v, BIAS_TRACE / BIAS_N ** 2, rtol=0.05):
        return "样本均值的方差是 Σ/n，不是 Σ/n²：n 个样本之和的方差是 nΣ，除以 n² 得 Σ/n。"
    if close(v, 0.0, atol=1e-6):
        return "真值 ‖μa − μb‖² 是 0，但题目问的是估计值 ‖μ̂a − μ̂b‖² 的期望：它大于 0，这就是偏差。"
    return f"expected_mean_term = {v:.4f} 不对；E‖μ̂a − μ̂b‖² = ‖μa − μb‖² + (Tr Σa + Tr Σb)/n。"


q9 = Question(
    "q9", _check_mean_term, var="expected_mean_term",
    hints=["样本均值 μ̂ 的协方差是 Σ/n；两组独立，差的协方差是 Σa/n + Σb/n。",
           "‖v‖² 的期望 = ‖E v‖² + Tr(Cov v)。这里 E v = 0。"],
    solution=f"`expected_mean_term = 2 * ch10.BIAS_TRACE / ch10.BIAS_N`，即 {2 * BIAS_TRACE / BIAS_N:.4f}。"
             "它解释了 q8 里 fid_small 的大部分；协方差项贡献其余的偏差。",
)


# q10: design a controlled comparison
_BASE = {"learning_rate": 1e-3, "steps": 1500, "images": 3000, "batch_size": 64}


def _check_design(design):
    if not isinstance(design, dict) or not {"baseline", "variant", "seeds"} <= set(design):
        return "design 应是一个字典，含 'baseline'、'variant' 和 'seeds' 三项。"
    base, var, seeds = design["baseline"], design["variant"], design["seeds"]
    if not isinstance(base, dict) or not isinstance(var, dict) or set(base) != set(_BASE) or set(var) != set(_BASE):
        return f"baseline 和 variant 都应有这四项：{', '.join(_BASE)}。"
    if base != _BASE:
        return "不要改基线：baseline 应保持题目给出的值。"
    if var["learning_rate"] == base["learning_rate"]:
        return "要比较的因素是学习率：variant 的 learning_rate 应与基线不同。"
    for key in ("steps", "images", "batch_size"):
        if var[key] != base[key]:
            what = {"steps": "训练步数不同：多训练几步本身就会让模型变好，这会冒充成学习率的效果。",
                    "images": "数据量不同：一次改了两个因素，结果的差别无法归因于学习率。",
                    "batch_size": "批量大小不同：每步看到的图像数变了，这又是一个因素（而且与学习率相互作用）。"}
            return what[key]
    if not isinstance(seeds, (list, tuple, set, range)) or any(
            isinstance(x, bool) or not isinstance(x, (int, np.integer)) for x in seeds):
        return "seeds 应是整数种子的列表，例如 [0, 1, 2]。"
    if len(set(seeds)) != len(list(seeds)):
        return "seeds 里有重复的种子：重复的运行不提供新的信息。"
    if len(set(seeds)) < 3:
        return f"只有 {len(set(seeds))} 个种子：至少要 3 个，才能估计种子之间的离散，判断差别是否只是随机波动。"
    return None


q10 = Question(
    "q10", _check_design, var="design",
    hints=["受控比较：只有被研究的因素不同，其他一切（步数、数据、批量）都相同。",
           "两边用同一组种子，每个种子各跑一次；至少 3 个种子。"],
    solution=("```python\nvariant = {\"learning_rate\": 3e-3, \"steps\": 1500, \"images\": 3000, \"batch_size\": 64}\n"
              "seeds = [0, 1, 2]\n```\n只有学习率不同；两边用同一组（至少 3 个）种子。"),
)


# q11: the decision rule
_VERDICT_CASES = [  # (baseline scores, variant scores, expected) with lower = better
    ([100.0, 102.0, 98.0], [80.0, 81.5, 79.0], "better"),
    ([100.0, 102.0, 98.0], [120.0, 118.0, 121.0], "worse"),
    ([100.0, 104.0, 96.0], [99.5, 103.0, 96.5], "no difference"),
    ([100.0, 104.0, 96.0], [100.8, 104.5, 96.9], "no difference"),
    ([50.0, 50.4, 49.6, 50.2, 49.8], [47.0, 47.3, 46.8, 47.1, 46.9], "better"),
]


def _check_verdict(fn):
    bad = not_a_function(fn, "verdict")
    if bad:
        return bad
    for base, var, expected in _VERDICT_CASES:
        got = fn(np.array(base), np.array(var))
        if is_blank(got):
            raise NotAttempted("verdict 里还有 ____。")
        if not isinstance(got, str) or got not in ("better", "worse", "no difference"):
            return f"verdict 应返回 'better'、'worse' 或 'no difference'，你的函数返回了 {got!r}"
        if got != expected:
            diff = float(np.mean(var) - np.mean(base))
            spread = float(np.std(base) + np.std(var))
            if expected == "no difference":
                return (f"均值差 {diff:+.2f} 小于种子离散（约 {spread:.2f}）时不能下结论，你的函数却说 {got!r}："
                        "只比较均值会把随机波动当成效果。")
            return f"均值差 {diff:+.2f} 远大于种子离散（约 {spread:.2f}），应为 {expected!r}，你的函数说 {got!r}（分数越低越好）。"
    return None


q11 = Question(
    "q11", _check_verdict, var="verdict",
    hints=["先算两组的均值差，再算离散（例如两组标准差之和）。", "差距超过离散才下结论；分数越低越好。"],
    solution=("```python\ndef verdict(base, variant):\n    diff = variant.mean() - base.mean()\n"
              "    spread = base.std() + variant.std()\n    if diff < -spread:\n        return \"better\"\n"
              "    if diff > spread:\n        return \"worse\"\n    return \"no difference\"\n```"),
)


# q12: the confound in a flawed experiment
_CONFOUND_OPTIONS = {"A", "B", "C", "D", "E"}


def _letters(value):
    if isinstance(value, str):
        items = [c for c in value.upper() if not c.isspace() and c not in ",;、，"]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v).strip().upper() for v in value]
    else:
        return None
    return set(items)


def _check_confounds(value):
    got = _letters(value)
    if got is None or not got or not got <= _CONFOUND_OPTIONS:
        return f"confounds 请填选项字母的集合，例如 {{'A', 'C'}} 或 'AC'，你给的是 {value!r}"
    if "A" not in got:
        return "漏了 A：旧的 fit_steps 在 3000 张图上只跑了 234 步，在 6000 张图上跑了 281 步（第 10 章第 1 节）。"
    if "B" not in got:
        return "漏了 B：把翻转后的副本拼进数据集，训练图像数从 3000 变成了 6000，这本身是另一个因素。"
    extra = sorted(got - {"A", "B"})
    if extra:
        return f"{', '.join(extra)} 在题目里两边是相同的（同一个种子、同一个评估集、同一个学习率），不是混杂因素。"
    return None


q12 = Question(
    "q12", _check_confounds, var="confounds",
    hints=["逐项问自己：基线和变体在这一项上一样吗？", "回到第 10 章第 1 节的表：旧函数实际跑了多少步？"],
    solution="`confounds = {'A', 'B'}`：实际步数（234 对 281）和训练图像数（3000 对 6000）都随“翻转”一起变了。",
)
