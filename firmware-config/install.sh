#!/bin/sh
# Installs signpost as a kiosk appliance on Raspberry Pi OS Bookworm or
# Debian 12: packages, the daemon (built from this checkout, or a .deb), the
# service users, /etc/signpost and /var/lib/signpost, a configuration from
# the commented template, the systemd units, the first admin account and,
# with --firmware, the Raspberry Pi boot configuration.
#
#   sudo firmware-config/install.sh                  build this checkout and install it
#   sudo firmware-config/install.sh --deb FILE.deb   install a package instead
#   sudo firmware-config/install.sh --firmware       also change /boot/firmware
#   firmware-config/install.sh --dry-run [...]       print every step, change nothing
#
# Safe to run again: every step checks first and does only what is missing
# (the configuration is never overwritten; the boot files are changed once,
# between "# signpost begin" and "# signpost end", after a backup).
# docs/install.md describes each step.
#
# For tests: SIGNPOST_OS_RELEASE (default /etc/os-release) and
# SIGNPOST_BOOT_DIR (default /boot/firmware) point the checks and the
# firmware step at other files.
set -eu

PROG=install.sh
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
OS_RELEASE=${SIGNPOST_OS_RELEASE:-/etc/os-release}
BOOT_DIR=${SIGNPOST_BOOT_DIR:-/boot/firmware}
UNITDIR=/lib/systemd/system
BIN=/usr/bin/signpost
CONF=/etc/signpost/signpost.conf
STATE=/var/lib/signpost
# What the daemon and the kiosk need at run time (the .deb depends on the
# same libraries); chromium is chromium-browser on older Raspberry Pi OS.
RUNTIME_PKGS="libmicrohttpd12 libsqlite3-0 libjansson4 libinih1 libsodium23
libqrencode4 libserialport0 libgnutls30 libcurl4 libzip4 adduser cage fonts-dejavu-core curl"

usage() {
    cat <<EOF
usage: $0 [--deb FILE] [--firmware | --only-firmware] [--admin NAME]
          [--no-start] [--dry-run]

  --deb FILE       install this signpost .deb instead of building the checkout
  --firmware       also add the Raspberry Pi boot settings (config.txt.snippet,
                   cmdline.txt.snippet) to $BOOT_DIR, after a backup
  --only-firmware  do only that (for example after installing the .deb)
  --admin NAME     name of the first admin account (asked for otherwise)
  --no-start       enable the services but do not start them
  --dry-run        print every step and command without changing anything
EOF
}

dry_run=0
deb=""
firmware=0
only_firmware=0
admin_name=""
start=1
while [ $# -gt 0 ]; do
    case "$1" in
        --deb)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            deb=$2
            shift
            ;;
        --firmware) firmware=1 ;;
        --only-firmware) firmware=1 only_firmware=1 ;;
        --admin)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            admin_name=$2
            shift
            ;;
        --no-start) start=0 ;;
        --dry-run | -n) dry_run=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "$PROG: unknown option: $1" >&2
            usage >&2
            exit 2
            ;;
    esac
    shift
done

# --- output ---------------------------------------------------------------

step_no=0
step() {
    step_no=$((step_no + 1))
    printf '\n==> %s. %s\n' "$step_no" "$*"
}
note() { printf '    %s\n' "$*"; }
warn() { printf '    warning: %s\n' "$*"; }
die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}
# Prints a command, then runs it unless this is a dry run.
run() {
    printf '    + %s\n' "$*"
    if [ "$dry_run" = 0 ]; then
        "$@"
    fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/signpost-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# A dry run prints a placeholder, so that two dry runs print the same plan.
if [ "$dry_run" = 1 ]; then
    stamp=YYYYmmdd-HHMMSS
else
    stamp=$(date +%Y%m%d-%H%M%S)
fi

installed() {
    case "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" in
        *"install ok installed"*) return 0 ;;
        *) return 1 ;;
    esac
}

# "mode owner group" of a path, or nothing.
perms() { stat -c '%a %U %G' "$1" 2>/dev/null || true; }

# The User= of a unit file, or nothing.
unit_user() {
    [ -f "$1" ] || return 0
    sed -n 's/^[[:space:]]*User[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$1" | tail -n 1
}

if [ "$dry_run" = 1 ]; then
    echo "signpost install: DRY RUN, nothing will be changed"
