#!/bin/sh
# The Twilio adapter against Stoplight Prism: prism-cli (pinned in
# package-lock.json, installed with npm ci like tests/e2e) mocks Twilio's
# OpenAPI description (twilio_api_v2010.json, see NOTICE.md) on a loopback
# port with --errors, so a request that breaks the contract gets a 4xx
# instead of the spec's example.  $1 is the sms_prism_client program.
#
# Skips (exit 77, which ctest reports as skipped) only when Node.js is not
# installed; any other problem, an npm ci failure included, is a failure.
set -eu
client=$1
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
    echo "sms.prism: skipped: Node.js is not installed (firmware-config/deps.sh --test installs it)"
    exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
    echo "sms.prism: Node.js 18 or newer is needed (found $(node --version))" >&2
    exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund
    touch node_modules
fi

# A free loopback port (the kernel's pick, released for Prism to take).
port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
log=$(mktemp)
node_modules/.bin/prism mock --host 127.0.0.1 --port "$port" --errors \
    twilio_api_v2010.json >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

# Prism reads the 1.8 MB description before it listens: wait up to 90 s.
tries=0
until node -e 'require("net").connect(+process.argv[1], "127.0.0.1")
    .on("connect", () => process.exit(0)).on("error", () => process.exit(1));' "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "sms.prism: Prism exited:" >&2
        cat "$log" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 180 ]; then
        echo "sms.prism: Prism did not listen within 90 s:" >&2
        tail -20 "$log" >&2
        exit 1
    fi
    sleep 0.5
done

echo "sms.prism: prism mock --host 127.0.0.1 --port $port --errors twilio_api_v2010.json"
status=0
"$client" "http://127.0.0.1:$port" || status=$?
if [ "$status" -ne 0 ]; then
    echo "sms.prism: Prism's log:" >&2
    grep -v 'info      \(GET\|POST\|DELETE\|PUT\|PATCH\) ' "$log" | tail -40 >&2
fi
exit "$status"
