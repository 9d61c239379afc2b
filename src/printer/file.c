/*
 * The file transport (see printer.h): the demo's printer, and a way to
 * capture exactly the bytes a real printer would get.
 *
 * One open..close session is one job.  With a file path each job is
 * appended to it; with a directory each job gets a new file named by the
 * UTC time it started (receipt-20250301-142501.123.escpos), created with
 * O_EXCL so that two jobs in the same millisecond cannot share one.  The
 * file is created at the first write, so a session that only asks for
 * status leaves nothing behind.  Receipts name a patient's needs, so the
 * files and the default directory are readable by the owner only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "printer_internal.h"

/* Suffixes tried when a job file name is taken. */
#define MAX_NAME_TRIES 100

static sg_rc create_job_file(printer *pr)
{
    struct timespec now;
    struct tm tm;
    char name[SG_CFG_PATH + 64], stamp[32];
    int n;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int i = 0; i < MAX_NAME_TRIES; i++) {
        if (i == 0)
            n = snprintf(name, sizeof name, "%s/receipt-%s.%03ld.escpos", pr->path, stamp,
                         now.tv_nsec / 1000000);
        else
            n = snprintf(name, sizeof name, "%s/receipt-%s.%03ld-%d.escpos", pr->path,
                         stamp, now.tv_nsec / 1000000, i);
        if (n < 0 || (size_t)n >= sizeof name)
            return printer_fail(pr, SG_EINVAL, "file %s: path too long", pr->path);
        pr->fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (pr->fd >= 0)
            return SG_OK;
        if (errno != EEXIST)
            return printer_fail(pr, SG_EIO, "file %s: %s", name, strerror(errno));
    }
    return printer_fail(pr, SG_EIO, "file %s: no free job file name", pr->path);
}

static sg_rc file_write(printer *pr, const unsigned char *buf, size_t n, int64_t deadline)
{
    size_t done = 0;
    ssize_t w;
    sg_rc rc;

    (void)deadline; /* a local file has no printer to wait for */
    if (pr->fd < 0 && (rc = create_job_file(pr)))
        return rc;
    while (done < n) {
        w = write(pr->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return printer_fail(pr, SG_EIO, "%s: write: %s", pr->describe, strerror(errno));
        done += (size_t)w;
    }
    return SG_OK;
}

static void file_close(printer *pr)
{
    if (pr->fd >= 0)
        close(pr->fd);
    pr->fd = -1;
}

/* No back channel: status is always "ready". */
static const printer_ops file_ops = {file_write, NULL, NULL, NULL, file_close};

/* "" means <store dir>/receipts, which is created when missing. */
static sg_rc choose_path(printer *pr, const sg_config *cfg)
{
    int n;

    if (cfg->printer_path[0]) {
        snprintf(pr->path, sizeof pr->path, "%s", cfg->printer_path);
        return SG_OK;
    }
    n = snprintf(pr->path, sizeof pr->path, "%s/receipts", cfg->store_dir);
    if (n < 0 || (size_t)n >= sizeof pr->path)
        return printer_fail(pr, SG_EINVAL, "file: [store] dir too long");
    if (mkdir(cfg->store_dir, 0700) < 0 && errno != EEXIST)
        return printer_fail(pr, SG_EIO, "file %s: %s", cfg->store_dir, strerror(errno));
    if (mkdir(pr->path, 0700) < 0 && errno != EEXIST)
        return printer_fail(pr, SG_EIO, "file %s: %s", pr->path, strerror(errno));
    return SG_OK;
}

sg_rc printer_file_open(printer *pr, const sg_config *cfg)
{
    struct stat st;
    sg_rc rc;

    pr->ops = &file_ops;
    if ((rc = choose_path(pr, cfg)))
        return rc;
    if (stat(pr->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        pr->path_is_dir = 1;
        snprintf(pr->describe, sizeof pr->describe, "file %s/ (a file per job)", pr->path);
        return access(pr->path, W_OK) == 0
                   ? SG_OK
                   : printer_fail(pr, SG_EIO, "file %s: %s", pr->path, strerror(errno));
    }
    snprintf(pr->describe, sizeof pr->describe, "file %s", pr->path);
    pr->fd = open(pr->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (pr->fd < 0)
        return printer_fail(pr, errno == ENOENT ? SG_ENOTFOUND : SG_EIO, "file %s: %s",
                            pr->path, strerror(errno));
    return SG_OK;
}
