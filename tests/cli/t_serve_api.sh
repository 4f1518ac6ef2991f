# audiostyle serve's JSON API against a live server on a loopback port (curl): the page and its
# assets, classify, features (JSON and CSV), a small transfer to the end with its events and
# results, cancel, every error status (400 413 415 422 404 405 409 503), path traversal, a
# malformed multipart body, an upload cut short, 20 concurrent classify requests.
source "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v jq >/dev/null || skip "jq not installed"
E="$ROOT/examples"
ROCK="$E/rock_sectoid_feelings.flac" TECHNO="$E/techno_torustrooper_tt1.flac"
serve_start "$TMPD/data" --max-upload 3
grep -q '^audiostyle: serving http://127.0.0.1:[0-9]*/ ' "$TMPD/serve.out" || fail "no URL printed"
small=(-F filters=16 -F iterations=2 -F griffin_lim_iterations=2 -F content_duration=2 -F style_duration=2)

# the page and its assets, compiled in
expect_status 200 GET /
grep -q '<script src="/app.js">' "$TMPD/body" || fail "the page has no script"
expect_status 200 GET /app.js
expect_status 200 GET /style.css
expect_status 404 GET /nothing.html
expect_status 200 GET /api/options
jq -e '[.fields[].name] | index("preset") and index("filters") and index("content_offset") and index("seed") and (index("threads") | not)' \
  "$TMPD/body" >/dev/null || fail "options: $(head -c 300 "$TMPD/body")"
expect_status 200 GET /api/examples
jq -e '.examples | length == 4' "$TMPD/body" >/dev/null || fail "examples: $(cat "$TMPD/body")"
expect_status 200 GET /api/examples/rock_sectoid_feelings.flac
cmp -s "$TMPD/body" "$ROCK" || fail "the example differs from the file"

# classify: the same JSON as the CLI's classify --json (the name is the upload's)
expect_status 200 POST /api/classify -F "file=@$ROCK"
"$AUDIOSTYLE" classify "$ROCK" --json > "$TMPD/cli.json" || fail "CLI classify failed"
jq -e --slurpfile c "$TMPD/cli.json" '.[0].genres == $c[0][0].genres and .[0].file == "rock_sectoid_feelings.flac"' \
  "$TMPD/body" >/dev/null || fail "classify differs from the CLI: $(cat "$TMPD/body")"
# features: 57 of them, JSON and CSV
expect_status 200 POST /api/features -F "file=@$ROCK"
jq -e '.count == 57 and (.features | length == 57) and (.features.tempo | type == "number")' "$TMPD/body" >/dev/null \
  || fail "features: $(head -c 400 "$TMPD/body")"
expect_status 200 POST '/api/features?format=csv' -F "file=@$ROCK"
[ "$(head -1 "$TMPD/body" | tr ',' '\n' | grep -c .)" -ge 57 ] || fail "features csv: $(head -c 300 "$TMPD/body")"
expect_status 400 POST '/api/features?format=xml' -F "file=@$ROCK"

# a small transfer to the end: 202, queued/running, events, done, the numbers and the files
expect_status 202 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" "${small[@]}" -F preset=default -F seed=3
id=$(jq -r .id "$TMPD/body")
[[ "$id" =~ ^[0-9a-f]{32}$ ]] || fail "job id is not 128 bits of hex: $id"
curl -s -N --max-time 120 "$URL/api/jobs/$id/events" > "$TMPD/events" || fail "the event stream failed"
grep -q '^event: end$' "$TMPD/events" || fail "no end event: $(head -c 500 "$TMPD/events")"
grep '^data: ' "$TMPD/events" | sed 's/^data: //' | jq -se 'any(.[]; .state == "running" and .stage == "optimize" and .iterations == 2)
  and any(.[]; .stage == "griffin-lim")' >/dev/null || fail "no progress events: $(head -c 800 "$TMPD/events")"
