# The report's genres (as_genre_classify_signal) agree with `audiostyle classify` on a track that
# is cut into windows (50 s: 0-30 and 20-50 s) and on one classified whole (35 s).
source "$ROOT/tests/cli/lib.sh"
# the tracks: a stepping, amplitude-modulated tone with a little noise (tests/cli/gen_tone.c)
${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -O2 -o "$TMPD/gen_tone" "$ROOT/tests/cli/gen_tone.c" $(pkg-config --cflags --libs sndfile) -lm \
  || fail "cannot build tests/cli/gen_tone.c"
for s in 50 35; do
  "$TMPD/gen_tone" "$TMPD/t$s.wav" "$s" || fail "cannot make the $s-s test track"
  "$AUDIOSTYLE" info --json "$TMPD/t$s.wav" | jq -e --argjson n $((s * 22050)) '.[0].samples == $n and .[0].sample_rate == 22050' >/dev/null \
    || fail "the $s-s test track is not $s s at 22050 Hz"
done
for s in 50 35; do
  f="$TMPD/t$s.wav"
  want=$("$AUDIOSTYLE" classify "$f" | sed 's/^[^:]*: //') || fail "classify $f"
  [ -n "$want" ] || fail "classify printed nothing for $f"
  "$AUDIOSTYLE" compare "$f" "$ROOT/examples/rock_sectoid_feelings.flac" "$ROOT/examples/rock_sectoid_feelings.flac" \
    -o "$TMPD/r$s.html" --quiet || fail "compare $f"
  got=$(grep -o '<ol>.*</ol>' "$TMPD/r$s.html" | head -1 | sed 's|</li><li>|, |g; s/<[^>]*>//g')
  [ "$got" = "$want" ] || fail "$s s: report says '$got', classify says '$want'"
done
exit 0
