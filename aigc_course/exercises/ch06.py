"""Questions of exercise 06 (变分自编码器 VAE).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. Several recognise
the source documents' mistakes (SYLLABUS errata 5 and 8) and the usual slips (variance instead of standard
deviation, a missing 1/2, a missing KL term).
"""

from __future__ import annotations

import math

import numpy as np

from .core import NotAttempted, Question, as_array, close, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "reference_reparameterise", "reference_kl", "reference_kl_gauss",
           "reference_neg_elbo_loss",
           "ELBO_EXAMPLE"]


_to_numpy = as_array


# ---- q1: reparameterisation -------------------------------------------------------------------------------
def reference_reparameterise(mu, log_var, eps):
    return np.asarray(mu) + np.exp(0.5 * np.asarray(log_var)) * np.asarray(eps)


_RNG = np.random.default_rng(6)
_MU = _RNG.normal(size=(4, 3))
_LV = _RNG.normal(size=(4, 3))
_EPS = _RNG.normal(size=(4, 3))


def _check_reparameterise(fn):
    bad = not_a_function(fn, "reparameterise")
    if bad:
        return bad
    got = _to_numpy(fn(_MU, _LV, _EPS), "reparameterise(mu, log_var, eps)")
    if got.shape != _MU.shape:
        return f"输出形状应与 mu 相同 {_MU.shape}，你的是 {got.shape}。"
    if close(got, reference_reparameterise(_MU, _LV, _EPS)):
        return None
    if close(got, _MU + np.exp(_LV) * _EPS):
        return "你乘的是方差 σ² = exp(log_var)；噪声要乘标准差 σ = exp(log_var / 2)。"
    if close(got, _MU + _LV * _EPS):
        return "log_var 是对数方差，不能直接当标准差用：σ = exp(log_var / 2)。"
    if close(got, _MU + np.sqrt(np.abs(_LV)) * _EPS):
        return "log_var 是 log σ²，先取指数：σ = exp(log_var / 2)。"
    if close(got, _MU * _EPS):
        return "z 应该是 μ 加上 σ 倍的噪声，而不是 μ 乘噪声。"
    return "结果不对：z = μ + σ · ε，其中 σ = exp(log_var / 2)。"


q1 = Question(
    "q1", _check_reparameterise, var="reparameterise",
    hints=["σ² = exp(log_var)，所以 σ = exp(log_var / 2)。", "用 `np.exp`；三个参数形状相同，逐元素运算。"],
    solution="`return mu + np.exp(0.5 * log_var) * eps`",
)


# ---- q2: the KL term -------------------------------------------------------------------------------------
def reference_kl(mu, log_var):
    mu, log_var = np.asarray(mu, "float64"), np.asarray(log_var, "float64")
    return 0.5 * np.sum(mu ** 2 + np.exp(log_var) - log_var - 1.0, axis=-1)


def _check_kl(fn):
    bad = not_a_function(fn, "kl_divergence")
    if bad:
        return bad
    got = _to_numpy(fn(_MU, _LV), "kl_divergence(mu, log_var)")
    want = reference_kl(_MU, _LV)
    if got.shape == want.shape and close(got, want):
        zero = _to_numpy(fn(np.zeros((1, 3)), np.zeros((1, 3))), "kl_divergence(0, 0)")
        if not close(zero, [0.0]):
            return "当 μ = 0、log σ² = 0（q 就是先验）时 KL 必须为 0。"
        return None
    if got.shape == () and close(got, want.sum()):
        return "要为每个样本各返回一个 KL（只对最后一维求和），形状应为 (batch,)。"
    if got.shape == () and close(got, want.mean()):
        return "要为每个样本各返回一个 KL（只对最后一维求和），而不是对整个批次取平均。"
    if got.shape == want.shape and close(got, 2 * want):
        return "少了前面的 1/2。"
    if got.shape == want.shape and close(got, want + 0.5 * _MU.shape[1]):
        return "每一维都要减去 1（求和里的 −1）。"
    sigma = np.exp(0.5 * _LV)
    source = np.sum(sigma * np.log(sigma) + _MU * np.log(np.clip(1 - sigma, 1e-12, None)), axis=-1)
    if got.shape == want.shape and close(got, source):
        return "这是源文 000 §4.2 写错的公式（勘误 5）；正确的是 ½ Σ (μ² + σ² − log σ² − 1)。"
    return f"结果不对：期望形状 {want.shape}，KL = ½ Σ (μ² + exp(log_var) − log_var − 1)。"


