/*
 * What the importer tests share: run hsds_import() into a fresh temporary
 * folder while recording every problem it reports, then ask the finished
 * database questions in SQL.  Assertions are on what a user would see (the
 * problem's file, row, column and kind) and on what the kiosk would show
 * (the stored rows).
 */
#ifndef SIGNPOST_IMPORT_HELPERS_H
#define SIGNPOST_IMPORT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "signpost/hsds.h"

#define FIXTURE(name) HSDS_DATA "/" name

typedef struct {
    hsds_problem_kind kind;
    char file[160];
    size_t row;
    char column[200];
    char message[512];
    int skipped;
} seen_problem;

#define MAX_SEEN 512

typedef struct {
    char dir[128];
    char db_path[200];
    sqlite3 *db; /* the result, read-only; NULL when the import failed */
    hsds_summary sum;
    seen_problem seen[MAX_SEEN];
    size_t nseen;
    sg_rc rc;
    char err[1024];
    char text[4096]; /* the last q() answer */
} import_run;

static inline void collect_problem(void *ctx, const hsds_problem *p)
{
    import_run *r = ctx;
    seen_problem *s;

    if (r->nseen >= MAX_SEEN)
        return;
    s = &r->seen[r->nseen++];
    s->kind = p->kind;
    snprintf(s->file, sizeof s->file, "%s", p->file);
    s->row = p->row;
    snprintf(s->column, sizeof s->column, "%s", p->column);
    snprintf(s->message, sizeof s->message, "%s", p->message);
    s->skipped = p->skipped;
}

/* Imports path into a new temporary folder; the caller frees with import_done(). */
static inline import_run *import_path(const char *path)
{
    import_run *r = calloc(1, sizeof *r);
    hsds_import_opts o = {collect_problem, NULL, NULL, NULL, "test"};

    assert_non_null(r);
    o.report_ctx = r;
    snprintf(r->dir, sizeof r->dir, "/tmp/signpost-import-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->db_path, sizeof r->db_path, "%s/directory.db", r->dir);
    r->rc = hsds_import(path, r->db_path, &o, &r->sum, r->err, sizeof r->err);
    if (r->rc == SG_OK)
        assert_int_equal(sqlite3_open_v2(r->db_path, &r->db, SQLITE_OPEN_READONLY, NULL),
                         SQLITE_OK);
    else
        assert_int_not_equal(access(r->db_path, F_OK), 0); /* removed on failure */
    return r;
}

/* An import that must succeed. */
static inline import_run *import_ok(const char *path)
{
    import_run *r = import_path(path);
    if (r->rc != SG_OK)
        fail_msg("importing %s failed (%d): %s", path, r->rc, r->err);
    return r;
}

static inline void import_done(import_run *r)
{
    char stg[260];
    if (!r)
        return;
    sqlite3_close(r->db);
    unlink(r->db_path);
    snprintf(stg, sizeof stg, "%s-staging", r->db_path);
    assert_int_not_equal(access(stg, F_OK), 0); /* the scratch file never outlives it */
    rmdir(r->dir);
    free(r);
}

/* The first column of the first row, as text; "NULL" for NULL, "-" for no row. */
static inline const char *q(import_run *r, const char *fmt, ...)
{
    char sql[2048];
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(r->db));
    if (sqlite3_step(st) != SQLITE_ROW)
        snprintf(r->text, sizeof r->text, "-");
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        snprintf(r->text, sizeof r->text, "NULL");
    else
        snprintf(r->text, sizeof r->text, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return r->text;
}

static inline long long qi(import_run *r, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return strtoll(q(r, "%s", sql), NULL, 10);
}

/* A service's column by HSDS id. */
#define SVC(r, id, col) q((r), "SELECT %s FROM services WHERE id = '%s'", (col), (id))

/* The schedule rows of a service, one "kind freq interval byday bymonthday
 * opens closes dtstart until valid_from valid_to" line each, in stored order. */
static inline const char *hours(import_run *r, const char *id)
{
    return q(
        r,
        "SELECT group_concat(x, ';') FROM (SELECT kind || ' ' || freq || ' ' || interval"
        " || ' ' || byday || ' ' || bymonthday || ' ' || opens || '-' || closes || ' ' ||"
        " dtstart || ' ' || until || ' ' || valid_from || ' ' || valid_to AS x"
        " FROM schedules JOIN services USING (sid) WHERE id = '%s' ORDER BY "
        "schedules.rowid)",
        id);
}

/* Asserts that exactly this problem was reported (and returns it). */
static inline const seen_problem *expect_problem(import_run *r, hsds_problem_kind kind,
                                                 const char *file, size_t row,
                                                 const char *column, int skipped)
{
    for (size_t i = 0; i < r->nseen; i++) {
        const seen_problem *s = &r->seen[i];
        if (s->row == row && !strcmp(s->file, file) && !strcmp(s->column, column)) {
            if (s->kind != kind || s->skipped != skipped)
                fail_msg("%s:%zu: %s: got kind %s skipped %d, want %s skipped %d (%s)",
                         file, row, column, hsds_problem_name(s->kind), s->skipped,
                         hsds_problem_name(kind), skipped, s->message);
            return s;
        }
    }
    for (size_t i = 0; i < r->nseen; i++)
        print_message("  reported %s:%zu: %s: %s\n", r->seen[i].file, r->seen[i].row,
                      r->seen[i].column, r->seen[i].message);
    fail_msg("no problem reported at %s:%zu: %s", file, row, column);
    return NULL;
}

/* Asserts the number of problems, listing them when it is wrong. */
static inline void expect_problem_count(import_run *r, size_t n)
{
    if (r->nseen == n && r->sum.problems == n)
        return;
    for (size_t i = 0; i < r->nseen; i++)
        print_message("  reported %s:%zu: %s: %s\n", r->seen[i].file, r->seen[i].row,
                      r->seen[i].column, r->seen[i].message);
    fail_msg("%zu problems reported (summary %zu), want %zu", r->nseen, r->sum.problems,
             n);
}

#endif
