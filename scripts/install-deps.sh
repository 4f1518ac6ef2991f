#!/usr/bin/env bash
# Installs the Debian packages audiostyle needs to build, test and run. Idempotent: installs only
# what is missing and says what. Uses sudo when not root; not root and without sudo, prints the
# apt-get line to run as root and exits 1.
#   scripts/install-deps.sh            build + test packages
#   scripts/install-deps.sh --browser  also Debian's chromium, and node + npm where missing (the
#                                      report's and the web app's browser tests)
#   scripts/install-deps.sh --python   also Debian's python3 packages the Python binding's tests
#                                      need (numpy, cffi, pytest, venv + pip for the install
#                                      test, jupyter-nbconvert + ipykernel for the notebook)
#   scripts/install-deps.sh --slurm    also Slurm (slurm-wlm, munge: make check-slurm starts a
#                                      single-node cluster) and GNU parallel (the catalog recipes)
# AS_DEPS_EXTRA="PKG..." adds packages to the list (tests/cli/t_install_deps_no_root.sh).
set -eu
pkgs="make gcc pkg-config jq time libsndfile1-dev libsoxr-dev libfftw3-dev libopenblas-dev liblapacke-dev liblbfgs-dev libcairo2-dev libdnnl-dev libmicrohttpd-dev curl"
pkgs="$pkgs libavformat-dev libavcodec-dev libavutil-dev"
pkgs="$pkgs fonts-dejavu-core ${AS_DEPS_EXTRA:-}"
for a in "$@"; do
  case "$a" in
    --browser) pkgs="$pkgs chromium"
               # node may come from elsewhere (its own npm inside): Debian's only where there is none
               command -v node >/dev/null || pkgs="$pkgs nodejs"
               command -v npm >/dev/null || pkgs="$pkgs npm" ;;
    --dev) pkgs="$pkgs clang libclang-rt-14-dev valgrind cppcheck" ;;
    --slurm) pkgs="$pkgs slurm-wlm munge parallel" ;;
    --python) pkgs="$pkgs python3 python3-numpy python3-cffi python3-pytest python3-venv python3-pip jupyter-nbconvert python3-ipykernel" ;;
    *) echo "install-deps.sh: unknown option $a (use --browser, --dev, --python or --slurm)" >&2; exit 2 ;;
  esac
done
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then
    sudo="sudo"
  else
    echo "install-deps.sh: run as root: apt-get install -y$missing" >&2
    exit 1
  fi
fi
echo "install-deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps.sh: done"
