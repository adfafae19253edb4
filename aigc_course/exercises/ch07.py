"""Questions of exercise 07 (自注意力与 Transformer).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. q3 is a
"find the bug" question on the source's worked example (SYLLABUS erratum 4).
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, close, is_blank

__all__ = ["q1", "q2", "q3", "q4", "q5", "TOY_X", "reference_weights", "reference_attention"]

# The toy sequence of q1: 3 positions, 2 features each.
TOY_X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def reference_weights(x: np.ndarray) -> np.ndarray:
    """softmax(x xᵀ / √d) row by row."""
    x = np.asarray(x, dtype="float64")
    return _softmax_rows(x @ x.T / math.sqrt(x.shape[-1]))


def reference_attention(q, k, v) -> np.ndarray:
    q, k, v = (np.asarray(a, dtype="float64") for a in (q, k, v))
    return _softmax_rows(q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])) @ v


def _array(value, name: str):
    try:
        return np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} 应该是一个数组，而你给的是 {type(value).__name__}") from None


# --- q1: attention weights of the toy sequence -------------------------------------------------------------
def _check_q1(weights):
    try:
        w = _array(weights, "weights")
    except TypeError as exc:
        return str(exc)
    if w.shape != (3, 3):
        return f"weights 的形状应为 (3, 3)（3 个查询 × 3 个键），而你的是 {w.shape}。"
    right = reference_weights(TOY_X)
    if close(w, right):
        return None
    if close(w, _softmax_rows(TOY_X @ TOY_X.T)):
        return "你忘了除以 √d_k（这里 d_k = 2）。"
    if close(w, TOY_X @ TOY_X.T / math.sqrt(2)) or close(w, TOY_X @ TOY_X.T):
        return "这还是打分（点积），没有经过 softmax：每一行的权重之和应为 1。"
    if close(w, _softmax_rows((TOY_X @ TOY_X.T / math.sqrt(2)).T).T):
        return "softmax 应沿每一行（对所有键，axis=-1）归一化，你沿列做了。"
    if not np.allclose(w.sum(axis=-1), 1.0, atol=1e-3):
        return f"每一行的权重之和应为 1，而你的行和是 {np.round(w.sum(axis=-1), 3).tolist()}。"
    return "数值不对：先算 scores = x xᵀ / √2，再对每一行做 softmax。"


q1 = Question(
    "q1", _check_q1, var="weights",
    hints=["scores = x @ x.T / np.sqrt(d_k)，其中 d_k = x.shape[1]。",
           "softmax 沿最后一个轴：np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)。"],
    solution="```python\nscores = x @ x.T / np.sqrt(x.shape[1])\n"
             "weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)\n```")


# --- q2: causal mask ---------------------------------------------------------------------------------------
def _check_q2(mask):
    try:
        m = np.asarray(mask)
    except Exception:
        return f"mask 应该是一个数组，而你给的是 {type(mask).__name__}"
    if m.shape != (5, 5):
        return f"mask 的形状应为 (5, 5)，而你的是 {m.shape}。"
    m = m.astype(bool)
    right = np.tril(np.ones((5, 5), dtype=bool))
    if np.array_equal(m, right):
        return None
    if np.array_equal(m, right.T):
        return "方向反了：位置 t 只能看到位置 0…t，所以 True 应在对角线及其下方（np.tril），不是上方。"
    if np.array_equal(m, np.tril(np.ones((5, 5), dtype=bool), k=-1)):
        return "对角线也应为 True：每个位置可以看到它自己。"
    return "掩码不对：第 t 行应在第 0…t 列为 True，其余为 False。"


q2 = Question(
    "q2", _check_q2, var="mask",
    hints=["第 t 行表示第 t 个位置能看哪些位置。", "np.tril 保留下三角（含对角线）。"],
    solution="`mask = np.tril(np.ones((5, 5), dtype=bool))`")


# --- q3: find the bug in the source's worked example (erratum 4) -------------------------------------------
_X5 = np.arange(1.0, 6.0)
Y1 = float(_softmax_rows(np.outer(_X5, _X5))[0] @ _X5)


def _check_q3(y1):
    if isinstance(y1, (bool, str, bytes)):
        return f"y1 应该是一个数，而你给的是 {type(y1).__name__}"
    try:
        v = float(np.asarray(y1, dtype="float64").reshape(()))
    except (TypeError, ValueError):
        return f"y1 应该是一个数，而你给的是 {type(y1).__name__}"
    if abs(v - Y1) < 5e-3:
        return None
    if abs(v - 7.0) < 1e-6:
        return "7 正是来源文档（002 §4.3）的错误结果：它把 e^{1·j} 当成了 j·e，权重 j/5 之和是 3 而不是 1。"
    if abs(v - 3.0) < 1e-6:
        return "3 是所有 x 的平均值（均匀权重 1/5），但权重应当是 e^{x_1 x_j} 的 softmax。"
    if abs(v - 5.0) < 1e-3:
        return "只有 x_5 得到全部权重时 y_1 才等于 5；softmax 给其他位置的权重虽小但不为 0。"
    return f"y1 = {v:.4f} 不对：先算 w_1j = e^(1·j) / Σ_k e^(1·k)，再算 y_1 = Σ_j w_1j · x_j。"


q3 = Question(
    "q3", _check_q3, var="y1",
    hints=["对 x_1 = 1，打分就是 1·x_j = j。", "w = np.exp(x) / np.exp(x).sum(); y1 = w @ x。"],
    solution=f"`w1 = np.exp(1 * x) / np.exp(1 * x).sum()`，`y1 = w1 @ x`，约等于 {Y1:.2f}（来源文档写成 7 是错的）。")


# --- q4: write scaled dot-product attention --------------------------------------------------------------
def _check_q4(attention):
    if not callable(attention):
        return f"attention 应该是一个函数，而你给的是 {type(attention).__name__}"
    rng = np.random.default_rng(4)
    q, k = rng.normal(size=(4, 8)), rng.normal(size=(6, 8))
    v = rng.normal(size=(6, 3))
    out = attention(q, k, v)
    if is_blank(out):
        raise NotAttempted("函数里还有 ____。")
    try:
        o = _array(out, "attention(q, k, v)")
    except TypeError as exc:
        return str(exc)
    if o.shape != (4, 3):
        return f"输出形状应为 (4, 3)（4 个查询，值向量 3 维），而你的是 {o.shape}。"
    if close(o, reference_attention(q, k, v)):
        return None
    if close(o, _softmax_rows(q @ k.T) @ v):
        return "你忘了除以 √d_k（这里 d_k = 8）。"
    if close(o, (q @ k.T / math.sqrt(8)) @ v):
        return "打分之后要先做 softmax，再乘以 v。"
    return "结果不对：softmax(q kᵀ / √d_k) v，softmax 沿最后一个轴。"


q4 = Question(
    "q4", _check_q4, var="attention",
    hints=["d_k = q.shape[-1]。", "scores = q @ k.T / np.sqrt(d_k)；weights 用行 softmax；return weights @ v。"],
    solution="```python\ndef attention(q, k, v):\n    scores = q @ k.T / np.sqrt(q.shape[-1])\n"
             "    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))\n"
             "    weights = weights / weights.sum(axis=-1, keepdims=True)\n    return weights @ v\n```")


# --- q5: parameters of a multi-head self-attention layer ----------------------------------------------------
N_PARAMS = 4 * (16 * 16 + 16)


def _check_q5(n_params):
    if isinstance(n_params, bool) or not isinstance(n_params, (int, np.integer, float)):
        return f"n_params 应该是一个整数，而你给的是 {type(n_params).__name__}"
    if n_params == N_PARAMS:
        return None
    if n_params == 4 * 16 * 16:
        return "你漏了偏置：Q、K、V 和输出投影各有一个长度为 16 的偏置。"
    if n_params == 3 * (16 * 16 + 16):
        return "别忘了最后把各头拼起来之后的输出投影 W^O（以及它的偏置）。"
    if n_params == 4 * (4 * 16 * 16 + 16):
        return "多头并不会让参数变成 4 倍：4 个头各用 d_model / heads = 4 维，合起来仍是 16 × 16。"
    return f"{n_params} 不对：数一数 W^Q、W^K、W^V、W^O 四个 16 × 16 矩阵和它们的偏置。"


q5 = Question(
    "q5", _check_q5, var="n_params",
    hints=["每个头的 key_dim = 16 / 4 = 4，4 个头拼起来是 16 维。",
           "Q、K、V 投影各是 16×16 的权重加 16 个偏置，输出投影也一样。"],
    solution="`n_params = 4 * (16 * 16 + 16)`，即 1088，可用 `layer.count_params()` 验证。")
