#!/usr/bin/env bash
# check_skips.sh LOG: the skipped tests a run's log lists ("SKIPPED runner/name: reason", one a
# line, from tests/harness.c, tests/cli/run.sh, scripts/check_python.sh) against
# tests/skips-allowed. Prints each skip with its reason; with CI=true, a skip that is not allowed
# here (pattern and condition) is an error: prints it and exits 1. Otherwise exits 0.
set -u
log=$1
allow=${SKIPS_ALLOWED:-tests/skips-allowed}
bad=0
cpu_has() { grep -qw "$1" /proc/cpuinfo 2>/dev/null; }
allowed() { # allowed NAME: 0 when a line of $allow matches NAME and its condition holds
  local name=$1 pat when rest
  while read -r pat when rest; do
    case "$pat" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2053
    [[ "$name" == $pat ]] || continue
    case "$when" in
      always) return 0 ;;
      san) [ -n "${SAN:-}" ] && return 0 ;;
      cpu-lacks:*) cpu_has "${when#cpu-lacks:}" || return 0 ;;
    esac
  done < "$allow"
  return 1
}
while IFS= read -r line; do
  name=${line#SKIPPED }; name=${name%%: *}
  if [ "${CI:-}" = true ] && ! allowed "$name"; then
    echo "  $line  <- required in CI (not in $allow): FAIL"; bad=$((bad + 1))
  else
    echo "  $line"
  fi
done < <(grep -E '^SKIPPED [a-z-]+/' "$log")
[ "$bad" -eq 0 ] || { echo "check_skips.sh: $bad required test(s) skipped with CI=true"; exit 1; }
exit 0
