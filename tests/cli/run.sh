#!/usr/bin/env bash
# End-to-end tests of the audiostyle program: runs every tests/cli/t_*.sh. Each script is a test
# case; it gets $AUDIOSTYLE (the program), $TMPD (a fresh folder) and the helpers in lib.sh, and
# fails by exiting non-zero, or skips (exit 77, lib.sh's skip REASON). Ends with
# "cli: N passed, N failed, N skipped" and a line "SKIPPED cli/NAME: REASON" for each skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export AUDIOSTYLE=${AUDIOSTYLE:-$PWD/build/audiostyle}
export ROOT=$PWD
pass=0; fail=0; skipped=0; skip_lines=""
for t in "$here"/t_*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .sh)
  if [ -n "${CLI_FILTER:-}" ] && [[ "$name" != *"$CLI_FILTER"* ]]; then continue; fi
  TMPD=$(mktemp -d); export TMPD
  start=$(date +%s.%N)
  out=$(timeout 600 bash "$t" 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then
    pass=$((pass + 1)); st="ok  "
  elif [ "$rc" -eq 77 ]; then # skip REASON (lib.sh): counted apart, never as passed
    skipped=$((skipped + 1)); st="skip"
    why=$(printf '%s\n' "$out" | grep '^SKIP:' | tail -n 1 | sed 's/^SKIP: *//')
    echo "    skip: ${why:-no reason given}"
    skip_lines="${skip_lines}SKIPPED cli/$name: ${why:-no reason given}"$'\n'
  else
    fail=$((fail + 1)); st="FAIL"; printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
  fi
  printf "  %s cli/%s (%s s)\n" "$st" "$name" "$(awk -v a="$start" -v b="$(date +%s.%N)" "BEGIN{printf \"%.1f\", b-a}")"
  rm -rf "$TMPD"
done
echo "cli: $pass passed, $fail failed, $skipped skipped"
printf '%s' "$skip_lines"
[ "$fail" -eq 0 ]
