import math

import numpy as np
import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, ch07, ch08


def _status(q, *values):
    r = q.evaluate(*values)
    return r.status, r.message


def _softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------- chapter 07 ----------------

def test_ch07_q1_attention_weights():
    x = ch07.TOY_X
    right = _softmax(x @ x.T / np.sqrt(2))
    assert _status(ch07.q1, right) == (CORRECT, "")
    assert _status(ch07.q1, _softmax(x @ x.T)) == (INCORRECT, "你忘了除以 √d_k（这里 d_k = 2）。")
    assert _status(ch07.q1, x @ x.T / np.sqrt(2)) == (
        INCORRECT, "这还是打分（点积），没有经过 softmax：每一行的权重之和应为 1。")
    assert _status(ch07.q1, np.ones((2, 2))) == (INCORRECT, "weights 的形状应为 (3, 3)（3 个查询 × 3 个键），而你的是 (2, 2)。")
    assert _status(ch07.q1, ____)[0] == NOT_ATTEMPTED


def test_ch07_q2_causal_mask():
    right = np.tril(np.ones((5, 5), dtype=bool))
    assert _status(ch07.q2, right) == (CORRECT, "")
    assert _status(ch07.q2, right.astype(int)) == (CORRECT, "")
    assert _status(ch07.q2, right.T)[1].startswith("方向反了")
    assert _status(ch07.q2, np.tril(np.ones((5, 5)), k=-1)) == (INCORRECT, "对角线也应为 True：每个位置可以看到它自己。")
    assert _status(ch07.q2, ____)[0] == NOT_ATTEMPTED


def test_ch07_q3_erratum_4():
    x = np.arange(1.0, 6.0)
    w = np.exp(x) / np.exp(x).sum()
    assert round(float(w @ x), 2) == 4.45
    assert _status(ch07.q3, w @ x) == (CORRECT, "")
    status, msg = _status(ch07.q3, 7)
    assert status == INCORRECT and msg.startswith("7 正是来源文档（002 §4.3）的错误结果")
    assert _status(ch07.q3, 3.0)[1].startswith("3 是所有 x 的平均值")
    assert _status(ch07.q3, "4.45") == (INCORRECT, "y1 应该是一个数，而你给的是 str")
    assert _status(ch07.q3, ____)[0] == NOT_ATTEMPTED


def test_ch07_q4_attention_function():
    def right(q, k, v):
        return _softmax(q @ k.T / np.sqrt(q.shape[-1])) @ v

    assert _status(ch07.q4, right) == (CORRECT, "")
    assert _status(ch07.q4, lambda q, k, v: _softmax(q @ k.T) @ v) == (INCORRECT, "你忘了除以 √d_k（这里 d_k = 8）。")
    assert _status(ch07.q4, lambda q, k, v: (q @ k.T / np.sqrt(8)) @ v) == (INCORRECT, "打分之后要先做 softmax，再乘以 v。")
    assert _status(ch07.q4, lambda q, k, v: ____)[0] == NOT_ATTEMPTED
    assert _status(ch07.q4, 3) == (INCORRECT, "attention 应该是一个函数，而你给的是 int。")


def test_ch07_q5_parameter_count_matches_keras():
    import keras

    layer = keras.layers.MultiHeadAttention(num_heads=4, key_dim=4)
    z = np.zeros((1, 3, 16), dtype="float32")
    layer(z, z)
    assert _status(ch07.q5, layer.count_params()) == (CORRECT, "")
    assert _status(ch07.q5, 1024) == (INCORRECT, "你漏了偏置：Q、K、V 和输出投影各有一个长度为 16 的偏置。")
    assert _status(ch07.q5, 3 * (16 * 16 + 16))[1].startswith("别忘了最后把各头拼起来之后的输出投影")
    assert _status(ch07.q5, ____)[0] == NOT_ATTEMPTED


def _masked_np(q, k, v, mask, scale=True, fill=-1e9):
    s = q @ np.swapaxes(k, -1, -2) / (np.sqrt(q.shape[-1]) if scale else 1.0)
    return _softmax(np.where(mask, s, fill)) @ v


