#!/usr/bin/env bash
# make demo: the whole journey on the bundled examples (run by `make demo`, which installs missing
# Debian packages and builds first). Classifies the four clips, stylises the techno clip with the
# metal one (the pair whose result moves furthest towards the style's genres: see
# docs/notes-report.md) with the default preset (full quality: docs/notes-presets.md; about
# 35 s on two cores), prints the genres and writes out/demo.wav, out/demo.png (spectrograms) and
# out/demo.html (the report, with the five quality metrics).
set -eu
BUILD=${BUILD:-build}
AS="$BUILD/audiostyle"
mkdir -p out
echo "== genres of the bundled examples (built-in GTZAN model)"
"$AS" classify examples/*.flac
echo
echo "== style transfer: content techno_torustrooper_tt1, style metal_sectoid_metal_madness"
echo "   (the default preset: the notebook's network and loss from the content equalised to the"
echo "   style, 55 L-BFGS iterations, 500 Griffin-Lim iterations, the content's level)"
start=$(date +%s)
"$AS" transfer examples/techno_torustrooper_tt1.flac examples/metal_sectoid_metal_madness.flac \
  -o out/demo.wav --picture out/demo.png --genres --report out/demo.html
echo "   ($(( $(date +%s) - start )) s)"
echo
echo "wrote out/demo.wav (the result), out/demo.png (spectrograms) and out/demo.html (the report:"
echo "open it in a browser; it is self-contained and works offline)"
