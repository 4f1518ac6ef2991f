# The variants: Grinstein et al.'s style-only mode (--content-weight 0 --init content) with
# Griffin-Lim from the content's phase, Adam with 'same' padding, and the T' Gram divisor.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/metal_sectoid_metal_madness.flac"
common=(--filters 48 --content-offset 1 --content-duration 2 --style-duration 3 --griffin-lim-iterations 8 --threads 1 --json --no-picture)
j=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/a.wav" "${common[@]}" --content-weight 0 --init content \
    --phase content --iterations 10 2>"$TMPD/err") || fail "style-only: $(cat "$TMPD/err")"
grep -q '"content_loss": 0,' <<<"$j" || fail "style-only has a content loss: $j"
j=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/b.ogg" "${common[@]}" --optimizer adam --learning-rate 0.05 \
    --iterations 15 --padding same 2>"$TMPD/err") || fail "adam/same: $(cat "$TMPD/err")"
grep -q '"iterations": 15,' <<<"$j" || fail "adam iterations: $j"
j=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/c.wav" "${common[@]}" --gram-divisor output-frames \
    --kernel-width 5 --content-weight 0.1 --style-weight 2 --init-scale 0.01 --lbfgs-memory 4 --iterations 5 2>"$TMPD/err") || fail "divisor: $(cat "$TMPD/err")"
for f in a.wav b.ogg c.wav; do [ -s "$TMPD/$f" ] || fail "no $f"; done
grep -q '^samples: 44100$' <<<"$("$AUDIOSTYLE" info "$TMPD/a.wav")" || fail "a.wav length"
exit 0
