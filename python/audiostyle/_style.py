"""Style transfer, spectrogram pictures and the report."""
import base64
import io
import math
import os
import tempfile
import time
import wave

import numpy as np

from ._audio import _as_signal_or_path, _path, load
from ._core import SAMPLE_RATE, Error, as_float32, as_signal_array, check, fptr, new_err
from ._dsp import melspectrogram, stft
from ._features import Model
from ._ffi import ffi, get_lib

# transfer()'s keywords are read from the CLI's option table for `audiostyle transfer`
# (src/cli/opt.c), as `audiostyle options transfer --json` prints it: transfer_options.json, a
# snapshot that `make python-options` regenerates and tests/test_transfer.py checks against the
# program. Keyword = the long option with "-" -> "_"; the same ranges, choices and defaults.
def _table():
    import json
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transfer_options.json")
    with open(path, encoding="utf-8") as f:
        return {o["long"].replace("-", "_"): o for o in json.load(f)[0]["options"]}


TABLE = _table()
# where each configuration option goes in as_style_config (the table's offsets are the CLI's)
CONFIG_FIELDS = {
    "filters": "filters", "kernel_width": "kernel_width", "padding": "padding",
    "gram_divisor": "gram_divisor", "content_weight": "content_weight",
    "style_weight": "style_weight", "optimizer": "optimizer", "iterations": "iterations",
    "lbfgs_memory": "lbfgs_memory", "learning_rate": "learning_rate", "patience": "patience",
    "init": "init", "stop_decrease": "stop_decrease", "init_scale": "init_scale",
    "griffin_lim_iterations": "griffin_lim_iterations", "phase": "phase", "level": "level",
    "seed": "seed", "segment": "segment_seconds", "precision": "precision", "threads": "threads",
    "max_memory": "max_memory_mb",
    # the tonal-style candidates (docs/notes-tonal.md)
    "loss_norm": "loss_norm", "feature_mean_weight": "feature_mean_weight",
    "envelope_weight": "envelope_weight", "spread_weight": "spread_weight",
    "temporal_weight": "temporal_weight", "flatness_weight": "flatness_weight",
    "envelope_floor": "envelope_floor", "floor_quantile": "floor_quantile",
    "render_eq": "render_eq", "branch": "branch", "branch_filters": "branch_filters",
    "branch_kernel_width": "branch_kernel_width", "branch_bands": "branch_bands",
    "branch_weight": "branch_weight", "render_match": "render_match",
    "render_match_below": "render_match_below",
}
# options about the inputs (when content/style are paths)
LOAD_KEYWORDS = ("content_offset", "content_duration", "style_offset", "style_duration",
                 "max_duration")
# options about the CLI's files and terminal: no keyword (Transfer has .save, .spectrogram_png,
# .genres, and report() writes the journey report)
# (bitrate is the result file's: Transfer.save(path, bitrate=KBPS))
# (a killed program's checkpoint and --resume: the library's as_style_set_checkpoint and
# as_style_resume, not yet keywords)
CLI_ONLY = ("output", "picture", "no_picture", "report", "force", "genres", "no_genres", "quiet",
            "json", "save_on_interrupt", "bitrate", "checkpoint", "checkpoint_every", "no_checkpoint",
            "resume")
_KIND = {"int": int, "u64": int, "number": float, "choice": "choice"}


def _spec(kw):
    o = TABLE[kw]
    kind = _KIND[o["type"]]
    if kind == "choice":
        return (CONFIG_FIELDS.get(kw), "choice", tuple(o["choices"]))
    lo = o.get("min", 0)
    hi = o.get("max", 0)
    if o["type"] == "u64":
        lo, hi = 0, 2 ** 64 - 1
    return (CONFIG_FIELDS.get(kw), kind, lo, hi)


# keyword: (as_style_config field, kind, low, high) or (field, "choice", choices)
OPTIONS = {kw: _spec(kw) for kw in CONFIG_FIELDS}
LOAD_OPTIONS = {kw: _spec(kw)[2:] for kw in LOAD_KEYWORDS}


def config(preset=None, **options):
    """The transfer configuration of a preset with options applied, as a dict of
    keyword -> value (what :func:`transfer` would run; choices as their CLI names)."""
    cfg = _config(preset, options)
    out = {}
    for kw, spec in OPTIONS.items():
        v = getattr(cfg, spec[0])
        out[kw] = spec[2][v] if spec[1] == "choice" else v
    return out


