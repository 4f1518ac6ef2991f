#!/usr/bin/env bash
# End-to-end tests of the audiostyle program: runs every tests/cli/t_*.sh. Each script is a test
# case; it gets $AUDIOSTYLE (the program), $TMPD (a fresh folder) and the helpers in lib.sh, and
# fails by exiting non-zero. Ends with "cli: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
export AUDIOSTYLE=${AUDIOSTYLE:-$PWD/build/audiostyle}
export ROOT=$PWD
pass=0; fail=0
for t in "$here"/t_*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .sh)
  if [ -n "${CLI_FILTER:-}" ] && [[ "$name" != *"$CLI_FILTER"* ]]; then continue; fi
  TMPD=$(mktemp -d); export TMPD
  start=$(date +%s.%N)
  if out=$(timeout 600 bash "$t" 2>&1); then
    pass=$((pass + 1)); st="ok  "
  else
    fail=$((fail + 1)); st="FAIL"; printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
  fi
  printf "  %s cli/%s (%s s)\n" "$st" "$name" "$(awk -v a="$start" -v b="$(date +%s.%N)" "BEGIN{printf \"%.1f\", b-a}")"
  rm -rf "$TMPD"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
