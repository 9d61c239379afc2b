#!/bin/sh
# Checks firmware-config/install.sh without installing anything:
#
#   tests/packaging/check_install.sh [SOURCE_DIR]     (ctest: packaging.install)
#
# 1. `install.sh --dry-run` passes the system checks on Debian 12 and prints
#    the whole plan (packages, build, users, folders, configuration, units,
#    services, admin account, next steps); a second dry run prints the same
#    plan, and neither changes anything;
# 2. the --deb and --firmware plans;
# 3. the refusals: another distribution or release, not root, no systemd
#    (only where systemd is not running: a real run must never start here),
#    a bad option, a missing package file, --firmware without config.txt;
# 4. the boot-file edits for real, on copies (SIGNPOST_BOOT_DIR) with
#    stand-in snippets: config.txt gets one "# signpost begin/end" block after
#    a backup, cmdline.txt gets its words; a second run changes nothing; a
#    changed snippet replaces the block.
# The real runs in 3 and 4 are only the ones that stop before any change,
# or --only-firmware on copies.
# The checks are written "test && ok ... || fail ...": ok never fails.
# shellcheck disable=SC2015
set -eu

src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
script=$src/firmware-config/install.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/signpost-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# expect FILE TEXT: the output has a line containing TEXT.
expect() {
    if grep -qF -- "$2" "$1"; then ok "prints: $2"; else fail "no line with: $2"; fi
}
expect_not() {
    if grep -qF -- "$2" "$1"; then fail "prints: $2"; else ok "does not print: $2"; fi
}

sh -n "$script" || fail "sh -n install.sh"
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck -s sh "$script" && ok "shellcheck install.sh" || fail "shellcheck install.sh"
fi

# A Debian 12 os-release: the machine's own when it is one, else a copy.
osr=/etc/os-release
# shellcheck source=/dev/null
if ! (. "$osr" && [ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ]) 2>/dev/null; then
    osr=$work/os-release
    printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' 'ID=debian' \
        'VERSION_ID="12"' 'VERSION_CODENAME=bookworm' >"$osr"
fi
export SIGNPOST_OS_RELEASE="$osr"

# --- 1. the plan ------------------------------------------------------------------

snapshot() {
    for p in /etc/signpost /var/lib/signpost "$src/build/appliance" /lib/systemd/system/signpost.service; do
        if [ -e "$p" ]; then echo "$p exists"; else echo "$p absent"; fi
    done
    getent passwd signpost || echo "no user signpost"
}
snapshot >"$work/before"

plan=$work/plan1
rc=0
"$script" --dry-run >"$plan" 2>&1 || rc=$?
cat "$plan"
[ $rc -eq 0 ] && ok "--dry-run exits 0" || fail "--dry-run exits $rc"
expect "$plan" "DRY RUN, nothing will be changed"
expect "$plan" "==> 1. Checking the system"
expect "$plan" "system: Debian GNU/Linux 12"
expect "$plan" "install: build the checkout at $src"
expect "$plan" "==> 2. Packages"
expect "$plan" "firmware-config/deps.sh"
expect "$plan" "+ cmake --preset release -B $src/build/appliance -DCMAKE_INSTALL_PREFIX=/usr -DSIGNPOST_TESTS=OFF -DSIGNPOST_SOURCE_LOOKUP=OFF"
expect "$plan" "+ cmake --build $src/build/appliance"
expect "$plan" "+ cmake --install $src/build/appliance --prefix /usr"
if getent passwd signpost >/dev/null; then
    expect "$plan" "user signpost exists"
else
    expect "$plan" "+ adduser --system --group --home /var/lib/signpost --no-create-home signpost"
    expect "$plan" "+ adduser signpost dialout"
fi
if [ -e /etc/signpost/signpost.conf ]; then
    expect "$plan" "exists: kept as it is (never overwritten)"
else
    expect "$plan" "+ install -d -m 0750 -o root -g signpost /etc/signpost"
    expect "$plan" "signpost.conf.example /etc/signpost/signpost.conf"
fi
[ -d /var/lib/signpost ] || expect "$plan" "+ install -d -m 0700 -o signpost -g signpost /var/lib/signpost"
expect "$plan" "+ systemctl daemon-reload"
for f in "$src"/systemd/signpost*.service "$src"/systemd/signpost*.timer; do
    [ -f "$f" ] && grep -q '^\[Install\]' "$f" || continue
    expect "$plan" "+ systemctl enable $(basename "$f")"
done
expect "$plan" "skipped: the boot files are changed only with --firmware"
expect "$plan" "signpost user list"
expect "$plan" "signpost user add NAME --role admin"
expect "$plan" ":8443/"
expect "$plan" "signpost doctor"
if [ ! -d /run/systemd/system ]; then
    expect "$plan" "warning: systemd is not running as init here"