fi

# --- 1. checks: everything is checked before anything is changed ----------

step "Checking the system"

[ -r "$OS_RELEASE" ] || die "cannot read $OS_RELEASE: unsupported system (signpost installs on Debian 12 or Raspberry Pi OS Bookworm)"
# os-release is meant to be sourced; a subshell keeps its names out of ours.
# shellcheck source=/dev/null
os_info=$(. "$OS_RELEASE" && printf '%s|%s|%s|%s' "${ID:-}" "${VERSION_ID:-}" \
    "${VERSION_CODENAME:-}" "${PRETTY_NAME:-unknown}")
os_id=$(echo "$os_info" | cut -d'|' -f1)
os_version=$(echo "$os_info" | cut -d'|' -f2)
os_codename=$(echo "$os_info" | cut -d'|' -f3)
os_name=$(echo "$os_info" | cut -d'|' -f4)
case "$os_id" in
    debian | raspbian) ;;
    *) die "unsupported system: $os_name. signpost installs on Debian 12 or Raspberry Pi OS Bookworm" ;;
esac
if [ "$os_version" != 12 ] && [ "$os_codename" != bookworm ]; then
    die "unsupported system: $os_name. signpost installs on Debian 12 or Raspberry Pi OS Bookworm"
fi
note "system: $os_name"

model=""
if [ -r /proc/device-tree/model ]; then
    model=$(tr -d '\0' </proc/device-tree/model)
fi
case "$model" in
    "Raspberry Pi"*) note "machine: $model" ;;
    *) note "machine: not a Raspberry Pi (generic Debian 12: no boot firmware to configure)" ;;
esac

if [ "$(id -u)" -eq 0 ]; then
    note "user: root"
elif [ "$dry_run" = 1 ]; then
    warn "not root: the real run must be started as root (sudo $0)"
else
    die "must be run as root: sudo $0"
fi

if [ -d /run/systemd/system ]; then
    note "init: systemd"
elif [ "$dry_run" = 1 ] || [ "$only_firmware" = 1 ]; then
    warn "systemd is not running as init here (a container or chroot?): the real run needs it"
else
    die "systemd is not running as init (a container or chroot?): signpost runs as systemd services"
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    die "apt-get and dpkg-query are missing: unsupported system"
fi

if [ "$firmware" = 1 ] && [ ! -f "$BOOT_DIR/config.txt" ]; then
    die "--firmware: no $BOOT_DIR/config.txt (not a Raspberry Pi with Bookworm's /boot/firmware?)"
fi

mode=""
if [ "$only_firmware" = 1 ]; then
    mode=firmware
    note "install: only the boot firmware settings"
elif [ -n "$deb" ]; then
    [ -f "$deb" ] || die "--deb: no such file: $deb"
    pkg=$(dpkg-deb -f "$deb" Package 2>/dev/null || true)
    [ "$pkg" = signpost ] || die "--deb: $deb is not a signpost package"
    deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
    mode=deb
    note "install: the package $deb (version $(dpkg-deb -f "$deb" Version))"
elif [ -f "$src/CMakeLists.txt" ] && grep -q '^project(signpost' "$src/CMakeLists.txt"; then
    mode=source
    note "install: build the checkout at $src"
elif [ -x "$BIN" ]; then
    mode=installed
    note "install: signpost is already installed ($BIN); nothing to build"
else
    die "not in a signpost checkout and no --deb FILE given: nothing to install"
fi

# Where the template, the units and the snippets come from.
if [ "$mode" = source ]; then
    template=$src/firmware-config/signpost.conf.example
    unit_src=$src/systemd
else
    template=/usr/share/signpost/signpost.conf.example
    [ -f "$template" ] || template=$here/signpost.conf.example
    unit_src=""
fi

fw_changed=0

# --- firmware: config.txt between markers, cmdline.txt word by word -------

