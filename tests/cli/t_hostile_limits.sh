#!/usr/bin/env bash
# Limits: --max-duration in info/spectrogram/features (refusal names the file and the option);
# features refuses what cannot fit in memory (MemAvailable, overridden by AUDIOSTYLE_MEMAVAIL_MB
# here) before any work; a header declaring 4 GB on a 4 KB file keeps every command's peak RSS
# small; SIGTERM in the middle of a features run leaves no table and no temporary file.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
EX=$ROOT/examples/rock_sectoid_feelings.flac
bash "$ROOT/tests/bad/make_bad.sh" "$TMPD/bad" >/dev/null || fail "make_bad.sh failed"

# --max-duration: the 10-s example is refused at 5 s and accepted at 11 s
err=$(expect_fail 1 "$A" info --max-duration 5 "$EX") || exit 1
grep -q "rock_sectoid_feelings.flac.*more than the 5 s" <<<"$err" || fail "info: $err"
grep -q -- "--max-duration" <<<"$err" || fail "info: no hint: $err"
"$A" info --max-duration 11 "$EX" >/dev/null || fail "info --max-duration 11"
err=$(expect_fail 1 "$A" spectrogram "$EX" -o "$TMPD/s.png" --max-duration 5) || exit 1
grep -q "rock_sectoid_feelings.flac" <<<"$(head -n 1 <<<"$err")" || fail "spectrogram: $err"
[ ! -e "$TMPD/s.png" ] || fail "spectrogram left s.png"
err=$(expect_fail 1 "$A" features "$EX" -o "$TMPD/f.csv" --max-duration 5 --quiet) || exit 1
grep -q "rock_sectoid_feelings.flac.*more than the 5 s" <<<"$(head -n 1 <<<"$err")" || fail "features: $err"
[ ! -e "$TMPD/f.csv" ] || fail "features left f.csv"
expect_fail 2 "$A" features "$EX" -o "$TMPD/f.csv" --max-duration -1 >/dev/null || exit 1
"$A" features "$EX" -o "$TMPD/f.csv" --max-duration 0 --quiet || fail "features --max-duration 0"
rm -f "$TMPD/f.csv"

# memory: 10 s needs ~14 MB; with 5 MB "available" the file is refused with the numbers and a hint
err=$(AUDIOSTYLE_MEMAVAIL_MB=5 expect_fail 1 "$A" features "$EX" -o "$TMPD/f.csv" --quiet) || exit 1
grep -q "rock_sectoid_feelings.flac: the features need about [0-9]* MB of memory, 5 MB is available" <<<"$err" \
  || fail "memory refusal: $err"
grep -q "^hint: --segments" <<<"$err" || fail "memory refusal without hint: $err"
[ ! -e "$TMPD/f.csv" ] || fail "memory refusal left f.csv"
# enough for one file at a time but not two: runs with fewer jobs and says so
AUDIOSTYLE_MEMAVAIL_MB=20 "$A" features "$ROOT/examples" -o "$TMPD/f.csv" --jobs 2 2>"$TMPD/err" \
  || fail "features with 20 MB: $(cat "$TMPD/err")"
grep -q "1 file(s) at a time" "$TMPD/err" || fail "no fewer-jobs note: $(cat "$TMPD/err")"
[ "$(wc -l < "$TMPD/f.csv")" -eq 5 ] || fail "features with 20 MB: $(wc -l < "$TMPD/f.csv") lines"
rm -f "$TMPD/f.csv"

# bounded reads: 4 GB declared on a 4 KB file. Peak RSS from /usr/bin/time (KB); sanitizer builds
# reserve shadow memory, so only a plain build is held to the limit.
if [ -x /usr/bin/time ] && ! ldd "$A" 2>/dev/null | grep -q 'libasan'; then
  for args in "info @" "spectrogram @ -o $TMPD/h.png" "features @ -o $TMPD/h.csv --quiet" "classify @"; do
    set -- ${args/@/$TMPD/bad/huge_decl.wav}
    /usr/bin/time -f %M -o "$TMPD/rss" "$A" "$@" >/dev/null 2>&1; rc=$?
    [ "$rc" -eq 1 ] || fail "$1 on huge_decl.wav: exit $rc"
    kb=$(tail -n 1 "$TMPD/rss")
    [ "$kb" -lt 102400 ] || fail "$1 on huge_decl.wav: peak RSS $kb KB (limit 100 MB)"
    echo "$1 huge_decl.wav: peak RSS $((kb / 1024)) MB"
  done
  # an MP4 declaring 1193 hours (2 s inside), with and without the duration limit: it loads
  for args in "info @" "info @ --max-duration 0" "classify @" "spectrogram @ -o $TMPD/h.png --max-duration 0"; do
    set -- ${args/@/$TMPD/bad/huge_dur.mp4}
    /usr/bin/time -f %M -o "$TMPD/rss" "$A" "$@" >/dev/null 2>"$TMPD/err"; rc=$?
    [ "$rc" -eq 0 ] || fail "$* : exit $rc: $(cat "$TMPD/err")"
    kb=$(tail -n 1 "$TMPD/rss")
    [ "$kb" -lt 102400 ] || fail "$1 on huge_dur.mp4: peak RSS $kb KB (limit 100 MB)"
    echo "$1 huge_dur.mp4: peak RSS $((kb / 1024)) MB"
  done
fi

# SIGTERM mid-run: 400 files one at a time (~20 ms each at -O2, more under ASan). TERM once the
# run is extracting: its SIGTERM handler is installed (SigCgt in /proc/PID/status, set just before
# the workers start) and a worker thread exists, not after a fixed sleep
mkdir -p "$TMPD/many"
for i in $(seq -w 1 400); do ln -s "$EX" "$TMPD/many/f$i.flac"; done
mkdir -p "$TMPD/o"
OPENBLAS_NUM_THREADS=1 "$A" features "$TMPD/many" -o "$TMPD/o/out.csv" --jobs 1 --quiet 2>"$TMPD/err" &
pid=$!
for i in $(seq 1 1200); do
  cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
  threads=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
  [ -n "$cgt" ] && (( (16#$cgt >> 14) & 1 )) && [ "$threads" -ge 2 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -TERM "$pid"
t0=$(date +%s)
wait "$pid"; rc=$?
t1=$(date +%s)
[ "$rc" -ne 0 ] || fail "features finished normally before the signal (machine too fast for this test?)"
[ "$rc" -lt 128 ] || fail "features was killed by the signal instead of stopping (exit $rc)"
grep -q "interrupted; .*out.csv not written" "$TMPD/err" || fail "no interrupted message: $(cat "$TMPD/err")"
[ $((t1 - t0)) -le 10 ] || fail "features took $((t1 - t0)) s to stop"
[ -z "$(ls -A "$TMPD/o")" ] || fail "left behind after SIGTERM: $(ls -A "$TMPD/o")"
exit 0
