#!/bin/sh
# Installs the Debian 12 / Raspberry Pi OS Bookworm packages signpost needs.
#
#   firmware-config/deps.sh          to build and run the kiosk
#   firmware-config/deps.sh --test   also what the test suite needs
#
# Installs only what is missing, so it is quick and quiet when run again.
# Not root?  It asks sudo for the install step and nothing else.
set -eu

build_pkgs="build-essential cmake pkg-config libmicrohttpd-dev libsqlite3-dev
libjansson-dev libinih-dev libsodium-dev libcurl4-openssl-dev libqrencode-dev
libserialport-dev libzip-dev libgnutls28-dev ca-certificates"
test_pkgs="libcmocka-dev libcurl4-openssl-dev sqlite3 zbar-tools chromium fonts-liberation fonts-dejavu-core
kannel kannel-extras curl shellcheck ca-certificates systemd libfaketime clang libclang-rt-dev"

usage() {
    echo "usage: $0 [--test]" >&2
    exit 2
}

want="$build_pkgs"
case "${1:-}" in
    "") ;;
    --test) want="$want $test_pkgs" ;;
    *) usage ;;
esac

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "$0: this needs Debian 12 or Raspberry Pi OS (apt-get and dpkg-query)" >&2
    exit 1
fi

# Browser tests need Node.js 20 or newer with npm (playwright-core requires
# it).  An existing install is used as it is (NodeSource's bundles npm and
# conflicts with Debian's npm package); Debian 12's own nodejs is 18, so
# tests/e2e/run.sh says clearly when the node found is too old.
if [ "${1:-}" = "--test" ]; then
    if ! command -v node >/dev/null 2>&1; then
        want="$want nodejs npm"
    elif ! command -v npm >/dev/null 2>&1; then
        want="$want npm"
    fi
fi

missing=""
for p in $want; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "deps: everything needed is installed"
    exit 0
fi

as_root=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "$0: need root to install:$missing (run as root, or install sudo)" >&2
        exit 1
    fi
    as_root="sudo"
fi

echo "deps: installing:$missing"
$as_root apt-get update -qq
# shellcheck disable=SC2086 # the package list is meant to split into words
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing
