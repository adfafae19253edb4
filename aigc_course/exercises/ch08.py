"""Questions of exercise 08 (GPT：预训练与微调——写唐诗).

Each checker returns None for a right answer or a Chinese sentence saying what is wrong. q4 is a
"find the bug" question on the source's GPT loss (SYLLABUS erratum 9).
"""

from __future__ import annotations

import math

import numpy as np

from ..metrics.text import verses
from .core import NOT_ANSWERED, NotAttempted, Question, as_number, close, is_blank, not_a_function

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "P_TARGET", "LOGITS_T", "toy_step", "toy_logits",
           "POEM_RHYME", "GROUPS", "POEM_TONE", "TONES", "PATTERN", "CANDIDATES", "RHYME_LOGITS", "CANDIDATE_GROUPS",
           "RHYME_SO_FAR", "q10", "POEM_TAG", "TAG"]

# q1: the model's probabilities of the correct next characters at four positions
P_TARGET = np.array([0.5, 0.25, 0.125, 0.5])
LOSS = float(-np.mean(np.log(P_TARGET)))


def _check_q1(loss):
    try:
        v = as_number(loss, "loss")
    except TypeError as exc:
        return str(exc)
    if close(v, LOSS):
        return None
    if close(v, -np.sum(np.log(P_TARGET))):
        return "这是 4 个位置的总和；按每个字平均（除以 T = 4）。"
    if close(v, np.mean(np.log(P_TARGET))):
        return "符号反了：损失是负对数似然，-log p 为正。"
    if close(v, -np.mean(np.log(P_TARGET) + np.log(1 - P_TARGET))):
        return "这是来源文档 004 §4.3 的二元交叉熵写法；下一个字是多类别问题，只取 -log p(正确的字)。"
    if close(v, -np.mean(np.log10(P_TARGET))) or close(v, -np.mean(np.log2(P_TARGET))):
        return "请用自然对数 np.log（单位：奈特）。"
    return f"loss = {v:.4f} 不对：loss = -(1/T) Σ_t log p(x_t | x_<t)。"


q1 = Question(
    "q1", _check_q1, var="loss",
    hints=["只需要每个位置上正确的字的概率：它们就在 P_TARGET 里。", "loss = -np.mean(np.log(P_TARGET))。"],
    solution=f"`loss = -np.mean(np.log(P_TARGET))`，约等于 {LOSS:.4f} 奈特/字。")


# q2: perplexity and bits per character of that loss
def _check_q2(ppl, bpc):
    try:
        p, b = as_number(ppl, "ppl"), as_number(bpc, "bpc")
    except TypeError as exc:
        return str(exc)
    msgs = []
    if not close(p, math.exp(LOSS)):
        if close(p, 2 ** LOSS) or close(p, 10 ** LOSS):
            msgs.append("困惑度是 e 的 loss 次方（loss 以奈特为单位），用 np.exp。")
        else:
            msgs.append(f"ppl = {p:.4f} 不对：困惑度 = exp(loss)。")
    if not close(b, LOSS / math.log(2)):
        if close(b, LOSS * math.log(2)):
            msgs.append("奈特换成比特要除以 ln 2，不是乘。")
        else:
            msgs.append(f"bpc = {b:.4f} 不对：每字比特数 = loss / ln 2。")
    return " ".join(msgs) or None


q2 = Question(
    "q2", _check_q2, var=("ppl", "bpc"),
    hints=["困惑度 = e^loss；它等于模型在多少个字里“均匀地犹豫”。", "1 比特 = ln 2 奈特。"],
    solution=f"`ppl = np.exp(loss)`（{math.exp(LOSS):.3f}），`bpc = loss / np.log(2)`（{LOSS / math.log(2):.3f}）。")


# q3: implement top-k filtering
def _check_q3(top_k_filter):
    bad = not_a_function(top_k_filter, "top_k_filter")
    if bad:
        return bad
    cases = [(np.array([0.1, 2.0, -1.0, 1.5, 0.3]), 2), (np.array([3.0, 1.0, 2.0]), 1),
             (np.array([0.5, -0.5, 2.5, 1.0]), 4)]
    for logits, k in cases:
        out = top_k_filter(logits.copy(), k)
        if is_blank(out):
            raise NotAttempted("函数里还有 ____。")
        try:
            o = np.asarray(out, dtype="float64")
        except (TypeError, ValueError):
            return f"top_k_filter 应返回一个数组，而你返回的是 {type(out).__name__}"
        if o.shape != logits.shape:
            return f"输出应与输入形状相同 {logits.shape}（被剪掉的位置设为 -inf），而你的是 {o.shape}。"
        keep = np.argsort(-logits)[:k]
        expected = np.full_like(logits, -np.inf)
        expected[keep] = logits[keep]
        if np.array_equal(o, expected):
            continue
        kept = int(np.isfinite(o).sum())
        if np.all(np.isfinite(o)) and k < len(logits):
            return "被剪掉的位置要设为 -np.inf（这样 softmax 之后概率正好为 0），而不是保留原值。"
        if kept == k + 1:
            return f"k = {k} 时你保留了 {kept} 个：阈值应是第 k 大的值（np.sort(logits)[-k]），并用 >=。"
        if kept == k - 1:
            return f"k = {k} 时你只保留了 {kept} 个：比较时用 >= 阈值，第 k 大的那个也要保留。"
        if np.array_equal(np.isfinite(o), np.isfinite(expected)):
            return "保留下来的位置要保持原来的 logits 值不变。"
        return f"对 logits = {logits.tolist()}，k = {k}，应保留最大的 {k} 个，其余设为 -inf。"
    return None


q3 = Question(
    "q3", _check_q3, var="top_k_filter",
    hints=["第 k 大的值：np.sort(logits)[-k]。", "np.where(logits >= threshold, logits, -np.inf)。"],
    solution="```python\ndef top_k_filter(logits, k):\n    threshold = np.sort(logits)[-k]\n"
             "    return np.where(logits >= threshold, logits, -np.inf)\n```")


# q4: find the bug: which loss trains a GPT? (erratum 9)
def _check_q4(choice):
    if not isinstance(choice, str):
        return f"choice 应该是 \"A\"、\"B\" 或 \"C\" 中的一个字符串，而你给的是 {type(choice).__name__}"
    c = choice.strip().upper()
    if c == "B":
        return None
    if c == "A":
        return ("A 是来源文档 004 §4.3 的写法：二元交叉熵把下一个字当成“是/否”问题，"
                "但它是词表中 V 个字之一，应当用多类别交叉熵。")
    if c == "C":
        return "C 是模型预测分布自身的熵，与训练文本无关；最小化它只会让模型变得武断，而不是预测得准。"
    return f"请在 \"A\"、\"B\"、\"C\" 中选一个，你给的是 {choice!r}。"


q4 = Question(
    "q4", _check_q4, var="choice",
    hints=["下一个字可能是词表里 V 个字中的任意一个。", "训练目标是让训练文本的概率 ∏ p(x_t | x_<t) 尽量大。"],
    solution="`choice = \"B\"`：L = -Σ_t log p_θ(x_t | x_<t)，多类别交叉熵。")


# q5: temperature
LOGITS_T = np.array([2.0, 1.0, 0.0])
PROBS_T = np.exp(LOGITS_T / 0.5) / np.exp(LOGITS_T / 0.5).sum()


def _check_q5(probs):
    try:
        p = np.asarray(probs, dtype="float64")
    except (TypeError, ValueError):
        return f"probs 应该是一个数组，而你给的是 {type(probs).__name__}"
    if p.shape != (3,):
        return f"probs 的形状应为 (3,)，而你的是 {p.shape}。"
    if close(p, PROBS_T):
        return None
    plain = np.exp(LOGITS_T) / np.exp(LOGITS_T).sum()
    if close(p, plain):
        return "这是温度 T = 1 的结果：先把 logits 除以 T = 0.5，再做 softmax。"
    if close(p, np.exp(LOGITS_T * 0.5) / np.exp(LOGITS_T * 0.5).sum()):
        return "你把 logits 乘以了 0.5；温度是除：softmax(z / T)。"
    if close(p, plain ** (1 / 0.5)):
        return "概率的平方还要重新归一化，使三者之和为 1。"
    return "结果不对：probs = softmax(LOGITS_T / 0.5)。"


q5 = Question(
    "q5", _check_q5, var="probs",
    hints=["T < 1 会让分布更尖。", "z = LOGITS_T / 0.5；probs = np.exp(z) / np.exp(z).sum()。"],
    solution="`probs = np.exp(LOGITS_T / 0.5) / np.exp(LOGITS_T / 0.5).sum()`。")


# q6: the KV-cache generation loop, on a one-layer, one-head numpy GPT whose step function is given
_TOY_V, _TOY_D, TOY_MAX_LEN = 11, 8, 12
_toy = np.random.default_rng(80)
_E = _toy.normal(scale=1.0, size=(_TOY_V, _TOY_D))
_P = _toy.normal(scale=0.5, size=(TOY_MAX_LEN, _TOY_D))
_WQ, _WK, _WV = (_toy.normal(scale=0.6, size=(_TOY_D, _TOY_D)) for _ in range(3))


def _toy_attend(x_t, keys, values):
    scores = keys @ (x_t @ _WQ) / math.sqrt(_TOY_D)
    w = np.exp(scores - scores.max())
    return x_t + (w / w.sum()) @ values


def toy_step(token, pos, k_cache, v_cache):
    """One cached step of a tiny numpy GPT: the token at position ``pos`` → (logits (vocab,), new k_cache,
    new v_cache). The caches are (max_len, d) arrays; the returned ones are NEW arrays with row ``pos`` written
    (the arguments are not changed), so a loop must keep what the step returns."""
    x = _E[int(token)] + _P[int(pos)]
    k_cache, v_cache = np.array(k_cache, dtype="float64"), np.array(v_cache, dtype="float64")
    k_cache[pos], v_cache[pos] = x @ _WK, x @ _WV
    h = _toy_attend(x, k_cache[:pos + 1], v_cache[:pos + 1])
    return h @ _E.T, k_cache, v_cache


def toy_logits(tokens) -> np.ndarray:
    """All positions at once, recomputing everything (no cache): logits (len(tokens), vocab)."""
    x = _E[np.asarray(tokens)] + _P[:len(tokens)]
    keys, values = x @ _WK, x @ _WV
    return np.stack([_toy_attend(x[t], keys[:t + 1], values[:t + 1]) for t in range(len(tokens))]) @ _E.T


def _greedy_by_recomputing(prompt, n_new):
    out = list(prompt)
    for _ in range(n_new):
        out.append(int(np.argmax(toy_logits(out)[-1])))
    return out


def _check_q6(generate):
    bad = not_a_function(generate, "generate")
    if bad:
        return bad
    for prompt, n_new in [([3], 6), ([5, 1, 7], 5), ([2, 2], 8)]:
        calls = []

        def counting_step(token, pos, k_cache, v_cache):
            calls.append(int(pos))
            return toy_step(token, pos, k_cache, v_cache)

        out = generate(counting_step, list(prompt), n_new)
        if is_blank(out):
            raise NotAttempted("函数里还有 ____。")
        try:
            got = [int(t) for t in np.asarray(out).reshape(-1)]
        except (TypeError, ValueError):
            return f"generate 应返回一串整数编号（列表或数组），而你返回的是 {type(out).__name__}"
        want = _greedy_by_recomputing(prompt, n_new)
        if got == want:
            if calls != list(range(len(prompt) + n_new - 1)):
                return (f"结果对了，但 step 被调用的位置是 {calls}：每个字（提示里的和新生成的）应当正好喂一次，"
                        f"位置依次为 0, 1, …, {len(prompt) + n_new - 2}。")
            continue
        if got == want[len(prompt):]:
            return "只返回了新生成的字；请返回提示加上新字的完整序列。"
        if len(got) != len(want):
            return f"提示 {prompt} 加 {n_new} 个新字应共有 {len(want)} 个编号，而你返回了 {len(got)} 个。"
        if calls and calls[0] != 0:
            return "第一个字的位置应是 0：提示里的每个字都要先喂给 step，把它们的键和值写进缓存。"
        if len(set(calls)) < len(calls):
            return f"同一个位置被喂了不止一次（{calls}）：位置应随每个字加 1。"
        return (f"对提示 {prompt}，贪心结果应为 {want}，而你得到 {got}。检查：是否把 step 返回的新缓存保存下来、"
                f"传给下一步？是否用最后一个位置的 logits 取 argmax？")
    return None


