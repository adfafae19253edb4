import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch06, ch09


def status(q, *values):
    return q.evaluate(*values)


def assert_wrong(q, value, fragment):
    result = q.evaluate(value)
    assert result.status == INCORRECT, result
    assert fragment in result.message, result.message


# ---- chapter 06 -----------------------------------------------------------------------------------------------
def test_ch06_q1_reparameterise():
    assert status(ch06.q1, lambda mu, lv, eps: mu + np.exp(0.5 * lv) * eps).status == CORRECT
    assert_wrong(ch06.q1, lambda mu, lv, eps: mu + np.exp(lv) * eps, "你乘的是方差")
    assert_wrong(ch06.q1, lambda mu, lv, eps: mu * eps, "而不是 μ 乘噪声")
    assert_wrong(ch06.q1, 3.0, "应该是一个函数")
    assert status(ch06.q1, ____).status == NOT_ATTEMPTED
    assert status(ch06.q1, lambda mu, lv, eps: ____).status == NOT_ATTEMPTED


def test_ch06_q2_kl_and_the_source_formula():
    assert status(ch06.q2, lambda mu, lv: 0.5 * np.sum(mu ** 2 + np.exp(lv) - lv - 1, axis=-1)).status == CORRECT
    assert_wrong(ch06.q2, lambda mu, lv: np.sum(mu ** 2 + np.exp(lv) - lv - 1, axis=-1), "少了前面的 1/2")
    assert_wrong(ch06.q2, lambda mu, lv: 0.5 * np.sum(mu ** 2 + np.exp(lv) - lv - 1), "只对最后一维求和")

    def source(mu, lv):
        s = np.exp(0.5 * lv)
        return np.sum(s * np.log(s) + mu * np.log(np.clip(1 - s, 1e-12, None)), axis=-1)

    assert_wrong(ch06.q2, source, "勘误 5")
    assert status(ch06.q2, ____).status == NOT_ATTEMPTED


def test_ch06_q3_neg_elbo_value():
    ex = ch06.ELBO_EXAMPLE
    recon = -(np.log(0.8) + np.log(0.7) + np.log(0.6))
    kl = 0.5 * ((0.25 + 2 - np.log(2) - 1) + (1 + 0.5 - np.log(0.5) - 1))
    assert ex["neg_elbo"] == pytest.approx(recon + kl) and kl == pytest.approx(0.875)
    assert status(ch06.q3, recon + kl).status == CORRECT
    assert_wrong(ch06.q3, kl - recon, "勘误 8")
    assert_wrong(ch06.q3, recon, "只算了重建项")
    assert_wrong(ch06.q3, "1.97", "应该是一个数")
    assert status(ch06.q3, ____).status == NOT_ATTEMPTED


def test_ch06_q4_loss_needs_the_kl_term():
    def nll(x, logits):
        return np.sum(np.logaddexp(0, logits) - x * logits, axis=1)

    def kl(mu, lv):
        return 0.5 * np.sum(mu ** 2 + np.exp(lv) - lv - 1, axis=-1)

    assert status(ch06.q4, lambda x, l, mu, lv: np.mean(nll(x, l) + kl(mu, lv))).status == CORRECT
    assert_wrong(ch06.q4, lambda x, l, mu, lv: np.mean(nll(x, l)), "还是没有 KL 项")
    assert_wrong(ch06.q4, lambda x, l, mu, lv: np.sum(nll(x, l) + kl(mu, lv)), "对批次取平均")
    assert_wrong(ch06.q4, lambda x, l, mu, lv: nll(x, l) + kl(mu, lv), "应该是一个数")
    assert status(ch06.q4, ____).status == NOT_ATTEMPTED


def test_ch06_q5_choice():
    assert status(ch06.q5, "C").status == CORRECT and status(ch06.q5, " c").status == CORRECT
    assert_wrong(ch06.q5, "B", "重参数化与 KL 项无关")
    assert_wrong(ch06.q5, "E", "一个字母")
    assert status(ch06.q5, ____).status == NOT_ATTEMPTED


def test_ch06_q6_gaussian_kl_derivation():
    import math

    right = lambda m1, v1, m2, v2: 0.5 * (np.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1)  # noqa: E731
    assert status(ch06.q6, right).status == CORRECT
    # another correct form: E_q[log q - log p] written term by term
    expanded = lambda m1, v1, m2, v2: (-0.5 * math.log(2 * math.pi * v1) - 0.5) - (  # noqa: E731
        -0.5 * math.log(2 * math.pi * v2) - (v1 + (m1 - m2) ** 2) / (2 * v2))
    assert status(ch06.q6, expanded).status == CORRECT
    swapped = lambda m1, v1, m2, v2: right(m2, v2, m1, v1)  # noqa: E731
    assert status(ch06.q6, swapped).message == \
        "你算的是 KL(p₂ ‖ p₁)：KL 不对称，期望是在 q = N(m1, v1) 下取的，log 里是 v2 / v1。"
    assert status(ch06.q6, lambda *p: 2 * right(*p)).message == "少了前面的 1/2（高斯对数密度里的 ½）。"
    assert status(ch06.q6, lambda m1, v1, m2, v2: right(m1, v1 ** 2, m2, v2 ** 2)).message == \
        "v1、v2 已经是方差 σ²，不要再平方。"
    assert status(ch06.q6, lambda *p: ____).status == NOT_ATTEMPTED
    assert status(ch06.q6, 0.5).message == "kl_gauss 应该是一个函数，而你给的是 float。"


