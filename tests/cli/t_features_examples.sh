#!/usr/bin/env bash
# audiostyle features on the bundled examples: Kaggle header, one row per file, values equal to
# the librosa 0.7.2 rows of tests/ref/features/demo_whole.csv (MANIFEST tolerances), and the same
# bytes whatever --jobs.
source "$ROOT/tests/cli/lib.sh"
"$AUDIOSTYLE" features "$ROOT/examples" -o "$TMPD/a.csv" --jobs 2 --quiet || fail "features failed"
"$AUDIOSTYLE" features "$ROOT"/examples/*.flac -o "$TMPD/b.csv" --jobs 1 --quiet || fail "features --jobs 1 failed"
cmp -s "$TMPD/a.csv" "$TMPD/b.csv" || fail "--jobs 2 and --jobs 1 outputs differ"
want=$(head -1 "$ROOT/data/gtzan/features_30_sec.csv" | tr -d '\r')
[ "$(head -1 "$TMPD/a.csv")" = "$want" ] || fail "header differs from features_30_sec.csv"
[ "$(wc -l < "$TMPD/a.csv")" -eq 5 ] || fail "expected 4 rows, got $(($(wc -l < "$TMPD/a.csv") - 1))"
no_tmp_files "$TMPD"
awk -F, -v NCOL=60 'NR == FNR { if (FNR > 1) { for (j = 2; j <= 59; j++) ref[$1, j] = $j; have[$1] = 1 } next }
  FNR == 1 { next }
  { if (NF != NCOL) { print "bad field count " NF " in " $1; bad = 1; next }
    if (!($1 in have)) { print "no reference row for " $1; bad = 1; next }
    if ($60 != "") { print "label should be empty for " $1; bad = 1 }
    n++
    for (j = 2; j <= 59; j++) {
      r = ref[$1, j]; d = $j - r; if (d < 0) d = -d; a = r < 0 ? -r : r
      rt = 1e-5; at = 1e-12
      if (j == 2 || j == 19) { rt = 0; at = 0 }             # length, tempo: exact
      else if (j == 13 || j == 14) { rt = 1e-12; at = 0 }   # zcr
      else if (j == 11 || j == 12) rt = 5e-4                # rolloff
      else if (j == 15 || j == 17) at = 1e-8                # harmony/perceptr means
      else if (j >= 20 && (j - 20) % 2 == 0) at = 1e-4      # mfcc means
      if (!(d <= at + rt * a)) { print $1 " column " j ": " $j " vs " r; bad = 1 } } }
  END { if (n != 4) { print "compared " n " rows"; bad = 1 } exit bad }' \
  "$ROOT/tests/ref/features/demo_whole.csv" "$TMPD/a.csv" || fail "values differ from librosa"
