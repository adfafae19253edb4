"""Questions of exercise 02 (数学基础：损失函数与实例).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong; several name the
source document's wrong value (SYLLABUS errata 1-4, 6) when a learner reproduces it.
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, as_number, close, is_blank, not_a_function, scalar_checker

RETRY = "请再对照公式逐项计算（结果保留 4 位小数以上）。"


def _scalar_check(name, expected, known_wrong):
    return scalar_checker(name, expected, known_wrong, retry=RETRY)


__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "reference_attention"]


# q1: 000 §4.1.3, erratum 1
D_LOSS = -(math.log(0.9) + math.log(1 - 0.1))
q1 = Question(
    "q1",
    _scalar_check("d_loss_value", D_LOSS, {
        0.15: "0.15 正是源文（000 §4.1.3）写错的数。请用 -[log 0.9 + log(1 - 0.1)] 真正算一遍。",
        -math.log(0.9): "你只算了真实样本那一项 -log D(x)；判别器损失还包括生成样本的 -log(1 - D(G(z)))。",
        -(math.log(0.9) + math.log(0.1)): "第二项应是 log(1 - D(G(z)))，你用了 log D(G(z))（这是 003 §4.1.2 的错误）。",
    }),
    var="d_loss_value",
    hints=["L_D = -[log D(x) + log(1 - D(G(z)))]，这里 D(x)=0.9，D(G(z))=0.1。",
           "用 `np.log` 计算自然对数；也可以用 `losses.d_loss(logit([0.9]), logit([0.1]))`。"],
    solution="`d_loss_value = -(np.log(0.9) + np.log(1 - 0.1))`，约等于 0.2107。",
)

# q2: 000 §4.3.2, erratum 2
CE_VALUE = -(math.log(0.9) + math.log(0.8) + math.log(0.7))
q2 = Question(
    "q2",
    _scalar_check("ce_value", CE_VALUE, {
        0.45: "0.45 是源文（000 §4.3.2）写错的数。",
        CE_VALUE / 5: "源文的公式是求和 -Σ y_i log p_i，不取平均。",
        CE_VALUE / 3: "源文的公式是求和 -Σ y_i log p_i，不取平均。",
    }),
    var="ce_value",
    hints=["y = [1, 0, 1, 0, 1]，y_i = 0 的项为 0。", "-Σ y_i log p_i = -[log 0.9 + log 0.8 + log 0.7]。"],
    solution="`ce_value = -np.sum(y * np.log(p))`，约等于 0.6852。",
)

# q3: which of the source's numbers are wrong (errata 1 and 3)
Q3_ANSWER = frozenset({"B", "C", "D"})


def _check_q3(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (set, frozenset, list, tuple)):
        return f"wrong_claims 应该是一个由字母组成的集合，例如 {{'A', 'E'}}，而你给的是 {type(value).__name__}"
    letters = {str(v).strip().upper() for v in value}
    unknown = letters - set("ABCDE")
    if unknown:
        return f"只有 A–E 五个选项，{sorted(unknown)} 不是选项。"
    missing, extra = Q3_ANSWER - letters, letters - Q3_ANSWER
    if extra:
        return f"{', '.join(sorted(extra))} 其实是对的，用代码算一算就知道。"
    if missing:
        return f"还有错的没找出来：再算一算其余几个（少了 {len(missing)} 个）。"
    return None


q3 = Question(
    "q3", _check_q3, var="wrong_claims",
    hints=["每一条都用 `np.log` / `np.mean` 算一遍，与给出的数比较。",
           "B 是 -[log 0.9 + log 0.9]，C 是 -log 0.9，D 是 0.1²…0.5² 的平均。"],
    solution="`wrong_claims = {'B', 'C', 'D'}`：B 应为 0.2107，C 应为 0.1054，D 应为 0.11；A（2.303）和 E（0）是对的。",
)


# q4: KL(N(mu, var) || N(0, 1)), erratum 5
def _check_kl(fn):
    bad = not_a_function(fn, "kl_normal")
    if bad:
        return bad
    rng = np.random.default_rng(2)
    mu = rng.normal(size=(4, 3))
    var = rng.uniform(0.05, 3.0, size=(4, 3))
    out = fn(mu, var)
    if is_blank(out):
        raise NotAttempted("kl_normal 里还有 ____。")
    expected = 0.5 * np.sum(mu ** 2 + var - np.log(var) - 1.0, axis=-1)
    try:
        got = np.asarray(out, dtype="float64")
    except (TypeError, ValueError):
        return f"kl_normal 应返回数组，而返回了 {type(out).__name__}"
    if got.shape == mu.shape and close(got.sum(axis=-1), expected):
        return "每一维的值对了，但还要沿最后一个轴求和（axis=-1），每个样本一个 KL。"
    if got.shape != expected.shape:
        return f"输入形状 (4, 3) 时应返回形状 (4,)（沿最后一个轴求和），你的函数返回了 {got.shape}"
    if close(got, expected):
        return None
    if close(got, 0.5 * np.sum(mu ** 2 + np.sqrt(var) - np.log(var) - 1.0, axis=-1)):
        return "第二个参数已经是方差 σ²，不要再开方。"
    if (got < -1e-9).any():
        return "KL 散度不可能为负；你的函数给出了负数（源文 000 §4.2.2 的公式就有这个问题）。"
    if not close(fn(np.zeros((1, 2)), np.ones((1, 2))), [0.0]):
        return "两个分布相同时（μ=0，σ²=1）KL 应为 0。"
    return "数值与 ½Σ(μ² + σ² − log σ² − 1) 不符。"


q4 = Question(
    "q4", _check_kl, var="kl_normal",
    hints=["KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (μ² + σ² − log σ² − 1)。", "用 `np.sum(..., axis=-1)`。"],
    solution="`return 0.5 * np.sum(mu ** 2 + var - np.log(var) - 1.0, axis=-1)`",
)


# q5: direction of the non-saturating loss, erratum 6
def _check_direction(value):
    if not isinstance(value, str) or value.strip().lower() not in ("up", "down"):
        return f"请填字符串 'up'（变大）或 'down'（变小），你给的是 {value!r}"
    if value.strip().lower() == "down":
        return "这正是源文（000 §4.1.2）的错误说法。-log p 随 p 增大而减小，所以最小化它会让 D(G(z)) 变大。"
    return None


q5 = Question(
    "q5", _check_direction, var="direction",
    hints=["画出 -log p 在 (0, 1) 上的曲线：它是增函数还是减函数？"],
    solution="`direction = 'up'`：生成器让判别器更相信它的样本是真的。",
)

# q6: gradients w.r.t. the logit at D(G(z)) = 0.02
Q6_D = 0.02


def _check_grads(g_sat, g_ns):
    try:
        a, b = as_number(g_sat, "grad_sat"), as_number(g_ns, "grad_ns")
    except TypeError as exc:
        return str(exc)
    if close(a, -(1 - Q6_D)) and close(b, -Q6_D):
        return "两个梯度填反了：饱和损失 log(1 − D) 的梯度是 −D。"
    if close(a, -1 / (1 - Q6_D)) or close(b, -1 / Q6_D):
        return "这是对 D 的导数；题目要的是对判别器 logit l 的导数（D = sigmoid(l)）。"
    if not close(a, -Q6_D):
        return f"grad_sat = {a:.4f} 不对；∂/∂l log(1 − sigmoid(l)) = −sigmoid(l)。"
    if not close(b, -(1 - Q6_D)):
        return f"grad_ns = {b:.4f} 不对；∂/∂l (−log sigmoid(l)) = −(1 − sigmoid(l))。"
    return None


q6 = Question(
    "q6", _check_grads, var=("grad_sat", "grad_ns"),
    hints=["sigmoid 的导数是 sigmoid(l)(1 − sigmoid(l))。", "饱和：−D；非饱和：−(1 − D)。"],
    solution="`grad_sat = -0.02`，`grad_ns = -(1 - 0.02)`：D(G(z)) 很小时饱和损失几乎没有梯度。",
)

# q7: the 002 §4.3 attention example, erratum 4
_X = np.arange(1.0, 6.0)
_W1 = np.exp(_X[0] * _X) / np.exp(_X[0] * _X).sum()
Y1 = float(_W1 @ _X)


def _check_row(row1, y1):
    try:
        row = np.asarray(row1, dtype="float64").ravel()
    except (TypeError, ValueError):
        return f"row1 应该是 5 个数，而你给的是 {type(row1).__name__}"
    if row.shape != (5,):
        return f"row1 应有 5 个数，你给了 {row.size} 个"
    if close(row, _X / 5):
        return "这是源文（002 §4.3）的 j/5：它们加起来等于 3，不是概率。e^{1·j} 不能和分母里的 e 约掉。"
    if not close(row.sum(), 1.0):
        return f"softmax 权重之和应为 1，你的是 {row.sum():.4f}"
    if not close(row, _W1, rtol=1e-3, atol=1e-3):
        return "权重不对；w_1j = e^{x_1 x_j} / Σ_k e^{x_1 x_k}。"
    try:
        y = as_number(y1, "y1")
    except TypeError as exc:
        return str(exc)
    if close(y, 7.0):
        return "7 是源文写错的 y_1。"
    if not close(y, Y1, rtol=1e-3, atol=1e-3):
        return f"y1 = {y:.4f} 不对；y_1 = Σ_j w_1j x_j。"
    return None


q7 = Question(
    "q7", _check_row, var=("row1", "y1"),
    hints=["对向量 x_1 * x 做 softmax：`np.exp(s) / np.exp(s).sum()`。", "y1 = row1 @ x。"],
    solution="`row1 = np.exp(x[0] * x) / np.exp(x[0] * x).sum()`，`y1 = row1 @ x`（约 4.45）。",
)


# q8: scaled dot-product attention
def reference_attention(q, k, v, scale: bool = True) -> np.ndarray:
    """softmax(q k^T / sqrt(d_k)) v in numpy, for q (..., n_q, d_k), k (..., n_k, d_k), v (..., n_k, d_v)."""
    q, k, v = (np.asarray(a, dtype="float64") for a in (q, k, v))
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must share the last axis d_k, got {q.shape} and {k.shape}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of positions, got {k.shape} and {v.shape}")
    s = q @ np.swapaxes(k, -1, -2)
    if scale:
        s = s / np.sqrt(q.shape[-1])
    s = s - s.max(axis=-1, keepdims=True)
    w = np.exp(s)
    w = w / w.sum(axis=-1, keepdims=True)
    return w @ v


def _check_attention(fn):
    bad = not_a_function(fn, "scaled_attention")
    if bad:
        return bad
    rng = np.random.default_rng(8)
    q, k, v = (rng.normal(size=s).astype("float32") for s in ((2, 3, 16), (2, 5, 16), (2, 5, 4)))
    out = fn(q, k, v)
    if is_blank(out):
        raise NotAttempted("scaled_attention 里还有 ____。")
    try:
        import keras

        got = np.asarray(keras.ops.convert_to_numpy(out), dtype="float64")
    except Exception:
        return f"scaled_attention 应返回数组，而返回了 {type(out).__name__}"
    if got.shape != (2, 3, 4):
        return f"q (2, 3, 16)、k (2, 5, 16)、v (2, 5, 4) 时输出形状应为 (2, 3, 4)，你的是 {got.shape}"
    if close(got, reference_attention(q, k, v, scale=False), rtol=1e-3, atol=1e-4):
        return "忘了除以 √d_k：没有缩放时 d_k 越大 softmax 越接近独热。"
    if close(got, reference_attention(q / 16, k, v, scale=False), rtol=1e-3, atol=1e-4):
        return "应除以 √d_k（d_k = 16 时除以 4），不是除以 d_k。"
    if not close(got, reference_attention(q, k, v), rtol=1e-3, atol=1e-4):
        return "输出与 softmax(QKᵀ/√d_k)V 不符；softmax 要沿最后一个轴（键的方向）做。"
    return None


q8 = Question(
    "q8", _check_attention, var="scaled_attention",
    hints=["scores = q @ kᵀ，用 `ops.swapaxes(k, -1, -2)` 转置最后两个轴。",
           "weights = ops.softmax(scores / sqrt(d_k), axis=-1)，输出 = weights @ v。"],
    solution=("```python\nd_k = q.shape[-1]\nscores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / np.sqrt(d_k)\n"
              "return ops.matmul(ops.softmax(scores, axis=-1), v)\n```"),
)
