"""Questions of exercise 11 (扩散模型（进阶）).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. The "find the bug"
question recognises the three classic diffusion slips: a square root missing on abar_t, a step index off by
one, and classifier-free guidance with the wrong sign.
"""

from __future__ import annotations

import numpy as np

from .core import NotAttempted, Question, as_array, as_number, close, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "BETAS", "STEP", "GUIDANCE_TABLE", "reference_q_sample",
           "reference_ddim_step"]

BETAS = np.linspace(0.02, 0.2, 10)
"""The toy schedule of q1: T = 10 steps, beta_t from 0.02 to 0.2 (step indices 0 … 9)."""
STEP = 4
"""q1 asks for abar and the noise level at this step index (the fifth step)."""

GUIDANCE_TABLE = {
    "w": [0.0, 1.0, 1.5, 2.5],
    "class_accuracy": [0.114, 0.754, 0.844, 0.74],
    "within_class_spread": [1.2827, 0.8903, 0.838, 1.0158],
    "FID": [10.2415, 5.7209, 4.1547, 7.5118],
}
"""Chapter 11's guidance table (section 8) as recorded by its standard-profile run of 2026-12-07 (TensorFlow,
a 2-core CPU, FiLM U-Net, batch 32, 400 s / 4246 steps of training, 500 samples per scale from the same x_T,
20 DDIM steps). Class accuracy rises from w = 0 to a middle w and falls again beyond it (the samples are
pushed past the data range and clipped); that rise and fall is what the question is about."""


# ---- q1: abar_t and the noise level --------------------------------------------------------------------
def _check_abar(alpha_bar_t, noise_level):
    try:
        a = as_number(alpha_bar_t, "alpha_bar_t")
        s = as_number(noise_level, "noise_level")
    except TypeError as exc:
        return str(exc)
    abar = np.cumprod(1 - BETAS)
    want = abar[STEP]
    if not close(a, want):
        if close(a, abar[STEP - 1]):
            return f"差了一步：第 {STEP} 步（从 0 数起）的 ᾱ 要把 α_0 … α_{STEP} 全部乘进去，共 {STEP + 1} 项。"
        if close(a, abar[STEP + 1]):
            return f"多乘了一步：ᾱ_{STEP} = α_0 · … · α_{STEP}，共 {STEP + 1} 项。"
        if close(a, 1 - BETAS[STEP]):
            return "这只是这一步的 α_t = 1 − β_t；ᾱ_t 是从第一步到第 t 步所有 α 的乘积。"
        if close(a, 1 - BETAS[:STEP + 1].sum()):
            return "ᾱ_t 是 (1 − β) 的连乘，不是 1 减去 β 的和（β 小时两者接近，但并不相等）。"
        return f"ᾱ_{STEP} 不对：ᾱ_t = ∏_(s≤t) (1 − β_s)。"
    if close(s, 1 - want):
        return "1 − ᾱ_t 是噪声的方差；噪声水平（x_t 里噪声的标准差）要开平方：√(1 − ᾱ_t)。"
    if close(s, np.sqrt(want)):
        return "√ᾱ_t 是信号的系数；噪声的系数是 √(1 − ᾱ_t)。"
    if not close(s, np.sqrt(1 - want)):
        return "噪声水平不对：x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε，噪声水平是 √(1 − ᾱ_t)。"
    return None


q1 = Question(
    "q1", _check_abar, var=("alpha_bar_t", "noise_level"),
    hints=["α_t = 1 − β_t，ᾱ_t = α_0 · α_1 · … · α_t；`np.cumprod` 一次算出所有步。",
           "噪声水平是 x_t 中噪声项的系数（标准差），不是方差。"],
    solution="`alpha_bar_t = np.cumprod(1 - betas)[4]`，`noise_level = np.sqrt(1 - alpha_bar_t)`",
)


# ---- q2: forward noising -----------------------------------------------------------------------------------
def reference_q_sample(x0, t, eps, abar):
    a = np.asarray(abar, "float64")[np.asarray(t)].reshape(-1, *([1] * (np.ndim(x0) - 1)))
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps


_RNG = np.random.default_rng(11)
_X0 = _RNG.uniform(-1, 1, (3, 4, 4, 1))
_EPS = _RNG.standard_normal((3, 4, 4, 1))
_T = np.array([0, 5, 9])
_ABAR = np.cumprod(1 - BETAS)


