"""Profiles (smoke | standard | full), per-chapter settings and seeding.

A chapter notebook starts with a papermill ``parameters`` cell::

    profile = "standard"
    epochs = None          # None: take the profile's value

and then asks for its settings::

    cfg = config.settings("04_dcgan", profile, epochs=epochs)
    cfg.epochs, cfg.batch_size, cfg.bars["min_confidence_ratio"]

How the profile is chosen (``resolve_profile``):
1. a notebook parameter other than the default ``"standard"`` (``papermill -p profile full``) wins;
2. otherwise the environment variable ``AIGC_PROFILE`` (CI sets ``smoke``);
3. otherwise ``"standard"``.
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Any, Mapping

PROFILES = ("smoke", "standard", "full")
DEFAULT_PROFILE = "standard"
PROFILE_DESCRIPTIONS = {
    "smoke": "CI on a 2-core CPU: seconds per notebook, tiny data, loose quality bars",
    "standard": "a learner's laptop CPU: a few minutes per notebook, recognisable results",
    "full": "one GPU: best quality, minutes per notebook, the real quality bars",
}

# Chapter id -> Chinese title (the order of the course).
CHAPTERS: dict[str, str] = {
    "00_setup": "环境与课程导览",
    "01_aigc_overview": "AIGC 概述：核心概念与架构",
    "02_math": "数学基础：损失函数与实例",
    "03_gan_basics": "GAN 原理与第一个生成器",
    "04_dcgan": "DCGAN 图像生成实战",
    "05_conditional_wgan": "条件生成与训练稳定性",
    "06_vae": "变分自编码器 VAE",
    "07_attention": "自注意力与 Transformer",
    "08_gpt_poetry": "GPT：预训练与微调——写唐诗",
    "09_audio": "音频生成",
    "10_evaluation": "评估与改进",
    "11_diffusion": "扩散模型（进阶）",
    "12_applications_ethics": "应用场景、挑战与伦理",
}

# Per-chapter settings: {chapter: {profile: {name: value}}}. The key "bars" holds the quality bars
# that the chapter's self-check cell asserts. Each chapter owns its own block.
SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    "00_setup": {
        "smoke": {"bars": {}},
        "standard": {"bars": {}},
        "full": {"bars": {}},
    },
    "01_aigc_overview": {
        "smoke": {"n_points": 512, "noise": 0.08, "epochs": 5, "batch_size": 128, "clf_epochs": 3,
                  "n_samples": 500, "n_images": 500,
                  "bars": {"max_mean_distance": 0.5, "max_coverage_distance": 0.8}},
        "standard": {"n_points": 4096, "noise": 0.08, "epochs": 60, "batch_size": 128, "clf_epochs": 20,
                     "n_samples": 2000, "n_images": 5000,
                     "bars": {"max_mean_distance": 0.15, "max_coverage_distance": 0.15}},
        "full": {"n_points": 8192, "noise": 0.08, "epochs": 150, "batch_size": 256, "clf_epochs": 30,
                 "n_samples": 4000, "n_images": 10000,
                 "bars": {"max_mean_distance": 0.1, "max_coverage_distance": 0.1}},
    },
    # One block per chapter, in chapter order.
    "02_math": {
        "smoke": {"seed": 0, "n_mc": 20_000, "d_k_values": [4, 16, 64, 256], "n_trials": 64,
                  "bars": {"max_kl_mc_rel_error": 0.05, "max_identity_error": 1e-4}},
        "standard": {"seed": 0, "n_mc": 200_000, "d_k_values": [4, 16, 64, 256, 1024], "n_trials": 256,
                     "bars": {"max_kl_mc_rel_error": 0.02, "max_identity_error": 1e-4}},
        "full": {"seed": 0, "n_mc": 2_000_000, "d_k_values": [4, 16, 64, 256, 1024, 4096], "n_trials": 1024,
                 "bars": {"max_kl_mc_rel_error": 0.01, "max_identity_error": 1e-4}},
    },
    "03_gan_basics": {
        "smoke": {"seed": 0, "n_train": 384, "epochs": 2, "batch_size": 64, "latent_dim": 32, "ring_steps": 150,
                  "ring_batch_size": 64, "n_eval": 1000,
                  "bars": {"min_modes_mitigated": 0, "min_mode_gap": -8, "min_high_quality_mitigated": 0.0}},
        "standard": {"seed": 0, "n_train": 20000, "epochs": 15, "batch_size": 128, "latent_dim": 64,
                     "ring_steps": 2500, "ring_batch_size": 64, "n_eval": 2000,
                     "bars": {"min_modes_mitigated": 7, "min_mode_gap": 1, "min_high_quality_mitigated": 0.3}},
        "full": {"seed": 0, "n_train": 60000, "epochs": 30, "batch_size": 128, "latent_dim": 64,
                 "ring_steps": 5000, "ring_batch_size": 64, "n_eval": 5000,
                 "bars": {"min_modes_mitigated": 8, "min_mode_gap": 1, "min_high_quality_mitigated": 0.5}},
    },
    "04_dcgan": {
        "smoke": {"seed": 0, "n_train": 384, "epochs": 2, "batch_size": 64, "latent_dim": 32, "width": 8,
                  "time_budget": 60, "n_eval": 300,
                  "bars": {"min_confidence_ratio": 0.0, "min_class_share": 0.0, "max_class_share": 1.0}},
        "standard": {"seed": 0, "n_train": 20000, "epochs": 8, "batch_size": 128, "latent_dim": 64, "width": 64,
                     "time_budget": 300, "n_eval": 2000,
                     "bars": {"min_confidence_ratio": 0.2, "min_class_share": 0.02, "max_class_share": 0.3}},
        "full": {"seed": 0, "n_train": 60000, "epochs": 40, "batch_size": 128, "latent_dim": 100, "width": 64,
                 "time_budget": 600, "n_eval": 5000,
                 "bars": {"min_confidence_ratio": 0.75, "min_class_share": 0.05, "max_class_share": 0.15}},
    },
    "05_conditional_wgan": {
        "smoke": {"seed": 0, "n_train": 384, "epochs": 2, "batch_size": 64, "latent_dim": 32, "width": 8,
                  "compare_seconds": 3, "compare_width": 8, "n_critic": 2, "n_eval": 300,
                  "bars": {"min_class_accuracy": 0.0}},
        "standard": {"seed": 0, "n_train": 20000, "epochs": 6, "batch_size": 128, "latent_dim": 64, "width": 64,
                     "compare_seconds": 60, "compare_width": 32, "n_critic": 5, "n_eval": 2000,
                     "bars": {"min_class_accuracy": 0.5}},
        "full": {"seed": 0, "n_train": 60000, "epochs": 40, "batch_size": 128, "latent_dim": 100, "width": 64,
                 "compare_seconds": 240, "compare_width": 64, "n_critic": 5, "n_eval": 5000,
                 "bars": {"min_class_accuracy": 0.85}},
    },
    "06_vae": {
        "smoke": {"seed": 0, "n_train": 2000, "n_test": 500, "batch_size": 128, "learning_rate": 2e-3,
                  "dense_hidden": [128], "map_epochs": 2, "conv_latent_dim": 16, "conv_filters": [8, 16],
                  "conv_dense": 64, "conv_epochs": 1, "betas": [0.5, 1.0, 4.0], "beta_latent_dim": 8,
                  "beta_epochs": 1, "n_quality": 300, "exercise_n": 500, "exercise_epochs": 1,
                  "bars": {"max_test_neg_elbo": 560.0}},
        "standard": {"seed": 0, "n_train": 60000, "n_test": 10000, "batch_size": 128, "learning_rate": 1e-3,
                     "dense_hidden": [512, 256], "map_epochs": 10, "conv_latent_dim": 16, "conv_filters": [32, 64], "conv_dense": 256,
                     "conv_epochs": 8, "betas": [0.5, 1.0, 4.0], "beta_latent_dim": 8, "beta_epochs": 4,
                     "n_quality": 2000, "exercise_n": 10000, "exercise_epochs": 10,
                     "bars": {"max_test_neg_elbo": 265.0}},
        "full": {"seed": 0, "n_train": 60000, "n_test": 10000, "batch_size": 128, "learning_rate": 1e-3,
                 "dense_hidden": [512, 256], "map_epochs": 30, "conv_latent_dim": 16, "conv_filters": [64, 128], "conv_dense": 512,
                 "conv_epochs": 60, "betas": [0.5, 1.0, 4.0], "beta_latent_dim": 8, "beta_epochs": 20,
                 "n_quality": 5000, "exercise_n": 20000, "exercise_epochs": 20,
                 "bars": {"max_test_neg_elbo": 238.0}},
    },
    "07_attention": {
        "smoke": {"seed": 7, "embed_dim": 16, "pe_positions": 32, "pe_dim": 32, "copy_len": 5, "n_train": 512,
                  "n_test": 128, "d_model": 32, "heads": 2, "layers": 1, "epochs": 3, "batch_size": 64,
                  "learning_rate": 3e-3,
                  "bars": {"max_mha_diff": 1e-4, "max_causal_leak": 1e-5, "min_copy_accuracy": 0.05}},
        "standard": {"seed": 7, "embed_dim": 32, "pe_positions": 64, "pe_dim": 64, "copy_len": 8, "n_train": 6000,
                     "n_test": 500, "d_model": 64, "heads": 4, "layers": 2, "epochs": 25, "batch_size": 64,
                     "learning_rate": 2e-3,
                     "bars": {"max_mha_diff": 1e-4, "max_causal_leak": 1e-5, "min_copy_accuracy": 0.9}},
        "full": {"seed": 7, "embed_dim": 32, "pe_positions": 128, "pe_dim": 128, "copy_len": 12, "n_train": 20000,
                 "n_test": 2000, "d_model": 128, "heads": 4, "layers": 2, "epochs": 30, "batch_size": 128,
                 "learning_rate": 1e-3,
                 "bars": {"max_mha_diff": 1e-4, "max_causal_leak": 1e-5, "min_copy_accuracy": 0.99}},
    },
    "08_gpt_poetry": {
        "smoke": {"seed": 8, "pretrain_corpus": "song100", "val_share": 0.15, "max_finetune_poems": 60,
                  "min_count": 1, "seq_len": 32, "d_model": 32, "heads": 2, "layers": 1, "dropout": 0.0,
                  "batch_size": 16, "pretrain_steps": 4, "pretrain_epochs": 2, "finetune_steps": 4,
                  "finetune_epochs": 1, "patience": 2, "learning_rate": 3e-3, "finetune_lr": 1e-3,
                  "n_samples": 3, "max_new_tokens": 30, "poem_tokens": 32, "temperature": 0.8, "top_k": 20,
                  "top_p": 0.95,
                  "bars": {"min_form_score": 0.0, "min_novelty": 0.5, "pretraining_must_help": False,
                           "max_seconds_per_poem": 5.0}},
        "standard": {"seed": 8, "pretrain_corpus": "full_tang", "val_share": 0.15, "max_finetune_poems": None,
                     "min_count": 3, "seq_len": 64, "d_model": 128, "heads": 4, "layers": 4, "dropout": 0.1,
                     "batch_size": 32, "pretrain_steps": 100, "pretrain_epochs": 10, "finetune_steps": 25,
                     "finetune_epochs": 12, "patience": 3, "learning_rate": 2e-3, "finetune_lr": 5e-4,
                     "n_samples": 50, "max_new_tokens": 80, "poem_tokens": 32, "temperature": 0.8, "top_k": 20,
                     "top_p": 0.95,
                     "bars": {"min_form_score": 0.3, "min_novelty": 0.8, "pretraining_must_help": True,
                              "max_seconds_per_poem": 1.0}},
        "full": {"seed": 8, "pretrain_corpus": "full_tang", "val_share": 0.15, "max_finetune_poems": None,
                 "min_count": 1, "seq_len": 128, "d_model": 384, "heads": 6, "layers": 6, "dropout": 0.1,
                 "batch_size": 64, "pretrain_steps": 500, "pretrain_epochs": 20, "finetune_steps": 50,
                 "finetune_epochs": 20, "patience": 3, "learning_rate": 6e-4, "finetune_lr": 2e-4,
                 "n_samples": 50, "max_new_tokens": 140, "poem_tokens": 32, "temperature": 0.8, "top_k": 20,
                 "top_p": 0.95,
                 "bars": {"min_form_score": 0.9, "min_novelty": 0.9, "pretraining_must_help": True,
                          "max_seconds_per_poem": 1.0}},
    },
    "09_audio": {
        "smoke": {"seed": 0, "n_notes": 300, "pitch_range": [48, 72], "latent_dim": 8, "hidden": [128, 64],
                  "epochs": 10, "batch_size": 64, "learning_rate": 2e-3, "n_generate": 100,
                  "bars": {"min_clear_pitch_share": 0.0}},
        "standard": {"seed": 0, "n_notes": 4000, "pitch_range": [48, 72], "latent_dim": 8, "hidden": [256, 128],
                     "epochs": 40, "batch_size": 64, "learning_rate": 2e-3, "n_generate": 100,
                     "bars": {"min_clear_pitch_share": 0.7}},
        "full": {"seed": 0, "n_notes": 20000, "pitch_range": [48, 72], "latent_dim": 8, "hidden": [512, 256],
                 "epochs": 100, "batch_size": 128, "learning_rate": 1e-3, "n_generate": 100,
                 "bars": {"min_clear_pitch_share": 0.8}},
    },
    "10_evaluation": {
        "smoke": {"seed": 0, "n_train": 512, "batch_size": 64, "latent_dim": 32, "width": 16, "vae_latent": 8,
                  "mlp_steps": 8, "gan_steps": 6, "vae_steps": 6, "n_eval": 256, "kid_subset": 128,
                  "kid_subsets": 4, "pr_k": 3, "improve_n_train": 256, "improve_steps": 3, "improve_seed_check": False,
                  "run_sweep": False, "sweep_values": [5e-5, 2e-4, 1e-3], "sweep_steps": 3, "sweep_n_train": 256,
                  "sweep_jobs": 1,
                  "bars": {"max_real_fid": 5.0, "min_real_precision": 0.5, "max_best_fid": 500.0,
                           "min_best_confident_share": 0.0}},
        "standard": {"seed": 0, "n_train": 12_000, "batch_size": 64, "latent_dim": 64, "width": 32, "vae_latent": 16,
                     "mlp_steps": 3000, "gan_steps": 1500, "vae_steps": 1500, "n_eval": 2000, "kid_subset": 1000,
                     "kid_subsets": 10, "pr_k": 3, "improve_n_train": 3000, "improve_steps": 400, "improve_seed_check": True,
                     "run_sweep": True, "sweep_values": [5e-5, 2e-4, 1e-3], "sweep_steps": 400,
                     "sweep_n_train": 3000, "sweep_jobs": 1,
                     "bars": {"max_real_fid": 1.0, "min_real_precision": 0.75, "max_best_fid": 40.0,
                              "min_best_confident_share": 0.15}},
        "full": {"seed": 0, "n_train": 60_000, "batch_size": 128, "latent_dim": 64, "width": 64, "vae_latent": 16,
                 "mlp_steps": 10_000, "gan_steps": 6000, "vae_steps": 6000, "n_eval": 10_000, "kid_subset": 1000,
                 "kid_subsets": 50, "pr_k": 3, "improve_n_train": 15_000, "improve_steps": 2000, "improve_seed_check": True,
                 "run_sweep": True, "sweep_values": [5e-5, 2e-4, 1e-3], "sweep_steps": 2000,
                 "sweep_n_train": 15_000, "sweep_jobs": 1,
                 "bars": {"max_real_fid": 0.5, "min_real_precision": 0.75, "max_best_fid": 10.0,
                          "min_best_confident_share": 0.4}},
    },
}


class Settings(Mapping[str, Any]):
    """Read-only settings of one chapter under one profile; values are attributes too."""

    def __init__(self, chapter: str, profile: str, values: Mapping[str, Any]):
        object.__setattr__(self, "chapter", chapter)
        object.__setattr__(self, "profile", profile)
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"chapter {self.chapter!r} has no setting {name!r} in profile {self.profile!r}; "
                f"known settings: {', '.join(sorted(self._values))}"
            ) from None

    def __setattr__(self, name, value):
        raise AttributeError("Settings are read-only; pass overrides to config.settings(...)")

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Settings({self.chapter!r}, profile={self.profile!r}: {items})"


def check_profile(profile: str) -> str:
    """Return ``profile`` if it is a known profile, else raise ValueError naming the valid ones."""
    if profile not in PROFILES:
        raise ValueError(
            f"Unknown profile {profile!r}. Valid profiles: {', '.join(PROFILES)} "
            f"(set it with the notebook parameter `profile` or the environment variable AIGC_PROFILE)."
        )
    return profile


def resolve_profile(profile: str | None = None) -> str:
    """Decide the active profile: an explicit non-default value, then $AIGC_PROFILE, then 'standard'."""
    if profile is not None and profile != DEFAULT_PROFILE:
        return check_profile(profile)
    env = os.environ.get("AIGC_PROFILE", "").strip()
    if env:
        return check_profile(env)
    return DEFAULT_PROFILE if profile is None else check_profile(profile)


def settings(chapter: str, profile: str | None = None, **overrides: Any) -> Settings:
    """Settings of ``chapter`` under the resolved profile; overrides that are not None replace them.

    Overrides may only name settings the chapter has, so a misspelt papermill parameter is caught.
    """
    if chapter not in CHAPTERS:
        raise ValueError(f"Unknown chapter {chapter!r}. Known chapters: {', '.join(CHAPTERS)}")
    active = resolve_profile(profile)
    per_profile = SETTINGS.get(chapter)
    if per_profile is None:
        raise ValueError(f"Chapter {chapter!r} has no settings yet in aigc_course.config.SETTINGS")
    values = dict(per_profile[active])
    for name, value in overrides.items():
        if name not in values:
            raise ValueError(
                f"Chapter {chapter!r} has no setting {name!r}; known settings: {', '.join(sorted(values))}"
            )
        if value is not None:
            values[name] = value
    return Settings(chapter, active, values)


def set_seed(seed: int = 42) -> int:
    """Seed Python's ``random``, numpy and the Keras backend, so a run can be repeated."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import keras

    keras.utils.set_random_seed(seed)
    return seed
