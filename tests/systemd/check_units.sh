#!/bin/sh
# The systemd units in systemd/, checked offline (no systemd as PID 1
# needed, so this runs in a container or CI):
#
#   1. `systemd-analyze verify` on every unit: unknown or misplaced keys,
#      bad values, missing programs, broken Unit=/After= references.  Any
#      output at all fails the test, since systemd only warns about a
#      typo and then ignores the line.
#   2. `systemd-analyze security --offline=true` on the sandboxed units
#      (the daemon, the maintenance job, the browser restarter): the
#      overall exposure must stay at MAX_EXPOSURE or below.  The browser
#      unit is scored for information only: Chromium's own sandbox needs
#      namespaces and a JIT, so it cannot meet the same bar.
#
# verify insists that ExecStart= programs exist, so it checks copies in a
# temporary directory: /usr/bin/signpost becomes $SIGNPOST_BIN (the binary
# just built), and any other program missing here (cage on a build
# machine, say) becomes /bin/true, with a note saying so.
#
# usage: check_units.sh SYSTEMD_DIR        (SIGNPOST_BIN in the environment)
# Exit 0 pass, 1 fail, 77 skipped (no systemd-analyze: Debian's "systemd").
set -eu

MAX_EXPOSURE=2.0
SANDBOXED="signpost.service signpost-maintenance.service signpost-kiosk-restart.service"
INFO_ONLY="signpost-kiosk.service"

units=${1:?usage: check_units.sh SYSTEMD_DIR}
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "check_units: systemd-analyze not found (install the systemd package): skipped"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/signpost-units.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
failed=0

# The text of $1 with every sed regex metacharacter escaped.
sed_escape() {
    printf '%s\n' "$1" | sed 's/[][\\.*^$|&]/\\&/g'
}

# The programs the Exec*= lines of unit $1 run (after any -@:+! prefix).
exec_programs() {
    sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$1" | sort -u
}

# What program $1 becomes in the copies, or nothing to keep it.
replacement() {
    if [ "$1" = /usr/bin/signpost ] && [ -n "${SIGNPOST_BIN:-}" ]; then
        printf '%s\n' "$SIGNPOST_BIN"
    elif [ ! -x "$1" ]; then
        printf '%s\n' /bin/true
    fi
}

# Copies unit $1 into $work with its programs made to exist here.
copy_unit() {
    name=$(basename "$1")
    cp "$1" "$work/$name"
    for prog in $(exec_programs "$1"); do
        new=$(replacement "$prog")
        [ -n "$new" ] || continue
        [ "$new" = /bin/true ] && echo "note: $name: $prog is not installed here; verified as /bin/true"
        old=$(sed_escape "$prog")
        rep=$(printf '%s\n' "$new" | sed 's/[\\|&]/\\&/g')
        sed -i -e "s|^\(Exec[A-Za-z]*=[-@:+!]*\)$old\$|\1$rep|" \
               -e "s|^\(Exec[A-Za-z]*=[-@:+!]*\)$old |\1$rep |" "$work/$name"
    done
}

found=0
for f in "$units"/*.service "$units"/*.timer "$units"/*.socket "$units"/*.path "$units"/*.target; do
    [ -f "$f" ] || continue
    copy_unit "$f"
    found=$((found + 1))
done
if [ "$found" -eq 0 ]; then
    echo "FAIL: no units in $units"
    exit 1
fi

# 1. verify, all units at once so that Unit= and After= references resolve.
# `cd` keeps verify's relative-path lookups inside the copies.
echo "== systemd-analyze verify ($found units)"
if out=$(cd "$work" && systemd-analyze verify ./*.* 2>&1) && [ -z "$out" ]; then
    echo "ok"
else
    printf '%s\n' "$out"
    echo "FAIL: systemd-analyze verify reported the lines above"
    failed=1
fi

# The overall exposure of unit $1 as printed ("1.5"), or nothing.
exposure() {
    printf '%s\n' "$2" | sed -n "s/.*Overall exposure level for $1: *\([0-9][0-9.]*\).*/\1/p"
}

# 2. the sandbox scores.
threshold=$(awk -v m="$MAX_EXPOSURE" 'BEGIN { printf "%d", m * 10 + 0.5 }')
for u in $SANDBOXED $INFO_ONLY; do
    [ -f "$work/$u" ] || { echo "FAIL: $u missing from $units"; failed=1; continue; }
    out=$(systemd-analyze security --offline=true --threshold="$threshold" "$work/$u" 2>&1) || true
    score=$(exposure "$u" "$out")
    if [ -z "$score" ]; then
        printf '%s\n' "$out"
        echo "FAIL: $u: no \"Overall exposure level\" line (systemd older than 250?)"
        failed=1
        continue
    fi
    case " $INFO_ONLY " in
        *" $u "*) echo "== $u: exposure $score (information only)"; continue ;;
    esac
    echo "== $u: exposure $score (at most $MAX_EXPOSURE)"
    # What still costs points, so a regression names its cause.
    printf '%s\n' "$out" | grep '✗' | sed 's/   */  /g' || true
    if ! awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
        echo "FAIL: $u: exposure $score is above $MAX_EXPOSURE"
        failed=1
    fi
done

[ "$failed" -eq 0 ] && echo "PASS: systemd units" || exit 1