def _check_q_sample(fn):
    bad = not_a_function(fn, "q_sample")
    if bad:
        return bad
    got = as_array(fn(_X0, _T, _EPS, _ABAR), "q_sample(x0, t, eps, abar)")
    if got.shape != _X0.shape:
        return f"输出形状应与 x0 相同 {_X0.shape}，你的是 {got.shape}（ᾱ_t 要变形成 (batch, 1, 1, 1) 才能逐张图广播）。"
    if close(got, reference_q_sample(_X0, _T, _EPS, _ABAR)):
        return None
    a = _ABAR[_T].reshape(-1, 1, 1, 1)
    if close(got, a * _X0 + (1 - a) * _EPS):
        return "ᾱ_t 和 1 − ᾱ_t 都是方差份额，系数要开平方：√ᾱ_t x_0 + √(1 − ᾱ_t) ε。"
    if close(got, a * _X0 + np.sqrt(1 - a) * _EPS):
        return "信号的系数少了平方根：应为 √ᾱ_t x_0。"
    prev = np.concatenate([[1.0], _ABAR[:-1]])[_T].reshape(-1, 1, 1, 1)
    if close(got, np.sqrt(prev) * _X0 + np.sqrt(1 - prev) * _EPS):
        return "取的是上一步的 ᾱ（下标差一）：用 abar[t]。"
    return "结果不对：x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε，ᾱ_t 按每张图自己的 t 取。"


q2 = Question(
    "q2", _check_q_sample, var="q_sample",
    hints=["`a = abar[t].reshape(-1, 1, 1, 1)` 让每张图用自己的 ᾱ_t。", "返回 `np.sqrt(a) * x0 + np.sqrt(1 - a) * eps`。"],
    solution="```python\na = abar[t].reshape(-1, 1, 1, 1)\nreturn np.sqrt(a) * x0 + np.sqrt(1 - a) * eps\n```",
)


# ---- q3: one DDIM update ------------------------------------------------------------------------------------
def reference_ddim_step(x_t, eps, abar_t, abar_s):
    x0 = (x_t - np.sqrt(1 - abar_t) * eps) / np.sqrt(abar_t)
    return np.sqrt(abar_s) * x0 + np.sqrt(1 - abar_s) * eps


def _check_ddim(fn):
    bad = not_a_function(fn, "ddim_step")
    if bad:
        return bad
    x_t, eps, at, as_ = _X0 * 0.7 + 0.3 * _EPS, _EPS[::-1].copy(), 0.3, 0.8
    got = as_array(fn(x_t, eps, at, as_), "ddim_step(x_t, eps, abar_t, abar_s)")
    want = reference_ddim_step(x_t, eps, at, as_)
    if got.shape == want.shape and close(got, want):
        return None
    x0 = (x_t - np.sqrt(1 - at) * eps) / np.sqrt(at)
    if close(got, x0):
        return "你返回的是 x̂_0；DDIM 还要把它“重新加噪”到 s 步：√ᾱ_s x̂_0 + √(1 − ᾱ_s) ε̂。"
    if close(got, np.sqrt(as_) * x0 + np.sqrt(1 - at) * eps):
        return "方向项要用目标步的噪声水平 √(1 − ᾱ_s)，不是 √(1 − ᾱ_t)。"
    if close(got, as_ * ((x_t - (1 - at) * eps) / at) + (1 - as_) * eps):
        return "少了平方根：x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t，x_s = √ᾱ_s x̂_0 + √(1 − ᾱ_s) ε̂。"
    return "结果不对：先 x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t，再 x_s = √ᾱ_s x̂_0 + √(1 − ᾱ_s) ε̂（η = 0）。"


q3 = Question(
    "q3", _check_ddim, var="ddim_step",
    hints=["第一步：由闭式解反解出 x̂_0。", "第二步：用同一个 ε̂ 按目标步 s 的闭式解重新组合（η = 0 时不加新噪声）。"],
    solution="```python\nx0 = (x_t - np.sqrt(1 - abar_t) * eps) / np.sqrt(abar_t)\n"
             "return np.sqrt(abar_s) * x0 + np.sqrt(1 - abar_s) * eps\n```",
)


