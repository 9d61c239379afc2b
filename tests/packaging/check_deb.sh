#!/bin/sh
# Builds the .deb from a source tree and checks it:
#
#   tests/packaging/check_deb.sh [SOURCE_DIR]     (ctest: packaging.deb)
#
# 1. configures a release build (prefix /usr, no tests) in a temporary
#    folder, builds it and runs cpack -G DEB;
# 2. checks the control fields (name, version, architecture, Depends with
#    the dlopen()ed libcurl4 and libzip4, Recommends) and the maintainer
#    scripts;
# 3. checks the files: the binary, every unit of systemd/, the screen, the
#    data, the docs, the boot snippets and the configuration template;
# 4. checks that the template lists every key of src/config/config.c, and
#    that the daemon accepts it as it is and with every key uncommented;
# 5. lints the maintainer scripts and firmware-config/install.sh (when
#    the shellcheck linter is installed);
# 6. as root, when the kernel allows it: installs, reinstalls, removes and
#    purges the package with dpkg in a throw-away overlay of / in a private
#    mount namespace (this machine is not changed), and checks what the
#    maintainer scripts did.
#
# KEEP=1 keeps the temporary folder.  Exit 77 (skip) without dpkg-deb/cpack.
# The checks are written "test && ok ... || fail ...": ok never fails.
# shellcheck disable=SC2015
set -eu

src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
for tool in cmake cpack dpkg-deb dpkg; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed"
        exit 77
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/signpost-deb.XXXXXX")
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# --- 1. build -----------------------------------------------------------------

build=$work/build
echo "== building the package in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX=/usr -DSIGNPOST_TESTS=OFF -DSIGNPOST_SOURCE_LOOKUP=OFF >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log"; echo "FAIL: configure"; exit 1; }
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >"$work/build.log" 2>&1 ||
    { tail -n 50 "$work/build.log"; echo "FAIL: build"; exit 1; }
(cd "$build" && cpack -G DEB) >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }

