"""Questions of exercise 09 (音频生成).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong; q5 is a
"find the bugs" question on the source's audio VAE (SYLLABUS erratum 11); q6 and q7 implement mu-law encoding
and decoding (any correct form passes: any log base, round or floor(+0.5), ints or floats, numpy or a tensor).
"""

from __future__ import annotations

import numpy as np

from .core import NotAttempted, Question, as_array, as_number, close, is_blank, not_a_function, source_of

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "PITCH_MIDI", "PITCH_SR", "pitch_example",
           "reference_mu_law_encode", "reference_mu_law_decode"]


# ---- q1: MIDI -> Hz -------------------------------------------------------------------------------------------
FREQ_64 = 440.0 * 2.0 ** ((64 - 69) / 12)


def _check_freq(value):
    try:
        v = as_number(value, "freq_64")
    except TypeError as exc:
        return str(exc)
    if close(v, FREQ_64):
        return None
    if close(v, 2.0 ** ((64 - 69) / 12)):
        return "少乘了参考频率 440 Hz。"
    if close(v, 440.0 * 2.0 ** ((69 - 64) / 12)):
        return "指数的符号反了：MIDI 64 比 69 低，频率应低于 440 Hz。"
    if close(v, 440.0 * 2.0 ** ((64 - 69) / 10)) or close(v, 440.0 * 2.0 ** (64 - 69)):
        return "一个八度有 12 个半音，指数是 (m − 69) / 12。"
    return f"freq_64 = {v:.3f} 不对：f = 440 · 2^((m − 69) / 12)。"


q1 = Question(
    "q1", _check_freq, var="freq_64",
    hints=["MIDI 69 是 A4 = 440 Hz；每升高 12 个编号，频率翻倍。"],
    solution=f"`freq_64 = 440 * 2 ** ((64 - 69) / 12)`，约 {FREQ_64:.2f} Hz（E4）。",
)


# ---- q2: pitch from the autocorrelation -------------------------------------------------------------------------
PITCH_MIDI, PITCH_SR = 55, 16_000


def pitch_example(seed: int = 0) -> np.ndarray:
    """The waveform used by q2: a sawtooth note of MIDI 55 (about 196 Hz), 0.25 s at 16 kHz."""
    from ..data import audio

    return audio.synth_note(PITCH_MIDI, "sawtooth", sr=PITCH_SR, duration=0.25, seed=seed)


def _check_pitch(value):
    try:
        v = as_number(value, "f0_estimate")
    except TypeError as exc:
        return str(exc)
    true = 440.0 * 2.0 ** ((PITCH_MIDI - 69) / 12)
    if abs(v - true) <= 0.02 * true:
        return None
    period = PITCH_SR / true
    if abs(v - period) <= 0.05 * period:
        return "这是周期（以样本计的滞后 L），音高是 f0 = sr / L。"
    if abs(v - true / 2) <= 0.02 * true or abs(v - true / 3) <= 0.02 * true:
        return "你找到的是周期的整数倍（低了八度或更多）：在允许的滞后范围里取最靠前的那个峰。"
    if abs(v - 2 * true) <= 0.04 * true:
        return "高了一个八度：滞后范围的下限太小，取到了半个周期附近的峰？"
    if v > PITCH_SR / 4:
        return "结果过高：是不是把滞后 0 处的峰（r(0) = 1）也算进去了？搜索要从 lag_min 开始。"
    return f"f0_estimate = {v:.1f} Hz 不对；应在 {true:.1f} Hz 附近。"


q2 = Question(
    "q2", _check_pitch, var="f0_estimate",
    hints=["在 r[lag_min:lag_max] 里找最大值的位置，再加上 lag_min 得到真正的滞后 L。",
           "音高 f0 = sr / L。"],
    solution="`best_lag = lag_min + int(np.argmax(r[lag_min:lag_max]))`，`f0_estimate = sr / best_lag`，约 196 Hz。",
)


# ---- q3: STFT bin spacing ----------------------------------------------------------------------------------------
BIN_HZ = 16_000 / 1024


def _check_bin(value):
    try:
        v = as_number(value, "bin_hz")
    except TypeError as exc:
        return str(exc)
    if close(v, BIN_HZ):
        return None
    if close(v, 8000 / 1024):
        return "频点间隔是 f_s / N，不是 (f_s / 2) / N：rfft 的 N/2 + 1 个频点覆盖 0 到 f_s / 2。"
    if close(v, 1024 / 16_000):
        return "倒过来了：间隔是 f_s / N（Hz），N / f_s 是一帧的时长（秒）。"
    if close(v, 16_000 / 513):
        return "N / 2 + 1 是频点个数；间隔是 f_s / N。"
    return f"bin_hz = {v:.3f} 不对：相邻频点相隔 f_s / N Hz。"


q3 = Question(
    "q3", _check_bin, var="bin_hz",
    hints=["N 点 FFT 的第 k 个频点对应频率 k · f_s / N。"],
    solution=f"`bin_hz = 16000 / 1024`，即 {BIN_HZ} Hz。",
)