fi

"$script" --dry-run >"$work/plan2" 2>&1 || true
if diff -u "$plan" "$work/plan2" >"$work/plan.diff"; then
    ok "a second dry run prints the same plan"
else
    fail "the second dry run differs:"
    cat "$work/plan.diff"
fi
snapshot >"$work/after"
diff -u "$work/before" "$work/after" >/dev/null && ok "the dry runs changed nothing" ||
    fail "the dry runs changed something: $(diff "$work/before" "$work/after")"

"$script" --dry-run --admin clinicadmin --no-start >"$work/plan3" 2>&1 || true
expect "$work/plan3" "signpost user add clinicadmin --role admin"
expect "$work/plan3" "not started (--no-start)"
expect_not "$work/plan3" "+ systemctl restart signpost.service"

# --- 2. the --deb and --firmware plans -------------------------------------------------

if command -v dpkg-deb >/dev/null 2>&1; then
    mkdir -p "$work/fakedeb/DEBIAN"
    printf '%s\n' 'Package: signpost' 'Version: 9.9.9' 'Architecture: all' \
        'Maintainer: test' 'Description: stand-in' >"$work/fakedeb/DEBIAN/control"
    dpkg-deb --build --root-owner-group "$work/fakedeb" "$work/signpost_9.9.9_all.deb" >/dev/null
    rc=0
    "$script" --dry-run --deb "$work/signpost_9.9.9_all.deb" >"$work/plan-deb" 2>&1 || rc=$?
    [ $rc -eq 0 ] && ok "--deb dry run exits 0" || { cat "$work/plan-deb"; fail "--deb dry run exits $rc"; }
    expect "$work/plan-deb" "install: the package $work/signpost_9.9.9_all.deb (version 9.9.9)"
    expect "$work/plan-deb" "apt-get install -y -q $work/signpost_9.9.9_all.deb"
    expect "$work/plan-deb" "the units come with the package"
    expect_not "$work/plan-deb" "cmake --build"

    printf '%s\n' 'Package: other' 'Version: 1' 'Architecture: all' 'Maintainer: test' \
        'Description: not signpost' >"$work/fakedeb/DEBIAN/control"
    dpkg-deb --build --root-owner-group "$work/fakedeb" "$work/other.deb" >/dev/null
    rc=0
    "$script" --dry-run --deb "$work/other.deb" >"$work/out" 2>&1 || rc=$?
    [ $rc -eq 1 ] && grep -q "not a signpost package" "$work/out" &&
        ok "refuses a package that is not signpost" || fail "other.deb: exit $rc: $(cat "$work/out")"
fi

boot=$work/boot-plan
mkdir -p "$boot"
printf '%s\n' '# stand-in config.txt' 'dtparam=audio=on' '[all]' >"$boot/config.txt"
printf '%s\n' 'console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootwait' >"$boot/cmdline.txt"
cp "$boot/config.txt" "$work/config.orig"
cp "$boot/cmdline.txt" "$work/cmdline.orig"
rc=0
SIGNPOST_BOOT_DIR=$boot "$script" --dry-run --firmware >"$work/plan-fw" 2>&1 || rc=$?
[ $rc -eq 0 ] && ok "--firmware dry run exits 0" || { cat "$work/plan-fw"; fail "--firmware dry run exits $rc"; }
sed -n '/boot settings/,/==> 9/p' "$work/plan-fw"
if [ -f "$src/firmware-config/config.txt.snippet" ]; then
    expect "$work/plan-fw" "+ cp -p $boot/config.txt $boot/config.txt.signpost-YYYYmmdd-HHMMSS"
    expect "$work/plan-fw" "+# signpost begin"
fi
cmp -s "$boot/config.txt" "$work/config.orig" && cmp -s "$boot/cmdline.txt" "$work/cmdline.orig" &&
    ok "the --firmware dry run left the boot files alone" || fail "the --firmware dry run changed a boot file"
[ "$(find "$boot" -name '*.signpost-*' | wc -l)" -eq 0 ] || fail "the --firmware dry run made a backup"

# --- 3. refusals ----------------------------------------------------------------------

# refuses EXIT TEXT COMMAND...: the command exits EXIT and says TEXT.
refuses() {
    want_rc=$1 text=$2
    shift 2
    rc=0
    "$@" >"$work/out" 2>&1 || rc=$?
    if [ "$rc" -eq "$want_rc" ] && grep -qF -- "$text" "$work/out"; then
        ok "refuses ($rc): $text"
    else
        fail "expected exit $want_rc and \"$text\", got $rc: $(cat "$work/out")"
    fi
}