# ---- q4: find the bugs ---------------------------------------------------------------------------------------
def _check_fixes(fixed_noisy, fixed_timesteps, fixed_guidance):
    for fn, name in ((fixed_noisy, "fixed_noisy"), (fixed_timesteps, "fixed_timesteps"),
                     (fixed_guidance, "fixed_guidance")):
        bad = not_a_function(fn, name)
        if bad:
            return bad
    # (a) the square root on abar_t
    x0, eps, a = _X0[0], _EPS[0], 0.36
    got = as_array(fixed_noisy(x0, eps, a), "fixed_noisy(x0, eps, abar_t)")
    if close(got, a * x0 + np.sqrt(1 - a) * eps):
        return "(a) 还没修好：信号的系数要开平方，√ᾱ_t · x0；否则 x_t 的方差不再是 1。"
    if not close(got, np.sqrt(a) * x0 + np.sqrt(1 - a) * eps):
        return "(a) 不对：x_t = √ᾱ_t x0 + √(1 − ᾱ_t) ε。"
    # (b) the step list: T - 1 down to 0, `steps` of them
    got = as_array(fixed_timesteps(1000, 5), "fixed_timesteps(1000, 5)")
    want = np.array([999, 749, 500, 250, 0])
    if got.shape == (5,) and close(got, [1000, 750, 500, 250, 0]):
        return "(b) 还差一：训练的步数下标是 0 … T−1，从 T 开始会越界（abar[1000] 不存在）。"
    if got.shape == (5,) and (close(got, [999, 749, 499, 249, -1]) or close(got, [999, 750, 500, 250, 1])):
        return "(b) 还差一：最后一步必须落在 t = 0，第一步落在 t = T − 1。"
    if got.shape != want.shape or not close(got, want, atol=1.01):
        return "(b) 不对：应从 T − 1 到 0 均匀取 steps 个步数（从大到小），例如 T=1000、steps=5 时为 999, 749, 500, 250, 0。"
    # (c) the sign of guidance
    e_l, e_n = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    got = as_array(fixed_guidance(e_l, e_n, 3.0), "fixed_guidance(eps_label, eps_null, w)")
    if close(got, e_n - 3.0 * (e_l - e_n)) or close(got, e_l + 3.0 * (e_n - e_l)):
        return "(c) 符号还是反的：引导要沿 ε_label − ε_null 的方向外推，ε_null + w (ε_label − ε_null)。"
    if not close(got, e_n + 3.0 * (e_l - e_n)):
        return "(c) 不对：ε̃ = ε_null + w (ε_label − ε_null)；w = 1 时应正好等于 ε_label。"
    return None


q4 = Question(
    "q4", _check_fixes, var=("fixed_noisy", "fixed_timesteps", "fixed_guidance"),
    hints=["(a) 看方差：ᾱ_t 是方差份额，系数是它的平方根。",
           "(b) `abar` 有 T 个元素，下标 0 … T−1；DDIM 的第一步是 T−1，最后一步是 0。",
           "(c) 代入 w = 1：结果应该正好是带标签的 ε。"],
    solution="```python\n"
             "def fixed_noisy(x0, eps, abar_t):\n    return np.sqrt(abar_t) * x0 + np.sqrt(1 - abar_t) * eps\n\n"
             "def fixed_timesteps(T, steps):\n"
             "    return np.round(np.linspace(0, T - 1, steps)).astype(int)[::-1]\n\n"
             "def fixed_guidance(eps_label, eps_null, w):\n    return eps_null + w * (eps_label - eps_null)\n```",
)


# ---- q5: the guidance trade-off ------------------------------------------------------------------------------
def _check_tradeoff(answer, best_w):
    if is_blank(answer):
        raise NotAttempted()
    if not isinstance(answer, str) or answer.strip().upper() not in {"A", "B", "C", "D"}:
        return f"answer 应该是 'A'、'B'、'C'、'D' 中的一个字母，而你给的是 {answer!r}。"
    try:
        w = as_number(best_w, "best_w")
    except TypeError as exc:
        return str(exc)
    table = GUIDANCE_TABLE
    want_w = table["w"][int(np.argmin(table["FID"]))]
    choice = answer.strip().upper()
    if choice == "A":
        return "看 within_class_spread 一列：w 从 0 增大到准确率最高的那一行时，类内多样性在下降；两者并不同时变好。"
    if choice == "C":
        return "w = 0 是无条件生成，类别准确率约等于随机猜测（10%）；引导恰恰是为了提高它。"
    if choice == "D":
        return "FID 并不是随 w 单调下降：看最后一行，w 太大时样本被推过头，FID 反而变差。"
    if not close(w, want_w):
        if close(w, table["w"][int(np.argmax(table["class_accuracy"]))]):
            return "这是类别准确率最高的 w；题目问的是 FID 最低的 w（质量与多样性的综合）。"
        return f"best_w 不对：在表中找 FID 最小的那一行的 w。"
    return None


q5 = Question(
    "q5", _check_tradeoff, var=("answer", "best_w"),
    hints=["比较三行：w = 0、类别准确率最高的那一行、最后一行。每一列先升还是先降？", "`min(zip(table['FID'], table['w']))[1]` 给出 FID 最低的 w。"],
    solution="`answer = \"B\"`；`best_w` 是 FID 最低一行的 w（用表算出来，例如 "
             "`table['w'][int(np.argmin(table['FID']))]`）。",
)
