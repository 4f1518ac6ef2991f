#!/usr/bin/env bash
# make bench PART=quality: the transfer-quality benchmark (docs/notes-presets.md).
# Runs `audiostyle transfer` on a fixed set of content/style pairs with --preset default and
# --preset notebook and prints, per pair and as medians, the wall seconds, evaluations, the five
# metrics of the quality section (transfer --json's "quality") and the genre shift (the style's
# top genre in the content -> in the result). Six pairs come from examples/ (every clip is content
# and style at least once); three tonal-style pairs are added when ../shared/data/demo (or
# $AS_DEMO_DIR) holds the demo clips. QUALITY_PRESETS (default "default notebook") and
# QUALITY_PAIRS (a number: only the first N pairs) shorten a run; QUALITY_PICK ("7 8 9 1": those
# pairs, by number) picks some. QUALITY_CANDIDATES runs named candidates instead of bare presets:
# entries separated by ';', each "NAME=PRESET EXTRA TRANSFER OPTIONS..." (e.g.
# "env=default --envelope-weight 0.1; tonal=tonal"); a candidate's rows are named NAME and
# compared as PRESET would be. QUALITY_TSV=FILE keeps the rows (for the picture,
# scripts/plot_tonal.py).
set -eu -o pipefail
BUILD=${BUILD:-build}
AS=${AUDIOSTYLE:-$BUILD/audiostyle}
DEMO=${AS_DEMO_DIR:-../shared/data/demo}
PRESETS=${QUALITY_PRESETS:-default notebook}
E=examples
T=$E/techno_torustrooper_tt1.flac M=$E/metal_sectoid_metal_madness.flac
R=$E/rock_sectoid_feelings.flac F=$E/misc_funnyboat_jdruid.flac
pairs=("$T $M" "$M $T" "$R $F" "$F $R" "$T $R" "$F $M")
if [ -f "$DEMO/blues_lincity_city_blues.flac" ]; then
  pairs+=("$R $DEMO/blues_lincity_city_blues.flac"
          "$T $DEMO/orchestral_wesnoth_traveling_minstrels.flac"
          "$M $DEMO/ambient_lincity_architectural_contemplations.flac")
else
  echo "(no demo clips in $DEMO: the three tonal-style pairs are skipped)"
