#!/usr/bin/env bash
# Runs the unit tests, the CLI end-to-end tests and the Python package's tests (skipped, and said
# so, without python3-numpy/-cffi/-pytest); ends with "total: N passed, N failed, N skipped" and
# the skipped tests with their reasons. A skipped test never counts as passed; with CI=true a skip
# not listed in tests/skips-allowed fails the run (scripts/check_skips.sh).
set -u
BUILD=${BUILD:-build}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export AUDIOSTYLE="$PWD/$BUILD/audiostyle"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$BUILD/test_runner" "$@" 2>&1 | tee "$log"
bash tests/cli/run.sh 2>&1 | tee -a "$log"
BUILD=$BUILD bash scripts/check_python.sh 2>&1 | tee -a "$log"
p=0; f=0; s=0
re='^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$'
while read -r a b c; do p=$((p + a)); f=$((f + b)); s=$((s + c)); done < <(sed -n "s/$re/\1 \2 \3/p" "$log")
runs=$(grep -c "$re" "$log")
if [ "$runs" -lt 3 ]; then echo "check.sh: a test runner did not finish ($runs of 3 summaries)"; f=$((f + 1)); fi
echo "total: $p passed, $f failed, $s skipped"
if [ "$s" -gt 0 ]; then
  echo "skipped (not counted as passed):"
  bash scripts/check_skips.sh "$log" || f=$((f + 1))
fi
[ "$f" -eq 0 ]
