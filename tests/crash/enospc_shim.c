/*
 * An LD_PRELOAD shim that makes the disk look full, on demand, for one
 * directory only.  While the file named by CRASH_ENOSPC_TRIGGER exists,
 * write, pwrite, pwrite64, writev, fsync, fdatasync, ftruncate and
 * fallocate on regular files under CRASH_ENOSPC_DIR fail with ENOSPC, as
 * they do on a full SD card; everything else (the log on stderr, sockets,
 * other files) is untouched, so the daemon can still answer and say why.
 *
 * Only the test's daemon loads it (tests/crash/test_faults.c sets
 * LD_PRELOAD for that one child).  Built without sanitizers: it is loaded
 * before the sanitizer runtime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* 1 when a write to fd must fail now: the trigger exists and fd is a
 * regular file under the watched directory.  errno is left as it was. */
static int full(int fd)
{
    const char *trigger = getenv("CRASH_ENOSPC_TRIGGER");
    const char *dir = getenv("CRASH_ENOSPC_DIR");
    char link[64], path[PATH_MAX];
    struct stat st;
    int saved = errno, hit = 0;
    ssize_t n;

    if (!trigger || !dir || !*dir)
        return 0;
    if (stat(trigger, &st) != 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        goto out;
    path[n] = '\0';
    hit = strncmp(path, dir, strlen(dir)) == 0;
out:
    errno = saved;
    return hit;
}

/* The next definition of name (the C library's), looked up once. */
#define REAL(name)                                                                       \
    static __typeof__(&name) real_##name;                                                \
    if (!real_##name)                                                                    \
    *(void **)&real_##name = dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    REAL(pwrite64);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_writev(fd, iov, n);
}

int fsync(int fd)
{
    REAL(fsync);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_fdatasync(fd);
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_ftruncate(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
    REAL(ftruncate64);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_ftruncate64(fd, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    REAL(fallocate);
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_fallocate(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len)
{
    REAL(posix_fallocate);
    if (full(fd))
        return ENOSPC;
    return real_posix_fallocate(fd, off, len);
}
