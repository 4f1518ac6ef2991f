#!/usr/bin/env bash
# Bad inputs: exit 1 with one line naming the file and no output; usage errors exit 2.
source "$ROOT/tests/cli/lib.sh"
in="$ROOT/examples/techno_torustrooper_tt1.flac"
out="$TMPD/out.png"

msg=$(expect_fail 1 "$AUDIOSTYLE" spectrogram "$TMPD/missing.wav" -o "$out")
[ "$(printf '%s\n' "$msg" | grep -vc '^hint:')" -eq 1 ] || fail "more than one error line: $msg"
printf '%s' "$msg" | grep -q "missing.wav" || fail "message does not name the file: $msg"
[ ! -e "$out" ] || fail "output left behind"

printf 'this is not audio\n' > "$TMPD/fake.wav"
msg=$(expect_fail 1 "$AUDIOSTYLE" spectrogram "$TMPD/fake.wav" -o "$out")
printf '%s' "$msg" | grep -q "fake.wav" || fail "message does not name the file: $msg"
[ ! -e "$out" ] || fail "output left behind"

msg=$(expect_fail 1 "$AUDIOSTYLE" spectrogram "$in" -o "$TMPD/no/such/dir/out.png")
printf '%s' "$msg" | grep -q "out.png" || fail "message does not name the output: $msg"

expect_fail 2 "$AUDIOSTYLE" spectrogram "$in" >/dev/null                       # no -o
expect_fail 2 "$AUDIOSTYLE" spectrogram -o "$out" >/dev/null                   # no input
expect_fail 2 "$AUDIOSTYLE" spectrogram "$in" -o "$out" --mel --log-frequency >/dev/null
expect_fail 2 "$AUDIOSTYLE" spectrogram "$in" -o "$out" --cmap jet >/dev/null
expect_fail 2 "$AUDIOSTYLE" spectrogram "$in" -o "$out" --width abc >/dev/null
[ ! -e "$out" ] || fail "output left behind"
no_tmp_files "$TMPD"
"$AUDIOSTYLE" spectrogram --help | grep -q "log-frequency" || fail "--help does not list the options"