printf '%s\n' 'PRETTY_NAME="Ubuntu 22.04.4 LTS"' 'ID=ubuntu' 'ID_LIKE=debian' \
    'VERSION_ID="22.04"' 'VERSION_CODENAME=jammy' >"$work/ubuntu"
printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"' 'ID=debian' \
    'VERSION_ID="11"' 'VERSION_CODENAME=bullseye' >"$work/debian11"
printf '%s\n' 'PRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"' 'ID=raspbian' 'ID_LIKE=debian' \
    'VERSION_ID="12"' 'VERSION_CODENAME=bookworm' >"$work/raspbian12"
refuses 1 "unsupported system: Ubuntu 22.04.4 LTS" env SIGNPOST_OS_RELEASE="$work/ubuntu" "$script" --dry-run
refuses 1 "unsupported system: Debian GNU/Linux 11" env SIGNPOST_OS_RELEASE="$work/debian11" "$script" --dry-run
refuses 1 "Debian 12 or Raspberry Pi OS Bookworm" env SIGNPOST_OS_RELEASE="$work/ubuntu" "$script"
refuses 1 "cannot read" env SIGNPOST_OS_RELEASE="$work/none" "$script" --dry-run
rc=0
SIGNPOST_OS_RELEASE="$work/raspbian12" "$script" --dry-run >"$work/out" 2>&1 || rc=$?
[ $rc -eq 0 ] && grep -q "system: Raspbian GNU/Linux 12" "$work/out" &&
    ok "accepts Raspberry Pi OS Bookworm (32-bit: ID=raspbian)" || fail "raspbian 12: exit $rc"
refuses 2 "unknown option: --frobnicate" "$script" --frobnicate
refuses 1 "no such file: $work/missing.deb" "$script" --dry-run --deb "$work/missing.deb"
mkdir -p "$work/noboot"
refuses 1 "no $work/noboot/config.txt" env SIGNPOST_BOOT_DIR="$work/noboot" "$script" --dry-run --firmware

if [ "$(id -u)" -eq 0 ]; then
    # Not root: run as nobody.  The root check comes before any change, so
    # this real run stops there.
    chmod 755 "$work"
    as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
    if command -v setpriv >/dev/null 2>&1 && $as_nobody test -x "$script" -a -r "$osr"; then
        # shellcheck disable=SC2086 # a command and its arguments
        refuses 1 "must be run as root" $as_nobody env SIGNPOST_OS_RELEASE="$osr" "$script"
        rc=0
        # shellcheck disable=SC2086 # a command and its arguments
        $as_nobody env SIGNPOST_OS_RELEASE="$osr" "$script" --dry-run >"$work/out" 2>&1 || rc=$?
        [ $rc -eq 0 ] && grep -q "warning: not root" "$work/out" &&
            ok "a dry run as a user warns and prints the plan" || fail "dry run as nobody: exit $rc"
    fi
    if [ ! -d /run/systemd/system ]; then
        # Safe only because systemd is not running: the real run stops at
        # that check, before changing anything.
        refuses 1 "systemd is not running as init" "$script"
        snapshot >"$work/after"
        diff -u "$work/before" "$work/after" >/dev/null && ok "the refused run changed nothing" ||
            fail "the refused run changed something"
    fi
else
    refuses 1 "must be run as root" "$script"
fi

# --- 4. the boot files, for real, on copies -------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
    echo "note: not root: the boot-file edits are checked by dry run only"