# ---- q4: tanh outputs and the binary cross-entropy ----------------------------------------------------------------
_Y = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])


def _check_to_unit(fn):
    bad = not_a_function(fn, "tanh_to_unit")
    if bad:
        return bad
    out = fn(_Y)
    if is_blank(out):
        raise NotAttempted("tanh_to_unit 里还有 ____。")
    try:
        got = np.asarray(out, dtype="float64")
    except (TypeError, ValueError):
        return f"tanh_to_unit 应该返回数组，返回的是 {type(out).__name__}。"
    want = (_Y + 1.0) / 2.0
    if got.shape == want.shape and close(got, want):
        return None
    if got.shape == want.shape and close(got, np.abs(_Y)):
        return "取绝对值会把 −0.5 和 0.5 变成同一个值；要的是线性映射 [−1, 1] → [0, 1]。"
    if got.shape == want.shape and close(got, _Y + 1.0):
        return "加 1 之后范围是 [0, 2]，还要除以 2。"
    if got.shape == want.shape and close(got, 1 / (1 + np.exp(-_Y))):
        return "再套一次 sigmoid 得不到 0 和 1 两端（tanh 的 −1 会变成 0.27）；要的是 (y + 1) / 2。"
    return "结果不对：把 [−1, 1] 线性映射到 [0, 1]。"


q4 = Question(
    "q4", _check_to_unit, var="tanh_to_unit",
    hints=["y = −1 应变成 0，y = 1 应变成 1，中间线性。"],
    solution="`return (y + 1) / 2`",
)


# ---- q5: find the bugs in the source's audio VAE (erratum 11) ----------------------------------------------------
Q5_OPTIONS = {
    "A": "`datasets.AudioDataset(...)`：torchvision 没有这个类",
    "B": "`z = q_z.sample()`：q_z 是普通张量，没有 sample()，也没有重参数化",
    "C": "`nn.Linear(128, 2)`：编码器只输出 2 个数，不是 μ 和 log σ²",
    "D": "`loss = vae_loss(reconstructed, x)` 只有 BCE，没有 KL 项",
    "E": "`optim.Adam(vae.parameters(), lr=0.001)`：VAE 不能用 Adam",
    "F": "`torch.manual_seed(0)`：设了随机种子，VAE 就无法采样",
}
Q5_ANSWER = frozenset("ABCD")


def _check_bugs(value):
    if is_blank(value):
        raise NotAttempted()
    try:
        chosen = {str(v).strip().upper() for v in value}
    except TypeError:
        return f"bugs 应该是字母的集合，例如 {{'A', 'B'}}，你给的是 {value!r}。"
    unknown = chosen - set(Q5_OPTIONS)
    if unknown:
        return f"没有选项 {sorted(unknown)}；可选 {sorted(Q5_OPTIONS)}。"
    wrong = sorted(chosen - Q5_ANSWER)
    if wrong:
        return f"{', '.join(wrong)} 不是错误：Adam 训练 VAE 完全没问题，设随机种子只让结果可重复。"
    missing = len(Q5_ANSWER - chosen)
    if missing:
        return f"还漏了 {missing} 处错误。"
    return None


q5 = Question(
    "q5", _check_bugs, var="bugs",
    hints=["一个能训练的 VAE 需要：存在的数据集、输出 (μ, log σ²) 的编码器、重参数化、重建 + KL 的损失。"],
    solution="{'A', 'B', 'C', 'D'}：E 和 F 都是正常做法。",
)


# ---- q6 / q7: mu-law encoding and decoding ------------------------------------------------------------------------
MU = 255


def reference_mu_law_encode(x, mu: int = MU):
    x = np.clip(np.asarray(x, dtype="float64"), -1.0, 1.0)
    f = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return np.floor((f + 1.0) / 2.0 * mu + 0.5).astype("int64")


def reference_mu_law_decode(q, mu: int = MU):
    y = 2.0 * np.asarray(q, dtype="float64") / mu - 1.0
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


# inputs in [-1, 1] far from the rounding ties (so round and floor(+0.5) agree), with 0 and +-1 included
_X = np.concatenate([[-1.0, 0.0, 1.0], np.random.default_rng(9).uniform(-1, 1, 400),
                     np.random.default_rng(10).uniform(-0.02, 0.02, 100)])
_cell = (np.sign(_X) * np.log1p(MU * np.abs(_X)) / np.log1p(MU) + 1.0) / 2.0 * MU
_X = _X[(np.abs(_cell - np.floor(_cell) - 0.5) > 1e-6)]
_LEVELS = np.arange(MU + 1)