def _config(preset, options):
    lib = get_lib()
    cfg = ffi.new("as_style_config *")
    p = lib.as_style_preset_from_name((preset or "default").encode())
    if p < 0:
        raise ValueError("preset must be 'default' or 'notebook' (got %r)" % (preset,))
    lib.as_style_config_preset(cfg, p)
    for kw, v in options.items():
        if v is None:
            continue
        spec = OPTIONS.get(kw)
        if spec is None:
            raise TypeError("transfer() got an unknown keyword %r (the options are those of "
                            "`audiostyle transfer --help` with - -> _)" % kw)
        field, kind = spec[0], spec[1]
        if kind == "choice":
            if v not in spec[2]:
                raise ValueError("%s must be one of %s (got %r)" % (kw, ", ".join(spec[2]), v))
            setattr(cfg, field, spec[2].index(v))
            continue
        if kind is int and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise TypeError("%s must be an integer (got %r)" % (kw, v))
        v = kind(v)
        if not (spec[2] <= v <= spec[3]):
            raise ValueError("%s must be in [%g, %g] (got %r)" % (kw, spec[2], spec[3], v))
        setattr(cfg, field, v)
    return cfg


def _wav_bytes(y, sr=SAMPLE_RATE):
    pcm = np.clip(np.round(np.asarray(y, dtype=np.float64) * 32768.0), -32768, 32767)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.astype("<i2").tobytes())
    return buf.getvalue()


def _audio_html(y, label):
    b64 = base64.b64encode(_wav_bytes(y)).decode()
    return ('<div><b>%s</b><br><audio controls src="data:audio/wav;base64,%s"></audio></div>'
            % (label, b64))


class Transfer:
    """The result of :func:`transfer`.

    Attributes
    ----------
    audio : np.ndarray, float32, shape (len(content),)
        The result as ``audiostyle transfer`` writes it (peak-limited to -1 dBFS, scaled down
        only if louder): ``save(path, t.audio)`` gives the CLI's file sample for sample.
    raw_audio : np.ndarray
        The library's output before that peak limit.
    content, style : np.ndarray
        The inputs.
    content_loss, style_loss : float
        Final losses.
    seconds : float
        Wall time of the run (setup, optimisation, Griffin-Lim).
    stats : dict
        The library's run statistics (iterations, evaluations, stop_reason, ...).
    stopped : bool
        True when a progress callback stopped the run (the result so far was rendered).
    genres : dict
        {"content", "style", "result"} -> genre probabilities (built-in model; computed on
        first access).
    quality : dict or None
        The five transfer-quality metrics of the result (first access), None when undefined.
    spectrograms : tuple of np.ndarray
        |X| (1025, T) of content, style and result.
    """

    def __init__(self, content, style, raw, audio, stats, spectrograms, seconds, stopped):
        self.content, self.style = content, style
        self.raw_audio, self.audio = raw, audio
        self.stats = stats
        self.content_loss = stats["content_loss"]
        self.style_loss = stats["style_loss"]
        self.seconds = seconds
        self.stopped = stopped
        self.spectrograms = spectrograms
        self._genres = None
        self._quality = False

    @property
    def genres(self):
        if self._genres is None:
            m = Model.default()
            self._genres = {k: m.classify(y) for k, y in
                            (("content", self.content), ("style", self.style),
                             ("result", self.audio))}
        return self._genres

    @property
    def quality(self):
        if self._quality is False:
            try:
                self._quality = quality(self.content, self.style, self.audio)
            except Error:
                self._quality = None
        return self._quality

    def save(self, path, subtype=None, bitrate=0):
        """Write the result as ``audiostyle transfer -o path [--bitrate KBPS]`` does (PCM16 or
        MP3/Opus at ``bitrate`` kbit/s, peak-limited to -1 dBFS)."""
        from ._audio import save
        save(path, self.raw_audio, subtype, level="peak-limit", ceiling_db=-1.0, bitrate=bitrate)

    def spectrogram_png(self, path=None, **options):
        """The CLI's picture: content, style and result spectrograms side by side."""
        options.setdefault("freq_scale", "log")
        options.setdefault("title", "audiostyle transfer")
        options.setdefault("titles", ["content", "style", "result"])
        return _plot(list(self.spectrograms), path, **options)

    def _repr_html_(self):
        png = base64.b64encode(self.spectrogram_png(width=1200)).decode()
        parts = [_audio_html(self.content, "content"), _audio_html(self.style, "style"),
                 _audio_html(self.audio, "result")]
        return ('<div><div style="display:flex;gap:1em">%s</div><img src="data:image/png;base64,%s"'
                ' style="max-width:100%%"><div>content loss %.4g, style loss %.4g, %.1f s, %s</div>'
                '</div>' % ("".join(parts), png, self.content_loss, self.style_loss, self.seconds,
                            self.stats["stop_reason"]))

    def __repr__(self):
        return ("<audiostyle.Transfer %.2f s of audio, content loss %.4g, style loss %.4g, %s>"
                % (self.audio.size / SAMPLE_RATE, self.content_loss, self.style_loss,
                   self.stats["stop_reason"]))


