"""The 57 GTZAN features and the genre model."""
import os
import threading

import numpy as np

from ._audio import _as_signal_or_path, _path, load
from ._core import _str, check, fptr, new_err
from ._ffi import ffi, get_lib

_local = threading.local()


def _workspace():
    """This thread's as_features (a workspace is not shareable between threads)."""
    fx = getattr(_local, "fx", None)
    if fx is None:
        lib = get_lib()
        st = ffi.new("int *")
        p = lib.as_features_create(st)
        if p == ffi.NULL:
            check(st[0] or -1, what="features")
        fx = _local.fx = ffi.gc(p, lib.as_features_destroy)
    return fx


def feature_names():
    """The 57 column names of the Kaggle GTZAN CSV, in its order."""
    lib = get_lib()
    return [_str(lib.as_features_column(i)) for i in range(lib.as_features_count())]


def _compute(a):
    lib = get_lib()
    out = np.empty(lib.as_features_count(), dtype=np.float64)
    check(lib.as_features_compute(_workspace(), fptr(a), a.size, fptr(out, "double *")),
          what="features of a %d-sample signal" % a.size)
    return out


def features(y):
    """The 57 GTZAN features of a signal, as librosa 0.7.2 and the Kaggle CSV compute them.

    Parameters
    ----------
    y : np.ndarray, shape (n,), or a path
        Mono 22050 Hz signal of more than 1024 samples (a whole clip or one 3-s segment).

    Returns
    -------
    dict
        column name -> float, in the CSV's column order (``chroma_stft_mean`` ...
        ``mfcc20_var``); ``audiostyle features`` writes the same numbers.
    """
    a = _as_signal_or_path(y, "y")
    return dict(zip(feature_names(), _compute(a).tolist()))


def tempo(y):
    """The tempo in BPM (``librosa.beat.beat_track(y)[0]``; 0 when there are no onsets)."""
    lib = get_lib()
    a = _as_signal_or_path(y, "y")
    bpm = ffi.new("double *")
    check(lib.as_features_tempo(_workspace(), fptr(a), a.size, bpm), what="tempo")
    return float(bpm[0])


def _gtzan_label(path):
    parts = os.path.normpath(os.fspath(path)).split(os.sep)
    if len(parts) < 2:
        return ""
    parent, base = parts[-2], parts[-1]
    if base.startswith(parent + ".") or (len(parts) >= 3 and parts[-3] == "genres_original"):
        return parent
    return ""


def _seg_name(base, k):
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return "%s.%d" % (base, k)
    return "%s.%d.%s" % (stem, k, ext)


def _table_rows(path, segments, names):
    lib = get_lib()
    y = load(path)
    base = os.path.basename(os.fspath(path))
    label = _gtzan_label(path)
    pieces = []
    if segments:
        hop, ln = ffi.new("int64_t *"), ffi.new("int64_t *")
        k_n = lib.as_features_segments(y.size, int(segments), hop, ln)
        if k_n == 0:
            raise ValueError("%s: shorter than one %d-s segment" % (path, segments))
        for k in range(k_n):
            pieces.append((_seg_name(base, k), y[k * hop[0]: k * hop[0] + ln[0]]))
    else:
        pieces.append((base, y))
    rows = []
    for name, seg in pieces:
        row = {"filename": name, "length": int(seg.size)}
        row.update(zip(names, _compute(np.ascontiguousarray(seg)).tolist()))
        row["label"] = label
        rows.append(row)
    return rows


