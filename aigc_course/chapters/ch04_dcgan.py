"""Settings of chapter 04_dcgan (DCGAN 图像生成实战): parameter kinds, shared values, per-profile overrides.

Standard profile (2-core CPU, TensorFlow): width 32, XLA (jit_compile), batch 32 and steps_per_execution 8.
Chosen by time to quality with ``benchmarks/dcgan_recipe.py`` under the shared CPU lock (2026-11-29; width 32,
latent 64, label smoothing 0.1, Adam 2e-4 / beta_1 0.5 for both networks, generator EMA 0.999; 2 000 samples
against 2 000 test images; guarded confident share as a multiple of real images', FID on the course's
features; raw weights unless marked):

    recipe                          training s   steps   steps/s   confident x real   FID
    batch 64, one step per call        313        6 000    19.4        0.42            4.98   (earlier session)
    batch 64, one step per call        515       10 000    19.4        0.54            3.34   (earlier session)
    batch 64, steps_per_execution 8    120        3 254    27.1        0.318           9.04
    batch 64, steps_per_execution 8    340        8 626    25.4        0.503           4.06
    batch 32, steps_per_execution 8    120        6 393    53.2        0.401           5.92
    batch 32, steps_per_execution 8    240       11 930    49.7        0.504           3.70
    batch 32, steps_per_execution 8    340       17 043    50.1        0.557           3.22   (EMA: 0.555, 3.13)

Calling the compiled step once per 8 steps removes most of the per-step Python and callback cost (about
1.3x the steps per second at batch 64); halving the batch then doubles the steps per second, and at a
fixed budget the extra updates help more than the larger batch does. At 340 s every class lay between 7.8 %
and 12.3 % of the samples in both recipes. The bars are the course's targets; the standard self-check asserts them.

The chapter itself at standard (``aigc-course report 04 --profile standard``, under the lock, 2026-11-29): 6 min 24 s
wall, 16 728 steps in 355 s of training (47.1 steps/s); EMA weights chosen (FID 3.12 against 3.46 raw), confident
share 0.539x real, classes 7.9-11.7 %, precision 0.44, recall 0.65, checkerboard score 1.9x real images',
no sample closer to a training image than the 5 % quantile of test images."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "d_lr": Float(min=0.0),
        "ema": Float(min=0.0, max=0.99999),
        "epochs": Int(min=1),
        "g_lr": Float(min=0.0),
        "jit_compile": Bool(),
        "latent_dim": Int(min=1),
        "n_eval": Int(min=1),
        "n_train": Int(min=1),
        "seed": Int(min=0),
        "steps_per_execution": Int(min=1),
        "time_budget": Int(min=1),
        "width": Int(min=1),
    },
    shared={
        "seed": 0,
        "d_lr": 2e-4,
        "g_lr": 2e-4,
    },
    smoke={
        "n_train": 384,
        "epochs": 2,
        "batch_size": 64,
        "latent_dim": 32,
        "width": 8,
        "ema": 0.9,
        "jit_compile": False,
        "steps_per_execution": 2,
        "time_budget": 60,
        "n_eval": 300,
        "bars": {'min_confidence_ratio': 0.0, 'min_class_share': 0.0, 'max_class_share': 1.0, 'max_fid': 1e9,
                 'max_train_seconds': 60},
    },
    standard={
        "n_train": 60000,
        "epochs": 1000,
        "batch_size": 32,
        "latent_dim": 64,
        "width": 32,
        "ema": 0.999,
        "jit_compile": True,
        "steps_per_execution": 8,
        "time_budget": 355,
        "n_eval": 2000,
        "bars": {'min_confidence_ratio': 0.5, 'min_class_share': 0.04, 'max_class_share': 0.2, 'max_fid': 8.0,
                 'max_train_seconds': 360},
    },
    full={
        "n_train": 60000,
        "epochs": 40,
        "batch_size": 128,
        "latent_dim": 100,
        "width": 64,
        "ema": 0.999,
        "jit_compile": True,
        "steps_per_execution": 8,
        "time_budget": 1800,
        "n_eval": 5000,
        "bars": {'min_confidence_ratio': 0.75, 'min_class_share': 0.05, 'max_class_share': 0.15, 'max_fid': 8.0,
                 'max_train_seconds': 1800},
    },
)
