"""features, features_table, tempo, classify, Model: the same numbers as the CLI."""
import csv
import json
import os
import threading

import numpy as np
import pytest

import audiostyle as au
from conftest import CLIPS, ROCK, ROOT, TECHNO

CSV = os.path.join(ROOT, "data", "gtzan", "features_30_sec.csv")


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def cli_features(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("f") / "f.csv"
    cli("features", *CLIPS, "-o", out, "--quiet", "--jobs", "1")
    return {r["filename"]: r for r in _read_csv(out)}


def test_features_equal_the_cli_bit_for_bit(cli_features):
    names = au.feature_names()
    assert len(names) == 57 and names[0] == "chroma_stft_mean" and names[-1] == "mfcc20_var"
    for path in CLIPS:
        got = au.features(au.load(path))
        assert list(got) == names
        ref = cli_features[os.path.basename(path)]
        for k in names:
            assert got[k] == float(ref[k]), (path, k)   # the CSV's shortest round-trip decimals


def test_features_accepts_a_path_float64_and_strided(rock):
    ref = au.features(rock)
    assert au.features(ROCK) == ref
    assert au.features(rock.astype(np.float64)) == ref
    assert au.features(np.repeat(rock, 2)[::2]) == ref


def test_features_table_equals_the_cli_segments(cli, tmp_path):
    out = tmp_path / "seg.csv"
    cli("features", ROCK, TECHNO, "-o", out, "--segments", "3", "--quiet")
    ref = _read_csv(out)
    rows = au.features_table([ROCK, TECHNO], segments=3, jobs=2)
    if not isinstance(rows, list):   # a pandas DataFrame
        rows = rows.to_dict("records")
    assert [r["filename"] for r in rows] == [r["filename"] for r in ref]
    for got, want in zip(rows, ref):
        assert got["length"] == int(want["length"])
        for k in au.feature_names():
            assert got[k] == float(want[k]), (got["filename"], k)


def test_tempo(cli):
    ref = json.loads(cli("info", "--json", ROCK).stdout)[0]["tempo_bpm"]
    assert au.tempo(ROCK) == pytest.approx(ref, abs=1e-4)


def test_too_short_raises_error():
    with pytest.raises(au.Error) as e:
        au.features(np.zeros(1000, dtype=np.float32))
    assert e.value.code == "AS_ERR_ARG"
    with pytest.raises(au.Error) as e:
        au.features(np.zeros(0, dtype=np.float32))
    assert e.value.code == "AS_ERR_EMPTY"


def test_classify_equals_the_cli(cli):
    ref = json.loads(cli("classify", "--json", "--top", "0", *CLIPS).stdout)
    for path, r in zip(CLIPS, ref):
        got = au.classify(au.load(path))
        assert list(got) == [g["genre"] for g in r["genres"]]
        for g in r["genres"]:
            assert round(got[g["genre"]], 6) == pytest.approx(g["probability"], abs=1.5e-6)
        assert sum(got.values()) == pytest.approx(1.0)
    top = au.classify(ROCK, top=3)
    assert len(top) == 3 and list(top) == [g["genre"] for g in ref[0]["genres"][:3]]


def test_model_properties_and_predict(rock):
    m = au.Model.default()
    assert m is au.Model.default()
    assert len(m.labels) == 10 and "rock" in m.labels
    assert m.type in ("logreg", "mlp-small", "mlp", "mlp-large")
    assert m.segment_length == 0
    p = m.predict(au.features(rock))
    assert p == pytest.approx(au.classify(rock))   # a 10-s clip: one window
    with pytest.raises(ValueError):
        m.predict(np.zeros(3))


def test_model_train_save_load_equals_the_cli(cli, tmp_path):
    cli("train", CSV, "-o", tmp_path / "cli.model", "--model-type", "logreg", "--epochs", "5",
        "--members", "1", "--quiet")
    calls = []
    m = au.Model.train(CSV, preset="logreg", epochs=5, members=1,
                       progress=lambda *a: calls.append(a))
    assert calls and m.type == "logreg"
    m.save(tmp_path / "py.model")
    assert (tmp_path / "py.model").read_bytes() == (tmp_path / "cli.model").read_bytes()
    m2 = au.Model.load(tmp_path / "py.model")
    assert au.classify(ROCK, model=m2) == au.classify(ROCK, model=str(tmp_path / "cli.model"))


def test_model_train_progress_stops_and_raises(tmp_path):
    with pytest.raises(au.Error) as e:
        au.Model.train(CSV, preset="logreg", epochs=50, members=1, progress=lambda *a: False)
    assert e.value.code == "AS_ERR_CANCELLED"

    def boom(*a):
        raise ZeroDivisionError("from the callback")
    with pytest.raises(ZeroDivisionError):
        au.Model.train(CSV, preset="logreg", epochs=50, members=1, progress=boom)


def test_bad_model_file(tmp_path):
    p = tmp_path / "bad.model"
    p.write_bytes(b"not a model at all" * 10)
    with pytest.raises(au.Error) as e:
        au.Model.load(p)
    assert "bad.model" in str(e.value)


def test_features_and_classify_from_two_threads(rock, techno):
    want = {id(rock): au.features(rock), id(techno): au.features(techno)}
    errors = []

    def work(y):
        try:
            for _ in range(2):
                assert au.features(y) == want[id(y)]
                au.classify(y)
        except BaseException as e:  # noqa
            errors.append(e)
    ts = [threading.Thread(target=work, args=(y,)) for y in (rock, techno, rock)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