q6 = Question(
    "q6", _check_q6, var="generate",
    hints=["先建两个全零缓存 np.zeros((TOY_MAX_LEN, 8))；对提示中的每个字依次调用 step(token, pos, k, v)，"
           "并把返回的 k, v 接住。",
           "提示的最后一个字喂进去之后，logits 就是下一个字的分布：取 argmax 接到序列后面，再把这个新字在下一个位置喂进去。"],
    solution="```python\ndef generate(step, prompt, n_new):\n    k = np.zeros((ch08.TOY_MAX_LEN, 8)); v = np.zeros_like(k)\n"
             "    out = list(prompt)\n    for pos in range(len(prompt) + n_new - 1):\n"
             "        logits, k, v = step(out[pos], pos, k, v)\n        if pos >= len(prompt) - 1:\n"
             "            out.append(int(np.argmax(logits)))\n    return out\n```")


# q7: rhyme words and whether they rhyme (平水韵 groups of the characters involved, given)
POEM_RHYME = "空山新雨后，天气晚来秋。\n明月松间照，清泉石上流。\n竹喧归浣女，莲动下渔舟。\n随意春芳歇，王孙自可留。"
GROUPS = {"后": {"上声二十五有", "去声二十六宥"}, "秋": {"下平声十一尤"}, "照": {"去声十八嘯"},
          "流": {"下平声十一尤"}, "女": {"上声六語", "去声六御"}, "舟": {"下平声十一尤"}, "歇": {"入声六月"},
          "留": {"下平声十一尤", "去声二十六宥"}}
"""The 平水韵 groups of the verse-final characters, as ``aigc_course.metrics.text.rhyme_table()`` gives them."""
_RHYME_WORDS = ["秋", "流", "舟", "留"]


def _check_q7(words, rhyme_ok):
    if is_blank(words) or is_blank(rhyme_ok):
        raise NotAttempted(NOT_ANSWERED)
    if isinstance(words, str):
        words = list(words)
    try:
        words = [str(w) for w in words]
    except TypeError:
        return f"words 应该是一串字（列表或字符串），而你给的是 {type(words).__name__}"
    if words != _RHYME_WORDS:
        if words == ["后", "照", "女", "歇"]:
            return "这是单数句的末字；押韵的是双数句（第 2、4、6、8 句）的末字。"
        if words == ["后", "秋", "照", "流", "女", "舟", "歇", "留"]:
            return "这是每一句的末字；只取双数句的末字。"
        return f"words 应是双数句的末字，按顺序共 4 个，而你给的是 {words}。"
    if not isinstance(rhyme_ok, (bool, np.bool_)):
        return f"rhyme_ok 应该是 True 或 False，而你给的是 {type(rhyme_ok).__name__}"
    if not bool(rhyme_ok):
        return "四个韵脚有共同的韵部（下平声十一尤），所以押韵：求它们韵部集合的交集，非空即押韵。"
    return None


q7 = Question(
    "q7", _check_q7, var=("words", "rhyme_ok"),
    hints=["把诗按“，”和“。”切成句，取第 2、4、6、8 句的最后一个字。",
           "set.intersection(*[GROUPS[w] for w in words]) 非空就押韵（多音字属于几个韵部，有一个共同的就行）。"],
    solution="```python\nverses = [v for v in re.split(\"[，。\\n]\", POEM_RHYME) if v]\nwords = [v[-1] for v in verses[1::2]]\n"
             "rhyme_ok = bool(set.intersection(*[GROUPS[w] for w in words]))\n```\n韵脚 秋流舟留，同属下平声十一尤。")


# q8: tone agreement of 柳宗元《江雪》 with the 平起 pattern of a 五绝 (tones of its characters given)
POEM_TONE = "千山鸟飞绝，万径人踪灭。\n孤舟蓑笠翁，独钓寒江雪。"
TONES = {"千": "平", "山": "平", "鸟": "仄", "飞": "平", "绝": "仄", "万": "仄", "径": "仄", "人": "平", "踪": "平",
         "灭": "仄", "孤": "平", "舟": "平", "蓑": "平", "笠": "仄", "翁": "平", "独": "仄", "钓": "仄", "寒": "平",
         "江": "平", "雪": "仄"}
