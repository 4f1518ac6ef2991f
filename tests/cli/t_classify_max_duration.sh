# classify refuses a file longer than --max-duration with one line naming it; 0 lifts the limit.
source "$ROOT/tests/cli/lib.sh"
f="$ROOT/examples/rock_sectoid_feelings.flac"
msg=$(expect_fail 1 "$AUDIOSTYLE" classify "$f" --max-duration 5)
echo "$msg" | head -1 | grep -q "rock_sectoid_feelings.flac" || fail "message does not name the file: $msg"
"$AUDIOSTYLE" classify "$f" --max-duration 0 >/dev/null || fail "--max-duration 0 should lift the limit"
"$AUDIOSTYLE" classify "$f" --max-duration 11 >/dev/null || fail "a 10-s file is within 11 s"
expect_fail 2 "$AUDIOSTYLE" classify "$f" --max-duration abc >/dev/null
