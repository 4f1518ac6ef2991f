#!/usr/bin/env bash
# Hostile output paths for every command that writes a file (issue 16): an output that is one of
# the inputs, also through a symbolic and a hard link; an output that is a folder; an output in
# a read-only folder (skipped as root, where every folder is writable) and under a regular file;
# an output of the wrong extension. Each is refused before any work (well under a second) with exit 2 (1 for the folder cases), a first line naming the output, the
# input unchanged and nothing left behind. info writes no file: it refuses -o.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
W=$TMPD/w
mkdir -p "$W"
cp "$ROOT/examples/rock_sectoid_feelings.flac" "$W/c.flac"
cp "$ROOT/examples/techno_torustrooper_tt1.flac" "$W/s.flac"
awk -F, 'NR == 1 { print; next } { split($1, a, "."); if (a[2] + 0 < 5) print }' "$ROOT/data/gtzan/features_30_sec.csv" > "$W/d.csv"
cp "$W/c.flac" "$W/c.orig"
cp "$W/d.csv" "$W/d.orig"
# before any work = well under a second even on a busy machine (the < 0.1 s target is measured
# by `make bench PART=paths`, not here: timing tests on a shared machine are noise)
limit=1000
ldd "$A" 2>/dev/null | grep -q libasan && limit=3000 # sanitizer start-up alone takes longer
bad=0

# case WANT_RC OUT_SHOWN CMD...: runs audiostyle CMD in $W; checks the exit status, the first
# stderr line names OUT_SHOWN, the time, the inputs and the folder.
case_() {
  local want=$1 shown=$2; shift 2
  local before; before=$(cd "$W" && ls -A | sort | tr '\n' ' ')
  local t0 t1 rc
  t0=$(date +%s%N)
  (cd "$W" && timeout 60 "$A" "$@" >"$TMPD/out" 2>"$TMPD/err"); rc=$?
  t1=$(date +%s%N)
  local ms=$(((t1 - t0) / 1000000)) why=""
  if [ "$ms" -gt "$limit" ]; then # a busy machine: time it once more
    t0=$(date +%s%N); (cd "$W" && timeout 60 "$A" "$@" >/dev/null 2>&1); t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
  fi
  [ "$rc" -eq "$want" ] || why="exit $rc (want $want)"
  [ -n "$why" ] || head -n 1 "$TMPD/err" | grep -qF -- "$shown" || why="first line does not name $shown: $(head -n 1 "$TMPD/err")"
  [ -n "$why" ] || [ "$ms" -le "$limit" ] || why="took $ms ms (limit $limit ms)"
  cmp -s "$W/c.flac" "$W/c.orig" || why="${why:+$why; }c.flac changed"
  cmp -s "$W/d.csv" "$W/d.orig" || why="${why:+$why; }d.csv changed"
  local after; after=$(cd "$W" && ls -A | sort | tr '\n' ' ')
  [ "$before" = "$after" ] || why="${why:+$why; }files changed: '$before' -> '$after'"
  printf '  %-60s exit %d %4d ms  %s\n' "$*" "$rc" "$ms" "${why:-ok}"
  if [ -n "$why" ]; then bad=$((bad + 1)); cat "$TMPD/err"; fi
}

# links to the inputs under output names
(cd "$W" && for e in png csv html wav; do ln -s c.flac "sym.$e" && ln c.flac "hard.$e"; done &&
  ln -s d.csv sym.model && ln d.csv hard.model && ln -s d.csv symd.png && ln d.csv hardd.png) || fail "cannot make links"
mkdir "$W/dir.png" "$W/dir.csv" "$W/dir.html" "$W/dir.wav" "$W/dir.model"
mkdir "$W/ro"; chmod a-w "$W/ro"
tiny=() # the full default job: a check that came after the work would take minutes, not < 1 s

