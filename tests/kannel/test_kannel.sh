#!/bin/sh
# End-to-end SMS follow-up through the real Kannel gateway (ctest kannel.e2e).
#
# Everything runs on 127.0.0.1: Debian's bearerbox and smsbox, with
# kannel-extras' fakesmsc as the phone network (tests/kannel/kannel.sh), and
# the signpost daemon with [sms] gateway = kannel.
#
#   1. Kannel starts; its get-url for inbound texts is signpost's staff
#      listener: /hooks/kannel/inbound?key=<Kannel password>&from=%p&to=%P
#      &text=%a&id=%I&time=%T
#   2. signpost imports data/demo-directory and serves, with a config for
#      that Kannel
#   3. the kiosk API stores a screening with a positive need
#   4. the patient asks for texts: POST /api/v1/screenings/{id}/sms -> 201
#   5. the first reminder reaches the phone through Kannel: the clinic's
#      name, "Reply 1 yes", and no need or resource named in any text; the
#      fake SMSC's delivery report comes back (sms outbox: delivered)
#   6. the phone answers "1" (signpost sms replies shows it), then "STOP"
#      (sms optouts lists the number masked; sms outbox shows the other
#      reminder cancelled; at most one confirmation follows, and Kannel
#      never answers a text by itself)
#   7. everything stops, whatever happened (also when this script is killed:
#      kannel.sh's watchdog stops Kannel once this shell has gone)
#
# Needs SIGNPOST_BIN, curl, and Kannel (exit 77, skipped, when bearerbox is not
# installed).  SIGNPOST_KEEP=1 keeps the work directory; it is always kept
# when a check fails.
set -eu
LC_ALL=C
export LC_ALL

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
KANNEL="$here/kannel.sh"
BEARERBOX=${BEARERBOX:-/usr/sbin/bearerbox}

CLINIC="Riverton Community Clinic"
CLINIC_PHONE="(217) 555-0100"
FROM=12175550100      # the clinic's number at Kannel
PHONE=2175550123      # what the patient types at the kiosk
PHONE_E164=12175550123
# Words that name a need (matched as whole words, any case); no text may
# carry one.  The screening's positive domains and the names of the resources
# it matched are added once it is stored.
NEED_WORDS="food foods hunger hungry meal meals pantry groceries housing homeless
shelter rent eviction utilities utility electricity heating transportation
transport ride rides safety violence abuse"

if [ ! -x "$BEARERBOX" ]; then
    echo "SKIP: $BEARERBOX is not installed (Debian packages kannel and kannel-extras;" \
        "firmware-config/deps.sh --test installs them)"
    exit 77
fi

step_no=0
step_name="setting up"
step() {
    step_no=$((step_no + 1))
    step_name=$*
    printf '\n== %s. %s\n' "$step_no" "$*"
}
ok() { printf 'ok - %s\n' "$*"; }
note() { printf 'note: %s\n' "$*"; }
fail() {
    printf 'FAIL at step %s (%s): %s\n' "$step_no" "$step_name" "$*" >&2
    exit 1
}

[ -n "${SIGNPOST_BIN:-}" ] || fail "SIGNPOST_BIN must name the signpost binary"
[ -x "$SIGNPOST_BIN" ] || fail "SIGNPOST_BIN=$SIGNPOST_BIN is not executable"
command -v curl >/dev/null 2>&1 || fail "curl is needed (apt-get install curl)"

now() { date +%s; }
nap() { sleep 0.2 2>/dev/null || sleep 1; }

alive() {
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
        [ "$state" != Z ] || return 1
    fi
    return 0
}

work=$(mktemp -d "${TMPDIR:-/tmp}/signpost-kannel-XXXXXX")
kdir="$work/kannel"
sdir="$work/state"
conf="$work/signpost.conf"
dlog="$work/signpost.log"
mkdir -p "$kdir" "$sdir"
daemon_pid=""
guard_pid=""

stop_daemon() {
    if [ -n "$guard_pid" ]; then
        kill -TERM "$guard_pid" 2>/dev/null || true
        wait "$guard_pid" 2>/dev/null || true
        guard_pid=""
    fi
    [ -n "$daemon_pid" ] || return 0
    kill -TERM "$daemon_pid" 2>/dev/null || true
    deadline=$(($(now) + 10))
    while alive "$daemon_pid" && [ "$(now)" -lt "$deadline" ]; do nap; done
    if alive "$daemon_pid"; then
        echo "signpost did not stop within 10 s of TERM: killing it" >&2
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
}