_STATS = ("iterations", "evaluations", "optimize_seconds", "targets_seconds", "evaluation_seconds",
          "seconds_per_evaluation", "griffin_lim_seconds", "content_loss", "style_loss",
          "initial_content_loss", "initial_style_loss", "spectral_convergence", "memory_mb",
          "level_gain_db", "segments", "style_flatness", "render_match")


def _load_input(x, name, offset, duration, max_duration):
    if isinstance(x, (str, bytes, os.PathLike)):
        return load(x, offset=offset, duration=duration,
                    max_duration=1200 if max_duration is None else max_duration)
    if offset is not None or duration is not None:
        raise ValueError("%s_offset/%s_duration apply to a path; slice the array instead"
                         % (name, name))
    return as_signal_array(x, name)


def transfer(content, style, *, preset=None, filters=None, iterations=None, seed=0,
             precision=None, progress=None, content_offset=None, content_duration=None,
             style_offset=None, style_duration=None, max_duration=None, **options):
    """Make ``content`` sound in the manner of ``style`` (spectrogram neural style transfer).

    The same run as ``audiostyle transfer CONTENT STYLE -o OUT``: the keywords are the CLI's
    long options with - replaced by _, read from its option table (transfer_options.json), with
    the same defaults (the preset's), ranges and choices.

    Parameters
    ----------
    content, style : np.ndarray (n,) or path
        Mono 22050 Hz signals, or files (loaded as the CLI loads them).
    preset : {"default", "notebook"}, optional
        The whole configuration; explicit keywords override it.
    filters : int, optional
        Random convolution filters.
    iterations : int, optional
        Optimiser iterations.
    seed : int
        Random weights, initial noise and phase.
    precision : {None, "auto", "fp32", "bf16"}
        The convolution's engine (None: the preset's; "auto" picks bf16 where oneDNN reports
        AVX512-BF16 or AMX). ``.stats["precision"]`` and ``["engine"]`` tell what ran.
    progress : callable, optional
        ``progress(iteration, content_loss, style_loss)`` after each optimiser iteration; return
        False to stop: the best spectrogram so far is rendered and returned (``.stopped``).
        Ctrl-C (KeyboardInterrupt) stops the run cleanly and is re-raised; an exception raised
        by ``progress`` stops it likewise and propagates.
    content_offset, content_duration, style_offset, style_duration, max_duration : float
        Excerpts (seconds) when content/style are paths, as the CLI's options.
    **options
        kernel_width, padding ("valid"/"same"), gram_divisor ("frames"/"output-frames"),
        content_weight, style_weight, optimizer ("lbfgs"/"adam"), lbfgs_memory, learning_rate,
        patience, init ("noise"/"content"/"content-eq"), stop_decrease, segment (seconds;
        0 = the whole content at once), init_scale,
        griffin_lim_iterations, phase ("random"/"content"), level ("content"/"style"/"none"),
        threads, max_memory (MB).

    Returns
    -------
    Transfer

    Notes
    -----
    The GIL is released during the computation; the progress callback takes it back briefly.
    Runs in several Python threads at once are safe, but ``threads`` sets OpenBLAS's thread
    count process-wide (a library property).
    """
    for kw, v in (("content_offset", content_offset), ("content_duration", content_duration),
                  ("style_offset", style_offset), ("style_duration", style_duration),
                  ("max_duration", max_duration)):
        lo, hi = LOAD_OPTIONS[kw]
        if v is not None and not (lo <= v <= hi):
            raise ValueError("%s must be in [%g, %g] (got %r)" % (kw, lo, hi, v))
    options.update(filters=filters, iterations=iterations, seed=seed, precision=precision)
    cfg = _config(preset, options)
    c = _load_input(content, "content", content_offset, content_duration, max_duration)
    s = _load_input(style, "style", style_offset, style_duration, max_duration)
    try:
        return _run(cfg, c, s, progress)
    except Error as e:
        # "content: too short ..." names the file when the input was one, as the CLI does
        for role, x in (("content", content), ("style", style)):
            if e.message.startswith(role + ": ") and isinstance(x, (str, os.PathLike)):
                raise Error(e.status, os.fspath(x) + e.message[len(role):], e.hint,
                            os.fspath(x)) from None
        raise


