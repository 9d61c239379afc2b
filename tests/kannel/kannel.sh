#!/bin/sh
# Runs the real Kannel SMS gateway (Debian's bearerbox and smsbox) with a fake
# SMSC (kannel-extras' fakesmsc, standing in for the phone network) entirely on
# 127.0.0.1, for signpost's end-to-end SMS test.
#
#   kannel.sh start DIR     pick free loopback ports, write DIR/kannel.conf from
#                           kannel.conf.in, start bearerbox, smsbox and fakesmsc
#                           (pids in DIR/*.pid), wait until everything is
#                           connected and sendsms answers, then print KEY=VALUE
#                           lines (also kept in DIR/kannel.env)
#   kannel.sh stop DIR      stop them all: TERM, then KILL (bounded)
#   kannel.sh inject DIR FROM TO TEXT
#                           the phone FROM sends TEXT to TO: fakesmsc hands it
#                           to Kannel, which calls the inbound get-url; waits
#                           until it has and prints INBOUND_STATUS=<HTTP status
#                           of the get-url, -1 when it could not be fetched>
#   kannel.sh messages DIR  what Kannel delivered to the phone, one message a
#                           line: "FROM TO text TEXT" (raw: DIR/phone.log)
#   kannel.sh port [N]      print N (default 1) free loopback TCP ports
#
# Environment for start:
#   KANNEL_INBOUND_URL   get-url pattern for inbound messages, with Kannel's
#                        escapes (%p sender, %P receiver, %a text, ...);
#                        default: a URL on Kannel's own admin port (which
#                        answers with its list of commands)
#   KANNEL_PASSWORD      sendsms password ([A-Za-z0-9._~-]); default: the one
#                        in DIR/kannel.pass, else a random one.  It is always
#                        written to DIR/kannel.pass (no newline).
#   KANNEL_USERNAME      sendsms user name (default signpost)
#   KANNEL_OWNER_PID     when set, a watchdog stops Kannel once that process
#                        has gone (so a killed test leaves nothing behind)
#   KANNEL_START_TIMEOUT seconds to wait for Kannel to be ready (default 20)
#   KANNEL_RESERVED_PORTS  ports not to take (say, one picked for the
#                        get-url's server that is not listening yet)
#   BEARERBOX, SMSBOX, FAKESMSC  the programs (default: Debian's paths)
#
# fakesmsc reads the messages it sends from stdin, one line each:
# "FROM TO text TEXT".  Its stdin is the FIFO DIR/mo.fifo, opened read-write
# so that it never sees end-of-file; inject writes one line into it.  What
# Kannel delivers to the phone fakesmsc logs as "Got message N: <FROM TO text
# TEXT>" in DIR/phone.log.
set -eu
# Bytes, not characters: lengths, ranges and sed work the same everywhere.
LC_ALL=C
export LC_ALL

BEARERBOX=${BEARERBOX:-/usr/sbin/bearerbox}
SMSBOX=${SMSBOX:-/usr/sbin/smsbox}
FAKESMSC=${FAKESMSC:-/usr/lib/kannel/test/fakesmsc}
START_TIMEOUT=${KANNEL_START_TIMEOUT:-20}
STOP_TIMEOUT=${KANNEL_STOP_TIMEOUT:-10}
INJECT_TIMEOUT=${KANNEL_INJECT_TIMEOUT:-20}

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
self="$here/$(basename -- "$0")"
TEMPLATE=${KANNEL_CONF_IN:-$here/kannel.conf.in}

# The processes, in the order stop signals them.
NAMES="watch fakesmsc smsbox bearerbox"

say() { printf 'kannel.sh: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}
usage() {
    sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$self" >&2
    exit 2
}

now() { date +%s; }
nap() { sleep 0.2 2>/dev/null || sleep 1; }

# A running process (a zombie is not).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
        [ "$state" != Z ] || return 1
    fi
    return 0
}

# The pid in DIR/NAME.pid, if that process runs and is still the one started
# (its command line contains the mark on the file's second line).
pid_of() {
    pidfile="$1/$2.pid"
    [ -f "$pidfile" ] || return 1
    pid=$(sed -n 1p "$pidfile")
    mark=$(sed -n 2p "$pidfile")
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    alive "$pid" || return 1
    if [ -n "$mark" ] && [ -r "/proc/$pid/cmdline" ]; then
        tr '\000' ' ' <"/proc/$pid/cmdline" | grep -F -q -- "$mark" || return 1
    fi
    printf '%s\n' "$pid"
}