# Writes into $2 what config.txt ($1) becomes with the snippet ($3) placed
# between the markers: appended the first time, replaced when it changed.
firmware_config_txt() {
    {
        echo "# signpost begin"
        echo "# Added by signpost's install.sh from firmware-config/config.txt.snippet;"
        echo "# the backup is config.txt.signpost-* beside this file."
        echo "[all]"
        cat "$3"
        if grep -q '^[[:space:]]*\[' "$3"; then
            echo "[all]"
        fi
        echo "# signpost end"
    } >"$tmp/block"
    if grep -q '^# signpost begin' "$1"; then
        awk -v blockfile="$tmp/block" '
            /^# signpost begin/ { while ((getline l < blockfile) > 0) print l; skip = 1; next }
            /^# signpost end/ { skip = 0; next }
            !skip { print }
        ' "$1" >"$2"
    else
        cat "$1" >"$2"
        # A file without a final newline must not glue our first line to its last.
        if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then
            echo >>"$2"
        fi
        echo >>"$2"
        cat "$tmp/block" >>"$2"
    fi
}

# cmdline.txt is one line with no room for comments, so markers cannot
# work: each word of the snippet (comments and blank lines aside) is added
# when missing, and a word written "-word" is removed (for example
# -console=serial0,115200 frees the UART for the printer).  Applying it
# twice changes nothing.
firmware_cmdline_txt() {
    set -f
    line=$(head -n 1 "$1")
    words=$(sed -e 's/#.*//' "$3" | tr -s '[:space:]' ' ')
    new=""
    for w in $line; do
        case " $words " in
            *" -$w "*) ;;
            *) new="$new $w" ;;
        esac
    done
    for w in $words; do
        case "$w" in
            -*) ;;
            *)
                case " $new " in
                    *" $w "*) ;;
                    *) new="$new $w" ;;
                esac
                ;;
        esac
    done
    set +f
    printf '%s\n' "${new# }" >"$2"
    tail -n +2 "$1" >>"$2"
}

# apply_boot_file NAME FUNCTION: compute, show the difference, back up, write.
apply_boot_file() {
    target=$BOOT_DIR/$1
    snippet=$here/$1.snippet
    if [ ! -f "$snippet" ]; then
        warn "$snippet is missing: $target left as it is"
        return 0
    fi
    if [ ! -f "$target" ]; then
        warn "$target is missing: left as it is"
        return 0
    fi
    if [ "$1" = config.txt ]; then
        begins=$(grep -c '^# signpost begin' "$target" || true)
        ends=$(grep -c '^# signpost end' "$target" || true)
        if [ "$begins" != "$ends" ] || [ "$begins" -gt 1 ]; then
            warn "$target has $begins '# signpost begin' and $ends '# signpost end' lines: left as it is; fix it by hand"
            return 0
        fi
    fi
    "$2" "$target" "$tmp/$1.new" "$snippet"
    if cmp -s "$target" "$tmp/$1.new"; then
        note "$target: the signpost settings are already there"
        return 0
    fi
    note "$target changes:"
    diff -u "$target" "$tmp/$1.new" | tail -n +3 | sed 's/^/      /' || true
    backup=$target.signpost-$stamp
    n=1
    while [ -e "$backup" ]; do
        n=$((n + 1))
        backup=$target.signpost-$stamp.$n
    done
    run cp -p "$target" "$backup"
    # cp over the file, not mv: /boot/firmware is FAT.
    run cp "$tmp/$1.new" "$target"
    fw_changed=1
}

apply_firmware() {
    step "Raspberry Pi boot settings ($BOOT_DIR)"
    if [ "$firmware" = 0 ]; then
        note "skipped: the boot files are changed only with --firmware"
        return 0
    fi
    apply_boot_file config.txt firmware_config_txt
    apply_boot_file cmdline.txt firmware_cmdline_txt
    # disable-bt gives the printer the good UART; the Bluetooth modem
    # service would then fail at every boot.  (Not when the boot files are
    # stand-ins: SIGNPOST_BOOT_DIR.)
    if [ "$BOOT_DIR" = /boot/firmware ] && [ -f "$here/config.txt.snippet" ] &&
        grep -q '^[[:space:]]*dtoverlay=disable-bt' "$here/config.txt.snippet" &&
        [ -f "$UNITDIR/hciuart.service" ] && [ -d /run/systemd/system ]; then
        if systemctl --quiet is-enabled hciuart.service 2>/dev/null; then
            run systemctl disable hciuart.service
        fi
    fi
    if [ "$fw_changed" = 1 ] && [ -x /usr/bin/sync ]; then
        run sync
    fi
}

