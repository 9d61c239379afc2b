# Packaging: the Debian package of the appliance, built with CPack.
#
#   cmake -S . -B build/deb -DCMAKE_BUILD_TYPE=RelWithDebInfo \
#         -DCMAKE_INSTALL_PREFIX=/usr -DSIGNPOST_TESTS=OFF -DSIGNPOST_SOURCE_LOOKUP=OFF
#   cmake --build build/deb --target package      # build/deb/signpost_VERSION_ARCH.deb
#
# The prefix must be /usr when the package is made: the daemon is compiled
# with the place it finds data/ and kiosk-ui/ (SIGNPOST_INSTALL_DATA in the
# top CMakeLists.txt), so a /usr/local build would look in the wrong place
# once installed.  cpack refuses such a build with a message (see the project
# config file written below).
#
# Layout (FHS; the binary, kiosk-ui/ and data/ are installed by the top
# CMakeLists.txt):
#
#   /usr/bin/signpost
#   /usr/share/signpost/{kiosk-ui,data}/
#   /usr/share/signpost/signpost.conf.example     every key, commented out
#   /usr/share/signpost/firmware-config/          boot snippets, install.sh
#   /lib/systemd/system/*.service, *.timer        whatever systemd/ holds
#   /usr/lib/sysusers.d/signpost.conf             systemd/signpost.sysusers.conf
#   /usr/share/doc/signpost/                      README.md, docs/*.md
#
# The maintainer scripts (packaging/debian/) create the signpost user,
# /etc/signpost, /var/lib/signpost and the configuration, and enable the
# units without starting them; docs/install.md describes them.

# Units go to /lib/systemd/system when installing into /usr (Debian 12 ships
# units there, and its dpkg does not know that /lib is /usr/lib); under any
# other prefix they stay inside it, so a trial `cmake --install --prefix DIR`
# never writes outside DIR.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_signpost_unitdir_default "/lib/systemd/system")
else()
  set(_signpost_unitdir_default "lib/systemd/system")
endif()
set(SIGNPOST_SYSTEMD_UNITDIR "${_signpost_unitdir_default}" CACHE STRING
    "Where the systemd units are installed (relative: under the install prefix)")

# The unit files are picked up at install time, so a unit added to systemd/
# ships without re-running cmake.  OPTIONAL: no systemd/ folder, no units.
install(DIRECTORY "${CMAKE_SOURCE_DIR}/systemd/"
        DESTINATION "${SIGNPOST_SYSTEMD_UNITDIR}"
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        OPTIONAL
        FILES_MATCHING PATTERN "*.service" PATTERN "*.timer")

# The users the units run as, for systemd-sysusers (postinst makes them with
# adduser, with the same names and homes).
if(EXISTS "${CMAKE_SOURCE_DIR}/systemd/signpost.sysusers.conf")
  install(FILES systemd/signpost.sysusers.conf DESTINATION lib/sysusers.d
          RENAME signpost.conf)
endif()

install(FILES README.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${CMAKE_SOURCE_DIR}/docs/" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        OPTIONAL FILES_MATCHING PATTERN "*.md")

install(FILES firmware-config/signpost.conf.example
        DESTINATION "${CMAKE_INSTALL_DATADIR}/signpost")
# The boot snippets and notes, and install.sh (which, run from there, applies
# the firmware snippets to a machine the package is installed on).
install(DIRECTORY "${CMAKE_SOURCE_DIR}/firmware-config/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/signpost/firmware-config"
        FILES_MATCHING PATTERN "*.snippet" PATTERN "*.md")
install(PROGRAMS firmware-config/install.sh
        DESTINATION "${CMAKE_INSTALL_DATADIR}/signpost/firmware-config")

# --- CPack ------------------------------------------------------------------

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "signpost")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "signpost project")
set(CPACK_PACKAGE_VENDOR "signpost project")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "waiting-room social-needs screening kiosk for health clinics")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "signpost")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "signpost project")
set(CPACK_DEBIAN_PACKAGE_SECTION "misc")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The first line of the Description field is the summary above; this is the
# rest.  CPack indents the continuation lines itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A patient answers the CMS Accountable Health Communities social-needs
screening (food, housing, utilities, transportation, safety) on a touch
screen, in English or Spanish, and leaves with a printed list of local
community resources that can help. This package holds the daemon, the
kiosk screen, its data, the systemd units and a commented configuration
template (/usr/share/signpost/signpost.conf.example).")

find_program(SIGNPOST_DPKG dpkg)
if(SIGNPOST_DPKG)
  execute_process(COMMAND "${SIGNPOST_DPKG}" --print-architecture
                  OUTPUT_VARIABLE _signpost_arch OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _signpost_arch_rc)
  if(_signpost_arch_rc EQUAL 0 AND _signpost_arch)
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_signpost_arch}")
  endif()
endif()

# Runtime libraries by name, then dpkg-shlibdeps for the rest (libc and
# friends, with versions).  libcurl and libzip are loaded with dlopen
# (src/util/dl_curl.c, dl_zip.c), which dpkg-shlibdeps cannot see; 7.83 is
# the oldest libcurl with the API dl_curl.c asks for.  adduser: postinst.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libmicrohttpd12, libsqlite3-0, libjansson4, libinih1, libsodium23, libqrencode4, libserialport0, libgnutls30, libcurl4 (>= 7.83), libzip4, adduser")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The kiosk unit: cage runs Chromium, and curl waits for the daemon to answer
# (ExecStartPre).  Raspberry Pi OS called its Chromium "chromium-browser"
# until late 2024.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cage, chromium | chromium-browser, fonts-dejavu-core, curl")

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/postinst"
    "${CMAKE_SOURCE_DIR}/packaging/debian/prerm"
    "${CMAKE_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# `package_source` (a .tar.gz of the checkout) must not sweep up builds.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/var/" "/node_modules/" "\\\\.swp$")

# Checked when cpack runs, so `--target package` on a /usr/local build stops
# with the reason instead of shipping a daemon that looks for its data in
# /usr/local/share.
set(_signpost_cpack_config "${CMAKE_BINARY_DIR}/SignpostCPackConfig.cmake")
file(WRITE "${_signpost_cpack_config}"
"if(CPACK_GENERATOR STREQUAL \"DEB\" AND NOT \"${CMAKE_INSTALL_PREFIX}\" STREQUAL \"/usr\")
  message(FATAL_ERROR \"signpost: the .deb needs a build configured with \"
    \"-DCMAKE_INSTALL_PREFIX=/usr (this one has ${CMAKE_INSTALL_PREFIX}); \"
    \"the daemon is compiled with where its data is installed.\")
endif()
")
set(CPACK_PROJECT_CONFIG_FILE "${_signpost_cpack_config}")

include(CPack)
