#!/bin/sh
# The browser tests: the real signpost daemon (SIGNPOST_BIN, default
# build/debug/signpost), Debian's chromium, playwright-core and axe-core.
# Installs the pinned npm packages when node_modules is missing or older than
# package-lock.json, then runs every *.test.mjs one file at a time.
set -eu
cd "$(dirname "$0")"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund
    touch node_modules
fi

exec node --test --test-concurrency=1 *.test.mjs
