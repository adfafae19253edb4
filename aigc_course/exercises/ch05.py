"""Questions of exercise 05 (条件生成与训练稳定性). "Find the bug": erratum 14 (the same real batch at
every step, 1000 discriminator steps per generator step). q7-q8: the Wasserstein distance by hand (1-D
earth mover, parallel lines); q9: explain a failed WGAN run from its critic curve."""

from __future__ import annotations

import numpy as np

from .ch03 import array_check, choice_check
from .core import NotAttempted, Question, as_number, is_blank, not_a_function, scalar_checker

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "EPS", "REAL", "FAKE", "P_POS", "Q_POS", "THETA"]

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

# q5: random interpolates for the gradient penalty; both weightings are correct (eps and 1 - eps are
# identically distributed when eps ~ U(0, 1))
def _q5(x_hat):
    forms = (EPS * REAL + (1 - EPS) * FAKE, (1 - EPS) * REAL + EPS * FAKE)
    results = [array_check("x_hat", form, [
        (0.5 * REAL + 0.5 * FAKE, "ε 是每个样本各自随机取的，不是固定的 0.5。"),
        (EPS * REAL + EPS * FAKE, "两项的权重之和应为 1：ε 和 1 - ε。"),
    ])(x_hat) for form in forms]
    return None if None in results else results[0]


q5 = Question(
    "q5", _q5, var="x_hat",
    hints=["x̂ = ε · real + (1 - ε) · fake；ε 的形状 (n, 1, 1, 1) 会自动广播。"],
    solution="`x_hat = eps * real + (1 - eps) * fake`（写成 `(1 - eps) * real + eps * fake` 也对：ε 与 1 - ε 同分布）",
)


# q6: implement the gradient penalty for a critic (a keras model) at given interpolation weights
def _penalty_reference(x_hat):
    # the test critic is f(x) = 0.5 * sum(x^2), so grad f(x_hat) = x_hat
    norms = np.sqrt((x_hat.reshape(len(x_hat), -1) ** 2).sum(axis=1))
    return float(np.mean((norms - 1.0) ** 2))


def _q6(gradient_penalty):
    import keras

    bad = not_a_function(gradient_penalty, "gradient_penalty", "gradient_penalty(critic, real, fake, eps)")
    if bad:
        return bad
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
    fake = rng.uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
    eps = rng.uniform(0, 1, (4, 1, 1, 1)).astype("float32")
    x = keras.Input((3, 3, 1))
    critic = keras.Model(x, keras.layers.Lambda(lambda t: 0.5 * keras.ops.sum(keras.ops.square(t), axis=(1, 2, 3)))(x))
    value = gradient_penalty(critic, real, fake, eps)
    if is_blank(value):
        raise NotAttempted("gradient_penalty 还返回 ____。")
    got = as_number(keras.ops.convert_to_numpy(value), "gradient_penalty(...)")
    right = [_penalty_reference(eps * real + (1 - eps) * fake), _penalty_reference((1 - eps) * real + eps * fake)]
    if any(abs(got - r) <= 1e-4 * max(1.0, abs(r)) for r in right):
        return None
    x_hat = eps * real + (1 - eps) * fake
    norms = np.sqrt((x_hat.reshape(4, -1) ** 2).sum(axis=1))
    if abs(got - float(np.mean(norms ** 2 - 1.0))) < 1e-4:
        return "先减 1 再平方：(‖∇f(x̂)‖ - 1)²，不是 ‖∇f(x̂)‖² - 1。"
    if abs(got - float(np.mean((np.sqrt((real.reshape(4, -1) ** 2).sum(axis=1)) - 1.0) ** 2))) < 1e-4:
        return "梯度要在插值点 x̂ 处求，不是在真实样本处。"
    return f"gradient_penalty(...) = {got:.4f}，与参考值 {right[0]:.4f} 不符；范数按每个样本计算，再对样本取平均。"


q6 = Question("q6", _q6, var="gradient_penalty",
              hints=["x̂ = eps * real + (1 - eps) * fake；在 `tf.GradientTape` 里 `tape.watch(x_hat)`，再对 critic(x_hat) 求梯度。",
                     "每个样本的梯度展平成一行求 L2 范数，惩罚是 mean((norm - 1)²)。"],
              solution="见第 5 章 2.1 节的 `gradient_penalty`（把随机的 eps 换成参数 eps）。")


# q7: 1-D earth mover's distance: p puts 1/2 at 0 and 3, q puts 1/2 at 1 and 2
P_POS, Q_POS = np.array([0.0, 3.0]), np.array([1.0, 2.0])
q7 = Question(
    "q7",
    scalar_checker("w", 1.0, {
        0.0: "两个分布的均值都是 1.5，但均值相同不等于分布相同：土还是要搬，W 不是均值之差。",
        2.0: "这是交叉搬运（0→2、3→1）的代价；最省的方案不交叉：0→1、3→2。",
        4.0: "每份土只有 1/2：代价要乘以搬运的土量（或对配对取平均），不是把距离直接相加。",
    }),
    var="w",
    hints=["一维时最优方案不交叉：把两组位置各自排序，再一一配对。",
           "W = mean(|sort(p) - sort(q)|)，也等于两条 CDF 之间的面积。"],
    solution="`w = np.mean(np.abs(np.sort(p_pos) - np.sort(q_pos)))`，等于 1.0：0→1 和 3→2 各搬 1/2 份土、各走 1。",
)

# q8: parallel lines: JS and W at theta
THETA = -0.3
q8 = Question(
    "q8",
    scalar_checker("w_lines", abs(THETA), {
        THETA: "距离不会是负数：W = |θ|。",
        float(np.log(2)): "log 2 是 JS 散度在 θ ≠ 0 时的值；题目问的是 Wasserstein 距离。",
        THETA ** 2: "每个点水平搬运 |θ|，代价是距离本身（W₁），不是距离的平方。",
    }),
    var="w_lines",
    hints=["把竖线 x = θ 上的每个点水平搬到 x = 0，每个点走多远？"],
    solution="`w_lines = abs(theta)`，等于 0.3；这时 JS 散度仍然是 log 2 ≈ 0.693，与 θ 无关。",
)

# q9: explain an observed failure from the critic's curve
q9 = Question(
    "q9",
    choice_check("cause", "B", {
        "A": "n_critic 太小时评论家跟不上生成器，估计值偏低、贴近 0，而不是一路涨到几千。",
        "C": "生成器学习率太大会让样本和估计值来回跳，但评论家的分数受 Lipschitz 约束，不会无界地增长。",
        "D": "训练太短时估计值还在上升，但停在与数据尺度相当的几个单位内；几千说明评论家的坡度已经远大于 1。",
    }),
    var="cause",
    hints=["1-Lipschitz 的评论家，分数差不会超过两个分布之间的搬运距离；像素在 [-1, 1] 里，距离是几十的量级。",
           "什么东西本该把评论家的坡度拉回 1？"],
    solution="`cause = \"B\"`：没有 Lipschitz 约束（这里 gp_weight 被设成了 0），评论家只要把分数放大就能让差无限增大，"
             "估计值一路涨、插值点上的梯度范数远大于 1，生成器得到的梯度也随之失控。恢复 λ = 10，并检查评论家里没有批归一化。",
)
