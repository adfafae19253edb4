"""Questions of exercise 03 (GAN 原理与第一个生成器).

Checkers return None for a right answer or a Chinese sentence saying what is wrong. "Find the bug"
questions use SYLLABUS errata 6, 11, 12 and 13; q9 and q10 check the bilinear game's eigenvalues and the JS
divergence of two partly overlapping uniform distributions. The small helpers here are shared by ch04 and ch05.
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, as_number, is_blank, not_a_function, scalar_checker, source_of

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "DSTAR_X", "P_DATA", "P_G", "ETA",
           "failure_curves"]


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


# q6: derive and check D*: D*(x) = p_data(x) / (p_data(x) + p_g(x)) for two 1-D Gaussians
def _gauss(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


DSTAR_X = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])
P_DATA = _gauss(DSTAR_X, 0.0, 1.0)
P_G = _gauss(DSTAR_X, 2.0, 0.75)


def _q6(d_star):
    bad = not_a_function(d_star, "d_star", "d_star(p_data, p_g)")
    if bad:
        return bad
    got = d_star(P_DATA, P_G)
    if is_blank(got):
        raise NotAttempted("d_star 还返回 ____：写出 D* 的公式。")
    got = np.asarray(got, dtype="float64")
    want = P_DATA / (P_DATA + P_G)
    if got.shape != want.shape:
        return f"d_star(p_data, p_g) 的形状应与输入相同 {want.shape}，你的是 {got.shape}"
    if np.allclose(got, want, rtol=1e-6, atol=1e-9):
        return None
    if np.allclose(got, P_G / (P_DATA + P_G), rtol=1e-6, atol=1e-9):
        return "分子用错了：D* 是样本来自真实数据的概率，分子是 p_data。"
    if np.allclose(got, P_DATA / P_G, rtol=1e-6, atol=1e-9):
        return "分母应是两个密度之和 p_data + p_g：D* 要落在 (0, 1) 里。"
    return "对 y 求 a log y + b log(1 - y) 的最大值点，a = p_data(x)，b = p_g(x)。"


q6 = Question("q6", _q6, var="d_star",
              hints=["固定 x，令 a = p_data(x)、b = p_g(x)，对 y 求导：a / y - b / (1 - y) = 0。"],
              solution="`def d_star(p_data, p_g): return p_data / (p_data + p_g)`")


# q7: write the train step yourself; it must do what the package's step does
def _q7(cls):
    import keras

    from ..models import gan

    if not isinstance(cls, type) or not issubclass(cls, gan.GAN):
        return f"MyGAN 应该是 gan.GAN 的子类，你给的是 {cls!r}"
    if "train_step" not in cls.__dict__:
        return "MyGAN 里还没有定义 train_step。"
    if "____" in source_of(cls.train_step):
        raise NotAttempted("train_step 里还有 ____。")
    if keras.backend.backend() != "tensorflow":
        return f"这道题的训练步用 tf.GradientTape 写，请在 TensorFlow 后端上检查（当前后端 {keras.backend.backend()}）。"
    x = np.random.default_rng(0).uniform(-1, 1, (16, 2)).astype("float32")
    results = []
    for model_cls in (cls, gan.GAN):
        keras.utils.set_random_seed(3)
        g = gan.build_mlp_generator(4, output_shape=(2,), hidden=(8,), output_activation=None)
        d = gan.build_mlp_discriminator(input_shape=(2,), hidden=(8,))
        d.layers[-1].bias.assign([-3.0])   # D(x) near 0.05, as early in training: the two G losses differ most
        model = model_cls(g, d, latent_dim=4, seed=3)
        model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        logs = model.fit(x, batch_size=16, epochs=1, verbose=0, shuffle=False).history
        results.append((logs, [np.array(v) for v in d.trainable_weights], [np.array(v) for v in g.trainable_weights]))
    (mine, d_mine, g_mine), (ref, d_ref, g_ref) = results
    if set(mine) != set(ref):
        return f"train_step 应返回 self.update_metrics(...) 的结果（{sorted(ref)}），你的返回 {sorted(mine)}"
    if not all(np.allclose(a, b, atol=1e-5) for a, b in zip(d_mine, d_ref)):
        return "判别器的更新与参考不同：它应最小化 losses.d_loss(real_logits, fake_logits)，假样本在带子外生成。"
    if not all(np.allclose(a, b, atol=1e-5) for a, b in zip(g_mine, g_ref)):
        return ("生成器的更新与参考不同：用新的噪声、非饱和损失 losses.g_loss_nonsaturating，"
                "只把梯度交给 g_optimizer（噪声的抽取顺序：先判别器那一步，再生成器那一步）。")
    return None


q7 = Question("q7", _q7, var="MyGAN",
              hints=["照第 3 章第 4 节的结构写：两段 `with tf.GradientTape() as tape:`。",
                     "噪声用 `keras.random.normal((n, self.latent_dim), seed=self.seed_generator)`，先为判别器抽一次，再为生成器抽一次。"],
              solution="见第 3 章第 4 节的 `LessonGAN.train_step`。")


# q8: explain an observed failure from its curves
q8 = Question(
    "q8",
    choice_check("failure", "A", {
        "B": "模式崩溃时 D(G(z)) 会大幅振荡，而不是一直贴着 0；这里判别器把每个假样本都认出来了。",
        "C": "振荡不收敛时两条损失此消彼长；这里 d_loss 一路降到 0、g_loss 一路上升，没有来回。",
        "D": "生成器停滞（判别器太弱）时 d_loss 停在 log 4 ≈ 1.39 附近、D(x) ≈ D(G(z)) ≈ 0.5；这里正相反。",
    }),
    var="failure",
    hints=["看 D(x) 和 D(G(z)) 最后停在哪里，再对照第 3 章的失败表。"],
    solution="`failure = \"A\"`：判别器完胜，D(x) → 1、D(G(z)) → 0，d_loss → 0，生成器的梯度几乎消失（饱和）。"
             "可以降低判别器学习率、加标签平滑，并检查真实数据与 tanh 输出的范围是否一致。",
)


# q9: the bilinear game min_x max_y xy: growth per step of simultaneous gradient steps = largest |eigenvalue|
ETA = 0.5
q9 = Question(
    "q9",
    scalar_checker("growth", math.sqrt(1 + ETA ** 2), {
        1.0: "这是交替更新（先 x 后 y）的特征值的模；题目问的是两人同时更新。",
        math.sqrt(1 - ETA ** 2 + ETA ** 4): "这是外推梯度（extragradient）的特征值的模，它小于 1；同时更新的半径在变大。",
        1 + ETA ** 2: "1 + η² 是特征值模的平方（行列式）；半径每步乘的是模本身，要开平方。",
        1 + ETA: "特征值是复数 1 ± iη，它的模是 √(1 + η²)，不是 1 + η。",
    }),
    var="growth",
    hints=["同时更新：x' = x - η y，y' = y + η x，写成矩阵 M = [[1, -η], [η, 1]]。",
           "半径每步乘以 M 的特征值的模：`np.abs(np.linalg.eigvals(M)).max()`。"],
    solution="`growth = np.abs(np.linalg.eigvals(np.array([[1, -eta], [eta, 1]]))).max()`，等于 √(1 + 0.25) ≈ 1.1180："
             "每一步离均衡点远 11.8 %，所以同时更新向外螺旋发散。",
)

# q10: JSD of two partly overlapping uniform distributions: min(|theta|, 1) * log 2
JSD_HALF = 0.5 * math.log(2)
q10 = Question(
    "q10",
    scalar_checker("jsd", JSD_HALF, {
        math.log(2): "log 2 是两个分布完全不重叠时的值（或者忘了 JSD 定义里的 ½）；这里它们有一半重叠。",
        0.5: "别忘了 log 2：不重叠的部分上 p / m = 2，每一处贡献 log 2。",
        0.0: "只有两个分布完全相同时 JSD 才是 0；这里它们只重叠了一半。",
        -math.log(4) + 2 * JSD_HALF: "这是 V(D*, G) = -log 4 + 2 JSD；题目问的是 JSD 本身。",
    }),
    var="jsd",
    hints=["m = (p + q) / 2。重叠处 p = q = m，对 KL 没有贡献；只属于一个分布的地方 p / m = 2。",
           "JSD = ½ KL(p‖m) + ½ KL(q‖m)，每个 KL 都是“不重叠部分的概率 × log 2”。"],
    solution="`jsd = 0.5 * np.log(2)`（约 0.3466）：U[0, 1] 与 U[0.5, 1.5] 各有一半概率落在对方之外，"
             "两个 KL 都是 0.5 log 2，取平均仍是 0.5 log 2。完全不重叠时它才到 log 2，且不再随距离变化。",
)


def failure_curves(steps: int = 400, seed: int = 0) -> dict:
    """Per-step curves (d_loss, g_loss, d_real, d_fake) of a run where the discriminator wins, for q8."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, steps)
    d_real = np.clip(0.6 + 0.39 * (1 - np.exp(-6 * t)) + 0.01 * rng.standard_normal(steps), 0.01, 0.999)
    d_fake = np.clip(0.4 * np.exp(-6 * t) + 0.003 + 0.005 * np.abs(rng.standard_normal(steps)), 0.001, 0.99)
    d_loss = -np.log(d_real) - np.log(1 - d_fake)
    g_loss = -np.log(d_fake)
    return {"d_loss": d_loss, "g_loss": g_loss, "d_real": d_real, "d_fake": d_fake}