q2 = Question(
    "q2", _check_kl, var="kl_divergence",
    hints=["KL(N(μ, σ²) || N(0, 1)) = ½ Σ_k (μ_k² + σ_k² − log σ_k² − 1)。",
           "对最后一维求和：`np.sum(..., axis=-1)`，结果每个样本一个数。"],
    solution="`return 0.5 * np.sum(mu ** 2 + np.exp(log_var) - log_var - 1, axis=-1)`",
)


# ---- q3: one -ELBO by hand -----------------------------------------------------------------------------------
# x = [1, 0, 1]; decoder probabilities p = [0.8, 0.3, 0.6]; q(z|x) = N([0.5, -1], diag([2, 0.5]))
_RECON = -(math.log(0.8) + math.log(0.7) + math.log(0.6))
_KL = 0.5 * ((0.25 + 2 - math.log(2) - 1) + (1 + 0.5 - math.log(0.5) - 1))
ELBO_EXAMPLE = {"recon": _RECON, "kl": _KL, "neg_elbo": _RECON + _KL}


def _check_neg_elbo(value):
    if is_blank(value):
        raise NotAttempted()
    if isinstance(value, (bool, str, bytes)):
        return f"neg_elbo 应该是一个数，你给的是 {value!r}。"
    try:
        v = float(np.asarray(value, dtype="float64").reshape(()))
    except (TypeError, ValueError):
        return f"neg_elbo 应该是一个数，你给的是 {type(value).__name__}。"
    if close(v, ELBO_EXAMPLE["neg_elbo"]):
        return None
    if close(v, _RECON - _KL) or close(v, _KL - _RECON):
        return "符号错了：−ELBO = 重建负对数似然 + KL，两项都为正，相加（源文 001 §4 把 log p 加进损失，正是勘误 8）。"
    if close(v, _RECON):
        return "你只算了重建项，还要加上 KL 项。"
    if close(v, _KL):
        return "你只算了 KL 项，还要加上重建负对数似然。"
    if close(v, -(math.log(0.8) + math.log(0.3) + math.log(0.6)) + _KL):
        return "x_2 = 0 的像素，似然是 1 − p_2 = 0.7，不是 0.3。"
    return f"neg_elbo = {v:.4f} 不对；分别算重建项 −Σ log p(x_j|z) 和 KL，再相加。"


q3 = Question(
    "q3", _check_neg_elbo, var="neg_elbo",
    hints=["重建项：x_j = 1 的像素取 −log p_j，x_j = 0 的像素取 −log(1 − p_j)。",
           "KL 用 q2 的公式，σ² = [2, 0.5]。"],
    solution="`neg_elbo = -(np.log(0.8) + np.log(0.7) + np.log(0.6)) + 0.5 * np.sum(mu**2 + var - np.log(var) - 1)`，"
             f"约为 {ELBO_EXAMPLE['neg_elbo']:.4f}。",
)


# ---- q4: find the bug: a VAE loss without the KL term -------------------------------------------------------
def _nll(x, logits):
    x, logits = np.asarray(x, "float64"), np.asarray(logits, "float64")
    per_pixel = np.logaddexp(0.0, logits) - x * logits
    return per_pixel.reshape(len(x), -1).sum(axis=1)


def reference_neg_elbo_loss(x, logits, mu, log_var):
    return float(np.mean(_nll(x, logits) + reference_kl(mu, log_var)))


_X = (_RNG.uniform(size=(4, 5)) > 0.5).astype("float64")
_LOGITS = _RNG.normal(size=(4, 5))


