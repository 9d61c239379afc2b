/*
 * Fuzzes the import of an HSDS data package given as a .zip
 * (src/directory/hsds_zip.c: finding the package folder in the archive,
 * choosing its CSV files, streaming each entry through a stdio cookie into
 * the CSV importer), through hsds_import() as `signpost import x.zip` does.
 * libzip is reached through src/util/dl_zip.c's dlopen shims, in the replay
 * build and in the clang fuzz build alike.  The input is written to
 * in.zip in the scratch directory (/dev/shm when there is one); inputs
 * that do not start with a zip signature are skipped (the JSON importer
 * has its own target).
 *
 * The harness also reads the archive itself with libzip: it finds the
 * package folder (the one holding the services.csv nearest the top,
 * leaving out __MACOSX/ and hidden entries) and unpacks the files the
 * importer knows from that folder into a scratch folder, up to
 * 128 KB in all; a bigger package (a zip bomb) is skipped.
 *
 * Invariants:
 *  - a broken archive, or one without services.csv, is refused with a
 *    message, and a failed import leaves no database and no staging file;
 *  - every problem names a file of the package folder that the importer
 *    reads, never an __MACOSX/ or hidden entry or another folder's file,
 *    and the summary counts as many problems as were reported;
 *  - damage never passes silently: an import that succeeds although a
 *    package file cannot be read to its end (bad CRC, cut short) has
 *    reported a format problem in that file (it stopped reading it early,
 *    at an unreadable header for instance, and left the rest out);
 *  - an archive whose package files all read back cleanly imports exactly
 *    as the same files unpacked into a folder: the same result, version and
 *    counts of services, organizations, locations, schedules, terms,
 *    problems and skipped rows.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "directory/hsds_internal.h"
#include "fuzz_common.h"
#include "signpost/hsds.h"

#define MAX_INPUT (64 * 1024)
#define MAX_UNPACKED (128 * 1024)
#define MAX_MEMBERS HSDS_CSV_MAX_FILES
#define LABEL_MAX 159 /* hsds_source.label holds this much of a name */

typedef struct {
    zip_t *z;
    const char *prefix; /* a name whose first plen bytes are the folder */
    long plen;          /* -1: no services.csv */
    int rank[MAX_MEMBERS];
    zip_uint64_t index[MAX_MEMBERS];
    int bad[MAX_MEMBERS];    /* could not be read to its end */
    int format[MAX_MEMBERS]; /* the import reported a format problem in it */
    size_t n;
    int damaged; /* some member is bad */
    size_t unpacked;
} package;

typedef struct {
    package *pkg;
    size_t problems;
} tally;

static int ignored(const char *name)
{
    return !strncmp(name, "__MACOSX/", 9) || strstr(name, "/.") || name[0] == '.';
}

static const char *base_of(const char *name, size_t *dirlen)
{
    const char *slash = strrchr(name, '/');
    *dirlen = slash ? (size_t)(slash - name) : 0;
    return slash ? slash + 1 : name;
}

/* The package folder and, in archive order, the first entry of each known
 * file in it. */
static void find_members(package *pk)
{
    zip_int64_t n = zip_get_num_entries(pk->z, 0);
    size_t dl;

    pk->plen = -1;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(pk->z, (zip_uint64_t)i, 0);
        if (name && !ignored(name) &&
            hsds_csv_rank_is_services(hsds_csv_rank(base_of(name, &dl))) &&
            (pk->plen < 0 || (long)dl < pk->plen)) {
            pk->plen = (long)dl;
            pk->prefix = name;
        }
    }
    for (zip_int64_t i = 0; i < n && pk->plen >= 0 && pk->n < MAX_MEMBERS; i++) {
        const char *name = zip_get_name(pk->z, (zip_uint64_t)i, 0);
        int rank = name && !ignored(name) ? hsds_csv_rank(base_of(name, &dl)) : -1;
        int seen = 0;
        if (rank < 0 || dl != (size_t)pk->plen || strncmp(name, pk->prefix, dl) != 0)
            continue;
        for (size_t j = 0; j < pk->n; j++)
            seen |= pk->rank[j] == rank;
        if (!seen) {
            pk->rank[pk->n] = rank;
            pk->index[pk->n++] = (zip_uint64_t)i;
        }
    }
}

/* Copies member m to dir/<its canonical name>; 0, or -1 past the budget. */
static int unpack_one(package *pk, size_t m, const char *dir)
{
    char path[400], buf[4096];
    zip_file_t *zf = zip_fopen_index(pk->z, pk->index[m], 0);
    zip_int64_t got = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, hsds_csv_rank_name(pk->rank[m]));
    FUZZ_CHECK((f = fopen(path, "wb")) != NULL);
    while (zf && pk->unpacked <= MAX_UNPACKED &&
           (got = zip_fread(zf, buf, sizeof buf)) > 0) {
        pk->unpacked += (size_t)got;
        FUZZ_CHECK(fwrite(buf, 1, (size_t)got, f) == (size_t)got);
    }
    pk->bad[m] = !zf || got < 0;
    pk->damaged |= pk->bad[m];
    FUZZ_CHECK(fclose(f) == 0);
    if (zf)
        zip_fclose(zf);
    return pk->unpacked <= MAX_UNPACKED ? 0 : -1;
}

