"""Short labelled notes synthesised in numpy, spectrograms, log-mel features, pitch estimation, WAV files.

A note is a sum of harmonic sine partials (the *timbre* fixes their relative amplitudes) at the frequency of
a MIDI pitch, shaped by an ADSR envelope (attack, decay, sustain, release), optionally with vibrato and
noise. Everything is seeded, so a data set can be rebuilt exactly.

For the generative model of chapter 09 a note is summarised by its *magnitude spectrum* (``note_spectrum``);
``spectrum_to_audio`` turns a spectrum back into sound with a sinusoidal model: every spectral peak becomes
one sine partial (the envelope and the phases come from the synthesiser, not from the model).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Sequence

import numpy as np

from ._search import DataNotFoundError

SAMPLE_RATE = 16_000

# Relative amplitudes of harmonics 1, 2, 3, ... for each timbre.
TIMBRES: dict[str, tuple[float, ...]] = {
    "sine": (1.0,),
    "square": (1.0, 0.0, 1 / 3, 0.0, 1 / 5, 0.0, 1 / 7, 0.0, 1 / 9),
    "sawtooth": tuple(1.0 / k for k in range(1, 11)),
    "organ": (1.0, 0.7, 0.0, 0.5, 0.0, 0.0, 0.0, 0.3),
}
TIMBRE_NAMES: tuple[str, ...] = tuple(TIMBRES)


def midi_to_hz(midi) -> np.ndarray | float:
    """Equal temperament, A4 = MIDI 69 = 440 Hz: f = 440 * 2 ** ((midi - 69) / 12)."""
    f = 440.0 * 2.0 ** ((np.asarray(midi, dtype="float64") - 69.0) / 12.0)
    return float(f) if np.ndim(f) == 0 else f


def hz_to_midi(hz) -> np.ndarray | float:
    """Inverse of ``midi_to_hz`` (fractional MIDI numbers); ``hz`` must be > 0."""
    hz = np.asarray(hz, dtype="float64")
    if np.any(hz <= 0):
        raise ValueError(f"frequencies must be > 0 Hz, got min {float(hz.min())}")
    m = 69.0 + 12.0 * np.log2(hz / 440.0)
    return float(m) if np.ndim(m) == 0 else m


def _check_sr(sr) -> int:
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr < 1000:
        raise ValueError(f"sr (sample rate) must be an int >= 1000 Hz, got {sr!r}")
    return int(sr)


def _check_audio(audio, what: str = "audio", ndims=(1, 2)) -> np.ndarray:
    try:
        a = np.asarray(audio, dtype="float32")
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a numpy array of samples, got {type(audio).__name__}") from None
    if a.ndim not in ndims:
        shapes = " or ".join({1: "(samples,)", 2: "(n, samples)"}[d] for d in ndims)
        raise ValueError(f"{what} must have shape {shapes}, got {a.shape}")
    if a.shape[-1] == 0:
        raise ValueError(f"{what} must hold at least one sample, got shape {a.shape}")
    return a


def adsr(n_samples: int, sr: int = SAMPLE_RATE, attack: float = 0.02, decay: float = 0.08,
         sustain: float = 0.7, release: float = 0.1) -> np.ndarray:
    """Piecewise-linear ADSR envelope of ``n_samples``: rise to 1 in ``attack`` s, fall to ``sustain`` in
    ``decay`` s, hold, and fall to 0 over the last ``release`` s."""
    sr = _check_sr(sr)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be an int >= 1, got {n_samples!r}")
    if min(attack, decay, release) < 0:
        raise ValueError(f"attack, decay and release must be >= 0 seconds, got {attack}, {decay}, {release}")
    if not 0.0 <= sustain <= 1.0:
        raise ValueError(f"sustain must be in [0, 1], got {sustain!r}")
    t = np.arange(n_samples) / sr
    dur = (n_samples - 1) / sr  # time of the last sample, where the release reaches 0
    env = np.full(n_samples, sustain, dtype="float64")
    if attack > 0:
        env = np.where(t < attack, t / attack, env)
    in_decay = (t >= attack) & (t < attack + decay)
    if decay > 0:
        env = np.where(in_decay, 1.0 - (1.0 - sustain) * (t - attack) / decay, env)
    if release > 0:
        start = max(dur - release, 0.0)
        env = np.where(t >= start, env * np.clip((dur - t) / release, 0.0, 1.0), env)
    return env.astype("float32")


def synth_note(midi: float, timbre: str | Sequence[float] = "sawtooth", sr: int = SAMPLE_RATE,
               duration: float = 0.5, amplitude: float = 0.8, vibrato_cents: float = 0.0,
               vibrato_rate: float = 5.0, noise: float = 0.0, envelope: dict | None = None,
               seed: int | None = 0) -> np.ndarray:
    """One note as float32 samples in [-1, 1]: harmonic partials of the MIDI pitch ``midi`` with the
    amplitudes of ``timbre`` (a name in TIMBRES or a sequence of weights), partials above sr/2 dropped,
    random starting phases (``seed``), ADSR ``envelope`` (keyword arguments of ``adsr``), optional vibrato
    (in cents) and white noise (standard deviation relative to the peak)."""
    sr = _check_sr(sr)
    if not duration > 0:
        raise ValueError(f"duration must be > 0 seconds, got {duration!r}")
    weights = _timbre_weights(timbre)
    f0 = midi_to_hz(midi)
    if f0 >= sr / 2:
        raise ValueError(f"the pitch {midi} ({f0:.1f} Hz) is above the Nyquist frequency {sr / 2} Hz")
    rng = np.random.default_rng(seed)
    n = int(round(duration * sr))
    t = np.arange(n) / sr
    # phase of the fundamental: integral of the (possibly vibrating) instantaneous frequency
    if vibrato_cents:
        ratio = 2.0 ** (vibrato_cents / 1200.0 * np.sin(2 * np.pi * vibrato_rate * t))
        phase = 2 * np.pi * np.cumsum(f0 * ratio) / sr
    else:
        phase = 2 * np.pi * f0 * t
    x = np.zeros(n)
    for k, w in enumerate(weights, start=1):
        if w == 0 or k * f0 >= sr / 2:
            continue
        x += w * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    peak = np.max(np.abs(x))
    x = x / peak if peak > 0 else x
    if noise:
        x = x + noise * rng.standard_normal(n)
    x = x * adsr(n, sr, **(envelope or {}))
    peak = np.max(np.abs(x))
    return (amplitude * x / peak if peak > 0 else x).astype("float32")


def _timbre_weights(timbre) -> np.ndarray:
    if isinstance(timbre, str):
        if timbre not in TIMBRES:
            raise ValueError(f"unknown timbre {timbre!r}; known timbres: {', '.join(TIMBRES)}")
        return np.asarray(TIMBRES[timbre], dtype="float64")
    w = np.asarray(timbre, dtype="float64")
    if w.ndim != 1 or w.size == 0 or np.any(w < 0) or not np.any(w > 0):
        raise ValueError(f"timbre weights must be a non-empty 1-D sequence of amplitudes >= 0 with one > 0, got {timbre!r}")
    return w


def make_notes(n: int, pitch_range: tuple[int, int] = (48, 72), timbres: Sequence[str] = TIMBRE_NAMES,
               sr: int = SAMPLE_RATE, duration: float = 0.5, detune_cents: float = 10.0,
               vibrato_cents: float = 0.0, noise: float = 0.0, seed: int = 0):
    """A labelled set of ``n`` notes: pitches drawn uniformly from the MIDI notes in ``pitch_range``
    (inclusive), timbres uniformly from ``timbres``, each detuned by up to ``detune_cents``.

    Returns ``(audio float32 (n, duration*sr), midi int64 (n,), timbre ids int64 (n,))``; the timbre id
    indexes ``timbres``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    lo, hi = pitch_range
    if not (isinstance(lo, (int, np.integer)) and isinstance(hi, (int, np.integer))) or lo > hi or lo < 0:
        raise ValueError(f"pitch_range must be two MIDI note ints (low, high) with 0 <= low <= high, got {pitch_range!r}")
    timbres = tuple(timbres)
    if not timbres:
        raise ValueError("timbres must name at least one timbre")
    for name in timbres:
        _timbre_weights(name)
    rng = np.random.default_rng(seed)
    midi = rng.integers(lo, hi + 1, size=n)
    tid = rng.integers(0, len(timbres), size=n)
    detune = rng.uniform(-detune_cents, detune_cents, size=n) / 100.0
    seeds = rng.integers(0, 2 ** 31 - 1, size=n)
    audio = np.stack([
        synth_note(midi[i] + detune[i], timbres[tid[i]], sr=sr, duration=duration, vibrato_cents=vibrato_cents,
                   noise=noise, seed=int(seeds[i]))
        for i in range(n)
    ])
    return audio, midi.astype("int64"), tid.astype("int64")