def _check_loss(fn):
    bad = not_a_function(fn, "vae_loss")
    if bad:
        return bad
    got = _to_numpy(fn(_X, _LOGITS, _MU, _LV), "vae_loss(x, logits, mu, log_var)")
    if got.size != 1:
        return f"损失应该是一个数（对批次取平均），你的形状是 {got.shape}。"
    g = float(got.reshape(()))
    recon, kl = _nll(_X, _LOGITS), reference_kl(_MU, _LV)
    if close(g, np.mean(recon + kl)):
        return None
    if close(g, np.mean(recon)):
        return "还是没有 KL 项：没有它，后验不会贴近先验，从 N(0, I) 抽样生成就没有意义。"
    if close(g, np.mean(recon - kl)) or close(g, np.mean(kl - recon)):
        return "两项的符号要相同：损失 = 重建负对数似然 + KL。"
    if close(g, np.sum(recon + kl)):
        return "对批次取平均（mean），不要求和。"
    return "结果不对：损失 = mean(重建负对数似然 + KL)。"


q4 = Question(
    "q4", _check_loss, var="vae_loss",
    hints=["有问题的版本只返回重建项。", "把每个样本的 KL（q2 的函数）加到重建项上，再取平均。"],
    solution="`return np.mean(bernoulli_nll(x, logits) + kl_divergence(mu, log_var))`",
)


# ---- q5: what happens without the KL term (multiple choice) ------------------------------------------------------
Q5_ANSWER = "C"
Q5_WHY = {
    "A": "去掉 KL 项后重建项反而可以更小：编码器不再受先验约束。",
    "B": "重参数化与 KL 项无关，梯度照样能流过采样。",
    "D": "KL 项不是让训练变快的技巧；去掉它训练照样能跑。",
}


def _check_choice(value):
    if is_blank(value):
        raise NotAttempted()
    if not isinstance(value, str) or value.strip().upper() not in "ABCD" or len(value.strip()) != 1:
        return f"答案应该是 'A'、'B'、'C'、'D' 中的一个字母，你给的是 {value!r}。"
    v = value.strip().upper()
    if v == Q5_ANSWER:
        return None
    return Q5_WHY[v]


q5 = Question(
    "q5", _check_choice, var="answer",
    hints=["想一想生成时 z 从哪里来，训练时 z 又是从哪里来。"],
    solution="C：没有 KL 项，编码器可以把隐向量放在任何地方，训练时解码器只见过这些位置；"
             "生成时从 N(0, I) 抽出的 z 大多落在它没见过的区域。",
)


# ---- q6: derive the KL divergence between two 1-D Gaussians -----------------------------------------------
def reference_kl_gauss(m1, v1, m2, v2):
    """KL(N(m1, v1) || N(m2, v2)) for 1-D Gaussians given by their means and variances."""
    return 0.5 * (np.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1.0)


_KL_POINTS = [(0.0, 1.0, 0.0, 1.0), (1.0, 0.5, 0.0, 1.0), (-0.3, 2.0, 0.7, 0.4), (2.0, 0.1, -1.0, 3.0)]


def _check_kl_gauss(fn):
    bad = not_a_function(fn, "kl_gauss")
    if bad:
        return bad
    got = []
    for p in _KL_POINTS:
        value = fn(*p)
        if is_blank(value):
            raise NotAttempted("kl_gauss 里还有 ____。")
        got.append(float(_to_numpy(value, "kl_gauss(m1, v1, m2, v2)").reshape(())))
    got = np.array(got)
    want = np.array([reference_kl_gauss(*p) for p in _KL_POINTS])
    if close(got, want):
        return None
    if close(got, [reference_kl_gauss(m2, v2, m1, v1) for m1, v1, m2, v2 in _KL_POINTS]):
        return "你算的是 KL(p₂ ‖ p₁)：KL 不对称，期望是在 q = N(m1, v1) 下取的，log 里是 v2 / v1。"
    if close(got, 2 * want):
        return "少了前面的 1/2（高斯对数密度里的 ½）。"
    if close(got, [reference_kl_gauss(m1, v1 ** 2, m2, v2 ** 2) for m1, v1, m2, v2 in _KL_POINTS]):
        return "v1、v2 已经是方差 σ²，不要再平方。"
    if close(got, [reference_kl_gauss(m1, math.sqrt(v1), m2, math.sqrt(v2)) for m1, v1, m2, v2 in _KL_POINTS]):
        return "v1、v2 是方差；你把它们当成了标准差的平方根来用。"
    if abs(got[0]) > 1e-6:
        return f"两个分布相同（第一组参数）时 KL 必须为 0，你的函数给出 {got[0]:.4f}。"
    return "结果不对：KL = ½ [ log(v2 / v1) + (v1 + (m1 − m2)²) / v2 − 1 ]。"


