#!/usr/bin/env bash
# make check-tsan: the library's threads under ThreadSanitizer (BUILD=build-tsan SAN=tsan).
#   1. every unit test (tests/test_threads.c: two transfers at once through the API, Griffin-Lim
#      on 2 worker threads and two Griffin-Lims sharing one STFT, features + classify in two
#      threads with one shared model; the rest run single-threaded but instrumented)
#   2. `audiostyle features --jobs 2` on examples/, on the hostile corpus (tests/bad) and on 48
#      copies of its files that fail to open
#   3. `audiostyle transfer --threads 2 --report` (Griffin-Lim's 2 workers, OpenBLAS's pool at 2)
#   4. tests/cli/t_serve_api.sh against the TSan build of `audiostyle serve`
# Every report goes to a file of its own (TSAN_OPTIONS log_path), never into a test's captured
# stderr; the run fails when any exists, whatever the exit codes. tests/tsan.supp lists the
# suppressions (each with its reason: only reports inside Debian's uninstrumented libraries).
# Ends with "tsan: N passed, N failed, N skipped" and "total: ..." (.ci/run adds it up).
set -u
BUILD=${BUILD:-build-tsan}
A="$PWD/$BUILD/audiostyle"
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/reports"
export TSAN_OPTIONS="log_path=$work/reports/tsan exitcode=66 halt_on_error=0 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp ${TSAN_EXTRA:-}"
start=$(date +%s)
p=0; f=0
step() { # step NAME CMD...: runs CMD, counts it, shows its output's tail on failure
  local name=$1 t0 rc; shift
  t0=$(date +%s)
  "$@" >"$work/out" 2>&1; rc=$?
  if [ "$rc" -eq 0 ]; then p=$((p + 1)); printf '  ok   tsan/%s (%d s)\n' "$name" $(($(date +%s) - t0))
  else f=$((f + 1)); printf '  FAIL tsan/%s (exit %d)\n' "$name" "$rc"; tail -n 20 "$work/out" | sed 's/^/    /'; fi
}

echo "--- unit tests under TSan ---"
"$BUILD/test_runner" 2>&1 | tee "$work/unit.log" | grep -E '^  (FAIL|skip)|^unit:|^SKIPPED'
unit_rc=${PIPESTATUS[0]}
grep -q '^unit: ' "$work/unit.log" || { echo "check_tsan.sh: the unit runner did not finish"; f=$((f + 1)); }

echo "--- CLI under TSan ---"
cp examples/*.flac "$work/"
mkdir -p "$work/ex" && mv "$work"/*.flac "$work/ex/"
step features_jobs2_examples "$A" features "$work/ex" -o "$work/ex.csv" --jobs 2 --quiet
[ -f "$work/ex.csv" ] && [ "$(wc -l < "$work/ex.csv")" -eq 5 ] || { f=$((f + 1)); echo "  FAIL tsan/features_jobs2_examples: not 4 rows"; }
bash tests/bad/make_bad.sh "$work/bad" >/dev/null 2>&1
# the hostile corpus fails file by file (exit 1), never with a crash, a hang or a report
features_bad() { "$A" features "$work/bad" -o "$work/bad.csv" --jobs 2 --quiet; [ $? -eq 1 ]; }
step features_jobs2_hostile features_bad
# many failing opens at once (libsndfile's process-wide open error: src/audio/audio.h)
mkdir -p "$work/failing"
for k in 1 2 3 4 5 6 7 8; do
  for b in random.wav random.mp3 random.flac text.mp3 trunc_header.wav rate0.wav; do
    [ -e "$work/bad/$b" ] && cp "$work/bad/$b" "$work/failing/$k-$b"
  done
done
features_failing() { "$A" features "$work/failing" -o "$work/failing.csv" --jobs 2 --quiet 2>/dev/null; [ $? -eq 1 ]; }
step features_jobs2_failing_opens features_failing
step transfer_threads2 "$A" transfer examples/rock_sectoid_feelings.flac examples/techno_torustrooper_tt1.flac \
  -o "$work/t.wav" --report "$work/t.html" --filters 16 --content-duration 1 --style-duration 1 \
  --iterations 3 --griffin-lim-iterations 6 --threads 2 --no-genres --quiet
# the server: libmicrohttpd's threads, job threads, transfer children (tests/cli/t_serve_api.sh)
serve_api() { AUDIOSTYLE="$A" CLI_FILTER=t_serve_api bash tests/cli/run.sh; }
step serve_api serve_api

n=$(find "$work/reports" -type f | wc -l)
if [ "$n" -gt 0 ]; then
  f=$((f + 1))
  echo "check_tsan.sh: $n ThreadSanitizer report file(s):"
  for r in "$work/reports"/*; do echo "== $r"; head -n 60 "$r"; done
fi
up=$(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$work/unit.log")
read -r up uf us <<<"${up:-0 0 0}"
[ "$unit_rc" -ne 0 ] && [ "$uf" -eq 0 ] && f=$((f + 1)) # the runner failed without a failed test
echo "tsan: $n reports in $(($(date +%s) - start)) s"
echo "tsan: $((p + up)) passed, $((f + uf)) failed, $us skipped"
if [ "$us" -gt 0 ]; then
  echo "skipped (not counted as passed):"
  SAN=tsan bash scripts/check_skips.sh "$work/unit.log" || f=$((f + 1))
fi
echo "total: $((p + up)) passed, $((f + uf)) failed, $us skipped"
[ "$f" -eq 0 ] && [ "$uf" -eq 0 ]
