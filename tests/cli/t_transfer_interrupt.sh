# Ctrl-C (SIGINT) or SIGTERM stops a run cleanly: exit 130, no output and no temporary file;
# with --save-on-interrupt the result so far is rendered and written. The signal is sent once the
# run is optimising (its first progress line on AUDIOSTYLE_PROGRESS_FD, the server's progress
# stream), not after a fixed sleep: a slow machine (or a sanitizer build) still gets it mid-run.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
args=(--filters 32 --content-duration 2 --style-duration 2 --optimizer adam --learning-rate 0.01
      --patience 0 --iterations 1000000 --griffin-lim-iterations 4 --threads 1)
# wait_optimising PID FILE: until FILE has an "optimize" progress line (at most 120 s)
wait_optimising() {
  local i
  for i in $(seq 1 1200); do
    grep -q '"stage": "optimize"' "$2" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || fail "the transfer ended before optimising: $(cat "$TMPD"/err*)"
    sleep 0.1
  done
  fail "no progress line in 120 s"
}
AUDIOSTYLE_PROGRESS_FD=3 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/int.wav" "${args[@]}" 2>"$TMPD/err1" 3>"$TMPD/prog1" &
pid=$!
wait_optimising "$pid" "$TMPD/prog1"
kill -INT "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc, expected 130: $(cat "$TMPD/err1")"
grep -q 'interrupted' "$TMPD/err1" || fail "no message: $(cat "$TMPD/err1")"
[ ! -e "$TMPD/int.wav" ] && [ ! -e "$TMPD/int.png" ] || fail "SIGINT left output: $(ls "$TMPD")"
AUDIOSTYLE_PROGRESS_FD=3 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/save.wav" "${args[@]}" --save-on-interrupt 2>"$TMPD/err2" 3>"$TMPD/prog2" &
pid=$!
wait_optimising "$pid" "$TMPD/prog2"
kill -TERM "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 130 ] || fail "SIGTERM with --save-on-interrupt: exit $rc: $(cat "$TMPD/err2")"
[ -s "$TMPD/save.wav" ] || fail "--save-on-interrupt wrote nothing: $(cat "$TMPD/err2")"
grep -q '^samples: 44100$' <<<"$("$AUDIOSTYLE" info "$TMPD/save.wav")" || fail "saved length"
rm -f "$TMPD/prog1" "$TMPD/prog2"
no_tmp_files "$TMPD"
exit 0
