# audiostyle info on the FFmpeg fixtures (tests/ref/formats): container (format line) and codec
# (subtype line), rate, channels and length; a video without audio is refused with that reason;
# an unknown file's hint names the formats read; transfer/classify/features read M4A too.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
F=$ROOT/tests/ref/formats
check() { # file format subtype rate channels frames
  local out; out=$("$A" info "$F/$1" 2>&1) || fail "info $1: $out"
  grep -qx "format: $2" <<<"$out" || fail "$1: format: $out"
  grep -qx "subtype: $3" <<<"$out" || fail "$1: subtype: $out"
  grep -qx "sample_rate: $4 Hz" <<<"$out" || fail "$1: rate: $out"
  grep -qx "channels: $5" <<<"$out" || fail "$1: channels: $out"
  grep -qx "samples: $6" <<<"$out" || fail "$1: samples: $out"
}
check aac.m4a MP4/M4A AAC 22050 1 44100
check alac.m4a MP4/M4A ALAC 22050 1 44100
check h264_aac.mp4 MP4/M4A AAC 22050 1 44100
check wma.wma ASF "WMA v2" 44100 2 88064
check opus_vp8.webm Matroska/WebM Opus 48000 1 96324
json=$("$A" info --json "$F/aac.m4a") || fail "info --json"
jq -e '.[0].format == "MP4/M4A" and .[0].subtype == "AAC" and .[0].samples == 44100' <<<"$json" >/dev/null \
  || fail "json: $json"
err=$(expect_fail 1 "$A" info "$F/video_only.mp4") || exit 1
grep -q "^audiostyle: $F/video_only.mp4: MP4/M4A file with no audio stream" <<<"$err" || fail "video only: $err"
printf 'not audio at all\n%.0s' $(seq 1 50) > "$TMPD/x.m4a"
err=$(expect_fail 1 "$A" info "$TMPD/x.m4a") || exit 1
grep -q "^hint: .*M4A/MP4 (AAC, ALAC), WMA, Matroska/WebM" <<<"$err" || fail "hint: $err"
out=$("$A" classify "$F/aac.m4a" "$F/alac.m4a" "$F/wma.wma" 2>&1) || fail "classify: $out"
[ "$(grep -c '%' <<<"$out")" -eq 3 ] || fail "classify: $out"
"$A" features "$F/alac.m4a" -o "$TMPD/f.csv" --quiet || fail "features on ALAC"
[ "$(wc -l < "$TMPD/f.csv")" -eq 2 ] || fail "features: $(cat "$TMPD/f.csv")"
exit 0
