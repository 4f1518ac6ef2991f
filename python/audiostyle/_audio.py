"""Audio files: load, save, info."""
import os


from ._core import SAMPLE_RATE, Error, _str, as_signal_array, check, fptr, new_err, take_signal
from ._ffi import ffi, get_lib


def _path(path):
    return os.fsencode(os.fspath(path))


def load(path, offset=None, duration=None, sr=SAMPLE_RATE, max_duration=None):
    """Load an audio file as a mono float32 signal, as ``librosa.load`` does.

    Parameters
    ----------
    path : str or os.PathLike
        Any file libsndfile reads (WAV, FLAC, Ogg Vorbis, MP3, ...).
    offset : float, optional
        Start reading this many seconds in.
    duration : float, optional
        Read at most this many seconds.
    sr : int or None
        Target sample rate; 22050 (``audiostyle.SAMPLE_RATE``) by default, None keeps the
        file's own rate. Everything else in audiostyle expects 22050 Hz.
    max_duration : float, optional
        Refuse files longer than this many seconds (``Error`` with ``AS_ERR_TOO_LONG``).

    Returns
    -------
    y : np.ndarray, float32, shape (n,)
        Channels averaged, resampled with libsoxr's high quality (librosa's rules).

    Raises
    ------
    audiostyle.Error
        The file is missing, not audio, empty, ... (the message names the file).
    """
    lib = get_lib()
    opts = ffi.new("as_load_opts *")
    opts.sr = -1 if sr is None else int(sr)
    if sr is not None and sr <= 0:
        raise ValueError("sr must be a positive rate or None")
    if offset is not None:
        if offset < 0:
            raise ValueError("offset must be >= 0 seconds")
        opts.offset_s = float(offset)
    if duration is not None:
        if duration <= 0:
            raise ValueError("duration must be > 0 seconds")
        opts.duration_s = float(duration)
    if max_duration is not None:
        opts.max_duration_s = float(max_duration)
    sig = ffi.new("as_signal *")
    err = new_err()
    p = _path(path)
    check(lib.as_audio_load(p, opts, sig, err), err, path=os.fspath(path))
    return take_signal(sig)


_SUBTYPES = {None: 0, "PCM_16": 0, "FLOAT": 1}
_LEVELS = {"as-is": 0, "peak-limit": 1, "normalize": 2}


def save(path, y, subtype=None, *, sr=SAMPLE_RATE, level="as-is", ceiling_db=-1.0, bitrate=0):
    """Write a mono signal as WAV, FLAC, Ogg Vorbis, MP3 or Opus (by the extension), atomically.

    Parameters
    ----------
    path : str or os.PathLike
        ``.wav``, ``.flac``, ``.ogg``/``.oga``, ``.mp3`` or ``.opus``.
    y : np.ndarray, shape (n,)
        Samples, nominally in [-1, 1] (float64 and non-contiguous arrays are converted).
    subtype : {None, "PCM_16", "FLOAT"}
        soundfile's names: 16-bit PCM (default) or 32-bit float (WAV only; FLAC is always
        16-bit, Ogg always Vorbis).
    sr : int
        The sample rate written in the header.
    level : {"as-is", "peak-limit", "normalize"}
        "peak-limit" scales down only when the peak exceeds ``ceiling_db`` (what
        ``audiostyle transfer`` does), "normalize" scales the peak to ``ceiling_db``.
    ceiling_db : float
        Peak ceiling in dBFS (<= 0) for the two level modes.
    bitrate : int
        MP3 and Opus: constant bitrate in kbit/s; 0 = the default (MP3 160, the most MPEG-2
        Layer III allows at 22050 Hz, 8..160; Opus 96, 6..256). Ignored by the other formats.

    Raises
    ------
    audiostyle.Error
        A signal beyond full scale in a fixed-point file (never clipped), NaN samples, an
        unknown extension, an unwritable folder.
    """
    lib = get_lib()
    if subtype not in _SUBTYPES:
        raise ValueError("subtype must be None, 'PCM_16' or 'FLOAT' (got %r)" % (subtype,))
    if level not in _LEVELS:
        raise ValueError("level must be 'as-is', 'peak-limit' or 'normalize' (got %r)" % (level,))
    a = as_signal_array(y)
    opts = ffi.new("as_save_opts *")
    opts.sample_format = _SUBTYPES[subtype]
    opts.level = _LEVELS[level]
    opts.ceiling_db = float(ceiling_db)
    opts.bitrate_kbps = int(bitrate)
    err = new_err()
    check(lib.as_audio_save(_path(path), fptr(a), a.size, int(sr), opts, err), err,
          path=os.fspath(path))


def info(path):
    """What an audio file is and how loud, as ``audiostyle info --json`` prints it.

    Returns
    -------
    dict
        ``format``, ``subtype``, ``channels``, ``sample_rate``, ``samples`` (per channel),
        ``duration_s`` (of the decoded samples), ``peak_dbfs`` and ``rms_dbfs`` (all channels
        at the file's own rate; None for silence): the keys of ``audiostyle info --json``.
    """
    import math

    lib = get_lib()
    inf = ffi.new("as_audio_info *")
    lv = ffi.new("as_audio_levels *")
    err = new_err()
    p = _path(path)
    check(lib.as_audio_probe(p, inf, err), err, path=os.fspath(path))
    check(lib.as_audio_measure(p, inf, lv, err), err, path=os.fspath(path))
    db = lambda x: 20.0 * math.log10(x) if x > 0 else None  # noqa: E731
    return {
        "format": _str(inf.format),
        "subtype": _str(inf.subtype),
        "channels": int(inf.channels),
        "sample_rate": int(inf.sample_rate),
        "samples": int(lv.frames),
        "duration_s": int(lv.frames) / inf.sample_rate,
        "peak_dbfs": db(lv.peak),
        "rms_dbfs": db(lv.rms),
    }


def _as_signal_or_path(y, name):
    """An array, or a path loaded with load()."""
    if isinstance(y, (str, bytes, os.PathLike)):
        return load(y)
    return as_signal_array(y, name)


__all__ = ["load", "save", "info", "Error"]
