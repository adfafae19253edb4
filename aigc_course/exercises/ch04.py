"""Questions of exercise 04 (DCGAN 图像生成实战). "Find the bug" questions: erratum 10 (sigmoid applied
twice, data in [0, 1] against a tanh generator, display scaling) and erratum 14 (convolution on a flat
vector)."""

from __future__ import annotations

import numpy as np

from .ch03 import array_check, choice_check
from .core import NotAttempted, Question, as_number, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "LOGITS", "FAKE"]

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
    bad = not_a_function(interpolate, "interpolate")
    if bad:
        return bad
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


# q6: transposed-convolution output size s (n - 1) + k - 2p, as a function
def _q6(out_size):
    bad = not_a_function(out_size, "out_size", "out_size(n, k, s, p)")
    if bad:
        return bad
    for n, k, s, p in [(7, 4, 2, 0), (7, 4, 2, 1), (3, 3, 2, 0), (5, 3, 1, 1), (14, 5, 3, 2)]:
        want = s * (n - 1) + k - 2 * p
        got = out_size(n, k, s, p)
        if is_blank(got):
            raise NotAttempted("out_size 还返回 ____。")
        if got != want:
            if got == (n - 1) * s + k:
                return f"out_size({n}, {k}, {s}, {p}) = {got}：忘了减去两边各 p 个像素的填充（- 2p）。"
            if got == s * n:
                return f"out_size({n}, {k}, {s}, {p}) = {got}：s·n 只是 Keras padding=\"same\" 的特例。"
            return f"out_size({n}, {k}, {s}, {p}) 应为 {want}，你的函数给出 {got}。"
    return None


q6 = Question("q6", _q6, var="out_size",
              hints=["散射视角：最后一个块的左上角在 s(n - 1)，块宽 k；填充 p 从两边各裁掉 p。"],
              solution="`def out_size(n, k, s, p): return s * (n - 1) + k - 2 * p`")


# q7: build the DCGAN generator from a shape specification
def _q7(build):
    import keras

    bad = not_a_function(build, "build_generator", "build_generator(latent_dim, width)")
    if bad:
        return bad
    model = build(16, 8)
    if is_blank(model):
        raise NotAttempted("build_generator 还返回 ____。")
    if not isinstance(model, keras.Model):
        return f"build_generator 应返回一个 keras.Model，你的返回 {type(model).__name__}"
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers
              if isinstance(layer, (keras.layers.Reshape, keras.layers.Conv2DTranspose))]
    want = [(7, 7, 16), (14, 14, 8), (28, 28, 1)]
    if shapes != want:
        return f"Reshape 与转置卷积的输出形状应依次为 {want}（width=8），你的是 {shapes}"
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    if any(tuple(c.strides) != (2, 2) for c in convs):
        return "两层转置卷积的步长都应为 2（7 → 14 → 28）。"
    if any(tuple(c.kernel_size) != (4, 4) for c in convs):
        return "转置卷积核用 4×4：能被步长 2 整除，重叠均匀，避免棋盘格。"
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    if len(norms) != 2:
        return f"除输出层外每层后接批归一化：应有 2 个 BatchNormalization，你的有 {len(norms)} 个。"
    z = np.random.default_rng(0).standard_normal((4, 16)).astype("float32") * 50
    out = keras.ops.convert_to_numpy(model(z, training=False))
    if out.min() < -1 - 1e-6 or out.max() > 1 + 1e-6:
        return "输出层用 tanh，输出应落在 [-1, 1]。"
    return None


q7 = Question("q7", _q7, var="build_generator",
              hints=["Dense(7*7*2*width) → BatchNormalization → ReLU → Reshape((7, 7, 2*width))。",
                     "Conv2DTranspose(width, 4, strides=2, padding=\"same\") → BN → ReLU → Conv2DTranspose(1, 4, strides=2, padding=\"same\", activation=\"tanh\")。"],
              solution="见第 4 章第 2 节的 `build_generator`。")


# q8: how many scattered blocks cover an interior output pixel (1-D): between floor(k/s) and ceil(k/s)
def _coverage_by_counting(k: int, s: int, n: int = 12) -> tuple[int, int]:
    counts = np.zeros(s * (n - 1) + k, dtype=int)
    for i in range(n):
        counts[s * i:s * i + k] += 1
    inner = counts[k:-k]
    return int(inner.min()), int(inner.max())


def _q8(coverage):
    bad = not_a_function(coverage, "coverage", "coverage(k, s)")
    if bad:
        return bad
    for k, s in [(4, 2), (3, 2), (3, 1), (5, 2), (5, 3), (6, 3), (2, 3), (7, 4)]:
        got = coverage(k, s)
        if is_blank(got):
            raise NotAttempted("coverage 还返回 ____。")
        try:
            pair = sorted(int(v) for v in np.asarray(list(got) if isinstance(got, (set, frozenset)) else got,
                                                      dtype="float64").reshape(-1))
        except (TypeError, ValueError):
            return f"coverage({k}, {s}) 应返回两个整数 (最少, 最多)，你的返回 {got!r}"
        if len(pair) == 1:
            pair = pair * 2                     # {2} for an even overlap: the least and the most are the same
        want = _coverage_by_counting(k, s)
        if len(pair) != 2 or tuple(pair) != want:
            if tuple(pair) == (k / s, k / s) or tuple(pair) == (k // s, k // s) and want[0] != want[1]:
                return (f"coverage({k}, {s}) 应为 {want}：k 不能被 s 整除时，内部像素交替地被 ⌊k/s⌋ 和 ⌈k/s⌉ "
                        f"个块覆盖，你的给出 {tuple(pair)}。")
            return f"coverage({k}, {s}) 应为 {want}（最少、最多各被几个块覆盖），你的给出 {tuple(pair)}。"
    return None


q8 = Question("q8", _q8, var="coverage",
              hints=["一维：输入 i 的块覆盖输出 [s·i, s·i + k)。固定一个内部位置 m，数满足 s·i ≤ m < s·i + k 的 i。",
                     "个数是 ⌊k/s⌋ 或 ⌈k/s⌉；k 能被 s 整除时两者相等，重叠均匀。"],
              solution="`return k // s, -(-k // s)`（即 (⌊k/s⌋, ⌈k/s⌉)；也可以像第 4 章那样真的散射一串 1 再数）")
