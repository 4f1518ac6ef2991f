#!/usr/bin/env bash
# GTZAN layout genres_original/<genre>/<file>: the label column is the genre folder; rows sorted
# by path; a 3-s segment table labels every segment.
source "$ROOT/tests/cli/lib.sh"
mkdir -p "$TMPD/genres_original/rock" "$TMPD/genres_original/metal" "$TMPD/other"
cp "$ROOT/examples/rock_sectoid_feelings.flac" "$TMPD/genres_original/rock/rock.00007.flac"
cp "$ROOT/examples/metal_sectoid_metal_madness.flac" "$TMPD/genres_original/metal/x.flac"
cp "$ROOT/examples/misc_funnyboat_jdruid.flac" "$TMPD/other/y.flac"
"$AUDIOSTYLE" features "$TMPD/genres_original" "$TMPD/other" -o "$TMPD/l.csv" --quiet || fail "features failed"
got=$(tail -n +2 "$TMPD/l.csv" | awk -F, '{ print $1 ":" $NF }' | tr '\n' ' ')
[ "$got" = "metal/x.flac:metal rock/rock.00007.flac:rock y.flac: " ] || fail "labels/order: $got"
"$AUDIOSTYLE" features "$TMPD/genres_original/rock" -o "$TMPD/s.csv" --segments 3 --quiet || fail "segments"
[ "$(awk -F, 'FNR > 1 && $NF == "rock"' "$TMPD/s.csv" | wc -l)" -eq 3 ] || fail "segment labels"
