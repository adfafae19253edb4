"""Settings of chapter 03_gan_basics (GAN 原理与第一个生成器): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "dstar_steps": Int(min=1),
        "epochs": Int(min=1),
        "latent_dim": Int(min=1),
        "n_eval": Int(min=1),
        "n_train": Int(min=1),
        "ring_batch_size": Int(min=1),
        "ring_seeds": ListOf(Int(min=0)),
        "ring_steps": Int(min=1),
        "seed": Int(min=0),
    },
    shared={
        "ring_batch_size": 64,
        "seed": 0,
    },
    smoke={
        "n_train": 384,
        "epochs": 2,
        "batch_size": 64,
        "latent_dim": 32,
        "ring_steps": 100,
        "ring_seeds": [0],
        "dstar_steps": 100,
        "n_eval": 1000,
        "bars": {'max_dstar_gap': 1.0, 'min_modes_mitigated': 0, 'min_mode_gap': -8, 'min_high_quality_small_lr': 0.0},
    },
    standard={
        "n_train": 20000,
        "epochs": 10,
        "batch_size": 128,
        "latent_dim": 64,
        "ring_steps": 2000,
        "ring_seeds": [0, 1, 2],
        "dstar_steps": 1500,
        "n_eval": 2000,
        "bars": {'max_dstar_gap': 0.1, 'min_modes_mitigated': 7, 'min_mode_gap': 1, 'min_high_quality_small_lr': 0.3},
    },
    full={
        "n_train": 60000,
        "epochs": 30,
        "batch_size": 128,
        "latent_dim": 64,
        "ring_steps": 4000,
        "ring_seeds": [0, 1, 2, 3, 4],
        "dstar_steps": 3000,
        "n_eval": 5000,
        "bars": {'max_dstar_gap': 0.1, 'min_modes_mitigated': 8, 'min_mode_gap': 1, 'min_high_quality_small_lr': 0.5},
    },
)
