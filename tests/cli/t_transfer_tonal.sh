# The tonal-style options (docs/notes-tonal.md): every candidate runs (the branch on mel bands and
# on the spectrogram, the statistics terms, the normalisation, the feature means) and changes the
# result; --preset auto picks tonal for a tonal style (rock_sectoid_feelings: flatness 0.0015 < 0.015)
# and default for a dense one (metal: 0.053), and says so in --json; bad values are refused.
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
j=$(run auto1 "$R" --preset auto)
[ "$(jq -r .preset <<<"$j")" = tonal ] || fail "auto on a tonal style: $(jq -c '[.preset, .style_flatness]' <<<"$j")"
awk -v f="$(jq -r .style_flatness <<<"$j")" 'BEGIN {exit !(f > 0 && f < 0.015)}' || fail "style flatness $(jq .style_flatness <<<"$j")"
j=$(run auto2 "$M" --preset auto)
[ "$(jq -r .preset <<<"$j")" = default ] || fail "auto on a dense style: $(jq -c '[.preset, .style_flatness]' <<<"$j")"
j=$(run tonal "$M" --preset tonal --iterations 3)
[ "$(jq -r .preset <<<"$j")" = tonal ] && [ "$(jq -r .iterations <<<"$j")" = 3 ] || fail "tonal preset with an option on top: $j"
for bad in "--branch cqt" "--envelope-weight -1" "--envelope-floor 0" "--loss-norm sum" "--branch-bands 0"; do
  # shellcheck disable=SC2086
  if "$AUDIOSTYLE" transfer "$C" "$M" -o "$TMPD/bad.wav" "${common[@]}" $bad >/dev/null 2>&1; then fail "accepted $bad"; fi
done
exit 0
