"""The librosa primitives: stft, istft, griffinlim, mel filters, melspectrogram, power_to_db."""
import threading

import numpy as np

from ._core import SAMPLE_RATE, as_float32, as_signal_array, check, fptr
from ._ffi import ffi, get_lib

_stfts = {}
_stft_lock = threading.Lock()


def _stft_obj(n_fft, hop):
    """A shared as_stft for (n_fft, hop): const after creation, safe across threads."""
    key = (int(n_fft), int(hop))
    s = _stfts.get(key)
    if s is None:
        with _stft_lock:
            s = _stfts.get(key)
            if s is None:
                lib = get_lib()
                if n_fft < 2 or n_fft % 2 or hop < 1:
                    raise ValueError("n_fft must be even and >= 2, hop_length >= 1 (got %d, %d)"
                                     % key)
                st = ffi.new("int *")
                p = lib.as_stft_create(key[0], key[1], st)
                check(st[0] if p == ffi.NULL else 0, what="stft(n_fft=%d, hop_length=%d)" % key)
                s = ffi.gc(p, lib.as_stft_destroy)
                _stfts[key] = s
    return s


_PAD = {"reflect": 0, "constant": 1}


def _window_check(win_length, n_fft, window):
    if window not in ("hann", "hanning"):
        raise ValueError("only window='hann' (periodic, librosa's default) is supported")
    if win_length is not None and win_length != n_fft:
        raise ValueError("win_length must equal n_fft (the library's window is n_fft long)")


def stft(y, n_fft=2048, hop_length=None, win_length=None, window="hann", center=True,
         pad_mode="constant"):
    """Short-time Fourier transform, ``librosa.stft`` with a periodic Hann window.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono signal (float32; other real dtypes are converted).
    n_fft : int
        FFT size (even).
    hop_length : int, optional
        Hop in samples; ``n_fft // 4`` by default.
    win_length, window
        Accepted for librosa compatibility; only the default (a Hann window of n_fft) exists.
    center : bool
        Pad by n_fft // 2 on both sides so frame t is centred on sample t * hop_length.
    pad_mode : {"constant", "reflect"}
        The centre padding (librosa >= 0.10 defaults to "constant", 0.7.2 to "reflect").

    Returns
    -------
    D : np.ndarray, complex64, shape (1 + n_fft // 2, n_frames)
    """
    lib = get_lib()
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    _window_check(win_length, n_fft, window)
    if pad_mode not in _PAD:
        raise ValueError("pad_mode must be 'constant' or 'reflect' (got %r)" % (pad_mode,))
    a = as_signal_array(y)
    s = _stft_obj(n_fft, hop)
    F = lib.as_stft_bins(s)
    T = lib.as_stft_frames(s, a.size, 1 if center else 0)
    D = np.empty((F, T), dtype=np.complex64)
    if T == 0:
        return D
    check(lib.as_stft_forward(s, fptr(a), a.size, 1 if center else 0, _PAD[pad_mode],
                              fptr(D)), what="stft")
    return D


def _complex_spec(D, name):
    D = np.asarray(D)
    if D.ndim != 2:
        raise ValueError("%s: expected a (1 + n_fft // 2, T) array, got shape %s" % (name, D.shape))
    if D.dtype != np.complex64 or not D.flags.c_contiguous:
        D = np.ascontiguousarray(D, dtype=np.complex64)
    return D


