#!/usr/bin/env python3
"""make bench PART=python: the Python binding's overhead over the library calls it wraps.

Each pair is timed interleaved ABBA (library call through cffi with prepared buffers, and the
audiostyle function), the minimum process CPU time of REPEAT runs, in one process,
single-threaded BLAS; and the wrapper's fixed cost per call measured directly on tiny inputs
(200 runs), as a share of the big call:
  features  a 30-s clip (the three examples' first 10 s back to back): as_features_compute
            vs audiostyle.features(y) (array checks, the dict of 57 names)
  transfer  10 s on 10 s, 256 filters, 10 L-BFGS iterations, 50 Griffin-Lim iterations, 1 thread:
            as_style_create + optimize + render with no progress function vs
            audiostyle.transfer(...) (options, the progress callback into Python after every
            iteration, the CLI's peak limiter, copies of audio and spectrograms)
Targets (issue 12): features within 5 %, transfer within 1 %.
"""
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import numpy as np  # noqa: E402

import audiostyle as au  # noqa: E402
from audiostyle._core import fptr  # noqa: E402
from audiostyle._features import _workspace  # noqa: E402
from audiostyle._ffi import ffi, get_lib  # noqa: E402
from audiostyle._style import _config  # noqa: E402

REPEAT = int(os.environ.get("REPEAT", "8"))  # transfer pairs; features: 5 x as many
EX = os.path.join(ROOT, "examples")
lib = get_lib()


def pair(raw, wrapped, n):
    """Medians of the process CPU time (the measure: other processes on a shared machine move
    wall time by more than the overhead) and of the wall time, for raw and wrapped."""
    cpu = ([], [])
    wall = ([], [])
    raw(), wrapped()  # warm-up: plans, workspaces, page faults
    for i in range(n):
        for k in ((0, 1) if i % 2 == 0 else (1, 0)):  # ABBA: neither always runs first
            f = (raw, wrapped)[k]
            c, t = time.process_time(), time.perf_counter()
            f()
            cpu[k].append(time.process_time() - c)
            wall[k].append(time.perf_counter() - t)
    return min(cpu[0]), min(cpu[1]), min(wall[0]), min(wall[1])


def fixed_cost(raw, wrapped, n):
    """The wrapper's own cost per call, in seconds: min CPU time of wrapped minus raw on an input
    so small that the library's work is short and steady (the cost does not grow with the
    signal: no copies of it are made)."""
    a, b = pair(raw, wrapped, n)[:2]
    return b - a


def main():
    clips = [au.load(os.path.join(EX, f), duration=10) for f in
             ("rock_sectoid_feelings.flac", "techno_torustrooper_tt1.flac", "metal_sectoid_metal_madness.flac")]
    y30 = np.concatenate(clips)
    out = np.empty(57)
    fx = _workspace()

    def raw_features():
        lib.as_features_compute(fx, fptr(y30), y30.size, fptr(out, "double *"))

    f = pair(raw_features, lambda: au.features(y30), 5 * REPEAT)

    c, s = clips[0], clips[1]
    opts = dict(filters=256, iterations=10, griffin_lim_iterations=50, threads=1, seed=0)
    cfg = _config(None, opts)

    def raw_transfer():
        err = ffi.new("as_error *")
        p = ffi.new("as_style **")
        assert lib.as_style_create(p, cfg, fptr(c), c.size, fptr(s), s.size, err) == 0
        assert lib.as_style_optimize(p[0], ffi.NULL, ffi.NULL) == 0
        assert lib.as_style_render(p[0], ffi.NULL, ffi.NULL) == 0
        lib.as_style_destroy(p[0])

    y_small = y30[:4096].copy()

    def raw_small():
        lib.as_features_compute(fx, fptr(y_small), y_small.size, fptr(out, "double *"))
    f_fixed = fixed_cost(raw_small, lambda: au.features(y_small), 200)

    c1, s1 = c[:22050].copy(), s[:22050].copy()
    tiny = dict(filters=4, iterations=2, griffin_lim_iterations=2, threads=1, seed=0)
    cfg1 = _config(None, tiny)

    def raw_tiny():
        err = ffi.new("as_error *")
        p = ffi.new("as_style **")
        assert lib.as_style_create(p, cfg1, fptr(c1), c1.size, fptr(s1), s1.size, err) == 0
        assert lib.as_style_optimize(p[0], ffi.NULL, ffi.NULL) == 0
        assert lib.as_style_render(p[0], ffi.NULL, ffi.NULL) == 0
        lib.as_style_destroy(p[0])
    t_fixed = fixed_cost(raw_tiny, lambda: au.transfer(c1, s1, progress=lambda *a: None, **tiny), 100)
    # the callback into Python, per call (the big run makes 10 + 50 + line-search calls)
    cb = ffi.callback("int(const as_style_progress *, void *)", lambda p, u: 0)
    pg = ffi.new("as_style_progress *")
    t = time.process_time()
    for _ in range(100000):
        cb(pg, ffi.NULL)
    per_cb = (time.process_time() - t) / 100000

    calls = []
    t_ = pair(raw_transfer, lambda: au.transfer(c, s, progress=lambda *a: calls.append(a), **opts),
                  REPEAT)
    t = time.perf_counter()
    for _ in range(100000):
        lib.as_features_count()
    per_call = (time.perf_counter() - t) / 100000

    print("\n## Python binding overhead (minimum process CPU time of %d features and %d transfer runs"
          " each, interleaved ABBA; OPENBLAS_NUM_THREADS=%s)\n"
          % (5 * REPEAT, REPEAT, os.environ["OPENBLAS_NUM_THREADS"]))
    print("| call | library (cffi, prepared buffers) | audiostyle (Python) | difference | "
          "wrapper's fixed cost per call | as a share of the call | target |")
    print("|---|---|---|---|---|---|---|")
    # how many times the library calls back in the big run (optimiser, line search, Griffin-Lim)
    n_cb = [0]
    counting = ffi.callback("int(const as_style_progress *, void *)",
                            lambda p, u: n_cb.__setitem__(0, n_cb[0] + 1) or 0)
    err = ffi.new("as_error *")
    st = ffi.new("as_style **")
    assert lib.as_style_create(st, cfg, fptr(c), c.size, fptr(s), s.size, err) == 0
    lib.as_style_optimize(st[0], counting, ffi.NULL)
    lib.as_style_render(st[0], counting, ffi.NULL)
    lib.as_style_destroy(st[0])
    ncb = n_cb[0]
    for name, (rc, wc, rw, ww), fixed, target in (
            ("features(y), 30-s clip", f, f_fixed, 5),
            ("transfer, 10 s on 10 s, 256 filters, 10 + 50 iterations", t_,
             t_fixed + ncb * per_cb, 1)):
        print("| %s | %.4g s | %.4g s | %+.2f %% | %.0f us | %.3f %% | within %d %% |"
              % (name, rc, wc, 100 * (wc - rc) / rc, fixed * 1e6, 100 * fixed / rc, target))
    print("\n(transfer's cost: a 1-s transfer's difference (options, result copies, limiter) plus"
          " %d callbacks into Python of %.2f us; the copies of audio and spectrograms grow with the"
          " length, about 5 MB for 10 s: a millisecond.)" % (ncb, per_cb * 1e6))
    print("\nOne cffi call into the library (as_features_count): %.2f us." % (per_call * 1e6))


if __name__ == "__main__":
    main()
