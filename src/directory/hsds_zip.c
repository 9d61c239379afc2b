/*
 * A data package as a .zip, read in place: each CSV entry is decompressed
 * as it is parsed (libzip behind a stdio stream), so nothing is unpacked to
 * disk and memory stays flat however large the archive.
 *
 * Publishers zip a package in every way: files at the top, or all inside
 * one folder ("export-2024-05/services.csv"), sometimes with macOS's
 * __MACOSX/ shadow copies beside them.  The package is the folder holding
 * the services.csv nearest the top; only files in that same folder are
 * read.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "hsds_internal.h"

typedef struct {
    zip_file_t *zf;
    uint64_t pos;
    int failed;
} zip_cookie;

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    zip_cookie *ck = cookie;
    zip_int64_t n = zip_fread(ck->zf, buf, size);
    if (n < 0) {
        ck->failed = 1;
        errno = EIO;
        return -1;
    }
    ck->pos += (uint64_t)n;
    return (ssize_t)n;
}

/* Only "where am I" (ftello), for progress; the stream cannot seek. */
static int cookie_seek(void *cookie, off64_t *off, int whence)
{
    zip_cookie *ck = cookie;
    if (whence != SEEK_CUR || *off != 0) {
        errno = ESPIPE;
        return -1;
    }
    *off = (off64_t)ck->pos;
    return 0;
}

static int cookie_close(void *cookie)
{
    (void)cookie; /* the zip_file_t is closed by its owner */
    return 0;
}

/*
 * The part of name before its last separator, and the part after.  The zip
 * format says '/', but some old Windows tools write '\\' (an entry named
 * "export\\services.csv"), and a clinic should not have to repack those.
 */
static const char *split_name(const char *name, size_t *dirlen)
{
    const char *slash = strrchr(name, '/'), *back = strrchr(name, '\\');

    if (!slash || (back && back > slash))
        slash = back;
    *dirlen = slash ? (size_t)(slash - name) : 0;
    return slash ? slash + 1 : name;
}

static int ignored(const char *name)
{
    return !strncmp(name, "__MACOSX", 8) || strstr(name, "/.") || strstr(name, "\\.") ||
           name[0] == '.';
}

/* The folder (prefix length) of the services.csv nearest the top; -1 if none. */
static long find_package(zip_t *z, zip_int64_t n, const char **prefix)
{
    long best = -1;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        size_t dl;
        if (!name || ignored(name))
            continue;
        if (hsds_csv_rank_is_services(hsds_csv_rank(split_name(name, &dl))) &&
            (best < 0 || (long)dl < best)) {
            best = (long)dl;
            *prefix = name;
        }
    }
    return best;
}

typedef struct {
    int rank;
    zip_uint64_t index;
} zip_member;

/* The known files in the package folder, in reading order; how many. */
static size_t list_members(zip_t *z, zip_int64_t n, const char *prefix, size_t plen,
                           zip_member *out, hsds_ctx *c, const char **names)
{
    size_t count = 0;
    for (zip_int64_t i = 0; i < n && count < HSDS_CSV_MAX_FILES; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        zip_stat_t sb;
        size_t dl;
        int rank, seen = 0;
        if (!name || ignored(name))
            continue;
        rank = hsds_csv_rank(split_name(name, &dl));
        if (rank < 0 || dl != plen || strncmp(name, prefix, plen) != 0)
            continue;
        for (size_t j = 0; j < count; j++)
            seen |= out[j].rank == rank;
        if (seen)
            continue;
        out[count].rank = rank;
        out[count].index = (zip_uint64_t)i;
        names[count] = hsds_csv_rank_name(rank);
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &sb) == 0 && (sb.valid & ZIP_STAT_SIZE))
            c->total += sb.size;
        count++;
    }
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && out[j].rank < out[j - 1].rank; j--) {
            zip_member t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return count;
}

static sg_rc stage_member(hsds_ctx *c, zip_t *z, const zip_member *m)
{
    static const cookie_io_functions_t io = {cookie_read, NULL, cookie_seek,
                                             cookie_close};
    const char *name = zip_get_name(z, m->index, 0);
    zip_cookie ck = {zip_fopen_index(z, m->index, 0), 0, 0};
    FILE *f = NULL;
    sg_rc rc = SG_EIO;

    if (!ck.zf) {
        snprintf(c->err, c->errlen, "%s: %s", name, zip_strerror(z));
        return SG_EINVAL;
    }
    if (!(f = fopencookie(&ck, "r", io)))
        goto out;
    rc = hsds_csv_stage_rank(c, f, name, m->rank);
    if (!rc && (ck.failed || ferror(f))) {
        snprintf(c->err, c->errlen, "%s: the archive is damaged (%s)", name,
                 zip_file_strerror(ck.zf));
        rc = SG_EINVAL;
    }
    c->done += ck.pos;
out:
    if (f)
        fclose(f);
    zip_fclose(ck.zf);
    return rc;
}

sg_rc hsds_read_zip(hsds_ctx *c, const char *path)
{
    zip_member members[HSDS_CSV_MAX_FILES];
    const char *names[HSDS_CSV_MAX_FILES], *prefix = "";
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    zip_int64_t n;
    long plen;
    size_t count;
    sg_rc rc = SG_OK;

    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        snprintf(c->err, c->errlen, "%s: not a readable zip archive (%s)", path,
                 zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return SG_EINVAL;
    }
    n = zip_get_num_entries(z, 0);
    if ((plen = find_package(z, n, &prefix)) < 0) {
        snprintf(c->err, c->errlen, "%s has no services.csv: not an HSDS data package",
                 path);
        rc = SG_EINVAL;
        goto out;
    }
    count = list_members(z, n, prefix, (size_t)plen, members, c, names);
    snprintf(c->sum->version, sizeof c->sum->version, "%s",
             hsds_detect_version(names, count));
    for (size_t i = 0; i < count && !rc; i++)
        rc = stage_member(c, z, &members[i]);
out:
    zip_discard(z);
    return rc;
}
