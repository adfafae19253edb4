"""Settings of chapter 05_conditional_wgan (条件生成与训练稳定性): parameter kinds, shared values, per-profile overrides.

All image networks of the chapter share one width; the plain GAN and WGAN-GP get the same wall time
(``compare_seconds`` each), and the bar ``max_train_seconds`` bounds the chapter's training time in all
(the critic experiment, the ring runs, both image GANs and the conditional GAN).

Standard profile, measured on the course's 2-core CPU under the shared lock (TensorFlow, all 60 000 images, FID of
2 000 EMA samples against 2 000 test images): a faithful WGAN-GP (n_critic 5, a fresh real batch per critic update,
lambda 10, Adam beta_1 0 / beta_2 0.9) at width 32, batch 64, with XLA compiling the whole critic step including the
penalty's second derivatives, makes about 5.5 generator steps/s. With learning rate 2e-4 it reaches FID 60.8 / 23.9 /
16.3 / 10.7 after 60 / 120 / 180 / 240 s; with 5e-4, FID 54.8 / 12.5 / 7.4 / 5.6 (largest class 13 % from 120 s on).
The generator's weight average needs a short window (0.99) for WGAN-GP's ~1 000 generator steps: 0.999 would still
hold a third of the first, untrained weights. The conditional GAN (lr 2e-4, EMA 0.999) made about 2 500 steps in
147 s and hit the requested class on 69 % of samples (FID 45): 0.999 is too long a window for 2 500 steps as well,
so the plain and conditional GAN average with 0.995 here.

The chapter at these settings (report run under the lock, 634 s wall, 544 s of training): critics 6 s, ring 28 s;
plain GAN 4 101 steps in 180 s, FID 26.8 / 15.5 / 9.6 / 7.4 at 45 / 90 / 135 / 180 s; WGAN-GP 813 steps, FID
91.9 / 42.9 / 14.6 / 9.6 (largest class 13.5 %); conditional GAN 4 026 steps in 150 s, FID 3.5, requested class on
83.3 % of 2 000 samples (the classifier: 92.2 % on real test images)."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "cgan_seconds": Int(min=1),
        "checkpoints": Int(min=1),
        "critic_steps": Int(min=1),
        "compare_seconds": Int(min=1),
        "ema": Float(min=0.0, max=0.99999),
        "gan_lr": Float(min=0.0),
        "jit_compile": Bool(),
        "latent_dim": Int(min=1),
        "n_critic": Int(min=1),
        "n_eval": Int(min=1),
        "n_train": Int(min=1),
        "ring_seeds": ListOf(Int(min=0)),
        "ring_steps": Int(min=1),
        "seed": Int(min=0),
        "wgan_lr": Float(min=0.0),
        "wgan_ema": Float(min=0.0, max=0.99999),
        "width": Int(min=1),
    },
    shared={
        "seed": 0,
        "gan_lr": 2e-4,
        "wgan_lr": 5e-4,
    },
    smoke={
        "n_train": 384,
        "batch_size": 32,
        "latent_dim": 32,
        "width": 8,
        "compare_seconds": 3,
        "cgan_seconds": 3,
        "n_critic": 2,
        "ema": 0.9,
        "wgan_ema": 0.9,
        "checkpoints": 2,
        "critic_steps": 20,
        "jit_compile": False,
        "ring_steps": 40,
        "ring_seeds": [0, 1],
        "n_eval": 300,
        "bars": {'min_class_accuracy': 0.0, 'max_fid_wgan': 1e9, 'max_class_share_wgan': 1.0, 'max_train_seconds': 120},
    },
    standard={
        "n_train": 60000,
        "batch_size": 64,
        "latent_dim": 64,
        "width": 32,
        "compare_seconds": 180,
        "cgan_seconds": 150,
        "n_critic": 5,
        "ema": 0.995,
        "wgan_ema": 0.99,
        "checkpoints": 4,
        "critic_steps": 300,
        "jit_compile": True,
        "ring_steps": 1000,
        "ring_seeds": [0, 1, 2],
        "n_eval": 2000,
        "bars": {'min_class_accuracy': 0.8, 'max_fid_wgan': 15.0, 'max_class_share_wgan': 0.25, 'max_train_seconds': 600},
    },
    full={
        "n_train": 60000,
        "batch_size": 64,
        "latent_dim": 100,
        "width": 64,
        "compare_seconds": 900,
        "cgan_seconds": 900,
        "n_critic": 5,
        "ema": 0.999,
        "wgan_ema": 0.999,
        "checkpoints": 6,
        "critic_steps": 1000,
        "jit_compile": True,
        "ring_steps": 3000,
        "ring_seeds": [0, 1, 2, 3, 4],
        "n_eval": 5000,
        "bars": {'min_class_accuracy': 0.9, 'max_fid_wgan': 15.0, 'max_class_share_wgan': 0.2, 'max_train_seconds': 3000},
    },
)