next_steps() {
    step "Next"
    if [ "$fw_changed" = 1 ]; then
        note "reboot, for the boot settings to take effect: sudo reboot"
    fi
    if [ "$mode" != firmware ]; then
        note "edit $CONF ([clinic], [kiosk] latitude and longitude,"
        note "  [directory] import, [printer], [sms]), then: sudo systemctl restart signpost"
        note "open https://$(hostname):8443/ from a staff computer (the certificate is"
        note "  self-signed: its fingerprint is in: journalctl -u signpost | grep -i fingerprint)"
        note "check everything: sudo -u signpost signpost doctor"
        note "logs: journalctl -u signpost -u signpost-kiosk"
    fi
}

if [ "$mode" = firmware ]; then
    apply_firmware
    next_steps
    exit 0
fi

# --- 2. packages ------------------------------------------------------------

step "Packages"
want=$RUNTIME_PKGS
if installed chromium-browser; then
    note "browser: chromium-browser (Raspberry Pi OS)"
else
    want="$want chromium"
fi
missing=""
for p in $want; do
    installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    note "the run-time packages are installed"
else
    run apt-get update -q
    # shellcheck disable=SC2086 # the list is meant to split into words
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
if [ "$mode" = source ]; then
    note "build tools and headers (firmware-config/deps.sh installs what is missing):"
    run "$src/firmware-config/deps.sh"
fi

# --- 3. signpost itself -------------------------------------------------------

step "signpost"
case "$mode" in
    source)
        # Its own build folder: the prefix is compiled in (the daemon finds
        # its data under /usr/share/signpost), and the tests are not needed.
        build=$src/build/appliance
        as_owner=""
        owner=$(stat -c %U "$src")
        if [ "$owner" != root ] && [ "$(id -u)" -eq 0 ] && id "$owner" >/dev/null 2>&1; then
            # Build as the checkout's owner, so no root-owned files land in it.
            as_owner="runuser -u $owner --"
        fi
        jobs=$(nproc 2>/dev/null || echo 2)
        cd "$src"
        run $as_owner cmake --preset release -B "$build" \
            -DCMAKE_INSTALL_PREFIX=/usr -DSIGNPOST_TESTS=OFF -DSIGNPOST_SOURCE_LOOKUP=OFF
        run $as_owner cmake --build "$build" -j "$jobs"
        run cmake --install "$build" --prefix /usr
        ;;
    deb)
        run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb"
        ;;
    installed)
        note "$BIN is installed; nothing to do"
        ;;
esac

# --- 4. users -----------------------------------------------------------------

step "Users and groups"
if getent passwd signpost >/dev/null; then
    note "user signpost exists"
else
    run adduser --system --group --home "$STATE" --no-create-home signpost
fi
case " $(id -nG signpost 2>/dev/null || true) " in
    *" dialout "*) note "signpost is in dialout (serial printers)" ;;
    *) run adduser signpost dialout ;;
esac

# The browser's user is the one the kiosk unit names.
kiosk_user=""
if [ -n "$unit_src" ]; then
    kiosk_user=$(unit_user "$unit_src/signpost-kiosk.service")
fi
if [ -z "$kiosk_user" ]; then
    kiosk_user=$(unit_user "$UNITDIR/signpost-kiosk.service")
fi
kiosk_user=${kiosk_user:-kiosk}
case "$kiosk_user" in
    root | signpost) note "the kiosk browser runs as $kiosk_user" ;;
    *)
        if getent passwd "$kiosk_user" >/dev/null; then
            note "user $kiosk_user exists (the kiosk browser)"
        else
            # Home: the unit's tmpfs runtime directory (systemd/signpost.sysusers.conf).
            run adduser --system --group --home /run/signpost-kiosk --no-create-home "$kiosk_user"
        fi
        for g in video render input; do
            if ! getent group "$g" >/dev/null; then
                note "no group $g here"
                continue
            fi
            case " $(id -nG "$kiosk_user" 2>/dev/null || true) " in
                *" $g "*) note "$kiosk_user is in $g" ;;
                *) run adduser "$kiosk_user" "$g" ;;
            esac
        done
        ;;
esac

# --- 5. directories -----------------------------------------------------------

step "Directories"
if [ "$(perms /etc/signpost)" = "750 root signpost" ]; then
    note "/etc/signpost: 0750 root:signpost"
