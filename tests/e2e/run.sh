#!/bin/sh
# The browser tests: the real signpost daemon (SIGNPOST_BIN, default
# build/debug/signpost), Debian's chromium, playwright-core and axe-core.
# Installs the pinned npm packages when node_modules is missing or older than
# package-lock.json, then runs every *.test.mjs one file at a time.
set -eu
cd "$(dirname "$0")"

# playwright-core needs Node.js 20 or newer.
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
    echo "e2e: Node.js 20 or newer is needed (found ${major}); see firmware-config/deps.sh" >&2
    exit 1
fi

# An emptied or half-installed node_modules counts as missing.
if [ ! -f node_modules/playwright-core/package.json ] ||
   [ ! -f node_modules/axe-core/package.json ] ||
   [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund
    touch node_modules
fi

# One file at a time: each starts its own daemon and browser.
status=0
for f in *.test.mjs; do
    node --test "$f" || status=1
done
exit $status