static void remove_unpacked(const package *pk, const char *dir)
{
    char path[400];

    for (size_t m = 0; m < pk->n; m++) {
        snprintf(path, sizeof path, "%s/%s", dir, hsds_csv_rank_name(pk->rank[m]));
        unlink(path);
    }
    rmdir(dir);
}

/* The member whose name file is (or is the cut of); -1 if none. */
static long member_of(const package *pk, const char *file)
{
    size_t len = strlen(file);

    for (size_t m = 0; m < pk->n; m++) {
        const char *name = zip_get_name(pk->z, pk->index[m], 0);
        if (!strncmp(name, file, len) && (name[len] == '\0' || len == LABEL_MAX))
            return (long)m;
    }
    return -1;
}

static void on_problem(void *ctx, const hsds_problem *p)
{
    tally *t = ctx;
    long m;

    FUZZ_CHECK(p->message && p->message[0] && p->column);
    FUZZ_CHECK(p->file[0] && !ignored(p->file));
    if (t->pkg) {
        FUZZ_CHECK((m = member_of(t->pkg, p->file)) >= 0);
        t->pkg->format[m] |= p->kind == HSDS_PROBLEM_FORMAT;
    }
    t->problems++;
}

/* hsds_import() of path into out, checking what any import must do. */
static sg_rc import(const char *path, package *pk, hsds_summary *sum, char *err,
                    size_t errlen)
{
    char out[300], stage[320];
    tally t = {pk, 0};
    hsds_import_opts o = {on_problem, &t, NULL, NULL, "fuzz.zip"};
    sg_rc rc;

    snprintf(out, sizeof out, "%s/out.db", fuzz_dir());
    snprintf(stage, sizeof stage, "%s-staging", out);
    unlink(out);
    rc = hsds_import(path, out, &o, sum, err, errlen);
    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL);
    FUZZ_CHECK(sum->problems == t.problems);
    FUZZ_CHECK(access(stage, F_OK) != 0);
    FUZZ_CHECK((access(out, F_OK) == 0) == (rc == SG_OK));
    FUZZ_CHECK(rc == SG_OK ? sum->services >= 1 : err[0] != '\0');
    if (pk && pk->plen < 0)
        FUZZ_CHECK(rc == SG_EINVAL && strstr(err, "has no services.csv"));
    /* A member that cannot be read to its end fails the import, unless the
     * importer stopped reading it early and said so (a format problem). */
    for (size_t m = 0; pk && rc == SG_OK && m < pk->n; m++)
        FUZZ_CHECK(!pk->bad[m] || pk->format[m]);
    unlink(out);
    return rc;
}

static void check_same(const hsds_summary *a, const hsds_summary *b)
{
    FUZZ_CHECK(!strcmp(a->version, b->version));
    FUZZ_CHECK(a->services == b->services && a->organizations == b->organizations);
    FUZZ_CHECK(a->locations == b->locations && a->schedules == b->schedules);
    FUZZ_CHECK(a->terms == b->terms && a->problems == b->problems);
    FUZZ_CHECK(a->skipped == b->skipped);
}

/* The archive against its own files unpacked into a folder. */
static void check_package(package *pk, const char *zip_path)
{
    char dir[300], err[512];
    hsds_summary zsum, dsum;
    sg_rc zrc, drc;
    int over = 0;

    find_members(pk);
    snprintf(dir, sizeof dir, "%s/in.d", fuzz_dir());
    FUZZ_CHECK(mkdir(dir, 0700) == 0);
    for (size_t m = 0; m < pk->n && !over; m++)
        over = unpack_one(pk, m, dir) != 0;
    if (!over) {
        zrc = import(zip_path, pk, &zsum, err, sizeof err);
        if (pk->plen >= 0 && !pk->damaged) {
            drc = import(dir, NULL, &dsum, err, sizeof err);
            FUZZ_CHECK(zrc == drc);
            if (zrc == SG_OK)
                check_same(&zsum, &dsum);
        }
    }
    remove_unpacked(pk, dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[300], err[512];
    package pk;
    hsds_summary sum;
    int zerr = 0;

    if (size < 4 || size > MAX_INPUT || data[0] != 'P' || data[1] != 'K' ||
        (data[2] != 3 && data[2] != 5))
        return 0;
    fuzz_write("in.zip", data, size, path, sizeof path);
    memset(&pk, 0, sizeof pk);
    if (!(pk.z = zip_open(path, ZIP_RDONLY, &zerr))) {
        /* Not an archive libzip can open: refused, with its reason. */
        FUZZ_CHECK(import(path, NULL, &sum, err, sizeof err) == SG_EINVAL);
        FUZZ_CHECK(strstr(err, "not a readable zip archive") != NULL);
        return 0;
    }
    check_package(&pk, path);
    zip_discard(pk.z);
    unlink(path);
    return 0;
}