set -- "$build"/*.deb
[ $# -eq 1 ] && [ -f "$1" ] || { echo "FAIL: expected one .deb in $build, got: $*"; exit 1; }
deb=$1
version=$(sed -n 's/^project(signpost VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "signpost_${version}_${arch}.deb" ] &&
    ok "file name $(basename "$deb")" || fail "file name $(basename "$deb")"

# --- 2. control ---------------------------------------------------------------

echo "== dpkg-deb -I"
dpkg-deb -I "$deb"

field() { dpkg-deb -f "$deb" "$1"; }
expect_field() {
    if [ "$(field "$1")" = "$2" ]; then ok "$1: $2"; else fail "$1: '$(field "$1")', expected '$2'"; fi
}
expect_field Package signpost
expect_field Version "$version"
expect_field Architecture "$arch"
expect_field Maintainer "signpost project"
expect_field Section misc
expect_field Priority optional
[ -n "$(field Description)" ] && ok "Description" || fail "no Description"

depends=$(field Depends)
for dep in libmicrohttpd12 libsqlite3-0 libjansson4 libinih1 libsodium23 libqrencode4 \
    libserialport0 libgnutls30 "libcurl4 (>= 7.83)" libzip4 adduser libc6; do
    case ", $depends," in
        *", $dep,"* | *", $dep ("*) ok "Depends: $dep" ;;
        *) fail "Depends lacks $dep: $depends" ;;
    esac
done
recommends=$(field Recommends)
for rec in cage chromium fonts-dejavu-core; do
    case " $recommends" in
        *" $rec"*) ok "Recommends: $rec" ;;
        *) fail "Recommends lacks $rec: $recommends" ;;
    esac
done

control=$work/control
dpkg-deb -e "$deb" "$control"
for script in postinst prerm postrm; do
    if [ -x "$control/$script" ] && cmp -s "$control/$script" "$src/packaging/debian/$script"; then
        ok "maintainer script $script (executable, as in packaging/debian/)"
    else
        fail "maintainer script $script missing, not executable or not packaging/debian/$script"
    fi
    sh -n "$control/$script" || fail "$script: sh -n"
done

# --- 3. files -------------------------------------------------------------------

echo "== dpkg-deb -c"
dpkg-deb -c "$deb" >"$work/contents"
grep -v '/data/' "$work/contents" || true
echo "   (and $(grep -c '/data/' "$work/contents") entries under /usr/share/signpost/data)"

# path [mode-prefix]: the package has this path (a file, or a folder with "/").
has() {
    if awk -v p="./$1" -v m="${2:-}" '$6 == p && index($1, m) == 1 { found = 1 } END { exit !found }' \
        "$work/contents"; then
        ok "has /$1"
    else
        fail "no /$1${2:+ with mode $2}"
    fi
}
has usr/bin/signpost -rwxr-xr-x
has usr/share/signpost/kiosk-ui/index.html
has usr/share/signpost/kiosk-ui/app.js
has usr/share/signpost/data/instruments/
has usr/share/signpost/data/taxonomy/domain-map.ini
has usr/share/signpost/data/demo-directory/
has usr/share/signpost/signpost.conf.example -rw-r--r--
has usr/share/signpost/firmware-config/install.sh -rwxr-xr-x
has usr/share/doc/signpost/README.md
if [ -f "$src/systemd/signpost.sysusers.conf" ]; then
    has usr/lib/sysusers.d/signpost.conf
fi
for f in "$src"/docs/*.md; do
    has "usr/share/doc/signpost/$(basename "$f")"
done
for f in "$src"/firmware-config/*.snippet; do
    [ -f "$f" ] || continue
    has "usr/share/signpost/firmware-config/$(basename "$f")"
done
units=0
for f in "$src"/systemd/*.service "$src"/systemd/*.timer; do
    [ -f "$f" ] || continue
    units=$((units + 1))
    has "lib/systemd/system/$(basename "$f")" -rw-r--r--
done
echo "   ($units units in systemd/)"
if grep -q '/usr/local/\|/usr/lib/systemd/system' "$work/contents"; then
    fail "files under /usr/local or /usr/lib/systemd (Debian 12 wants /lib/systemd/system)"
fi
if awk '$2 != "root/root"' "$work/contents" | grep -q .; then
    fail "files not owned by root/root"
else
    ok "every file root/root"
fi

root=$work/root
dpkg-deb -x "$deb" "$root"
got=$("$root/usr/bin/signpost" version 2>&1 || true)
[ "$got" = "signpost $version" ] && ok "signpost version: $got" || fail "signpost version: $got"
# The daemon must look for its data where the package puts it.
grep -aq /usr/share/signpost "$root/usr/bin/signpost" &&
    ok "binary looks in /usr/share/signpost" || fail "binary does not name /usr/share/signpost"
cmp -s "$root/usr/share/signpost/signpost.conf.example" "$src/firmware-config/signpost.conf.example" &&
    ok "template is firmware-config/signpost.conf.example" || fail "template differs"

# --- 4. the configuration template --------------------------------------------------

template=$src/firmware-config/signpost.conf.example
# "section key" for every key of the table in src/config/config.c ...
sed -n 's/^[[:space:]]*[A-Z](\("[a-z.]*"\), *"\([a-z_]*\)".*/\1 \2/p' "$src/src/config/config.c" |
    tr -d '"' | sort >"$work/keys.code"
# ... and for every commented-out key of the template.
awk '/^\[[a-z.]+\]/ { sec = substr($0, 2, index($0, "]") - 2) }
     /^#[a-z_]+ =/ { k = substr($1, 2); print sec, k }' "$template" | sort >"$work/keys.template"
if [ "$(wc -l <"$work/keys.code")" -lt 50 ]; then
    fail "read only $(wc -l <"$work/keys.code") keys from src/config/config.c"