grep '^data: ' "$TMPD/events" | tail -1 | sed 's/^data: //' | jq -e '.state == "done"' >/dev/null \
  || fail "last event not done: $(tail -c 500 "$TMPD/events")"
[ "$(wait_job "$id" done failed cancelled)" = done ] || fail "job: $(curl -s "$URL/api/jobs/$id")"
expect_status 200 GET "/api/jobs/$id"
jq -e '.result.iterations == 2 and .result.filters == 16 and (.result.genres.result | length == 3)
       and (.result.quality | type == "object") and .iteration == 2 and (.result.content_loss | type == "number")' \
  "$TMPD/body" >/dev/null || fail "job numbers: $(head -c 600 "$TMPD/body")"
for f in result.wav result.flac report.html spectrograms.png content style; do
  expect_status 200 GET "/api/jobs/$id/$f"
  cp "$TMPD/body" "$TMPD/dl-$f"
done
[ "$(head -c 4 "$TMPD/dl-result.wav")" = RIFF ] || fail "result.wav is not a WAV"
[ "$(head -c 4 "$TMPD/dl-result.flac")" = fLaC ] || fail "result.flac is not a FLAC"
"$AUDIOSTYLE" info "$TMPD/dl-result.flac" >/dev/null || fail "result.flac does not decode"
head -c 8 "$TMPD/dl-spectrograms.png" | od -An -tx1 | grep -q '89 50 4e 47' || fail "not a PNG"
grep -qi '<html' "$TMPD/dl-report.html" || fail "no report"
cmp -s "$TMPD/dl-content" "$ROCK" || fail "content download differs from the upload"
expect_status 200 GET /api/jobs
jq -e --arg id "$id" '[.jobs[].id] | index($id)' "$TMPD/body" >/dev/null || fail "job not listed"
expect_status 409 DELETE "/api/jobs/$id"
no_tmp_files "$TMPD/data/jobs/$id"

# cancel a running job: the state says so and nothing is written
expect_status 202 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F filters=64 "${endless[@]}" -F content_duration=5 -F style_duration=5
long=$(jq -r .id "$TMPD/body")
wait_job "$long" running >/dev/null
# a second job waits behind it: its position is 1, and it can be cancelled while queued
expect_status 202 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" "${small[@]}"
q=$(jq -r .id "$TMPD/body")
jq -e '.state == "queued" and .position == 1' "$TMPD/body" >/dev/null || fail "queued job: $(cat "$TMPD/body")"
expect_status 202 DELETE "/api/jobs/$q"
[ "$(wait_job "$q" cancelled done failed)" = cancelled ] || fail "queued job not cancelled"
# 503 when the queue (16) is full
ids=()
for i in $(seq 1 16); do
  expect_status 202 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" "${small[@]}"
  ids+=("$(jq -r .id "$TMPD/body")")
done
expect_status 503 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" "${small[@]}"
for i in "${ids[@]}"; do expect_status 202 DELETE "/api/jobs/$i"; done
expect_status 202 DELETE "/api/jobs/$long"
[ "$(wait_job "$long" cancelled done failed)" = cancelled ] || fail "running job not cancelled: $(curl -s "$URL/api/jobs/$long")"
[ ! -e "$TMPD/data/jobs/$long/result.wav" ] || fail "a cancelled job wrote a result"
no_tmp_files "$TMPD/data/jobs/$long"
expect_status 404 GET "/api/jobs/$long/result.wav"

