# The report's genres (as_genre_classify_signal) agree with `audiostyle classify` on a track that
# is cut into windows (50 s: 0-30 and 20-50 s) and on one classified whole (35 s).
source "$ROOT/tests/cli/lib.sh"
python3 - "$TMPD" <<'PY' || fail "cannot make the test tracks"
import math, random, struct, sys, wave
random.seed(1)
for secs in (50, 35):
    n = secs * 22050
    fr = bytearray()
    for i in range(n):
        t = i / 22050
        x = 0.3 * math.sin(2 * math.pi * (110 + 40 * math.floor(t / 7)) * t) * (0.5 + 0.5 * math.sin(2 * math.pi * 2 * t)) \
            + 0.05 * random.uniform(-1, 1)
        fr += struct.pack('<h', int(round(x * 32767)))
    w = wave.open(f"{sys.argv[1]}/t{secs}.wav", "wb")
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(bytes(fr)); w.close()
PY
for s in 50 35; do
  f="$TMPD/t$s.wav"
  want=$("$AUDIOSTYLE" classify "$f" | sed 's/^[^:]*: //') || fail "classify $f"
  "$AUDIOSTYLE" compare "$f" "$ROOT/examples/rock_sectoid_feelings.flac" "$ROOT/examples/rock_sectoid_feelings.flac" \
    -o "$TMPD/r$s.html" --quiet || fail "compare $f"
  got=$(grep -o '<ol>.*</ol>' "$TMPD/r$s.html" | head -1 | sed 's|</li><li>|, |g; s/<[^>]*>//g')
  [ "$got" = "$want" ] || fail "$s s: report says '$got', classify says '$want'"
done
exit 0
