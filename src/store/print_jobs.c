/*
 * The durable print queue (see store.h).  A job is a row; its state moves
 * only forward, each move is one committed transaction, so after any crash
 * the table says exactly what happened: queued jobs still wait, done jobs
 * printed, and a job caught "printing" is reported as interrupted rather
 * than printed a second time behind anyone's back.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/log.h"
#include "store_internal.h"

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

static const char *const status_names[] = {"queued", "printing", "done", "failed"};

const char *print_status_name(print_status s)
{
    return s <= PRINT_FAILED ? status_names[s] : "unknown";
}

static print_status parse_status(const char *s)
{
    for (int i = 0; i <= PRINT_FAILED; i++)
        if (s && strcmp(s, status_names[i]) == 0)
            return (print_status)i;
    return PRINT_FAILED;
}

static int count_queued(sqlite3 *db, int *n)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM print_jobs WHERE status = 'queued'", -1,
                           &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *n = sqlite3_column_int(s, 0);
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

sg_rc store_print_enqueue(sg_store *st, const char *job_id, const char *screening_id,
                          const char *profile, const void *bytes, size_t len, int max_queued)
{
    static const char sql[] = "INSERT INTO print_jobs(id, screening_id, created_at, status,"
                              " profile, payload) VALUES (?, ?, " NOW_SQL ", 'queued', ?, ?)";
    sqlite3 *db = store_write_begin(st);
    sqlite3_stmt *s = NULL;
    int queued = 0, ok;

    if (!db)
        return SG_EDB;
    if (count_queued(db, &queued) == 0 && queued >= max_queued) {
        store_write_end(st, 0, "queueing a receipt");
        return SG_EBUSY;
    }
    ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(s, 1, job_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, screening_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, profile, -1, SQLITE_STATIC);
        sqlite3_bind_blob(s, 4, bytes, (int)len, SQLITE_STATIC);
        ok = store_step_done(s) == 0;
    }
    sqlite3_finalize(s);
    return store_write_end(st, ok, "queueing a receipt");
}

static void read_job(sqlite3_stmt *s, print_job *job, int with_payload)
{
    const char *err = (const char *)sqlite3_column_text(s, 4);
    memset(job, 0, sizeof *job);
    snprintf(job->id, sizeof job->id, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(job->screening_id, sizeof job->screening_id, "%s",
             (const char *)sqlite3_column_text(s, 1));
    job->status = parse_status((const char *)sqlite3_column_text(s, 2));
    job->attempts = sqlite3_column_int(s, 3);
    snprintf(job->error, sizeof job->error, "%s", err ? err : "");
    if (with_payload && sqlite3_column_bytes(s, 5) > 0) {
        job->len = (size_t)sqlite3_column_bytes(s, 5);
        job->payload = malloc(job->len);
        if (job->payload)
            memcpy(job->payload, sqlite3_column_blob(s, 5), job->len);
    }
}

sg_rc store_print_claim(sg_store *st, print_job *job)
{
    static const char sql[] =
        "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1,"
        " started_at = " NOW_SQL " WHERE id = (SELECT id FROM print_jobs"
        " WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1)"
        " RETURNING id, screening_id, status, attempts, error, payload";
    sqlite3 *db = store_write_begin(st);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_ERROR, ok;

    if (!db)
        return SG_EDB;
    ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        step = sqlite3_step(s);
        if (step == SQLITE_ROW)
            read_job(s, job, 1);
        ok = step == SQLITE_ROW ? sqlite3_step(s) == SQLITE_DONE : step == SQLITE_DONE;
    }
    sqlite3_finalize(s);
    ok = ok && (step != SQLITE_ROW || job->payload);
    if (store_write_end(st, ok, "claiming a print job")) {
        if (step == SQLITE_ROW)
            free(job->payload);
        return SG_EDB;
    }
    return step == SQLITE_ROW ? SG_OK : SG_ENOTFOUND;
}

/* Moves a job that is "printing" to status, with an optional error. */
static sg_rc move_job(sg_store *st, const char *job_id, const char *status,
                      const char *error)
{
    static const char sql[] = "UPDATE print_jobs SET status = ?, error = ?,"
                              " finished_at = CASE WHEN ? = 'queued' THEN NULL ELSE " NOW_SQL
                              " END WHERE id = ? AND status = 'printing'";
    sqlite3 *db = store_write_begin(st);
    sqlite3_stmt *s = NULL;
    int ok;

    if (!db)
        return SG_EDB;
    ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, error, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, job_id, -1, SQLITE_STATIC);
        ok = store_step_done(s) == 0 && sqlite3_changes(db) == 1;
    }
    sqlite3_finalize(s);
    return store_write_end(st, ok, "updating a print job");
}

