"""transfer(): bit-identical to the CLI, progress, stopping, Ctrl-C, errors, threads, pictures."""
import json
import os
import re
import signal
import threading
import time

import numpy as np
import pytest

import audiostyle as au
from audiostyle._style import LOAD_OPTIONS, OPTIONS
from conftest import ROCK, TECHNO

TINY = dict(filters=16, iterations=3, griffin_lim_iterations=5, threads=1)


@pytest.fixture(scope="module")
def clips(rock, techno):
    return rock[: 2 * 22050], techno[: 2 * 22050]


def test_bit_identical_to_the_cli(cli, tmp_path):
    args = dict(filters=128, iterations=15, griffin_lim_iterations=40, threads=1, seed=7)
    r = cli("transfer", ROCK, TECHNO, "-o", tmp_path / "cli.wav", "--content-duration", 5,
            "--style-duration", 5, "--filters", 128, "--iterations", 15,
            "--griffin-lim-iterations", 40, "--threads", 1, "--seed", 7, "--json", "--quiet",
            "--no-picture")
    ref = json.loads(r.stdout)
    t = au.transfer(ROCK, TECHNO, content_duration=5, style_duration=5, **args)
    assert t.audio.dtype == np.float32 and t.audio.size == 5 * 22050 == ref["samples"]
    cli_y = au.load(tmp_path / "cli.wav")
    # the CLI's samples are round(x * 32768) / 32768 of the result as written
    q = np.round(t.audio.astype(np.float64) * 32768) / 32768
    np.testing.assert_array_equal(q, cli_y.astype(np.float64))
    t.save(tmp_path / "py.wav")
    np.testing.assert_array_equal(au.load(tmp_path / "py.wav"), cli_y)
    assert (tmp_path / "py.wav").read_bytes() == (tmp_path / "cli.wav").read_bytes()
    assert t.content_loss == pytest.approx(ref["content_loss"], rel=1e-9)
    assert t.style_loss == pytest.approx(ref["style_loss"], rel=1e-9)
    assert t.stats["iterations"] == ref["iterations"]
    assert t.stats["stop_reason"] == ref["stop_reason"]
    # the render's histogram matching, by the style's flatness (techno: 0.012 < 0.03, on)
    assert t.stats["render_match"] == ref["render_match"] == 1
    assert t.stats["style_flatness"] == pytest.approx(ref["style_flatness"], rel=1e-9)
    for role in ("content", "style", "result"):
        got = t.genres[role]
        for g in ref["genres"][role]:
            assert got[g["genre"]] == pytest.approx(g["probability"], abs=1.5e-6)
        assert list(got)[:3] == [g["genre"] for g in ref["genres"][role]]
    for k, v in ref["quality"].items():
        assert t.quality[k] == pytest.approx(v, rel=1e-8, abs=1e-12)
    # arrays in: the same run as paths with durations
    t2 = au.transfer(au.load(ROCK, duration=5), au.load(TECHNO, duration=5), **args)
    np.testing.assert_array_equal(t2.audio, t.audio)


def test_result_object(clips):
    c, s = clips
    calls = []
    t = au.transfer(c, s, progress=lambda *a: calls.append(a), **TINY)
    assert isinstance(t, au.Transfer)
    assert t.audio.shape == c.shape and t.raw_audio.shape == c.shape
    assert np.max(np.abs(t.audio)) <= 10 ** (-1 / 20) + 1e-7
    assert t.seconds > 0 and t.content_loss >= 0 and t.style_loss >= 0
    assert not t.stopped
    assert [a[0] for a in calls][-1] == 3 and all(len(a) == 3 for a in calls)
    assert [sp.shape[0] for sp in t.spectrograms] == [1025] * 3
    assert t.spectrograms[2].shape == t.spectrograms[0].shape
    assert set(t.genres) == {"content", "style", "result"}
    assert sum(t.genres["result"].values()) == pytest.approx(1)
    assert t.quality is None or "style_distance_ratio" in t.quality
    html = t._repr_html_()
    assert html.count("<audio") == 3 and "data:image/png;base64," in html
    assert "Transfer" in repr(t)


