#!/usr/bin/env bash
# make bench [PART=dsp|nst|features|genre|song|quality|paths|presets|python|formats|serve|catalog|match|tonal]: prints
# the benchmark tables (markdown).
# Without PART: dsp, nst, features, genre, paths, formats (minutes). song (a 3-minute transfer, ~10 min),
# presets (17 transfers, ~15 min) and quality (18 transfers, ~30 min) run only when named.
set -eu
BUILD=${BUILD:-build}
echo "# audiostyle bench — $(date -u +%Y-%m-%d) — $(nproc) cores — $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(dsp nst features genre paths formats)
for p in "${parts[@]}"; do
  case $p in
    quality) BUILD=$BUILD bash scripts/bench_quality.sh ;;
    paths) BUILD=$BUILD bash scripts/bench_paths.sh ;;
    catalog) BUILD=$BUILD bash scripts/bench_catalog.sh ;;
    serve) BUILD=$BUILD bash scripts/bench_serve.sh ;;
    formats) bash scripts/bench_formats.sh "$BUILD/bench-formats" && AS_BENCH_FORMATS=$BUILD/bench-formats "$BUILD/bench_runner" formats ;;
    python) AUDIOSTYLE_LIB="$PWD/$BUILD/libaudiostyle.so" PYTHONPATH="$PWD/python" \
              "${PYTHON:-/usr/bin/python3}" bench/python_overhead.py ;;
    *) "$BUILD/bench_runner" "$p" ;;
  esac
done
[ $# -gt 0 ] || echo "(make bench PART=song, PART=presets and PART=quality run the long transfer benchmarks; PART=python the Python binding's overhead)"
