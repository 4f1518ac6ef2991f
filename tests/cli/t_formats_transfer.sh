# transfer writes .mp3 and .opus (tiny job; an M4A content, a WebM style): the result decodes to
# exactly the content's 2 s (44100 samples at 22050 Hz; Opus: 48000 at its 24 kHz), its peak
# under full scale (the -1 dBFS ceiling plus a lossy codec's overshoot, measured up to 0.55 dB);
# --bitrate sets the bitrate (file size), is refused out of range or for WAV before any work
# (exit 2), and nothing is left behind.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
C=$ROOT/tests/ref/formats/aac.m4a; S=$ROOT/tests/ref/formats/opus_vp8.webm
run() { "$A" transfer "$C" "$S" --filters 16 --iterations 3 --griffin-lim-iterations 4 --threads 1 --quiet \
          --no-picture "$@"; }
run -o "$TMPD/r.mp3" || fail "mp3"
run -o "$TMPD/r64.mp3" --bitrate 64 || fail "mp3 64"
run -o "$TMPD/r.opus" || fail "opus"
for f in r.mp3 r64.mp3 r.opus; do
  info=$("$A" info "$TMPD/$f") || fail "info $f"
  # Opus is coded at 24 kHz (48000 samples for 2 s); the others at 22050 Hz
  grep -qx 'duration: 2.000 s' <<<"$info" || fail "$f: length: $info"
  grep -qxE 'samples: (44100|48000)' <<<"$info" || fail "$f: length: $info"
  peak=$(sed -n 's/^peak: \(.*\) dBFS$/\1/p' <<<"$info")
  awk -v p="$peak" 'BEGIN { exit !(p <= 0) }' || fail "$f: peak $peak dBFS"
done
grep -qx 'format: MP3' <<<"$("$A" info "$TMPD/r.mp3")" || fail "not MP3"
grep -qx 'format: OGG (Opus)' <<<"$("$A" info "$TMPD/r.opus")" || fail "not Opus"
# 160 kbit/s for 2 s is ~40 KB, 64 kbit/s ~16 KB
b160=$(stat -c %s "$TMPD/r.mp3"); b64=$(stat -c %s "$TMPD/r64.mp3")
[ "$b160" -gt 36000 ] && [ "$b160" -lt 46000 ] || fail "160 kbit/s MP3 is $b160 bytes"
[ "$b64" -gt 14000 ] && [ "$b64" -lt 19000 ] || fail "64 kbit/s MP3 is $b64 bytes"
mkdir "$TMPD/o"
for args in "-o $TMPD/o/x.mp3 --bitrate 192" "-o $TMPD/o/x.mp3 --bitrate 4" "-o $TMPD/o/x.opus --bitrate 300" \
            "-o $TMPD/o/x.wav --bitrate 128" "-o $TMPD/o/x.m4a"; do
  # shellcheck disable=SC2086
  err=$(expect_fail 2 "$A" transfer "$C" "$S" --filters 16 --iterations 3 --quiet $args) || exit 1
done
[ -z "$(ls -A "$TMPD/o")" ] || fail "left behind: $(ls -A "$TMPD/o")"
exit 0
