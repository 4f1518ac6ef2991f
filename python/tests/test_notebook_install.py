"""The tour notebook runs headless (when Debian's jupyter-nbconvert is installed); the package
installs offline with pip into a venv made with --system-site-packages."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

PY = os.path.join(ROOT, "python")
NB = os.path.join(PY, "examples", "audiostyle_tour.ipynb")


def _libdir_env():
    import audiostyle
    return dict(os.environ, AUDIOSTYLE_LIB=audiostyle.library_path(), OPENBLAS_NUM_THREADS="1")


def test_notebook_is_committed_without_outputs():
    nb = json.load(open(NB))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert 8 <= len(code) <= 16
    for c in code:
        assert c.get("outputs") == [] and c.get("execution_count") is None


@pytest.mark.skipif(shutil.which("jupyter-nbconvert") is None,
                    reason="jupyter-nbconvert not installed (Debian: jupyter-nbconvert python3-ipykernel)")
def test_notebook_executes_headless(tmp_path):
    env = _libdir_env()
    env["PYTHONPATH"] = PY + os.pathsep + env.get("PYTHONPATH", "")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    r = subprocess.run(["jupyter-nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.timeout=600", "--output-dir", str(tmp_path), NB],
                       cwd=os.path.dirname(NB), env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.load(open(tmp_path / "audiostyle_tour.ipynb"))
    texts = "".join("".join(o.get("text", "")) for c in out["cells"] for o in c.get("outputs", []))
    assert "result" in texts and "wrote" in texts
    kinds = {k for c in out["cells"] for o in c.get("outputs", []) for k in o.get("data", {})}
    assert "image/png" in kinds and "text/html" in kinds


def test_pip_install_offline_in_a_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    "-m", "venv", "--system-site-packages", str(venv)], check=True)
    # offline: no index, no find-links, nothing from the network; a copy of the package alone
    src = tmp_path / "src"
    shutil.copytree(PY, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    env = {k: v for k, v in _libdir_env().items() if not k.startswith("PIP_")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_CONFIG_FILE=os.devnull)
    r = subprocess.run([str(venv / "bin" / "pip"), "install", str(src)], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    r = subprocess.run([str(venv / "bin" / "python"), "-c",
                        "import audiostyle, numpy; y = numpy.zeros(4096, numpy.float32); "
                        "print(audiostyle.__file__); print(audiostyle.stft(y).shape)"],
                       env=env, cwd=str(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert str(venv) in r.stdout and "(1025, 9)" in r.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_install_python(tmp_path):
    """make install-python PREFIX=...: the package under lib/python3.X/dist-packages, finding
    the library installed beside it (no ldconfig, no AUDIOSTYLE_LIB)."""
    prefix = tmp_path / "prefix"
    env = dict(os.environ, BUILD=os.environ.get("BUILD", "build"))
    r = subprocess.run(["make", "--no-print-directory", "install-python", "PREFIX=" + str(prefix),
                        "BUILD=" + env["BUILD"]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    site = list(prefix.glob("lib/python3*/dist-packages"))
    assert len(site) == 1 and (site[0] / "audiostyle" / "_install.py").exists()
    env = {k: v for k, v in env.items() if k != "AUDIOSTYLE_LIB"}
    env["PYTHONPATH"] = str(site[0])
    r = subprocess.run(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                        "-c", "import audiostyle; print(audiostyle.__file__); "
                        "print(audiostyle.library_path())"],
                       cwd=str(tmp_path), env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert str(prefix) in r.stdout.splitlines()[0] and str(prefix / "lib") in r.stdout.splitlines()[1]
