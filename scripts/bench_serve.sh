#!/usr/bin/env bash
# make bench PART=serve: audiostyle serve against its targets (issue 11) on a loopback port:
#   page load to first paint (headless chromium through tests/browser, when installed), the
#   server's own time per request (GET / and GET /api/jobs/ID over one kept-alive connection),
#   classify through the API against the CLI on the same 10-s clip (the difference is the
#   overhead: upload, HTTP, the child's start), 100 concurrent classify requests (all answered,
#   the same genres, the server's RSS before and after).
set -eu
BUILD=${BUILD:-build}
A="$PWD/$BUILD/audiostyle"
CLIP="$PWD/examples/rock_sectoid_feelings.flac"
T=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
"$A" serve --port 0 --data "$T/data" >"$T/out" 2>"$T/err" &
pid=$!
for i in $(seq 1 100); do
  URL=$(sed -n 's|^audiostyle: serving \(http://127.0.0.1:[0-9]*\)/ .*|\1|p' "$T/out"); [ -n "$URL" ] && break; sleep 0.1
done
[ -n "$URL" ] || { echo "bench serve: the server did not start"; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
ms() { sort -n | awk '{a[NR] = $1 * 1000} END {printf "median %.2f ms, p95 %.2f ms, max %.2f ms (%d requests)", a[int((NR + 1) / 2)], a[int(NR * 0.95)], a[NR], NR}'; }
echo
echo "## serve ($(nproc) cores; loopback; $(basename "$CLIP"), 10 s)"
echo
echo "| measure | result | target |"
echo "|---|---|---|"
urls=(); for i in $(seq 1 200); do urls+=(-o /dev/null "$URL/"); done
echo "| GET / (the page, 200 requests, one connection) | $(curl -s -w '%{time_total}\n' "${urls[@]}" | ms) | |"
if [ -x /usr/bin/chromium ] && [ -d tests/browser/node_modules/puppeteer-core ] && command -v node >/dev/null; then
  paint=$(PAINT_ONLY=10 node tests/browser/serve_page.js "$URL/" "$T/x.png" "$PWD/examples" 2>&1 | sed -n 's/^paint: //p')
  echo "| page load to first paint (headless chromium) | ${paint:-failed} | < 200 ms |"
else
  echo "| page load to first paint | skipped: no chromium / node / tests/browser/node_modules | < 200 ms |"
fi
curl -s -F "content=@$CLIP" -F "style=@$CLIP" -F filters=16 -F iterations=1 -F griffin_lim_iterations=1 \
  -F content_duration=1 -F style_duration=1 "$URL/api/jobs" > "$T/job"
id=$(jq -r .id "$T/job")
urls=(); for i in $(seq 1 500); do urls+=(-o /dev/null "$URL/api/jobs/$id"); done
echo "| GET /api/jobs/ID (500 requests, one connection) | $(curl -s -w '%{time_total}\n' "${urls[@]}" | ms) | < 5 ms |"
api=(); cli=()
for i in $(seq 1 10); do
  # curl's own time for the request (its process start is not the server's)
  api+=($(curl -s -o /dev/null -w '%{time_total}' -F "file=@$CLIP" "$URL/api/classify" | awk '{printf "%d", $1 * 1e6}'))
  t1=$(date +%s%N); "$A" classify "$CLIP" --json >/dev/null; t2=$(date +%s%N)
  cli+=($(( (t2 - t1) / 1000 )))
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ma=$(med "${api[@]}"); mc=$(med "${cli[@]}")
echo "| classify: API vs CLI (median of 10) | $(awk -v a="$ma" -v c="$mc" 'BEGIN {printf "%.1f ms vs %.1f ms: overhead %.1f ms", a / 1000, c / 1000, (a - c) / 1000}') | < 5 ms beyond the work |"
want=$("$A" classify "$CLIP" --json | jq -c '.[0].genres')
r0=$(rss)
t0=$(date +%s%N)
pids=()
for i in $(seq 1 100); do
  curl -s --max-time 600 -o "$T/c$i" -w '%{http_code}' -F "file=@$CLIP" "$URL/api/classify" > "$T/s$i" & pids+=($!)
done
wait "${pids[@]}"
t1=$(date +%s%N)
ok=0; for i in $(seq 1 100); do [ "$(cat "$T/s$i")" = 200 ] && [ "$(jq -c '.[0].genres' "$T/c$i")" = "$want" ] && ok=$((ok + 1)); done
sleep 1
r1=$(rss)
echo "| 100 concurrent classify | $ok/100 correct in $(( (t1 - t0) / 1000000 )) ms; server RSS $((r0 / 1024)) MB before, $((r1 / 1024)) MB after ($(awk -v a="$r0" -v b="$r1" 'BEGIN {printf "%+.1f %%", 100 * (b - a) / a}')) | all correct, RSS within 10 % |"