def features_table(paths, segments=None, jobs=1):
    """The features CSV of ``audiostyle features`` as a table.

    Parameters
    ----------
    paths : str or list of str
        Files (folders are walked recursively for audio files, in sorted order).
    segments : int, optional
        One row per complete ``segments``-second segment (3: features_3_sec.csv).
    jobs : int
        Files processed at once (threads; the library releases the GIL).

    Returns
    -------
    pandas.DataFrame or list of dict
        Columns filename, length, the 57 features, label (the genre folder of GTZAN-style
        trees, else ""). A DataFrame when pandas is installed.
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    exts = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".au", ".aiff", ".aif", ".caf", ".w64",
            ".m4a", ".m4b", ".aac", ".wma", ".mka", ".webm", ".mp4", ".mov", ".mkv", ".avi", ".wmv",
            ".asf", ".3gp")  # as src/cli/walk.c
    files = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = []
            for root, dirs, fs in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found += [os.path.join(root, f) for f in fs
                          if not f.startswith(".") and f.lower().endswith(exts)]
            files += sorted(found)
        else:
            files.append(p)
    names = feature_names()
    if jobs and jobs > 1 and len(files) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=int(jobs)) as ex:
            parts = list(ex.map(lambda f: _table_rows(f, segments, names), files))
    else:
        parts = [_table_rows(f, segments, names) for f in files]
    rows = [r for part in parts for r in part]
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows, columns=["filename", "length"] + names + ["label"])


class Model:
    """A genre model: the built-in GTZAN one, a file from ``audiostyle train``, or trained here.

    A model is read-only once made: several threads may classify with it at once.
    """

    def __init__(self, ptr):
        lib = get_lib()
        self._p = ffi.gc(ptr, lib.as_genre_destroy)

    @classmethod
    def default(cls):
        """The model built into the library (cached)."""
        global _default
        if _default is None:
            with _default_lock:
                if _default is None:
                    lib = get_lib()
                    out = ffi.new("as_genre_model **")
                    err = new_err()
                    check(lib.as_genre_load_default(out, err), err, what="built-in model")
                    _default = cls(out[0])
        return _default

    @classmethod
    def load(cls, path):
        """A model file written by ``audiostyle train`` or :meth:`save`."""
        lib = get_lib()
        out = ffi.new("as_genre_model **")
        err = new_err()
        check(lib.as_genre_load(_path(path), out, err), err, path=os.fspath(path))
        return cls(out[0])

    @classmethod
    def train(cls, csv_path, preset=None, *, epochs=None, seed=0, members=None,
              patience=None, batch_size=None, lr=None, weight_decay=None, dropout=None,
              valid_fraction=None, log_var=True, progress=None):
        """Train on a features CSV (Kaggle schema), as ``audiostyle train`` does.

        Parameters
        ----------
        csv_path : str
            ``features_30_sec.csv``-like table (e.g. from :func:`features_table` written with
            pandas, or ``audiostyle features``).
        preset : {"logreg", "mlp-small", "mlp", "mlp-large", None}
            The model type; None (as ``audiostyle train`` without --model-type) keeps the
            built-in model's recipe. Unset options take the recipe's values
            (``as_genre_train_defaults``).
        progress : callable, optional
            ``progress(member, epoch, max_epochs, train_loss, valid_loss)``; return False to stop.

        Returns
        -------
        Model
        """
        lib = get_lib()
        o = ffi.new("as_genre_train_opts *")
        lib.as_genre_train_defaults(o)
        if preset is not None:
            t = lib.as_genre_type_parse(preset.encode())
            if t < 0:
                raise ValueError("preset must be logreg, mlp-small, mlp or mlp-large (got %r)"
                                 % (preset,))
            if t != o.type and dropout is None:
                o.dropout = -1
            o.type = t
        for name, v in (("epochs", epochs), ("members", members), ("patience", patience),
                        ("batch_size", batch_size)):
            if v is not None:
                setattr(o, name, int(v))
        for name, v in (("lr", lr), ("weight_decay", weight_decay), ("dropout", dropout),
                        ("valid_fraction", valid_fraction)):
            if v is not None:
                setattr(o, name, float(v))
        o.seed = int(seed)
        o.log_var = 1 if log_var else 0
        box = {}
        cb_keep = None  # the callback must outlive the C call: a struct field holds no reference
        if progress is not None:
            def cb(user, member, epoch, max_epochs, tl, vl):
                return 0 if progress(member, epoch, max_epochs, tl, vl) is not False else 1

            def onerror(exc_type, exc, tb):  # kept, the run cancelled, re-raised after C
                box.setdefault("exc", exc)
                return 1
            cb_keep = ffi.callback("int(void *, int, int, int, double, double)", cb, error=1,
                                   onerror=onerror)
            o.progress = cb_keep
        d = ffi.new("as_genre_dataset *")
        err = new_err()
        try:
            check(lib.as_genre_dataset_load_csv(_path(csv_path), d, err), err,
                  path=os.fspath(csv_path))
            out = ffi.new("as_genre_model **")
            st = lib.as_genre_train(d, ffi.NULL, o, out, err)
        finally:
            lib.as_genre_dataset_free(d)
            del cb_keep
        if "exc" in box:
            raise box["exc"]
        check(st, err, path=os.fspath(csv_path))
        return cls(out[0])

    def save(self, path):
        """Write the model file atomically."""
        err = new_err()
        check(get_lib().as_genre_save(self._p, _path(path), err), err, path=os.fspath(path))

    @property
    def labels(self):
        """Genre names, in the model's class order."""
        lib = get_lib()
        return [_str(lib.as_genre_label(self._p, k)) for k in range(lib.as_genre_n_classes(self._p))]

    @property
    def type(self):
        """"logreg", "mlp-small", "mlp" or "mlp-large"."""
        lib = get_lib()
        return _str(lib.as_genre_type_name(lib.as_genre_type(self._p)))

    @property
    def segment_length(self):
        """Samples per classified window: 0 for whole 30-s clips, 66149 for 3-s rows."""
        return int(get_lib().as_genre_segment_length(self._p))

    def predict(self, features):
        """Class probabilities of one row of the 57 features (a dict or a (57,) array)."""
        lib = get_lib()
        if isinstance(features, dict):
            features = [features[k] for k in feature_names()]
        x = np.ascontiguousarray(features, dtype=np.float64)
        if x.shape != (lib.as_features_count(),):
            raise ValueError("expected the 57 features, got shape %s" % (x.shape,))
        p = np.empty(lib.as_genre_n_classes(self._p), dtype=np.float64)
        check(lib.as_genre_predict(self._p, fptr(x, "double *"), fptr(p, "double *")),
              what="predict")
        return dict(zip(self.labels, p.tolist()))

    def probabilities(self, y):
        """(n_classes,) probabilities of a whole signal, averaged over the model's windows."""
        lib = get_lib()
        a = _as_signal_or_path(y, "y")
        p = np.empty(lib.as_genre_n_classes(self._p), dtype=np.float64)
        check(lib.as_genre_classify_signal(self._p, _workspace(), fptr(a), a.size,
                                           fptr(p, "double *")),
              what="classify a %d-sample signal" % a.size)
        return p

    def classify(self, y, top=None):
        """See :func:`audiostyle.classify`."""
        p = self.probabilities(y)
        order = sorted(range(p.size), key=lambda k: (-p[k], k))  # ties to the lower index
        if top is not None:
            order = order[: int(top)]
        labels = self.labels
        return {labels[k]: float(p[k]) for k in order}

    def __repr__(self):
        return "<audiostyle.Model %s, %d genres>" % (self.type, len(self.labels))


_default = None
_default_lock = threading.Lock()


def classify(y, model=None, top=None):
    """The genres of a signal, as ``audiostyle classify --json`` reports them.

    Parameters
    ----------
    y : np.ndarray, shape (n,), or a path
        Mono 22050 Hz signal of any length (long ones are averaged over 30-s windows).
    model : Model or str, optional
        The built-in GTZAN model by default; a path loads a model file.
    top : int, optional
        Only the ``top`` most probable genres.

    Returns
    -------
    dict
        genre -> probability, most probable first.
    """
    if model is None:
        model = Model.default()
    elif not isinstance(model, Model):
        model = Model.load(model)
    return model.classify(y, top=top)
