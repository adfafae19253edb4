"""Settings of chapter 05_conditional_wgan (条件生成与训练稳定性): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "compare_seconds": Int(min=1),
        "compare_width": Int(min=1),
        "epochs": Int(min=1),
        "latent_dim": Int(min=1),
        "n_critic": Int(min=1),
        "n_eval": Int(min=1),
        "n_train": Int(min=1),
        "seed": Int(min=0),
        "width": Int(min=1),
    },
    shared={
        "seed": 0,
    },
    smoke={
        "n_train": 384,
        "epochs": 2,
        "batch_size": 64,
        "latent_dim": 32,
        "width": 8,
        "compare_seconds": 3,
        "compare_width": 8,
        "n_critic": 2,
        "n_eval": 300,
        "bars": {'min_class_accuracy': 0.0},
    },
    standard={
        "n_train": 20000,
        "epochs": 6,
        "batch_size": 128,
        "latent_dim": 64,
        "width": 64,
        "compare_seconds": 60,
        "compare_width": 32,
        "n_critic": 5,
        "n_eval": 2000,
        "bars": {'min_class_accuracy': 0.5},
    },
    full={
        "n_train": 60000,
        "epochs": 40,
        "batch_size": 128,
        "latent_dim": 100,
        "width": 64,
        "compare_seconds": 240,
        "compare_width": 64,
        "n_critic": 5,
        "n_eval": 5000,
        "bars": {'min_class_accuracy': 0.85},
    },
)