fi
[ -n "${QUALITY_PAIRS:-}" ] && pairs=("${pairs[@]:0:$QUALITY_PAIRS}")
pairnum=()
for ((j = 0; j < ${#pairs[@]}; j++)); do pairnum+=($((j + 1))); done
if [ -n "${QUALITY_PICK:-}" ]; then
  sel=() pairnum=()
  for j in $QUALITY_PICK; do sel+=("${pairs[$((j - 1))]}"); pairnum+=("$j"); done
  pairs=("${sel[@]}")
fi
# candidates: NAME, PRESET and extra options, one per line of $tmp/cands
declare -a cname cpre cextra
if [ -n "${QUALITY_CANDIDATES:-}" ]; then
  IFS=';' read -ra entries <<< "$QUALITY_CANDIDATES"
  for e in "${entries[@]}"; do
    e=$(echo "$e" | sed 's/^ *//; s/ *$//')
    [ -n "$e" ] || continue
    n=${e%%=*} r=${e#*=}
    cname+=("$n") cpre+=("${r%% *}")
    if [ "$r" = "${r#* }" ]; then cextra+=(""); else cextra+=("${r#* }"); fi
  done
else
  for pre in $PRESETS; do cname+=("$pre") cpre+=("$pre") cextra+=(""); done
fi
PRESETS="${cname[*]}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.tsv
: > "$rows"
stem() { local b=${1##*/}; b=${b%.*}; echo "${b%%_*}:${b#*_}" | cut -c1-24; }

echo
echo "Transfer quality, $(nproc) cores, $(date -u +%H:%M) UTC; each pair run once per preset, in turn."
echo
echo "| pair (content → style) | preset | wall s | evaluations | style dist. | rhythm | chroma | flatness | level dB | style genre: content → result | GFLOP/eval | peak MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for ((pi = 0; pi < ${#pairs[@]}; pi++)); do
  set -- ${pairs[$pi]}
  c=$1 s=$2
  i=${pairnum[$pi]}
  for ((ci = 0; ci < ${#cname[@]}; ci++)); do
    pre=${cname[$ci]}
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    if ! "$AS" transfer "$c" "$s" -o "$tmp/r.wav" --preset "${cpre[$ci]}" ${cextra[$ci]} --no-picture --quiet --json > "$tmp/j.json" 2> "$tmp/err"; then
      echo "| $(stem "$c") → $(stem "$s") | $pre | failed: $(head -c 200 "$tmp/err") |"
      continue
    fi
    t1=$(date +%s.%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
    jq -r --arg pair "$(stem "$c") → $(stem "$s")" --arg pre "$pre" --arg wall "$wall" --arg i "$i" '
      [$i, $pair, $pre, ($wall | tonumber), .evaluations, .quality.style_distance_ratio,
       .quality.rhythm_correlation, .quality.chroma_similarity, .quality.flatness_ratio,
       .quality.level_db, .genre_shift.genre, .genre_shift.content, .genre_shift.result,
       .flops_per_evaluation / 1e9, .peak_rss_mb] | @tsv' \
      "$tmp/j.json" >> "$rows"
    tail -n 1 "$rows" | awk -F'\t' '{printf "| %s | %s | %.1f | %d | %.3f | %.3f | %.3f | %.2f | %+.1f | %s %.0f %% → %.0f %% | %.0f | %.0f |\n",
      $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 100 * $12, 100 * $13, $14, $15}'
  done
done

[ -n "${QUALITY_TSV:-}" ] && cp "$rows" "$QUALITY_TSV"
# medians per preset, and the default-vs-notebook comparison per pair
echo
echo "| preset | pairs | median wall s | median evaluations | style dist. | rhythm | chroma | flatness | level dB | style genre in result |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for pre in $PRESETS; do
  awk -F'\t' -v pre="$pre" '$3 == pre' "$rows" > "$tmp/p.tsv"
  n=$(wc -l < "$tmp/p.tsv")
  [ "$n" -gt 0 ] || continue
  med() { cut -f"$1" "$tmp/p.tsv" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
  printf "| %s | %d | %.1f | %.0f | %.3f | %.3f | %.3f | %.2f | %+.1f | %.0f %% |\n" "$pre" "$n" \
    "$(med 4)" "$(med 5)" "$(med 6)" "$(med 7)" "$(med 8)" "$(med 9)" "$(med 10)" "$(awk -v m="$(med 13)" 'BEGIN {print 100 * m}')"
done

if echo "$PRESETS" | grep -qw default && echo "$PRESETS" | grep -qw notebook; then
  echo
  echo "Default against notebook, per pair. \"No worse\" allows the slack issue 10's demo-pair target"
  echo "grants against the notebook's demo-pair result (0.039 / 0.929 / 0.885 / 1.81 / −6.2 dB → ≤ 0.06 /"
  echo "≥ 0.90 / ≥ 0.87 / ≤ 1.9 / ±1.5 dB): style distance ≤ notebook's + 0.021, rhythm ≥ notebook's"
  echo "− 0.029, chroma ≥ notebook's − 0.015, |flatness − 1| ≤ notebook's + 0.09, |level| ≤ 1.5 dB."
  echo
  echo "| pair | speed-up (notebook wall / default wall) | evaluations | no worse on |"
  echo "|---|---|---|---|"
  awk -F'\t' '
    { key = $1; d[key, $3, "wall"] = $4; d[key, $3, "ev"] = $5; d[key, $3, "sd"] = $6; d[key, $3, "rh"] = $7;
      d[key, $3, "ch"] = $8; d[key, $3, "fl"] = $9; d[key, $3, "lv"] = $10; name[key] = $2;
      if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
    function abs(x) { return x < 0 ? -x : x }
    END {
      for (k = 1; k <= n; k++) {
        key = order[k];
        if (!((key, "default", "wall") in d) || !((key, "notebook", "wall") in d)) continue;
        bad = "";
        if (d[key, "default", "sd"] > d[key, "notebook", "sd"] + 0.021) bad = bad " style";
        if (d[key, "default", "rh"] < d[key, "notebook", "rh"] - 0.029) bad = bad " rhythm";
        if (d[key, "default", "ch"] < d[key, "notebook", "ch"] - 0.015) bad = bad " chroma";
        if (abs(d[key, "default", "fl"] - 1) > abs(d[key, "notebook", "fl"] - 1) + 0.09) bad = bad " flatness";
        if (abs(d[key, "default", "lv"]) > 1.5) bad = bad " level";
        printf "| %s | %.1f× | %d / %d | %s |\n", name[key], d[key, "notebook", "wall"] / d[key, "default", "wall"],
          d[key, "default", "ev"], d[key, "notebook", "ev"], (bad == "" ? "all five" : "all but" bad);
      }
    }' "$rows"
fi
