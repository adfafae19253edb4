"""Questions of exercise 08 (GPT：预训练与微调——写唐诗).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. q4 is a
"find the bug" question on the source's GPT loss (SYLLABUS erratum 9).
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, as_number, close, is_blank

__all__ = ["q1", "q2", "q3", "q4", "q5", "P_TARGET", "LOGITS_T"]

# q1: the model's probabilities of the correct next characters at four positions
P_TARGET = np.array([0.5, 0.25, 0.125, 0.5])
LOSS = float(-np.mean(np.log(P_TARGET)))


def _check_q1(loss):
    try:
        v = as_number(loss, "loss")
    except TypeError as exc:
        return str(exc)
    if close(v, LOSS):
        return None
    if close(v, -np.sum(np.log(P_TARGET))):
        return "这是 4 个位置的总和；按每个字平均（除以 T = 4）。"
    if close(v, np.mean(np.log(P_TARGET))):
        return "符号反了：损失是负对数似然，-log p 为正。"
    if close(v, -np.mean(np.log(P_TARGET) + np.log(1 - P_TARGET))):
        return "这是来源文档 004 §4.3 的二元交叉熵写法；下一个字是多类别问题，只取 -log p(正确的字)。"
    if close(v, -np.mean(np.log10(P_TARGET))) or close(v, -np.mean(np.log2(P_TARGET))):
        return "请用自然对数 np.log（单位：奈特）。"
    return f"loss = {v:.4f} 不对：loss = -(1/T) Σ_t log p(x_t | x_<t)。"


q1 = Question(
    "q1", _check_q1, var="loss",
    hints=["只需要每个位置上正确的字的概率：它们就在 P_TARGET 里。", "loss = -np.mean(np.log(P_TARGET))。"],
    solution=f"`loss = -np.mean(np.log(P_TARGET))`，约等于 {LOSS:.4f} 奈特/字。")


# q2: perplexity and bits per character of that loss
def _check_q2(ppl, bpc):
    try:
        p, b = as_number(ppl, "ppl"), as_number(bpc, "bpc")
    except TypeError as exc:
        return str(exc)
    msgs = []
    if not close(p, math.exp(LOSS)):
        if close(p, 2 ** LOSS) or close(p, 10 ** LOSS):
            msgs.append("困惑度是 e 的 loss 次方（loss 以奈特为单位），用 np.exp。")
        else:
            msgs.append(f"ppl = {p:.4f} 不对：困惑度 = exp(loss)。")
    if not close(b, LOSS / math.log(2)):
        if close(b, LOSS * math.log(2)):
            msgs.append("奈特换成比特要除以 ln 2，不是乘。")
        else:
            msgs.append(f"bpc = {b:.4f} 不对：每字比特数 = loss / ln 2。")
    return " ".join(msgs) or None


q2 = Question(
    "q2", _check_q2, var=("ppl", "bpc"),
    hints=["困惑度 = e^loss；它等于模型在多少个字里“均匀地犹豫”。", "1 比特 = ln 2 奈特。"],
    solution=f"`ppl = np.exp(loss)`（{math.exp(LOSS):.3f}），`bpc = loss / np.log(2)`（{LOSS / math.log(2):.3f}）。")


# q3: implement top-k filtering
def _check_q3(top_k_filter):
    if not callable(top_k_filter):
        return f"top_k_filter 应该是一个函数，而你给的是 {type(top_k_filter).__name__}"
    cases = [(np.array([0.1, 2.0, -1.0, 1.5, 0.3]), 2), (np.array([3.0, 1.0, 2.0]), 1),
             (np.array([0.5, -0.5, 2.5, 1.0]), 4)]
    for logits, k in cases:
        out = top_k_filter(logits.copy(), k)
        if is_blank(out):
            raise NotAttempted("函数里还有 ____。")
        try:
            o = np.asarray(out, dtype="float64")
        except (TypeError, ValueError):
            return f"top_k_filter 应返回一个数组，而你返回的是 {type(out).__name__}"
        if o.shape != logits.shape:
            return f"输出应与输入形状相同 {logits.shape}（被剪掉的位置设为 -inf），而你的是 {o.shape}。"
        keep = np.argsort(-logits)[:k]
        expected = np.full_like(logits, -np.inf)
        expected[keep] = logits[keep]
        if np.array_equal(o, expected):
            continue
        kept = int(np.isfinite(o).sum())
        if np.all(np.isfinite(o)) and k < len(logits):
            return "被剪掉的位置要设为 -np.inf（这样 softmax 之后概率正好为 0），而不是保留原值。"
        if kept == k + 1:
            return f"k = {k} 时你保留了 {kept} 个：阈值应是第 k 大的值（np.sort(logits)[-k]），并用 >=。"
        if kept == k - 1:
            return f"k = {k} 时你只保留了 {kept} 个：比较时用 >= 阈值，第 k 大的那个也要保留。"
        if np.array_equal(np.isfinite(o), np.isfinite(expected)):
            return "保留下来的位置要保持原来的 logits 值不变。"
        return f"对 logits = {logits.tolist()}，k = {k}，应保留最大的 {k} 个，其余设为 -inf。"
    return None


q3 = Question(
    "q3", _check_q3, var="top_k_filter",
    hints=["第 k 大的值：np.sort(logits)[-k]。", "np.where(logits >= threshold, logits, -np.inf)。"],
    solution="```python\ndef top_k_filter(logits, k):\n    threshold = np.sort(logits)[-k]\n"
             "    return np.where(logits >= threshold, logits, -np.inf)\n```")


# q4: find the bug: which loss trains a GPT? (erratum 9)
def _check_q4(choice):
    if not isinstance(choice, str):
        return f"choice 应该是 \"A\"、\"B\" 或 \"C\" 中的一个字符串，而你给的是 {type(choice).__name__}"
    c = choice.strip().upper()
    if c == "B":
        return None
    if c == "A":
        return ("A 是来源文档 004 §4.3 的写法：二元交叉熵把下一个字当成“是/否”问题，"
                "但它是词表中 V 个字之一，应当用多类别交叉熵。")
    if c == "C":
        return "C 是模型预测分布自身的熵，与训练文本无关；最小化它只会让模型变得武断，而不是预测得准。"
    return f"请在 \"A\"、\"B\"、\"C\" 中选一个，你给的是 {choice!r}。"


q4 = Question(
    "q4", _check_q4, var="choice",
    hints=["下一个字可能是词表里 V 个字中的任意一个。", "训练目标是让训练文本的概率 ∏ p(x_t | x_<t) 尽量大。"],
    solution="`choice = \"B\"`：L = -Σ_t log p_θ(x_t | x_<t)，多类别交叉熵。")


# q5: temperature
LOGITS_T = np.array([2.0, 1.0, 0.0])
PROBS_T = np.exp(LOGITS_T / 0.5) / np.exp(LOGITS_T / 0.5).sum()


def _check_q5(probs):
    try:
        p = np.asarray(probs, dtype="float64")
    except (TypeError, ValueError):
        return f"probs 应该是一个数组，而你给的是 {type(probs).__name__}"
    if p.shape != (3,):
        return f"probs 的形状应为 (3,)，而你的是 {p.shape}。"
    if close(p, PROBS_T):
        return None
    plain = np.exp(LOGITS_T) / np.exp(LOGITS_T).sum()
    if close(p, plain):
        return "这是温度 T = 1 的结果：先把 logits 除以 T = 0.5，再做 softmax。"
    if close(p, np.exp(LOGITS_T * 0.5) / np.exp(LOGITS_T * 0.5).sum()):
        return "你把 logits 乘以了 0.5；温度是除：softmax(z / T)。"
    if close(p, plain ** (1 / 0.5)):
        return "概率的平方还要重新归一化，使三者之和为 1。"
    return "结果不对：probs = softmax(LOGITS_T / 0.5)。"


q5 = Question(
    "q5", _check_q5, var="probs",
    hints=["T < 1 会让分布更尖。", "z = LOGITS_T / 0.5；probs = np.exp(z) / np.exp(z).sum()。"],
    solution="`probs = np.exp(LOGITS_T / 0.5) / np.exp(LOGITS_T / 0.5).sum()`。")
