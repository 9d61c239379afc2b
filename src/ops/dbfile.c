/*
 * Database files as whole things (see maintain.h): checking one without
 * changing it, copying one while the daemon writes to it, copying the key
 * that opens its sealed numbers, and folding a WAL back into its file.
 * Every copy goes to a temporary name, is fsynced, and only then takes the
 * real name, so a power cut leaves the old file or the new one, never half
 * of one; the folder is fsynced after, so the name itself survives too.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "signpost/maintain.h"

#define COPY_PAGES_PER_STEP 256 /* 1 MiB of 4 KiB pages: the read lock is brief */
#define COPY_MAX_S 600
#define SECRET_MAX 4096

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stops a statement once the deadline (seconds, monotonic) has passed. */
static int past_deadline(void *ctx)
{
    return mono_s() > *(const double *)ctx;
}

static sg_rc open_ro(const char *path, sqlite3 **db)
{
    *db = NULL;
    if (access(path, F_OK) != 0)
        return SG_ENOTFOUND;
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return SG_EDB;
    sqlite3_busy_timeout(*db, 2000);
    return SG_OK;
}

sg_rc db_check(const char *path, int quick, int max_s, char *first, size_t firstlen)
{
    double deadline = mono_s() + max_s;
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    sg_rc rc;
    int step;

    snprintf(first, firstlen, "cannot open");
    if ((rc = open_ro(path, &db)))
        goto out;
    sqlite3_progress_handler(db, 1000, past_deadline, &deadline);
    rc = SG_EDB;
    if (sqlite3_prepare_v2(db, quick ? "PRAGMA quick_check(20)" : "PRAGMA integrity_check(20)",
                           -1, &s, NULL) != SQLITE_OK) {
        snprintf(first, firstlen, "%s", sqlite3_errmsg(db));
        goto out;
    }
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        snprintf(first, firstlen, "%s", (const char *)sqlite3_column_text(s, 0));
        rc = SG_OK;
    } else if (step == SQLITE_INTERRUPT) {
        snprintf(first, firstlen, "not finished within %d s", max_s);
        rc = SG_EBUSY;
    } else {
        snprintf(first, firstlen, "%s", sqlite3_errmsg(db));
    }
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}

sg_rc db_query_long(const char *path, const char *sql, long long *out)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    sg_rc rc;

    if ((rc = open_ro(path, &db)))
        goto out;
    rc = SG_EDB;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SG_OK;
    }
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}

static sg_rc fsync_dir_of(const char *path)
{
    char copy[4096];
    int fd, bad;

    snprintf(copy, sizeof copy, "%s", path);
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return SG_EIO;
    bad = fsync(fd) != 0;
    close(fd);
    return bad ? SG_EIO : SG_OK;
}

/* fsync, and the size, of a finished temporary file. */
static sg_rc sync_file(const char *path, long long *size, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), bad;

    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SG_EIO;
    }
    bad = fsync(fd) != 0 || fstat(fd, &st) != 0;
    if (bad)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else if (size)
        *size = (long long)st.st_size;
    close(fd);
    return bad ? SG_EIO : SG_OK;
}

/* Gives tmp the name dest: link() refuses an existing dest, rename() replaces. */
static sg_rc install(const char *tmp, const char *dest, int replace, char *err, size_t errlen)
{
    if (replace ? rename(tmp, dest) != 0 : link(tmp, dest) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", dest,
                 e == EEXIST ? "exists already; not overwritten" : strerror(e));
        return e == EEXIST ? SG_EBUSY : SG_EIO;
    }
    if (!replace)
        unlink(tmp);
    if (fsync_dir_of(dest)) {
        snprintf(err, errlen, "%s: cannot sync its folder", dest);
        return SG_EIO;
    }
    return SG_OK;
}

static sg_rc tmp_name(const char *dest, char *tmp, size_t tmplen, char *err, size_t errlen)
{
    int n = snprintf(tmp, tmplen, "%s.tmp-%ld", dest, (long)getpid());
    if (n < 0 || (size_t)n >= tmplen) {
        snprintf(err, errlen, "%s: path too long", dest);
        return SG_ETOOBIG;
    }
    unlink(tmp); /* left by an earlier run of this pid that died */
    return SG_OK;
}

/* Steps the backup a bounded number of pages at a time; a page changed by
 * another connection between steps makes SQLite start over, which the
 * deadline bounds.  SQLITE_DONE when the copy is whole. */