show_tail() { # FILE [LINES]
    [ -s "$1" ] || return 0
    printf -- '---- %s (last %s lines)\n' "$1" "${2:-25}" >&2
    tail -n "${2:-25}" "$1" >&2
}

cleanup() {
    rc=$?
    set +e
    trap - EXIT INT HUP TERM
    printf '\n== %s. stopping everything\n' "$((step_no + 1))"
    stop_daemon
    "$KANNEL" stop "$kdir" && echo "ok - Kannel stopped"
    if [ "$rc" -ne 0 ]; then
        show_tail "$dlog" 40
        show_tail "$kdir/phone.log" 10
        show_tail "$kdir/smsbox-access.log" 10
        show_tail "$kdir/access.log" 10
        show_tail "$kdir/bearerbox.out" 10
        show_tail "$kdir/smsbox.out" 10
        echo "kept $work" >&2
    elif [ -n "${SIGNPOST_KEEP:-}" ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 129' HUP
trap 'exit 143' TERM

# ---- little helpers -----------------------------------------------------

# The first string value of KEY in the JSON on stdin (flat keys only).
json_str() {
    awk -v k="$1" 'BEGIN { RS = "\001" } {
        if (match($0, "\"" k "\"[ \t\r\n]*:[ \t\r\n]*\"([^\"\\\\]|\\\\.)*\"")) {
            s = substr($0, RSTART, RLENGTH)
            sub(/^"[^"]*"[ \t\r\n]*:[ \t\r\n]*"/, "", s)
            sub(/"$/, "", s)
            print s
        }
    }'
}

# Every string value of KEY in the JSON on stdin, one a line.
json_strs() {
    awk -v k="$1" 'BEGIN { RS = "\001" } {
        rest = $0
        while (match(rest, "\"" k "\"[ \t\r\n]*:[ \t\r\n]*\"([^\"\\\\]|\\\\.)*\"")) {
            s = substr(rest, RSTART, RLENGTH)
            rest = substr(rest, RSTART + RLENGTH)
            sub(/^"[^"]*"[ \t\r\n]*:[ \t\r\n]*"/, "", s)
            sub(/"$/, "", s)
            print s
        }
    }'
}

# The strings in the JSON array KEY (on stdin), one a line.
json_str_array() {
    awk -v k="$1" 'BEGIN { RS = "\001" } {
        if (match($0, "\"" k "\"[ \t\r\n]*:[ \t\r\n]*\\[[^]]*\\]")) {
            s = substr($0, RSTART, RLENGTH)
            sub(/^[^[]*\[/, "", s)
            while (match(s, "\"[^\"]*\"")) {
                print substr(s, RSTART + 1, RLENGTH - 2)
                s = substr(s, RSTART + RLENGTH)
            }
        }
    }'
}

# HTTP: request METHOD URL [BODY-FILE [BEARER]]; sets $code, body in $work/body.
request() {
    set -- "$1" "$2" "${3:-}" "${4:-}"
    if [ -n "$3" ]; then
        if [ -n "$4" ]; then
            code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 15 -X "$1" \
                -H 'Content-Type: application/json' -H "Authorization: Bearer $4" \
                --data-binary "@$3" "$2" || true)
        else
            code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 15 -X "$1" \
                -H 'Content-Type: application/json' --data-binary "@$3" "$2" || true)
        fi
    else
        code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 15 -X "$1" "$2" || true)
    fi
    [ -f "$work/body" ] || : >"$work/body"
}

body() { cat "$work/body"; }

# Runs "signpost sms WHAT"; sets $cli_rc, output in $work/cli.out.
sms_cli() {
    cli_rc=0
    "$SIGNPOST_BIN" sms "$1" --config "$conf" --state-dir "$sdir" \
        >"$work/cli.out" 2>"$work/cli.err" </dev/null || cli_rc=$?
}

# What Kannel delivered to the patient's phone, one "FROM TO TYPE TEXT" a line.
phone_messages() {
    "$KANNEL" messages "$kdir" | awk -v a="$PHONE_E164" -v b="+$PHONE_E164" '$2 == a || $2 == b'
}

# ---- 1. Kannel ------------------------------------------------------------

