import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch03, ch04, ch05


def _status(q, *values):
    return q.evaluate(*values)


def _wrong(q, *values):
    r = q.evaluate(*values)
    assert r.status == INCORRECT, r
    return r.message


def test_ch03_q1_generator_loss():
    assert _status(ch03.q1, -np.mean(np.log([0.2, 0.5]))).status == CORRECT
    assert "饱和损失" in _wrong(ch03.q1, np.mean(np.log([0.8, 0.5])))
    assert "符号反了" in _wrong(ch03.q1, np.mean(np.log([0.2, 0.5])))
    assert _wrong(ch03.q1, "1.15") == "g_loss_value 应该是一个数，而你给的是 str '1.15'"
    assert _status(ch03.q1, ____).status == NOT_ATTEMPTED


def test_ch03_q2_gradient_ratio():
    assert _status(ch03.q2, 19.0).status == CORRECT
    assert "倒过来" in _wrong(ch03.q2, 0.05 / 0.95)
    assert _wrong(ch03.q2, 3.0) == "ratio = 3.0000 不对；请对照公式再算一遍。"
    assert _status(ch03.q2, ____).status == NOT_ATTEMPTED


def test_ch03_find_the_bug_questions():
    assert _status(ch03.q3, "B").status == CORRECT
    assert _status(ch03.q3, " b ").status == CORRECT
    assert "判别器那一步是对的" in _wrong(ch03.q3, "A")
    assert _wrong(ch03.q3, "E") == "bug 应该是选项字母之一：A, B, C, D，你给的是 'E'"
    assert _status(ch03.q3, ____).status == NOT_ATTEMPTED
    assert _status(ch03.q4, {"G", "D"}).status == CORRECT
    assert "没有被冻结" in _wrong(ch03.q4, {"G"})
    assert _wrong(ch03.q4, "GD") == "changed 应该是一个集合，例如 {\"G\"}。"
    assert _status(ch03.q4, ____).status == NOT_ATTEMPTED


def test_ch03_q5_modes():
    assert _status(ch03.q5, 3).status == CORRECT
    assert "计数大于 0" in _wrong(ch03.q5, 8)
    assert _status(ch03.q5, ____).status == NOT_ATTEMPTED


def test_ch04_questions():
    assert _status(ch04.q1, 14, 16).status == CORRECT
    assert _wrong(ch04.q1, 14, 15).startswith("valid_size = 15 不对")
    assert _wrong(ch04.q1, 16, 16).startswith("same_size = 16 不对")
    assert _status(ch04.q1, ____, 16).status == NOT_ATTEMPTED
    fake = ch04.FAKE
    assert _status(ch04.q2, (fake + 1) / 2).status == CORRECT
    assert "负值变成黑色" in _wrong(ch04.q2, np.clip(fake, 0, 1))
    assert _wrong(ch04.q2, np.zeros(3)) == "shown 的形状应是 (2, 2)，你的是 (3,)"
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    logits = ch04.LOGITS
    assert _status(ch04.q3, sig(logits)).status == CORRECT
    assert "000 §5.4" in _wrong(ch04.q3, 1 - sig(sig(logits)))
    assert "用了两次" in _wrong(ch04.q3, sig(sig(logits)))
    assert _status(ch04.q3, ____).status == NOT_ATTEMPTED
    assert _status(ch04.q4, "B").status == CORRECT
    assert "负像素" in _wrong(ch04.q4, "A")
    assert _status(ch04.q5, lambda z0, z1, t: (1 - t) * z0 + t * z1).status == CORRECT
    assert "两端反了" in _wrong(ch04.q5, lambda z0, z1, t: t * z0 + (1 - t) * z1)
    assert _wrong(ch04.q5, 3) == "interpolate 应该是一个函数，而你给的是 int。"
    assert _status(ch04.q5, ____).status == NOT_ATTEMPTED