def _run(cfg, c, s, progress):
    lib = get_lib()
    t0 = time.perf_counter()
    err = new_err()
    out = ffi.new("as_style **")
    check(lib.as_style_create(out, cfg, fptr(c), c.size, fptr(s), s.size, err), err)
    st = ffi.gc(out[0], lib.as_style_destroy)
    box = {"exc": None, "stopped": False}

    def cb(p, user):
        if p.stage == 0 and progress is not None and not box["stopped"]:
            if progress(p.iteration, p.content_loss, p.style_loss) is False:
                box["stopped"] = True
                return 1
        return 0

    def onerror(exc_type, exc, tb):
        # any exception, KeyboardInterrupt included (Ctrl-C is raised at the first bytecode of
        # cb, so a try inside cb would miss it): keep it, cancel the run, re-raise after C
        if box["exc"] is None:
            box["exc"] = exc
        return 1

    fn = ffi.callback("int(const as_style_progress *, void *)", cb, error=1, onerror=onerror)
    rc = lib.as_style_optimize(st, fn, ffi.NULL)
    if box["exc"] is not None:
        raise box["exc"]
    if rc != -10:
        check(rc, err)
    rc = lib.as_style_render(st, fn, ffi.NULL)
    if box["exc"] is not None:
        raise box["exc"]
    check(rc, err)
    yp = ffi.new("const float **")
    n = ffi.new("int64_t *")
    check(lib.as_style_get_audio(st, yp, n))
    raw = np.frombuffer(ffi.buffer(yp[0], 4 * n[0]), dtype=np.float32).copy()
    # the CLI's limiter before writing and classifying: a float gain when the peak exceeds -1 dBFS
    peak = float(np.max(np.abs(raw))) if raw.size else 0.0
    ceil_lin = math.pow(10.0, -1.0 / 20.0)
    audio = raw * np.float32(ceil_lin / peak) if peak > ceil_lin else raw.copy()
    stats = ffi.new("as_style_stats *")
    lib.as_style_get_stats(st, stats)
    sd = {k: getattr(stats, k) for k in _STATS}
    for k in ("stop_reason", "precision", "engine"):
        v = getattr(stats, k)
        sd[k] = ffi.string(v).decode() if v != ffi.NULL else ""
    specs = []
    for which in (0, 1, 2):
        T = lib.as_style_frames(st, which)
        a = np.empty((1025, T), dtype=np.float32)
        check(lib.as_style_get_spectrogram(st, which, fptr(a)))
        specs.append(a)
    seconds = time.perf_counter() - t0
    return Transfer(c, s, raw, audio, sd, tuple(specs), seconds, box["stopped"])


def quality(content, style, result):
    """The five transfer-quality metrics (docs/transfer-quality.md) of a result.

    Returns
    -------
    dict
        style_distance_ratio, rhythm_correlation, chroma_similarity, flatness_ratio, level_db
        (and fd_content_style, the ratio's denominator).
    """
    lib = get_lib()
    c = _as_signal_or_path(content, "content")
    s = _as_signal_or_path(style, "style")
    r = _as_signal_or_path(getattr(result, "audio", result), "result")
    q = ffi.new("as_quality *")
    err = new_err()
    check(lib.as_quality_compute(fptr(c), c.size, fptr(s), s.size, fptr(r), r.size, q, err), err)
    return {k: getattr(q, k) for k in ("style_distance_ratio", "rhythm_correlation",
                                       "chroma_similarity", "flatness_ratio", "level_db",
                                       "fd_content_style")}


_FREQ = {"linear": 0, "log": 1, "mel": 2}
_CMAP = {"magma": 0, "viridis": 1}


def _read_and_remove(path):
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data


