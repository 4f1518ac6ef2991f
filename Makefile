# audiostyle — plain GNU Makefile, pkg-config, no configure step.
#   make            library, program          make check    tests (installs Debian deps first)
#   make demo       the demo job              make bench    benchmark tables
#   make asan       tests under ASan+UBSan    make install  PREFIX=/usr/local
#   make check-tsan threads under TSan        make soak     SOAK_SECONDS=600 (leaks over time)
#   make install-python   the Python package for Debian's python3 (PREFIX/lib/python3.X/dist-packages)
# BUILD=dir puts every output in its own folder (build/ by default), so several builds coexist.

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
PKGS    := sndfile soxr fftw3f cairo liblbfgs blas lapacke libavformat libavcodec libavutil
# FFmpeg's libraries are compiled against (headers) but opened with dlopen on first use
# (src/audio/ffmpeg.c), so they are not linked: LINK_PKGS leaves them out.
LINK_PKGS := $(filter-out libavformat libavcodec libavutil,$(PKGS))
OPT     ?= -O2
WERROR  ?= $(if $(CI),-Werror,)
SAN     ?=
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# SAN=tsan: ThreadSanitizer instead (make check-tsan); any other non-empty SAN: ASan+UBSan
TSANITIZE := -fsanitize=thread -fno-omit-frame-pointer
SANFLAGS := $(if $(filter tsan,$(SAN)),$(TSANITIZE),$(if $(SAN),$(SANITIZE)))

# V=1 prints whole compiler command lines.
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS))

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 $(WARN) $(WERROR) $(CFLAGS) $(SANFLAGS) -fPIC -fvisibility=hidden \
             -D_DEFAULT_SOURCE -Iinclude -Isrc $(PKG_CFLAGS)
# oneDNN (Debian libdnnl-dev 2.6) ships no .pc file: linked by name, headers in /usr/include.
DNNL_LIBS ?= -ldnnl
LDLIBS_ALL = $(SANFLAGS) $(PKG_LIBS) $(DNNL_LIBS) -ldl -lpthread -lm

