/*
 * The state directory's lock (see statelock.h): an flock on
 * DIR/signpost.lock.  flock, not fcntl locks, because fcntl locks belong to
 * the process and vanish when any descriptor of the file is closed, while
 * an flock belongs to its open file description and so also tells two
 * holders in one process apart (which is how the tests check it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/statelock.h"

static int lock_path(const char *dir, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/%s", dir, SG_STATELOCK_FILE);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

sg_rc statelock_acquire(const char *dir, int *fd, char *err, size_t errlen)
{
    char path[4096];
    int f = -1;
    sg_rc rc = SG_OK;

    if (fd)
        *fd = -1;
    if (lock_path(dir, path, sizeof path)) {
        snprintf(err, errlen, "%s: path too long", dir);
        return SG_EINVAL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return SG_EIO;
    }
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SG_EIO;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK ? SG_EBUSY : SG_EIO;
        snprintf(err, errlen, "%s: %s", path,
                 rc == SG_EBUSY ? "another signpost (the service?) is using this state directory"
                                : strerror(errno));
        close(f);
        return rc;
    }
    if (fd)
        *fd = f; /* else kept open on purpose: the lock lives as long as the process */
    return SG_OK;
}

void statelock_release(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the only descriptor drops the flock */
}

int statelock_held(const char *dir)
{
    char path[4096];
    int f, held;

    if (lock_path(dir, path, sizeof path))
        return -1;
    f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return errno == ENOENT ? 0 : -1;
    if (flock(f, LOCK_EX | LOCK_NB) == 0)
        held = 0; /* nobody had it; ours goes with the close below */
    else
        held = errno == EWOULDBLOCK ? 1 : -1;
    close(f);
    return held;
}
