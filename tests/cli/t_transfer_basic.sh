# audiostyle transfer on two bundled clips, tiny configuration: writes OUT (exactly the content's
# length, 22050 Hz mono, peak <= -1 dBFS) and OUT.png; --json has the run's numbers; the losses
# went down; nothing temporary is left.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
json=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/out.wav" --filters 64 --content-duration 2 \
       --style-duration 3 --iterations 20 --griffin-lim-iterations 8 --threads 1 --json 2>"$TMPD/err") \
  || fail "transfer exited $?: $(cat "$TMPD/err")"
[ -s "$TMPD/out.wav" ] || fail "no output"
[ -s "$TMPD/out.png" ] || fail "no picture"
grep -q 'estimate' "$TMPD/err" || fail "no estimate on stderr: $(cat "$TMPD/err")"
for k in evaluations iterations optimize_seconds seconds_per_evaluation griffin_lim_seconds \
         content_loss style_loss spectral_convergence peak_rss_mb; do
  grep -q "\"$k\": [0-9]" <<<"$json" || fail "--json lacks $k: $json"
done
info=$("$AUDIOSTYLE" info "$TMPD/out.wav") || fail "info on the output failed"
grep -q '^samples: 44100$' <<<"$info" || fail "length is not the content's 44100 samples: $info"
grep -q '^sample_rate: 22050 Hz$' <<<"$info" || fail "rate: $info"
peak=$(sed -n 's/^peak: \(.*\) dBFS$/\1/p' <<<"$info")
awk -v p="$peak" 'BEGIN { exit !(p <= -0.99) }' || fail "peak $peak dBFS above -1 dBFS"
rss=$(sed -n 's/.*"peak_rss_mb": \([0-9.e+-]*\).*/\1/p' <<<"$json")
est=$(sed -n 's/.*"estimated_memory_mb": \([0-9.e+-]*\).*/\1/p' <<<"$json")
# (1.5x: sanitizer builds add shadow memory; a plain build measures about half the estimate here)
awk -v a="$rss" -v b="$est" 'BEGIN { exit !(a > 0 && a <= 1.5 * b) }' || fail "peak RSS $rss MB far above the estimate $est MB"
ini=$(sed -n 's/.*"initial_style_loss": \([0-9.e+-]*\).*/\1/p' <<<"$json")
fin=$(sed -n 's/.*"style_loss": \([0-9.e+-]*\).*/\1/p' <<<"$json")
awk -v a="$ini" -v b="$fin" 'BEGIN { exit !(b < 0.1 * a) }' || fail "style loss $ini -> $fin did not fall"
# whole tracks by default, --quiet prints nothing, --no-picture writes no PNG, FLAC output
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/whole.flac" --filters 16 --iterations 2 \
  --griffin-lim-iterations 2 --quiet --no-picture 2>"$TMPD/err2" || fail "whole-track run failed"
[ ! -s "$TMPD/err2" ] || fail "--quiet printed: $(cat "$TMPD/err2")"
[ ! -e "$TMPD/whole.png" ] || fail "--no-picture wrote a picture"
grep -q '^samples: 220500$' <<<"$("$AUDIOSTYLE" info "$TMPD/whole.flac")" || fail "whole track length"
no_tmp_files "$TMPD"
exit 0