step "Kannel (bearerbox, smsbox, fakesmsc) on loopback"
STAFF_PORT=$("$KANNEL" port)
PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
INBOUND="http://127.0.0.1:$STAFF_PORT/hooks/kannel/inbound?key=$PASSWORD&from=%p&to=%P&text=%a&id=%I&time=%T"
KANNEL_PASSWORD=$PASSWORD KANNEL_INBOUND_URL=$INBOUND KANNEL_OWNER_PID=$$ \
    KANNEL_RESERVED_PORTS=$STAFF_PORT "$KANNEL" start "$kdir" >"$work/kannel.env" ||
    fail "kannel.sh start failed (logs in $kdir)"
kv() { sed -n "s/^$1=//p" "$work/kannel.env"; }
SENDSMS_BASE=$(kv SENDSMS_BASE)
ok "Kannel is up: sendsms $SENDSMS_BASE, admin port $(kv ADMIN_PORT), fake SMSC port $(kv FAKESMSC_PORT)"
ok "inbound get-url: http://127.0.0.1:$STAFF_PORT/hooks/kannel/inbound?key=***&from=%p&to=%P&text=%a&id=%I&time=%T"

# ---- 2. signpost ----------------------------------------------------------

step "signpost serve with [sms] gateway = kannel"
cat >"$conf" <<EOF
[clinic]
name = $CLINIC
phone = $CLINIC_PHONE
timezone = America/Chicago

[store]
dir = $sdir

[staff]
listen = 127.0.0.1:$STAFF_PORT
tls = off

[sms]
gateway = kannel
from = $FROM
reminders = 2s,1h
quiet_hours = 00:00-24:00
max_per_day = 10
max_per_week = 30
public_url = http://127.0.0.1:$STAFF_PORT

[sms.kannel]
url = $SENDSMS_BASE
username = signpost
password_file = $kdir/kannel.pass

[printer]
transport = none
EOF
# The demo directory, so that the screening matches resources whose names
# the texts must then not carry.
"$SIGNPOST_BIN" import --config "$conf" --state-dir "$sdir" --quiet \
    "$here/../../data/demo-directory" >"$work/import.out" 2>&1 ||
    fail "signpost import of data/demo-directory failed: $(tail -n 3 "$work/import.out")"
ok "directory: $(tail -n 1 "$work/import.out")"
"$SIGNPOST_BIN" serve --config "$conf" --state-dir "$sdir" --listen 127.0.0.1:0 \
    </dev/null >"$work/signpost.out" 2>"$dlog" &
daemon_pid=$!
# Should this shell be killed outright, the daemon goes too.
(
    while alive "$$"; do sleep 1; done
    kill -TERM "$daemon_pid" 2>/dev/null
) </dev/null >/dev/null 2>&1 &
guard_pid=$!
deadline=$(($(now) + 30))
KIOSK=""
while [ -z "$KIOSK" ]; do
    addr=$(sed -n 's|.*kiosk listening on http://\([^/ ]*\)/.*|\1|p' "$dlog" | sed -n 1p)
    [ -z "$addr" ] || KIOSK="http://$addr"
    [ -n "$KIOSK" ] && break
    alive "$daemon_pid" || {
        wait "$daemon_pid" && drc=0 || drc=$?
        daemon_pid=""
        fail "signpost serve exited ($drc) before listening: $(tail -n 5 "$dlog" | tr '\n' ' ')"
    }
    [ "$(now)" -lt "$deadline" ] || fail "signpost did not log 'kiosk listening on' within 30 s"
    nap
done
ok "kiosk API at $KIOSK"
deadline=$(($(now) + 15))
staff_up=0
while :; do
    scode=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
        "http://127.0.0.1:$STAFF_PORT/" 2>/dev/null || true)
    if [ -n "$scode" ] && [ "$scode" != 000 ]; then
        staff_up=1
        break
    fi
    [ "$(now)" -lt "$deadline" ] || break
    nap
done
if [ "$staff_up" = 1 ]; then
    ok "staff listener answers on 127.0.0.1:$STAFF_PORT (GET / -> $scode)"
else
    note "nothing answers on the staff listener 127.0.0.1:$STAFF_PORT after 15 s;" \
        "the inbound steps will fail"
fi

# ---- 3. a screening -------------------------------------------------------

step "a screening with a positive need (POST /api/v1/screenings)"
# Food insecurity positive; every other domain negative, safety sum 4.
cat >"$work/screening.json" <<'EOF'
{"language":"en","answers":{
 "71802-3":"LA31993-1","88122-7":"LA28397-0","88123-5":"LA28397-0",
 "93030-5":"LA32-8","96779-4":"LA32-8",
 "95618-5":"LA6270-8","95617-7":"LA6270-8","95616-9":"LA6270-8","95615-1":"LA6270-8",
 "96778-6":["LA9-3"]}}
