/*
 * Retention and compaction (see maintain.h).  The purge is one transaction
 * on the writer connection: the rows to delete are listed once in temporary
 * tables, counted into daily_counts (added to what earlier runs counted for
 * the same day, since a day's replies may go in two runs), then deleted.
 * The daemon may run meanwhile; its writes wait on the busy timeout.
 */
#include <string.h>

#include "signpost/log.h"
#include "signpost/maintain.h"
#include "report_sql.h"
#include "store_internal.h"

/* ?1 the ISO cut-off for visits, ?2 the Unix one for texts and replies. */
static const char *const pick_sql[] = {
    "CREATE TEMP TABLE IF NOT EXISTS purge_visits(id TEXT PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS purge_texts(id TEXT PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS purge_replies(id TEXT PRIMARY KEY)",
    "DELETE FROM purge_visits",
    "DELETE FROM purge_texts",
    "DELETE FROM purge_replies",
    /* A text still to go out keeps its visit (and number) until it has. */
    "INSERT INTO purge_visits SELECT s.id FROM screenings s WHERE s.created_at < ?1"
    " AND NOT EXISTS (SELECT 1 FROM sms_outbox o WHERE o.screening_id = s.id"
    "  AND o.state IN ('scheduled', 'sending'))",
    "INSERT INTO purge_texts SELECT id FROM sms_outbox WHERE screening_id IN"
    " (SELECT id FROM purge_visits) OR (screening_id IS NULL AND created_at < ?2"
    "  AND state NOT IN ('scheduled', 'sending'))",
    "INSERT INTO purge_replies SELECT gateway_id FROM sms_inbound WHERE received_at < ?2"
    " OR screening_id IN (SELECT id FROM purge_visits)",
};

/* The rows the purge picked, for the metrics of report_sql.h. */
#define PICKED_VISITS "(SELECT s.* FROM screenings s JOIN purge_visits p ON p.id = s.id)"
#define PICKED_TEXTS "(SELECT o.* FROM sms_outbox o JOIN purge_texts p ON p.id = o.id)"
#define PICKED_REPLIES                                                                      \
    "(SELECT i.* FROM sms_inbound i JOIN purge_replies p ON p.id = i.gateway_id)"

/* One INSERT per family of metrics, the same SQL the reports count live
 * rows with, so a day adds up the same before and after the purge. */
static const char *const count_sql[] = {
    RS_VISIT_METRICS(PICKED_VISITS),
    RS_TEXT_METRICS(PICKED_TEXTS),
    RS_REPLY_METRICS(PICKED_REPLIES),
};

static int run_all(sqlite3 *db, const char *const *sql, size_t n, const char *iso, time_t cut)
{
    for (size_t i = 0; i < n; i++)
        if (store_run(db, sql[i], "tI", iso, cut) < 0)
            return -1;
    return 0;
}

static int add_counts(sqlite3 *db)
{
    char sql[4096];

    for (size_t i = 0; i < sizeof count_sql / sizeof count_sql[0]; i++) {
        int n = snprintf(sql, sizeof sql,
                         "INSERT INTO daily_counts(day, metric, value) SELECT * FROM (%s)"
                         " WHERE true ON CONFLICT(day, metric) DO UPDATE"
                         " SET value = value + excluded.value",
                         count_sql[i]);
        if (n < 0 || (size_t)n >= sizeof sql || store_run(db, sql, "") < 0)
            return -1;
    }
    return 0;
}

/* Deletes what was picked; each count goes to out.  -1 on an error. */
static int delete_picked(sqlite3 *db, maintain_purged *out)
{
    long n;

    if ((n = store_run(db, "DELETE FROM sms_inbound WHERE gateway_id IN"
                           " (SELECT id FROM purge_replies)", "")) < 0)
        return -1;
    out->replies = n;
    if ((n = store_run(db, "DELETE FROM sms_outbox WHERE id IN (SELECT id FROM purge_texts)",
                       "")) < 0)
        return -1;
    out->texts = n;
    /* The cascades take consents, attempts and receipts with each visit. */
    if ((n = store_run(db, "DELETE FROM screenings WHERE id IN (SELECT id FROM purge_visits)",
                       "")) < 0)
        return -1;
    out->screenings = n;
    return 0;
}

static long count_kept(sqlite3 *db, const char *iso)
{
    sqlite3_stmt *s = NULL;
    long n = 0;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM screenings WHERE created_at < ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, iso, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            n = (long)sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return n;
}

sg_rc store_purge_before(sg_store *st, const char *cut_iso, time_t cut, maintain_purged *out)
{
    sqlite3 *db;
    int ok;

    memset(out, 0, sizeof *out);
    if (!(db = store_write_begin(st)))
        return SG_EDB;
    ok = run_all(db, pick_sql, sizeof pick_sql / sizeof pick_sql[0], cut_iso, cut) == 0 &&
         add_counts(db) == 0 && delete_picked(db, out) == 0;
    if (ok)
        out->kept = count_kept(db, cut_iso);
    return store_write_end(st, ok, "retention purge");
}

static long long pragma_ll(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

sg_rc store_compact(sg_store *st, int *done)
{
    sqlite3 *db = st->writer.db;
    long long pages, free_pages, page_size;
    sg_rc rc = SG_OK;

    *done = 0;
    pthread_mutex_lock(&st->writer.lock);
    pages = pragma_ll(db, "PRAGMA page_count");
    free_pages = pragma_ll(db, "PRAGMA freelist_count");
    page_size = pragma_ll(db, "PRAGMA page_size");
    /* A VACUUM rewrites the whole file through the WAL: worth it on an SD
     * card only when it gives back a real share of the file. */
    if (pages > 0 && free_pages * 4 >= pages && free_pages * page_size >= 1024 * 1024) {
        const char *sql = pragma_ll(db, "PRAGMA auto_vacuum") == 2 ? "PRAGMA incremental_vacuum"
                                                                    : "VACUUM";
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            sg_error("store: %s: %s", sql, sqlite3_errmsg(db));
            rc = SG_EDB;
        } else {
            *done = 1;
        }
    }
    pthread_mutex_unlock(&st->writer.lock);
    return rc;
}
