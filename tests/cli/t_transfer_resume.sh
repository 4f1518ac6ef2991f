# Checkpoint and resume: runs killed (SIGKILL) at several moments and resumed with --resume give
# the same bits (cmp) as an uninterrupted run; a checkpoint of other options or inputs is refused
# naming the difference; the checkpoint is removed after success; Ctrl-C leaves it.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
K="$TMPD/job.ckpt"
args=(--filters 32 --content-duration 3 --style-duration 3 --iterations 24 --griffin-lim-iterations 1500
      --precision fp32 --threads 1 --checkpoint "$K" --checkpoint-every 0 --no-picture --no-genres)
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/ref.wav" "${args[@]}" --checkpoint-every 30 2>"$TMPD/err0" \
  || fail "uninterrupted run: $(cat "$TMPD/err0")"
[ ! -e "$K" ] || fail "the checkpoint was not removed after success"
grep -q "checkpoint $K" "$TMPD/err0" || fail "no checkpoint line: $(cat "$TMPD/err0")"

# kill_at STAGE N OUT: runs the job into OUT and waits (at most 60 s) until the run's progress stream shows STAGE at
# iteration >= N, then SIGKILLs it
kill_at() {
  local stage=$1 n=$2 out=$3 i
  : > "$TMPD/prog"
  AUDIOSTYLE_PROGRESS_FD=3 "$AUDIOSTYLE" transfer "$C" "$S" -o "$out" "${args[@]}" --force \
    3>"$TMPD/prog" 2>"$TMPD/err1" &
  local pid=$!
  for i in $(seq 1 600); do
    jq -c --arg s "$stage" --argjson n "$n" 'select(.stage == $s and .iteration >= $n)' "$TMPD/prog" \
      2>/dev/null | grep -q . && break
    kill -0 "$pid" 2>/dev/null || fail "the run ended before its kill at $stage $n: $(cat "$TMPD/err1")"
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ -s "$K" ] || fail "no checkpoint after the kill at $stage $n: $(cat "$TMPD/err1")"
}
for at in "optimize 2" "optimize 13" "optimize 23" "griffin-lim 10"; do
  set -- $at
  rm -f "$TMPD/res.wav"
  kill_at "$1" "$2" "$TMPD/res.wav"
  [ ! -e "$TMPD/res.wav" ] || fail "a killed run wrote its output"
  "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/res.wav" "${args[@]}" --resume 2>"$TMPD/err2" \
    || fail "resume after a kill at $at: $(cat "$TMPD/err2")"
  grep -q "resuming from the checkpoint" "$TMPD/err2" || fail "no resume line: $(cat "$TMPD/err2")"
  cmp "$TMPD/ref.wav" "$TMPD/res.wav" || fail "resumed after a kill at $at: not the same bits"
  [ ! -e "$K" ] || fail "the checkpoint was not removed after the resumed run"
done
no_tmp_files "$TMPD"

# refusals: another option, another content, no checkpoint, an existing one without --resume
kill_at optimize 5 "$TMPD/x.wav"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/x.wav" "${args[@]}" --resume --filters 16) || exit 1
grep -q "made with other settings: --filters 32 (now 16)" <<<"$err" || fail "other option: $err"
grep -q "$K" <<<"$err" || fail "the message does not name the checkpoint: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$S" "$S" -o "$TMPD/x.wav" "${args[@]}" --resume) || exit 1
grep -q "content-file rock_sectoid_feelings.flac (now techno_torustrooper_tt1.flac)" <<<"$err" || fail "other content: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/x.wav" "${args[@]}" --content-offset 1 --resume) || exit 1
grep -q "content-offset 0 (now 1)" <<<"$err" || fail "other excerpt: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/x.wav" "${args[@]}") || exit 1
grep -q "add --resume to continue it" <<<"$err" || fail "existing checkpoint without --resume: $err"
# cosmetic options may change: the result's name, --quiet
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/y.wav" "${args[@]}" --resume --quiet 2>"$TMPD/err3" \
  || fail "resume with another output name: $(cat "$TMPD/err3")"
cmp "$TMPD/ref.wav" "$TMPD/y.wav" || fail "resumed under another name: not the same bits"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/z.wav" "${args[@]}" --resume) || exit 1
grep -q "no checkpoint to resume from" <<<"$err" || fail "resume without a checkpoint: $err"
expect_fail 2 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/z.wav" --checkpoint "$K" --no-checkpoint >/dev/null || exit 1

# Ctrl-C leaves the checkpoint and says how to resume
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/int.wav" "${args[@]}" --iterations 100000 --stop-decrease 0 2>"$TMPD/err4" &
pid=$!
for i in $(seq 1 300); do [ -s "$K" ] && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid"; rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc: $(cat "$TMPD/err4")"
[ -s "$K" ] || fail "Ctrl-C removed the checkpoint"
grep -q "with --resume continues it" "$TMPD/err4" || fail "no resume hint after Ctrl-C: $(cat "$TMPD/err4")"
exit 0