def test_progress_returning_false_stops_and_renders(clips):
    c, s = clips
    seen = []

    def stop(it, cl, sl):
        seen.append(it)
        return it < 2
    t = au.transfer(c, s, progress=stop, **dict(TINY, iterations=50))
    assert t.stopped and t.stats["stop_reason"] == "cancelled"
    assert max(seen) == 2 and t.stats["iterations"] <= 3
    assert t.audio.shape == c.shape


def test_an_exception_in_the_callback_propagates(clips):
    c, s = clips

    def boom(it, cl, sl):
        raise ZeroDivisionError("inside progress")
    with pytest.raises(ZeroDivisionError, match="inside progress"):
        au.transfer(c, s, progress=boom, **dict(TINY, iterations=50))
    # and the library is still fine
    assert au.transfer(c, s, **TINY).audio.shape == c.shape


def test_ctrl_c_stops_cleanly_with_keyboardinterrupt(clips):
    c, s = clips
    started = threading.Event()
    sender = threading.Thread(target=lambda: (started.wait(30), os.kill(os.getpid(), signal.SIGINT)))
    sender.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        au.transfer(c, s, progress=lambda *a: started.set(),
                    **dict(TINY, iterations=100000, stop_decrease=0))
    sender.join()
    assert time.perf_counter() - t0 < 30
    assert au.transfer(c, s, **TINY).audio.shape == c.shape


def test_two_threads_at_once(clips):
    c, s = clips
    ref = au.transfer(c, s, seed=1, **TINY).audio
    out, errors = [None, None], []

    def work(k):
        try:
            out[k] = au.transfer(c, s, seed=1, progress=lambda *a: None, **TINY).audio
        except BaseException as e:  # noqa
            errors.append(e)
    ts = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    for o in out:
        np.testing.assert_array_equal(o, ref)


def test_long_calls_release_the_gil(rock):
    """While a C call runs, another Python thread keeps running (cffi releases the GIL around
    every call of an ABI-mode function)."""
    S = np.abs(au.stft(rock, pad_mode="reflect"))
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1
    th = threading.Thread(target=spin)
    th.start()
    try:
        time.sleep(0.2)
        a = count[0]
        time.sleep(0.3)
        free_rate = (count[0] - a) / 0.3
        a, t0 = count[0], time.perf_counter()
        au.griffinlim(S, n_iter=100, threads=1)
        dt = time.perf_counter() - t0
        during = count[0] - a
    finally:
        stop.set()
        th.join()
    assert dt > 0.05
    assert during > 0.05 * free_rate * dt, (during, free_rate, dt)


def test_bad_arguments(clips, tmp_path):
    c, s = clips
    with pytest.raises(TypeError, match="unknown keyword"):
        au.transfer(c, s, filterz=3)
    with pytest.raises(ValueError, match="filters"):
        au.transfer(c, s, filters=0)
    with pytest.raises(ValueError, match="padding"):
        au.transfer(c, s, padding="full")
    with pytest.raises(TypeError):
        au.transfer(c, s, iterations=2.5)
    with pytest.raises(ValueError, match="preset"):
        au.transfer(c, s, preset="fast")
    with pytest.raises(ValueError, match="precision"):
        au.transfer(c, s, precision="fp16")
    with pytest.raises(ValueError, match="path"):
        au.transfer(c, s, content_duration=1)
    with pytest.raises(au.Error) as e:
        au.transfer(c[:500], s, **TINY)
    assert e.value.code == "AS_ERR_ARG"
    au.save(tmp_path / "short.wav", c[:500])
    with pytest.raises(au.Error) as e:
        au.transfer(str(tmp_path / "short.wav"), s, **TINY)
    assert e.value.message.startswith(str(tmp_path / "short.wav") + ": ")
    assert e.value.path == str(tmp_path / "short.wav")
    with pytest.raises(au.Error) as e:
        au.transfer(tmp_path / "missing.wav", s, **TINY)
    assert "missing.wav" in str(e.value)


