# audiostyle transfer --precision: fp32 and bf16 both run and --json reports the one in effect;
# auto reports what the library resolves it to (fp32 on a CPU without AVX512-BF16); a bad value
# is a usage error (exit 2).
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
for p in fp32 bf16 auto; do
  json=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/$p.wav" --filters 16 --content-duration 1 \
         --style-duration 1 --iterations 3 --griffin-lim-iterations 2 --threads 1 --no-picture \
         --precision $p --json 2>"$TMPD/err") || fail "--precision $p exited $?: $(cat "$TMPD/err")"
  got=$(sed -n 's/.*"precision": "\([a-z0-9]*\)".*/\1/p' <<<"$json")
  case $p in
    auto) [ "$got" = fp32 ] || [ "$got" = bf16 ] || fail "--precision auto reported '$got'" ;;
    *) [ "$got" = "$p" ] || fail "--precision $p reported '$got': $json" ;;
  esac
  grep -q "^audiostyle: precision $got (" "$TMPD/err" || fail "no precision line on stderr: $(cat "$TMPD/err")"
done
if ! grep -qw avx512_bf16 /proc/cpuinfo 2>/dev/null; then
  [ "$got" = fp32 ] || fail "auto picked $got on a CPU without AVX512-BF16"
fi
"$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/x.wav" --precision fp16 2>"$TMPD/err"
[ $? -eq 2 ] || fail "--precision fp16 did not exit 2"
grep -q "precision" "$TMPD/err" || fail "no message about --precision: $(cat "$TMPD/err")"
no_tmp_files "$TMPD"
exit 0
