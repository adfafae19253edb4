import pytest

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
    with pytest.raises(ValueError) as e:
        config.settings("01_aigc_overview", "fast")
    assert str(e.value) == ("Unknown profile 'fast'. Valid profiles: smoke, standard, full (set it with the "
                            "notebook parameter `profile` or the environment variable AIGC_PROFILE).")
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
    with pytest.raises(ValueError, match="has no setting 'epoch'"):
        config.settings("01_aigc_overview", "smoke", epoch=3)
    with pytest.raises(ValueError, match="Unknown chapter '99_x'"):
        config.settings("99_x")


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
    with pytest.raises(ValueError, match="non-negative int"):
        config.set_seed(-1)
