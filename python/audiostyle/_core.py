"""Errors and array plumbing shared by the modules."""
import numpy as np

from ._ffi import ffi, get_lib

SAMPLE_RATE = 22050

STATUS_NAMES = {
    0: "AS_OK", -1: "AS_ERR_NOMEM", -2: "AS_ERR_ARG", -3: "AS_ERR_IO", -4: "AS_ERR_FORMAT",
    -5: "AS_ERR_UNSUPPORTED", -6: "AS_ERR_NUMERIC", -7: "AS_ERR_OPTIM", -8: "AS_ERR_EMPTY",
    -9: "AS_ERR_TOO_LONG", -10: "AS_ERR_CANCELLED", -11: "AS_ERR_SCHEMA", -12: "AS_ERR_MEMLIMIT",
    -13: "AS_ERR_INTERNAL",
}


class Error(RuntimeError):
    """An error reported by libaudiostyle.

    Attributes
    ----------
    status : int
        The library's status code (negative, stable; see ``as_status`` in audiostyle.h).
    code : str
        Its name, e.g. ``"AS_ERR_IO"``.
    message : str
        The library's one-line message, naming the file when a file was involved.
    hint : str
        What to do about it ("" when the library has nothing to suggest).
    path : str or None
        The file the call was about, when there was one.
    """

    def __init__(self, status, message, hint="", path=None):
        self.status = int(status)
        self.code = STATUS_NAMES.get(self.status, "AS_ERR_%d" % -self.status)
        self.message = message
        self.hint = hint
        self.path = path
        text = message + ("\nhint: " + hint if hint else "")
        super().__init__(text)


def _str(p):
    return ffi.string(p).decode("utf-8", "replace") if p != ffi.NULL else ""


def check(status, err=None, path=None, what=None):
    """Raises Error for a non-zero status, with the message of err (an as_error *) if any."""
    if status == 0:
        return
    lib = get_lib()
    msg = _str(err.msg) if err is not None else ""
    hint = _str(err.hint) if err is not None else ""
    if not msg:
        msg = _str(lib.as_strerror(status))
        subject = path or what
        if subject:
            msg = "%s: %s" % (subject, msg)
    raise Error(status, msg, hint, path)


def new_err():
    return ffi.new("as_error *")


def as_signal_array(y, name="y"):
    """y as a 1-D C-contiguous float32 array (converted when it is another real dtype or not
    contiguous; refused clearly when it cannot be a mono signal)."""
    a = np.asarray(y)
    if a.dtype.kind == "c":
        raise TypeError("%s: a complex array is not a signal (take np.abs or np.real first)" % name)
    if a.dtype.kind not in "fiub":
        raise TypeError("%s: expected a real numeric array, got dtype %s" % (name, a.dtype))
    if a.ndim != 1:
        raise ValueError("%s: expected a mono signal (1-D array), got shape %s; downmix with "
                         "y.mean(axis=0) or load it with audiostyle.load" % (name, a.shape))
    if a.dtype != np.float32 or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=np.float32)
    return a


def as_float32(a, ndim, name):
    """a as a C-contiguous float32 array of ndim dimensions."""
    a = np.asarray(a)
    if a.dtype.kind == "c":
        raise TypeError("%s: expected a real array, got %s" % (name, a.dtype))
    if a.ndim != ndim:
        raise ValueError("%s: expected a %d-D array, got shape %s" % (name, ndim, a.shape))
    if a.dtype != np.float32 or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=np.float32)
    return a


def fptr(a, ctype="float *"):
    """A pointer into the memory of a numpy array (no copy); keep a alive while it is used."""
    return ffi.cast(ctype, ffi.from_buffer(a))


def take_signal(sig):
    """A numpy view of an as_signal's data that frees the C buffer when the array dies."""
    lib = get_lib()
    n = int(sig.n)
    if n == 0 or sig.data == ffi.NULL:
        lib.as_signal_free(sig)
        return np.zeros(0, dtype=np.float32)
    owned = ffi.gc(sig.data, lib.free)
    sig.data = ffi.NULL
    arr = np.frombuffer(ffi.buffer(owned, 4 * n), dtype=np.float32)
    return arr
