# lib.sh — helpers for the CLI tests (sourced).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_fail CODE CMD...: runs CMD, requires exit CODE and a non-empty one-line-ish stderr.
expect_fail() {
  local code=$1; shift
  local err rc
  err=$(timeout 120 "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq "$code" ] || fail "expected exit $code, got $rc from: $* (stderr: $err)"
  [ -n "$err" ] || fail "no message on stderr from: $*"
  printf '%s\n' "$err"
}
# no_leftovers DIR: nothing but the listed names in DIR (temporary files would show up).
no_tmp_files() { ! ls -A "$1" | grep -q '\.tmp-' || fail "temporary files left in $1: $(ls -A "$1")"; }
# wav16 OUT SAMPLES SOURCE: a mono 16-bit 22050-Hz WAV of SAMPLES samples whose data are the first
# bytes of SOURCE (/dev/zero: silence; any other file: noise-like data, deterministic).
le32() { local v=$1; printf "\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))\\$(printf %03o $(((v >> 16) & 255)))\\$(printf %03o $(((v >> 24) & 255)))"; }
le16() { local v=$1; printf "\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))"; }
wav16() {
  local out=$1 n=$2 src=$3 bytes=$(($2 * 2))
  { printf 'RIFF'; le32 $((36 + bytes)); printf 'WAVEfmt '; le32 16; le16 1; le16 1; le32 22050; le32 44100
    le16 2; le16 16; printf 'data'; le32 "$bytes"; head -c "$bytes" "$src"; } > "$out"
}
# elapsed_ms CMD...: runs CMD (output discarded) and prints its wall time in milliseconds.
elapsed_ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
