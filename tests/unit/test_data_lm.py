"""The language-model data pipeline (aigc_course.data.lm): token stream, fixed windows, seeded random windows."""

import numpy as np

from helpers import raises_message

from aigc_course.data import lm as LM
from aigc_course.models import transformer as T


class _Tok:
    bos_id, eos_id = 0, 1

    def encode(self, text, add_bos=False, add_eos=False):
        return [self.bos_id] * add_bos + [ord(c) - ord("a") + 2 for c in text] + [self.eos_id] * add_eos


def test_encode_texts_and_windows():
    stream = LM.encode_texts(["ab", "c"], _Tok())
    assert stream.tolist() == [0, 2, 3, 1, 0, 4, 1] and stream.dtype == np.int32
    x, y = LM.lm_windows(stream, 3, stride=2)
    assert x.tolist() == [[0, 2, 3], [3, 1, 0]] and y.tolist() == [[2, 3, 1], [1, 0, 4]]
    with raises_message(ValueError, "stream has 7 tokens; windows of seq_len=7 need at least 8"):
        LM.lm_windows(stream, 7)
    with raises_message(TypeError, "texts must be a list of strings (or Poem objects), not one string"):
        LM.encode_texts("ab", _Tok())


def test_window_dataset_is_seeded_and_shifted():
    stream = np.arange(100, dtype="int32")
    ds = LM.WindowDataset(stream, seq_len=8, batch_size=4, steps=3, seed=5)
    assert len(ds) == 3
    x, y = ds[1]
    assert x.shape == (4, 8) and np.array_equal(y, x + 1)
    again = LM.WindowDataset(stream, seq_len=8, batch_size=4, steps=3, seed=5)[1][0]
    assert np.array_equal(x, again)
    ds.on_epoch_end()
    assert not np.array_equal(ds[1][0], x)  # a new epoch draws new windows
    with raises_message(ValueError, "steps must be a positive int, got 0"):
        LM.WindowDataset(stream, seq_len=8, batch_size=4, steps=0)


def test_the_old_import_path_still_works():
    assert T.encode_texts is LM.encode_texts and T.lm_windows is LM.lm_windows
    assert T.WindowDataset is LM.WindowDataset


def test_window_dataset_can_start_every_window_at_a_token():
    stream = LM.encode_texts(["abcd", "ab", "abcdab", "c"], _Tok())     # <bos>=0 at 0, 6, 10, 18
    ds = LM.WindowDataset(stream, seq_len=5, batch_size=16, steps=2, seed=1, start_token=0)
    x, y = ds[0]
    assert np.all(x[:, 0] == 0) and np.array_equal(x[:, 1:], y[:, :-1])
    assert set(ds.starts.tolist()) == {0, 6, 10}            # 18 is too late for a full window
    assert len({tuple(r) for r in x}) > 1
    with raises_message(ValueError, "no window of seq_len=5 can start at token 9: it does not occur early enough "
                                    "in the stream; use a longer stream or start_token=None"):
        LM.WindowDataset(stream, seq_len=5, batch_size=2, steps=1, start_token=9)


def test_validation_windows_can_start_at_each_text():
    stream = LM.encode_texts(["abcd", "ab", "abcdab", "c"], _Tok())     # <bos>=0 at 0, 6, 10, 18
    x, y = LM.lm_windows(stream, 5, start_token=0)
    assert x[:, 0].tolist() == [0, 0, 0] and x[1].tolist() == stream[6:11].tolist()
    assert np.array_equal(y, np.stack([stream[i + 1:i + 6] for i in (0, 6, 10)]))
    with raises_message(ValueError, "give stride or start_token, not both: windows start every stride tokens or at "
                                    "each start_token"):
        LM.lm_windows(stream, 5, stride=2, start_token=0)
