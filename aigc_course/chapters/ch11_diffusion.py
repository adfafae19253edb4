"""Settings of chapter 11_diffusion (扩散模型（进阶）): parameter kinds, shared values, per-profile overrides.

The standard profile is sized for a 2-core CPU: one class-conditional U-Net trained with label dropout
serves both the unconditional samples (null label) and the guided ones, and every model of the comparison
table gets the same training wall time ``compare_seconds``.
"""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "attention": Bool(),
        "batch_size": Int(min=1),
        "blocks": Int(min=1),
        "compare_seconds": Float(min=0, min_open=True),
        "ddim_steps": Int(min=1),
        "ema_momentum": Prob(max_open=True),
        "film": Bool(),
        "gan_width": Int(min=1),
        "guidance": Float(min=0),
        "guidance_scales": ListOf(Float(min=0)),
        "guided_n": Int(min=10),
        "kid_subset": Int(min=2),
        "kid_subsets": Int(min=1),
        "label_dropout": Prob(),
        "ladder_ddpm": Bool(),
        "ladder_n": Int(min=10),
        "ladder_steps": ListOf(Int(min=1)),
        "latent_dim": Int(min=1),
        "learning_rate": Float(min=0, min_open=True),
        "min_snr_gamma": Optional(Float(min=0, min_open=True)),
        "n_eval": Int(min=10),
        "n_train": Int(min=1),
        "pr_k": Int(min=1),
        "prediction": Choice("eps", "v"),
        "schedule": Choice("cosine", "linear"),
        "seed": Int(min=0),
        "timesteps": Int(min=2),
        "train_seconds": Float(min=0, min_open=True),
        "train_steps": Int(min=1),
        "widths": ListOf(Int(min=1)),
    },
    shared={
        "attention": True,
        "blocks": 1,
        "film": True,
        "label_dropout": 0.2,
        "latent_dim": 64,
        "min_snr_gamma": 5.0,
        "pr_k": 3,
        "prediction": "v",
        "schedule": "cosine",
        "seed": 0,
        "timesteps": 1000,
    },
    smoke={
        "n_train": 512,
        "batch_size": 32,
        "learning_rate": 0.002,
        "widths": [8, 16],
        "ema_momentum": 0.9,
        "train_steps": 16,
        "train_seconds": 60.0,
        "compare_seconds": 2.0,
        "gan_width": 8,
        "ddim_steps": 4,
        "ladder_steps": [2, 4],
        "ladder_n": 64,
        "ladder_ddpm": False,
        "guidance": 3.0,
        "guidance_scales": [0.0, 1.0, 3.0],
        "guided_n": 60,
        "n_eval": 128,
        "kid_subset": 64,
        "kid_subsets": 2,
        "bars": {"max_fid": 1e9, "min_confident_ratio": 0.0, "min_class_share": 0.0, "max_class_share": 1.0,
                 "min_guided_accuracy": 0.0},
    },
    standard={
        "n_train": 60000,
        "batch_size": 32,
        "learning_rate": 0.002,
        "widths": [16, 32, 64],
        "ema_momentum": 0.995,
        "train_steps": 1000000,
        "train_seconds": 400.0,
        "compare_seconds": 60.0,
        "gan_width": 32,
        "ddim_steps": 20,
        "ladder_steps": [5, 10, 20],
        "ladder_n": 500,
        "ladder_ddpm": False,
        "guidance": 1.5,
        "guidance_scales": [0.0, 1.0, 1.5, 2.5],
        "guided_n": 500,
        "n_eval": 2000,
        "kid_subset": 1000,
        "kid_subsets": 10,
        # The bars, not all met yet. Measured runs (TensorFlow, shared 2-core CPU, whole chapter):
        # eps-prediction, 10 DDIM steps, 1855 steps in 420 s, 13 min: FID 32.0, confident share 0.25 x real,
        # class shares 3.0-37 %, guided accuracy 42 % at w = 3;
        # v-prediction + min-SNR-5, 20 DDIM steps, 2009 steps in 400 s, 14.1 min: FID 13.0 (met), confident share
        # 0.34 x real, class shares 3.2-18.6 %, guided accuracy 60 % at w = 3 (48 % at w = 1, 45 % at w = 5).
        # + FiLM residual blocks (film=True), 2055 steps in 400 s, 13.7 min: FID 11.85 (met), confident share
        # 0.32 x real, class shares 4.3-16.5 % (met), guided accuracy 75.6 % at w = 2 (62.2 % at w = 1, 60.8 % at 3).
        # benchmarks/diffusion_recipe.py, the same recipe, 2055 steps: DDIM 20: FID 12.0, confident 0.31 x, classes
        # 4.3-15.8 %; DDIM 40: FID 11.35, confident 0.31 x (more sampling steps do not raise the confident share);
        # guided accuracy 79.2 % at w = 1.5, 78.4 % at 2, 70.6 % at 2.5.
        # Final run of these settings (w = 1.5, sweep 0/1/1.5/2.5), 2078 steps in 400 s, 14.2 min (838 s by the
        # chapter's clock): FID 11.81 (met), confident share 0.31 x real, class shares 3.75-15.4 % (trousers under
        # 4 %), guided accuracy 75.0 % at w = 1.5 (64.4 % at w = 1, 70.6 % at 2.5): three bars not met.
        # Batch 32 instead of 64 (benchmarks/diffusion_recipe.py --seconds 400 --film 1 --batch-size 32, alone on the
        # CPU): 3769 steps in 400 s (9.4 steps/s, the same images per second), DDIM 20: FID 9.77, confident share
        # 0.396 x real, class shares 4.6-15.0 %, guided accuracy 82.2 % at w = 1.5.
        # Whole chapter at batch 32: 3418 steps in 400 s, 14.4 min: FID 11.78, confident share 0.34 x real, class
        # shares 4.4-17.0 % (met), guided accuracy 77.0 % at w = 1.5. Then the guidance sweep's w = 0 row reuses the
        # unconditional samples (same x_T for every w): 3528 steps, 13.9 min wall (824 s by the chapter's clock):
        # FID 10.61 (met), confident share 0.347 x real (not met), class shares 5.1-15.25 % (met), guided accuracy
        # 81.6 % at w = 1.5 (met).
        # What did not raise the confident share at equal steps (benchmarks/diffusion_recipe.py --steps 3400,
        # batch 32, 1000 samples; baseline FID 9.6, confident 0.366 x, guided 80.7 % at w = 1.5): EMA 0.999 (0.356 x);
        # label dropout 0.5 (0.396 x, but guided accuracy 65.3 %); the learning rate falling linearly to 0 over the
        # last 30 % (FID 12.0, 0.339 x); samplers on the same weights: DDIM eta 0.5 / 1 (0.362 / 0.371 x, FID 10.4 /
        # 11.7), step spacing dense at large t (0.374 x) or at small t (0.31 x), DDIM 50 (0.344 x). Batch 16,
        # 5400 steps (about the same time): 0.366 x with EMA 0.995, 0.397 x with EMA 0.998. Widths [8, 32, 64]
        # (about 1.35x faster per step): FID 15.4, 0.245 x at 3400 steps. mixed_bfloat16 on this CPU (AMD EPYC,
        # avx512_bf16): no faster per step than float32.
        # 2026-12-07, same harness. The EMA callback copies every weight in Python after each step: in interleaved
        # 150-step fits (batch 32, the chapter's other callbacks on) the optimizer's in-step average ran at 94-101 ms
        # per step against 108-120 ms for the per-step callback in the machine's quiet rounds (its speed swings up to
        # 2x from minute to minute), so the chapter now averages every 4 steps with momentum m**4. Loss weights at
        # 3400 steps: x_0-weight clip(SNR, 1, 5) (more weight on the noisiest steps) FID 13.8, 0.271 x; plain v-loss
        # FID 12.3, 0.287 x; min-SNR 20 FID 9.8, 0.348 x (guided 85 / 87 / 81 %). A U-Net on 2 x 2 patches (levels
        # 14 x 14 and 7 x 7, widths 48 / 128, 0.88 M parameters, about the same time per step): 0.39 x but FID 11.5
        # and one class at 3.5 % (batch 32, 3400 steps); 0.375 x, FID 10.1 (batch 16, 5400 steps). Batch 16 with EMA
        # 0.998 every 4 steps, 5400 steps: FID 8.59, 0.396 x, classes 5.0-14 %, guided 81.0 % (0.995: FID 9.37,
        # 0.365 x); but the whole chapter at batch 16 made only 4626 steps in 400 s (185 images/s against 282 in the
        # batch-32 run above): FID 13.2, 0.308 x, classes 3.2-18.4 %, guided 80.2 %. Back to batch 32 and 0.995.
        # Whole chapter with these settings (EMA every 4 steps): 4246 steps in 400 s, 13.3 min wall (783 s by the
        # chapter's clock): FID 10.80 (met), confident share 0.2735 = 0.355 x real (not met), class shares
        # 5.3-17.0 % (met), guided accuracy 84.4 % at w = 1.5 (met). With the average starting at the first batch
        # (commit 84665cd): 3630 steps in 400 s, 13.9 min wall (823 s): FID 9.73 (met), confident share 0.2905 =
        # 0.377 x real (not met), class shares 4.5-14.85 % (met), guided accuracy 84.0 % at w = 1.5 (met).
        "bars": {"max_fid": 15.0, "min_confident_ratio": 0.4, "min_class_share": 0.04, "max_class_share": 0.20,
                 "min_guided_accuracy": 0.80},
    },
    full={
        "n_train": 60000,
        "batch_size": 128,
        "learning_rate": 0.0005,
        "widths": [64, 128, 256],
        "ema_momentum": 0.9995,
        "train_steps": 60000,
        "train_seconds": 7200.0,
        "compare_seconds": 900.0,
        "gan_width": 64,
        "ddim_steps": 50,
        "ladder_steps": [10, 25, 50, 100],
        "ladder_n": 5000,
        "ladder_ddpm": True,
        "guidance": 3.0,
        "guidance_scales": [0.0, 1.0, 2.0, 3.0, 5.0],
        "guided_n": 2000,
        "n_eval": 10000,
        "kid_subset": 1000,
        "kid_subsets": 50,
        "bars": {"max_fid": 15.0, "min_confident_ratio": 0.8, "min_class_share": 0.04, "max_class_share": 0.20,
                 "min_guided_accuracy": 0.90, "max_ddim50_over_ddpm": 1.5, "fid_below_dcgan": True},
    },
)
