# Usage errors exit 2; --help exits 0.
source "$ROOT/tests/cli/lib.sh"
expect_fail 2 "$AUDIOSTYLE" info >/dev/null || exit 1
expect_fail 2 "$AUDIOSTYLE" info --bogus "$ROOT/examples/rock_sectoid_feelings.flac" >/dev/null || exit 1
"$AUDIOSTYLE" info --help | grep -q 'usage: audiostyle info' || fail "--help"
# a file named like an option after --
cp "$ROOT/examples/rock_sectoid_feelings.flac" "$TMPD/-x.flac"
(cd "$TMPD" && "$AUDIOSTYLE" info -- -x.flac) | grep -q '^file: -x.flac$' || fail "-- handling"
exit 0
