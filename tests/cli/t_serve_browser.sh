# The web app in a real browser (tests/browser/serve_page.js: Debian's chromium through
# puppeteer-core, installed into tests/browser/node_modules by npm when missing; nothing
# downloads a browser). Skipped, and counted as skipped, without chromium, node or npm.
source "$ROOT/tests/cli/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "chromium not installed (scripts/install-deps.sh --browser)"
command -v node >/dev/null || skip "node not installed (scripts/install-deps.sh --browser)"
command -v curl >/dev/null || skip "curl not installed"
B="$ROOT/tests/browser"
if [ ! -d "$B/node_modules/puppeteer-core" ]; then
  command -v npm >/dev/null || skip "npm not installed, and tests/browser/node_modules is missing"
  # puppeteer-core never downloads a browser; PUPPETEER_SKIP_DOWNLOAD says so to any helper
  (cd "$B" && PUPPETEER_SKIP_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund >"$TMPD/npm.log" 2>&1) \
    || skip "npm could not install puppeteer-core: $(tail -2 "$TMPD/npm.log")"
fi
serve_start "$TMPD/data"
CHROMIUM=$CHROMIUM timeout 300 node "$B/serve_page.js" "$URL/" "$TMPD/serve.png" "$ROOT/examples" \
  || fail "the browser test failed"
[ -s "$TMPD/serve.png" ] || fail "no screenshot"
[ -n "${SERVE_SCREENSHOT:-}" ] && cp "$TMPD/serve.png" "$SERVE_SCREENSHOT"
serve_stop