PATTERN = [[None, "平", None, "仄", None], [None, "仄", None, "平", "平"],
           [None, "仄", None, "平", "仄"], [None, "平", None, "仄", "平"]]
"""``aigc_course.metrics.text.tone_pattern(4, 5, "平")``: the regulated tone of each character, None = free."""
_HITS, _TOTAL = 3, 11


def _check_q8(agreement):
    try:
        a = as_number(agreement, "agreement")
    except TypeError as exc:
        return str(exc)
    if close(a, _HITS / _TOTAL):
        return None
    if close(a, _HITS / 20):
        return "分母只数有规定的位置（PATTERN 中不是 None 的 11 个），不是全部 20 个字。"
    if close(a, 1 - _HITS / _TOTAL):
        return "这是不吻合的比例；要的是吻合的比例。"
    if close(a, _HITS):
        return "这是吻合的个数；再除以有规定的位置数。"
    return f"agreement = {a:.4f} 不对：在 PATTERN 不是 None 的位置上，数字的平仄与规定相同的比例。"


q8 = Question(
    "q8", _check_q8, var="agreement",
    hints=["把诗切成 4 句，逐句逐字与 PATTERN 的同一位置对照；PATTERN 为 None 的位置跳过。",
           "吻合：TONES[字] 包含规定的平仄（多音字写作“平仄”，两种都算）。agreement = 吻合数 / 有规定的位置数。"],
    solution="```python\nverses = [v for v in re.split(\"[，。\\n]\", POEM_TONE) if v]\n"
             "pairs = [(TONES[c], want) for v, row in zip(verses, PATTERN) for c, want in zip(v, row) if want]\n"
             "agreement = sum(want in tone for tone, want in pairs) / len(pairs)\n```\n"
             f"结果 {_HITS}/{_TOTAL} ≈ {_HITS / _TOTAL:.3f}。《江雪》押入声韵，是一首古绝，并不遵守近体诗的平仄，"
             "所以这个指标在一首真诗上也可能很低：读指标前先确认它的前提。")


# q9: rhyme-constrained sampling at the 4th verse's last character: renormalise over the characters that rhyme
CANDIDATES = ["东", "楼", "月", "舟", "风", "秋"]
RHYME_LOGITS = np.array([2.0, 1.0, 1.5, 0.5, 1.0, 0.0])
CANDIDATE_GROUPS = {"东": {"上平声一東"}, "楼": {"下平声十一尤"}, "月": {"入声六月"}, "舟": {"下平声十一尤"},
                    "风": {"上平声一東"}, "秋": {"下平声十一尤"}}
"""The 平水韵 groups of the candidates, as ``aigc_course.metrics.text.rhyme_table()`` gives them."""
RHYME_SO_FAR = {"下平声十一尤"}
"""The groups the rhyme word of verse 2 (流) belongs to."""
_ALLOWED = np.array([bool(CANDIDATE_GROUPS[c] & RHYME_SO_FAR) for c in CANDIDATES])
_P_ALL = np.exp(RHYME_LOGITS - RHYME_LOGITS.max()) / np.exp(RHYME_LOGITS - RHYME_LOGITS.max()).sum()
PROBS_RHYME = np.where(_ALLOWED, _P_ALL, 0.0) / _P_ALL[_ALLOWED].sum()


def _check_q9(probs):
    if is_blank(probs):
        raise NotAttempted(NOT_ANSWERED)
    try:
        p = np.asarray(probs, dtype="float64")
    except (TypeError, ValueError):
        return f"probs 应该是一个数组，而你给的是 {type(probs).__name__}"
    if p.shape != (len(CANDIDATES),):
        return f"probs 的形状应为 ({len(CANDIDATES)},)（每个候选字一个概率），而你的是 {p.shape}。"
    if close(p, PROBS_RHYME):
        return None
    if close(p, _P_ALL):
        return "这是没有约束的分布：押不上韵的字（东、月、风）的概率应为 0。"
    if close(p, np.where(_ALLOWED, _P_ALL, 0.0)):
        return "押不上韵的字置零之后还要重新归一化：除以允许的字的概率之和，使总和为 1。"
    if close(p, np.where(_ALLOWED, 1.0 / _ALLOWED.sum(), 0.0)):
        return "允许的字之间不是平均分配：仍按模型的概率，只是在允许的字集上重新归一化。"
    if close(p, np.where(~_ALLOWED, _P_ALL, 0.0) / _P_ALL[~_ALLOWED].sum()):
        return "反了：保留的应是与 RHYME_SO_FAR 有共同韵部的字（楼、舟、秋）。"
    return "结果不对：允许的字 = 韵部与 RHYME_SO_FAR 有交集的候选；probs = 模型概率在允许的字上重新归一化，其余为 0。"


