"""Questions of exercise 10 (评估与改进): FID's matrix square-root term, the Fréchet distance, the source's
"similarity score" (erratum 10), reading precision/recall, KID's unbiasedness and a nearest-neighbour
memorisation check."""

from __future__ import annotations

import numpy as np

from .core import NotAttempted, Question, close, is_blank

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "memo_data", "random_spd", "Q4_LOGITS"]


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
    if not callable(fn):
        return f"trace_sqrt_product 应该是一个函数，而你给的是 {type(fn).__name__}"
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
    if not callable(fn):
        return f"frechet 应该是一个函数，而你给的是 {type(fn).__name__}"
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
        return "FID 有偏：两组同分布的样本越少，FID 越大（第 10 章第 3 节的表）。"
    return None


q6 = Question(
    "q6", _check_unbiased, var="unbiased",
    hints=["回到第 10 章第 3 节：真实对真实的两列随样本数如何变化？"],
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
