import math
import wave

import numpy as np
import pytest

from aigc_course.data import DataNotFoundError
from aigc_course.data import audio as au


def test_midi_and_hz():
    assert au.midi_to_hz(69) == pytest.approx(440.0)
    assert au.midi_to_hz(60) == pytest.approx(261.6256, rel=1e-6)
    np.testing.assert_allclose(au.hz_to_midi(au.midi_to_hz([48, 61.5, 72])), [48, 61.5, 72])
    with pytest.raises(ValueError, match=r"frequencies must be > 0 Hz, got min 0.0"):
        au.hz_to_midi([0.0, 440.0])


def test_adsr_shape_and_values():
    env = au.adsr(1600, sr=16000, attack=0.01, decay=0.02, sustain=0.5, release=0.02)
    assert env.shape == (1600,) and env[0] == 0.0
    assert env[160] == pytest.approx(1.0, abs=1e-3)            # end of the attack
    assert env[800] == pytest.approx(0.5)                      # sustain
    assert env[-1] == pytest.approx(0.0, abs=1e-3) and env.max() <= 1.0
    with pytest.raises(ValueError, match=r"sustain must be in \[0, 1\], got 1.5"):
        au.adsr(100, sustain=1.5)


def test_synth_note_pitch_spectrum_and_seed():
    x = au.synth_note(57, "sawtooth", duration=0.5, seed=1)  # A3 = 220 Hz
    assert x.shape == (8000,) and x.dtype == np.float32 and np.abs(x).max() == pytest.approx(0.8, rel=1e-5)
    np.testing.assert_array_equal(x, au.synth_note(57, "sawtooth", duration=0.5, seed=1))
    f0, clarity = au.estimate_pitch(x)
    assert f0 == pytest.approx(220.0, rel=0.005) and clarity > 0.95
    spec = au.note_spectrum(x, db_range=None)  # 16000 / 4096 = 3.906 Hz per bin
    peak_bin = int(np.argmax(spec))
    assert peak_bin * 16000 / 4096 == pytest.approx(220.0, abs=4.0)
    # the square timbre has no even harmonics: the bin of 440 Hz is far below the bin of 660 Hz
    sq = au.note_spectrum(au.synth_note(57, "square", seed=0), db_range=None)
    b = lambda f: int(round(f * 4096 / 16000))  # noqa: E731
    assert sq[b(440) - 2: b(440) + 3].max() < 0.01 < 0.2 < sq[b(660) - 2: b(660) + 3].max()
    with pytest.raises(ValueError, match=r"unknown timbre 'violin'; known timbres: sine, square, sawtooth, organ"):
        au.synth_note(60, "violin")


def test_estimate_pitch_noise_silence_and_batch():
    noise = np.random.default_rng(0).normal(size=8000)
    assert au.estimate_pitch(noise)[1] < 0.3
    assert au.estimate_pitch(np.zeros(8000)) == (0.0, 0.0)
    notes, midi, tid = au.make_notes(6, seed=3, detune_cents=0.0)
    f0, clarity = au.estimate_pitch(notes)
    np.testing.assert_allclose(au.hz_to_midi(f0), midi, atol=0.1)
    assert f0.shape == (6,) and clarity.min() > 0.9
    with pytest.raises(ValueError, match=r"audio of 100 samples is too short to find pitches down to fmin=50.0 Hz"):
        au.estimate_pitch(np.zeros(100))


def test_make_notes_labels_and_determinism():
    a1, m1, t1 = au.make_notes(12, pitch_range=(60, 64), timbres=("sine", "organ"), seed=7)
    a2, m2, t2 = au.make_notes(12, pitch_range=(60, 64), timbres=("sine", "organ"), seed=7)
    assert a1.shape == (12, 8000) and m1.dtype == np.int64
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(m1, m2)
    assert m1.min() >= 60 and m1.max() <= 64 and set(t1) <= {0, 1}
    assert not np.array_equal(a1, au.make_notes(12, pitch_range=(60, 64), timbres=("sine", "organ"), seed=8)[0])
    with pytest.raises(ValueError, match=r"pitch_range must be two MIDI note ints \(low, high\)"):
        au.make_notes(3, pitch_range=(70, 60))


