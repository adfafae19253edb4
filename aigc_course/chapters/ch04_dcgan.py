"""Settings of chapter 04_dcgan (DCGAN 图像生成实战): parameter kinds, shared values, per-profile overrides.

Standard profile (2-core CPU, TensorFlow): width 32 and batch 64 run about four times as many steps per second as
width 64 and batch 128, and XLA (jit_compile) adds about a third; in a fixed time budget the extra steps matter
more than the width. The bars are the course's targets, measured under the shared CPU lock."""

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
