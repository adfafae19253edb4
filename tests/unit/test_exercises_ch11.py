import numpy as np

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch11


def assert_wrong(q, values, fragment):
    result = q.evaluate(*values)
    assert result.status == INCORRECT, result
    assert fragment in result.message, result.message


def test_q1_alpha_bar_and_noise_level():
    abar = np.cumprod(1 - ch11.BETAS)
    a = abar[ch11.STEP]
    assert ch11.q1.evaluate(a, np.sqrt(1 - a)).status == CORRECT
    assert_wrong(ch11.q1, (abar[ch11.STEP - 1], np.sqrt(1 - a)), "差了一步")
    assert_wrong(ch11.q1, (1 - ch11.BETAS[ch11.STEP], 0.5), "只是这一步的")
    assert_wrong(ch11.q1, (1 - ch11.BETAS[:ch11.STEP + 1].sum(), 0.5), "连乘")
    assert_wrong(ch11.q1, (a, 1 - a), "要开平方")
    assert_wrong(ch11.q1, ("0.5", 0.1), "应该是一个数")
    assert ch11.q1.evaluate(____, ____).status == NOT_ATTEMPTED


def test_q2_forward_noising():
    def right(x0, t, eps, abar):
        a = abar[t].reshape(-1, 1, 1, 1)
        return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps

    def no_sqrt(x0, t, eps, abar):
        a = abar[t].reshape(-1, 1, 1, 1)
        return a * x0 + np.sqrt(1 - a) * eps

    def off_by_one(x0, t, eps, abar):
        prev = np.concatenate([[1.0], abar[:-1]])
        a = prev[t].reshape(-1, 1, 1, 1)
        return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps

    assert ch11.q2.evaluate(right).status == CORRECT
    assert_wrong(ch11.q2, (no_sqrt,), "少了平方根")
    assert_wrong(ch11.q2, (off_by_one,), "下标差一")
    assert_wrong(ch11.q2, (lambda x0, t, eps, abar: np.sqrt(abar[t]) * x0,), "输出形状")
    assert_wrong(ch11.q2, (3,), "应该是一个函数")
    assert ch11.q2.evaluate(lambda *a: ____).status == NOT_ATTEMPTED


def test_q3_ddim_step():
    assert ch11.q3.evaluate(ch11.reference_ddim_step).status == CORRECT

    def x0_only(x_t, eps, at, as_):
        return (x_t - np.sqrt(1 - at) * eps) / np.sqrt(at)

    def wrong_level(x_t, eps, at, as_):
        return np.sqrt(as_) * x0_only(x_t, eps, at, as_) + np.sqrt(1 - at) * eps

    assert_wrong(ch11.q3, (x0_only,), "重新加噪")
    assert_wrong(ch11.q3, (wrong_level,), "√(1 − ᾱ_s)")
    assert ch11.q3.evaluate(____).status == NOT_ATTEMPTED


def test_q4_three_bugs():
    def noisy(x0, eps, a):
        return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps

    def steps(T, n):
        return np.round(np.linspace(0, T - 1, n)).astype(int)[::-1]

    def guide(el, en, w):
        return en + w * (el - en)

    assert ch11.q4.evaluate(noisy, steps, guide).status == CORRECT
    assert_wrong(ch11.q4, (lambda x0, eps, a: a * x0 + np.sqrt(1 - a) * eps, steps, guide), "(a) 还没修好")
    assert_wrong(ch11.q4, (noisy, lambda T, n: np.round(np.linspace(0, T, n)).astype(int)[::-1], guide),
                 "(b) 还差一")
    assert_wrong(ch11.q4, (noisy, steps, lambda el, en, w: en - w * (el - en)), "(c) 符号还是反的")
    assert ch11.q4.evaluate(noisy, steps, lambda *a: ____).status == NOT_ATTEMPTED


def test_q5_guidance_tradeoff_reads_the_table():
    table = ch11.GUIDANCE_TABLE
    best = table["w"][int(np.argmin(table["FID"]))]
    assert ch11.q5.evaluate("B", best).status == CORRECT
    assert ch11.q5.evaluate(" b ", best).status == CORRECT
    assert_wrong(ch11.q5, ("A", best), "并不同时变好")
    assert_wrong(ch11.q5, ("D", best), "单调")
    assert_wrong(ch11.q5, ("E", best), "一个字母")
    worst = table["w"][int(np.argmax(table["FID"]))]
    assert_wrong(ch11.q5, ("B", worst), "best_w")
    assert ch11.q5.evaluate(____, best).status == NOT_ATTEMPTED
    # the table is the chapter's and says what B says: class accuracy rises from w = 0 to a middle w, with the
    # within-class spread falling, and drops again at the largest w; FID is lowest at a middle w
    acc, spread, fid = (np.array(table[k]) for k in ("class_accuracy", "within_class_spread", "FID"))
    peak = int(np.argmax(acc))
    assert 0 < peak < len(acc) - 1 and acc[-1] < acc[peak] and acc[peak] > acc[0]
    assert spread[peak] < spread[0] and 0 < int(np.argmin(fid)) < len(fid) - 1
