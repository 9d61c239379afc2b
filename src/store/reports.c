/*
 * The report's queries (reports.h): thin on purpose.  Each runs one of the
 * metric statements of report_sql.h over the live rows of the range, or
 * reads daily_counts, and hands every (day, metric, value) row to the pure
 * report_add(); the arithmetic lives in report_calc.c.  A day that the
 * retention purge half emptied is both: its deleted rows are in
 * daily_counts, its kept rows are live, and the two add up.
 *
 * The range is local days; the live rows are found through their indexes
 * by the UTC instants of the first local midnight and the one after the
 * last day.  All of it is one read transaction, so a purge running at the
 * same time is seen entirely or not at all.
 */
#include <string.h>
#include <time.h>

#include "report_sql.h"
#include "signpost/log.h"
#include "signpost/reports.h"
#include "signpost/schedule.h"
#include "store_internal.h"

#define RANGE_VISITS                                                                     \
    "(SELECT * FROM screenings WHERE created_at >= :vfrom AND created_at < :vto)"
#define RANGE_TEXTS                                                                      \
    "(SELECT * FROM sms_outbox WHERE created_at >= :tfrom AND created_at < :tto)"
#define RANGE_REPLIES                                                                    \
    "(SELECT * FROM sms_inbound WHERE received_at >= :tfrom AND received_at < :tto)"

static const char *const report_sql[] = {
    RS_VISIT_METRICS(RANGE_VISITS),
    RS_TEXT_METRICS(RANGE_TEXTS),
    RS_REPLY_METRICS(RANGE_REPLIES),
    /* Opt-outs are never purged (they must outlive the visit); a START
     * takes one back, so these are the opt-outs still in force. */
    "SELECT date(opted_out_at, 'unixepoch', 'localtime'), 'opt_outs', count(*)"
    " FROM sms_optouts WHERE opted_out_at >= :tfrom AND opted_out_at < :tto GROUP BY 1",
    "SELECT day, metric, value FROM daily_counts WHERE day >= :dfrom AND day <= :dto",
};

typedef struct {
    char vfrom[24], vto[24]; /* ISO UTC, as screenings.created_at */
    time_t tfrom, tto;       /* Unix seconds, as the SMS tables keep time */
    char dfrom[11], dto[11]; /* local days, as daily_counts.day */
} report_bounds;

/* The instant local midnight begins date (YYYYMMDD) in the process's TZ. */
static time_t local_midnight(int date)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    tm.tm_year = date / 10000 - 1900;
    tm.tm_mon = date / 100 % 100 - 1;
    tm.tm_mday = date % 100;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

static void iso_utc(time_t t, char *out, size_t outlen)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void bounds(const report_counts *c, report_bounds *b)
{
    b->tfrom = local_midnight(c->from);
    b->tto = local_midnight(schedule_date_add(c->to, 1));
    iso_utc(b->tfrom, b->vfrom, sizeof b->vfrom);
    iso_utc(b->tto, b->vto, sizeof b->vto);
    report_date_text(c->from, b->dfrom);
    report_date_text(c->to, b->dto);
}

/* Binds whichever of the named bounds s uses. */
static void bind_bounds(sqlite3_stmt *s, const report_bounds *b)
{
    int i;

    if ((i = sqlite3_bind_parameter_index(s, ":vfrom")))
        sqlite3_bind_text(s, i, b->vfrom, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(s, ":vto")))
        sqlite3_bind_text(s, i, b->vto, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(s, ":tfrom")))
        sqlite3_bind_int64(s, i, (sqlite3_int64)b->tfrom);
    if ((i = sqlite3_bind_parameter_index(s, ":tto")))
        sqlite3_bind_int64(s, i, (sqlite3_int64)b->tto);
    if ((i = sqlite3_bind_parameter_index(s, ":dfrom")))
        sqlite3_bind_text(s, i, b->dfrom, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(s, ":dto")))
        sqlite3_bind_text(s, i, b->dto, -1, SQLITE_STATIC);
}

static int run_metric(sqlite3 *db, const char *sql, const report_bounds *b,
                      report_counts *c)
{
    sqlite3_stmt *s = NULL;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        bind_bounds(s, b);
        while ((step = sqlite3_step(s)) == SQLITE_ROW)
            report_add(c, (const char *)sqlite3_column_text(s, 0),
                       (const char *)sqlite3_column_text(s, 1),
                       (long)sqlite3_column_int64(s, 2));
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : -1;
}

sg_rc store_report_counts(sg_store *st, report_counts *c)
{
    store_conn *conn = store_reader(st);
    report_bounds b;
    int ok;

    if (!conn)
        return SG_EDB;
    bounds(c, &b);
    ok = sqlite3_exec(conn->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < sizeof report_sql / sizeof report_sql[0]; i++)
        ok = run_metric(conn->db, report_sql[i], &b, c) == 0;
    if (!ok)
        sg_error("store: counting a report: %s", sqlite3_errmsg(conn->db));
    sqlite3_exec(conn->db, "COMMIT", NULL, NULL, NULL);
    store_release(conn);
    return ok ? SG_OK : SG_EDB;
}

/* ---- one service ------------------------------------------------- */

static const char given_sql[] =
    "SELECT (SELECT count(*) FROM screenings s, json_each(s.resources) j"
    "        WHERE json_extract(j.value, '$[1]') = ?1)"
    " + (SELECT count(*) FROM referrals r JOIN screenings s ON s.id = r.screening_id"
    "    WHERE r.service_id = ?1 AND NOT EXISTS (SELECT 1 FROM json_each(s.resources) g"
    "    WHERE json_extract(g.value, '$[0]') = r.domain"
    "    AND json_extract(g.value, '$[1]') = r.service_id))";

static const char stages_sql[] =
    "SELECT count(*), coalesce(sum(x >= 1), 0), coalesce(sum(x >= 2), 0),"
    " coalesce(sum(x >= 3), 0), coalesce(sum(status = 'declined'), 0),"
    " coalesce(sum(status = 'unreachable'), 0)"
    " FROM (SELECT r.status, " RS_REACHED
    " AS x FROM referrals r WHERE r.service_id = ?1)";

static int read_row(sqlite3 *db, const char *sql, const char *id, long *out, int ncols)
{
    sqlite3_stmt *s = NULL;
    int ok = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        if ((ok = sqlite3_step(s) == SQLITE_ROW))
            for (int i = 0; i < ncols; i++)
                out[i] = (long)sqlite3_column_int64(s, i);
    }
    sqlite3_finalize(s);
    return ok;
}

sg_rc store_service_outcomes(sg_store *st, const char *service_id, report_outcomes *out)
{
    store_conn *conn = store_reader(st);
    long v[6];
    int ok;

    memset(out, 0, sizeof *out);
    if (!conn)
        return SG_EDB;
    ok = sqlite3_exec(conn->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
         read_row(conn->db, given_sql, service_id, &out->given, 1) &&
         read_row(conn->db, stages_sql, service_id, v, 6);
    if (ok) {
        out->referred = v[1];
        out->contacted = v[2];
        out->connected = v[3];
        out->declined = v[4];
        out->unreachable = v[5];
    } else {
        sg_error("store: counting a service's outcomes: %s", sqlite3_errmsg(conn->db));
    }
    sqlite3_exec(conn->db, "COMMIT", NULL, NULL, NULL);
    store_release(conn);
    return ok ? SG_OK : SG_EDB;
}
