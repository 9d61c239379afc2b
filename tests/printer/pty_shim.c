/*
 * An LD_PRELOAD shim, built only for the tests, that lets libserialport
 * 0.1.1 open the fake printer's pseudo-terminal, so that the tests run the
 * real libserialport code (open, termios, blocking reads and writes,
 * flush, drain) instead of a stand-in.
 *
 * libserialport refuses a pty in two places, and the shim answers only
 * those, and only for the one device named by $SIGNPOST_TEST_PTY (say
 * /dev/pts/7), read at every call so a test can change it between fakes:
 *
 *   - sp_get_port_by_name() lstat()s and readlink()s /sys/class/tty/<name>
 *     to learn the port's transport; a pty has no such entry.  The shim
 *     reports it as a symlink to a made-up platform (non-USB, non-Bluetooth)
 *     device.  (0.1.1 was built against glibc's old __lxstat; both entry
 *     points are covered.)
 *   - sp_open() and every setting read the modem lines with TIOCMGET and
 *     set RTS/DTR with TIOCMBIS/TIOCMBIC, which a pty rejects with ENOTTY.
 *     The shim reports CTS and DSR up (a printer ready to take data) and
 *     accepts the sets, for file descriptors of that device only.
 *
 * Everything else goes to the real functions (dlsym RTLD_NEXT), so for any
 * other path or descriptor the shim changes nothing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENV_NAME "SIGNPOST_TEST_PTY"
#define SYSFS_TTY "/sys/class/tty/"
#define FAKE_LINK "../../devices/platform/signpost-fake-printer/tty/fake"

/* The public names this file defines for the dynamic linker to find. */
ssize_t readlink(const char *path, char *buf, size_t len);
int lstat(const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);
int ioctl(int fd, unsigned long request, ...);

/* 1 when path is /sys/class/tty/<the pty without /dev/>. */
static int is_pty_sysfs(const char *path)
{
    const char *pty = getenv(ENV_NAME);

    if (!path || !pty || strncmp(pty, "/dev/", 5) != 0)
        return 0;
    return !strncmp(path, SYSFS_TTY, strlen(SYSFS_TTY)) &&
           !strcmp(path + strlen(SYSFS_TTY), pty + 5);
}

/* 1 when fd is the pty device itself. */
static int is_pty_fd(int fd)
{
    const char *pty = getenv(ENV_NAME);
    struct stat a, b;

    return pty && fstat(fd, &a) == 0 && stat(pty, &b) == 0 && S_ISCHR(a.st_mode) &&
           a.st_rdev == b.st_rdev;
}

static void fake_link_stat(struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFLNK | 0777;
    st->st_size = (off_t)strlen(FAKE_LINK);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
    static ssize_t (*real)(const char *, char *, size_t);
    size_t n = strlen(FAKE_LINK);

    if (is_pty_sysfs(path)) {
        n = n < len ? n : len;
        memcpy(buf, FAKE_LINK, n);
        return (ssize_t)n;
    }
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "readlink");
    return real(path, buf, len);
}

int lstat(const char *path, struct stat *st)
{
    static int (*real)(const char *, struct stat *);

    if (is_pty_sysfs(path)) {
        fake_link_stat(st);
        return 0;
    }
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "lstat");
    return real(path, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
    static int (*real)(int, const char *, struct stat *);

    if (is_pty_sysfs(path)) {
        fake_link_stat(st);
        return 0;
    }
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "__lxstat");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    return real(ver, path, st);
}

int ioctl(int fd, unsigned long request, ...)
{
    static int (*real)(int, unsigned long, ...);
    va_list ap;
    void *arg;

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    if ((request == TIOCMGET || request == TIOCMBIS || request == TIOCMBIC ||
         request == TIOCMSET) &&
        is_pty_fd(fd)) {
        if (request == TIOCMGET)
            *(int *)arg = TIOCM_CTS | TIOCM_DSR | TIOCM_CAR;
        return 0;
    }
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "ioctl");
    return real(fd, request, arg);
}
