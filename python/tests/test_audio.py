import json
import os
import subprocess

import numpy as np
import pytest

import audiostyle as au
from conftest import CLIPS, ROCK, ROOT


def test_load_shape_dtype_rate(rock):
    assert au.SAMPLE_RATE == 22050
    assert rock.dtype == np.float32 and rock.ndim == 1 and rock.flags.c_contiguous
    assert rock.size == 10 * 22050
    assert rock.flags.writeable


def test_load_offset_duration_match_the_whole(rock):
    y = au.load(ROCK, offset=2.0, duration=1.5)
    assert y.size == int(1.5 * 22050)
    # FLAC seeks exactly: the excerpt is the same samples up to the resampler (none here)
    np.testing.assert_array_equal(y, rock[2 * 22050: 2 * 22050 + y.size])


def test_load_keeps_the_native_rate_with_sr_none():
    y = au.load(ROCK, sr=None)
    assert y.size == 220500
    y2 = au.load(ROCK, sr=11025)
    assert y2.size == 110250


def test_info_equals_the_cli(cli):
    out = json.loads(cli("info", "--json", *CLIPS).stdout)
    for path, ref in zip(CLIPS, out):
        got = au.info(path)
        for k in ("format", "subtype", "channels", "sample_rate", "samples"):
            assert got[k] == ref[k], (path, k)
        assert got["duration_s"] == pytest.approx(ref["duration_s"], abs=1e-6)
        assert got["peak_dbfs"] == pytest.approx(ref["peak_dbfs"], abs=1e-4)
        assert got["rms_dbfs"] == pytest.approx(ref["rms_dbfs"], abs=1e-4)


def test_save_and_load_round_trip(tmp_path, rock):
    for ext, sub, tol in ((".wav", None, 1 / 32768), (".wav", "FLOAT", 0), (".flac", None, 1 / 32768)):
        p = tmp_path / ("x" + ext)
        au.save(p, rock, subtype=sub)
        back = au.load(p)
        assert back.size == rock.size
        assert np.max(np.abs(back - rock)) <= tol
    assert au.info(tmp_path / "x.wav")["subtype"] == "32-bit float"


def test_save_converts_float64_and_non_contiguous(tmp_path, rock):
    y64 = rock.astype(np.float64)
    au.save(tmp_path / "a.wav", y64)
    au.save(tmp_path / "b.wav", np.ascontiguousarray(rock[::2]))
    au.save(tmp_path / "c.wav", rock[::2])
    au.save(tmp_path / "d.wav", rock)
    np.testing.assert_array_equal(au.load(tmp_path / "a.wav"), au.load(tmp_path / "d.wav"))
    np.testing.assert_array_equal(au.load(tmp_path / "b.wav"), au.load(tmp_path / "c.wav"))


def test_save_refuses_clearly(tmp_path, rock):
    with pytest.raises(ValueError, match="mono"):
        au.save(tmp_path / "s.wav", np.stack([rock, rock]))
    with pytest.raises(TypeError, match="complex"):
        au.save(tmp_path / "s.wav", rock.astype(np.complex64))
    with pytest.raises(au.Error) as e:
        au.save(tmp_path / "s.mp4", rock)
    assert e.value.code == "AS_ERR_UNSUPPORTED" and "s.mp4" in str(e.value)
    with pytest.raises(au.Error) as e:
        au.save(tmp_path / "loud.wav", rock * 4)  # beyond full scale in PCM16: refused, never clipped
    assert e.value.status == -2
    assert not (tmp_path / "loud.wav").exists()
    au.save(tmp_path / "loud.wav", rock * 4, level="peak-limit")
    assert np.max(np.abs(au.load(tmp_path / "loud.wav"))) <= 10 ** (-1 / 20) + 1e-4


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    subprocess.run(["bash", os.path.join(ROOT, "tests", "bad", "make_bad.sh"), str(d)], check=True,
                   capture_output=True)
    return d


@pytest.mark.parametrize("name,code", [
    ("empty.wav", None), ("random.wav", "AS_ERR_FORMAT"), ("random.flac", "AS_ERR_FORMAT"),
    ("text.mp3", None), ("trunc_data.wav", None), ("nan.wav", "AS_ERR_NUMERIC"),
    ("rate0.wav", None), ("channels.wav", None), ("noframes.wav", None)])
def test_bad_files_raise_error_naming_the_file(bad, name, code):
    path = str(bad / name)
    with pytest.raises(au.Error) as e:
        au.load(path)
    err = e.value
    assert isinstance(err, RuntimeError)
    assert err.status < 0 and err.code.startswith("AS_ERR_")
    assert name in err.message and err.path == path
    if code:
        assert err.code == code


def test_missing_file(tmp_path):
    with pytest.raises(au.Error) as e:
        au.load(tmp_path / "nope.flac")
    assert e.value.code == "AS_ERR_IO" and "nope.flac" in str(e.value)
    with pytest.raises(au.Error):
        au.info(tmp_path / "nope.flac")


def test_mp3_opus_and_m4a(tmp_path):
    """MP3/Opus out with a bitrate (the C struct's bitrate_kbps), M4A in through FFmpeg."""
    y = au.load(os.path.join(ROOT, "tests", "ref", "formats", "alac.m4a"))
    assert y.shape == (44100,)
    for name, kbps in (("r.mp3", 64), ("r.opus", 32)):
        au.save(tmp_path / name, y, level="peak-limit", bitrate=kbps)
        z = au.load(tmp_path / name)
        assert abs(z.size - y.size) <= 1
        assert os.path.getsize(tmp_path / name) < 2.0 * kbps * 1000 / 8 * 1.3  # 2 s at kbps
