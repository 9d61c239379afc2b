/*
 * What the staff console reads about submissions (referral_store.h): the
 * queue, and one submission with its receipts, consent and replies.
 *
 * The queue is one statement.  It narrows by time first through the
 * created_at index (local days are never more than a day away from UTC
 * ones, so a day's margin on each side is enough), then by local day and
 * the filters, sorts and cuts the page, and only then works out the
 * per-row figures (receipt, texts, assignees) for the rows it shows.  Its
 * status rule is queue_status_of() written in SQL, so that a status filter
 * and paging stay in the database; the unit tests hold the two together.
 * Local days come from SQLite's 'localtime', the process time zone, which
 * the daemon sets to the clinic's.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/log.h"
#include "signpost/referral_store.h"
#include "store_internal.h"

static int int_or(sqlite3_stmt *s, int col, int dflt)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? dflt : sqlite3_column_int(s, col);
}

/* ---- the queue --------------------------------------------------------------- */

#define STATUS_SQL                                                                       \
    "CASE WHEN nrows = 0 THEN 0 WHEN nres > 0 AND nclosed >= nres THEN 2 ELSE 1 END"
#define OPEN_SQL "('suggested', 'referred', 'contacted')"
#define CLOSED_SQL "('connected', 'declined', 'unreachable')"

static const char queue_sql[] =
    "WITH q AS ("
    " SELECT s.id, s.created_at, s.language, s.wants_help, s.domains,"
    "  CAST(strftime('%Y%m%d', s.created_at, 'localtime') AS INTEGER) AS day,"
    "  coalesce(s.wants_help, 0) AS help, json_array_length(s.resources) AS nres,"
    "  (SELECT count(*) FROM referrals r WHERE r.screening_id = s.id) AS nrows,"
    "  (SELECT count(*) FROM referrals r WHERE r.screening_id = s.id"
    "    AND r.status IN " CLOSED_SQL ") AS nclosed"
    " FROM screenings s WHERE s.created_at >= ?1 AND s.created_at < ?2"
    "), page AS MATERIALIZED ("
    " SELECT * FROM q WHERE day BETWEEN ?3 AND ?4"
    "  AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(q.domains) j"
    "   WHERE json_extract(j.value, '$[0]') = ?5 AND json_extract(j.value, '$[1]') = 1))"
    "  AND (?6 < 0 OR " STATUS_SQL " = ?6)"
    "  AND (?7 = 0"
    "   OR (?7 = 1 AND EXISTS (SELECT 1 FROM referrals r WHERE r.screening_id = q.id"
    "    AND r.assigned_to = ?8))"
    "   OR (?7 = 2 AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.screening_id = q.id"
    "    AND r.assigned_to IS NOT NULL)))"
    "  AND (?9 IS NULL OR (day, help, created_at, id) < (?9, ?10, ?11, ?12))"
    " ORDER BY day DESC, help DESC, created_at DESC, id DESC LIMIT ?13"
    ")"
    "SELECT p.id, p.created_at, p.language, p.wants_help, p.day, p.help, p.nres, p.nrows,"
    " p.nclosed,"
    " (SELECT json_group_array(json_extract(j.value, '$[0]')) FROM json_each(p.domains) j"
    "   WHERE json_extract(j.value, '$[1]') = 1),"
    " (SELECT json_group_array(json_extract(j.value, '$[0]')) FROM json_each(p.domains) j"
    "   WHERE json_extract(j.value, '$[3]') = 1),"
    " coalesce((SELECT status FROM print_jobs pj WHERE pj.screening_id = p.id"
    "   ORDER BY pj.created_at DESC, pj.rowid DESC LIMIT 1), 'none'),"
    " (SELECT count(*) FROM sms_outbox o WHERE o.screening_id = p.id"
    "   AND o.state = 'scheduled'),"
    " (SELECT count(*) FROM sms_outbox o WHERE o.screening_id = p.id"
    "   AND o.state IN ('sent', 'delivered')),"
    " (SELECT count(*) FROM sms_inbound i WHERE i.screening_id = p.id),"
    " (SELECT reply FROM sms_inbound i WHERE i.screening_id = p.id"
    "   ORDER BY i.received_at DESC, i.gateway_id DESC LIMIT 1),"
    " (SELECT group_concat(name, ',') FROM (SELECT DISTINCT u.username AS name"
    "   FROM referrals r JOIN staff_users u ON u.id = r.assigned_to"
    "   WHERE r.screening_id = p.id ORDER BY 1)),"
    " (SELECT min(r.next_follow_up) FROM referrals r WHERE r.screening_id = p.id"
    "   AND r.status IN " OPEN_SQL ")"
    " FROM page p ORDER BY p.day DESC, p.help DESC, p.created_at DESC, p.id DESC";

