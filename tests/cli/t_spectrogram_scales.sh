#!/usr/bin/env bash
# audiostyle spectrogram on an example clip, all three frequency scales: a PNG at least 1000 px
# wide (read from the IHDR chunk), nothing else left in the folder.
source "$ROOT/tests/cli/lib.sh"
in="$ROOT/examples/techno_torustrooper_tt1.flac"
png_dim() { # prints "W H" from the PNG header
  od -An -tu1 -j16 -N8 "$1" | awk '{printf "%d %d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
for opt in "" --mel --log-frequency; do
  out="$TMPD/spec${opt}.png"
  "$AUDIOSTYLE" spectrogram "$in" -o "$out" $opt --title "scale ${opt:-linear}" || fail "spectrogram $opt failed"
  [ -s "$out" ] || fail "no output for $opt"
  sig=$(od -An -tx1 -N8 "$out" | tr -d ' \n')
  [ "$sig" = "89504e470d0a1a0a" ] || fail "$out is not a PNG (signature $sig)"
  read -r w h < <(png_dim "$out")
  [ "$w" -ge 1000 ] || fail "$opt: width $w < 1000"
  [ "$h" -ge 400 ] || fail "$opt: height $h < 400"
done
# Size, colormap and a window of the file.
"$AUDIOSTYLE" spectrogram "$in" -o "$TMPD/small.png" --width 640 --height 360 --cmap viridis \
  --offset 2 --duration 3 --db-range 60 || fail "options failed"
read -r w h < <(png_dim "$TMPD/small.png")
[ "$w" -eq 640 ] && [ "$h" -eq 360 ] || fail "asked for 640x360, got ${w}x${h}"
no_tmp_files "$TMPD"
[ "$(ls "$TMPD" | wc -l)" -eq 4 ] || fail "unexpected files: $(ls "$TMPD")"