def test_spectrogram_and_log_mel_closed_form():
    sr, n_fft = 16000, 512
    t = np.arange(sr // 4) / sr
    tone = np.sin(2 * np.pi * 1000.0 * t)  # exactly bin 32 of a 512-point FFT
    s = au.spectrogram(tone, n_fft=n_fft, hop=128)
    assert s.shape == (1 + (len(t) - n_fft) // 128, 257)
    assert set(np.argmax(s, axis=1)) == {32}
    # a Hann-windowed sine of amplitude 1 at a bin centre has magnitude sum(window) / 2
    assert s[3, 32] == pytest.approx(np.hanning(n_fft).sum() / 2, rel=1e-3)
    batch = au.spectrogram(np.stack([tone, tone]), n_fft=n_fft, hop=128)
    assert batch.shape == (2,) + s.shape
    fb = au.mel_filterbank(sr, n_fft, n_mels=40)
    assert fb.shape == (40, 257) and fb.max() <= 1.0 and np.all(fb.sum(axis=1) > 0)
    lm = au.log_mel(tone, sr=sr, n_fft=n_fft, hop=128, n_mels=40)
    assert lm.shape == (s.shape[0], 40)
    mel_of = lambda f: 2595 * math.log10(1 + f / 700)  # noqa: E731
    centres = np.linspace(0, mel_of(8000), 42)[1:-1]
    assert int(np.argmax(lm[3])) == int(np.argmin(np.abs(centres - mel_of(1000))))
    with pytest.raises(ValueError, match=r"audio must have shape \(samples,\) or \(n, samples\), got \(1, 2, 3\)"):
        au.spectrogram(np.zeros((1, 2, 3)))


def test_spectrum_roundtrip_keeps_pitch():
    notes, midi, _ = au.make_notes(8, seed=1)
    spec = au.note_spectrum(notes)
    assert spec.shape == (8, 1025) and spec.max() == pytest.approx(1.0) and spec.min() >= 0
    back = au.spectrum_to_audio(spec, seed=0)
    rep = au.pitch_report(back, pitch_range=(48, 72))
    assert rep["share"] == 1.0
    np.testing.assert_allclose(rep["midi"], midi, atol=0.3)
    # a flat spectrum has no peaks: silence, hence no clear pitch
    assert np.abs(au.spectrum_to_audio(np.ones(1025))).max() == 0.0
    # two notes a tritone apart mixed: the common period lies far below the range
    mix = au.spectrum_to_audio(0.5 * au.note_spectrum(au.synth_note(69)) + 0.5 * au.note_spectrum(au.synth_note(63)))
    assert au.pitch_report(mix[None], pitch_range=(48, 72))["share"] == 0.0


def test_wav_roundtrip(tmp_path):
    x = au.synth_note(60, "organ", duration=0.1)
    path = au.write_wav(tmp_path / "a" / "note.wav", x)
    with wave.open(str(path)) as f:
        assert (f.getframerate(), f.getsampwidth(), f.getnchannels(), f.getnframes()) == (16000, 2, 1, 1600)
    y, sr = au.read_wav(path)
    assert sr == 16000 and np.abs(y - x).max() < 1.0 / 32767
    with pytest.raises(ValueError, match=r"audio must have shape \(samples,\), got \(2, 3\)"):
        au.write_wav(tmp_path / "b.wav", np.zeros((2, 3)))


def test_play_returns_ipython_audio():
    from IPython.display import Audio

    player = au.play(au.synth_note(60, duration=0.05))
    assert isinstance(player, Audio) and b"RIFF" in player.data[:4]
    with pytest.raises(ValueError, match=r"sr \(sample rate\) must be an int >= 1000 Hz, got 8"):
        au.play(np.zeros(10), sr=8)


def test_spoken_digits_missing_espeak(monkeypatch):
    monkeypatch.setattr(au.shutil, "which", lambda name: None)
    with pytest.raises(DataNotFoundError, match=r"espeak-ng is not installed; install it with `sudo apt-get install espeak-ng`"):
        au.spoken_digits()


def test_spectrum_to_audio_keeps_the_strongest_partials():
    spec = np.zeros(1025)
    spec[[100, 200, 300]] = [0.5, 1.0, 0.8]
    one = au.spectrum_to_audio(spec, db_range=None, max_partials=1, envelope={"attack": 0, "release": 0})
    f0, clarity = au.estimate_pitch(one, fmin=100.0)
    assert f0 == pytest.approx(200 * 16000 / 4096, rel=0.01) and clarity > 0.95
    with pytest.raises(ValueError, match=r"max_partials must be an int >= 1, got 0"):
        au.spectrum_to_audio(spec, max_partials=0)


def test_vibrato_and_noise_options():
    steady = au.synth_note(69, "sine", duration=0.5, seed=0)
    vib = au.synth_note(69, "sine", duration=0.5, vibrato_cents=100.0, vibrato_rate=4.0, seed=0)
    # the peak frequency of each frame follows the vibrato: +-1 semitone around 440 Hz (bins of 31.25 Hz)
    peaks = np.argmax(au.spectrogram(vib, n_fft=512, hop=128), axis=1) * 16000 / 512
    assert peaks.max() - peaks.min() >= 2 * 31.25 and abs(np.median(peaks) - 440) <= 31.25
    assert np.ptp(np.argmax(au.spectrogram(steady, n_fft=512, hop=128), axis=1)) == 0
    noisy = au.synth_note(69, "sine", duration=0.5, noise=1.0, seed=0)
    assert au.estimate_pitch(noisy)[1] < au.estimate_pitch(steady)[1] - 0.2


def test_audio_plots_shapes_and_errors():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aigc_course.viz import plots

    notes, midi, _ = au.make_notes(3, seed=0)
    fig = plots.plot_waveforms(notes, titles=[str(m) for m in midi], zoom=0.01)
    assert len([a for a in fig.axes if a.lines]) == 3
    fig = plots.plot_spectrograms(au.spectrogram(notes), fmax=4000, ncols=2)
    assert len([a for a in fig.axes if a.images]) == 3
    with pytest.raises(ValueError, match=r"got 3 spectrograms but 2 titles"):
        plots.plot_spectrograms(au.spectrogram(notes), titles=["a", "b"])
    with pytest.raises(ValueError, match=r"audio must have shape \(samples,\) or \(n, samples\), got \(1, 2, 3\)"):
        plots.plot_waveforms(np.zeros((1, 2, 3)))
    plt.close("all")


# ---- sampling, STFT, mu-law, checks (chapter 09's additions) ------------------------------------------------
from helpers import raises_message  # noqa: E402


def test_alias_frequency_matches_an_fft_of_the_sampled_tone():
    sr = 8000
    t = np.arange(sr) / sr
    for f in (1000.0, 4100.0, 5000.0, 7000.0, 9300.0):
        peak = np.argmax(np.abs(np.fft.rfft(np.sin(2 * np.pi * f * t)))) * sr / sr
        assert au.alias_frequency(f, sr) == pytest.approx(peak, abs=1.0)
    np.testing.assert_allclose(au.alias_frequency([0.0, 4000.0, 8000.0, 12000.0], sr), [0, 4000, 0, 4000])
    with raises_message(ValueError, "frequencies must be >= 0 Hz, got min -1.0"):
        au.alias_frequency(-1.0, sr)


def test_stft_istft_roundtrip_and_errors():
    x = np.random.default_rng(0).normal(size=4000)
    s = au.stft(x, 256, 64)
    assert s.shape == (1 + (4000 - 256) // 64, 129) and np.iscomplexobj(s)
    np.testing.assert_allclose(au.istft(s, 64, 4000)[256:-256], x[256:-256], atol=1e-10)
    assert au.istft(s, 64, 5000).shape == (5000,)
    batch = au.stft(np.stack([x, 2 * x]), 256, 64)
    np.testing.assert_allclose(batch[1], 2 * s)
    with raises_message(ValueError, "hop must be <= n_fft so that frames overlap or touch, got hop=300, n_fft=256"):
        au.stft(x, 256, 300)
    with raises_message(ValueError, "spec must have shape (frames, bins) with bins >= 2, got (3,)"):
        au.istft(np.ones(3))
    with raises_message(ValueError, "magnitude must be a (frames, bins) array of values >= 0, got shape (4,)"):
        au.griffin_lim(np.ones(4))


def test_spectral_convergence_and_snr_closed_forms():
    ref = np.array([[3.0, 4.0]])
    assert au.spectral_convergence(ref, ref) == 0.0
    assert au.spectral_convergence(ref, np.zeros_like(ref)) == pytest.approx(1.0)
    assert au.spectral_convergence(ref, 2 * ref) == pytest.approx(1.0)
    x = np.array([1.0, -1.0, 1.0, -1.0])
    assert au.snr_db(x, x) == float("inf")
    assert au.snr_db(x, 0.9 * x) == pytest.approx(20.0)          # error 0.1 x: power ratio 100
    with raises_message(ValueError, "reference and estimate must have the same shape, got (4,) and (3,)"):
        au.snr_db(x, x[:3])


def test_mu_law_roundtrip_snr_beats_linear_on_quiet_sounds():
    x = au.synth_note(60, "sawtooth", seed=0).astype("float64")
    q = au.mu_law_encode(x)
    assert q.dtype == np.int64 and q.min() >= 0 and q.max() <= 255
    assert au.mu_law_encode(0.0) == 128 and au.mu_law_encode(2.0) == 255     # clipped to [-1, 1]
    loud = au.snr_db(x, au.mu_law_decode(q))
    quiet = au.snr_db(0.01 * x, au.mu_law_decode(au.mu_law_encode(0.01 * x)))
    linear_quiet = au.snr_db(0.01 * x, au.linear_quantise(0.01 * x, 8))
    assert loud > 30 and quiet > 25 and linear_quiet < 10
    assert au.linear_quantise(np.array([-1.0, 1.0]), 8).tolist() == [-1.0, 1.0]
    with raises_message(ValueError, "mu must be an int >= 1 (255 for 256 levels), got 0"):
        au.mu_law_encode(x, mu=0)
    with raises_message(ValueError, "mu-law levels must lie in 0 .. 255, got values in [-1, 3]"):
        au.mu_law_decode(np.array([-1, 3]))
    with raises_message(ValueError, "bits must be an int in 1 .. 24, got 0"):
        au.linear_quantise(x, 0)


def test_spectral_flatness_separates_notes_from_noise():
    notes = au.make_notes(10, seed=2)[0]
    noise = np.random.default_rng(0).normal(size=(10, 8000))
    assert au.spectral_flatness(notes).max() < 1e-3 < 0.9 < au.spectral_flatness(noise).min()
    noisy = au.make_notes(10, noise=0.3, seed=2)[0]
    assert np.all(au.spectral_flatness(noisy) > 100 * au.spectral_flatness(notes))
    assert isinstance(au.spectral_flatness(notes[0]), float)
    with raises_message(ValueError, "need 0 <= fmin < fmax <= sr / 2 = 8000.0, got fmin=50.0, fmax=9000"):
        au.spectral_flatness(notes, fmax=9000)


def test_midi_names_and_pitch_coverage():
    assert [au.midi_name(m) for m in (60, 61, 69, 48, 72)] == ["C4", "C#4", "A4", "C3", "C5"]
    cov = au.pitch_coverage([60.2, 61.6, 62.0, 64.0, np.nan], [True, True, False, True, False], (60, 64))
    assert cov["covered"] == [60, 62, 64] and cov["missing"] == [61, 63]
    assert cov["missing_names"] == ["C#4", "D#4"] and cov["share"] == pytest.approx(0.6)
    assert cov["counts"] == {60: 1, 61: 0, 62: 1, 63: 0, 64: 1}
    with raises_message(ValueError, "midi and clear must have the same shape, got (2,) and (1,)"):
        au.pitch_coverage([60, 61], [True], (60, 64))
    with raises_message(ValueError, "MIDI notes are >= 0, got -1"):
        au.midi_name(-1)


# ---- the small WaveNet (models/audio.py) ------------------------------------------------------------------
def test_wavenet_shapes_receptive_field_and_errors():
    import keras

    from aigc_course.models import audio as wavenet

    keras.utils.set_random_seed(0)
    model = wavenet.build_wavenet(32, 8, (1, 2, 4), n_conditions=4)
    x = np.zeros((2, 11), "int32")
    out = model([x, np.array([0, 3], "int32")])
    assert tuple(out.shape) == (2, 11, 32)
    assert wavenet.receptive_field((1, 2, 4, 8)) == 16
    with raises_message(ValueError, "dilations must list at least one dilation, got ()"):
        wavenet.build_wavenet(dilations=())
    with raises_message(ValueError, "channels must be an int >= 1, got 0"):
        wavenet.build_wavenet(channels=0)
    xs, ys = wavenet.next_step_data(np.arange(10).reshape(2, 5), [1, 2])
    assert xs[0].tolist() == [[0, 1, 2, 3], [5, 6, 7, 8]] and ys.tolist() == [[1, 2, 3, 4], [6, 7, 8, 9]]
    with raises_message(ValueError, "conditions must have shape (2,), one per sequence, got (3,)"):
        wavenet.next_step_data(np.arange(10).reshape(2, 5), [1, 2, 3])
    with raises_message(TypeError, "model must be a WaveNet built like build_wavenet (no gated causal blocks in 'seq')"):
        wavenet.FastGenerator(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="seq"))


def test_wavenet_learns_a_periodic_sequence_and_generates_it():
    import keras

    from aigc_course.models import audio as wavenet

    keras.utils.set_random_seed(0)
    period = np.array([0, 3, 7, 3])                        # a repeating pattern of 4 levels out of 8
    seqs = np.stack([np.roll(np.tile(period, 16), -k) for k in range(4)] * 8)
    model = wavenet.build_wavenet(8, 16, (1, 2, 4))
    x, y = wavenet.next_step_data(seqs)
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(x, y, epochs=30, batch_size=32, verbose=0).history["loss"]
    assert hist[-1] < 0.1 * hist[0]
    gen = wavenet.generate(model, 40, n=3, start_level=0, temperature=0.5, seed=1)
    again = wavenet.generate(model, 40, n=3, start_level=0, temperature=0.5, seed=1)
    np.testing.assert_array_equal(gen, again)
    # after the start the model continues the pattern: each level is followed by the one after it in the cycle
    follows = {0: 3, 7: 3}
    ok = [gen[i, t + 1] == follows[gen[i, t]] for i in range(3) for t in range(10, 39) if gen[i, t] in follows]
    assert len(ok) > 20 and np.mean(ok) > 0.95
    with raises_message(ValueError, "this model is conditioned: pass conditions, one int per sequence"):
        wavenet.generate(wavenet.build_wavenet(8, 4, (1,), n_conditions=2), 5, start_level=0)
    with raises_message(ValueError, "temperature must be > 0, got 0"):
        wavenet.generate(model, 5, temperature=0)