# ---- spectra --------------------------------------------------------------------------------------------
def _frames(a: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    if a.shape[-1] < n_fft:
        a = np.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, n_fft - a.shape[-1])])
    n_frames = 1 + (a.shape[-1] - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    return a[..., idx]  # (..., frames, n_fft)


def spectrogram(audio, n_fft: int = 512, hop: int = 128, power: float = 1.0) -> np.ndarray:
    """Short-time Fourier transform magnitude ``|STFT|**power`` with a Hann window.

    ``audio`` (samples,) or (n, samples) -> (frames, n_fft // 2 + 1) or (n, frames, n_fft // 2 + 1);
    frequency bin k is k * sr / n_fft Hz, frame t starts at sample t * hop.
    """
    a = _check_audio(audio)
    for name, v in (("n_fft", n_fft), ("hop", hop)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be an int >= 1, got {v!r}")
    if power <= 0:
        raise ValueError(f"power must be > 0, got {power!r}")
    frames = _frames(a, n_fft, hop) * np.hanning(n_fft).astype("float32")
    mag = np.abs(np.fft.rfft(frames, axis=-1))
    return (mag ** power).astype("float32")


def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = 512, n_mels: int = 64, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Triangular filters equally spaced on the mel scale m = 2595 log10(1 + f / 700):
    shape (n_mels, n_fft // 2 + 1); each row is one filter over the STFT bins."""
    sr = _check_sr(sr)
    fmax = sr / 2 if fmax is None else fmax
    if isinstance(n_mels, bool) or not isinstance(n_mels, (int, np.integer)) or n_mels < 1:
        raise ValueError(f"n_mels must be an int >= 1, got {n_mels!r}")
    if not 0 <= fmin < fmax <= sr / 2:
        raise ValueError(f"need 0 <= fmin < fmax <= sr / 2 = {sr / 2}, got fmin={fmin}, fmax={fmax}")
    mel = lambda f: 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)  # noqa: E731
    inv = lambda m: 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)  # noqa: E731
    edges = inv(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs[None, :] - lower) / np.maximum(centre - lower, 1e-9)
    down = (upper - freqs[None, :]) / np.maximum(upper - centre, 1e-9)
    return np.clip(np.minimum(up, down), 0.0, None).astype("float32")


def log_mel(audio, sr: int = SAMPLE_RATE, n_fft: int = 512, hop: int = 128, n_mels: int = 64,
            fmin: float = 0.0, fmax: float | None = None, eps: float = 1e-6) -> np.ndarray:
    """log(mel power spectrogram + eps): (frames, n_mels) or (n, frames, n_mels)."""
    power = spectrogram(audio, n_fft=n_fft, hop=hop, power=2.0)
    fb = mel_filterbank(sr, n_fft, n_mels, fmin, fmax)
    return np.log(power @ fb.T + eps).astype("float32")


def note_spectrum(audio, sr: int = SAMPLE_RATE, n_fft: int = 4096, fmax: float = 4000.0,
                  db_range: float | None = 60.0) -> np.ndarray:
    """The magnitude spectrum of the middle ``n_fft`` samples of each note (Hann window), bins 0 .. fmax,
    scaled so that each note's largest bin is 1. With ``db_range`` (default 60 dB) the magnitude is shown
    in decibels below the peak and mapped to [0, 1]: 1 + 20 log10(mag / max) / db_range, clipped at 0, so
    quiet partials still count. (samples,) -> (bins,); (n, samples) -> (n, bins)."""
    sr = _check_sr(sr)
    a = _check_audio(audio)
    if a.shape[-1] < n_fft:
        raise ValueError(f"notes must have at least n_fft = {n_fft} samples, got {a.shape[-1]}")
    if not 0 < fmax <= sr / 2:
        raise ValueError(f"fmax must be in (0, sr / 2 = {sr / 2}], got {fmax!r}")
    start = (a.shape[-1] - n_fft) // 2
    seg = a[..., start:start + n_fft] * np.hanning(n_fft)
    mag = np.abs(np.fft.rfft(seg, axis=-1))[..., : int(fmax * n_fft / sr) + 1]
    mag = mag / np.maximum(mag.max(axis=-1, keepdims=True), 1e-12)
    if db_range is not None:
        if not db_range > 0:
            raise ValueError(f"db_range must be > 0 dB or None, got {db_range!r}")
        mag = np.clip(1.0 + 20.0 * np.log10(np.maximum(mag, 1e-12)) / db_range, 0.0, 1.0)
    return mag.astype("float32")


def spectrum_to_audio(spectrum, sr: int = SAMPLE_RATE, n_fft: int = 4096, duration: float = 0.5,
                      threshold: float = 0.1, db_range: float | None = 60.0, envelope: dict | None = None,
                      max_partials: int = 64, seed: int = 0) -> np.ndarray:
    """Sinusoidal resynthesis: each local maximum of a magnitude spectrum (from ``note_spectrum``, with the
    same ``db_range``) that reaches ``threshold`` times the largest one becomes a sine at its (parabolically
    interpolated) frequency with that amplitude (at most the ``max_partials`` strongest peaks); phases random
    (seeded); ADSR ``envelope``. (bins,) -> (samples,),
    (n, bins) -> (n, samples). A spectrum with no clear peaks gives (nearly) silence."""
    sr = _check_sr(sr)
    spec = np.asarray(spectrum, dtype="float64")
    single = spec.ndim == 1
    spec = np.atleast_2d(spec)
    if spec.ndim != 2 or spec.shape[1] < 3:
        raise ValueError(f"spectrum must have shape (bins,) or (n, bins) with bins >= 3, got {np.shape(spectrum)}")
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be in [0, 1), got {threshold!r}")
    if db_range is not None:
        if not db_range > 0:
            raise ValueError(f"db_range must be > 0 dB or None, got {db_range!r}")
        spec = np.where(spec > 0, 10.0 ** ((spec - 1.0) * db_range / 20.0), 0.0)
    if isinstance(max_partials, bool) or not isinstance(max_partials, (int, np.integer)) or max_partials < 1:
        raise ValueError(f"max_partials must be an int >= 1, got {max_partials!r}")
    rng = np.random.default_rng(seed)
    n = int(round(duration * sr))
    t = np.arange(n) / sr
    env = adsr(n, sr, **(envelope or {}))
    out = np.zeros((len(spec), n), dtype="float32")
    left, mid, right = spec[:, :-2], spec[:, 1:-1], spec[:, 2:]
    is_peak = (mid > left) & (mid >= right) & (mid >= threshold * spec.max(axis=1, keepdims=True)) & (mid > 0)
    for i in range(len(spec)):  # one row of partials per note; the partials themselves are vectorised
        k = np.nonzero(is_peak[i])[0]
        if k.size == 0:
            continue
        if k.size > max_partials:
            k = np.sort(k[np.argsort(mid[i, k])[-max_partials:]])
        a, b, c = left[i, k], mid[i, k], right[i, k]
        denom = a - 2 * b + c
        offset = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0.0)
        freqs = (k + 1 + np.clip(offset, -0.5, 0.5)) * sr / n_fft
        amps = b - 0.25 * (a - c) * offset
        phases = rng.uniform(0, 2 * np.pi, size=k.size)
        x = amps @ np.sin(2 * np.pi * freqs[:, None] * t[None, :] + phases[:, None])
        peak = np.max(np.abs(x))
        out[i] = (0.8 * x / peak if peak > 0 else x) * env
    return out[0] if single else out