def test_ch07_q6_masked_attention_accepts_every_backend_form():
    import math

    import keras
    from keras import ops

    def with_ops(q, k, v, mask):
        scores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(q.shape[-1])
        weights = ops.softmax(ops.where(mask, scores, -1e9), axis=-1)
        return ops.matmul(weights, v), weights                 # a (outputs, weights) tuple is fine too

    assert _status(ch07.q6, with_ops) == (CORRECT, "")
    assert _status(ch07.q6, lambda q, k, v, m: _masked_np(q, k, v, m, fill=-np.inf)) == (CORRECT, "")
    assert _status(ch07.q6, lambda q, k, v, m: _masked_np(q, k, v, m, scale=False)) == (
        INCORRECT, "你忘了除以 √d_k（这里 d_k = 8）。")
    assert _status(ch07.q6, lambda q, k, v, m: _masked_np(q, k, v, ~m))[1].startswith("掩码用反了")
    assert _status(ch07.q6, lambda q, k, v, m: _masked_np(q, k, v, m, fill=0.0))[1].startswith("被挡住的分数换成 0")
    after = lambda q, k, v, m: (_softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(8)) * m) @ v  # noqa: E731
    assert _status(ch07.q6, after)[1].startswith("你在 softmax 之后才乘掩码")
    assert _status(ch07.q6, lambda q, k, v, m: _softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(8)) @ v) == (
        INCORRECT, "结果和没有掩码时一样：掩码没有起作用。")
    assert _status(ch07.q6, lambda q, k, v, m: ____)[0] == NOT_ATTEMPTED
    assert _status(ch07.q6, "f") == (INCORRECT, "masked_attention 应该是一个函数，而你给的是 str。")
    assert keras.backend.backend() in ("tensorflow", "jax", "torch")


def test_ch07_q7_causal_mask_function():
    from keras import ops

    assert _status(ch07.q7, lambda n: np.tril(np.ones((n, n), dtype=bool))) == (CORRECT, "")
    assert _status(ch07.q7, lambda n: ops.cast(ops.tril(ops.ones((n, n))), "bool")) == (CORRECT, "")
    assert _status(ch07.q7, lambda n: np.tril(np.ones((n, n)))) == (CORRECT, "")      # 0/1 is accepted
    assert _status(ch07.q7, lambda n: np.triu(np.ones((n, n), dtype=bool))) == (
        INCORRECT, "causal_mask(2) 方向反了：第 t 行应在第 0…t 列为 True（对角线及其下方，tril）。")
    assert _status(ch07.q7, lambda n: np.tril(np.ones((n, n), dtype=bool), k=-1)) == (
        INCORRECT, "causal_mask(1) 的对角线也应为 True：每个位置可以看到它自己。")
    assert _status(ch07.q7, lambda n: np.ones((5, 5), dtype=bool)) == (
        INCORRECT, "causal_mask(1) 的形状应为 (1, 1)，而你的是 (5, 5)。")
    assert _status(ch07.q7, lambda n: ____)[0] == NOT_ATTEMPTED


