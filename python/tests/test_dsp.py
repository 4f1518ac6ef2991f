"""stft/istft/griffinlim/mel/power_to_db: librosa's shapes and conventions, against numpy twins."""
import numpy as np
import pytest

import audiostyle as au


def _np_stft(y, n_fft, hop, pad_mode):
    """A numpy twin: periodic Hann, centred padding, rfft per frame (librosa's definition)."""
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    yp = np.pad(y.astype(np.float64), n_fft // 2, mode=pad_mode)
    T = 1 + (yp.size - n_fft) // hop
    frames = np.stack([yp[t * hop: t * hop + n_fft] * w for t in range(T)], axis=1)
    return np.fft.rfft(frames, axis=0)


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_stft_matches_numpy(rock, pad_mode):
    y = rock[:22050]
    D = au.stft(y, pad_mode=pad_mode)
    assert D.dtype == np.complex64 and D.shape == (1025, 1 + y.size // 512) and D.flags.c_contiguous
    ref = _np_stft(y, 2048, 512, pad_mode)
    assert np.max(np.abs(D - ref)) <= 1e-4 * np.max(np.abs(ref))


def test_stft_shapes_and_options(rock):
    y = rock[:10000]
    assert au.stft(y, n_fft=512).shape == (257, 1 + 10000 // 128)
    assert au.stft(y, n_fft=1024, hop_length=256, center=False).shape == (513, 1 + (10000 - 1024) // 256)
    with pytest.raises(ValueError):
        au.stft(y, window="hamming")
    with pytest.raises(ValueError):
        au.stft(y, pad_mode="edge")


def test_inputs_converted_or_refused(rock):
    y = rock[:20000]
    ref = au.stft(y)
    np.testing.assert_array_equal(au.stft(y.astype(np.float64)), ref)   # float64: converted
    big = np.repeat(y, 2)
    np.testing.assert_array_equal(au.stft(big[::2]), ref)               # strided: converted
    np.testing.assert_array_equal(au.stft(list(y[:3000])), au.stft(y[:3000]))
    with pytest.raises(TypeError, match="complex"):
        au.stft(y.astype(np.complex64))
    with pytest.raises(ValueError, match="mono"):
        au.stft(np.stack([y, y]))
    with pytest.raises(TypeError):
        au.stft(np.array(["a", "b"]))


def test_istft_inverts_stft(rock):
    y = rock[:30000]
    D = au.stft(y)
    back = au.istft(D, length=y.size)
    assert back.dtype == np.float32 and back.shape == y.shape
    assert np.max(np.abs(back - y)) < 1e-5
    assert au.istft(D).size == 512 * (D.shape[1] - 1)
    np.testing.assert_array_equal(au.istft(D.astype(np.complex128), length=y.size), back)


def test_griffinlim_reconstructs_and_is_deterministic(rock):
    y = rock[:22050]
    S = np.abs(au.stft(y, pad_mode="reflect"))
    a = au.griffinlim(S, n_iter=16, random_state=1, length=y.size)
    b = au.griffinlim(S, n_iter=16, random_state=1, length=y.size, threads=1)
    assert a.dtype == np.float32 and a.shape == y.shape
    np.testing.assert_array_equal(a, b)
    sc = np.linalg.norm(np.abs(au.stft(a, pad_mode="reflect")) - S) / np.linalg.norm(S)
    assert sc < 0.5
    assert not np.array_equal(a, au.griffinlim(S, n_iter=16, random_state=2, length=y.size))
    assert au.griffinlim(S, n_iter=2, init=None).size == 512 * (S.shape[1] - 1)


def test_mel_filters_and_melspectrogram(rock):
    M = au.mel_filters()
    assert M.shape == (128, 1025) and M.dtype == np.float32
    y = rock[:22050]
    mel = au.melspectrogram(y=y)
    assert mel.shape == (128, 1 + y.size // 512) and mel.dtype == np.float32
    P = np.abs(au.stft(y)) ** 2
    np.testing.assert_allclose(mel, M @ P, rtol=1e-5, atol=1e-6 * mel.max())
    np.testing.assert_allclose(au.melspectrogram(S=P), mel, rtol=1e-6)
    assert au.melspectrogram(y=y, n_mels=40, fmax=8000).shape[0] == 40


def test_power_to_db_matches_numpy():
    rng = np.random.default_rng(0)
    S = (rng.random((5, 7)) ** 8).astype(np.float32)
    S[0, 0] = 0
    ref = 10 * np.log10(np.maximum(1e-10, S.astype(np.float64)))
    ref = np.maximum(ref, ref.max() - 80)
    got = au.power_to_db(S)
    assert got.shape == S.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, ref, atol=1e-3)
    r2 = 10 * np.log10(np.maximum(1e-10, S.astype(np.float64)) / S.max())
    np.testing.assert_allclose(au.power_to_db(S, ref=np.max, top_db=None), r2, atol=1e-3)
