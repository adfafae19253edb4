"""Settings of chapter 04_dcgan (DCGAN 图像生成实战): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "epochs": Int(min=1),
        "latent_dim": Int(min=1),
        "n_eval": Int(min=1),
        "n_train": Int(min=1),
        "seed": Int(min=0),
        "time_budget": Int(min=1),
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
        "time_budget": 60,
        "n_eval": 300,
        "bars": {'min_confidence_ratio': 0.0, 'min_class_share': 0.0, 'max_class_share': 1.0},
    },
    standard={
        "n_train": 20000,
        "epochs": 8,
        "batch_size": 128,
        "latent_dim": 64,
        "width": 64,
        "time_budget": 300,
        "n_eval": 2000,
        "bars": {'min_confidence_ratio': 0.2, 'min_class_share': 0.02, 'max_class_share': 0.3},
    },
    full={
        "n_train": 60000,
        "epochs": 40,
        "batch_size": 128,
        "latent_dim": 100,
        "width": 64,
        "time_budget": 600,
        "n_eval": 5000,
        "bars": {'min_confidence_ratio': 0.75, 'min_class_share': 0.05, 'max_class_share': 0.15},
    },
)