def _call(fn, name: str, arg):
    """fn(arg) as a float64 array, or a message (str) / NotAttempted."""
    bad = not_a_function(fn, name)
    if bad:
        return bad
    try:
        out = fn(arg.copy())
    except NotAttempted:
        raise
    except Exception as exc:  # noqa: BLE001  (the learner's code may raise anything)
        if "____" in source_of(fn):
            raise NotAttempted(f"{name} 里还有 ____。") from None
        return f"调用 {name} 出错：{type(exc).__name__}: {exc}"
    if is_blank(out):
        raise NotAttempted(f"{name} 里还有 ____。")
    try:
        got = as_array(out, name)
    except TypeError as exc:
        return str(exc)
    if got.shape != arg.shape:
        return f"{name} 的输出形状应与输入相同 {arg.shape}，你的是 {got.shape}。"
    return got


def _check_encode(fn):
    got = _call(fn, "mu_law_encode", _X)
    if isinstance(got, str):
        return got
    want = reference_mu_law_encode(_X)
    if np.array_equal(got, want):
        return None
    f = np.sign(_X) * np.log1p(MU * np.abs(_X)) / np.log1p(MU)
    if close(got, f):
        return "这是压扩后的连续值 F(x) ∈ [−1, 1]，还要量化成 0 … 255 的整数：round((F + 1) / 2 · 255)。"
    if np.array_equal(got, np.floor((f + 1.0) / 2.0 * MU)):
        return "向下取整会让每个等级偏低半格：用四舍五入 round(...)（或 floor(... + 0.5)）。"
    if np.array_equal(got, want - 128) or np.array_equal(got, want - 127.5):
        return "等级应在 0 … 255（静音是 128），你的结果平移到了以 0 为中心。"
    if np.array_equal(got, reference_mu_law_encode(np.abs(_X))):
        return "符号丢了：负的采样值应得到小于 128 的等级，F(x) 要乘 sign(x)。"
    if np.array_equal(got, np.floor((f + 1.0) / 2.0 * 256 + 0.5)) or np.array_equal(got, reference_mu_law_encode(_X, 256)):
        return "256 个等级是 0 … 255，所以 μ = 255，缩放也乘 255，而不是 256。"
    if np.array_equal(got, np.floor((_X + 1.0) / 2.0 * MU + 0.5)):
        return "这是线性量化：先用 F(x) = sign(x) ln(1 + μ|x|) / ln(1 + μ) 压扩，再量化。"
    if not np.all(np.isfinite(got)):
        return "结果里有 nan 或 inf：对数里是 ln(1 + μ|x|)，x = 0 时也有定义。"
    return f"结果不对（{int(np.sum(got != want))} / {len(want)} 个等级不同）：q = round((F(x) + 1) / 2 · 255)。"


q6 = Question(
    "q6", _check_encode, var="mu_law_encode",
    hints=["先压扩：F(x) = sign(x) · ln(1 + μ|x|) / ln(1 + μ)，μ = 255；结果仍在 [−1, 1]。",
           "再把 [−1, 1] 映射到 [0, 255] 并四舍五入：`np.round((F + 1) / 2 * 255)`，必要时转成整数。"],
    solution="`f = np.sign(x) * np.log1p(255 * np.abs(x)) / np.log1p(255)`，`return np.round((f + 1) / 2 * 255).astype(int)`",
)


def _check_decode(fn):
    got = _call(fn, "mu_law_decode", _LEVELS)
    if isinstance(got, str):
        return got
    want = reference_mu_law_decode(_LEVELS)
    if close(got, want, rtol=1e-4, atol=1e-6):
        return None
    y = 2.0 * _LEVELS / MU - 1.0
    if close(got, y, rtol=1e-4, atol=1e-6):
        return "这只是把等级映射回了 y ∈ [−1, 1]；还要用 F 的反函数展开：x = sign(y) ((1 + μ)^|y| − 1) / μ。"
    if close(got, np.abs(want), rtol=1e-4, atol=1e-6):
        return "符号丢了：等级小于 128 应该解码成负数，结果要乘 sign(y)。"
    if close(got, ((1 + MU) ** y - 1) / MU, rtol=1e-4, atol=1e-6):
        return "指数里要用 |y|，再乘 sign(y)：对负的 y，(1 + μ)^y − 1 不是正确的反函数。"
    if close(got, reference_mu_law_decode(_LEVELS, 256), rtol=1e-4, atol=1e-6):
        return "μ = 255（256 个等级 0 … 255），不是 256。"
    return "结果不对：先 y = 2q / 255 − 1，再 x = sign(y) · ((1 + 255)^|y| − 1) / 255。"


q7 = Question(
    "q7", _check_decode, var="mu_law_decode",
    hints=["先把等级 q ∈ {0, …, 255} 映射回 y = 2q / 255 − 1 ∈ [−1, 1]。",
           "再解 y = sign(x) ln(1 + μ|x|) / ln(1 + μ) 得 |x| = ((1 + μ)^|y| − 1) / μ。"],
    solution="`y = 2 * q / 255 - 1`，`return np.sign(y) * ((1 + 255) ** np.abs(y) - 1) / 255`",
)
