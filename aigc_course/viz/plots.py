"""Seaborn plots: training curves and friends."""

from __future__ import annotations

import numpy as np


def _history_dict(history) -> dict:
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or not h:
        raise ValueError("history must be a keras History or a non-empty dict of metric name -> list of values")
    return h


def plot_history(history, metrics=None, title: str | None = None, ax=None, xlabel: str = "轮次（epoch）"):
    """Plot training curves from a keras ``History`` (or a dict of lists). Returns the figure."""
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    h = _history_dict(history)
    names = list(metrics) if metrics is not None else list(h)
    missing = [m for m in names if m not in h]
    if missing:
        raise ValueError(f"metrics {missing} are not in the history; it has {sorted(h)}")
    rows = [(i + 1, name, float(v)) for name in names for i, v in enumerate(np.ravel(h[name]))]
    df = pd.DataFrame(rows, columns=[xlabel, "指标", "数值"])
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    sns.lineplot(data=df, x=xlabel, y="数值", hue="指标", marker="o" if df[xlabel].max() <= 30 else None, ax=ax)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def generator_loss_curves(num: int = 199, eps: float = 1e-3) -> dict:
    """The two generator losses and their gradients with respect to the discriminator's logit, as
    functions of p = D(G(z)) on a grid in (0, 1).

    Returns ``{"p", "saturating", "nonsaturating", "grad_saturating", "grad_nonsaturating"}`` (numpy).
    The losses come from :mod:`aigc_course.models.losses`; the gradients are central finite differences
    in the logit l = log(p / (1 - p)) (closed form: -p for the saturating loss, -(1 - p) for the
    non-saturating one).
    """
    from keras import ops

    from aigc_course.models import losses

    if not isinstance(num, int) or isinstance(num, bool) or num < 3:
        raise ValueError(f"num must be an int >= 3, got {num!r}")
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must be in (0, 0.5), got {eps!r}")
    p = np.linspace(eps, 1.0 - eps, num)
    logit = np.log(p) - np.log1p(-p)
    h = 1e-3

    def per_point(loss_fn, z):
        # each loss averages over its input; give it a (num, 1) batch and read one value per row
        z = np.asarray(z, dtype="float32")
        return np.array([float(ops.convert_to_numpy(loss_fn(z[i:i + 1]))) for i in range(len(z))])

    sat = per_point(losses.g_loss_saturating, logit)
    non = per_point(losses.g_loss_nonsaturating, logit)
    g_sat = (per_point(losses.g_loss_saturating, logit + h) - per_point(losses.g_loss_saturating, logit - h)) / (2 * h)
    g_non = (per_point(losses.g_loss_nonsaturating, logit + h)
             - per_point(losses.g_loss_nonsaturating, logit - h)) / (2 * h)
    return {"p": p, "saturating": sat, "nonsaturating": non, "grad_saturating": g_sat, "grad_nonsaturating": g_non}


def plot_generator_losses(d_value: float | None = 0.1, curves: dict | None = None, title: str | None = None):
    """Saturating  log(1 - D(G(z)))  and non-saturating  -log D(G(z))  generator losses (left) and their
    gradients with respect to D's logit (right) against D(G(z)); ``d_value`` marks one point on every
    curve. ``curves`` reuses the output of :func:`generator_loss_curves`. Returns the figure."""
    import matplotlib.pyplot as plt

    if d_value is not None:
        if isinstance(d_value, bool) or not isinstance(d_value, (int, float, np.floating)):
            raise TypeError(f"d_value must be a float in (0, 1) or None, got {type(d_value).__name__}")
        if not 0.0 < float(d_value) < 1.0:
            raise ValueError(f"d_value must be in (0, 1), got {d_value}")
    c = curves if curves is not None else generator_loss_curves()
    missing = {"p", "saturating", "nonsaturating", "grad_saturating", "grad_nonsaturating"} - set(c)
    if missing:
        raise ValueError(f"curves is missing {sorted(missing)}; pass the output of generator_loss_curves()")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    p = c["p"]
    ax1.plot(p, c["saturating"], label=r"饱和 $\log(1-D(G(z)))$", color="tab:red")
    ax1.plot(p, c["nonsaturating"], label=r"非饱和 $-\log D(G(z))$", color="tab:blue")
    ax2.plot(p, c["grad_saturating"], label="饱和", color="tab:red")
    ax2.plot(p, c["grad_nonsaturating"], label="非饱和", color="tab:blue")
    if d_value is not None:
        d = float(d_value)
        for ax, keys in ((ax1, ("saturating", "nonsaturating")), (ax2, ("grad_saturating", "grad_nonsaturating"))):
            ax.axvline(d, color="grey", ls=":", lw=1)
            for key, colour in zip(keys, ("tab:red", "tab:blue")):
                y = float(np.interp(d, p, c[key]))
                ax.plot([d], [y], "o", color=colour)
                ax.annotate(f"{y:.3f}", (d, y), textcoords="offset points", xytext=(6, 4), fontsize=8, color=colour)
    ax1.set(xlabel="D(G(z))", ylabel="生成器损失", title="损失")
    ax2.set(xlabel="D(G(z))", ylabel="d 损失 / d logit", title="损失对 D 的 logit 的梯度")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---- VAE and audio (chapters 06 and 09) -----------------------------------------------------------------
