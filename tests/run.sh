#!/bin/sh
# Builds signpost and runs every test: unit (cmocka), integration (the real
# daemon on a loopback port, driven by libcurl) and browser (Debian's
# chromium driven by playwright-core).
#
#   tests/run.sh                   debug build, warnings are errors
#   tests/run.sh --preset asan     the same under ASan + UBSan
#   tests/run.sh --preset release
#
# Extra arguments after the preset go to ctest (for example -L unit).
set -eu
cd "$(dirname "$0")/.."

preset=debug
if [ "${1:-}" = "--preset" ]; then
    [ $# -ge 2 ] || { echo "usage: $0 [--preset debug|asan|release] [ctest args]" >&2; exit 2; }
    preset=$2
    shift 2
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset "$preset"
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" --timeout 600 "$@"