def test_config_and_presets():
    d, nb = au.config(), au.config("notebook")
    assert d["filters"] == nb["filters"] == 4096
    assert nb["init"] == "noise" and nb["iterations"] in (0, 300) and nb["level"] == "none"
    assert nb["precision"] == "fp32" and d["precision"] == "auto"


def test_precision_fp32_is_what_ran(clips):
    t = au.transfer(*clips, precision="fp32", **TINY)
    assert t.stats["precision"] == "fp32" and t.stats["engine"]
    assert au.config("notebook", filters=8)["filters"] == 8


def test_the_option_table_snapshot_is_the_programs(cli):
    """transfer_options.json (what the keywords are read from) is `audiostyle options transfer
    --json` of this build: regenerate it with `make python-options` when the CLI's table changes."""
    path = os.path.join(os.path.dirname(au.__file__), "transfer_options.json")
    live = json.loads(cli("options", "transfer", "--json").stdout)
    assert json.load(open(path)) == live, "run `make python-options`"


def test_every_table_option_has_a_keyword_or_is_cli_only():
    from audiostyle._style import CLI_ONLY, LOAD_KEYWORDS, TABLE
    for kw in TABLE:
        assert kw in OPTIONS or kw in LOAD_KEYWORDS or kw in CLI_ONLY or kw == "preset", (
            "--%s is new in the CLI's table: give transfer() a keyword (CONFIG_FIELDS) or list it "
            "in CLI_ONLY" % kw.replace("_", "-"))
    for kw in OPTIONS:
        assert kw in TABLE


def test_table_defaults_are_the_default_preset():
    from audiostyle._style import TABLE
    cfg = au.config()
    for kw in OPTIONS:
        d = TABLE[kw]["default"]
        if d is None:
            continue
        want = d if OPTIONS[kw][1] == "choice" else OPTIONS[kw][1](float(d))
        assert cfg[kw] == want, (kw, cfg[kw], d)


@pytest.mark.parametrize("kw", [k for k, v in OPTIONS.items() if v[1] != "choice" and k != "seed"]
                         + list(LOAD_OPTIONS))
def test_ranges_are_refused_outside_the_table(clips, kw):
    spec = OPTIONS.get(kw) or (None, float) + LOAD_OPTIONS[kw]
    kind, lo, hi = spec[1], spec[2], spec[3]
    for v in ((lo - 1 if kind is int else lo / 2 if lo > 0 else -1), (hi + 1 if kind is int else hi * 2)):
        with pytest.raises(ValueError, match=kw):
            if kw in LOAD_OPTIONS:
                au.transfer(ROCK, TECHNO, **{kw: v})
            else:
                au.transfer(clips[0], clips[1], **{kw: kind(v)})


def test_spectrogram_png_and_report(clips, tmp_path):
    c, s = clips
    png = au.spectrogram_png(c, title="rock")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert au.spectrogram_png([c, s], tmp_path / "two.png", freq_scale="mel",
                              titles=["a", "b"]) is None
    assert (tmp_path / "two.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError):
        au.spectrogram_png(c, freq_scale="bark")
    t = au.transfer(c, s, **TINY)
    assert t.spectrogram_png()[:4] == b"\x89PNG"
    au.report(c, s, t, tmp_path / "r.html", title="tiny")
    html = (tmp_path / "r.html").read_text()
    assert "<html" in html.lower() and "tiny" in html
    with pytest.raises(au.Error) as e:
        au.report(c, s, t, tmp_path / "no" / "such" / "r.html")
    assert "r.html" in str(e.value)