EOF
request POST "$KIOSK/api/v1/screenings" "$work/screening.json"
[ "$code" = 201 ] || fail "POST /api/v1/screenings answered $code: $(body)"
cp "$work/body" "$work/screening.out"
SID=$(json_str id <"$work/screening.out")
TOKEN=$(json_str token <"$work/screening.out")
if [ -z "$SID" ] || [ -z "$TOKEN" ]; then fail "no id or token in: $(body)"; fi
positive=$(json_str_array positive_domains <"$work/screening.out" | tr '\n' ' ')
[ -n "$positive" ] || fail "no positive domain in: $(body)"
resources=$(json_strs name <"$work/screening.out")
nres=$(printf '%s' "$resources" | grep -c '^' || true)
ok "screening $SID stored; positive: $positive; $nres resource name(s) matched"

# ---- 4. the patient asks for texts ----------------------------------------

step "consent to texts (POST /api/v1/screenings/{id}/sms)"
request GET "$KIOSK/api/v1/sms/consent?lang=en"
[ "$code" = 200 ] || fail "GET /api/v1/sms/consent?lang=en answered $code: $(body)"
VERSION=$(json_str version <"$work/body")
[ -n "$VERSION" ] || fail "no version in the consent: $(body)"
ok "consent text version $VERSION"
printf '{"phone":"%s","consent":true,"consent_version":"%s","language":"en","reminders":true,"send_list":false}\n' \
    "$PHONE" "$VERSION" >"$work/sms.json"
request POST "$KIOSK/api/v1/screenings/$SID/sms" "$work/sms.json" "$TOKEN"
[ "$code" = 201 ] || fail "POST /api/v1/screenings/$SID/sms answered $code: $(body)"
ok "texts requested (201): $(body | tr -d '\n' | cut -c1-200)"

# ---- 5. the reminder reaches the phone ------------------------------------

step "the reminder goes out through Kannel to the phone"
deadline=$(($(now) + 30))
reminder=""
while [ -z "$reminder" ]; do
    reminder=$(phone_messages | grep -F -- "Reply 1 yes" | sed -n 1p || true)
    [ -n "$reminder" ] && break
    [ "$(now)" -lt "$deadline" ] || {
        sms_cli outbox
        fail "no text with 'Reply 1 yes' reached $PHONE_E164 within 30 s;" \
            "the phone got: [$(phone_messages | tr '\n' '|')];" \
            "sms outbox (exit $cli_rc): $(tr '\n' '|' <"$work/cli.out") $(tr '\n' ' ' <"$work/cli.err")"
    }
    nap
done
ok "delivered: $reminder"
case "$reminder" in
    *"$CLINIC"*) ok "it names the clinic" ;;
    *) fail "the reminder does not name the clinic '$CLINIC': $reminder" ;;
esac
case "$reminder" in
    *" text "*) ok "sent as plain GSM text" ;;
    *) note "not a plain text message at the phone: $reminder" ;;
esac
phone_messages >"$work/texts.txt"
{
    # shellcheck disable=SC2086 # one word a line
    printf '%s\n' $NEED_WORDS $positive
    printf '%s\n' "$positive" | tr '_ ' ' \n'
    printf '%s\n' "$resources"
} | sed '/^[[:space:]]*$/d' | sort -u >"$work/forbidden.txt"
while IFS= read -r word; do
    if grep -i -w -F -q -- "$word" "$work/texts.txt"; then
        fail "a text to the phone names '$word': $(grep -i -w -F -- "$word" "$work/texts.txt" | sed -n 1p)"
    fi
done <"$work/forbidden.txt"
ok "no text names a need or a resource ($(grep -c '^' <"$work/forbidden.txt") words checked" \
    "over $(grep -c '^' <"$work/texts.txt") text(s))"

# Kannel's fake SMSC reports every text delivered; smsbox passes that to
# the dlr-url signpost gave with the text (its staff listener).
deadline=$(($(now) + 15))
while :; do
    sms_cli outbox
    if [ "$cli_rc" = 0 ] && grep 'reminder' "$work/cli.out" | grep -q -w delivered; then break; fi
    [ "$(now)" -lt "$deadline" ] || fail "sms outbox (exit $cli_rc) shows no reminder delivered" \
        "within 15 s (Kannel's delivery report): $(tr '\n' '|' <"$work/cli.out")" \
        "$(tr '\n' ' ' <"$work/cli.err")"
    nap