def _block_class(body):
    import keras

    from aigc_course.models import transformer

    class Block(keras.layers.Layer):
        def __init__(self, d_model, heads, ff_dim, **kwargs):
            super().__init__(**kwargs)
            self.attn = transformer.MultiHeadSelfAttention(heads, d_model // heads)
            self.ln1 = keras.layers.LayerNormalization(epsilon=1e-5)
            self.ln2 = keras.layers.LayerNormalization(epsilon=1e-5)
            self.ff1 = keras.layers.Dense(ff_dim, activation="gelu")
            self.ff2 = keras.layers.Dense(d_model)

        def call(self, x):
            return body(self, x, transformer.causal_mask(x.shape[1]))

    return Block


def test_ch07_q8_transformer_block():
    def pre(self, x, mask):
        x = x + self.attn(self.ln1(x), attention_mask=mask)
        return x + self.ff2(self.ff1(self.ln2(x)))

    def pre_returning_weights(self, x, mask):                    # another correct form
        a, w = self.attn(self.ln1(x), attention_mask=mask, return_attention=True)
        h = a + x
        return h + self.ff2(self.ff1(self.ln2(h))), w

    def post(self, x, mask):
        x = self.ln1(x + self.attn(x, attention_mask=mask))
        return self.ln2(x + self.ff2(self.ff1(x)))

    def no_mask(self, x, mask):
        x = x + self.attn(self.ln1(x))
        return x + self.ff2(self.ff1(self.ln2(x)))

    def no_residual(self, x, mask):
        x = self.attn(self.ln1(x), attention_mask=mask)
        return x + self.ff2(self.ff1(self.ln2(x)))

    assert _status(ch07.q8, _block_class(pre)) == (CORRECT, "")
    assert _status(ch07.q8, _block_class(pre_returning_weights)) == (CORRECT, "")
    assert _status(ch07.q8, _block_class(post)) == (
        INCORRECT, "这是后置层归一化（LN(x + Attn(x))）：本题要前置，x + Attn(LN(x))。")
    assert _status(ch07.q8, _block_class(no_mask)) == (
        INCORRECT, "没有用因果掩码：把 mask 传给 self.attn(..., attention_mask=mask)。")
    assert _status(ch07.q8, _block_class(no_residual))[1].startswith("结果不对。前置块是两步")
    assert _status(ch07.q8, _block_class(lambda self, x, mask: ____))[0] == NOT_ATTEMPTED
    assert _status(ch07.q8, pre) == (INCORRECT, "Block 应该是一个类（class），而你给的是 function")


# ---------------- chapter 08 ----------------

def test_ch08_q1_next_token_loss():
    p = ch08.P_TARGET
    assert _status(ch08.q1, -np.mean(np.log(p))) == (CORRECT, "")
    assert _status(ch08.q1, -np.sum(np.log(p))) == (INCORRECT, "这是 4 个位置的总和；按每个字平均（除以 T = 4）。")
    assert _status(ch08.q1, np.mean(np.log(p))) == (INCORRECT, "符号反了：损失是负对数似然，-log p 为正。")
    status, msg = _status(ch08.q1, -np.mean(np.log(p) + np.log(1 - p)))
    assert status == INCORRECT and msg.startswith("这是来源文档 004 §4.3 的二元交叉熵写法")
    assert _status(ch08.q1, ____)[0] == NOT_ATTEMPTED


def test_ch08_q2_perplexity_and_bits():
    loss = -np.mean(np.log(ch08.P_TARGET))
    assert _status(ch08.q2, np.exp(loss), loss / np.log(2)) == (CORRECT, "")
    assert _status(ch08.q2, 2 ** loss, loss / np.log(2)) == (
        INCORRECT, "困惑度是 e 的 loss 次方（loss 以奈特为单位），用 np.exp。")
    assert _status(ch08.q2, np.exp(loss), loss * np.log(2)) == (INCORRECT, "奈特换成比特要除以 ln 2，不是乘。")
    assert _status(ch08.q2, np.exp(loss), ____)[0] == NOT_ATTEMPTED


def test_ch08_q3_top_k():
    def right(logits, k):
        return np.where(logits >= np.sort(logits)[-k], logits, -np.inf)

    assert _status(ch08.q3, right) == (CORRECT, "")
    assert _status(ch08.q3, lambda logits, k: np.where(logits > np.sort(logits)[-k], logits, -np.inf)) == (
        INCORRECT, "k = 2 时你只保留了 1 个：比较时用 >= 阈值，第 k 大的那个也要保留。")
    assert _status(ch08.q3, lambda logits, k: np.where(logits >= np.sort(logits)[-k], logits, 0.0)) == (
        INCORRECT, "被剪掉的位置要设为 -np.inf（这样 softmax 之后概率正好为 0），而不是保留原值。")
    assert _status(ch08.q3, lambda logits, k: ____)[0] == NOT_ATTEMPTED


def test_ch08_q4_find_the_bug():
    assert _status(ch08.q4, "B") == (CORRECT, "")
    assert _status(ch08.q4, " b ") == (CORRECT, "")
    assert _status(ch08.q4, "A")[1].startswith("A 是来源文档 004 §4.3 的写法")
    assert _status(ch08.q4, "D") == (INCORRECT, "请在 \"A\"、\"B\"、\"C\" 中选一个，你给的是 'D'。")
    assert _status(ch08.q4, ____)[0] == NOT_ATTEMPTED


def test_ch08_q5_temperature():
    z = ch08.LOGITS_T
    right = np.exp(z / 0.5) / np.exp(z / 0.5).sum()
    assert right[0] == pytest.approx(math.exp(4) / (math.exp(4) + math.exp(2) + 1))
    assert _status(ch08.q5, right) == (CORRECT, "")
    assert _status(ch08.q5, np.exp(z) / np.exp(z).sum()) == (
        INCORRECT, "这是温度 T = 1 的结果：先把 logits 除以 T = 0.5，再做 softmax。")
    assert _status(ch08.q5, ____)[0] == NOT_ATTEMPTED


def _cached_loop(keep_caches=True, feed_prompt=True):
    def generate(step, prompt, n_new):
        k = np.zeros((ch08.TOY_MAX_LEN, 8))
        v = np.zeros_like(k)
        out = list(prompt)
        first = 0 if feed_prompt else len(prompt) - 1
        for pos in range(first, len(prompt) + n_new - 1):
            logits, k2, v2 = step(out[pos], pos, k, v)
            if keep_caches:
                k, v = k2, v2
            if pos >= len(prompt) - 1:
                out.append(int(np.argmax(logits)))
        return np.array(out)          # an array is as good as a list
    return generate


def test_ch08_q6_kv_cache_loop():
    assert _status(ch08.q6, _cached_loop()) == (CORRECT, "")
    status, msg = _status(ch08.q6, _cached_loop(keep_caches=False))
    assert status == INCORRECT and "是否把 step 返回的新缓存保存下来" in msg
    assert _status(ch08.q6, _cached_loop(feed_prompt=False)) == (
        INCORRECT, "第一个字的位置应是 0：提示里的每个字都要先喂给 step，把它们的键和值写进缓存。")
    only_new = lambda step, prompt, n: _cached_loop()(step, prompt, n)[len(prompt):]
    assert _status(ch08.q6, only_new) == (INCORRECT, "只返回了新生成的字；请返回提示加上新字的完整序列。")
    assert _status(ch08.q6, lambda step, prompt, n: ____)[0] == NOT_ATTEMPTED
    # the cached step and recomputing the prefix agree
    k = v = np.zeros((ch08.TOY_MAX_LEN, 8))
    for pos, token in enumerate([3, 4, 5]):
        logits, k, v = ch08.toy_step(token, pos, k, v)
    np.testing.assert_allclose(logits, ch08.toy_logits([3, 4, 5])[-1], rtol=1e-12)


def test_ch08_q7_rhyme_words():
    assert _status(ch08.q7, ["秋", "流", "舟", "留"], True) == (CORRECT, "")
    assert _status(ch08.q7, "秋流舟留", np.bool_(True)) == (CORRECT, "")
    assert _status(ch08.q7, ["后", "照", "女", "歇"], True) == (
        INCORRECT, "这是单数句的末字；押韵的是双数句（第 2、4、6、8 句）的末字。")
    assert _status(ch08.q7, ["秋", "流", "舟", "留"], False)[0] == INCORRECT
    assert _status(ch08.q7, ____, True)[0] == NOT_ATTEMPTED
    from aigc_course.metrics import text
    assert text.rhyme_words(ch08.POEM_RHYME) == ["秋", "流", "舟", "留"] and text.rhymes(ch08.POEM_RHYME)


def test_ch08_q8_tone_agreement():
    from fractions import Fraction

    assert _status(ch08.q8, 3 / 11) == (CORRECT, "")
    assert _status(ch08.q8, Fraction(3, 11)) == (CORRECT, "")
    assert _status(ch08.q8, 3 / 20) == (
        INCORRECT, "分母只数有规定的位置（PATTERN 中不是 None 的 11 个），不是全部 20 个字。")
    assert _status(ch08.q8, 8 / 11) == (INCORRECT, "这是不吻合的比例；要的是吻合的比例。")
    # the given data are the package's table and pattern
    from aigc_course.metrics import text
    table = text.rhyme_table()
    assert all(table.tone(c) == t for c, t in ch08.TONES.items())
    assert all(set(table.groups(c)) == g for c, g in ch08.GROUPS.items())
    assert [list(r) for r in text.tone_pattern(4, 5, "平")] == ch08.PATTERN


def test_ch08_q9_rhyme_constrained_probabilities():
    allowed = np.array([bool(ch08.CANDIDATE_GROUPS[c] & ch08.RHYME_SO_FAR) for c in ch08.CANDIDATES])
    z = np.where(allowed, ch08.RHYME_LOGITS, -np.inf)
    good = _softmax(z)
    assert good[allowed].sum() == pytest.approx(1.0) and np.all(good[~allowed] == 0)
    assert _status(ch08.q9, good) == (CORRECT, "")
    assert _status(ch08.q9, good.tolist()) == (CORRECT, "")
    free = _softmax(ch08.RHYME_LOGITS)
    assert _status(ch08.q9, free) == (INCORRECT, "这是没有约束的分布：押不上韵的字（东、月、风）的概率应为 0。")
    assert _status(ch08.q9, np.where(allowed, free, 0.0)) == (
        INCORRECT, "押不上韵的字置零之后还要重新归一化：除以允许的字的概率之和，使总和为 1。")
    assert _status(ch08.q9, allowed / allowed.sum()) == (
        INCORRECT, "允许的字之间不是平均分配：仍按模型的概率，只是在允许的字集上重新归一化。")
    assert _status(ch08.q9, good[:5]) == (
        INCORRECT, "probs 的形状应为 (6,)（每个候选字一个概率），而你的是 (5,)。")
    assert _status(ch08.q9, ____)[0] == NOT_ATTEMPTED
    # the given groups are the package's table, and 流 (verse 2's rhyme word) sits in RHYME_SO_FAR
    from aigc_course.metrics import text
    table = text.rhyme_table()
    assert all(set(table.groups(c)) == g for c, g in ch08.CANDIDATE_GROUPS.items())
    assert set(table.groups("流")) == ch08.RHYME_SO_FAR


def test_ch08_q10_rhyme_tags():
    import re

    good = []
    for k, (verse, mark) in enumerate(re.findall("([^，。]+)([，。])", ch08.POEM_TAG)):
        good += list(verse[:-1]) + ([ch08.TAG] if k % 2 == 1 else []) + [verse[-1], mark]
    assert "".join(good) == "远上寒山石径斜，白云生处有人<麻>家。停车坐爱枫林晚，霜叶红于二月<麻>花。"
    assert _status(ch08.q10, good) == (CORRECT, "")
    assert _status(ch08.q10, tuple(good)) == (CORRECT, "")
    assert _status(ch08.q10, "".join(good)) == (
        INCORRECT, "tokens 应该是一个列表：每个字一个字符串，标记 '<麻>' 也是列表中的一个元素。")
    assert _status(ch08.q10, ["<bos>"] + good + ["<eos>"]) == (INCORRECT, "只写诗本身的记号，不要加 <bos> 和 <eos>。")
    first_too = ["<麻>" if t == "斜" else t for t in good]
    first_too.insert(first_too.index("<麻>") + 1, "斜")
    assert _status(ch08.q10, first_too) == (
        INCORRECT, "斜虽然也押韵（首句入韵），但标记只加在双数句（第 2、4 句）的末字前，与 rhyme_words 的定义一致。")
    after = [t for t in good if t != ch08.TAG]
    for w in ("家", "花"):
        after.insert(after.index(w) + 1, ch08.TAG)
    assert _status(ch08.q10, after) == (
        INCORRECT, "标记放在了韵脚字之后；它应当紧挨在韵脚字前面，模型写出标记之后再按标记选字。")
    assert _status(ch08.q10, [t for t in good if t != "云"]) == (
        INCORRECT, "去掉标记之后，应当正好是原诗的每一个字和标点，一个不多、一个不少、顺序不变。")
    assert _status(ch08.q10, ____)[0] == NOT_ATTEMPTED
    # the given tag is the one chapter 08's tagger writes: 家 and 花 share 下平声六麻
    from aigc_course.metrics import text
    table = text.rhyme_table()
    assert table.groups("家") & table.groups("花") == {"下平声六麻"} and ch08.TAG == "<麻>"
