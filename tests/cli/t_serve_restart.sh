# audiostyle serve keeps its jobs on disk: a clean stop (SIGTERM) and a restart list the finished
# job again with its files; SIGKILL mid-job and a restart leave the finished job intact, mark the
# interrupted one failed with a reason (no half-written result, no orphan worker), and re-queue
# nothing that was running. The ids are 128-bit random: two servers never repeat one.
source "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v jq >/dev/null || skip "jq not installed"
E="$ROOT/examples"
ROCK="$E/rock_sectoid_feelings.flac" TECHNO="$E/techno_torustrooper_tt1.flac"
D="$TMPD/data"
serve_start "$D"
expect_status 202 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F filters=16 -F iterations=2 \
  -F griffin_lim_iterations=2 -F content_duration=2 -F style_duration=2
done_id=$(jq -r .id "$TMPD/body")
[ "$(wait_job "$done_id" done failed cancelled)" = done ] || fail "the small job did not finish"
curl -s "$URL/api/jobs/$done_id" > "$TMPD/before.json"
sum=$(md5sum < "$D/jobs/$done_id/result.wav")
serve_stop

# a clean restart: the finished job is listed again, the same numbers, the files served
serve_start "$D"
expect_status 200 GET /api/jobs
jq -e --arg id "$done_id" '.jobs | map(select(.id == $id and .state == "done")) | length == 1' "$TMPD/body" >/dev/null \
  || fail "not listed after a restart: $(head -c 400 "$TMPD/body")"
expect_status 200 GET "/api/jobs/$done_id"
[ "$(jq -c .result "$TMPD/body")" = "$(jq -c .result "$TMPD/before.json")" ] || fail "the numbers changed"
expect_status 200 GET "/api/jobs/$done_id/result.wav"
[ "$(md5sum < "$TMPD/body")" = "$sum" ] || fail "result.wav changed"

# SIGKILL mid-job
expect_status 202 POST /api/jobs -F "content=@$ROCK" -F "style=@$TECHNO" -F filters=64 "${endless[@]}" \
  -F content_duration=5 -F style_duration=5
run_id=$(jq -r .id "$TMPD/body")
wait_job "$run_id" running >/dev/null
for i in $(seq 1 100); do [ "$(curl -s "$URL/api/jobs/$run_id" | jq .iteration)" -ge 1 ] && break; sleep 0.1; done
kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
# the worker process dies with the server (no orphan writing into the job's folder)
in_job_dir() { local p; for p in /proc/[0-9]*; do [ "$(readlink "$p/cwd" 2>/dev/null)" = "$D/jobs/$run_id" ] && return 0; done; return 1; }
for i in $(seq 1 50); do in_job_dir || break; sleep 0.1; done
in_job_dir && fail "a worker process outlived the killed server"
grep -q '^state running$' "$D/jobs/$run_id/job.meta" || fail "the killed job was not running: $(cat "$D/jobs/$run_id/job.meta")"
serve_start "$D"
expect_status 200 GET "/api/jobs/$run_id"
jq -e '.state == "failed" and (.error | test("stopped while the job was running"))' "$TMPD/body" >/dev/null \
  || fail "the interrupted job: $(head -c 400 "$TMPD/body")"
[ ! -e "$D/jobs/$run_id/result.wav" ] || fail "the interrupted job has a result"
no_tmp_files "$D/jobs/$run_id"
expect_status 404 GET "/api/jobs/$run_id/result.wav"
expect_status 200 GET "/api/jobs/$done_id"
jq -e '.state == "done"' "$TMPD/body" >/dev/null || fail "the finished job was lost"
expect_status 200 GET "/api/jobs/$done_id/spectrograms.png"
# ids: 32 hex digits, distinct
[ "$done_id" != "$run_id" ] || fail "the same id twice"
serve_stop
