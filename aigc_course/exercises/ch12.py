"""Questions of exercise 12 (应用场景、挑战与伦理): spot the invented citation (erratum 17), compute a
detector's ROC AUC from scores, choose the watermark step for a PSNR target, and read a membership-inference
result."""

from __future__ import annotations

import math

import numpy as np

from ..metrics.roc import roc_auc
from .ch03 import choice_check
from .core import NotAttempted, Question, as_number, close, is_blank, not_a_function, scalar_checker

__all__ = ["q1", "q2", "q3", "q4", "CITATIONS", "FAKE_SCORES", "REAL_SCORES", "N_CARRIERS", "TARGET_PSNR",
           "MI_RESULTS", "STATEMENTS"]

# q1: which citation does not exist? (erratum 17)
CITATIONS = {
    "A": "Ho, Jain & Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.",
    "B": "Karras et al. StyleGAN2: Euler Fields and Non-Parametric Coherence. CVPR 2020.",
    "C": "Radford, Metz & Chintala. Unsupervised Representation Learning with Deep Convolutional Generative "
         "Adversarial Networks. arXiv 2015 (ICLR 2016).",
    "D": "Chen & Wornell. Quantization Index Modulation: A Class of Provably Good Methods for Digital "
         "Watermarking and Information Embedding. IEEE Transactions on Information Theory, 2001.",
}
q1 = Question(
    "q1",
    choice_check("invented", "B", {
        "A": "这篇是真实的：DDPM，Ho、Jain、Abbeel，NeurIPS 2020（第 11 章的扩散模型）。",
        "C": "这篇是真实的：DCGAN 的作者是 Radford、Metz 和 Chintala（源文 001 §7 把作者写成了 Kingma 和 Welling，勘误 16）。",
        "D": "这篇是真实的：QIM，Chen 与 Wornell，IEEE Transactions on Information Theory 2001（第 12 章的水印）。",
    }),
    var="invented",
    hints=["在会议论文集里按标题搜索，核对作者和年份。",
           "StyleGAN2 论文的真实标题是 Analyzing and Improving the Image Quality of StyleGAN。"],
    solution="`invented = \"B\"`：这个标题出自源文 000 §7.3，并不存在；StyleGAN2 是 Karras 等，"
             "*Analyzing and Improving the Image Quality of StyleGAN*，CVPR 2020（勘误 17）。",
)

# q2: ROC AUC from scores, ties count one half
FAKE_SCORES = np.array([0.9, 0.8, 0.6, 0.4, 0.3])
REAL_SCORES = np.array([0.7, 0.4, 0.2, 0.1])


def _q2(fn):
    if is_blank(fn):
        raise NotAttempted()
    bad = not_a_function(fn, "auc", "auc(positive, negative)")
    if bad:
        return bad
    got = fn(FAKE_SCORES, REAL_SCORES)
    if is_blank(got):
        raise NotAttempted("auc 里还有 ____。")
    try:
        value = as_number(got, "auc(FAKE_SCORES, REAL_SCORES)")
    except TypeError as exc:
        return str(exc)
    if close(value, 1 - 15.5 / 20):
        return "正例和反例弄反了：题目把“生成”的得分当正例，AUC 是生成图得分高于真实图的概率。"
    if close(value, 15 / 20):
        return "得分相等的一对（0.4 和 0.4）要算半个，而不是 0 个。"
    if close(value, 6 / 9):
        return "这是阈值 0.5 时的准确率，不是 AUC：AUC 比较所有“生成—真实”配对，不依赖阈值。"
    if not close(value, 15.5 / 20):
        return f"auc(FAKE_SCORES, REAL_SCORES) = {value:.4f} 不对；数一数 20 个配对里生成图得分更高的有几对。"
    rng = np.random.default_rng(12)
    pos, neg = rng.integers(0, 5, 30).astype(float), rng.integers(0, 5, 40).astype(float)
    other = as_number(fn(pos, neg), "auc")
    if not close(other, roc_auc(pos, neg)):
        return f"在另一组有很多并列得分的数据上，你的函数给出 {other:.4f}，应为 {roc_auc(pos, neg):.4f}。"
    return None


