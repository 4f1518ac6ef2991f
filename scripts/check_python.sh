#!/usr/bin/env bash
# The Python package's tests (python/tests, pytest) against $BUILD/libaudiostyle.so and the
# $AUDIOSTYLE program. Ends with "python: N passed, N failed" (parsed from pytest's summary), or
# with "python: skipped (reason)" when Debian's python3 with numpy, cffi and pytest is not there
# (scripts/install-deps.sh --python installs them): a suite that did not run never counts as
# passed. Tests pytest skipped (the notebook without jupyter-nbconvert) are listed on a line
# "python: N tests skipped".
set -u
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
if [ -n "${SAN:-}" ]; then
  echo "python: skipped (sanitizer build: the ASan runtime cannot be loaded into $PY)"; exit 0
fi
if ! [ -x "$PY" ]; then echo "python: skipped (no $PY)"; exit 0; fi
missing=$("$PY" -c 'import importlib.util as u
print(" ".join(m for m in ("numpy", "cffi", "pytest") if u.find_spec(m) is None))' 2>/dev/null) \
  || missing="(python3 did not start)"
if [ -n "$missing" ]; then
  echo "python: skipped (missing: $missing; scripts/install-deps.sh --python installs them)"; exit 0
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
[ "$s" -gt 0 ] && echo "python: $s tests skipped"
echo "python: $p passed, $f failed"
[ "$f" -eq 0 ]
