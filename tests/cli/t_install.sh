# make install into a staging folder, then build and run a small program against the installed
# header, shared library and audiostyle.pc (as another project would).
source "$ROOT/tests/cli/lib.sh"
B=$(dirname "$AUDIOSTYLE")
BUILD_REL=${B#$ROOT/}
# A sanitizer build's library needs the sanitizer runtime in the program too: test plain builds.
if nm -D "$B/libaudiostyle.so" 2>/dev/null | grep -q __asan_; then echo "SKIP: sanitizer build"; exit 0; fi
make -s -C "$ROOT" BUILD="$BUILD_REL" DESTDIR="$TMPD/stage" PREFIX=/usr/local install >/dev/null || fail "make install"
P=$TMPD/stage/usr/local
for f in include/audiostyle.h lib/libaudiostyle.a lib/libaudiostyle.so.0 lib/pkgconfig/audiostyle.pc \
         bin/audiostyle share/man/man1/audiostyle.1; do
  [ -e "$P/$f" ] || fail "missing $f"
done
grep -q '^Version: 0\.' "$P/lib/pkgconfig/audiostyle.pc" || fail "pc has no version"
cat > "$TMPD/prog.c" <<'C'
#include <audiostyle.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    as_error err = {0};
    as_signal y = {0};
    if (as_audio_load(argv[1], NULL, &y, &err) != AS_OK) { fprintf(stderr, "%s\n", err.msg); return 1; }
    as_status st;
    as_features *fx = as_features_create(&st);
    double feat[AS_FEATURES_COUNT];
    if (!fx || as_features_compute(fx, y.data, y.n, feat) != AS_OK) return 1;
    as_genre_model *m = NULL;
    if (as_genre_load_default(&m, &err) != AS_OK) return 1;
    double p[AS_GENRE_MAX_CLASSES];
    if (as_genre_predict(m, feat, p) != AS_OK) return 1;
    int best = 0;
    for (int k = 1; k < as_genre_n_classes(m); k++) if (p[k] > p[best]) best = k;
    printf("%s %s %.3f\n", as_version(), as_genre_label(m, best), p[best]);
    as_genre_destroy(m);
    as_features_destroy(fx);
    as_signal_free(&y);
    return argc > 2;
}
C
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --define-variable=prefix="$P" --cflags --libs audiostyle) || fail "pkg-config"
cc -std=c11 "$TMPD/prog.c" -o "$TMPD/prog" $flags -Wl,-rpath,"$P/lib" 2>"$TMPD/cc.log" \
  || { cat "$TMPD/cc.log"; fail "cannot build against the installed library"; }
out=$("$TMPD/prog" "$ROOT/examples/metal_sectoid_metal_madness.flac") || fail "program failed"
echo "$out"
[[ "$out" == 0.* ]] || fail "unexpected output: $out"
ldd "$TMPD/prog" | grep -q "$P/lib/libaudiostyle.so.0" || fail "not linked to the installed shared library"