q2 = Question(
    "q2", _q2, var="auc",
    hints=["把每个正例得分和每个反例得分比较：`p[:, None] > n[None, :]` 得到一个 (5, 4) 的布尔矩阵。",
           "相等的配对算 0.5：`np.mean((p > n) + 0.5 * (p == n))`。"],
    solution=("```python\ndef auc(positive, negative):\n    p = np.asarray(positive, dtype=float)[:, None]\n"
              "    n = np.asarray(negative, dtype=float)[None, :]\n    return float(np.mean((p > n) + 0.5 * (p == n)))\n```\n"
              "20 个配对中生成图得分更高的有 15 对，另有 1 对相等，AUC = 15.5 / 20 = 0.775。"),
)

# q3: the QIM step for a PSNR target: PSNR = 10 log10(12 N / (k step^2))
N_CARRIERS = 32          # 16 bits, each on 2 coefficients
TARGET_PSNR = 38.0
N_PIXELS = 28 * 28
STEP = math.sqrt(12 * N_PIXELS / N_CARRIERS * 10 ** (-TARGET_PSNR / 10))
q3 = Question(
    "q3",
    scalar_checker("step", STEP, {
        math.sqrt(N_PIXELS / N_CARRIERS * 10 ** (-TARGET_PSNR / 10)):
            "少了 12：均匀分布在 [-Δ/2, Δ/2] 上的误差，方差是 Δ²/12。",
        math.sqrt(12 * N_PIXELS / 16 * 10 ** (-TARGET_PSNR / 10)):
            "载体数 k 是 16 位 × 每位 2 个系数 = 32，不是 16。",
        math.sqrt(12 * N_PIXELS / N_CARRIERS * 10 ** (-TARGET_PSNR / 20)):
            "PSNR 是功率之比：MSE = 10^(−PSNR/10)，不是 10^(−PSNR/20)。",
        12 * N_PIXELS / N_CARRIERS * 10 ** (-TARGET_PSNR / 10):
            "这是 Δ²；还要开平方。",
    }, retry="从 PSNR = 10 log10(12N / (kΔ²)) 解出 Δ。"),
    var="step",
    hints=["MSE = 10^(−PSNR/10)（像素在 [0, 1] 上）。", "MSE = kΔ²/(12N)，N = 784，k = 32。"],
    solution=f"`step = math.sqrt(12 * 784 / 32 * 10 ** (-38 / 10))`，约 {STEP:.4f}；"
             "与 `watermark.strength_for_psnr(38, 32)` 相同。实测 PSNR 会略低一些，因为截断到 [0, 1] 又带来了额外的改动。",
)

# q4: reading a membership-inference result
MI_RESULTS = {
    "M1": {"auc": 0.51, "member_mean_loss": 301.0, "nonmember_mean_loss": 302.0},
    "M2": {"auc": 0.78, "member_mean_loss": 180.0, "nonmember_mean_loss": 260.0},
}
STATEMENTS = {
    "A": "M2 泄露的成员信息更多：它在训练成员上的损失明显低于非成员（过拟合），损失阈值攻击据此区分二者。",
    "B": "M1 更能保护隐私，因为它的损失更高。",
    "C": "对 M2，攻击者猜“是不是成员”时有 78% 的把握猜对。",
    "D": "M2 记住了它的每一张训练图像。",
}
q4 = Question(
    "q4",
    choice_check("statement", "A", {
        "B": "损失的绝对大小不说明隐私：要看成员与非成员的损失**差别**。M1 两者几乎相同，M2 差 80 nats，M2 才是泄露多的那个；"
             "M1 的损失高只说明它拟合得差。",
        "C": "AUC 不是准确率：它是随机取一个成员和一个非成员、成员得分更高的概率。某个阈值下的准确率要另算，通常低于这个数。",
        "D": "AUC 0.78 小于 1：成员和非成员的损失分布有重叠，只能说明 M2 对训练集拟合得更好（过拟合），不说明它记住了每一张图。"
             "是否复制具体图像要用最近邻检查。",
    }),
    var="statement",
    hints=["损失阈值攻击利用的是成员与非成员损失的差别。", "AUC 0.5 表示这种攻击无效；它不是“猜对的比例”。"],
    solution="`statement = \"A\"`：M2 在训练成员上的损失明显低于非成员，攻击者据此区分二者，AUC 0.78 远高于 0.5；"
             "M1 的 0.51 与掷硬币无异。",
)