# errors, each with its status and a JSON message
expect_status 404 GET /api/jobs/00000000000000000000000000000000
expect_status 404 GET /api/jobs/not-a-job
expect_status 404 GET "/api/jobs/$id/job.meta"
expect_status 404 GET /api/nothing
expect_status 405 PUT /api/jobs
expect_status 400 POST /api/jobs -F "content=@$ROCK"                                  # no style
expect_status 400 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F filters=0  # out of range
expect_status 400 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F preset=loud
expect_status 400 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F threads=64  # the server's to set
expect_status 400 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F output=/etc/passwd
expect_status 400 POST /api/classify -F "other=@$ROCK"
expect_status 400 POST /api/classify --data-binary 'not multipart' -H 'Content-Type: text/plain'
# malformed multipart: no closing delimiter, and a part without a name
printf -- '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF' > "$TMPD/bad1"
expect_status 400 POST /api/classify --data-binary "@$TMPD/bad1" -H 'Content-Type: multipart/form-data; boundary=XyZ'
printf -- '--XyZ\r\nContent-Disposition: form-data; filename="a.wav"\r\n\r\nRIFF\r\n--XyZ--\r\n' > "$TMPD/bad2"
expect_status 400 POST /api/classify --data-binary "@$TMPD/bad2" -H 'Content-Type: multipart/form-data; boundary=XyZ'
expect_status 400 POST /api/classify --data-binary "@$TMPD/bad2" -H 'Content-Type: multipart/form-data'
# 413: larger than --max-upload 3 (MB)
head -c 4000000 /dev/urandom > "$TMPD/big.wav"
expect_status 413 POST /api/classify -F "file=@$TMPD/big.wav"
# 415: not audio, with the CLI's message naming the upload
printf 'hello' > "$TMPD/notes.txt"
expect_status 415 POST /api/classify -F "file=@$TMPD/notes.txt"
jq -e '.error | startswith("notes.txt: ")' "$TMPD/body" >/dev/null || fail "415 message: $(cat "$TMPD/body")"
expect_status 415 POST /api/jobs -F "content=@$TMPD/notes.txt" -F "style=@$TECHNO"
jq -e '.error | startswith("notes.txt: ")' "$TMPD/body" >/dev/null || fail "415 message: $(cat "$TMPD/body")"
# 422: audio that decodes but is too short to classify
wav16 "$TMPD/blip.wav" 500 /dev/urandom
expect_status 422 POST /api/classify -F "file=@$TMPD/blip.wav"
jq -e '.error | test("blip.wav.*too short")' "$TMPD/body" >/dev/null || fail "422 message: $(cat "$TMPD/body")"

# path traversal, plain and percent-encoded: never outside the app
for p in /../../../../etc/passwd /api/jobs/../../Makefile /%2e%2e/%2e%2e/etc/passwd /api/examples/..%2f..%2fMakefile \
         /api/examples/%2e%2e%2fMakefile "/api/jobs/$id/..%2f..%2f..%2fjobs" /api/examples/.hidden.flac; do
  code=$(http GET "$p")
  [ "$code" = 404 ] || fail "$p: HTTP $code"
  ! grep -q 'root:\|CFLAGS' "$TMPD/body" || fail "$p: served a file outside the app"
done

# an upload cut short: the server drops it, stores nothing and goes on
port=${URL##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /api/classify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="cut.wav"\r\n\r\nRIFF' >&3
exec 3>&-
expect_status 200 GET /api/jobs
for i in $(seq 1 50); do [ -z "$(ls -A "$TMPD/data/tmp")" ] && break; sleep 0.1; done
[ -z "$(ls -A "$TMPD/data/tmp")" ] || fail "a cut upload left files: $(ls -A "$TMPD/data/tmp")"

# 20 concurrent classify requests: every one answered, the same genres
want=$(jq -c '.[0].genres' "$TMPD/cli.json")
pids=()
for i in $(seq 1 20); do
  curl -s --max-time 300 -o "$TMPD/c$i" -w '%{http_code}' -F "file=@$ROCK" "$URL/api/classify" > "$TMPD/s$i" &
  pids+=($!)
done
wait "${pids[@]}" # not the server
for i in $(seq 1 20); do
  [ "$(cat "$TMPD/s$i")" = 200 ] || fail "concurrent classify $i: HTTP $(cat "$TMPD/s$i"): $(cat "$TMPD/c$i")"
  [ "$(jq -c '.[0].genres' "$TMPD/c$i")" = "$want" ] || fail "concurrent classify $i differs"
done
kill -0 "$SERVE_PID" || fail "the server died"
serve_stop
