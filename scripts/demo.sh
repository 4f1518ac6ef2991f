#!/usr/bin/env bash
# make demo: the whole journey on the bundled examples (run by `make demo`, which installs missing
# Debian packages and builds first). Classifies the four clips, stylises the techno clip with the
# metal one (the pair whose result moves furthest towards the style's genres: see
# docs/notes-report.md) with settings that finish in about a minute on two cores, prints the
# genres and writes out/demo.wav, out/demo.png (spectrograms) and out/demo.html (the report).
set -eu
BUILD=${BUILD:-build}
AS="$BUILD/audiostyle"
mkdir -p out
echo "== genres of the bundled examples (built-in GTZAN model)"
"$AS" classify examples/*.flac
echo
echo "== style transfer: content techno_torustrooper_tt1, style metal_sectoid_metal_madness"
echo "   (1024 filters, 150 L-BFGS iterations, 200 Griffin-Lim iterations: a lighter run than the"
echo "   canonical 4096 / 300 / 500 so it takes about a minute)"
start=$(date +%s)
"$AS" transfer examples/techno_torustrooper_tt1.flac examples/metal_sectoid_metal_madness.flac \
  -o out/demo.wav --picture out/demo.png --genres --filters 1024 --iterations 150 --griffin-lim-iterations 200 \
  --report out/demo.html
echo "   ($(( $(date +%s) - start )) s)"
echo
echo "wrote out/demo.wav (the result), out/demo.png (spectrograms) and out/demo.html (the report:"
echo "open it in a browser; it is self-contained and works offline)"
