"""Questions of exercise 07 (自注意力与 Transformer).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. q3 is a
"find the bug" question on the source's worked example (SYLLABUS erratum 4). q6–q8 have the learner write the
chapter's code: masked scaled dot-product attention in ``keras.ops``, a causal-mask function and the forward
pass of a Transformer block; their checkers compare numbers on seeded inputs, so every correct form passes.
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, as_array, close, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "TOY_X", "reference_weights", "reference_attention"]

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


# --- q1: attention weights of the toy sequence -------------------------------------------------------------
def _check_q1(weights):
    try:
        w = as_array(weights, "weights")
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
    bad = not_a_function(attention, "attention")
    if bad:
        return bad
    rng = np.random.default_rng(4)
    q, k = rng.normal(size=(4, 8)), rng.normal(size=(6, 8))
    v = rng.normal(size=(6, 3))
    out = attention(q, k, v)
    if is_blank(out):
        raise NotAttempted("函数里还有 ____。")
    try:
        o = as_array(out, "attention(q, k, v)")
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



def _to_numpy(value, name: str):
    """A learner's array of any backend (or a tuple whose first item is the array) as float64 numpy."""
    if isinstance(value, tuple) and value and not np.isscalar(value[0]):
        value = value[0]
    if value is None:
        raise NotAttempted("函数没有 return。")
    return as_array(value, name)


# --- q6: masked scaled dot-product attention in keras.ops, with batch and head axes -----------------------
def _masked_reference(q, k, v, mask, scale=True):
    s = q @ np.swapaxes(k, -1, -2)
    if scale:
        s = s / math.sqrt(q.shape[-1])
    return _softmax_rows(np.where(mask, s, -1e9)) @ v


def _check_q6(masked_attention):
    bad = not_a_function(masked_attention, "masked_attention")
    if bad:
        return bad
    rng = np.random.default_rng(6)
    q, k = rng.normal(size=(2, 3, 4, 8)), rng.normal(size=(2, 3, 5, 8))      # (batch, heads, n, d_k)
    v = rng.normal(size=(2, 3, 5, 6))
    mask = rng.random((2, 1, 4, 5)) < 0.6
    mask[..., 0] = True                                                   # no query is fully masked
    q, k, v = (a.astype("float32") for a in (q, k, v))
    try:
        o = _to_numpy(masked_attention(q, k, v, mask), "masked_attention(q, k, v, mask)")
    except TypeError as exc:
        return str(exc)
    if o.shape != (2, 3, 4, 6):
        return (f"输出形状应为 (2, 3, 4, 6)（批量 2、3 个头、4 个查询、值向量 6 维），而你的是 {o.shape}。"
                "提示：只交换 k 的最后两个轴（ops.swapaxes(k, -1, -2)），不要用 k.T。")
    right = _masked_reference(q, k, v, mask)
    if close(o, right):
        return None
    if close(o, _masked_reference(q, k, v, mask, scale=False)):
        return "你忘了除以 √d_k（这里 d_k = 8）。"
    if close(o, _masked_reference(q, k, v, ~mask)):
        return "掩码用反了：mask 为 True 的地方是「可以看」，要把 False 处的分数换成一个很大的负数。"
    if close(o, (_softmax_rows(q @ np.swapaxes(k, -1, -2) / math.sqrt(8)) * mask) @ v):
        return ("你在 softmax 之后才乘掩码，剩下的权重之和不再是 1。"
                "应在 softmax 之前把被挡住的分数换成一个很大的负数（例如 -1e9）。")
    s = q @ np.swapaxes(k, -1, -2) / math.sqrt(8)
    if close(o, _softmax_rows(np.where(mask, s, 0.0)) @ v):
        return "被挡住的分数换成 0 并不能挡住它们：e⁰ = 1 仍然得到权重。要换成一个很大的负数（例如 -1e9）。"
    if close(o, _softmax_rows(s) @ v):
        return "结果和没有掩码时一样：掩码没有起作用。"
    return "结果不对：scores = q kᵀ / √d_k，把 mask 为 False 处的分数换成 -1e9，再沿最后一个轴做 softmax，最后乘以 v。"


q6 = Question(
    "q6", _check_q6, var="masked_attention",
    hints=["分数：ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(q.shape[-1])。",
           "掩码：ops.where(mask, scores, -1e9)；然后 ops.softmax(scores, axis=-1)，再 ops.matmul(weights, v)。"],
    solution="```python\ndef masked_attention(q, k, v, mask):\n"
             "    scores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(q.shape[-1])\n"
             "    scores = ops.where(mask, scores, -1e9)\n"
             "    weights = ops.softmax(scores, axis=-1)\n"
             "    return ops.matmul(weights, v)\n```")


