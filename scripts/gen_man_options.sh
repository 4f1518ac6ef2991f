#!/usr/bin/env bash
# Regenerates the option lists of docs/audiostyle.1 from the program's option table: every block
# between '.\" BEGIN OPTIONS <command>' and '.\" END OPTIONS <command>' is replaced by
# `audiostyle options <command> --man`. Usage: scripts/gen_man_options.sh [MANPAGE [OUT]]
# (OUT defaults to MANPAGE; AUDIOSTYLE defaults to build/audiostyle). tests/cli/t_options_table.sh
# fails when the committed man page differs from what this script writes.
set -eu
A=${AUDIOSTYLE:-build/audiostyle}
in=${1:-docs/audiostyle.1}
out=${2:-$in}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line; do
  case "$line" in
    '.\" BEGIN OPTIONS '*)
      printf '%s\n' "$line"
      cmd=${line#'.\" BEGIN OPTIONS '}
      "$A" options "$cmd" --man
      skip=1 ;;
    '.\" END OPTIONS '*) printf '%s\n' "$line"; skip=0 ;;
    *) [ "${skip:-0}" = 1 ] || printf '%s\n' "$line" ;;
  esac
done < "$in" > "$tmp"
cat "$tmp" > "$out"
