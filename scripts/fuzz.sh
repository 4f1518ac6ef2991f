#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="npy audio ..."]: builds the library with clang,
# libFuzzer, ASan and UBSan, and runs every fuzz/fuzz_<target>.c for N seconds (default 60) on
# its committed seed corpus fuzz/seeds/<target> (new inputs go to build-fuzz/corpus/<target>).
# A crash leaves its input in build-fuzz/ and makes the script fail.
set -eu
secs=${FUZZ_SECONDS:-60}
B=build-fuzz
if ! command -v clang >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){return 0;}' \
     | clang -x c -fsanitize=fuzzer - -o /tmp/as_fuzz_probe 2>/dev/null; then
  echo "fuzz: clang with libFuzzer not available (scripts/install-deps.sh --dev installs it); skipped"
  exit 0
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
make --no-print-directory -j2 BUILD=$B CC=clang OPT=-O1 SANITIZE="-fsanitize=fuzzer-no-link $san" SAN=1 lib >/dev/null
targets=${FUZZ_TARGETS:-$(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_\(.*\)\.c|\1|')}
fail=0
art=$(pwd)/$B # absolute: a target may change folder while it runs
for t in $targets; do
  # a target may name extra sources ("fuzz-extra: a.c b.c", e.g. the CLI) and extra libFuzzer
  # options ("fuzz-flags: ...") in its header comment
  extra=$(sed -n 's/^ \* fuzz-extra: //p' fuzz/fuzz_$t.c)
  flags=$(sed -n 's/^ \* fuzz-flags: //p' fuzz/fuzz_$t.c)
  clang -std=c11 -O1 -g -D_DEFAULT_SOURCE -Iinclude -Isrc $(pkg-config --cflags sndfile libavformat libavcodec libavutil) -fsanitize=fuzzer $san \
    fuzz/fuzz_$t.c $extra $B/libaudiostyle.a $(pkg-config --libs sndfile soxr fftw3f cairo liblbfgs blas lapacke) -ldnnl -ldl -lpthread -lm -o $B/fuzz_$t
  mkdir -p $B/corpus/$t fuzz/seeds/$t
  echo "fuzz: $t for ${secs}s"
  if ! (cd $B && ./fuzz_$t -max_total_time=$secs -max_len=65536 -rss_limit_mb=2048 -timeout=10 $flags \
        -artifact_prefix=$art/crash-$t- corpus/$t ../fuzz/seeds/$t > fuzz_$t.log 2>&1); then
    echo "fuzz: $t FAILED — see $B/fuzz_$t.log"; tail -30 $B/fuzz_$t.log; fail=1
  else
    grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' $B/fuzz_$t.log | tail -1 | sed "s/^/fuzz: $t: /"
  fi
done
exit $fail