# ---- pitch -------------------------------------------------------------------------------------------------
def estimate_pitch(audio, sr: int = SAMPLE_RATE, fmin: float = 50.0, fmax: float = 2000.0):
    """Fundamental frequency by autocorrelation, with a clarity value.

    The normalised autocorrelation r(L) = sum x[t] x[t + L] / sum x[t]^2 is searched over the lags of
    ``fmin`` .. ``fmax``; the pitch is sr / L at the first peak that reaches 90 % of the highest one
    (which avoids picking a multiple of the period), and the clarity is r there (1 for a perfectly
    periodic signal, near 0 for noise). ``audio`` (samples,) -> (f0, clarity) floats;
    (n, samples) -> two arrays of shape (n,). Silence gives f0 = 0 and clarity = 0.
    """
    sr = _check_sr(sr)
    a = _check_audio(audio).astype("float64")
    if not 0 < fmin < fmax <= sr / 2:
        raise ValueError(f"need 0 < fmin < fmax <= sr / 2 = {sr / 2}, got fmin={fmin}, fmax={fmax}")
    single = a.ndim == 1
    a = np.atleast_2d(a)
    a = a - a.mean(axis=1, keepdims=True)
    n = a.shape[1]
    lag_min, lag_max = int(np.floor(sr / fmax)), int(np.ceil(sr / fmin))
    if lag_max + 2 >= n:
        raise ValueError(f"audio of {n} samples is too short to find pitches down to fmin={fmin} Hz "
                         f"(needs more than {lag_max + 2} samples)")
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(a, size, axis=1)
    r = np.fft.irfft(spec * np.conj(spec), size, axis=1)[:, : lag_max + 2]
    energy = r[:, :1]
    # correct for the shrinking overlap at long lags, then normalise
    r = r / (n - np.arange(r.shape[1]))[None, :] * n
    r = np.where(energy > 1e-12, r / np.maximum(energy, 1e-12), 0.0)
    f0 = np.zeros(len(a))
    clarity = np.zeros(len(a))
    seg = r[:, lag_min - 1: lag_max + 2]
    is_peak = (seg[:, 1:-1] > seg[:, :-2]) & (seg[:, 1:-1] >= seg[:, 2:])
    for i in range(len(a)):
        lags = np.nonzero(is_peak[i])[0]
        if lags.size == 0 or energy[i, 0] <= 1e-12:
            continue
        vals = seg[i, lags + 1]
        best = vals.max()
        j = lags[np.argmax(vals >= 0.9 * best)]
        y0, y1, y2 = seg[i, j], seg[i, j + 1], seg[i, j + 2]
        denom = y0 - 2 * y1 + y2
        off = 0.5 * (y0 - y2) / denom if abs(denom) > 1e-12 else 0.0
        lag = lag_min + j + float(np.clip(off, -0.5, 0.5))
        f0[i] = sr / lag
        clarity[i] = float(np.clip(y1, 0.0, 1.0))
    return (float(f0[0]), float(clarity[0])) if single else (f0, clarity)


