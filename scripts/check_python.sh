#!/usr/bin/env bash
# The Python package's tests (python/tests, pytest) against $BUILD/libaudiostyle.so and the
# $AUDIOSTYLE program. Ends with "python: N passed, N failed, N skipped" (parsed from pytest's
# summary) and a line "SKIPPED python/TEST: REASON" for each test pytest skipped (the notebook
# without jupyter-nbconvert); when Debian's python3 with numpy, cffi and pytest is not there
# (scripts/install-deps.sh --python installs them) the whole suite is one skip,
# "SKIPPED python/suite: REASON": a suite that did not run never counts as passed.
set -u
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
suite_skip() { echo "python: 0 passed, 0 failed, 1 skipped"; echo "SKIPPED python/suite: $*"; exit 0; }
if [ -n "${SAN:-}" ]; then
  suite_skip "sanitizer build: the sanitizer runtime cannot be loaded into $PY"
fi
if ! [ -x "$PY" ]; then suite_skip "no $PY"; fi
missing=$("$PY" -c 'import importlib.util as u
print(" ".join(m for m in ("numpy", "cffi", "pytest") if u.find_spec(m) is None))' 2>/dev/null) \
  || missing="(python3 did not start)"
if [ -n "$missing" ]; then
  suite_skip "missing: $missing; scripts/install-deps.sh --python installs them"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export AUDIOSTYLE_LIB="$PWD/$BUILD/libaudiostyle.so"
export AUDIOSTYLE=${AUDIOSTYLE:-$PWD/$BUILD/audiostyle}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
(cd python && "$PY" -m pytest -p no:cacheprovider -q -rs tests "$@") 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^=* ?[0-9]+ (passed|failed|error)|^=+ .*( in [0-9.]+s)' "$log" | tail -1)
count() { echo "$summary" | grep -oE "[0-9]+ $1\b" | grep -oE '^[0-9]+' || echo 0; }
p=$(count passed); f=$(count failed); e=$(count 'errors?'); s=$(count skipped)
f=$((f + e))
if [ -z "$summary" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
  echo "check_python.sh: pytest did not finish (exit $rc)"; f=$((f + 1))
fi
echo "python: $p passed, $f failed, $s skipped"
# pytest -rs: "SKIPPED [1] tests/test_x.py:12: reason"
sed -n 's/^SKIPPED \[[0-9]*\] \(tests\/[^ ]*\): \(.*\)$/SKIPPED python\/\1: \2/p' "$log"
[ "$f" -eq 0 ]
