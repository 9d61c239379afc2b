/*
 * hsds_import(): one HSDS source in, one complete directory database out
 * (see hsds.h for the contract and hsds_internal.h for the map of files).
 *
 * The output is a new file nobody reads until directory_install() renames
 * it into place, so it is built with the journal and syncing off and a
 * large page cache: if the machine dies halfway the file is simply thrown
 * away.  Staging goes to a second scratch file attached beside it and
 * deleted at the end, which leaves the directory file compact without a
 * VACUUM.  Everything happens in one transaction per database.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hsds_internal.h"
#include "signpost/waiter.h"
#include "signpost/directory_db.h"
#include "signpost/log.h"

/* Page cache per database file (output and staging), in KiB.  Larger
 * caches measured no faster on 100k services; this bounds the import's
 * memory at a few tens of MB whatever the input's size. */
#define CACHE_KIB 4096

const char *hsds_problem_name(hsds_problem_kind k)
{
    switch (k) {
    case HSDS_PROBLEM_MISSING:
        return "missing";
    case HSDS_PROBLEM_BAD_VALUE:
        return "bad value";
    case HSDS_PROBLEM_COORDINATE:
        return "coordinate";
    case HSDS_PROBLEM_DANGLING:
        return "dangling";
    case HSDS_PROBLEM_DUPLICATE:
        return "duplicate";
    case HSDS_PROBLEM_FORMAT:
        return "format";
    }
    return "problem";
}

static void vreport(hsds_ctx *c, hsds_problem_kind kind, const char *file, size_t row,
                    const char *column, int skipped, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

static void vreport(hsds_ctx *c, hsds_problem_kind kind, const char *file, size_t row,
                    const char *column, int skipped, const char *fmt, va_list ap)
{
    char msg[512];
    hsds_problem p = {kind, file, row, column ? column : "", msg, skipped};

    c->sum->problems++;
    if (!c->o->report)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    c->o->report(c->o->report_ctx, &p);
}

void hsds_report(hsds_ctx *c, hsds_problem_kind kind, const char *file, size_t row,
                 const char *column, int skipped, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, kind, file, row, column, skipped, fmt, ap);
    va_end(ap);
}

void hsds_report_rec(hsds_ctx *c, hsds_rec *r, hsds_problem_kind kind, int field,
                     int skipped, const char *fmt, ...)
{
    char column[320];
    va_list ap;

    snprintf(column, sizeof column, "%s%s", r->path,
             hsds_kind_get(r->kind)->fields[field].name);
    if (skipped)
        r->rejected = 1;
    va_start(ap, fmt);
    vreport(c, kind, c->src[r->src].label, r->row, column, skipped, fmt, ap);
    va_end(ap);
}

int hsds_add_source(hsds_ctx *c, const char *label, hsds_kind kind)
{
    if (c->nsrc >= HSDS_MAX_SOURCES) {
        snprintf(c->err, c->errlen, "too many input files");
        return -1;
    }
    snprintf(c->src[c->nsrc].label, sizeof c->src[c->nsrc].label, "%s", label);
    c->src[c->nsrc].kind = kind;
    return c->nsrc++;
}

void hsds_progress(hsds_ctx *c, uint64_t done, int force)
{
    int64_t t;

    if (!c->o->progress)
        return;
    t = waiter_now_ms();
    if (!force && t - c->last_progress_ms < 100)
        return;
    c->last_progress_ms = t;
    c->o->progress(c->o->progress_ctx, c->stage, done, c->total);
}

sg_rc hsds_db_error(hsds_ctx *c, const char *doing)
{
    snprintf(c->err, c->errlen, "%s: %s", doing, sqlite3_errmsg(c->db));
    return SG_EDB;
}

sg_rc hsds_exec(hsds_ctx *c, const char *sql, const char *doing)
{
    int64_t t = waiter_now_ms();

    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL))
        return hsds_db_error(c, doing);
    sg_debug("hsds import: %s: %lld ms", doing, (long long)(waiter_now_ms() - t));
    return SG_OK;
}

sg_rc hsds_count(hsds_ctx *c, const char *sql, size_t *out)
{
    sqlite3_stmt *st;
    int e;

    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL))
        return hsds_db_error(c, "counting");
    e = sqlite3_step(st);
    if (e == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return e == SQLITE_ROW ? SG_OK : hsds_db_error(c, "counting");
}

