#!/usr/bin/env python3
"""make bench PART=python: the Python binding's overhead over the library calls it wraps.

Each pair is timed interleaved (library call through cffi with prepared buffers, then the
audiostyle function), the median of REPEAT runs, in one process, single-threaded BLAS:
  features  a 30-s clip (the three examples' first 10 s back to back): as_features_compute
            vs audiostyle.features(y) (array checks, the dict of 57 names)
  transfer  10 s on 10 s, 256 filters, 10 L-BFGS iterations, 50 Griffin-Lim iterations, 1 thread:
            as_style_create + optimize + render with no progress function vs
            audiostyle.transfer(...) (options, the progress callback into Python after every
            iteration, the CLI's peak limiter, copies of audio and spectrograms)
Targets (issue 12): features within 5 %, transfer within 1 %.
"""
import os
import statistics
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

REPEAT = int(os.environ.get("REPEAT", "5"))
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
    med = statistics.median
    return med(cpu[0]), med(cpu[1]), med(wall[0]), med(wall[1])


def main():
    clips = [au.load(os.path.join(EX, f), duration=10) for f in
             ("rock_sectoid_feelings.flac", "techno_torustrooper_tt1.flac", "metal_sectoid_metal_madness.flac")]
    y30 = np.concatenate(clips)
    out = np.empty(57)
    fx = _workspace()

    def raw_features():
        lib.as_features_compute(fx, fptr(y30), y30.size, fptr(out, "double *"))

    f = pair(raw_features, lambda: au.features(y30), REPEAT)

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

    calls = []
    t_ = pair(raw_transfer, lambda: au.transfer(c, s, progress=lambda *a: calls.append(a), **opts),
                  max(3, REPEAT // 2))
    t = time.perf_counter()
    for _ in range(100000):
        lib.as_features_count()
    per_call = (time.perf_counter() - t) / 100000

    print("\n## Python binding overhead (median of %d runs, interleaved ABBA, process CPU time; OPENBLAS_NUM_THREADS=%s)\n"
          % (REPEAT, os.environ["OPENBLAS_NUM_THREADS"]))
    print("| call | library (cffi, prepared buffers) | audiostyle (Python) | overhead (CPU time) "
          "| wall time: library, audiostyle | target |")
    print("|---|---|---|---|---|---|")
    for name, (rc, wc, rw, ww), unit, target in (
            ("features(y), 30-s clip", f, 1e3, 5),
            ("transfer, 10 s on 10 s, 256 filters, 10 + 50 iterations", t_, 1, 1)):
        u = "ms" if unit == 1e3 else "s"
        print("| %s | %.4g %s | %.4g %s | %+.2f %% | %.4g %s, %.4g %s | within %d %% |"
              % (name, rc * unit, u, wc * unit, u, 100 * (wc - rc) / rc, rw * unit, u, ww * unit,
                 u, target))
    print("\nOne cffi call into the library (as_features_count): %.2f us." % (per_call * 1e6))


if __name__ == "__main__":
    main()