static void bind_queue(sqlite3_stmt *s, const queue_filter *f)
{
    char lo[REFERRAL_DATE_LEN], hi[REFERRAL_DATE_LEN];

    referral_date_format(referral_date_add(f->from, -1), lo);
    referral_date_format(referral_date_add(f->to, 2), hi);
    sqlite3_bind_text(s, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, f->from);
    sqlite3_bind_int(s, 4, f->to);
    if (f->need)
        sqlite3_bind_text(s, 5, f->need, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, f->status);
    sqlite3_bind_int(s, 7, (int)f->assigned);
    sqlite3_bind_int64(s, 8, f->assigned_id);
    if (f->after) {
        sqlite3_bind_int(s, 9, f->after->day);
        sqlite3_bind_int(s, 10, f->after->help);
        sqlite3_bind_text(s, 11, f->after->created_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 12, f->after->id, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int(s, 13, f->limit);
}

static void read_item(sqlite3_stmt *s, queue_item *it)
{
    memset(it, 0, sizeof *it);
    store_col_text(s, 0, it->id, sizeof it->id);
    store_col_text(s, 1, it->created_at, sizeof it->created_at);
    store_col_text(s, 2, it->language, sizeof it->language);
    it->wants_help = int_or(s, 3, -1);
    it->pos.day = sqlite3_column_int(s, 4);
    it->pos.help = sqlite3_column_int(s, 5);
    memcpy(it->pos.created_at, it->created_at, sizeof it->pos.created_at);
    memcpy(it->pos.id, it->id, sizeof it->pos.id);
    it->status = queue_status_of(sqlite3_column_int(s, 6), sqlite3_column_int(s, 7),
                                 sqlite3_column_int(s, 8));
    it->positive_json = (const char *)sqlite3_column_text(s, 9);
    it->help_json = (const char *)sqlite3_column_text(s, 10);
    store_col_text(s, 11, it->receipt, sizeof it->receipt);
    it->texts_scheduled = sqlite3_column_int(s, 12);
    it->texts_sent = sqlite3_column_int(s, 13);
    it->replies = sqlite3_column_int(s, 14);
    store_col_text(s, 15, it->last_reply, sizeof it->last_reply);
    store_col_text(s, 16, it->assigned, sizeof it->assigned);
    store_col_text(s, 17, it->follow_up_due, sizeof it->follow_up_due);
}

sg_rc store_queue_list(sg_store *st, const queue_filter *f,
                       int (*fn)(void *ctx, const queue_item *it), void *ctx)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    queue_item it;
    int step = SQLITE_ERROR;

    assert(f->limit > 0 && f->from <= f->to);
    if (sqlite3_prepare_v2(c->db, queue_sql, -1, &s, NULL) == SQLITE_OK) {
        bind_queue(s, f);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            read_item(s, &it);
            if (fn(ctx, &it)) {
                step = SQLITE_DONE;
                break;
            }
        }
    }
    if (step != SQLITE_DONE)
        sg_error("store: reading the queue: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}

/* ---- one submission ------------------------------------------------------------ */

static char *dup_col(sqlite3_stmt *s, int col)
{
    const unsigned char *v = sqlite3_column_text(s, col);
    return strdup(v ? (const char *)v : "[]");
}

static sg_rc read_submission(sqlite3_stmt *s, submission_row *r)
{
    store_col_text(s, 0, r->id, sizeof r->id);
    store_col_text(s, 1, r->created_at, sizeof r->created_at);
    store_col_text(s, 2, r->kiosk_id, sizeof r->kiosk_id);
    store_col_text(s, 3, r->instrument_id, sizeof r->instrument_id);
    store_col_text(s, 4, r->instrument_version, sizeof r->instrument_version);
    store_col_text(s, 5, r->language, sizeof r->language);
    store_col_text(s, 6, r->scoring_rule, sizeof r->scoring_rule);
    r->safety_score = int_or(s, 7, -1);
    r->safety_complete = sqlite3_column_int(s, 8);
    r->wants_help = int_or(s, 9, -1);
    r->answers_json = dup_col(s, 10);
    r->domains_json = dup_col(s, 11);
    r->resources_json = dup_col(s, 12);
    return r->answers_json && r->domains_json && r->resources_json ? SG_OK : SG_ENOMEM;
}

sg_rc store_submission_get(sg_store *st, const char *id, submission_row *out)
{
    static const char sql[] =
        "SELECT id, created_at, kiosk_id, instrument_id, instrument_version, language,"
        " scoring_rule, safety_score, safety_complete, wants_help, answers, domains,"
        " resources FROM screenings WHERE id = ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    int step;

    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        rc = step == SQLITE_ROW    ? read_submission(s, out)
             : step == SQLITE_DONE ? SG_ENOTFOUND
                                   : SG_EDB;
    }
    sqlite3_finalize(s);
    store_release(c);
    if (rc && rc != SG_ENOTFOUND)
        submission_row_clear(out);
    return rc;
}

void submission_row_clear(submission_row *r)
{
    free(r->answers_json);
    free(r->domains_json);
    free(r->resources_json);
    r->answers_json = r->domains_json = r->resources_json = NULL;
}

/*
 * Runs sql with the screening id as ?1 and limit as ?2, calling take for
 * each row until it returns non-zero.  The pattern every list below shares.
 */
static sg_rc each_row(sg_store *st, const char *sql, const char *id, int limit,
                      int (*take)(sqlite3_stmt *s, void *arg), void *arg)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW)
            if (take(s, arg)) {
                step = SQLITE_DONE;
                break;
            }
    }
    if (step != SQLITE_DONE)
        sg_error("store: reading a submission: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}

typedef struct {
    int (*fn)(void *ctx, const submission_print *p);
    void *ctx;
} print_cb;

static int take_print(sqlite3_stmt *s, void *arg)
{
    print_cb *cb = arg;
    submission_print p;

    store_col_text(s, 0, p.job_id, sizeof p.job_id);
    store_col_text(s, 1, p.status, sizeof p.status);
    store_col_text(s, 2, p.created_at, sizeof p.created_at);
    p.attempts = sqlite3_column_int(s, 3);
    store_col_text(s, 4, p.error, sizeof p.error);
    return cb->fn(cb->ctx, &p);
}

sg_rc store_submission_prints(sg_store *st, const char *id, int limit,
                              int (*fn)(void *ctx, const submission_print *p), void *ctx)
{
    static const char sql[] =
        "SELECT id, status, created_at, attempts, error FROM print_jobs"
        " WHERE screening_id = ?1 ORDER BY created_at DESC, rowid DESC"
        " LIMIT ?2";
    print_cb cb = {fn, ctx};
    return each_row(st, sql, id, limit, take_print, &cb);
}

typedef struct {
    int (*fn)(void *ctx, time_t at, const char *reply);
    void *ctx;
} reply_cb;

static int take_reply(sqlite3_stmt *s, void *arg)
{
    reply_cb *cb = arg;
    const unsigned char *reply = sqlite3_column_text(s, 1);
    return cb->fn(cb->ctx, (time_t)sqlite3_column_int64(s, 0),
                  reply ? (const char *)reply : "other");
}

sg_rc store_submission_replies(sg_store *st, const char *id, int limit,
                               int (*fn)(void *ctx, time_t at, const char *reply),
                               void *ctx)
{
    /* The newest `limit`, shown oldest first like the rest of the timeline. */
    static const char sql[] =
        "SELECT received_at, reply FROM (SELECT received_at, reply, gateway_id"
        " FROM sms_inbound WHERE screening_id = ?1"
        " ORDER BY received_at DESC, gateway_id DESC LIMIT ?2)"
        " ORDER BY received_at, gateway_id";
    reply_cb cb = {fn, ctx};
    return each_row(st, sql, id, limit, take_reply, &cb);
}

static int take_consent(sqlite3_stmt *s, void *arg)
{
    submission_consent *out = arg;
    out->at = (time_t)sqlite3_column_int64(s, 0);
    store_col_text(s, 1, out->language, sizeof out->language);
    store_col_text(s, 2, out->version, sizeof out->version);
    return 1;
}

sg_rc store_submission_consent(sg_store *st, const char *id, submission_consent *out)
{
    static const char sql[] = "SELECT consented_at, language, consent_version"
                              " FROM sms_contacts WHERE screening_id = ?1 LIMIT ?2";
    sg_rc rc;

    memset(out, 0, sizeof *out);
    out->at = (time_t)-1;
    rc = each_row(st, sql, id, 1, take_consent, out);
    return rc ? rc : out->at == (time_t)-1 ? SG_ENOTFOUND : SG_OK;
}
