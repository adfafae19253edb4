import math

import keras
import numpy as np
import pytest
from keras import ops

from aigc_course.models import transformer as T
from aigc_course.models.losses import next_token_loss


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.backend
def test_attention_weights_are_a_softmax_and_match_closed_form():
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(2, 4, 3)).astype("float32") for _ in range(3))
    out, w = T.scaled_dot_product_attention(q, k, v)
    s = q @ k.transpose(0, 2, 1) / math.sqrt(3)
    ref_w = np.exp(s) / np.exp(s).sum(-1, keepdims=True)
    np.testing.assert_allclose(_np(w), ref_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(w).sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(_np(out), ref_w @ v, rtol=1e-5, atol=1e-6)


@pytest.mark.backend
def test_erratum_4_worked_example():
    x = np.arange(1, 6, dtype="float32")[:, None]  # five 1-d "vectors"
    # the seed's example uses unscaled x_i x_j; d_k = 1 so the 1/sqrt(d) factor is 1
    out, w = T.scaled_dot_product_attention(x, x, x)
    np.testing.assert_allclose(_np(w)[0], [0.012, 0.032, 0.086, 0.234, 0.636], atol=5e-4)
    assert round(float(_np(out)[0, 0]), 2) == 4.45


@pytest.mark.backend
def test_masked_positions_get_zero_weight_and_causal_mask_shape():
    m = _np(T.causal_mask(4))
    assert m.dtype == bool and m.tolist() == [[True, False, False, False], [True, True, False, False],
                                              [True, True, True, False], [True, True, True, True]]
    rng = np.random.default_rng(1)
    q = rng.normal(size=(4, 2)).astype("float32")
    _, w = T.scaled_dot_product_attention(q, q, q, mask=T.causal_mask(4))
    w = _np(w)
    assert np.all(w[~m] == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)
    assert w[0, 0] == pytest.approx(1.0)


def test_attention_input_errors():
    with pytest.raises(ValueError, match=r"q and k must have the same last dimension d_k, got 3 and 2"):
        T.scaled_dot_product_attention(np.zeros((4, 3)), np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"k and v must have the same number of positions, got 4 and 5"):
        T.scaled_dot_product_attention(np.zeros((4, 3)), np.zeros((4, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"n must be a positive int, got 0"):
        T.causal_mask(0)


@pytest.mark.backend
@pytest.mark.parametrize("use_mask", [False, True])
def test_multi_head_matches_keras_multi_head_attention(use_mask):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    ref(x, x)
    ref.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in ref.get_weights()])
    mine = T.MultiHeadSelfAttention(heads=2, key_dim=4)
    mine(x)
    mine.set_weights(ref.get_weights())
    mask = T.causal_mask(5) if use_mask else None
    kmask = None if mask is None else np.broadcast_to(_np(mask), (2, 5, 5))
    ref_out, ref_w = ref(x, x, attention_mask=kmask, return_attention_scores=True)
    out, w = mine(x, attention_mask=mask, return_attention=True)
    np.testing.assert_allclose(_np(out), _np(ref_out), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(w), _np(ref_w), rtol=1e-4, atol=1e-6)


def test_sinusoidal_positions_closed_form():
    pe = T.sinusoidal_positions(6, 4)
    assert pe.shape == (6, 4) and pe.dtype == np.float32
    np.testing.assert_allclose(pe[3], [math.sin(3), math.cos(3), math.sin(3 / 100), math.cos(3 / 100)], rtol=1e-6)
    with pytest.raises(ValueError, match="d_model must be even for sinusoidal positions, got 5"):
        T.sinusoidal_positions(6, 5)


@pytest.mark.backend
def test_position_embedding_kinds():
    x = np.zeros((1, 3, 4), "float32")
    fixed = T.PositionEmbedding(8, 4, kind="sinusoidal")
    np.testing.assert_allclose(_np(fixed(x))[0], T.sinusoidal_positions(8, 4)[:3], rtol=1e-6)
    assert not fixed.trainable_weights
    learned = T.PositionEmbedding(8, 4, kind="learned")
    learned(x)
    assert len(learned.trainable_weights) == 1
    with pytest.raises(ValueError, match=r"kind must be one of \('learned', 'sinusoidal'\), got 'rope'"):
        T.PositionEmbedding(8, 4, kind="rope")


@pytest.mark.backend
def test_gpt_is_causal_and_shapes():
    model = T.build_gpt(vocab_size=11, seq_len=6, d_model=16, heads=2, layers=2, dropout=0.0)
    a = np.array([[1, 2, 3, 4, 5, 6]], "int32")
    b = a.copy()
    b[0, 4:] = [9, 10]  # change the future
    la, lb = _np(model(a)), _np(model(b))
    assert la.shape == (1, 6, 11)
    np.testing.assert_allclose(la[:, :4], lb[:, :4], rtol=1e-5, atol=1e-5)
    assert not np.allclose(la[:, 4:], lb[:, 4:])
    maps = model.attention_maps(a)
    assert maps.shape == (2, 1, 2, 6, 6)
    assert np.all(maps[..., np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0)


def test_gpt_argument_errors():
    with pytest.raises(ValueError, match="d_model must be divisible by heads, got d_model=10 and heads=3"):
        T.build_gpt(vocab_size=5, seq_len=4, d_model=10, heads=3, layers=1)
    with pytest.raises(ValueError, match=r"dropout must be a float in \[0, 1\), got 1.5"):
        T.build_gpt(vocab_size=5, seq_len=4, dropout=1.5)
    model = T.build_gpt(vocab_size=5, seq_len=4, d_model=8, heads=2, layers=1)
    with pytest.raises(ValueError, match="sequence length 6 exceeds the model's seq_len 4"):
        model(np.zeros((1, 6), "int32"))


@pytest.mark.backend
def test_gpt_fit_lowers_the_next_token_loss():
    keras.utils.set_random_seed(0)
    text = np.array([0, 1, 2, 3, 4, 5, 6, 7] * 40, "int32")
    x = np.stack([text[i:i + 8] for i in range(0, 300, 4)])
    y = np.stack([text[i + 1:i + 9] for i in range(0, 300, 4)])
    model = T.build_gpt(vocab_size=8, seq_len=8, d_model=16, heads=2, layers=1, dropout=0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = float(_np(next_token_loss(y, model(x))))
    assert before == pytest.approx(math.log(8), abs=0.3)
    model.fit(x, y, epochs=6, batch_size=25, verbose=0)
    after = float(_np(next_token_loss(y, model(x))))
    assert after < 0.5 * before


def test_attention_plots_and_explorer(monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    from aigc_course.viz import plots, widgets

    w = np.array([[1.0, 0.0], [0.4, 0.6]])
    fig = plots.plot_attention(w, labels=["a", "b"], title="t")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b"]
    monkeypatch.setattr(plots, "cjk_font", lambda: None)  # no Chinese font: fall back to indices
    fig = plots.plot_attention(w, labels=["明", "月"])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1"]
    with pytest.raises(ValueError, match=r"weights must be a 2-D \(queries, keys\) matrix, got shape \(2,\)"):
        plots.plot_attention(np.ones(2))
    with pytest.raises(ValueError, match="labels must have one entry per position: weights are \\(2, 2\\), got 3 labels"):
        plots.plot_attention(w, labels=["a", "b", "c"])
    maps = np.random.default_rng(0).random((2, 1, 3, 4, 4))
    fig = plots.plot_attention_heads(maps, layer=1)
    assert len([a for a in fig.axes if a.get_title()]) == 3
    assert widgets.attention_explorer(maps) is None  # no IPython here: static figure only
    with pytest.raises(ValueError, match="layer must be in 0..1 and head in 0..2, got 0 and 3"):
        widgets.attention_explorer(maps, layer=0, head=3)


def test_sampling_explorer_static_output(capsys):
    from aigc_course.viz import widgets

    def write(prompts, temperature, top_k, top_p, seed):
        assert top_k == 5 and top_p is None  # top-p 1.0 means "off"
        return ["白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。", "白日"][: len(prompts)]

    assert widgets.sampling_explorer(write, prompt="白", top_k=5, top_p=1.0, n=2) is None
    out = capsys.readouterr().out
    assert "--- 1 · 5 言 ---" in out and "--- 2 · 不合格律 ---" in out
    with pytest.raises(TypeError, match="write must be callable, got int"):
        widgets.sampling_explorer(3)


@pytest.mark.backend
def test_padding_mask_hides_padded_keys_from_every_query():
    from helpers import raises_message

    tokens = np.array([[4, 2, 0], [7, 0, 0]], "int32")
    m = _np(T.padding_mask(tokens))
    assert m.shape == (2, 1, 3) and m[:, 0].tolist() == [[True, True, False], [True, False, False]]
    h = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
    _, w = T.scaled_dot_product_attention(h, h, h, mask=m)
    assert np.all(_np(w)[0, :, 2] == 0.0) and np.all(_np(w)[1, :, 1:] == 0.0)
    with raises_message(ValueError, "tokens must have shape (batch, n), got (3,); add a batch axis with "
                                    "tokens[None] for one sequence"):
        T.padding_mask(np.array([1, 2, 0]))


@pytest.mark.backend
def test_post_layer_norm_block_normalises_its_output_and_combines_masks():
    from helpers import raises_message

    x = np.random.default_rng(4).normal(scale=3.0, size=(2, 5, 8)).astype("float32")
    post = T.TransformerBlock(8, 2, ff_dim=16, causal=True, norm_first=False)
    out = _np(post(x))
    np.testing.assert_allclose(out.mean(-1), 0.0, atol=1e-4)           # the last LayerNorm (gain 1, bias 0)
    np.testing.assert_allclose(out.std(-1), 1.0, atol=1e-2)
    pre_out = _np(T.TransformerBlock(8, 2, ff_dim=16, norm_first=True)(x))
    assert pre_out.std() > 2.0                                          # the pre-LN residual stream is not normalised
    tokens = np.array([[1, 2, 3, 0, 0], [1, 2, 3, 4, 5]], "int32")
    _, w = post(x, attention_mask=T.padding_mask(tokens), return_attention=True)
    w = _np(w)
    assert np.all(w[0, :, :, 3:] == 0.0)                               # padding
    assert np.all(w[1][:, np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] == 0.0)   # causal
    with raises_message(ValueError, "norm_first must be True (pre-LayerNorm) or False (post-LayerNorm), got 'pre'"):
        T.TransformerBlock(8, 2, norm_first="pre")
