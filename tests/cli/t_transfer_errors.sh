# Input errors name the file (exit 1), usage errors exit 2, a job that does not fit in memory is
# refused before any work with the figure and a hint; nothing is written in any of these cases.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$TMPD/missing.wav" "$S" -o "$TMPD/o.wav") || exit 1
[[ "$(head -n 1 <<<"$err")" == "audiostyle: $TMPD/missing.wav: "* ]] || fail "does not name the content: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$TMPD/missing.wav" -o "$TMPD/o.wav") || exit 1
[[ "$(head -n 1 <<<"$err")" == "audiostyle: $TMPD/missing.wav: "* ]] || fail "does not name the style: $err"
printf 'not audio' > "$TMPD/text.wav"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$TMPD/text.wav" -o "$TMPD/o.wav") || exit 1
grep -q "$TMPD/text.wav" <<<"$err" || fail "bad style not named: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" --content-duration 0.05) || exit 1
grep -q "$C: too short" <<<"$err" || fail "short content: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" --max-memory 50) || exit 1
grep -qE 'needs about [0-9]+ MB' <<<"$err" || fail "memory refusal without the figure: $err"
grep -q '^hint: ' <<<"$err" || fail "memory refusal without a hint: $err"
err=$(expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/nofolder/o.wav") || exit 1
grep -q "$TMPD/nofolder/o.wav: cannot write" <<<"$err" || fail "unwritable output folder: $err"
expect_fail 2 "$AUDIOSTYLE" transfer "$C" "$S" >/dev/null || exit 1
expect_fail 2 "$AUDIOSTYLE" transfer "$C" -o "$TMPD/o.wav" >/dev/null || exit 1
expect_fail 2 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.mp4" >/dev/null || exit 1
expect_fail 2 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" --filters 0 >/dev/null || exit 1
expect_fail 2 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" --padding full >/dev/null || exit 1
expect_fail 2 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" --bogus >/dev/null || exit 1
"$AUDIOSTYLE" transfer --help | grep -q -- '-1 dBFS' || fail "--help does not mention the peak limit"
[ -z "$(ls -A "$TMPD" | grep -v '^text.wav$')" ] || fail "files written: $(ls -A "$TMPD")"
exit 0