def test_ch04_q8_coverage_accepts_equivalent_forms():
    import math

    for right in (lambda k, s: (k // s, -(-k // s)), lambda k, s: [math.ceil(k / s), k // s],
                  lambda k, s: {k // s, math.ceil(k / s)}, lambda k, s: np.array([k // s, math.ceil(k / s)])):
        assert _status(ch04.q8, right).status == CORRECT
    assert _wrong(ch04.q8, lambda k, s: (k // s, k // s)).startswith("coverage(3, 2) 应为 (1, 2)：k 不能被 s 整除时")
    assert _wrong(ch04.q8, lambda k, s: (k, k)) == "coverage(4, 2) 应为 (2, 2)（最少、最多各被几个块覆盖），你的给出 (4, 4)。"
    assert _wrong(ch04.q8, lambda k, s: "two") == "coverage(4, 2) 应返回两个整数 (最少, 最多)，你的返回 'two'"
    assert _wrong(ch04.q8, 3) == "coverage 应该是一个函数 coverage(k, s)，而你给的是 int。"
    assert _status(ch04.q8, ____).status == NOT_ATTEMPTED
    assert _status(ch04.q8, lambda k, s: ____).status == NOT_ATTEMPTED
    # the interpolation may be written in any equivalent form
    assert _status(ch04.q5, lambda z0, z1, t: z0 + t * (z1 - z0)).status == CORRECT


def test_ch05_questions():
    norms = np.array([0.5, 1.0, 2.0])
    assert _status(ch05.q1, np.mean((norms - 1) ** 2)).status == CORRECT
    assert "先减 1 再平方" in _wrong(ch05.q1, np.mean(norms ** 2 - 1))
    assert "不是求和" in _wrong(ch05.q1, np.sum((norms - 1) ** 2))
    assert _status(ch05.q2, -2.0).status == CORRECT
    assert "符号反了" in _wrong(ch05.q2, 2.0)
    assert _status(ch05.q2, ____).status == NOT_ATTEMPTED
    assert _status(ch05.q3, np.repeat(np.arange(10), 8)).status == CORRECT
    assert "同一行" in _wrong(ch05.q3, np.tile(np.arange(10), 8))
    assert _status(ch05.q4, "C").status == CORRECT
    assert "同样的 32 张图" in _wrong(ch05.q4, "A")
    assert "判别器完胜" in _wrong(ch05.q4, "D")
    eps, real, fake = ch05.EPS, ch05.REAL, ch05.FAKE
    assert _status(ch05.q5, eps * real + (1 - eps) * fake).status == CORRECT
    assert "0.5" in _wrong(ch05.q5, 0.5 * real + 0.5 * fake)
    assert _status(ch05.q5, ____).status == NOT_ATTEMPTED


@pytest.mark.parametrize("module", [ch03, ch04, ch05])
def test_every_question_has_hints_and_a_solution(module):
    for name in module.__all__:
        q = getattr(module, name)
        if hasattr(q, "checker"):
            assert q.hints and q.solution_text, name


def test_ch03_q6_d_star():
    assert _status(ch03.q6, lambda a, b: a / (a + b)).status == CORRECT
    assert "分子用错了" in _wrong(ch03.q6, lambda a, b: b / (a + b))
    assert "分母应是两个密度之和" in _wrong(ch03.q6, lambda a, b: a / b)
    assert _wrong(ch03.q6, 0.5) == "d_star 应该是一个函数 d_star(p_data, p_g)，而你给的是 float。"
    assert _status(ch03.q6, lambda a, b: ____).status == NOT_ATTEMPTED


def _lesson_gan_class(smoothing_fix=None, drop_noise=False):
    import keras
    import tensorflow as tf
    from keras import ops

    from aigc_course.models import gan, losses

    class Mine(gan.GAN):
        def train_step(self, data):
            real, _ = self.unpack(data)
            G, D = self.generator, self.discriminator
            n = ops.shape(real)[0]
            fake = G(keras.random.normal((n, self.latent_dim), seed=self.seed_generator), training=True)
            with tf.GradientTape() as tape:
                real_logits, fake_logits = D(real, training=True), D(fake, training=True)
                d_loss = losses.d_loss(real_logits, fake_logits, label_smoothing=self.label_smoothing)
            grads = tape.gradient(d_loss, D.trainable_variables)
            self.d_optimizer.apply(grads, D.trainable_variables)
            z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                g_loss = (losses.g_loss_saturating if drop_noise else losses.g_loss_nonsaturating)(
                    D(G(z, training=True), training=True))
            grads = tape.gradient(g_loss, G.trainable_variables)
            self.g_optimizer.apply(grads, G.trainable_variables)
            return self.update_metrics(d_loss, g_loss, real_logits, fake_logits)
    return Mine


def test_ch03_q7_train_step():
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the exercise's train step is TensorFlow code")
    from aigc_course.models import gan

    assert _status(ch03.q7, _lesson_gan_class()).status == CORRECT
    assert "生成器的更新与参考不同" in _wrong(ch03.q7, _lesson_gan_class(drop_noise=True))
    assert _wrong(ch03.q7, type("NoStep", (gan.GAN,), {})) == "MyGAN 里还没有定义 train_step。"
    assert _wrong(ch03.q7, int) == "MyGAN 应该是 gan.GAN 的子类，你给的是 <class 'int'>"

    class Blank(gan.GAN):
        def train_step(self, data):
            return ____
    assert _status(ch03.q7, Blank).status == NOT_ATTEMPTED


def test_ch03_q8_failure_from_curves():
    curves = ch03.failure_curves()
    assert curves["d_real"][-50:].mean() > 0.95 and curves["d_fake"][-50:].mean() < 0.05
    assert _status(ch03.q8, "A").status == CORRECT
    assert "振荡" in _wrong(ch03.q8, "C")
    assert _status(ch03.q8, ____).status == NOT_ATTEMPTED


def test_ch03_q9_bilinear_growth():
    eta = ch03.ETA
    simultaneous = np.array([[1, -eta], [eta, 1]])
    assert _status(ch03.q9, np.abs(np.linalg.eigvals(simultaneous)).max()).status == CORRECT
    assert _status(ch03.q9, np.sqrt(1 + eta ** 2)).status == CORRECT
    alternating = np.array([[1, -eta], [eta, 1 - eta ** 2]])
    assert "交替更新" in _wrong(ch03.q9, np.abs(np.linalg.eigvals(alternating)).max())
    assert "要开平方" in _wrong(ch03.q9, 1 + eta ** 2)
    assert "外推梯度" in _wrong(ch03.q9, np.sqrt(1 - eta ** 2 + eta ** 4))
    assert _wrong(ch03.q9, 2.0) == "growth = 2.0000 不对；请对照公式再算一遍。"
    assert _status(ch03.q9, ____).status == NOT_ATTEMPTED


def test_ch03_q10_jsd_of_overlapping_uniforms():
    # numerically: U[0, 1] against U[0.5, 1.5] on a fine grid
    x = np.linspace(-1, 3, 400001)
    dx = x[1] - x[0]
    p, q = ((x >= 0) & (x < 1)) / 1.0, ((x >= 0.5) & (x < 1.5)) / 1.0
    p, q = p / (p.sum() * dx), q / (q.sum() * dx)
    m = (p + q) / 2
    kl = lambda a: np.sum(np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / np.where(m > 0, m, 1)), 0)) * dx  # noqa: E731
    assert _status(ch03.q10, 0.5 * kl(p) + 0.5 * kl(q)).status == CORRECT
    assert "完全不重叠" in _wrong(ch03.q10, np.log(2))
    assert "V(D*, G)" in _wrong(ch03.q10, -np.log(4) + np.log(2))
    assert "log 2" in _wrong(ch03.q10, 0.5)
    assert _status(ch03.q10, ____).status == NOT_ATTEMPTED


def test_ch04_q6_out_size_and_q7_generator():
    import keras
    from keras import layers

    assert _status(ch04.q6, lambda n, k, s, p: s * (n - 1) + k - 2 * p).status == CORRECT
    assert "忘了减去" in _wrong(ch04.q6, lambda n, k, s, p: s * (n - 1) + k)
    assert "特例" in _wrong(ch04.q6, lambda n, k, s, p: s * n)
    assert _status(ch04.q6, lambda n, k, s, p: ____).status == NOT_ATTEMPTED

    def build(latent_dim, width, kernel=4, norm=True):
        z = keras.Input((latent_dim,))
        h = layers.Dense(7 * 7 * 2 * width, use_bias=False)(z)
        h = layers.ReLU()(layers.BatchNormalization()(h) if norm else h)
        h = layers.Reshape((7, 7, 2 * width))(h)
        h = layers.Conv2DTranspose(width, kernel, strides=2, padding="same", use_bias=False)(h)
        h = layers.ReLU()(layers.BatchNormalization()(h))
        return keras.Model(z, layers.Conv2DTranspose(1, kernel, strides=2, padding="same", activation="tanh")(h))

    from aigc_course.models import gan
    assert _status(ch04.q7, build).status == CORRECT
    assert _status(ch04.q7, lambda latent_dim, width: gan.build_dcgan_generator(latent_dim, width)).status == CORRECT
    assert "4×4" in _wrong(ch04.q7, lambda d, w: build(d, w, kernel=3))
    assert "BatchNormalization" in _wrong(ch04.q7, lambda d, w: build(d, w, norm=False))
    assert _status(ch04.q7, lambda d, w: ____).status == NOT_ATTEMPTED


def test_ch05_q5_accepts_both_interpolation_forms_and_q6_penalty():
    import keras
    from keras import ops

    eps, real, fake = ch05.EPS, ch05.REAL, ch05.FAKE
    assert _status(ch05.q5, eps * real + (1 - eps) * fake).status == CORRECT
    assert _status(ch05.q5, (1 - eps) * real + eps * fake).status == CORRECT
    assert "不是固定的 0.5" in _wrong(ch05.q5, 0.5 * real + 0.5 * fake)
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the penalty below is written with tf.GradientTape")
    import tensorflow as tf

    def penalty(critic, real, fake, eps, flip=False, square_first=False):
        w = (1.0 - eps) if flip else eps
        x_hat = ops.convert_to_tensor(w * real + (1.0 - w) * fake)
        with tf.GradientTape() as tape:
            tape.watch(x_hat)
            scores = critic(x_hat)
        norms = ops.sqrt(ops.sum(ops.square(ops.reshape(tape.gradient(scores, x_hat), (4, -1))), axis=1))
        return ops.mean(ops.square(norms) - 1.0) if square_first else ops.mean(ops.square(norms - 1.0))

    assert _status(ch05.q6, penalty).status == CORRECT
    assert _status(ch05.q6, lambda *a: penalty(*a, flip=True)).status == CORRECT
    assert "先减 1 再平方" in _wrong(ch05.q6, lambda *a: penalty(*a, square_first=True))
    assert _status(ch05.q6, lambda *a: ____).status == NOT_ATTEMPTED


def test_ch05_q7_q8_wasserstein_by_hand_and_q9_failure_from_the_critic_curve():
    p, q = ch05.P_POS, ch05.Q_POS
    assert _status(ch05.q7, np.mean(np.abs(np.sort(p) - np.sort(q)))).status == CORRECT
    assert _status(ch05.q7, 1).status == CORRECT
    assert "均值相同不等于分布相同" in _wrong(ch05.q7, abs(p.mean() - q.mean()))
    assert "交叉搬运" in _wrong(ch05.q7, np.mean(np.abs(p - q[::-1])))
    assert _status(ch05.q7, ____).status == NOT_ATTEMPTED
    assert _status(ch05.q8, abs(ch05.THETA)).status == CORRECT
    assert "不会是负数" in _wrong(ch05.q8, ch05.THETA)
    assert "JS 散度" in _wrong(ch05.q8, np.log(2))
    assert _status(ch05.q9, "B").status == CORRECT
    assert _status(ch05.q9, " b ").status == CORRECT
    assert "跟不上" in _wrong(ch05.q9, "A")
    assert _status(ch05.q9, ____).status == NOT_ATTEMPTED
