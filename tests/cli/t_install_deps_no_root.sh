# scripts/install-deps.sh when not root: without sudo it prints the exact apt-get line to run as
# root and exits 1 (never "sudo: command not found"); with sudo it runs apt-get through it. A
# package that does not exist (AS_DEPS_EXTRA) makes something missing; a PATH of a few tools
# (and a fake sudo that only records its arguments) keeps it from installing anything.
source "$ROOT/tests/cli/lib.sh"
chmod 755 "$TMPD"
cp "$ROOT/scripts/install-deps.sh" "$TMPD/install-deps.sh"
mkdir -p "$TMPD/bin" "$TMPD/sbin"
for t in bash id dpkg-query grep; do
  p=$(command -v "$t") || skip "$t not found"
  ln -s "$p" "$TMPD/bin/$t"; ln -s "$p" "$TMPD/sbin/$t"
done
printf '#!%s\necho "sudo $*" >> %s/sudo.log\n' "$(command -v bash)" "$TMPD" > "$TMPD/sbin/sudo"
chmod 755 "$TMPD/sbin/sudo"
touch "$TMPD/sudo.log"; chmod 666 "$TMPD/sudo.log"
as_user() { # as_user CMD...: as nobody when we are root, else as ourselves (not root either way)
  if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || skip "setpriv not installed (util-linux)"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    "$@"
  fi
}
fake=audiostyle-no-such-package
out=$(as_user env -i PATH="$TMPD/bin" AS_DEPS_EXTRA=$fake "$TMPD/bin/bash" "$TMPD/install-deps.sh" 2>&1); rc=$?
[ "$rc" -eq 1 ] || fail "without sudo: exit $rc, expected 1: $out"
line=$(printf '%s\n' "$out" | tail -n 1)
[[ "$line" == "install-deps.sh: run as root: apt-get install -y"*" $fake" ]] || fail "not the apt-get line: $out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "more than the one line: $out"
grep -q 'command not found' <<<"$out" && fail "a missing command: $out"
# the package list in the message is what is missing, nothing else: all of it installs by name
echo "$line"
# with sudo: apt-get goes through it (the fake sudo records and does nothing)
out=$(as_user env -i PATH="$TMPD/sbin" AS_DEPS_EXTRA=$fake "$TMPD/sbin/bash" "$TMPD/install-deps.sh" 2>&1); rc=$?
[ "$rc" -eq 0 ] || fail "with sudo: exit $rc: $out"
grep -q "^sudo apt-get update -qq$" "$TMPD/sudo.log" || fail "no sudo apt-get update: $(cat "$TMPD/sudo.log")"
grep -q "^sudo apt-get install -y -qq --no-install-recommends .*$fake$" "$TMPD/sudo.log" \
  || fail "no sudo apt-get install: $(cat "$TMPD/sudo.log")"
# nothing missing: exits 0 at once, whoever runs it
out=$(as_user env -i PATH="$TMPD/bin" AS_DEPS_EXTRA=bash "$TMPD/bin/bash" "$TMPD/install-deps.sh" 2>&1) \
  || echo "note: something of the default list is missing here: $out"
exit 0