q9 = Question(
    "q9", _check_q9, var="probs",
    hints=["先找出允许的字：CANDIDATE_GROUPS[c] & RHYME_SO_FAR 非空。",
           "把不允许的字的 logit 设为 -np.inf，再做 softmax；或者先 softmax，把不允许的置零，再除以剩下的和。"],
    solution="```python\nallowed = np.array([bool(CANDIDATE_GROUPS[c] & RHYME_SO_FAR) for c in CANDIDATES])\n"
             "z = np.where(allowed, RHYME_LOGITS, -np.inf)\nprobs = np.exp(z - z.max()) / np.exp(z - z.max()).sum()\n```\n"
             "东的 logit 最大，却押不上十一尤，概率变为 0；楼、舟、秋按模型原来的比例分掉全部概率。")


# q10: the rhyme tags of section 3: the tag before every rhyme word (last character of an even verse)
POEM_TAG = "远上寒山石径斜，白云生处有人家。停车坐爱枫林晚，霜叶红于二月花。"
TAG = "<麻>"
"""杜牧《山行》: 家 and 花 (verses 2 and 4) share 下平声六麻; 斜 closes verse 1 and also rhymes (首句入韵)."""
_VERSES = verses(POEM_TAG)
TOKENS_TAG = []
for _k, (_v, _mark) in enumerate(_VERSES):
    TOKENS_TAG += list(_v[:-1]) + ([TAG] if _k % 2 == 1 else []) + [_v[-1], _mark]


def _check_q10(tokens):
    if is_blank(tokens):
        raise NotAttempted(NOT_ANSWERED)
    if isinstance(tokens, str):
        return "tokens 应该是一个列表：每个字一个字符串，标记 '<麻>' 也是列表中的一个元素。"
    try:
        got = [str(t) for t in tokens]
    except TypeError:
        return f"tokens 应该是一个字符串列表，而你给的是 {type(tokens).__name__}"
    if got == TOKENS_TAG:
        return None
    plain = [t for t in got if t != TAG]
    if plain != [t for t in TOKENS_TAG if t != TAG]:
        if plain and plain[0] == "<bos>":
            return "只写诗本身的记号，不要加 <bos> 和 <eos>。"
        return "去掉标记之后，应当正好是原诗的每一个字和标点，一个不多、一个不少、顺序不变。"
    where = [got[i + 1] if i + 1 < len(got) else "" for i, t in enumerate(got) if t == TAG]
    if "斜" in where:
        return "斜虽然也押韵（首句入韵），但标记只加在双数句（第 2、4 句）的末字前，与 rhyme_words 的定义一致。"
    if where and all(w in "，。" for w in where):
        return "标记放在了韵脚字之后；它应当紧挨在韵脚字前面，模型写出标记之后再按标记选字。"
    return f"标记的位置不对：应当在{'、'.join(_VERSES[k][0][-1] for k in (1, 3))}这两个韵脚字前面各有一个 {TAG}。"


q10 = Question(
    "q10", _check_q10, var="tokens",
    hints=["先按“，”和“。”把诗切成 4 句；第 2、4 句（下标 1、3）的最后一个字是韵脚。",
           "逐句把字放进列表；遇到双数句的最后一个字，先放 TAG 再放这个字；每句之后放回它的标点。"],
    solution="```python\ntokens = []\nfor k, (verse, mark) in enumerate(re.findall(\"([^，。]+)([，。])\", POEM_TAG)):\n"
             "    tokens += list(verse[:-1]) + ([TAG] if k % 2 == 1 else []) + [verse[-1], mark]\n```\n"
             "模型读到的是 …有人 <麻> 家 。…二月 <麻> 花 。：押韵变成了“抄前面的标记”和“按标记选字”两件近处的事。")
