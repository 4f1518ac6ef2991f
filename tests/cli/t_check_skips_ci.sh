# scripts/check_skips.sh, the CI rule for skipped tests: with CI=true a skip that
# tests/skips-allowed does not allow (here: the browser test without chromium, python's suite
# outside a sanitizer build) fails; allowed ones (the AVX-512 kernel on a CPU without it, python
# under a sanitizer) pass; without CI every skip is only listed.
source "$ROOT/tests/cli/lib.sh"
cd "$ROOT" || fail "no $ROOT"
printf '%s\n' "unit: 3 passed, 0 failed, 1 skipped" \
  "SKIPPED cli/t_report_browser: chromium not installed (scripts/install-deps.sh --browser)" > "$TMPD/req.log"
out=$(CI=true bash scripts/check_skips.sh "$TMPD/req.log" 2>&1) && fail "CI=true accepted a required skip: $out"
grep -q 'required in CI' <<<"$out" || fail "no reason given: $out"
CI= bash scripts/check_skips.sh "$TMPD/req.log" >/dev/null || fail "without CI a skip failed"
echo "SKIPPED python/suite: sanitizer build" > "$TMPD/py.log"
CI=true SAN=1 bash scripts/check_skips.sh "$TMPD/py.log" >/dev/null || fail "python under a sanitizer was refused"
CI=true SAN= bash scripts/check_skips.sh "$TMPD/py.log" >/dev/null && fail "python skipped outside a sanitizer build was accepted"
echo "SKIPPED unit/features_median_avx512_vs_naive: no AVX-512F" > "$TMPD/avx.log"
if grep -qw avx512f /proc/cpuinfo; then
  CI=true bash scripts/check_skips.sh "$TMPD/avx.log" >/dev/null && fail "the AVX-512 test skipped on an AVX-512 CPU was accepted"
else
  CI=true bash scripts/check_skips.sh "$TMPD/avx.log" >/dev/null || fail "the AVX-512 test skipped without AVX-512 was refused"
fi
exit 0