LIB_SRC := $(sort $(wildcard src/core/*.c src/audio/*.c src/dsp/*.c src/nn/*.c src/style/*.c \
             src/features/*.c src/quality/*.c src/genre/*.c src/plot/*.c src/report/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)

STATIC := $(BUILD)/libaudiostyle.a
SHARED := $(BUILD)/libaudiostyle.so
PROG   := $(BUILD)/audiostyle
TESTS  := $(BUILD)/test_runner
BENCHP := $(BUILD)/bench_runner
SOAKP  := $(BUILD)/soak

.PHONY: fuzz all lib deps check check-run unit asan check-tsan check-tsan-run soak soak-run bench bench-run demo demo-run install uninstall \
        check-symbols clean install-python uninstall-python python-check python-options

all: $(STATIC) $(SHARED) $(PROG)
lib: $(STATIC) $(SHARED)

deps:
	@bash scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/src/%.o: ALL_CFLAGS += -DAS_BUILDING_LIBRARY=1
$(BUILD)/obj/tests/%.o: ALL_CFLAGS += -I$(BUILD) -Itests -DAS_BUILDING_LIBRARY=1
$(BUILD)/obj/bench/%.o: ALL_CFLAGS += -I$(BUILD) -Ibench -DAS_BUILDING_LIBRARY=1
$(BUILD)/obj/tests/harness.o: $(BUILD)/test_list.h

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libaudiostyle.so.0 -o $@ $^ $(LDLIBS_ALL)

# audiostyle serve: libmicrohttpd (the program only, not the library) and the page in web/,
# compiled in by scripts/gen_assets.sh.
MHD_CFLAGS = $(shell pkg-config --cflags libmicrohttpd)
MHD_LIBS   = $(shell pkg-config --libs libmicrohttpd)
WEB_FILES := $(sort $(wildcard web/*.html web/*.css web/*.js))
$(BUILD)/obj/src/cli/cmd_serve.o: ALL_CFLAGS += $(MHD_CFLAGS)
$(BUILD)/serve_assets.c: $(WEB_FILES) scripts/gen_assets.sh
	@mkdir -p $(BUILD)
	@bash scripts/gen_assets.sh $(WEB_FILES) > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/serve_assets.o: $(BUILD)/serve_assets.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(PROG): $(CLI_OBJ) $(BUILD)/obj/serve_assets.o $(STATIC)
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/obj/serve_assets.o $(STATIC) $(LDLIBS_ALL) $(MHD_LIBS)

# The test list is every TEST(name) in tests/test_*.c, in file order.
$(BUILD)/test_list.h: $(wildcard tests/test_*.c)
	@mkdir -p $(BUILD)
	@sed -n 's/^TEST(\([A-Za-z0-9_]*\)).*/X(\1)/p' $(sort $(wildcard tests/test_*.c)) > $@.tmp && mv $@.tmp $@

$(TESTS): $(TEST_OBJ) $(STATIC)
	$(CC) -o $@ $(TEST_OBJ) $(STATIC) $(LDLIBS_ALL)

$(BUILD)/bench_list.h: $(wildcard bench/bench_*.c)
	@mkdir -p $(BUILD)
	@sed -n 's/^BENCH(\([A-Za-z0-9_]*\)).*/X(\1)/p' $(sort $(wildcard bench/bench_*.c)) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/bench/bench_main.o: $(BUILD)/bench_list.h

$(BENCHP): $(BENCH_OBJ) $(STATIC)
	$(CC) -o $@ $(BENCH_OBJ) $(STATIC) $(LDLIBS_ALL)

# --- tests -----------------------------------------------------------------------------------
check: deps
	@$(MAKE) --no-print-directory -j2 check-run

check-run: $(TESTS) $(PROG) $(SOAKP) check-symbols
	@BUILD=$(BUILD) SAN=$(SAN) bash scripts/check.sh

unit: $(TESTS)
	OPENBLAS_NUM_THREADS=1 $(TESTS) $(T)

asan: deps
	@$(MAKE) --no-print-directory -j2 BUILD=build-asan SAN=1 OPT=-O1 check-run

# make check-slurm: the catalog recipes (scripts/slurm/*.sbatch) on a single-node Slurm cluster
# that tests/slurm/run.sh starts and stops here (root; installs slurm-wlm, munge and parallel).
.PHONY: check-slurm
check-slurm:
	@bash scripts/install-deps.sh --slurm || echo "check-slurm: could not install slurm-wlm and munge"
	@$(MAKE) --no-print-directory -j2 $(PROG)
	@BUILD=$(BUILD) bash tests/slurm/run.sh

# ThreadSanitizer (scripts/check_tsan.sh): the unit tests, features --jobs 2, transfer --threads 2
check-tsan: deps
	@$(MAKE) --no-print-directory -j2 BUILD=build-tsan SAN=tsan OPT=-O1 check-tsan-run

check-tsan-run: $(TESTS) $(PROG)
	@BUILD=$(BUILD) bash scripts/check_tsan.sh

# make soak [SOAK_SECONDS=600]: tests/soak/soak.c, the library for that long in one process
# (scripts/soak.sh); not part of make check
SOAK_SECONDS ?= 600
$(SOAKP): $(BUILD)/obj/tests/soak/soak.o $(STATIC)
	$(CC) -o $@ $< $(STATIC) $(LDLIBS_ALL)

soak: deps
	@$(MAKE) --no-print-directory -j2 soak-run

soak-run: $(SOAKP)
	@BUILD=$(BUILD) SOAK_SECONDS=$(SOAK_SECONDS) bash scripts/soak.sh

# Only as_* may be exported from the shared library.
check-symbols: $(SHARED)
	@bad=$$(nm -D --defined-only $(SHARED) | awk '{print $$3}' | grep -v '^as_' | grep -v '^_' || true); \
	if [ -n "$$bad" ]; then echo "check-symbols: exported non-as_ symbols:"; echo "$$bad"; exit 1; fi; \
	echo "check-symbols: $$(nm -D --defined-only $(SHARED) | grep -c ' T as_') as_* functions exported, nothing else"

# --- bench, demo -----------------------------------------------------------------------------
bench: deps
	@$(MAKE) --no-print-directory -j2 bench-run

bench-run: $(BENCHP) $(PROG)
	@BUILD=$(BUILD) bash scripts/bench.sh $(PART)

demo: deps
	@$(MAKE) --no-print-directory -j2 demo-run

demo-run: $(PROG)
	@BUILD=$(BUILD) bash scripts/demo.sh

# --- install ---------------------------------------------------------------------------------
install: $(STATIC) $(SHARED) $(PROG)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	        $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libaudiostyle.so.0
	ln -sf libaudiostyle.so.0 $(DESTDIR)$(PREFIX)/lib/libaudiostyle.so
	install -m 644 include/audiostyle.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/audiostyle.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/.*AS_VERSION_STRING "\(.*\)"/\1/p' include/audiostyle.h)|' \
	    -e 's|@REQUIRES@|$(PKGS)|' audiostyle.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/audiostyle.pc

# The Python package (python/audiostyle) for the system python3, the Debian way: under
# $(PREFIX)/lib/python3.X/dist-packages (on Debian's sys.path for /usr/local), never with pip
# (Debian 12's python3 refuses system-wide pip installs). _install.py records where the library
# went, so the package finds it without ldconfig. In a venv: pip install ./python.
PYTHON  ?= /usr/bin/python3
PYDIR    = $(PREFIX)/lib/python$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
install-python: install
	install -d $(DESTDIR)$(PYDIR)/audiostyle
	install -m 644 python/audiostyle/*.py python/audiostyle/*.json $(DESTDIR)$(PYDIR)/audiostyle/
	echo 'LIBRARY = "$(PREFIX)/lib/libaudiostyle.so.0"  # written by make install-python' \
	    > $(DESTDIR)$(PYDIR)/audiostyle/_install.py
	@echo "install-python: $(DESTDIR)$(PYDIR)/audiostyle (import audiostyle)"

uninstall-python:
	rm -rf $(DESTDIR)$(PYDIR)/audiostyle

# transfer()'s keywords come from the CLI's option table: refresh the package's snapshot of it
python-options: $(PROG)
	$(PROG) options transfer --json > python/audiostyle/transfer_options.json

# the Python tests alone
python-check: $(SHARED) $(PROG)
	@BUILD=$(BUILD) bash scripts/check_python.sh

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libaudiostyle.a $(DESTDIR)$(PREFIX)/lib/libaudiostyle.so* \
	      $(DESTDIR)$(PREFIX)/include/audiostyle.h $(DESTDIR)$(PREFIX)/bin/audiostyle \
	      $(DESTDIR)$(PREFIX)/share/man/man1/audiostyle.1 $(DESTDIR)$(PREFIX)/lib/pkgconfig/audiostyle.pc

# --- fuzzing (clang libFuzzer + ASan/UBSan) -----------------------------------------------
fuzz: deps
	@bash scripts/fuzz.sh

clean:
	rm -rf build build-* out

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)

# --- GTZAN parity (features module) -----------------------------------------------------------
# make check-gtzan GTZAN=<folder>: the features of the GTZAN clips found under <folder> against
# the official rows of data/gtzan/features_30_sec.csv; prints the worst error of each column.
check-gtzan: $(PROG)
	@test -n "$(GTZAN)" || { echo "usage: make check-gtzan GTZAN=<folder of GTZAN .wav files>"; exit 2; }
	@$(PROG) features "$(GTZAN)" -o $(BUILD)/check-gtzan.csv --quiet || true
	@awk -F, 'FNR == 1 { next } { sub(/\r$$/, "") } \
	  NR == FNR { for (j = 2; j <= 59; j++) ref[$$1, j] = $$j; have[$$1] = 1; next } \
	  { k = $$1; sub(/.*\//, "", k) } \
	  !(k in have) { next } \
	  { n++; for (j = 2; j <= 59; j++) { d = $$j - ref[k, j]; if (d < 0) d = -d; r = ref[k, j]; if (r < 0) r = -r; \
	    rel = r > 0 ? d / r : d; if (rel > worst[j] || !(j in worst)) { worst[j] = rel; wabs[j] = d; wfile[j] = k } } } \
	  END { if (!n) { print "check-gtzan: no clip of the folder has a row in features_30_sec.csv"; exit 1 } \
	    split("length,chroma_stft_mean,chroma_stft_var,rms_mean,rms_var,spectral_centroid_mean,spectral_centroid_var,spectral_bandwidth_mean,spectral_bandwidth_var,rolloff_mean,rolloff_var,zero_crossing_rate_mean,zero_crossing_rate_var,harmony_mean,harmony_var,perceptr_mean,perceptr_var,tempo", nm, ","); \
	    printf "check-gtzan: %d clips vs data/gtzan/features_30_sec.csv\n\n| column | worst rel. error | abs. error | clip |\n|---|---|---|---|\n", n; \
	    for (j = 2; j <= 59; j++) { name = (j <= 19) ? nm[j - 1] : sprintf("mfcc%d_%s", int((j - 20) / 2) + 1, (j - 20) % 2 ? "var" : "mean"); \
	      printf "| %s | %.3g | %.3g | %s |\n", name, worst[j], wabs[j], wfile[j] } }' \
	  data/gtzan/features_30_sec.csv $(BUILD)/check-gtzan.csv

# --- the built-in genre model: src/genre/default_model.c is generated (and committed) --------
.PHONY: model
model: $(PROG)
	@BUILD=$(BUILD) bash scripts/gen_default_model.sh
	@$(MAKE) --no-print-directory all
