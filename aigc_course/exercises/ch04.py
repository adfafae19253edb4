"""Questions of exercise 04 (DCGAN 图像生成实战). "Find the bug" questions: erratum 10 (sigmoid applied
twice, data in [0, 1] against a tanh generator, display scaling) and erratum 14 (convolution on a flat
vector)."""

from __future__ import annotations

import numpy as np

from .ch03 import array_check, choice_check
from .core import Question, as_number

__all__ = ["q1", "q2", "q3", "q4", "q5", "LOGITS", "FAKE"]

LOGITS = np.array([-3.0, 0.0, 2.0])
FAKE = np.array([[-1.0, -0.5], [0.0, 1.0]])


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-np.asarray(v, dtype="float64")))


# q1: output sizes of Conv2DTranspose(kernel 4, stride 2) on 7x7 with padding "same" and "valid"
def _q1(same_size, valid_size):
    try:
        s, v = as_number(same_size, "same_size"), as_number(valid_size, "valid_size")
    except TypeError as exc:
        return str(exc)
    if (s, v) == (14, 16):
        return None
    if s != 14:
        return f"same_size = {s:g} 不对：padding=\"same\" 时输出 = 输入 × 步长。"
    return f"valid_size = {v:g} 不对：padding=\"valid\" 时输出 = (输入 - 1) × 步长 + 卷积核大小。"


q1 = Question("q1", _q1, var=("same_size", "valid_size"),
              hints=["转置卷积把尺寸放大约“步长”倍。", "valid: (n - 1) * s + k；same: n * s。"],
              solution="`same_size = 7 * 2` 即 14，`valid_size = (7 - 1) * 2 + 4` 即 16。")

# q2: display scaling of a tanh output
q2 = Question(
    "q2",
    array_check("shown", (FAKE + 1) / 2, [
        (np.clip(FAKE, 0, 1), "直接把 [-1, 1] 截到 [0, 1] 会把所有负值变成黑色，丢掉一半的灰度。"),
        (FAKE / 2, "只除以 2 得到 [-0.5, 0.5]，还要加 0.5。"),
        ((FAKE + 1) * 127.5, "这是 [0, 255] 的整数灰度；题目要 [0, 1]。"),
    ]),
    var="shown",
    hints=["把区间 [-1, 1] 线性映射到 [0, 1]。"],
    solution="`shown = (fake + 1) / 2`",
)

# q3: find the bug, erratum 10: D's probability is sigmoid(logit), applied once
q3 = Question(
    "q3",
    array_check("d_prob", _sigmoid(LOGITS), [
        (1 - _sigmoid(_sigmoid(LOGITS)), "这正是源文（000 §5.4）的“相似度分数”：sigmoid 用了两次，又被 1 减，意义反了。"),
        (_sigmoid(_sigmoid(LOGITS)), "sigmoid 用了两次：判别器输出已经是 logit，只需一次 sigmoid。"),
        (LOGITS, "logit 不是概率，要经过 sigmoid。"),
        (1 - _sigmoid(LOGITS), "这是判别器认为“为假”的概率。"),
    ]),
    var="d_prob",
    hints=["D(x) = 1 / (1 + exp(-logit))。"],
    solution="`d_prob = 1 / (1 + np.exp(-logits))`",
)

# q4: find the bug, erratum 10: preprocessing that matches a tanh generator
q4 = Question(
    "q4",
    choice_check("preprocess", "B", {
        "A": "x / 255 得到 [0, 1]，而 tanh 生成器输出 [-1, 1]：判别器只要看有没有负像素就能分辨真假（000 §5.2 的错误）。",
        "C": "标准化后的数据没有固定的范围，会超出 tanh 能输出的 [-1, 1]。",
        "D": "x / 127.5 得到 [0, 2]，范围不对。",
    }),
    var="preprocess",
    hints=["生成器最后一层是 tanh。"],
    solution="`preprocess = \"B\"`：x / 127.5 - 1 把 [0, 255] 映射到 [-1, 1]，与 tanh 的输出范围一致。",
)


# q5: linear interpolation in the latent space
def _q5(interpolate):
    if not callable(interpolate):
        return f"interpolate 应该是一个函数，你给的是 {type(interpolate).__name__}"
    z0, z1 = np.array([0.0, 2.0]), np.array([4.0, -2.0])
    for t, want in [(0.0, z0), (1.0, z1), (0.25, np.array([1.0, 1.0]))]:
        got = np.asarray(interpolate(z0, z1, t), dtype="float64")
        if got.shape != want.shape or not np.allclose(got, want):
            if t == 0.0 and np.allclose(got, z1):
                return "t = 0 时应得到 z0，t = 1 时得到 z1；你的两端反了。"
            return f"interpolate(z0, z1, {t}) 应为 {want.tolist()}，你的函数给出 {got.tolist()}。"
    return None


q5 = Question("q5", _q5, var="interpolate",
              hints=["z_t = (1 - t) z0 + t z1。"],
              solution="`return (1 - t) * z0 + t * z1`")