# --- q7: a causal-mask function for any length -------------------------------------------------------------
def _check_q7(causal_mask):
    bad = not_a_function(causal_mask, "causal_mask")
    if bad:
        return bad
    for n in (1, 2, 5, 9):
        try:
            m = _to_numpy(causal_mask(n), f"causal_mask({n})")
        except TypeError as exc:
            return str(exc)
        if m.shape != (n, n):
            return f"causal_mask({n}) 的形状应为 ({n}, {n})，而你的是 {m.shape}。"
        m = m.astype(bool)
        right = np.tril(np.ones((n, n), dtype=bool))
        if np.array_equal(m, right):
            continue
        if np.array_equal(m, right.T):
            return f"causal_mask({n}) 方向反了：第 t 行应在第 0…t 列为 True（对角线及其下方，tril）。"
        if np.array_equal(m, np.tril(right, k=-1)):
            return f"causal_mask({n}) 的对角线也应为 True：每个位置可以看到它自己。"
        return f"causal_mask({n}) 不对：第 t 行应在第 0…t 列为 True，其余为 False。"
    return None


q7 = Question(
    "q7", _check_q7, var="causal_mask",
    hints=["先做一个全 1 的 n×n 矩阵，再只保留下三角。", "ops.tril(ops.ones((n, n))) 然后转成布尔：ops.cast(..., \"bool\")。"],
    solution="```python\ndef causal_mask(n):\n    return ops.cast(ops.tril(ops.ones((n, n))), \"bool\")\n```\n"
             "（`np.tril(np.ones((n, n), dtype=bool))` 同样正确。）")


# --- q8: the forward pass of a pre-LayerNorm causal Transformer block --------------------------------------
_SUBLAYERS = ("attn", "ln1", "ln2", "ff1", "ff2")


def _reference_block(norm_first=True, causal=True):
    import keras

    from ..models import transformer

    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 6, 16)).astype("float32")
    ref = transformer.TransformerBlock(16, 4, ff_dim=32, causal=causal, norm_first=norm_first)
    ref(x)
    # random gains and biases everywhere, so that leaving out any part changes the output
    ref.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32") + (1.0 if "gamma" in w.path else 0.0)
                     for w in ref.weights])
    return x, ref


def _check_q8(Block):
    if not isinstance(Block, type):
        return f"Block 应该是一个类（class），而你给的是 {type(Block).__name__}"
    from keras import ops

    x, ref = _reference_block()
    try:
        block = Block(16, 4, 32)
    except TypeError as exc:
        return f"Block(d_model=16, heads=4, ff_dim=32) 无法创建：{exc}"
    out = block(x)
    if is_blank(out) or out is None:
        raise NotAttempted("call 里还有 ____。")
    missing = [n for n in _SUBLAYERS if not hasattr(block, n)]
    if missing:
        return f"请保留 __init__ 里给出的子层 {missing}：检查器要把同一组权重装进去比较。"
    for n in _SUBLAYERS:
        getattr(block, n).set_weights(getattr(ref, n).get_weights())
    o = _to_numpy(block(x), "Block(...)(x)")
    if o.shape != x.shape:
        return f"输出形状应与输入相同 {x.shape}，而你的是 {o.shape}。"
    if close(o, ops.convert_to_numpy(ref(x))):
        return None
    for kwargs, reason in [({"norm_first": False}, "这是后置层归一化（LN(x + Attn(x))）：本题要前置，x + Attn(LN(x))。"),
                           ({"causal": False}, "没有用因果掩码：把 mask 传给 self.attn(..., attention_mask=mask)。")]:
        _, other = _reference_block(**kwargs)
        for n in _SUBLAYERS:
            getattr(other, n).set_weights(getattr(ref, n).get_weights())
        if close(o, ops.convert_to_numpy(other(x))):
            return reason
    return ("结果不对。前置块是两步：x = x + self.attn(self.ln1(x), attention_mask=mask)，"
            "再 x = x + self.ff2(self.ff1(self.ln2(x)))；两步都要把子层的输出加回 x（残差）。")


q8 = Question(
    "q8", _check_q8, var="Block",
    hints=["前置层归一化：先 LayerNorm，再进子层，子层的输出加回原来的 x。",
           "第一步 x = x + self.attn(self.ln1(x), attention_mask=mask)；第二步对前馈网络 ff1 → ff2 做同样的事。"],
    solution="```python\n    def call(self, x):\n        mask = transformer.causal_mask(x.shape[1])\n"
             "        x = x + self.attn(self.ln1(x), attention_mask=mask)\n"
             "        x = x + self.ff2(self.ff1(self.ln2(x)))\n        return x\n```")
