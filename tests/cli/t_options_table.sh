#!/usr/bin/env bash
# The option table agrees with everything that lists options (issue 16): each command's --help
# shows every option of its table with the table's default, and the defaults are the library's;
# the man page's option lists are
# exactly what scripts/gen_man_options.sh generates from the table; the man page's synopsis
# names every command and it documents -v/--verbose, --version and the exit statuses 0, 1, 2,
# 130; every option the README mentions exists (in the command it is used with, when the line
# shows the command); --opt=value works; the JSON dump is well formed.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
json=$("$A" options --json) || fail "options --json"
jq -e 'length == 11 and all(.[]; (.options | length) > 0
  and all(.options[]; (.long | type) == "string" and (.help | length) > 0
    and (.type | IN("flag", "int", "u64", "number", "string", "file_in", "file_out", "choice", "pair"))))' \
  <<<"$json" >/dev/null || fail "options --json is not the expected shape"
cmds=$(jq -r '.[].command' <<<"$json")
# the table's defaults are the library's (transfer's default preset, train's recipe)
"$A" options --check || fail "option table defaults differ from the library's (lines above)"

# --help from the table: every option, its short name and its default
for c in $cmds; do
  help=$("$A" "$c" --help) || fail "$c --help"
  flat=$(tr '\n' ' ' <<<"$help" | tr -s ' ')
  while IFS=$'\x1f' read -r long short def deftext; do
    grep -q -- "--$long\b" <<<"$help" || fail "$c --help lacks --$long"
    [ -z "$short" ] || grep -q -- "-$short, --$long" <<<"$help" || fail "$c --help lacks -$short"
    d=${deftext:-$def}
    [ -z "$d" ] || grep -qF -- "default $d" <<<"$flat" || fail "$c --help: --$long does not show its default '$d'"
  done < <(jq -r --arg c "$c" '.[] | select(.command == $c) | .options[] | select(.type != "flag")
             | [.long, (.short // ""), (.default // ""), (.default_text // "")] | join("\u001f")' <<<"$json")
  n_help=$(sed -n '/^options:/,$p' <<<"$help" | grep -c '^  -')
  n_tab=$(jq --arg c "$c" '.[] | select(.command == $c) | .options | length' <<<"$json")
  [ "$n_help" -eq $((n_tab + 1)) ] || fail "$c --help lists $n_help options, the table $n_tab (+ --help)"
done

# the man page's option lists are generated from the table
AUDIOSTYLE=$A bash "$ROOT/scripts/gen_man_options.sh" "$ROOT/docs/audiostyle.1" "$TMPD/man.1" || fail "gen_man_options.sh"
diff -u "$ROOT/docs/audiostyle.1" "$TMPD/man.1" >"$TMPD/man.diff" \
  || fail "docs/audiostyle.1 differs from the option table (run scripts/gen_man_options.sh): $(head -n 20 "$TMPD/man.diff")"
for c in $cmds; do
  grep -q "^\.\\\\\" BEGIN OPTIONS $c\$" "$ROOT/docs/audiostyle.1" || fail "man page has no option list for $c"
  grep -q "^\.B audiostyle $c\$" "$ROOT/docs/audiostyle.1" || fail "man page synopsis lacks $c"
done
man=$(sed 's/\\-/-/g; s/\\f[BIR]//g' "$ROOT/docs/audiostyle.1")
grep -q -- "-v, --verbose" <<<"$man" || fail "man page does not document -v, --verbose"
grep -q -- "--version" <<<"$man" || fail "man page does not list --version"
for s in 0 1 2 130; do
  grep -A1 '^\.TP' "$ROOT/docs/audiostyle.1" | grep -q "^\.B $s\$" || fail "man page does not document exit status $s"
done
"$A" --help | grep -q "130" || fail "--help does not list exit status 130"

# the README: options shown with a command belong to it; every other mention exists somewhere
all=$(jq -r '.[].options[].long' <<<"$json" | sort -u)
others="help verbose version man json dev browser python system-site-packages cflags libs enable slurm parsable array cpus-per-task dependency" # global; install-deps, venv, pkg-config, cppcheck
while IFS= read -r line; do
  c=$(grep -oE 'audiostyle (transfer-many|transfer|classify|features|train|evaluate|spectrogram|compare|info|merge)\b' <<<"$line" | head -n 1 | cut -d' ' -f2)
  for o in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$line" | sed 's/^--//'); do
    cc=$c # transfer-many passes the options after -- to transfer
    [ "$c" = transfer-many ] && [[ "$line" == *" -- "*"--$o"* ]] && cc=transfer
    if [ -n "$c" ] && [[ "$line" == *"audiostyle $c "*"--$o"* ]]; then
      jq -e --arg c "$cc" --arg o "$o" '.[] | select(.command == $c) | any(.options[]; .long == $o)' <<<"$json" >/dev/null \
        || [[ " $others " == *" $o "* ]] || fail "README: '$cc --$o' is not an option of $cc: $line"
    else
      grep -qx -- "$o" <<<"$all" || [[ " $others " == *" $o "* ]] || fail "README mentions --$o, no command has it: $line"
    fi
  done
done < "$ROOT/README.md"

# --opt=value (GNU form) and unique prefixes, through the one parser
err=$(expect_fail 1 "$A" info --max-duration=5 "$ROOT/examples/rock_sectoid_feelings.flac") || exit 1
grep -q "more than the 5 s" <<<"$err" || fail "--max-duration=5: $err"
err=$(expect_fail 1 "$A" info --max-dur 5 "$ROOT/examples/rock_sectoid_feelings.flac") || exit 1
grep -q "more than the 5 s" <<<"$err" || fail "--max-dur (prefix): $err"
expect_fail 2 "$A" spectrogram "$ROOT/examples/rock_sectoid_feelings.flac" -o "$TMPD/x.png" --width=10 >/dev/null || exit 1
expect_fail 2 "$A" transfer a b -o x.wav --padding=round >/dev/null || exit 1
exit 0
