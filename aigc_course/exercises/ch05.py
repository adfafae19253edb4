"""Questions of exercise 05 (条件生成与训练稳定性). "Find the bug": erratum 14 (the same real batch at
every step, 1000 discriminator steps per generator step)."""

from __future__ import annotations

import numpy as np

from .ch03 import array_check, choice_check
from .core import Question, scalar_checker

__all__ = ["q1", "q2", "q3", "q4", "q5", "EPS", "REAL", "FAKE"]

NORMS = np.array([0.5, 1.0, 2.0])
GP = float(np.mean((NORMS - 1.0) ** 2))
EPS = np.array([0.25, 0.5]).reshape(2, 1, 1, 1)
REAL = np.ones((2, 2, 2, 1))
FAKE = -np.ones((2, 2, 2, 1))

# q1: gradient penalty from per-example gradient norms
q1 = Question(
    "q1",
    scalar_checker("gp", GP, {
        float(np.mean(NORMS ** 2 - 1.0)): "先减 1 再平方：(‖g‖ - 1)²，不是 ‖g‖² - 1。",
        float(np.sum((NORMS - 1.0) ** 2)): "要取平均，不是求和。",
        float(np.mean(np.abs(NORMS - 1.0))): "惩罚是平方 (‖g‖ - 1)²，不是绝对值。",
    }),
    var="gp",
    hints=["GP = mean((‖∇f(x̂)‖ - 1)²)。", "范数已经给出：[0.5, 1.0, 2.0]。"],
    solution="`gp = np.mean((norms - 1) ** 2)`，约等于 0.4167。",
)

# q2: critic loss E[f(G(z))] - E[f(x)]
q2 = Question(
    "q2",
    scalar_checker("critic_loss", -2.0, {
        2.0: "符号反了：评论家要让真样本分数高、假样本分数低，所以最小化 E[f(G(z))] - E[f(x)]。",
        0.5: "这是生成器的损失 -E[f(G(z))]。",
    }),
    var="critic_loss",
    hints=["评论家损失 = mean(f(fake)) - mean(f(real))。"],
    solution="`critic_loss = np.mean(fake_scores) - np.mean(real_scores)`，等于 -2.0。",
)

# q3: labels of a 10 x 8 grid, one class per row
ROWS = np.repeat(np.arange(10), 8)
q3 = Question(
    "q3",
    array_check("labels", ROWS, [
        (np.tile(np.arange(10), 8), "这样每行会出现 8 个不同的类别；按行排列时，同一行的 8 个标签应该相同。"),
    ]),
    var="labels",
    hints=["网格按行填充：前 8 个图像是第 0 行。", "`np.repeat` 把每个元素重复若干次。"],
    solution="`labels = np.repeat(np.arange(10), 8)`",
)

# q4: find the bug, erratum 14 (004 §5.2)
q4 = Question(
    "q4",
    choice_check("fix", "C", {
        "A": "把步数从 1000 改成 10000 不解决问题：判别器看到的仍然是同样的 32 张图。",
        "B": "每步生成新的噪声是对的，但源代码的问题在真实图像那边。",
        "D": "让判别器每一步都走 1000 步，生成器才走 1 步，只会让判别器完胜、生成器得不到有用的梯度。",
    }),
    var="fix",
    hints=["源代码在循环外取了一次 `real = x_train[:32]`。"],
    solution="`fix = \"C\"`：每一步取一个新的随机批次（或者像本课程那样交给 `fit()` 每个 epoch 打乱、遍历全部数据）。",
)

# q5: random interpolates for the gradient penalty
q5 = Question(
    "q5",
    array_check("x_hat", EPS * REAL + (1 - EPS) * FAKE, [
        ((1 - EPS) * REAL + EPS * FAKE, "权重放反了也是合法的插值，但按本章的约定 x̂ = ε x + (1 - ε) G(z)。"),
        (0.5 * REAL + 0.5 * FAKE, "ε 是每个样本各自随机取的，不是固定的 0.5。"),
    ]),
    var="x_hat",
    hints=["x̂ = ε · real + (1 - ε) · fake；ε 的形状 (n, 1, 1, 1) 会自动广播。"],
    solution="`x_hat = eps * real + (1 - eps) * fake`",
)