static int step_all(sqlite3_backup *b)
{
    double deadline = mono_s() + COPY_MAX_S;
    int rc;

    do {
        rc = sqlite3_backup_step(b, COPY_PAGES_PER_STEP);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while ((rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
             mono_s() < deadline);
    return rc;
}

/* The pages of src into a new file tmp, left as a one-file rollback-journal
 * database (the copy of a WAL database would otherwise say "WAL"). */
static sg_rc copy_pages(const char *src, const char *tmp, char *err, size_t errlen)
{
    sqlite3 *from = NULL, *to = NULL;
    sqlite3_backup *b = NULL;
    sg_rc rc = open_ro(src, &from);
    int step = SQLITE_ERROR, fd;

    if (rc) {
        snprintf(err, errlen, "%s: %s", src, rc == SG_ENOTFOUND ? "no such file" : "cannot open");
        goto out;
    }
    rc = SG_EDB;
    /* Made here, empty, so that the copy of the visits is the owner's only:
     * SQLite would make it 0644. */
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 || close(fd) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        rc = SG_EIO;
        goto out;
    }
    if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK ||
        !(b = sqlite3_backup_init(to, "main", from, "main"))) {
        snprintf(err, errlen, "%s: %s", tmp, to ? sqlite3_errmsg(to) : "cannot open");
        goto out;
    }
    step = step_all(b);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "%s: copy stopped: %s", src,
                 step == SQLITE_OK ? "still changing after the time limit" : sqlite3_errstr(step));
        goto out;
    }
    if (sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", tmp, sqlite3_errmsg(to));
        goto out;
    }
    rc = SG_OK;
out:
    sqlite3_close(to);
    sqlite3_close(from);
    return rc;
}

sg_rc db_copy(const char *src, const char *dest, int replace, long long *size, char *err,
              size_t errlen)
{
    char tmp[4200];
    sg_rc rc;

    if ((rc = tmp_name(dest, tmp, sizeof tmp, err, errlen)))
        return rc;
    if (!replace && access(dest, F_OK) == 0) {
        snprintf(err, errlen, "%s: exists already; not overwritten", dest);
        return SG_EBUSY;
    }
    if (!(rc = copy_pages(src, tmp, err, errlen)) && !(rc = sync_file(tmp, size, err, errlen)))
        rc = install(tmp, dest, replace, err, errlen);
    if (rc)
        unlink(tmp);
    return rc;
}

static sg_rc read_small(const char *path, unsigned char *buf, size_t cap, size_t *len,
                        char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? SG_ENOTFOUND : SG_EIO;
    }
    n = read(fd, buf, cap);
    close(fd);
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "too big for a key");
        return SG_EIO;
    }
    *len = (size_t)n;
    return SG_OK;
}

static sg_rc write_new(const char *path, const unsigned char *buf, size_t len, char *err,
                       size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), bad;

    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SG_EIO;
    }
    bad = write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0;
    if (bad)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    bad |= close(fd) != 0;
    return bad ? SG_EIO : SG_OK;
}

sg_rc file_copy_secret(const char *src, const char *dest, int replace, long long *size,
                       char *err, size_t errlen)
{
    unsigned char buf[SECRET_MAX];
    char tmp[4200];
    size_t len = 0;
    sg_rc rc;

    if ((rc = tmp_name(dest, tmp, sizeof tmp, err, errlen)) ||
        (rc = read_small(src, buf, sizeof buf, &len, err, errlen)))
        goto out;
    if (!(rc = write_new(tmp, buf, len, err, errlen)))
        rc = install(tmp, dest, replace, err, errlen);
    if (rc)
        unlink(tmp);
    else if (size)
        *size = (long long)len;
out:
    memset(buf, 0, sizeof buf); /* a key: do not leave it on the stack */
    return rc;
}

sg_rc db_fold_wal(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;

    if (access(path, F_OK) != 0)
        return SG_ENOTFOUND;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(db, 2000);
    /* Switching away from WAL checkpoints everything and deletes the log;
     * SQLite refuses while any other connection has the file open. */
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = DELETE", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(s, 0), "delete") != 0) {
        rc = SG_EBUSY;
        goto fail;
    }
    rc = SG_OK;
    goto out;
fail:
    snprintf(err, errlen, "%s: cannot fold its write-ahead log: %s", path,
             db ? sqlite3_errmsg(db) : "cannot open");
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}
