"""Fixtures: the repository, the `audiostyle` program, the example clips."""
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
EX = os.path.join(ROOT, "examples")
ROCK = os.path.join(EX, "rock_sectoid_feelings.flac")
TECHNO = os.path.join(EX, "techno_torustrooper_tt1.flac")
METAL = os.path.join(EX, "metal_sectoid_metal_madness.flac")
FUNNY = os.path.join(EX, "misc_funnyboat_jdruid.flac")
CLIPS = [ROCK, TECHNO, METAL, FUNNY]
HEADER = os.path.join(ROOT, "include", "audiostyle.h")


def cli_path():
    p = os.environ.get("AUDIOSTYLE") or os.path.join(ROOT, BUILD, "audiostyle")
    return p if os.path.exists(p) else None


@pytest.fixture(scope="session")
def cli():
    """Runs `audiostyle ARGS...` and returns its stdout (fails the test on a non-zero exit)."""
    p = cli_path()
    if p is None:
        pytest.fail("the audiostyle program is not built (make all) and $AUDIOSTYLE is unset")

    def run(*args, check=True):
        r = subprocess.run([p] + [str(a) for a in args], capture_output=True, text=True,
                           env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        if check and r.returncode != 0:
            raise AssertionError("audiostyle %s: exit %d\n%s" % (" ".join(map(str, args)),
                                                                 r.returncode, r.stderr))
        return r
    return run


@pytest.fixture(scope="session")
def rock():
    import audiostyle
    return audiostyle.load(ROCK)


@pytest.fixture(scope="session")
def techno():
    import audiostyle
    return audiostyle.load(TECHNO)


def have(cmd):
    return shutil.which(cmd) is not None
