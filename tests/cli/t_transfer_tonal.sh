# The tonal-style options (docs/notes-tonal.md): every candidate runs (the branch on mel bands and
# on the spectrogram, the statistics terms, the normalisation, the feature means) and changes the
# result; --json tells the style's spectral flatness (rock_sectoid_feelings 0.0015, tonal;
# metal 0.053, dense); bad values are refused.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/techno_torustrooper_tt1.flac"; R="$ROOT/examples/rock_sectoid_feelings.flac"
M="$ROOT/examples/metal_sectoid_metal_madness.flac"
common=(--filters 32 --content-duration 2 --style-duration 3 --griffin-lim-iterations 4 --iterations 4 --threads 1 --json --no-picture)
run() { # name, style, options...: prints the JSON
  local n=$1 s=$2; shift 2
  "$AUDIOSTYLE" transfer "$C" "$s" -o "$TMPD/$n.wav" "${common[@]}" "$@" 2>"$TMPD/err" || fail "$n: $(cat "$TMPD/err")"
}
base=$(run base "$M" | jq -r .style_loss)
for v in "mel:--branch mel --branch-filters 16 --branch-kernel-width 9 --branch-bands 24" \
         "lin:--branch linear --branch-filters 16 --branch-kernel-width 3" \
         "env:--envelope-weight 0.1 --spread-weight 0.1 --temporal-weight 0.01 --flatness-weight 0.001" \
         "norm:--loss-norm target --feature-mean-weight 1"; do
  n=${v%%:*} o=${v#*:}
  # shellcheck disable=SC2086
  j=$(run "$n" "$M" $o)
  l=$(jq -r .style_loss <<<"$j")
  [ "$l" != "$base" ] || fail "$n: the style loss did not change ($l)"
  [ -s "$TMPD/$n.wav" ] || fail "$n: no result"
done
j=$(run tonalstyle "$R")
awk -v f="$(jq -r .style_flatness <<<"$j")" 'BEGIN {exit !(f > 0 && f < 0.01)}' || fail "rock style flatness $(jq .style_flatness <<<"$j")"
j=$(run densestyle "$M")
awk -v f="$(jq -r .style_flatness <<<"$j")" 'BEGIN {exit !(f > 0.02)}' || fail "metal style flatness $(jq .style_flatness <<<"$j")"
[ "$(jq -r .preset <<<"$j")" = default ] || fail "preset in --json: $(jq .preset <<<"$j")"
# the render's histogram matching: the default's for a style below 0.03 in flatness (rock), not
# for metal; --render-match 0 and the notebook turn it off, --render-match-below 1 turns it on for
# every style; it changes the audio and makes the tonal style's result flatter-than-style less
[ "$(jq -r .render_match <<<"$j")" = 0 ] || fail "metal style: render_match $(jq .render_match <<<"$j")"
j=$(run tonalstyle "$R")
[ "$(jq -r .render_match <<<"$j")" = 1 ] || fail "rock style: render_match $(jq .render_match <<<"$j")"
fm=$(jq -r .quality.flatness_ratio <<<"$j")
j=$(run nomatch "$R" --render-match 0)
[ "$(jq -r .render_match <<<"$j")" = 0 ] || fail "--render-match 0: render_match $(jq .render_match <<<"$j")"
f0=$(jq -r .quality.flatness_ratio <<<"$j")
awk -v a="$fm" -v b="$f0" 'BEGIN {exit !(a < b)}' || fail "matching did not lower the flatness ratio ($fm vs $f0)"
cmp -s "$TMPD/tonalstyle.wav" "$TMPD/nomatch.wav" && fail "matching did not change the audio"
j=$(run nbmatch "$R" --preset notebook --iterations 4)
[ "$(jq -r .render_match <<<"$j")" = 0 ] || fail "notebook: render_match $(jq .render_match <<<"$j")"
j=$(run allstyles "$M" --render-match-below 1 --render-match 0.5)
[ "$(jq -r .render_match <<<"$j")" = 0.5 ] || fail "--render-match-below 1: render_match $(jq .render_match <<<"$j")"
for bad in "--branch cqt" "--envelope-weight -1" "--envelope-floor 0" "--loss-norm sum" "--branch-bands 0" \
           "--render-match 2" "--render-match -0.5" "--render-match-below 1.5"; do
  # shellcheck disable=SC2086
  if "$AUDIOSTYLE" transfer "$C" "$M" -o "$TMPD/bad.wav" "${common[@]}" $bad >/dev/null 2>&1; then fail "accepted $bad"; fi
done
exit 0