def _plot(panels, path, freq_scale="linear", cmap="magma", db_range=80.0, title=None,
          titles=None, width=0, height=0, time_offset=0.0, n_fft=2048, hop_length=512):
    lib = get_lib()
    if freq_scale not in _FREQ:
        raise ValueError("freq_scale must be 'linear', 'log' or 'mel' (got %r)" % (freq_scale,))
    if cmap not in _CMAP:
        raise ValueError("cmap must be 'magma' or 'viridis' (got %r)" % (cmap,))
    keep = []
    arr = ffi.new("as_spec_panel[]", len(panels))
    for i, S in enumerate(panels):
        S = as_float32(S, 2, "S")
        keep.append(S)
        arr[i].S = fptr(S)
        arr[i].F = S.shape[0]
        arr[i].T = S.shape[1]
        arr[i].sr, arr[i].hop, arr[i].n_fft = SAMPLE_RATE, int(hop_length), int(n_fft)
        if titles and i < len(titles) and titles[i] is not None:
            t = ffi.new("char[]", str(titles[i]).encode())
            keep.append(t)
            arr[i].title = t
    o = ffi.new("as_plot_opts *")
    o.width, o.height = int(width), int(height)
    o.freq_scale, o.cmap, o.db_range = _FREQ[freq_scale], _CMAP[cmap], float(db_range)
    o.time_offset_s = float(time_offset)
    if title is not None:
        tt = ffi.new("char[]", str(title).encode())
        keep.append(tt)
        o.title = tt
    err = new_err()
    if path is None:
        fd, tmp = tempfile.mkstemp(suffix=".png", prefix="audiostyle-")
        os.close(fd)
        try:
            check(lib.as_plot_spectrograms(tmp.encode(), arr, len(panels), o, err), err)
            return _read_and_remove(tmp)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    check(lib.as_plot_spectrograms(_path(path), arr, len(panels), o, err), err,
          path=os.fspath(path))
    return None


def spectrogram_png(y, path=None, *, freq_scale="linear", cmap="magma", db_range=80.0, title=None,
                    titles=None, width=0, height=0, time_offset=0.0):
    """A labelled spectrogram picture (PNG), as ``audiostyle spectrogram``.

    Parameters
    ----------
    y : np.ndarray (n,), or a list of them
        Signals; several are drawn side by side on one shared dB scale.
    path : str, optional
        Write the PNG there (atomically); None returns its bytes.
    freq_scale : {"linear", "log", "mel"}
        Frequency axis ("mel": 128 Slaney bands of the power spectrum).
    cmap : {"magma", "viridis"}
    db_range : float
        dB below the maximum shown.
    title, titles : str, list of str
        The picture's title and each panel's.
    width, height : int
        Pixels (0: the library's defaults).

    Returns
    -------
    bytes or None
    """
    ys = y if isinstance(y, (list, tuple)) else [y]
    panels = []
    for k in ys:
        a = as_signal_array(k)
        pad = "reflect" if a.size > 1024 else "constant"
        if freq_scale == "mel":
            panels.append(melspectrogram(y=a, pad_mode=pad))
        else:
            panels.append(np.abs(stft(a, pad_mode=pad)))
    return _plot(panels, path, freq_scale=freq_scale, cmap=cmap, db_range=db_range, title=title,
                 titles=titles, width=width, height=height, time_offset=time_offset)


def report(content, style, result, path, *, model=None, title=None, settings=None, names=None,
           max_audio_s=0):
    """The journey report (one self-contained HTML page), as ``audiostyle compare``.

    Parameters
    ----------
    content, style : np.ndarray or path
    result : Transfer, np.ndarray or path
        A Transfer also gives the run's losses and spectral convergence.
    path : str
        The .html file (written atomically).
    model : Model or str, optional
        Genre model (built-in by default).
    names : list of 3 str, optional
        Track names shown on the page (file names, or content/style/result).
    """
    lib = get_lib()
    ys = [_as_signal_or_path(content, "content"), _as_signal_or_path(style, "style"),
          _as_signal_or_path(getattr(result, "audio", result), "result")]
    if names is None:
        names = [os.path.basename(os.fspath(x)) if isinstance(x, (str, os.PathLike)) else d
                 for x, d in ((content, "content"), (style, "style"), (result, "result"))]
    keep = []
    tracks = ffi.new("as_report_track[3]")
    for k in range(3):
        nm = ffi.new("char[]", str(names[k]).encode())
        keep.append(nm)
        tracks[k].name, tracks[k].y, tracks[k].n = nm, fptr(ys[k]), ys[k].size
    o = ffi.new("as_report_opts *")
    lib.as_report_opts_default(o)
    for attr, v in (("title", title), ("settings", settings)):
        if v is not None:
            cs = ffi.new("char[]", str(v).encode())
            keep.append(cs)
            setattr(o, attr, cs)
    if isinstance(result, Transfer):
        o.content_loss = result.content_loss
        o.style_loss = result.style_loss
        o.spectral_convergence = result.stats["spectral_convergence"]
    o.max_audio_s = float(max_audio_s)
    if model is not None and not isinstance(model, Model):
        model = Model.load(model)
    err = new_err()
    check(lib.as_report_write_html(_path(path), tracks, model._p if model else ffi.NULL, o, err),
          err, path=os.fspath(path))