fi
if diff "$work/keys.code" "$work/keys.template" >"$work/keys.diff"; then
    ok "the template lists all $(wc -l <"$work/keys.code") keys of src/config/config.c"
else
    fail "template and src/config/config.c differ (< code, > template):"
    cat "$work/keys.diff"
fi
if grep -q '^[a-z_]* *=' "$template"; then
    fail "the template sets a key (every key should be commented out):"
    grep -n '^[a-z_]* *=' "$template"
fi

# The daemon accepts it as it is, and with every key uncommented (paths
# into the extracted package, so data and screen exist).
state=$work/state
if "$root/usr/bin/signpost" print-jobs --config "$template" --state-dir "$state" \
    >"$work/load.log" 2>&1; then
    ok "signpost loads the template as shipped"
else
    fail "signpost refuses the template:"
    cat "$work/load.log"
fi
sed -e 's/^#\([a-z_]* =\)/\1/' -e "s|/usr/share/signpost|$root/usr/share/signpost|g" \
    "$template" >"$work/all-keys.conf"
if "$root/usr/bin/signpost" print-jobs --config "$work/all-keys.conf" --state-dir "$state" \
    >"$work/load.log" 2>&1; then
    ok "signpost loads the template with every key uncommented"
else
    fail "signpost refuses the template with every key uncommented:"
    cat "$work/load.log"
fi

# --- 5. shellcheck ------------------------------------------------------------------

if command -v shellcheck >/dev/null 2>&1; then
    if shellcheck -s sh "$src/packaging/debian/postinst" "$src/packaging/debian/prerm" \
        "$src/packaging/debian/postrm" "$src/firmware-config/install.sh"; then
        ok "shellcheck: maintainer scripts and install.sh"
    else
        fail "shellcheck"
    fi
else
    echo "note: shellcheck is not installed; lint skipped"
fi

# --- 6. dpkg -i / -r / -P in an overlay of / ------------------------------------------