else
    run install -d -m 0750 -o root -g signpost /etc/signpost
fi
if [ "$(perms "$STATE")" = "700 signpost signpost" ]; then
    note "$STATE: 0700 signpost:signpost"
else
    run install -d -m 0700 -o signpost -g signpost "$STATE"
fi

# --- 6. configuration -----------------------------------------------------------

step "Configuration"
if [ -e "$CONF" ]; then
    note "$CONF exists: kept as it is (never overwritten)"
else
    if [ "$dry_run" = 0 ] && [ ! -f "$template" ]; then
        die "the configuration template is missing: $template"
    fi
    run install -m 0640 -o root -g signpost "$template" "$CONF"
fi

# --- 7. systemd units -----------------------------------------------------------

step "systemd units"
if [ -n "$unit_src" ]; then
    found=0
    for f in "$unit_src"/*.service "$unit_src"/*.timer; do
        [ -f "$f" ] || continue
        found=1
        name=$(basename "$f")
        if cmp -s "$f" "$UNITDIR/$name"; then
            note "$UNITDIR/$name is up to date"
        else
            run install -m 0644 "$f" "$UNITDIR/$name"
        fi
    done
    [ "$found" = 1 ] || warn "no units in $unit_src: nothing to install"
else
    note "the units come with the package ($UNITDIR)"
fi
run systemctl daemon-reload

# --- 8. firmware (before starting: a reboot may follow) ----------------------

apply_firmware

# --- 9. services ----------------------------------------------------------------

step "Services"
# Every signpost unit with an [Install] section: signpost.service,
# signpost-kiosk.service and the timers (the services the timers start
# have none).  From the checkout in a dry run: nothing is installed yet.
unit_dir=$UNITDIR
if [ -n "$unit_src" ] && [ "$dry_run" = 1 ]; then
    unit_dir=$unit_src
fi
enabled=""
for f in "$unit_dir"/signpost*.service "$unit_dir"/signpost*.timer; do
    if [ -f "$f" ] && grep -q '^\[Install\]' "$f"; then
        run systemctl enable "$(basename "$f")"
        enabled="$enabled $(basename "$f")"
    fi
done
for unit in signpost.service signpost-kiosk.service; do
    case " $enabled " in
        *" $unit "*) ;;
        *) warn "$unit is not installed: not enabled" ;;
    esac
done
if [ "$start" = 0 ]; then
    note "not started (--no-start): sudo systemctl start$enabled"
else
    # The daemon first: the kiosk waits for it to answer.
    case " $enabled " in *" signpost.service "*) run systemctl restart signpost.service ;; esac
    for unit in $enabled; do
        case "$unit" in
            signpost.service) ;;
            *.timer) run systemctl start "$unit" ;;
            *) run systemctl restart "$unit" ;;
        esac
    done
fi

# --- 10. the first admin account --------------------------------------------------

step "First admin account"
as_signpost="runuser -u signpost --"
if [ "$dry_run" = 1 ]; then
    run $as_signpost "$BIN" user list
    note "and, when no account has the admin role:"
    run $as_signpost "$BIN" user add "${admin_name:-NAME}" --role admin
else
    rc=0
    accounts=$($as_signpost "$BIN" user list 2>&1) || rc=$?
    later="sudo -u signpost signpost user add NAME --role admin"
    if [ "$rc" -ne 0 ]; then
        case "$accounts" in
            *"unknown command"*) warn "this signpost has no 'user' command yet; later: $later" ;;
            *) warn "could not list the accounts ($accounts); later: $later" ;;
        esac
    elif printf '%s\n' "$accounts" | grep -qw admin; then
        note "an admin account exists: skipped"
    elif ! { [ -t 0 ] || { : </dev/tty; } 2>/dev/null; }; then
        note "no terminal to ask for a password: skipped; later: $later"
    else
        name=$admin_name
        if [ -z "$name" ]; then
            printf '    name of the first admin account [admin]: ' >/dev/tty
            read -r name </dev/tty || name=""
            name=${name:-admin}
        fi
        # signpost asks for the password twice on the terminal.
        if ! run $as_signpost "$BIN" user add "$name" --role admin </dev/tty; then
            warn "the account was not made; later: $later"
        fi
    fi
fi

next_steps