def istft(stft_matrix, hop_length=None, win_length=None, n_fft=None, window="hann", center=True,
          length=None):
    """Inverse STFT by window-sum normalised overlap-add, ``librosa.istft``.

    Parameters
    ----------
    stft_matrix : np.ndarray, complex, shape (1 + n_fft // 2, T)
    hop_length : int, optional
        ``n_fft // 4`` by default.
    n_fft : int, optional
        ``2 * (rows - 1)`` by default.
    center : bool
        Only True (the centre padding is removed) is supported.
    length : int, optional
        Exactly this many samples (zero-padded at the end); otherwise ``hop * (T - 1)``.

    Returns
    -------
    y : np.ndarray, float32
    """
    lib = get_lib()
    D = _complex_spec(stft_matrix, "stft_matrix")
    F, T = D.shape
    n_fft = 2 * (F - 1) if n_fft is None else int(n_fft)
    if n_fft // 2 + 1 != F:
        raise ValueError("stft_matrix has %d rows, n_fft=%d needs %d" % (F, n_fft, n_fft // 2 + 1))
    _window_check(win_length, n_fft, window)
    if not center:
        raise ValueError("only center=True is supported")
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    s = _stft_obj(n_fft, hop)
    L = -1 if length is None else int(length)
    y = np.empty(lib.as_istft_length(s, T, L), dtype=np.float32)
    nout = ffi.new("int64_t *")
    check(lib.as_istft(s, fptr(D), T, L, fptr(y), nout), what="istft")
    return y[: nout[0]]


_GL_INIT = {"random": 0, None: 1, "ones": 1}


def griffinlim(S, n_iter=32, hop_length=None, win_length=None, n_fft=None, window="hann",
               center=True, length=None, pad_mode="reflect", momentum=0.99, init="random",
               random_state=None, threads=None):
    """Fast Griffin-Lim phase reconstruction, ``librosa.griffinlim``.

    Parameters
    ----------
    S : np.ndarray, shape (1 + n_fft // 2, T)
        Magnitude spectrogram (float32; other real dtypes converted).
    n_iter : int
        Iterations (32).
    hop_length, n_fft, length
        As for :func:`istft`.
    pad_mode : {"reflect"}
        The library's Griffin-Lim uses librosa's default reflect padding only.
    momentum : float
        Fast Griffin-Lim's momentum (0.99; 0 is the classic algorithm).
    init : {"random", None}
        Random initial phase, or None for zero phase (librosa's ``init=None``).
    random_state : int, optional
        Seed of the random phase. Unlike librosa, None means seed 0 (the result is always
        reproducible); pass different seeds for different draws.
    threads : int, optional
        Worker threads over frames (all cores by default); the result does not depend on it.

    Returns
    -------
    y : np.ndarray, float32
    """
    lib = get_lib()
    S = as_float32(S, 2, "S")
    F, T = S.shape
    n_fft = 2 * (F - 1) if n_fft is None else int(n_fft)
    if n_fft // 2 + 1 != F:
        raise ValueError("S has %d rows, n_fft=%d needs %d" % (F, n_fft, n_fft // 2 + 1))
    _window_check(win_length, n_fft, window)
    if not center or pad_mode != "reflect":
        raise ValueError("only center=True with pad_mode='reflect' is supported")
    if init not in _GL_INIT:
        raise ValueError("init must be 'random' or None (got %r)" % (init,))
    if random_state is not None and not isinstance(random_state, (int, np.integer)):
        raise TypeError("random_state must be an int seed (or None for 0)")
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    s = _stft_obj(n_fft, hop)
    o = ffi.new("as_gl_opts *")
    o.n_iter = int(n_iter)
    if o.n_iter < 1:
        raise ValueError("n_iter must be >= 1")
    o.momentum = float(momentum)
    o.init = _GL_INIT[init]
    o.seed = 0 if random_state is None else int(random_state)
    o.length = -1 if length is None else int(length)
    o.threads = 0 if threads is None else int(threads)
    y = np.empty(lib.as_istft_length(s, T, o.length), dtype=np.float32)
    check(lib.as_griffinlim(s, fptr(S), T, o, fptr(y), ffi.NULL), what="griffinlim")
    return y


def mel_filters(sr=SAMPLE_RATE, n_fft=2048, n_mels=128, fmin=0.0, fmax=None):
    """Slaney mel filterbank, area normalised: ``librosa.filters.mel`` (htk=False, norm=1).

    Returns
    -------
    M : np.ndarray, float32, shape (n_mels, 1 + n_fft // 2)
    """
    lib = get_lib()
    M = np.empty((int(n_mels), int(n_fft) // 2 + 1), dtype=np.float32)
    check(lib.as_mel_filterbank(fptr(M), int(sr), int(n_fft), int(n_mels), float(fmin),
                                0.0 if fmax is None else float(fmax)), what="mel_filters")
    return M


def melspectrogram(y=None, sr=SAMPLE_RATE, S=None, n_fft=2048, hop_length=512, power=2.0,
                   n_mels=128, fmin=0.0, fmax=None, center=True, pad_mode="constant"):
    """Mel-scaled spectrogram, ``librosa.feature.melspectrogram``.

    Parameters
    ----------
    y : np.ndarray, optional
        Mono signal; or give ``S``.
    S : np.ndarray, optional
        A (1 + n_fft // 2, T) power (or magnitude, with ``power``) spectrogram, used as is.
    power : float
        Exponent of the magnitude (2: power, 1: energy).

    Returns
    -------
    M : np.ndarray, float32, shape (n_mels, T)
    """
    if S is None:
        if y is None:
            raise ValueError("give y or S")
        S = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, center=center, pad_mode=pad_mode))
        S = S ** power if power != 1 else S
    else:
        S = as_float32(S, 2, "S")
        n_fft = 2 * (S.shape[0] - 1)
    M = mel_filters(sr, n_fft, n_mels, fmin, fmax)
    return np.asarray(M @ S.astype(np.float32, copy=False), dtype=np.float32)


def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    """``10 log10(max(amin, S) / ref)``, floored at ``max - top_db``: ``librosa.power_to_db``.

    Parameters
    ----------
    S : np.ndarray
        Power values, any shape.
    ref : float or callable
        Reference power; a callable (e.g. ``np.max``) is applied to S.
    amin : float
    top_db : float or None
        None: no floor.

    Returns
    -------
    np.ndarray, float32, S's shape
    """
    lib = get_lib()
    a = np.asarray(S)
    if a.dtype.kind == "c":
        raise TypeError("power_to_db: S is complex; pass np.abs(D) ** 2")
    a = np.ascontiguousarray(a, dtype=np.float32)
    if callable(ref):
        ref = float(ref(a))
    if amin <= 0:
        raise ValueError("amin must be > 0")
    out = np.empty_like(a)
    lib.as_power_to_db(fptr(out), fptr(a), a.size, abs(float(ref)), float(amin),
                       0.0 if top_db is None else float(top_db))
    return out