def plot_latent_map(z, labels, class_names=None, title: str | None = None, ax=None, max_points: int = 5000):
    """Scatter of 2-D latent codes ``z`` (n, 2) coloured by integer ``labels`` (n,); legend from
    ``class_names`` (a list indexed by label) when given. Returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    z = np.asarray(z, dtype="float32")
    labels = np.asarray(labels)
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"z must have shape (n, 2), got {z.shape}")
    if labels.shape != (len(z),):
        raise ValueError(f"labels must have shape ({len(z)},), got {labels.shape}")
    if len(z) > max_points:
        keep = np.random.default_rng(0).choice(len(z), max_points, replace=False)
        z, labels = z[keep], labels[keep]
    names = [class_names[int(i)] if class_names is not None else str(int(i)) for i in labels]
    order = [class_names[i] for i in sorted(set(labels.tolist()))] if class_names is not None else None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 5))
    else:
        fig = ax.figure
    sns.scatterplot(x=z[:, 0], y=z[:, 1], hue=names, hue_order=order, palette="tab10", s=6, linewidth=0,
                    alpha=0.7, ax=ax)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.legend(fontsize=7, markerscale=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_waveforms(audio, sr: int = 16000, titles=None, ncols: int = 4, zoom: float | None = None, title=None):
    """One small waveform plot per row of ``audio`` (n, samples); ``zoom`` shows only the first ``zoom``
    seconds (to see single periods). Returns the figure."""
    from .images import panel_grid

    a = np.atleast_2d(np.asarray(audio, dtype="float32"))
    if a.ndim != 2:
        raise ValueError(f"audio must have shape (samples,) or (n, samples), got {np.shape(audio)}")
    fig, axes = panel_grid(len(a), ncols, (3.2, 1.9), titles, what="waveforms", sharey=True)
    stop = a.shape[1] if zoom is None else min(a.shape[1], int(zoom * sr))
    t = np.arange(stop) / sr * 1000.0
    for axis, wave in zip(axes, a):
        axis.plot(t, wave[:stop], lw=0.8)
        axis.set_xlabel("ms", fontsize=7)
        axis.tick_params(labelsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_spectrograms(specs, sr: int = 16000, hop: int = 128, titles=None, ncols: int = 4, fmax: float | None = None,
                      ylabel: str = "Hz", title=None, db_range: float = 80.0):
    """A grid of log-magnitude spectrograms; ``specs`` (n, frames, bins) from ``data.audio.spectrogram``
    (linear bins up to sr / 2, shown in dB down to ``db_range`` below each one's peak) or
    (n, frames, n_mels) already logarithmic (e.g. ``data.audio.log_mel``) with ``ylabel="mel"``.
    Returns the figure."""
    from .images import panel_grid

    s = np.asarray(specs, dtype="float32")
    if s.ndim == 2:
        s = s[None]
    if s.ndim != 3:
        raise ValueError(f"specs must have shape (frames, bins) or (n, frames, bins), got {np.shape(specs)}")
    fig, axes = panel_grid(len(s), ncols, (3.2, 2.4), titles, what="spectrograms")
    top = sr / 2 if ylabel == "Hz" else s.shape[2]
    for axis, spec in zip(axes, s):
        img = spec.T
        if ylabel == "Hz":
            img = 20 * np.log10(np.maximum(img, 10 ** (-db_range / 20) * max(img.max(), 1e-12)))
        axis.imshow(img, origin="lower", aspect="auto", cmap="magma",
                    extent=(0, s.shape[1] * hop / sr * 1000.0, 0, top))
        if fmax is not None:
            axis.set_ylim(0, fmax)
        axis.set_xlabel("ms", fontsize=7)
        axis.set_ylabel(ylabel, fontsize=7)
        axis.tick_params(labelsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- attention (chapter 07) -------------------------------------------------------------------------------

def as_attention_maps(maps) -> np.ndarray:
    """Attention maps as (layers, heads, time, time); (layers, batch, heads, time, time) keeps the first example."""
    m = np.asarray(maps, dtype="float64")
    if m.ndim == 5:
        m = m[:, 0]
    if m.ndim != 4:
        raise ValueError(f"maps must have shape (layers, heads, time, time) or (layers, batch, heads, time, time), "
                         f"got {np.asarray(maps).shape}")
    return m


def cjk_font() -> str | None:
    """Name of an installed font that can draw Chinese characters, or None (then plots label with indices)."""
    from .fonts import find_chinese_font

    return find_chinese_font()


def _safe_labels(labels, n: int):
    """Tick labels that render: the given ones if they are ASCII or a CJK font exists, else the indices."""
    if labels is None:
        return [str(i) for i in range(n)]
    labels = [str(s) for s in labels]
    if len(labels) != n:
        raise ValueError(f"expected {n} labels, got {len(labels)}")
    if all(s.isascii() for s in labels) or cjk_font() is not None:
        return labels
    return [str(i) for i in range(n)]


def plot_attention(weights, labels=None, title: str | None = None, ax=None, annotate: bool | None = None):
    """Heat map of one attention matrix (queries as rows, keys as columns); rows sum to 1.

    ``labels``: the tokens; Chinese labels are used only when a CJK font is installed (else the indices,
    so no empty boxes appear; print the tokens next to the plot instead). Returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    w = np.asarray(weights, dtype="float64")
    if w.ndim != 2:
        raise ValueError(f"weights must be a 2-D (queries, keys) matrix, got shape {w.shape}")
    ylab = _safe_labels(labels, w.shape[0]) if labels is None or len(labels) == w.shape[0] else None
    xlab = _safe_labels(labels, w.shape[1]) if labels is None or len(labels) == w.shape[1] else None
    if ylab is None or xlab is None:
        raise ValueError(f"labels must have one entry per position: weights are {w.shape}, got {len(labels)} labels")
    font = cjk_font()
    if ax is None:
        size = min(0.45 * max(w.shape) + 1.5, 9)
        fig, ax = plt.subplots(figsize=(size + 1, size))
    else:
        fig = ax.figure
    if annotate is None:
        annotate = max(w.shape) <= 8
    sns.heatmap(w, vmin=0, vmax=1, cmap="viridis", square=True, annot=annotate, fmt=".2f", cbar=True,
                xticklabels=xlab, yticklabels=ylab, ax=ax)
    if font is not None and labels is not None:
        for t in ax.get_xticklabels() + ax.get_yticklabels():
            t.set_fontname(font)
    ax.set_xlabel("键的位置（被关注者）")
    ax.set_ylabel("查询的位置")
    if title:
        ax.set_title(title)
    return fig


def plot_attention_heads(maps, layer: int = 0, labels=None, title: str | None = None):
    """All heads of one layer side by side. ``maps``: (layers, heads, time, time) or
    (layers, batch, heads, time, time) (the first example is shown). Returns the figure."""
    import matplotlib.pyplot as plt

    m = as_attention_maps(maps)
    if not 0 <= layer < m.shape[0]:
        raise ValueError(f"layer must be in 0..{m.shape[0] - 1}, got {layer}")
    heads = m.shape[1]
    fig, axes = plt.subplots(1, heads, figsize=(3.2 * heads + 0.5, 3.4), squeeze=False)
    for h, ax in enumerate(axes[0]):
        plot_attention(m[layer, h], labels=labels, title=f"第 {layer} 层，第 {h} 个头", ax=ax, annotate=False)
        if h:
            ax.set_ylabel("")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_positional_encoding(pe, title: str | None = None):
    """Left: the encoding matrix (positions × dimensions); right: the dot product between positions, which
    depends only on their distance for the sinusoidal encoding. Returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    pe = np.asarray(pe, dtype="float64")
    if pe.ndim != 2:
        raise ValueError(f"pe must be a 2-D (positions, d_model) matrix, got shape {pe.shape}")
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    sns.heatmap(pe, cmap="RdBu_r", center=0, ax=a, cbar=True, xticklabels=max(pe.shape[1] // 8, 1),
                yticklabels=max(pe.shape[0] // 8, 1))
    a.set_xlabel("维度")
    a.set_ylabel("位置")
    a.set_title("PE[位置, 维度]")
    sns.heatmap(pe @ pe.T, cmap="magma", ax=b, square=True, xticklabels=max(pe.shape[0] // 8, 1),
                yticklabels=max(pe.shape[0] // 8, 1))
    b.set_xlabel("位置 j")
    b.set_ylabel("位置 i")
    b.set_title("PE[i] · PE[j]")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
