# lib.sh — helpers for the CLI tests (sourced).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_fail CODE CMD...: runs CMD, requires exit CODE and a non-empty one-line-ish stderr.
expect_fail() {
  local code=$1; shift
  local err rc
  err=$(timeout 120 "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq "$code" ] || fail "expected exit $code, got $rc from: $* (stderr: $err)"
  [ -n "$err" ] || fail "no message on stderr from: $*"
  printf '%s\n' "$err"
}
# no_leftovers DIR: nothing but the listed names in DIR (temporary files would show up).
no_tmp_files() { ! ls -A "$1" | grep -q '\.tmp-' || fail "temporary files left in $1: $(ls -A "$1")"; }
# wav16 OUT SAMPLES SOURCE: a mono 16-bit 22050-Hz WAV of SAMPLES samples whose data are the first
# bytes of SOURCE (/dev/zero: silence; any other file: noise-like data, deterministic).
le32() { local v=$1; printf "\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))\\$(printf %03o $(((v >> 16) & 255)))\\$(printf %03o $(((v >> 24) & 255)))"; }
le16() { local v=$1; printf "\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))"; }
wav16() {
  local out=$1 n=$2 src=$3 bytes=$(($2 * 2))
  { printf 'RIFF'; le32 $((36 + bytes)); printf 'WAVEfmt '; le32 16; le16 1; le16 1; le32 22050; le32 44100
    le16 2; le16 16; printf 'data'; le32 "$bytes"; head -c "$bytes" "$src"; } > "$out"
}
# elapsed_ms CMD...: runs CMD (output discarded) and prints its wall time in milliseconds.
elapsed_ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
# skip REASON: the test cannot run here (a missing tool); run.sh counts it as skipped, never passed.
skip() { echo "SKIP: $*"; exit 77; }
# endless: form fields for a server job that runs until it is cancelled or killed, however fast
# the machine (Adam without early stopping, then a Griffin-Lim far longer than any test).
endless=(-F optimizer=adam -F patience=0 -F iterations=1000000 -F griffin_lim_iterations=100000)
# serve_start DATA [ARGS...]: starts `audiostyle serve` on a free loopback port with DATA as its
# data folder; sets SERVE_PID and URL (http://127.0.0.1:PORT). The test stops it (serve_stop,
# or the EXIT trap set here).
serve_start() {
  local data=$1; shift
  : > "$TMPD/serve.out"
  "$AUDIOSTYLE" serve --port 0 --data "$data" "$@" >"$TMPD/serve.out" 2>>"$TMPD/serve.err" &
  SERVE_PID=$!
  trap 'serve_kill' EXIT; trap 'serve_kill; exit 1' TERM INT
  local i
  for i in $(seq 1 100); do
    URL=$(sed -n 's|^audiostyle: serving \(http://127.0.0.1:[0-9]*\)/ .*|\1|p' "$TMPD/serve.out")
    [ -n "$URL" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || fail "the server did not start: $(cat "$TMPD/serve.err")"
    sleep 0.1
  done
  fail "the server printed no URL in 10 s"
}
serve_kill() { [ -n "${SERVE_PID:-}" ] && kill -KILL "$SERVE_PID" 2>/dev/null; wait "${SERVE_PID:-}" 2>/dev/null; SERVE_PID=; }
# serve_stop: SIGTERM and wait (at most 30 s); fails if it does not exit 0.
serve_stop() {
  local i rc
  kill -TERM "$SERVE_PID" || fail "the server is not running"
  for i in $(seq 1 300); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$SERVE_PID" 2>/dev/null && fail "the server did not stop in 30 s"
  wait "$SERVE_PID"; rc=$?; SERVE_PID=
  [ "$rc" -eq 0 ] || fail "the server exited with $rc: $(tail -3 "$TMPD/serve.err")"
}
# http METHOD PATH [CURL ARGS...]: prints "STATUS" and leaves the body in $TMPD/body.
http() {
  local m=$1 p=$2; shift 2
  curl -s --path-as-is --max-time 120 -X "$m" -o "$TMPD/body" -w '%{http_code}' "$@" "$URL$p"
}
# expect_status CODE METHOD PATH [CURL ARGS...]: the status must be CODE and, for an error, the
# body a JSON {"error": "..."}.
expect_status() {
  local want=$1 got; shift
  got=$(http "$@") || true
  [ "$got" = "$want" ] || fail "$1 $2: expected HTTP $want, got $got: $(head -c 300 "$TMPD/body")"
  if [ "$want" -ge 400 ]; then jq -e '.error | type == "string" and length > 0' "$TMPD/body" >/dev/null \
    || fail "$1 $2: no JSON error: $(head -c 300 "$TMPD/body")"; fi
}
# wait_job ID STATE...: polls the job until its state is one of STATE (at most 120 s); prints it.
wait_job() {
  local id=$1 st i; shift
  for i in $(seq 1 1200); do
    st=$(curl -s --max-time 10 "$URL/api/jobs/$id" | jq -r .state)
    for s in "$@"; do [ "$st" = "$s" ] && { echo "$st"; return 0; }; done
    sleep 0.1
  done
  fail "job $id: still $st after 120 s (wanted $*)"
}