def _sampling_class(call):
    import keras

    class Sampling(keras.layers.Layer):
        def __init__(self, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, inputs):
            return call(self, *inputs)

    return Sampling


def test_ch06_q7_sampling_layer():
    import keras
    from keras import ops

    def right(self, mu, log_var):
        return mu + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mu), seed=self.seed_generator)

    def with_sqrt(self, mu, log_var):                       # an equivalent form
        return mu + ops.sqrt(ops.exp(log_var)) * keras.random.normal(ops.shape(mu), seed=self.seed_generator)

    def variance(self, mu, log_var):
        return mu + ops.exp(log_var) * keras.random.normal(ops.shape(mu), seed=self.seed_generator)

    def no_noise(self, mu, log_var):
        return mu + 0.0 * log_var

    fixed = np.random.default_rng(0).standard_normal((20000, 2)).astype("float32")

    def same_noise(self, mu, log_var):
        return mu + ops.exp(0.5 * log_var) * fixed

    assert status(ch06.q7, _sampling_class(right)).status == CORRECT
    assert status(ch06.q7, _sampling_class(with_sqrt)).status == CORRECT
    assert status(ch06.q7, _sampling_class(variance)).message == "你乘的是方差 σ²；噪声要乘标准差 σ = exp(log_var / 2)。"
    assert status(ch06.q7, _sampling_class(no_noise)).message == "输出没有随机性：z 要加上 σ 倍的标准正态噪声。"
    assert status(ch06.q7, _sampling_class(same_noise)).message == \
        "两次调用给出了同一份噪声：每次调用都要重新抽 ε（keras.random.normal 配合 SeedGenerator）。"
    assert status(ch06.q7, _sampling_class(lambda self, mu, log_var: ____)).status == NOT_ATTEMPTED
    assert status(ch06.q7, right).message == "Sampling 应该是一个类（keras.layers.Layer 的子类），而你给的是 function。"


# ---- chapter 09 -----------------------------------------------------------------------------------------------
def test_ch09_q1_midi_to_hz():
    assert status(ch09.q1, 440 * 2 ** (-5 / 12)).status == CORRECT
    assert ch09.FREQ_64 == pytest.approx(329.6276, rel=1e-6)
    assert_wrong(ch09.q1, 440 * 2 ** (5 / 12), "符号反了")
    assert_wrong(ch09.q1, 2 ** (-5 / 12), "440 Hz")
    assert status(ch09.q1, ____).status == NOT_ATTEMPTED


def test_ch09_q2_pitch_from_autocorrelation():
    sr = ch09.PITCH_SR
    x = ch09.pitch_example()
    r = np.correlate(x, x, mode="full")[len(x) - 1:]
    lag_min, lag_max = int(sr / 1000), int(sr / 60)
    best = lag_min + int(np.argmax(r[lag_min:lag_max]))
    assert status(ch09.q2, sr / best).status == CORRECT
    assert_wrong(ch09.q2, best, "这是周期")
    assert_wrong(ch09.q2, sr / (2 * best), "整数倍")
    assert_wrong(ch09.q2, float(sr), "滞后 0")
    assert status(ch09.q2, ____).status == NOT_ATTEMPTED


def test_ch09_q3_bin_spacing():
    assert status(ch09.q3, 15.625).status == CORRECT
    assert_wrong(ch09.q3, 8000 / 1024, "(f_s / 2) / N")
    assert_wrong(ch09.q3, 1024 / 16000, "倒过来了")
    assert status(ch09.q3, ____).status == NOT_ATTEMPTED


def test_ch09_q4_tanh_to_unit():
    assert status(ch09.q4, lambda y: (y + 1) / 2).status == CORRECT
    assert_wrong(ch09.q4, lambda y: y + 1, "还要除以 2")
    assert_wrong(ch09.q4, np.abs, "取绝对值")
    assert status(ch09.q4, lambda y: ____).status == NOT_ATTEMPTED


def test_ch09_q5_find_the_bugs():
    assert status(ch09.q5, {"A", "B", "C", "D"}).status == CORRECT
    assert status(ch09.q5, ["a", "b", "c", "d"]).status == CORRECT
    assert_wrong(ch09.q5, {"A", "B", "C", "D", "E"}, "E 不是错误")
    assert_wrong(ch09.q5, {"A", "B"}, "还漏了 2 处错误")
    assert_wrong(ch09.q5, {"Z"}, "没有选项")
    assert status(ch09.q5, ____).status == NOT_ATTEMPTED