done
ok "Kannel's delivery report came back: sms outbox shows the reminder delivered"

# ---- 6. replies: "1", then "STOP" -----------------------------------------

step "the phone replies 1"
"$KANNEL" inject "$kdir" "$PHONE_E164" "$FROM" 1 >"$work/inject.out" ||
    fail "kannel.sh inject failed"
status=$(sed -n 's/^INBOUND_STATUS=//p' "$work/inject.out")
[ "$status" = 200 ] || fail "Kannel called the inbound URL and got '$status' (want 200):" \
    "$(sed -n 's/^INBOUND_CALLED=//p' "$work/inject.out")"
ok "Kannel passed '1' to signpost's get-url (HTTP 200)"
deadline=$(($(now) + 15))
while :; do
    sms_cli replies
    if [ "$cli_rc" = 0 ] && grep -F -q -- "$SID" "$work/cli.out"; then break; fi
    [ "$(now)" -lt "$deadline" ] || fail "signpost sms replies (exit $cli_rc) shows no reply" \
        "for $SID within 15 s: $(tr '\n' '|' <"$work/cli.out") $(tr '\n' ' ' <"$work/cli.err")"
    nap
done
ok "sms replies: $(grep -F -- "$SID" "$work/cli.out" | sed -n 1p)"
sms_cli outbox
note "sms outbox after '1':"
sed 's/^/    /' "$work/cli.out"

step "the phone replies STOP"
before=$(phone_messages | grep -c '^' || true)
"$KANNEL" inject "$kdir" "$PHONE_E164" "$FROM" STOP >"$work/inject.out" ||
    fail "kannel.sh inject failed"
status=$(sed -n 's/^INBOUND_STATUS=//p' "$work/inject.out")
[ "$status" = 200 ] || fail "Kannel called the inbound URL and got '$status' (want 200)"
ok "Kannel passed 'STOP' to signpost's get-url (HTTP 200)"
deadline=$(($(now) + 15))
while :; do
    sms_cli optouts
    lines=$(grep -c '[^[:space:]]' "$work/cli.out" || true)
    if [ "$cli_rc" = 0 ] && [ "$lines" -ge 1 ]; then break; fi
    [ "$(now)" -lt "$deadline" ] || fail "signpost sms optouts (exit $cli_rc) lists nothing" \
        "within 15 s: $(tr '\n' ' ' <"$work/cli.err")"
    nap
done
[ "$lines" = 1 ] || fail "sms optouts lists $lines lines, want 1: $(tr '\n' '|' <"$work/cli.out")"
if grep -F -q -e "$PHONE" -e "555-0123" "$work/cli.out"; then
    fail "sms optouts shows the number unmasked: $(cat "$work/cli.out")"
fi
ok "sms optouts: $(cat "$work/cli.out")"
deadline=$(($(now) + 15))
while :; do
    sms_cli outbox
    if [ "$cli_rc" = 0 ] && grep -q -w cancelled "$work/cli.out" &&
        ! grep -q -w scheduled "$work/cli.out"; then break; fi
    [ "$(now)" -lt "$deadline" ] || fail "signpost sms outbox (exit $cli_rc) shows no cancelled" \
        "reminder (or one still scheduled) within 15 s: $(tr '\n' '|' <"$work/cli.out")" \
        "$(tr '\n' ' ' <"$work/cli.err")"
    nap
done
ok "sms outbox: the remaining reminder is cancelled:"
sed 's/^/    /' "$work/cli.out"

# At most one confirmation may follow a STOP, and Kannel adds nothing itself.
sleep 3
after=$(phone_messages | grep -c '^' || true)
[ $((after - before)) -le 1 ] || fail "$((after - before)) texts reached the phone after STOP:" \
    "$(phone_messages | sed -n "$((before + 1)),\$p" | tr '\n' '|')"
if [ "$after" -gt "$before" ]; then
    ok "one confirmation after STOP: $(phone_messages | sed -n "${after}p")"
else
    ok "no text after STOP"
fi
if "$KANNEL" messages "$kdir" | grep -F -q -e 'Could not fetch' -e 'Empty reply'; then
    fail "Kannel answered an inbound text itself: $("$KANNEL" messages "$kdir" | tr '\n' '|')"
fi
ok "Kannel sent no reply of its own"

printf '\nall checks passed\n'