for k in sym hard; do
  case_ 2 "$k.png" spectrogram c.flac -o "$k.png"
  case_ 2 "$k.csv" features c.flac -o "$k.csv" --quiet
  case_ 2 "$k.html" compare c.flac s.flac "$k.html" -o "$k.html"
  case_ 2 "$k.html" compare c.flac s.flac s.flac -o "$k.html"
  case_ 2 "$k.wav" transfer c.flac s.flac -o "$k.wav" "${tiny[@]}"
  case_ 2 "$k.png" transfer c.flac s.flac -o new.wav --picture "$k.png" "${tiny[@]}"
  case_ 2 "$k.model" train d.csv -o "$k.model" --quiet
  case_ 2 "${k}d.png" evaluate d.csv --folds 2 --confusion "${k}d.png" --quiet
done
# the same path, and the folder holding the features' inputs
case_ 2 c.flac transfer c.flac s.flac -o c.flac "${tiny[@]}"
case_ 2 c.flac spectrogram c.flac -o c.flac
case_ 2 c.flac features c.flac -o c.flac
case_ 2 d.csv train d.csv -o d.csv
# folders
case_ 2 dir.png spectrogram c.flac -o dir.png
case_ 2 dir.csv features c.flac -o dir.csv
case_ 2 dir.html compare c.flac s.flac s.flac -o dir.html
case_ 2 dir.wav transfer c.flac s.flac -o dir.wav "${tiny[@]}"
case_ 2 dir.model train d.csv -o dir.model
case_ 2 dir.png evaluate d.csv --folds 2 --confusion dir.png
# folder missing, under a regular file, read-only
for parent in nodir c.flac; do
  case_ 1 "$parent/x.png" spectrogram c.flac -o "$parent/x.png"
  case_ 1 "$parent/x.csv" features c.flac -o "$parent/x.csv"
  case_ 1 "$parent/x.html" compare c.flac s.flac s.flac -o "$parent/x.html"
  case_ 1 "$parent/x.wav" transfer c.flac s.flac -o "$parent/x.wav" "${tiny[@]}"
  case_ 1 "$parent/x.model" train d.csv -o "$parent/x.model"
  case_ 1 "$parent/x.png" evaluate d.csv --folds 2 --confusion "$parent/x.png"
done
if [ "$(id -u)" -ne 0 ]; then
  case_ 1 ro/x.png spectrogram c.flac -o ro/x.png
  case_ 1 ro/x.csv features c.flac -o ro/x.csv
  case_ 1 ro/x.html compare c.flac s.flac s.flac -o ro/x.html
  case_ 1 ro/x.wav transfer c.flac s.flac -o ro/x.wav "${tiny[@]}"
  case_ 1 ro/x.model train d.csv -o ro/x.model
  case_ 1 ro/x.png evaluate d.csv --folds 2 --confusion ro/x.png
else
  echo "  (running as root: the read-only folder cases are skipped)"
fi
# wrong extensions
case_ 2 x.jpg spectrogram c.flac -o x.jpg
case_ 2 x.txt features c.flac -o x.txt
case_ 2 x.pdf compare c.flac s.flac s.flac -o x.pdf
case_ 2 x.m4a transfer c.flac s.flac -o x.m4a "${tiny[@]}"  # .mp3 and .opus are written (issue 14); M4A is not
case_ 2 x.jpg transfer c.flac s.flac -o x.wav --picture x.jpg "${tiny[@]}"
case_ 2 x.png transfer c.flac s.flac -o x.wav --report x.png "${tiny[@]}"
case_ 2 x.csv train d.csv -o x.csv
case_ 2 x.jpg evaluate d.csv --folds 2 --confusion x.jpg
# standard output only for CSV and WAV
case_ 2 "-" spectrogram c.flac -o -
case_ 2 "-" compare c.flac s.flac s.flac -o -
case_ 2 "-" train d.csv -o -
case_ 2 "-" evaluate d.csv --folds 2 --confusion -
# commands that write no file
case_ 2 "-o" info c.flac -o x.txt
case_ 2 x.txt classify c.flac -o x.txt
case_ 2 x.part features c.flac --shard 0/2 -o x.part.csv
chmod u+w "$W/ro"
[ "$bad" -eq 0 ] || fail "$bad path cases misbehaved (lines above)"