else
    fw=$work/fw/firmware-config
    boot=$work/boot
    mkdir -p "$fw" "$boot"
    cp "$script" "$fw/install.sh"
    printf '%s\n' '# stand-in snippet' 'enable_uart=1' 'dtoverlay=disable-bt' >"$fw/config.txt.snippet"
    printf '%s\n' '# words to add; -word removes' 'consoleblank=0' '-console=serial0,115200' \
        >"$fw/cmdline.txt.snippet"
    # Raspberry Pi OS's config.txt ends in a conditional section, without
    # a final newline here to make it harder.
    printf '%s\n%s\n%s\n%s' '# Raspberry Pi OS' 'dtparam=audio=on' '[cm4]' 'otg_mode=1' >"$boot/config.txt"
    printf '%s\n' 'console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 rootwait quiet' \
        >"$boot/cmdline.txt"
    cp "$boot/config.txt" "$work/config.orig"
    cp "$boot/cmdline.txt" "$work/cmdline.orig"

    rc=0
    SIGNPOST_BOOT_DIR=$boot "$fw/install.sh" --only-firmware >"$work/fw1" 2>&1 || rc=$?
    cat "$work/fw1"
    [ $rc -eq 0 ] && ok "--only-firmware exits 0" || fail "--only-firmware exits $rc"
    expect "$work/fw1" "reboot, for the boot settings to take effect"
    expect_not "$work/fw1" "==> 2. Packages"
    [ "$(grep -c '^# signpost begin$' "$boot/config.txt")" -eq 1 ] &&
        [ "$(grep -c '^# signpost end$' "$boot/config.txt")" -eq 1 ] &&
        ok "config.txt: one signpost block" || fail "config.txt markers: $(cat "$boot/config.txt")"
    sed -n '/^# signpost begin$/,/^# signpost end$/p' "$boot/config.txt" >"$work/block"
    grep -qx 'enable_uart=1' "$work/block" && grep -qx 'dtoverlay=disable-bt' "$work/block" &&
        ok "config.txt: the snippet is inside the block" || fail "config.txt block: $(cat "$work/block")"
    [ "$(sed -n '/^# signpost begin$/,$p' "$boot/config.txt" | grep -v '^#' | head -n 1)" = "[all]" ] &&
        ok "config.txt: the block starts with [all] (not inside [cm4])" || fail "config.txt: no [all] first"
    head -n 4 "$boot/config.txt" | tr -d '\n' | grep -qx '# Raspberry Pi OSdtparam=audio=on\[cm4\]otg_mode=1' &&
        ok "config.txt: the original lines are kept, unchanged" || fail "config.txt: original changed"
    set -- "$boot"/config.txt.signpost-*
    [ $# -eq 1 ] && cmp -s "$1" "$work/config.orig" && ok "config.txt: one backup, the original" ||
        fail "config.txt backups: $*"
    line=$(cat "$boot/cmdline.txt")
    [ "$line" = "console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 rootwait quiet consoleblank=0" ] &&
        ok "cmdline.txt: $line" || fail "cmdline.txt: $line"
    [ "$(wc -l <"$boot/cmdline.txt")" -eq 1 ] && ok "cmdline.txt: still one line" || fail "cmdline.txt: lines"
    set -- "$boot"/cmdline.txt.signpost-*
    [ $# -eq 1 ] && cmp -s "$1" "$work/cmdline.orig" && ok "cmdline.txt: one backup, the original" ||
        fail "cmdline.txt backups: $*"

    cp "$boot/config.txt" "$work/config.1"
    cp "$boot/cmdline.txt" "$work/cmdline.1"
    rc=0
    SIGNPOST_BOOT_DIR=$boot "$fw/install.sh" --only-firmware >"$work/fw2" 2>&1 || rc=$?
    [ $rc -eq 0 ] && ok "second --only-firmware exits 0" || fail "second --only-firmware exits $rc"
    expect "$work/fw2" "config.txt: the signpost settings are already there"
    expect "$work/fw2" "cmdline.txt: the signpost settings are already there"
    expect_not "$work/fw2" "reboot"
    cmp -s "$boot/config.txt" "$work/config.1" && cmp -s "$boot/cmdline.txt" "$work/cmdline.1" &&
        ok "the second run changed nothing" || fail "the second run changed a boot file"
    [ "$(find "$boot" -name '*.signpost-*' | wc -l)" -eq 2 ] && ok "the second run made no backup" ||
        fail "backups after the second run: $(ls "$boot")"

    # A new snippet replaces the block; the rest stays.
    echo 'dtparam=watchdog=on' >>"$fw/config.txt.snippet"
    SIGNPOST_BOOT_DIR=$boot "$fw/install.sh" --only-firmware >"$work/fw3" 2>&1 || fail "third run"
    [ "$(grep -c '^# signpost begin$' "$boot/config.txt")" -eq 1 ] &&
        grep -qx 'dtparam=watchdog=on' "$boot/config.txt" && grep -qx 'otg_mode=1' "$boot/config.txt" &&
        ok "a changed snippet replaces the block" || fail "after a snippet change: $(cat "$boot/config.txt")"
    [ "$(find "$boot" -name 'config.txt.signpost-*' | wc -l)" -eq 2 ] &&
        ok "and backs up config.txt again (a new name)" || fail "backups: $(ls "$boot")"

    # Broken markers: left alone, with a warning.
    printf '%s\n' 'a=1' '# signpost begin' 'b=2' >"$boot/config.txt"
    cp "$boot/config.txt" "$work/config.broken"
    SIGNPOST_BOOT_DIR=$boot "$fw/install.sh" --only-firmware >"$work/fw4" 2>&1 || true
    expect "$work/fw4" "left as it is; fix it by hand"
    cmp -s "$boot/config.txt" "$work/config.broken" && ok "a config.txt with one marker is left alone" ||
        fail "a config.txt with one marker was changed"
fi

echo
if [ "$failures" -ne 0 ]; then
    echo "packaging.install: $failures failure(s)"
    exit 1
fi
echo "packaging.install: all checks passed"
