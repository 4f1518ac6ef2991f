# The soak's checker (tests/soak/soak.c, make soak) can fail: a run that leaks 32 MB and one
# descriptor a round (--inject-leak) is caught; the same short run without the leak passes.
source "$ROOT/tests/cli/lib.sh"
SOAK="$(dirname "$AUDIOSTYLE")/soak"
[ -x "$SOAK" ] || fail "no $SOAK (make $(dirname "$AUDIOSTYLE")/soak)"
ldd "$SOAK" 2>/dev/null | grep -q 'libasan\|libtsan' \
  && skip "sanitizer build: its quarantine and shadow memory, not the program, make the RSS"
mkdir -p "$TMPD/ex" "$TMPD/out" "$TMPD/none"
cp "$ROOT/examples/rock_sectoid_feelings.flac" "$TMPD/ex/"
export OPENBLAS_NUM_THREADS=1
"$SOAK" --seconds 0 --min-rounds 3 --examples "$TMPD/ex" --bad "$TMPD/none" --out "$TMPD/out" >"$TMPD/ok" 2>&1 \
  || fail "a clean short soak failed: $(cat "$TMPD/ok")"
grep -q '^soak: 3 rounds' "$TMPD/ok" || fail "no rounds line: $(cat "$TMPD/ok")"
grep -q '^soak: RSS curve (MB, end of each round): [0-9.]* [0-9.]* [0-9.]*$' "$TMPD/ok" || fail "no RSS curve: $(cat "$TMPD/ok")"
"$SOAK" --seconds 0 --min-rounds 3 --examples "$TMPD/ex" --bad "$TMPD/none" --out "$TMPD/out" --inject-leak 32 \
  >"$TMPD/leak" 2>&1 && fail "a leaking soak passed: $(cat "$TMPD/leak")"
grep -q 'FAIL: round 2: 6 open descriptors, 5 at the start\|FAIL: round 2: [0-9]* open descriptors' "$TMPD/leak" || fail "the descriptor leak was not caught: $(cat "$TMPD/leak")"
grep -q 'FAIL: the peak RSS grew by' "$TMPD/leak" || fail "the memory leak was not caught: $(cat "$TMPD/leak")"
grep -q '^soak: FAILED' "$TMPD/leak" || fail "no FAILED line"
exit 0
