# The report in a real browser (headless Debian chromium; `scripts/install-deps.sh --browser`):
# every picture decodes (naturalWidth > 0) and every player reads its audio's duration. The page
# has no script of its own: a copy with a small checking script appended is opened with
# --dump-dom and the verdict read from its title; a screenshot is saved as report.png.
# Skipped (exit 77, counted as skipped) when /usr/bin/chromium is absent.
source "$ROOT/tests/cli/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "chromium not installed (scripts/install-deps.sh --browser)"
E="$ROOT/examples"
"$AUDIOSTYLE" transfer "$E/rock_sectoid_feelings.flac" "$E/techno_torustrooper_tt1.flac" -o "$TMPD/o.wav" \
  --filters 64 --iterations 5 --griffin-lim-iterations 5 --content-duration 3 --style-duration 3 --threads 1 \
  --quiet --report "$TMPD/report.html" >/dev/null || fail "transfer --report failed"
cp "$TMPD/report.html" "$TMPD/check.html"
cat >>"$TMPD/check.html" <<'JS'
<script>
(function () {
  var imgs = document.images, auds = document.getElementsByTagName('audio'), left = auds.length, bad = [];
  function finish() {
    for (var i = 0; i < imgs.length; i++) if (!(imgs[i].complete && imgs[i].naturalWidth > 0)) bad.push('img' + i);
    for (var j = 0; j < auds.length; j++) if (!isFinite(auds[j].duration) || !(auds[j].duration > 0)) bad.push('audio' + j);
    document.title = bad.length ? 'FAIL ' + bad.join(',') : 'OK ' + imgs.length + ' ' + auds.length;
  }
  function one() { if (--left === 0) finish(); }
  if (!left) { window.addEventListener('load', finish); return; }
  for (var j = 0; j < auds.length; j++) {
    if (auds[j].readyState >= 1) one();
    else { auds[j].addEventListener('loadedmetadata', one); auds[j].addEventListener('error', one); auds[j].load(); }
  }
})();
</script>
JS
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --virtual-time-budget=5000)
dom=$(timeout 120 "$CHROMIUM" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$TMPD")" --dump-dom \
      "file://$TMPD/check.html" 2>"$TMPD/chromium.err") || fail "chromium failed: $(tail -5 "$TMPD/chromium.err")"
title=$(grep -o '<title>[^<]*</title>' <<<"$dom" | head -1)
grep -q '<title>OK 10 3</title>' <<<"$title" || fail "browser check: $title"
timeout 120 "$CHROMIUM" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$TMPD")" --hide-scrollbars \
  --screenshot="$TMPD/report.png" --window-size=1280,2000 "file://$TMPD/report.html" 2>>"$TMPD/chromium.err" \
  || fail "screenshot failed"
[ -s "$TMPD/report.png" ] || fail "no screenshot"
[ -n "${REPORT_SCREENSHOT:-}" ] && cp "$TMPD/report.png" "$REPORT_SCREENSHOT"
exit 0
