import copy
import pickle

import pytest
from helpers import raises_message

from aigc_course import config


def test_resolve_profile_order(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    assert config.resolve_profile() == "standard"
    assert config.resolve_profile("standard") == "standard"
    monkeypatch.setenv("AIGC_PROFILE", "smoke")
    assert config.resolve_profile("standard") == "smoke"  # the env beats the notebook default
    assert config.resolve_profile("full") == "full"  # an explicit parameter beats the env


def test_unknown_profile_lists_valid_ones(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    with raises_message(ValueError, "Unknown profile 'fast'. Valid profiles: smoke, standard, full (set it with "
                        "the notebook parameter `profile` or the environment variable AIGC_PROFILE)."):
        config.settings("01_aigc_overview", "fast")
    monkeypatch.setenv("AIGC_PROFILE", "tiny")
    with pytest.raises(ValueError, match="Unknown profile 'tiny'"):
        config.resolve_profile()


def test_settings_fill_none_from_profile(monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)
    s = config.settings("01_aigc_overview", "smoke", epochs=None, batch_size=64)
    assert s.profile == "smoke"
    assert s.epochs == config.SETTINGS["01_aigc_overview"]["smoke"]["epochs"]
    assert s.batch_size == 64 and s["batch_size"] == 64
    with pytest.raises(AttributeError, match="read-only"):
        s.epochs = 3
    with pytest.raises(AttributeError, match="has no setting 'nope'"):
        s.nope


def test_settings_reject_unknown_names_and_chapters():
    with raises_message(ValueError, "chapter '01_aigc_overview' has no parameter 'epoch'; did you mean epochs, clf_epochs? "
                        "(known: batch_size, clf_epochs, epochs, n_images, n_points, n_samples, noise)"):
        config.settings("01_aigc_overview", "smoke", epoch=3)
    with raises_message(ValueError, "Unknown chapter '04_dcga'; did you mean 04_dcgan? Known chapters: "
                        + ", ".join(config.CHAPTERS)):
        config.settings("04_dcga")


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": -3}, "parameter 'epochs' expects a whole number >= 1, got -3 (int)"),
    ({"epochs": "abc"}, "parameter 'epochs' expects a whole number >= 1, got 'abc' (str)"),
    ({"epochs": 2.0}, "parameter 'epochs' expects a whole number >= 1, got 2.0 (float); "
                      "write it without a decimal point, e.g. 2"),
    ({"n_train": 0}, "parameter 'n_train' expects a whole number >= 1, got 0 (int)"),
    ({"width": True}, "parameter 'width' expects a whole number >= 1, got True (bool)"),
])
def test_settings_check_kinds_and_ranges(overrides, message):
    with raises_message(ValueError, message):
        config.settings("04_dcgan", "smoke", **overrides)


def test_settings_check_booleans_probabilities_lists_and_choices():
    with raises_message(ValueError, "parameter 'run_sweep' expects True or False, got 'false' (str); "
                        "write False (Python's spelling)"):
        config.settings("10_evaluation", "smoke", run_sweep="false")
    with raises_message(ValueError, "parameter 'top_p' expects a number > 0 and <= 1, got 1.5 (float)"):
        config.settings("08_gpt_poetry", "smoke", top_p=1.5)
    with raises_message(ValueError, "parameter 'pretrain_corpus' expects one of 'song100', 'full_tang', "
                        "got 'tang' (str)"):
        config.settings("08_gpt_poetry", "smoke", pretrain_corpus="tang")
    with raises_message(ValueError, "parameter 'betas[1]' expects a number > 0, got -1 (int)"):
        config.settings("06_vae", "smoke", betas=[0.5, -1])
    with raises_message(ValueError, "parameter 'betas' expects a list of at least 1 item(s), each a number > 0, "
                        "got 4 (int); give a list, e.g. -p NAME '[64, 32]'"):
        config.settings("06_vae", "smoke", betas=4)
    import numpy as np

    assert config.settings("04_dcgan", "smoke", epochs=np.int64(5)).epochs == 5
    assert type(config.settings("04_dcgan", "smoke", epochs=np.int64(5)).epochs) is int


def test_settings_are_deep_frozen_copyable_and_picklable():
    s = config.settings("06_vae", "smoke")
    with raises_message(TypeError, "settings are read-only: cannot set 'max_test_neg_elbo'; "
                        "pass overrides to config.settings(...)"):
        s.bars["max_test_neg_elbo"] = 1.0
    assert s.betas == (0.5, 1.0, 4.0)  # lists become tuples
    with pytest.raises(AttributeError):
        s.betas.append(3)
    for clone in (pickle.loads(pickle.dumps(s)), copy.copy(s), copy.deepcopy(s)):
        assert clone == s and clone.profile == "smoke" and clone.chapter == "06_vae"
        assert clone.bars["max_test_neg_elbo"] == s.bars["max_test_neg_elbo"]


def test_bars_override_replaces_only_named_bars():
    s = config.settings("04_dcgan", "smoke", bars={"min_class_share": 0.1})
    assert s.bars["min_class_share"] == 0.1
    assert s.bars["max_class_share"] == config.SETTINGS["04_dcgan"]["smoke"]["bars"]["max_class_share"]


def test_shared_values_are_stated_once():
    from aigc_course.chapters import ch08_gpt_poetry

    spec = ch08_gpt_poetry.SPEC
    assert spec.shared["seed"] == 8
    assert all("seed" not in spec.profiles[p] for p in config.PROFILES)
    assert all(config.SETTINGS["08_gpt_poetry"][p]["seed"] == 8 for p in config.PROFILES)


def test_every_chapter_has_all_profiles():
    for chapter, per_profile in config.SETTINGS.items():
        assert chapter in config.CHAPTERS
        assert set(per_profile) == set(config.PROFILES), chapter
        keys = [set(v) for v in per_profile.values()]
        assert all(k == keys[0] for k in keys), f"{chapter}: profiles name different settings"
        assert all("bars" in v for v in per_profile.values()), chapter


@pytest.mark.backend
def test_set_seed_is_deterministic():
    import numpy as np
    import keras

    config.set_seed(3)
    a = (np.random.rand(3), keras.ops.convert_to_numpy(keras.random.normal((3,))))
    config.set_seed(3)
    b = (np.random.rand(3), keras.ops.convert_to_numpy(keras.random.normal((3,))))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with raises_message(ValueError, "seed must be a non-negative whole number, got -1 (int)"):
        config.set_seed(-1)
    assert config.set_seed(np.int64(3)) == 3