q6 = Question(
    "q6", _check_kl_gauss, var="kl_gauss",
    hints=["KL = E_q[log q(z) − log p(z)]，把两个高斯的对数密度代进去。",
           "E_q[(z − m2)²] = v1 + (m1 − m2)²，E_q[(z − m1)²] = v1。"],
    solution="`return 0.5 * (np.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1)`；"
             "取 m2 = 0、v2 = 1 就得到 VAE 的 KL 项 ½(m1² + v1 − log v1 − 1)。",
)


# ---- q7: the sampling layer in keras ----------------------------------------------------------------------
def _check_sampling_layer(Layer):
    if is_blank(Layer):
        raise NotAttempted("先把 Sampling 写完。")
    if not isinstance(Layer, type):
        return f"Sampling 应该是一个类（keras.layers.Layer 的子类），而你给的是 {type(Layer).__name__}。"
    import keras

    from .core import source_of

    if "np.random" in source_of(Layer):
        return ("不要用 np.random：它在 fit() 编译的训练步里只会被执行一次，每一步都用同一份噪声。"
                "用 keras.random.normal(..., seed=self.seed_generator)。")
    layer = Layer(seed=3)
    mu = np.tile(np.array([[1.5, -2.0]], "float32"), (20000, 1))
    log_var = np.log(np.tile(np.array([[0.25, 4.0]], "float32"), (20000, 1)))
    first = layer([mu, log_var])
    if is_blank(first) or first is None:
        raise NotAttempted("call 里还有 ____（或者它没有 return）。")
    z = _to_numpy(first, "Sampling()([mu, log_var])")
    if z.shape != mu.shape:
        return f"输出形状应与 mu 相同 {mu.shape}，你的是 {z.shape}。"
    var = z.var(axis=0)
    if np.allclose(var, 0.0, atol=1e-6):
        return "输出没有随机性：z 要加上 σ 倍的标准正态噪声。"
    if np.allclose(var, [0.0625, 16.0], rtol=0.1):
        return "你乘的是方差 σ²；噪声要乘标准差 σ = exp(log_var / 2)。"
    if not (np.allclose(z.mean(axis=0), [1.5, -2.0], atol=0.1) and np.allclose(var, [0.25, 4.0], rtol=0.1)):
        return (f"z 的样本均值 {z.mean(axis=0).round(2)}、方差 {var.round(2)} 应接近 μ = [1.5, -2.0]、"
                f"σ² = [0.25, 4.0]：z = μ + exp(log_var / 2) · ε。")
    second = _to_numpy(layer([mu, log_var]), "Sampling()([mu, log_var])")
    if np.allclose(second, z):
        return "两次调用给出了同一份噪声：每次调用都要重新抽 ε（keras.random.normal 配合 SeedGenerator）。"
    if not isinstance(layer, keras.layers.Layer):
        return "Sampling 要继承 keras.layers.Layer，才能放进 keras 模型里。"
    return None


q7 = Question(
    "q7", _check_sampling_layer, var="Sampling",
    hints=["eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)。",
           "return mu + ops.exp(0.5 * log_var) * eps。"],
    solution="```python\n    def call(self, inputs):\n        mu, log_var = inputs\n"
             "        eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)\n"
             "        return mu + ops.exp(0.5 * log_var) * eps\n```",
)
