import keras
import numpy as np
import pytest

from aigc_course.models import gan as builders
from aigc_course.models import gan
from aigc_course.training import callbacks


def _model(conditional=False):
    keras.utils.set_random_seed(0)
    if conditional:
        m = gan.ConditionalGAN(builders.build_conditional_generator(4, 10, 2), builders.build_conditional_discriminator(10, 2),
                               latent_dim=4, seed=0)
    else:
        m = gan.GAN(builders.build_mlp_generator(4, hidden=(8,)), builders.build_mlp_discriminator(hidden=(8,)),
                    latent_dim=4, seed=0)
    m.compile()
    return m


X = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")


@pytest.mark.backend
def test_image_snapshots_keep_one_grid_per_epoch_from_fixed_latents():
    model = _model()
    snaps = callbacks.ImageSnapshots(n=6, every=2, seed=3, ncols=3)
    expected_start = model.generate(6, seed=3)
    model.fit(X, batch_size=16, epochs=4, verbose=0, callbacks=[snaps])
    assert snaps.epochs == [0, 2, 4]
    # 2 rows x 3 columns of 28x28 with 1-pixel padding
    assert all(g.shape == (2 * 29 + 1, 3 * 29 + 1) for g in snaps.grids)
    first = (expected_start[0, :, :, 0] + 1) / 2
    np.testing.assert_allclose(snaps.grids[0][1:29, 1:29], np.clip(first, 0, 1), atol=1e-5)
    assert not np.allclose(snaps.grids[0], snaps.grids[-1])  # training changed the images
    fig = snaps.figure()
    assert len(fig.axes) == 3


def test_image_snapshots_conditional_and_errors():
    model = _model(conditional=True)
    snaps = callbacks.ImageSnapshots(n=4, labels=[0, 1, 2, 3], include_start=False)
    model.fit(X[:32], np.arange(32) % 10, batch_size=16, epochs=1, verbose=0, callbacks=[snaps])
    assert snaps.epochs == [1]
    with pytest.raises(ValueError, match=r"^labels must hold n=4 class ids, got shape \(3,\)$"):
        callbacks.ImageSnapshots(n=4, labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"^every must be a positive int, got 0$"):
        callbacks.ImageSnapshots(every=0)
    with pytest.raises(ValueError, match=r"^no snapshots yet: pass the callback to fit\(\) first$"):
        callbacks.ImageSnapshots().figure()


@pytest.mark.backend
def test_time_budget_stops_fit_and_loss_history_records_batches():
    model = _model()
    budget = callbacks.TimeBudget(seconds=1e-6)
    losses = callbacks.LossHistory()
    hist = model.fit(X, batch_size=16, epochs=5, verbose=0, callbacks=[budget, losses])
    assert budget.stopped and budget.batches == 1
    assert len(hist.history["d_loss"]) == 1  # stopped inside the first epoch
    assert losses.history["d_loss"] and len(losses.history["d_loss"]) == 1
    roomy = callbacks.TimeBudget(seconds=3600)
    every2 = callbacks.LossHistory(every=2)
    model.fit(X, batch_size=16, epochs=2, verbose=0, callbacks=[roomy, every2])
    assert not roomy.stopped and roomy.batches == 8 and roomy.elapsed > 0
    assert sorted(every2.history) == ["d_fake", "d_loss", "d_real", "g_loss"]
    assert len(every2.history["g_loss"]) == 4
    with pytest.raises(ValueError, match=r"^seconds must be a positive number, got 0$"):
        callbacks.TimeBudget(0)
    with pytest.raises(ValueError, match=r"^every must be a positive int, got -1$"):
        callbacks.LossHistory(every=-1)


@pytest.mark.backend
def test_epoch_progress_prints_one_compact_line_per_epoch(capsys):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(1).normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    progress = callbacks.EpochProgress(label="线性", metrics=["loss"], min_seconds=0)
    model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[progress])
    out = capsys.readouterr().out.splitlines()
    assert out == progress.lines and len(out) == 3
    for i, line in enumerate(out, start=1):
        head, seconds, loss = line.split(" · ")
        assert head == f"[线性] 第 {i}/3 轮" and seconds.endswith(" s") and loss.startswith("loss ")
    losses = [float(line.rsplit(" ", 1)[1]) for line in out]
    assert losses[-1] < losses[0]  # the line shows the real, dropping loss


@pytest.mark.backend
def test_epoch_progress_throttles_but_always_shows_the_last_epoch(capsys):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    progress = callbacks.EpochProgress(min_seconds=3600)
    model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=5, verbose=0, callbacks=[progress])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" · ")[0] for line in lines] == ["[训练] 第 1/5 轮", "[训练] 第 5/5 轮"]


def test_epoch_progress_rejects_bad_arguments():
    from helpers import raises_message

    with raises_message(ValueError, "metrics must be a list of metric names, e.g. ['loss', 'val_loss'], got 'loss'"):
        callbacks.EpochProgress(metrics="loss")
    with raises_message(ValueError, "min_seconds must be a number >= 0, got -1"):
        callbacks.EpochProgress(min_seconds=-1)
    with raises_message(ValueError, "label must be a non-empty string, got ''"):
        callbacks.EpochProgress(label="")