sg_rc store_print_requeue(sg_store *st, const char *job_id, const char *why)
{
    return move_job(st, job_id, "queued", why);
}

sg_rc store_print_finish(sg_store *st, const char *job_id, const char *error)
{
    return move_job(st, job_id, error ? "failed" : "done", error);
}

sg_rc store_print_get(sg_store *st, const char *job_id, print_job *job)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;

    if (sqlite3_prepare_v2(c->db, "SELECT id, screening_id, status, attempts, error, NULL"
                                  " FROM print_jobs WHERE id = ?", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, job_id, -1, SQLITE_STATIC);
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW)
            read_job(s, job, 0);
        rc = step == SQLITE_ROW ? SG_OK : step == SQLITE_DONE ? SG_ENOTFOUND : SG_EDB;
    }
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

sg_rc store_print_recover(sg_store *st, int *n)
{
    static const char sql[] =
        "UPDATE print_jobs SET status = 'failed', finished_at = " NOW_SQL ","
        " error = 'interrupted while printing (power cut or restart); it may have printed"
        " in part' WHERE status = 'printing'";
    sqlite3 *db = store_write_begin(st);
    int ok;

    if (!db)
        return SG_EDB;
    ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    *n = ok ? sqlite3_changes(db) : 0;
    return store_write_end(st, ok, "recovering print jobs");
}

sg_rc store_print_expire(sg_store *st, int max_age_s, int *n)
{
    static const char sql[] =
        "UPDATE print_jobs SET status = 'failed', finished_at = " NOW_SQL ","
        " error = 'expired: not printed in time (the printer was not ready)'"
        " WHERE status = 'queued' AND created_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)";
    sqlite3 *db = store_write_begin(st);
    sqlite3_stmt *s = NULL;
    char age[32];
    int ok;

    if (!db)
        return SG_EDB;
    snprintf(age, sizeof age, "-%d seconds", max_age_s);
    ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(s, 1, age, -1, SQLITE_STATIC);
        ok = store_step_done(s) == 0;
    }
    *n = ok ? sqlite3_changes(db) : 0;
    sqlite3_finalize(s);
    return store_write_end(st, ok, "expiring print jobs");
}

sg_rc store_print_reprint(sg_store *st, const char *job_id, char new_id[SG_ID_LEN])
{
    /* The same bytes as the original: what the patient saw, in their
       language, with the same QR code; a fresh job in the queue. */
    static const char sql[] =
        "INSERT INTO print_jobs(id, screening_id, created_at, status, profile, payload)"
        " SELECT ?1, screening_id, " NOW_SQL ", 'queued', profile, payload"
        " FROM print_jobs WHERE id = ?2 AND status IN ('done', 'failed')";
    sqlite3 *db;
    sqlite3_stmt *s = NULL;
    int ok, changed = 0;

    store_new_id(new_id);
    if (!(db = store_write_begin(st)))
        return SG_EDB;
    ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(s, 1, new_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, job_id, -1, SQLITE_STATIC);
        ok = store_step_done(s) == 0;
        changed = sqlite3_changes(db);
    }
    sqlite3_finalize(s);
    if (store_write_end(st, ok, "queueing a reprint"))
        return SG_EDB;
    return changed == 1 ? SG_OK : SG_ENOTFOUND;
}

sg_rc store_print_list(sg_store *st, int limit, int (*fn)(void *ctx, const print_job *job,
                                                           const char *created_at),
                       void *ctx)
{
    static const char sql[] =
        "SELECT id, screening_id, status, attempts, error, NULL, created_at"
        " FROM print_jobs ORDER BY created_at DESC, rowid DESC LIMIT ?1";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    print_job job;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int(s, 1, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            read_job(s, &job, 0);
            if (fn(ctx, &job, (const char *)sqlite3_column_text(s, 6)))
                break;
        }
    }
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_ROW || step == SQLITE_DONE ? SG_OK : SG_EDB;
}