overlay_ok() {
    [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && command -v chroot >/dev/null 2>&1 &&
        mkdir -p "$work/probe/up" "$work/probe/work" "$work/probe/m" &&
        unshare -m --fork sh -c "mount -t overlay overlay \
            -o lowerdir=/,upperdir=$work/probe/up,workdir=$work/probe/work $work/probe/m" \
            >/dev/null 2>&1
}

if ! overlay_ok; then
    echo "note: not root, or no overlayfs/unshare here: dpkg install check skipped"
else
    echo "== dpkg -i, reinstall, -r, -P in an overlay of /"
    ov=$work/ov
    # The script and the package go straight into the upper layer, so the
    # chroot sees them even when $TMPDIR is a mount of its own.
    mkdir -p "$ov/up/signpost-test" "$ov/work" "$ov/m"
    cp "$deb" "$ov/up/signpost-test/signpost.deb"
    kiosk_user=$(sed -n 's/^User=\([^[:space:]]*\).*/\1/p' "$src/systemd/signpost-kiosk.service" 2>/dev/null | tail -n 1)
    cat >"$work/inside.sh" <<'EOF'
#!/bin/sh
# Runs chrooted in the overlay: the real root file system with every write
# going to a throw-away upper layer.
set -u
deb=$1
kiosk_user=$2
bad=0
check() {
    if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; bad=1; fi
}
mode() { stat -c '%a %U %G' "$1" 2>/dev/null; }
if getent passwd signpost >/dev/null; then
    echo "note: this system already has a signpost user: the install check is skipped"
    exit 77
fi

dpkg -i "$deb" >/tmp/dpkg.log 2>&1
rc=$?
cat /tmp/dpkg.log
if [ $rc -ne 0 ] && grep -q 'dependency problems' /tmp/dpkg.log; then
    echo "note: the package's dependencies are not installed here: install check skipped"
    exit 77
fi
check "dpkg -i" "[ $rc -eq 0 ]"
check "user signpost is a system user" "[ \$(id -u signpost) -lt 1000 ]"
check "signpost is in dialout" "id -nG signpost | grep -qw dialout"
if [ -n "$kiosk_user" ] && [ "$kiosk_user" != root ] && [ "$kiosk_user" != signpost ]; then
    check "kiosk user $kiosk_user exists" "getent passwd $kiosk_user >/dev/null"
    check "$kiosk_user is in video" "id -nG $kiosk_user | grep -qw video"
fi
check "/etc/signpost 750 root signpost" "[ \"\$(mode /etc/signpost)\" = '750 root signpost' ]"
check "/etc/signpost/signpost.conf 640 root signpost" \
    "[ \"\$(mode /etc/signpost/signpost.conf)\" = '640 root signpost' ]"
check "signpost.conf is the template" \
    "cmp -s /etc/signpost/signpost.conf /usr/share/signpost/signpost.conf.example"
check "/var/lib/signpost 700 signpost signpost" \
    "[ \"\$(mode /var/lib/signpost)\" = '700 signpost signpost' ]"
# Every unit with an [Install] section is enabled (none is started).
units=""
for f in /lib/systemd/system/signpost*.service /lib/systemd/system/signpost*.timer; do
    if [ -f "$f" ] && grep -q '^\[Install\]' "$f"; then
        units="$units $(basename "$f")"
    fi
done
check "the package has enabled units" "[ -n \"$units\" ]"
for u in $units; do
    check "$u enabled" "ls /etc/systemd/system/*.wants/$u >/dev/null 2>&1"
done
check "signpost, as its user, reads the config and opens its state" \
    "runuser -u signpost -- /usr/bin/signpost print-jobs >/tmp/pj.log 2>&1 || { cat /tmp/pj.log; false; }"

echo "# the clinic's edit" >>/etc/signpost/signpost.conf
dpkg -i "$deb" >/dev/null 2>&1
rc=$?
check "reinstall" "[ $rc -eq 0 ]"
check "reinstall keeps the edited signpost.conf" "grep -q \"the clinic's edit\" /etc/signpost/signpost.conf"

dpkg -r signpost >/dev/null 2>&1
rc=$?
check "dpkg -r" "[ $rc -eq 0 ]"
check "binary gone after remove" "[ ! -e /usr/bin/signpost ]"
dpkg -P signpost >/tmp/purge.log 2>&1
rc=$?
cat /tmp/purge.log
check "dpkg -P" "[ $rc -eq 0 ]"
check "purge says where the patient data is" "grep -q /var/lib/signpost /tmp/purge.log"
check "purge keeps /var/lib/signpost" "[ -d /var/lib/signpost ]"
check "purge keeps /etc/signpost/signpost.conf" "[ -f /etc/signpost/signpost.conf ]"
for u in $units; do
    check "$u no longer enabled" "! ls /etc/systemd/system/*.wants/$u >/dev/null 2>&1"
done
exit $bad
EOF
    cp "$work/inside.sh" "$ov/up/signpost-test/inside.sh"
    chmod 755 "$ov/up/signpost-test/inside.sh"
    rc=0
    # shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
    unshare -m --fork sh -c '
        set -e
        mount -t overlay overlay -o "lowerdir=/,upperdir=$1/up,workdir=$1/work" "$1/m"
        mount -t proc proc "$1/m/proc"
        mount --rbind /dev "$1/m/dev"
        exec chroot "$1/m" /signpost-test/inside.sh /signpost-test/signpost.deb "$2"
    ' sh "$ov" "$kiosk_user" || rc=$?
    case $rc in
        0) ok "install, reinstall, remove and purge in the overlay" ;;
        77) ;;
        *) fail "install, reinstall, remove or purge in the overlay (see above)" ;;
    esac
fi

echo
if [ "$failures" -ne 0 ]; then
    echo "packaging.deb: $failures failure(s)"
    exit 1
fi
echo "packaging.deb: all checks passed"