def pitch_report(audio, sr: int = SAMPLE_RATE, pitch_range: tuple[float, float] = (48, 72),
                 min_clarity: float = 0.8, tolerance: float = 0.5) -> dict:
    """How many notes have a clear pitch inside the MIDI ``pitch_range`` (widened by ``tolerance``
    semitones on each side). Returns {"share": float, "clear": bool array, "f0": Hz, "midi": float array,
    "clarity": array}."""
    if not 0 < min_clarity <= 1:
        raise ValueError(f"min_clarity must be in (0, 1], got {min_clarity!r}")
    lo, hi = pitch_range
    if lo > hi:
        raise ValueError(f"pitch_range must be (low, high) with low <= high, got {pitch_range!r}")
    a = _check_audio(audio, ndims=(2,))
    f0, clarity = estimate_pitch(a, sr)
    midi = np.where(f0 > 0, 69.0 + 12.0 * np.log2(np.maximum(f0, 1e-9) / 440.0), np.nan)
    inside = (midi >= lo - tolerance) & (midi <= hi + tolerance)
    clear = (clarity >= min_clarity) & inside
    return {"share": float(clear.mean()), "clear": clear, "f0": f0, "midi": midi, "clarity": clarity}


# ---- sampling, aliasing, STFT and Griffin-Lim --------------------------------------------------------------
def alias_frequency(f, sr: int) -> np.ndarray | float:
    """The frequency (Hz, in [0, sr / 2]) at which a sine of frequency ``f`` is heard after sampling at ``sr``:
    fold f into [0, sr): f mod sr, then reflect the upper half, |f - sr * round(f / sr)|."""
    sr = _check_sr(sr)
    f = np.asarray(f, dtype="float64")
    if np.any(f < 0):
        raise ValueError(f"frequencies must be >= 0 Hz, got min {float(f.min())}")
    out = np.abs(f - sr * np.round(f / sr))
    return float(out) if np.ndim(out) == 0 else out