line_count() { # FILE
    if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

new_lines() { # FILE SEEN: the lines of FILE after the first SEEN
    if [ -f "$1" ]; then sed -n "$(($2 + 1)),\$p" "$1"; fi
}

# Kannel's access logs write an entry per line, except that smsbox's quotes
# the get-url's answer as it came, newlines and all: one entry a line again
# (a line that does not begin with a date continues the entry before).
join_entries() {
    awk '
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] / {
            if (started) print entry
            entry = $0
            started = 1
            next
        }
        { entry = entry " " $0 }
        END { if (started) print entry }'
}

random_hex() { # BYTES
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# TCP ports anybody on this machine has open (listening or connected).
used_ports() {
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '
        function hex(s,    i, n) {
            n = 0; s = toupper(s)
            for (i = 1; i <= length(s); i++)
                n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
            return n
        }
        $2 ~ /:/ { n = split($2, a, ":"); print hex(a[n]) }' || true
}

# N distinct free ports in 20000-31999 (below Linux's ephemeral range, so no
# outgoing connection takes them meanwhile), space-separated.
pick_ports() {
    taken=" $(used_ports | tr '\n' ' ') ${KANNEL_RESERVED_PORTS:-} "
    got=""
    n=0
    tries=0
    while [ "$n" -lt "$1" ]; do
        tries=$((tries + 1))
        [ "$tries" -le 500 ] || return 1
        r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' \n')
        p=$((20000 + r % 12000))
        case "$taken" in *" $p "*) continue ;; esac
        taken="$taken$p "
        got="$got${got:+ }$p"
        n=$((n + 1))
    done
    printf '%s\n' "$got"
}

# Escapes a value for the right-hand side of a sed s|...|...| command.
sed_value() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }

# A value that can sit between double quotes in a Kannel configuration.
check_conf_value() { # WHAT VALUE
    case "$2" in
        *'"'* | *\\*) die "$1 must not contain a double quote or a backslash" ;;
    esac
    nl='
'
    case "$2" in *"$nl"*) die "$1 must be one line" ;; esac
}

check_token() { # WHAT VALUE
    case "$2" in
        '' | *[!A-Za-z0-9._~-]*) die "$1 must be non-empty and only [A-Za-z0-9._~-]" ;;
    esac
}

status_page() {
    curl -s --max-time 3 "http://127.0.0.1:$ADMIN_PORT/status.txt?password=$ADMIN_PASSWORD" \
        2>/dev/null || true
}

sendsms_code() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
        "http://127.0.0.1:$SENDSMS_PORT/cgi-bin/sendsms" 2>/dev/null || true
}

# Starts a program in the background, detached from our stdin and stdout
# (so that $(kannel.sh start ...) returns), and records its pid.
spawn() { # NAME MARK LOG PROGRAM ARGS...
    name=$1 mark=$2 log=$3
    shift 3
    "$@" </dev/null >>"$log" 2>&1 &
    printf '%s\n%s\n' "$!" "$mark" >"$DIR/$name.pid"
}

tail_logs() {
    for f in bearerbox.out smsbox.out bearerbox.log smsbox.log phone.log; do
        [ -s "$DIR/$f" ] || continue
        printf -- '---- last lines of %s:\n' "$DIR/$f" >&2
        tail -n 15 "$DIR/$f" >&2
    done
}

# ---- stop ---------------------------------------------------------------

