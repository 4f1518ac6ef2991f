#!/usr/bin/env bash
# Runs the unit tests, the CLI end-to-end tests and the Python package's tests (skipped, and said
# so, without python3-numpy/-cffi/-pytest); ends with "total: N passed, N failed".
set -u
BUILD=${BUILD:-build}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export AUDIOSTYLE="$PWD/$BUILD/audiostyle"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$BUILD/test_runner" "$@" 2>&1 | tee "$log"
bash tests/cli/run.sh 2>&1 | tee -a "$log"
BUILD=$BUILD bash scripts/check_python.sh 2>&1 | tee -a "$log"
p=0; f=0
while read -r a b; do p=$((p + a)); f=$((f + b)); done < <(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log")
runs=$(grep -c '^[a-z]*: [0-9]* passed, [0-9]* failed$' "$log")
if [ "$runs" -lt 2 ]; then echo "check.sh: a test runner did not finish"; f=$((f + 1)); fi
echo "total: $p passed, $f failed"
sk=$(sed -n 's/^[a-z]* skipped: \([0-9]*\) .*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
[ "$sk" -gt 0 ] && echo "total skipped: $sk (not counted as passed; see the lines above)"
[ "$f" -eq 0 ]
