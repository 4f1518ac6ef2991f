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