stop_all() { # DIR
    pids=""
    for name in $NAMES; do
        if pid=$(pid_of "$1" "$name") && [ "$pid" != "$$" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            pids="$pids $pid"
        fi
    done
    deadline=$(($(now) + STOP_TIMEOUT))
    while :; do
        left=""
        for pid in $pids; do
            if alive "$pid"; then left="$left $pid"; fi
        done
        pids=$left
        if [ -z "$pids" ] || [ "$(now)" -ge "$deadline" ]; then break; fi
        nap
    done
    if [ -n "$pids" ]; then
        say "still running after TERM and ${STOP_TIMEOUT}s, killing:$pids"
        for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
        deadline=$(($(now) + 3))
        while [ "$(now)" -lt "$deadline" ]; do
            left=""
            for pid in $pids; do
                if alive "$pid"; then left="$left $pid"; fi
            done
            pids=$left
            [ -n "$pids" ] || break
            nap
        done
    fi
    for name in $NAMES; do
        if [ "$name" = watch ] && pid=$(pid_of "$1" watch) && [ "$pid" = "$$" ]; then
            continue
        fi
        rm -f "$1/$name.pid"
    done
    rm -f "$1/mo.fifo"
    rm -rf "$1/inject.lock"
    if [ -n "$pids" ]; then
        say "could not stop:$pids"
        return 1
    fi
    return 0
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    [ -d "$1" ] || die "no such directory: $1"
    DIR=$(CDPATH='' cd -- "$1" && pwd)
    stop_all "$DIR"
}

# The watchdog: stops Kannel once the owner process has gone.
cmd_watch() {
    [ $# -eq 2 ] || usage
    DIR=$1
    while alive "$2"; do
        [ -f "$DIR/bearerbox.pid" ] || exit 0
        sleep 1
    done
    say "owner process $2 has gone: stopping Kannel in $DIR"
    stop_all "$DIR" || true
    rm -f "$DIR/watch.pid"
}

# ---- start --------------------------------------------------------------

write_conf() {
    [ -r "$TEMPLATE" ] || die "cannot read the template $TEMPLATE"
    sed -e "s|@DIR@|$(sed_value "$DIR")|g" \
        -e "s|@ADMIN_PORT@|$ADMIN_PORT|g" \
        -e "s|@ADMIN_PASSWORD@|$ADMIN_PASSWORD|g" \
        -e "s|@SMSBOX_PORT@|$SMSBOX_PORT|g" \
        -e "s|@SENDSMS_PORT@|$SENDSMS_PORT|g" \
        -e "s|@FAKESMSC_PORT@|$FAKESMSC_PORT|g" \
        -e "s|@USERNAME@|$(sed_value "$USERNAME")|g" \
        -e "s|@PASSWORD@|$(sed_value "$PASSWORD")|g" \
        -e "s|@INBOUND_URL@|$(sed_value "$INBOUND_URL")|g" \
        "$TEMPLATE" >"$DIR/kannel.conf.tmp" || die "cannot write $DIR/kannel.conf.tmp"
    if grep -n '@[A-Z_]*@' "$DIR/kannel.conf.tmp" >&2; then
        rm -f "$DIR/kannel.conf.tmp"
        die "placeholders left unfilled in $DIR/kannel.conf"
    fi
    mv "$DIR/kannel.conf.tmp" "$DIR/kannel.conf" || die "cannot write $DIR/kannel.conf"
}

# One attempt: 0 when everything is up, 1 otherwise (the caller cleans up).
start_once() {
    ports=$(pick_ports 4) || {
        say "found no free ports"
        return 1
    }
    read -r ADMIN_PORT SMSBOX_PORT SENDSMS_PORT FAKESMSC_PORT <<EOF
$ports
EOF
    ADMIN_PASSWORD=$(random_hex 12)
    INBOUND_URL=${KANNEL_INBOUND_URL:-"http://127.0.0.1:$ADMIN_PORT/no-inbound-url?from=%p&to=%P&text=%a"}
    check_conf_value KANNEL_INBOUND_URL "$INBOUND_URL"
    write_conf

    deadline=$(($(now) + START_TIMEOUT))
    spawn bearerbox "$DIR/kannel.conf" "$DIR/bearerbox.out" \
        "$BEARERBOX" -v 2 "$DIR/kannel.conf"

    # bearerbox is up once its admin page lists the fake SMSC (whose
    # listening socket is then open).
    until status_page | grep -q "FAKE:$FAKESMSC_PORT "; do
        pid_of "$DIR" bearerbox >/dev/null || {
            say "bearerbox exited during start-up"
            return 1
        }
        [ "$(now)" -lt "$deadline" ] || {
            say "bearerbox did not come up within ${START_TIMEOUT}s"
            return 1
        }
        nap
    done

    spawn smsbox "$DIR/kannel.conf" "$DIR/smsbox.out" \
        "$SMSBOX" -v 2 "$DIR/kannel.conf"

    # (start_once runs as a condition, where set -e does not act: every
    # step that can fail says so itself.)
    rm -f "$DIR/mo.fifo"
    mkfifo "$DIR/mo.fifo" || {
        say "cannot make the FIFO $DIR/mo.fifo"
        return 1
    }
    # Read-write, so that the FIFO always has a writer: fakesmsc never reads
    # end-of-file, and inject never blocks opening it while fakesmsc runs.
    # -i 0: no pacing between the messages it sends.
    "$FAKESMSC" -H 127.0.0.1 -r "$FAKESMSC_PORT" -i 0 \
        0<>"$DIR/mo.fifo" >>"$DIR/phone.log" 2>&1 &
    printf '%s\n%s\n' "$!" "-r $FAKESMSC_PORT" >"$DIR/fakesmsc.pid"

    while :; do
        for name in bearerbox smsbox fakesmsc; do
            pid_of "$DIR" "$name" >/dev/null || {
                say "$name exited during start-up"
                return 1
            }
        done
        page=$(status_page)
        code=$(sendsms_code)
        if printf '%s\n' "$page" | grep -q "FAKE:$FAKESMSC_PORT (online" &&
            printf '%s\n' "$page" | grep -q 'smsbox:.*(on-line' &&
            [ -n "$code" ] && [ "$code" != 000 ]; then
            return 0
        fi
        [ "$(now)" -lt "$deadline" ] || {
            say "Kannel was not ready within ${START_TIMEOUT}s" \
                "(sendsms answered ${code:-nothing}); status page:"
            printf '%s\n' "$page" >&2
            return 1
        }
        nap
    done
}

cmd_start() {
    [ $# -eq 1 ] || usage
    for prog in "$BEARERBOX" "$SMSBOX" "$FAKESMSC"; do
        [ -x "$prog" ] || die "$prog is not installed (Debian packages kannel and kannel-extras)"
    done
    command -v curl >/dev/null 2>&1 || die "curl is needed"
    command -v mkfifo >/dev/null 2>&1 || die "mkfifo is needed"
    mkdir -p "$1"
    DIR=$(CDPATH='' cd -- "$1" && pwd)
    check_conf_value DIR "$DIR"
    case "$DIR" in *'|'* | *'@'*) die "DIR must not contain | or @" ;; esac
    if pid_of "$DIR" bearerbox >/dev/null; then
        die "Kannel already runs in $DIR (stop it first)"
    fi

    USERNAME=${KANNEL_USERNAME:-signpost}
    check_token KANNEL_USERNAME "$USERNAME"
    if [ -n "${KANNEL_PASSWORD:-}" ]; then
        PASSWORD=$KANNEL_PASSWORD
    elif [ -s "$DIR/kannel.pass" ]; then
        PASSWORD=$(cat "$DIR/kannel.pass")
    else
        PASSWORD=$(random_hex 16)
    fi
    check_token KANNEL_PASSWORD "$PASSWORD"
    (
        umask 077
        printf '%s' "$PASSWORD" >"$DIR/kannel.pass"
    )

    trap 'stop_all "$DIR" >/dev/null 2>&1 || true' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    attempt=1
    until start_once; do
        tail_logs
        stop_all "$DIR" || true
        attempt=$((attempt + 1))
        # A port taken between picking and binding: try again, on others.
        [ "$attempt" -le 3 ] || die "could not start Kannel (3 attempts); logs in $DIR"
        say "retrying (attempt $attempt)"
    done
    trap - EXIT INT TERM

    if [ -n "${KANNEL_OWNER_PID:-}" ]; then
        sh "$self" watch "$DIR" "$KANNEL_OWNER_PID" </dev/null >>"$DIR/watch.out" 2>&1 &
        printf '%s\n%s\n' "$!" "watch $DIR" >"$DIR/watch.pid"
    fi

    cat >"$DIR/kannel.env" <<EOF
SENDSMS_URL=http://127.0.0.1:$SENDSMS_PORT/cgi-bin/sendsms
SENDSMS_BASE=http://127.0.0.1:$SENDSMS_PORT
SENDSMS_PORT=$SENDSMS_PORT
USERNAME=$USERNAME
PASSWORD_FILE=$DIR/kannel.pass
ADMIN_PORT=$ADMIN_PORT
ADMIN_PASSWORD=$ADMIN_PASSWORD
STATUS_URL=http://127.0.0.1:$ADMIN_PORT/status.txt?password=$ADMIN_PASSWORD
SMSBOX_PORT=$SMSBOX_PORT
FAKESMSC_PORT=$FAKESMSC_PORT
INBOUND_URL=$INBOUND_URL
CONF=$DIR/kannel.conf
PHONE_LOG=$DIR/phone.log
EOF
    cat "$DIR/kannel.env"
}

# ---- inject -------------------------------------------------------------

cmd_inject() {
    [ $# -eq 4 ] || usage
    [ -d "$1" ] || die "no such directory: $1"
    DIR=$(CDPATH='' cd -- "$1" && pwd)
    from=$2 to=$3 text=$4
    for v in "$from" "$to"; do
        case "$v" in
            '' | *[!0-9A-Za-z+]*) die "a number must be non-empty, letters, digits or + only: '$v'" ;;
        esac
    done
    nl='
'
    cr=$(printf '\r')
    case "$text" in
        '') die "the text must not be empty" ;;
        *"$nl"* | *"$cr"*) die "the text must be one line" ;;
    esac
    line="$from $to text $text"
    # fakesmsc reads its input lines into a 256-byte buffer.
    [ "${#line}" -le 250 ] || die "the message is too long for fakesmsc (${#line} > 250)"
    fpid=$(pid_of "$DIR" fakesmsc) || die "fakesmsc does not run in $DIR"
    [ -p "$DIR/mo.fifo" ] || die "no $DIR/mo.fifo"

    # One injection at a time: each waits until Kannel has passed it on.
    deadline=$(($(now) + INJECT_TIMEOUT))
    until mkdir "$DIR/inject.lock" 2>/dev/null; do
        [ "$(now)" -lt "$deadline" ] || die "another inject holds $DIR/inject.lock"
        nap
    done
    trap 'rm -rf "$DIR/inject.lock"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # Only log lines written from now on count, and only those of this
    # message's numbers.
    bb_seen=$(line_count "$DIR/access.log")
    sb_seen=$(line_count "$DIR/smsbox-access.log")
    write_fifo "$line" || die "could not write to $DIR/mo.fifo"

    # Kannel has the message once bearerbox logs "Receive SMS".  fakesmsc
    # reads stdin through stdio: a line that arrived together with an earlier
    # one can sit in its buffer until more input comes, so nudge it with
    # empty lines (which it ignores).
    nudge=$(($(now) + 2))
    until received "$from" "$to" | grep -F -q -- "$(msg_field "$text")"; do
        alive "$fpid" || die "fakesmsc exited"
        [ "$(now)" -lt "$deadline" ] || die "Kannel did not receive the message within ${INJECT_TIMEOUT}s"
        if [ "$(now)" -ge "$nudge" ]; then
            write_fifo "" || true
            nudge=$(($(now) + 1))
        fi
        nap
    done
    # smsbox then calls the get-url and logs the outcome: wait until it has
    # done so for every message from this number that bearerbox received
    # since (normally just this one), and take the last.
    want=$(received "$from" "$to" | wc -l | tr -d ' ')
    while :; do
        calls=$(new_lines "$DIR/smsbox-access.log" "$sb_seen" | join_entries |
            grep -F -- "SMS HTTP-request sender:$from " || true)
        [ "$(printf '%s' "$calls" | grep -c '^' || true)" -lt "$want" ] || break
        [ "$(now)" -lt "$deadline" ] || die "smsbox did not call the inbound URL within ${INJECT_TIMEOUT}s"
        nap
    done
    entry=$(printf '%s\n' "$calls" | tail -n 1)
    status=$(printf '%s\n' "$entry" | sed -n "s/.*' reply: \(-\{0,1\}[0-9][0-9]*\) .*/\1/p")
    url=$(printf '%s\n' "$entry" | sed -n "s/.* url: '\([^']*\)' reply: .*/\1/p" |
        sed 's/\([?&]key=\)[^&]*/\1***/')
    printf 'INBOUND_STATUS=%s\n' "${status:-unknown}"
    printf 'INBOUND_CALLED=%s\n' "$url"
}