def _check_frame(n_fft, hop) -> tuple[int, int]:
    for name, v in (("n_fft", n_fft), ("hop", hop)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be an int >= 1, got {v!r}")
    if hop > n_fft:
        raise ValueError(f"hop must be <= n_fft so that frames overlap or touch, got hop={hop}, n_fft={n_fft}")
    return int(n_fft), int(hop)


def stft(audio, n_fft: int = 512, hop: int = 128) -> np.ndarray:
    """Complex short-time Fourier transform with a periodic Hann window, no padding:
    S[t, k] = sum_n x[t * hop + n] w[n] exp(-2 pi i k n / n_fft). (samples,) -> (frames, n_fft // 2 + 1)
    complex128; (n, samples) -> (n, frames, bins). ``istft`` inverts it."""
    n_fft, hop = _check_frame(n_fft, hop)
    _check_audio(audio)
    a = np.asarray(audio, dtype="float64")  # keep float64 input exact (Griffin-Lim iterates on it)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return np.fft.rfft(_frames(a, n_fft, hop) * window, axis=-1)


def istft(spec, hop: int = 128, length: int | None = None) -> np.ndarray:
    """Inverse of ``stft`` by weighted overlap-add: each frame's inverse FFT times the window, summed, divided
    by the sum of squared windows (floored at 1e-3 of its maximum, so that the few edge samples that the
    windows barely cover are damped instead of amplified). (frames, bins) -> (samples,)."""
    s = np.asarray(spec)
    if s.ndim != 2 or s.shape[1] < 2:
        raise ValueError(f"spec must have shape (frames, bins) with bins >= 2, got {s.shape}")
    n_fft = 2 * (s.shape[1] - 1)
    n_fft, hop = _check_frame(n_fft, hop)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    frames = np.fft.irfft(s, n=n_fft, axis=-1) * window
    n = n_fft + hop * (len(s) - 1)
    out, norm = np.zeros(n), np.zeros(n)
    for t, frame in enumerate(frames):
        out[t * hop: t * hop + n_fft] += frame
        norm[t * hop: t * hop + n_fft] += window ** 2
    out = out / np.maximum(norm, 1e-3 * norm.max())   # the first and last few samples: no blow-up
    if length is not None:
        out = np.pad(out, (0, max(0, length - n)))[:length]
    return out


def griffin_lim(magnitude, hop: int = 128, n_iter: int = 50, length: int | None = None, seed: int = 0,
                return_errors: bool = False):
    """Griffin & Lim (1984): a signal whose STFT magnitude is close to ``magnitude`` (frames, bins), found by
    alternating projections from random phases: x = istft(M * exp(i phase)), phase = angle(stft(x)).
    Returns the signal (samples,) and, with ``return_errors``, the spectral convergence after each iteration."""
    mag = np.asarray(magnitude, dtype="float64")
    if mag.ndim != 2 or mag.shape[1] < 2 or np.any(mag < 0):
        raise ValueError(f"magnitude must be a (frames, bins) array of values >= 0, got shape {mag.shape}")
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 1:
        raise ValueError(f"n_iter must be an int >= 1, got {n_iter!r}")
    n_fft = 2 * (mag.shape[1] - 1)
    phase = np.exp(2j * np.pi * np.random.default_rng(seed).random(mag.shape))
    errors = []
    for _ in range(int(n_iter)):
        x = istft(mag * phase, hop=hop, length=length)
        rebuilt = stft(x, n_fft=n_fft, hop=hop)
        errors.append(spectral_convergence(mag, np.abs(rebuilt)))
        phase = np.exp(1j * np.angle(rebuilt))
    x = istft(mag * phase, hop=hop, length=length)
    return (x, np.asarray(errors)) if return_errors else x


def spectral_convergence(reference, estimate) -> float:
    """||reference - estimate||_F / ||reference||_F for two magnitude spectrograms (0 = identical)."""
    r, e = np.asarray(reference, dtype="float64"), np.asarray(estimate, dtype="float64")
    if r.shape != e.shape:
        raise ValueError(f"reference and estimate must have the same shape, got {r.shape} and {e.shape}")
    return float(np.linalg.norm(r - e) / max(np.linalg.norm(r), 1e-12))


def snr_db(reference, estimate) -> float:
    """Signal-to-noise ratio 10 log10(sum ref^2 / sum (ref - est)^2) in dB (inf when they are equal)."""
    r, e = np.asarray(reference, dtype="float64"), np.asarray(estimate, dtype="float64")
    if r.shape != e.shape:
        raise ValueError(f"reference and estimate must have the same shape, got {r.shape} and {e.shape}")
    err = np.sum((r - e) ** 2)
    return float("inf") if err == 0 else float(10 * np.log10(np.sum(r ** 2) / err))


# ---- mu-law companding --------------------------------------------------------------------------------------
def _check_mu(mu) -> int:
    if isinstance(mu, bool) or not isinstance(mu, (int, np.integer)) or mu < 1:
        raise ValueError(f"mu must be an int >= 1 (255 for 256 levels), got {mu!r}")
    return int(mu)


def mu_law_encode(x, mu: int = 255) -> np.ndarray:
    """Samples in [-1, 1] (clipped) -> integer levels 0 .. mu (ITU-T G.711 companding, as in WaveNet):
    F(x) = sign(x) ln(1 + mu |x|) / ln(1 + mu), then level = round((F(x) + 1) / 2 * mu)."""
    mu = _check_mu(mu)
    x = np.clip(np.asarray(x, dtype="float64"), -1.0, 1.0)
    f = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return np.floor((f + 1.0) / 2.0 * mu + 0.5).astype("int64")


def mu_law_decode(levels, mu: int = 255) -> np.ndarray:
    """Inverse of ``mu_law_encode``: level q -> y = 2 q / mu - 1 -> x = sign(y) ((1 + mu)^|y| - 1) / mu."""
    mu = _check_mu(mu)
    q = np.asarray(levels)
    if q.size and (q.min() < 0 or q.max() > mu):
        raise ValueError(f"mu-law levels must lie in 0 .. {mu}, got values in [{q.min()}, {q.max()}]")
    y = 2.0 * q.astype("float64") / mu - 1.0
    return (np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu).astype("float32")


def linear_quantise(x, bits: int = 8) -> np.ndarray:
    """Uniform quantisation of [-1, 1] (clipped) to 2**bits levels, returned as the reconstructed values."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 24:
        raise ValueError(f"bits must be an int in 1 .. 24, got {bits!r}")
    steps = 2 ** int(bits) - 1
    x = np.clip(np.asarray(x, dtype="float64"), -1.0, 1.0)
    return (np.floor((x + 1.0) / 2.0 * steps + 0.5) / steps * 2.0 - 1.0).astype("float32")


# ---- noise / timbre and coverage checks -----------------------------------------------------------------------
def spectral_flatness(audio, sr: int = SAMPLE_RATE, n_fft: int = 512, hop: int = 128, fmin: float = 50.0,
                      fmax: float | None = None) -> np.ndarray | float:
    """Wiener entropy of the time-averaged power spectrum between ``fmin`` and ``fmax``: geometric mean /
    arithmetic mean, in (0, 1]. White noise gives close to 1 (flat), a harmonic note close to 0 (a few
    peaks). Silence gives 1 (nothing but a flat floor). (samples,) -> float; (n, samples) -> (n,)."""
    sr = _check_sr(sr)
    fmax = sr / 2 if fmax is None else fmax
    if not 0 <= fmin < fmax <= sr / 2:
        raise ValueError(f"need 0 <= fmin < fmax <= sr / 2 = {sr / 2}, got fmin={fmin}, fmax={fmax}")
    power = spectrogram(audio, n_fft=n_fft, hop=hop, power=2.0).astype("float64").mean(axis=-2)
    freqs = np.arange(power.shape[-1]) * sr / n_fft
    band = power[..., (freqs >= fmin) & (freqs <= fmax)] + 1e-12
    flat = np.exp(np.mean(np.log(band), axis=-1)) / np.mean(band, axis=-1)
    return float(flat) if np.ndim(flat) == 0 else flat


NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def midi_name(midi: int) -> str:
    """Scientific pitch name of a MIDI note: 60 -> 'C4', 61 -> 'C#4', 69 -> 'A4'."""
    m = int(round(float(midi)))
    if m < 0:
        raise ValueError(f"MIDI notes are >= 0, got {midi!r}")
    return f"{NOTE_NAMES[m % 12]}{m // 12 - 1}"


def pitch_coverage(midi, clear, pitch_range: tuple[int, int] = (48, 72)) -> dict:
    """Which MIDI notes of ``pitch_range`` (inclusive) occur, rounded, among the notes marked ``clear``.
    Returns {"share": covered / all notes in the range, "covered": sorted ints, "missing": sorted ints,
    "missing_names": names like 'C#4', "counts": {note: count}}."""
    lo, hi = int(pitch_range[0]), int(pitch_range[1])
    if lo > hi:
        raise ValueError(f"pitch_range must be (low, high) with low <= high, got {pitch_range!r}")
    m, c = np.asarray(midi, dtype="float64"), np.asarray(clear, dtype=bool)
    if m.shape != c.shape:
        raise ValueError(f"midi and clear must have the same shape, got {m.shape} and {c.shape}")
    found = np.round(m[c & np.isfinite(m)]).astype("int64")
    counts = {k: int(np.sum(found == k)) for k in range(lo, hi + 1)}
    covered = [k for k, v in counts.items() if v > 0]
    missing = [k for k, v in counts.items() if v == 0]
    return {"share": len(covered) / (hi - lo + 1), "covered": covered, "missing": missing,
            "missing_names": [midi_name(k) for k in missing], "counts": counts}


# ---- files and playback -------------------------------------------------------------------------------
def write_wav(path, audio, sr: int = SAMPLE_RATE) -> Path:
    """Write mono float audio in [-1, 1] (clipped) as a 16-bit PCM WAV file; returns the path."""
    sr = _check_sr(sr)
    a = _check_audio(audio, ndims=(1,))
    pcm = (np.clip(a, -1.0, 1.0) * 32767.0).round().astype("<i2")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sr)
        f.writeframes(pcm.tobytes())
    return path


def read_wav(path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM WAV file: (float32 samples in [-1, 1] (mono, channels averaged), sample rate)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no WAV file at {path}")
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM, got {8 * f.getsampwidth()}-bit samples")
        ch, sr = f.getnchannels(), f.getframerate()
        data = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype("float32") / 32767.0
    return data.reshape(-1, ch).mean(axis=1), sr


def play(audio, sr: int = SAMPLE_RATE, normalize: bool = True):
    """An ``IPython.display.Audio`` player for mono audio (shown when it is the last value of a cell)."""
    from IPython.display import Audio

    sr = _check_sr(sr)
    a = _check_audio(audio, ndims=(1,))
    if not normalize:
        a = np.clip(a, -1.0, 1.0)
        # IPython rescales unless told not to; keep the learner's loudness
        return Audio(a, rate=sr, normalize=False)
    return Audio(a, rate=sr)


# ---- optional speech -------------------------------------------------------------------------------------
ESPEAK_HINT = ("espeak-ng is not installed; install it with `sudo apt-get install espeak-ng` (Debian/Ubuntu) "
               "or `brew install espeak-ng` (macOS), then run again")


def spoken_digits(digits: Sequence[int] = tuple(range(10)), voices: Sequence[str] = ("zh", "en"),
                  sr: int = SAMPLE_RATE, duration: float = 0.8, speeds: Sequence[int] = (140, 175)):
    """Spoken digits made with the ``espeak-ng`` speech synthesiser (optional; raises DataNotFoundError
    saying how to install it when it is missing). Each (digit, voice, speed) gives one clip, trimmed or
    padded to ``duration`` s at ``sr``. Returns (audio float32 (n, samples), digit labels int64 (n,))."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise DataNotFoundError(ESPEAK_HINT)
    sr = _check_sr(sr)
    digits = [int(d) for d in digits]
    if not digits or any(d < 0 or d > 9 for d in digits):
        raise ValueError(f"digits must be integers 0..9, got {digits!r}")
    n = int(round(duration * sr))
    clips, labels = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for d in digits:
            for voice in voices:
                for speed in speeds:
                    wav = os.path.join(tmp, "clip.wav")
                    subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", wav, str(d)], check=True,
                                   capture_output=True)
                    a, rate = read_wav(wav)
                    if rate != sr:  # linear resampling is enough for a demonstration
                        a = np.interp(np.arange(int(len(a) * sr / rate)) * rate / sr, np.arange(len(a)), a)
                    a = np.asarray(a[:n], dtype="float32")
                    clips.append(np.pad(a, (0, n - len(a))))
                    labels.append(d)
    return np.stack(clips), np.asarray(labels, dtype="int64")


__all__ = ["SAMPLE_RATE", "TIMBRES", "TIMBRE_NAMES", "midi_to_hz", "hz_to_midi", "adsr", "synth_note",
           "make_notes", "spectrogram", "mel_filterbank", "log_mel", "note_spectrum", "spectrum_to_audio",
           "estimate_pitch", "pitch_report", "write_wav", "read_wav", "play", "spoken_digits", "ESPEAK_HINT",
           "alias_frequency", "stft", "istft", "griffin_lim", "spectral_convergence", "snr_db", "mu_law_encode",
           "mu_law_decode", "linear_quantise", "spectral_flatness", "NOTE_NAMES", "midi_name", "pitch_coverage"]
