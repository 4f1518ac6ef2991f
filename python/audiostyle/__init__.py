"""audiostyle: spectrogram style transfer and GTZAN genres, numpy in and numpy out.

A thin binding (cffi, ABI mode) over libaudiostyle: the same numbers as the `audiostyle`
program. Signals are mono float32 numpy arrays at 22050 Hz (``SAMPLE_RATE``); spectrograms are
(frequency, time) arrays as in librosa.

    >>> import audiostyle as au
    >>> y = au.load("examples/rock_sectoid_feelings.flac")
    >>> au.classify(y, top=3)
    >>> t = au.transfer(y, au.load("examples/techno_torustrooper_tt1.flac"), iterations=20)
    >>> t            # in Jupyter: players and the spectrograms

Errors from the library raise ``audiostyle.Error`` (a RuntimeError with ``status``, ``code``,
``message``, ``hint`` and ``path``). Long calls release the GIL; calls from several Python
threads at once are safe.
"""
from ._audio import info, load, save
from ._core import SAMPLE_RATE, Error
from ._dsp import griffinlim, istft, mel_filters, melspectrogram, power_to_db, stft
from ._features import Model, classify, feature_names, features, features_table, tempo
from ._style import OPTIONS as TRANSFER_OPTIONS
from ._style import Transfer, config, quality, report, spectrogram_png, transfer

__version__ = "0.1.0"


def library_version():
    """The version string of the libaudiostyle actually loaded."""
    from ._ffi import ffi, get_lib
    return ffi.string(get_lib().as_version()).decode()


def library_path():
    """The file libaudiostyle was loaded from."""
    from . import _ffi
    _ffi.get_lib()
    return _ffi.lib_path


__all__ = ["SAMPLE_RATE", "Error", "Model", "TRANSFER_OPTIONS", "Transfer", "classify", "config",
           "feature_names", "features", "features_table", "griffinlim", "info", "istft",
           "library_path", "library_version", "load", "mel_filters", "melspectrogram",
           "power_to_db", "quality", "report", "save", "spectrogram_png", "stft", "tempo",
           "transfer"]
