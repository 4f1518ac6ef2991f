# Same seed, inputs and thread count: bit-identical output files; another seed differs.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/misc_funnyboat_jdruid.flac"; S="$ROOT/examples/metal_sectoid_metal_madness.flac"
args=(--filters 64 --content-duration 2 --style-duration 2 --iterations 15 --griffin-lim-iterations 8 --threads 1 --quiet --no-picture)
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/a.wav" --seed 5 "${args[@]}" || fail "run a"
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/b.wav" --seed 5 "${args[@]}" || fail "run b"
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/c.wav" --seed 6 "${args[@]}" || fail "run c"
cmp -s "$TMPD/a.wav" "$TMPD/b.wav" || fail "same seed, different files"
cmp -s "$TMPD/a.wav" "$TMPD/c.wav" && fail "different seeds, same file"
exit 0