# The "Receive SMS" lines bearerbox logged since the injection began for
# messages from FROM to TO.
received() { # FROM TO
    new_lines "$DIR/access.log" "$bb_seen" | grep -F 'Receive SMS' |
        grep -F -- "[from:$1] [to:$2]" || true
}

# How bearerbox's access log shows TEXT: "[msg:LENGTH:TEXT]" when TEXT is
# printable ASCII (others it shows with dots); just "[msg:" otherwise.
msg_field() { # TEXT
    case "$1" in
        *[!\ -~]*) printf '[msg:' ;;
        *) printf '[msg:%s:%s]' "${#1}" "$1" ;;
    esac
}

# Writes one line to the FIFO, giving up after 5 s (should fakesmsc have died
# and the FIFO lost its reader).
write_fifo() {
    (printf '%s\n' "$1" >"$DIR/mo.fifo") &
    wpid=$!
    wdeadline=$(($(now) + 5))
    while alive "$wpid"; do
        if [ "$(now)" -ge "$wdeadline" ]; then
            kill -KILL "$wpid" 2>/dev/null || true
            wait "$wpid" 2>/dev/null || true
            return 1
        fi
        nap
    done
    wait "$wpid"
}

# ---- the rest -----------------------------------------------------------

cmd_messages() {
    [ $# -eq 1 ] || usage
    [ -f "$1/phone.log" ] || die "no $1/phone.log"
    sed -n 's/.* Got message [0-9][0-9]*: <\(.*\)>$/\1/p' "$1/phone.log"
}

cmd_port() {
    [ $# -le 1 ] || usage
    n=${1:-1}
    case "$n" in '' | *[!0-9]*) usage ;; esac
    pick_ports "$n" || die "found no free ports"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    inject) cmd_inject "$@" ;;
    messages) cmd_messages "$@" ;;
    port) cmd_port "$@" ;;
    watch) cmd_watch "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
