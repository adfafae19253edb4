"""Questions of exercise 03 (GAN 原理与第一个生成器).

Checkers return None for a right answer or a Chinese sentence saying what is wrong. "Find the bug"
questions use SYLLABUS errata 6, 11, 12 and 13. The small helpers here are shared by ch04 and ch05.
"""

from __future__ import annotations

import math

import numpy as np

from .core import Question, as_number, scalar_checker

__all__ = ["q1", "q2", "q3", "q4", "q5"]


def choice_check(name: str, answer: str, explanations: dict):
    """Checker for a single-letter choice; ``explanations`` says why each wrong letter is wrong."""
    def checker(value):
        if not isinstance(value, str) or value.strip().upper() not in explanations.keys() | {answer}:
            return f"{name} 应该是选项字母之一：{', '.join(sorted(explanations.keys() | {answer}))}，你给的是 {value!r}"
        letter = value.strip().upper()
        return None if letter == answer else explanations[letter]
    return checker


def array_check(name: str, expected, known_wrong=(), rtol: float = 1e-4):
    """Checker for an array: the shape first, then the values; ``known_wrong`` is [(array, message)]."""
    expected = np.asarray(expected, dtype="float64")

    def checker(value):
        try:
            arr = np.asarray(value, dtype="float64")
        except (TypeError, ValueError):
            return f"{name} 应该是一个数组，而你给的是 {type(value).__name__}"
        if arr.shape != expected.shape:
            return f"{name} 的形状应是 {expected.shape}，你的是 {arr.shape}"
        if np.allclose(arr, expected, rtol=rtol, atol=1e-5):
            return None
        for wrong, message in known_wrong:
            if np.allclose(arr, np.asarray(wrong, dtype="float64"), rtol=rtol, atol=1e-5):
                return message
        return f"{name} 的数值不对（最大偏差 {np.abs(arr - expected).max():.4f}）。"
    return checker


# q1: the non-saturating generator loss for D(G(z)) = [0.2, 0.5] (erratum 6: minimising it RAISES D(G(z)))
G_LOSS = -(math.log(0.2) + math.log(0.5)) / 2
q1 = Question(
    "q1",
    scalar_checker("g_loss_value", G_LOSS, {
        (math.log(0.8) + math.log(0.5)) / 2: "这是饱和损失 E[log(1 - D(G(z)))]；题目要的是非饱和损失 -E[log D(G(z))]。",
        (math.log(0.2) + math.log(0.5)) / 2: "符号反了：损失是 -E[log D(G(z))]，它是正数。",
        -(math.log(0.2) + math.log(0.5)): "要取平均（两个样本），不是求和。",
    }),
    var="g_loss_value",
    hints=["非饱和生成器损失 L_G = -mean(log D(G(z)))。", "D(G(z)) = [0.2, 0.5]，用 np.log 和 np.mean。"],
    solution="`g_loss_value = -np.mean(np.log(d_fake))`，约等于 1.1513。",
)

# q2: gradient magnitudes w.r.t. the logit at D(G(z)) = 0.05: non-saturating / saturating = 0.95 / 0.05
RATIO = 0.95 / 0.05
q2 = Question(
    "q2",
    scalar_checker("ratio", RATIO, {
        0.05 / 0.95: "比值倒过来了：题目要的是 非饱和梯度 / 饱和梯度，非饱和的那个更大。",
        1.0: "两者并不相等：饱和损失的梯度是 -σ(ℓ)，非饱和的是 -(1-σ(ℓ))。",
    }),
    var="ratio",
    hints=["对 logit ℓ 求导：d/dℓ log(1-σ(ℓ)) = -σ(ℓ)，d/dℓ [-log σ(ℓ)] = -(1-σ(ℓ))。",
           "σ(ℓ) = D(G(z)) = 0.05；取两者绝对值之比。"],
    solution="`ratio = (1 - 0.05) / 0.05`，等于 19：训练初期非饱和损失给生成器的梯度大得多。",
)

# q3: find the bug, erratum 11 (001 §5.2: Generator.forward returns .detach())
q3 = Question(
    "q3",
    choice_check("bug", "B", {
        "A": "对假样本 detach 放在判别器那一步是对的：那一步本来就不该更新生成器。",
        "C": "判别器损失用 BCE 没有问题。",
        "D": "zero_grad 放在 backward 之前是正确的写法。",
    }),
    var="bug",
    hints=["想一想：生成器那一步的损失要把梯度传回哪里？", "detach() 会切断计算图。"],
    solution="`bug = \"B\"`：`forward` 返回 `.detach()` 的结果，生成器损失的梯度无法传回生成器的参数，生成器永远学不到东西。"
             "正确做法是只在判别器那一步 detach 假样本。",
)

# q4: find the bug, errata 12-13 (the discriminator is not frozen inside the combined model)
q4 = Question(
    "q4",
    lambda changed: (
        "changed 应该是一个集合，例如 {\"G\"}。" if not isinstance(changed, (set, frozenset, list, tuple)) else
        None if set(changed) == {"G", "D"} else
        "再看一遍实验的输出：组合模型里的判别器没有被冻结，它的权重也变了。" if set(changed) == {"G"} else
        "生成器本身当然在这一步被更新了。" if set(changed) == {"D"} else
        f"集合里只能有 \"G\" 和 \"D\"，你给的是 {changed!r}"),
    var="changed",
    hints=["比较 train_on_batch 前后两个网络的权重。", "编译组合模型时判别器的 trainable 是 True。"],
    solution="`changed = {\"G\", \"D\"}`：没冻结的判别器在“生成器步”里也被训练去把假样本判为真，这正是 003 §5.2 的错误。"
             "修正：编译组合模型前设 `discriminator.trainable = False`（或像本课程那样只把梯度交给生成器的优化器）。",
)


# q5: modes covered on the ring
def _q5(modes_covered):
    try:
        v = as_number(modes_covered, "modes_covered")
    except TypeError as exc:
        return str(exc)
    if v == 3:
        return None
    if v == 8:
        return "只有计数大于 0 的模式才算被覆盖；计数为 0 的模式一个样本也没有。"
    return f"modes_covered = {v:g} 不对；数一数 counts 里大于 0 的项。"


q5 = Question("q5", _q5, var="modes_covered",
              hints=["counts[k] 是落在第 k 个模式附近的高质量样本数。", "`int((counts > 0).sum())`"],
              solution="`modes_covered = int((counts > 0).sum())`，等于 3：生成器只覆盖了 8 个模式中的 3 个。")
