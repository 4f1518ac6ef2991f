#!/usr/bin/env bash
# A file that cannot be read is named on stderr and skipped (exit 1, the others still written);
# usage errors exit 2; no temporary files are left; a failed run leaves no output file.
source "$ROOT/tests/cli/lib.sh"
mkdir -p "$TMPD/in"
cp "$ROOT/examples/techno_torustrooper_tt1.flac" "$TMPD/in/"
printf 'RIFF....WAVEjunk' > "$TMPD/in/broken.wav"
err=$(expect_fail 1 "$AUDIOSTYLE" features "$TMPD/in" -o "$TMPD/out.csv" --quiet)
printf '%s\n' "$err" | grep -q 'broken.wav' || fail "the broken file is not named: $err"
[ "$(printf '%s\n' "$err" | grep -c 'broken.wav')" -eq 1 ] || fail "more than one line about broken.wav"
[ "$(wc -l < "$TMPD/out.csv")" -eq 2 ] || fail "the readable file's row is missing"
grep -q broken "$TMPD/out.csv" && fail "a row for the broken file"
no_tmp_files "$TMPD"
expect_fail 2 "$AUDIOSTYLE" features "$TMPD/in" >/dev/null
expect_fail 2 "$AUDIOSTYLE" features -o "$TMPD/x.csv" >/dev/null
expect_fail 2 "$AUDIOSTYLE" features "$TMPD/in" -o "$TMPD/x.csv" --jobs 0 >/dev/null
expect_fail 2 "$AUDIOSTYLE" features "$TMPD/in" -o "$TMPD/x.csv" --segments x >/dev/null
expect_fail 2 "$AUDIOSTYLE" features "$TMPD/in" -o "$TMPD/x.csv" --bogus >/dev/null
expect_fail 1 "$AUDIOSTYLE" features "$TMPD/nope.wav" -o "$TMPD/x.csv" >/dev/null
# an output folder that does not exist: one message, nothing written
expect_fail 1 "$AUDIOSTYLE" features "$TMPD/in/techno_torustrooper_tt1.flac" -o "$TMPD/no/dir/x.csv" --quiet >/dev/null
[ ! -e "$TMPD/x.csv" ] || fail "output written on failure"
"$AUDIOSTYLE" features --help | grep -q segments || fail "--help"
no_tmp_files "$TMPD"