/* The new file, its schema, and the scratch database attached as stg. */
static sg_rc open_output(hsds_ctx *c, const char *out_path, const char *stg_path)
{
    char pragmas[512];
    sqlite3_stmt *st = NULL;
    int e;

    if (sqlite3_open_v2(out_path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL)) {
        snprintf(c->err, c->errlen, "%s: %s", out_path, sqlite3_errmsg(c->db));
        return SG_EIO;
    }
    if (sqlite3_prepare_v2(c->db, "ATTACH DATABASE ?1 AS stg", -1, &st, NULL))
        return hsds_db_error(c, "attaching the staging database");
    sqlite3_bind_text(st, 1, stg_path, -1, SQLITE_STATIC);
    e = sqlite3_step(st);
    sqlite3_finalize(st);
    if (e != SQLITE_DONE)
        return hsds_db_error(c, "attaching the staging database");
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA main.journal_mode = OFF; PRAGMA main.synchronous = OFF;"
             "PRAGMA main.cache_size = -%d; PRAGMA stg.journal_mode = OFF;"
             "PRAGMA stg.synchronous = OFF; PRAGMA stg.cache_size = -%d;"
             "PRAGMA locking_mode = EXCLUSIVE;",
             CACHE_KIB, CACHE_KIB);
    return hsds_exec(c, pragmas, "setting up the output");
}

static sg_rc read_input(hsds_ctx *c, const char *path)
{
    char dir[4096];
    hsds_src_type type;
    sg_rc rc = hsds_detect(path, &type, dir, sizeof dir, c->err, c->errlen);

    if (rc)
        return rc;
    c->stage = "reading";
    hsds_progress(c, 0, 1);
    if (type == HSDS_SRC_FOLDER)
        rc = hsds_read_folder(c, dir);
    else if (type == HSDS_SRC_ZIP)
        rc = hsds_read_zip(c, path);
    else
        rc = hsds_read_json(c, path);
    hsds_progress(c, c->total, 1);
    return rc;
}

static sg_rc build(hsds_ctx *c, const char *path)
{
    size_t staged = 0;
    sg_rc rc;

    if ((rc = hsds_exec(c, directory_db_schema(), "creating the directory schema")) ||
        (rc = hsds_stage_create(c)) || (rc = hsds_exec(c, "BEGIN", "starting")) ||
        (rc = read_input(c, path)))
        return rc;
    hsds_stage_finalize(c);
    if ((rc = hsds_count(c, "SELECT count(*) FROM stg.svc", &staged)))
        return rc;
    if (!staged) {
        snprintf(c->err, c->errlen, "%s: no usable service (%zu problem%s)", path,
                 c->sum->problems, c->sum->problems == 1 ? "" : "s");
        return SG_EINVAL;
    }
    if ((rc = hsds_stage_index(c)) || (rc = hsds_assemble(c)))
        return rc;
    return hsds_exec(c, "COMMIT", "finishing");
}

sg_rc hsds_import(const char *path, const char *out_path, const hsds_import_opts *o,
                  hsds_summary *sum, char *err, size_t errlen)
{
    static const hsds_import_opts none;
    hsds_ctx c;
    char stg_path[4200];
    sg_rc rc;

    assert(path && out_path && sum && err && errlen);
    memset(&c, 0, sizeof c);
    memset(sum, 0, sizeof *sum);
    err[0] = '\0';
    c.o = o ? o : &none;
    c.sum = sum;
    c.err = err;
    c.errlen = errlen;
    c.path = path;
    if (access(out_path, F_OK) == 0) {
        snprintf(err, errlen, "%s already exists", out_path);
        return SG_EINVAL; /* not ours: leave it */
    }
    snprintf(stg_path, sizeof stg_path, "%s-staging", out_path);
    unlink(stg_path);
    if (!(rc = open_output(&c, out_path, stg_path)))
        rc = build(&c, path);
    hsds_stage_finalize(&c);
    if (sqlite3_close(c.db) != SQLITE_OK && !rc) {
        snprintf(err, errlen, "%s: cannot close the database", out_path);
        rc = SG_EDB;
    }
    unlink(stg_path);
    if (rc)
        unlink(out_path);
    return rc;
}
