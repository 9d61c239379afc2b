/*
 * Closed-loop referrals in the store (referral_store.h): reading a
 * submission's referral rows and their history, staff changes, a patient's
 * text reply, and the follow-up lists.
 *
 * A referral row exists only once something happened to it; until then the
 * resource the kiosk gave is "suggested" by definition.  Every change is
 * one transaction that writes the row, its referral_events row and (for
 * staff) the audit row together, so the history can never disagree with
 * the row or the audit log.  The history is only ever appended to.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/log.h"
#include "signpost/referral_store.h"
#include "staff_internal.h"

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
#define OPEN_SQL "('suggested', 'referred', 'contacted')"
#define ROWS_MAX 256 /* referrals of one submission: a few per need */

static void format_time(time_t t, char out[REFERRAL_TIME_LEN])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, REFERRAL_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- reading ------------------------------------------------------------------ */

static void read_row(sqlite3_stmt *s, referral_row *r)
{
    char status[16];

    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, r->domain, sizeof r->domain);
    store_col_text(s, 2, r->service_id, sizeof r->service_id);
    store_col_text(s, 3, status, sizeof status);
    r->status = (referral_status)referral_status_parse(status);
    assert((int)r->status >= 0); /* the schema's CHECK holds it to the set */
    store_col_text(s, 4, r->assigned_to, sizeof r->assigned_to);
    store_col_text(s, 5, r->next_follow_up, sizeof r->next_follow_up);
    store_col_text(s, 6, r->updated_at, sizeof r->updated_at);
    store_col_text(s, 7, r->updated_by, sizeof r->updated_by);
}

static void read_event(sqlite3_stmt *s, referral_event *e)
{
    const unsigned char *src = sqlite3_column_text(s, 2);

    memset(e, 0, sizeof *e);
    e->referral_id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, e->at, sizeof e->at);
    e->from_sms = src && !strcmp((const char *)src, "sms");
    store_col_text(s, 3, e->username, sizeof e->username);
    store_col_text(s, 4, e->status, sizeof e->status);
    store_col_text(s, 5, e->note, sizeof e->note);
}

/* Grows *arr (of size elements, *cap of them) to hold one more; 0 on success. */
static int grow(void **arr, size_t *cap, size_t n, size_t size, size_t max)
{
    size_t want;
    void *p;

    if (n < *cap)
        return 0;
    want = *cap ? *cap * 2 : 8;
    if (want > max)
        want = max;
    if (n >= want || !(p = realloc(*arr, want * size)))
        return -1;
    *arr = p;
    *cap = want;
    return 0;
}

static int load_rows(sqlite3 *db, const char *id, referral_set *out)
{
    static const char sql[] =
        "SELECT r.id, r.domain, r.service_id, r.status, u.username, r.next_follow_up,"
        " r.updated_at, r.updated_by FROM referrals r"
        " LEFT JOIN staff_users u ON u.id = r.assigned_to"
        " WHERE r.screening_id = ? ORDER BY r.id";
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            void *p = out->rows;
            if (grow(&p, &cap, out->nrows, sizeof *out->rows, ROWS_MAX))
                break;
            out->rows = p;
            read_row(s, &out->rows[out->nrows++]);
        }
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : -1;
}

static int load_events(sqlite3 *db, const char *id, referral_set *out)
{
    /* The newest REFERRAL_EVENTS_MAX, then turned oldest first. */
    static const char sql[] =
        "SELECT e.referral_id, e.at, e.source, e.username, e.status, e.note"
        " FROM referral_events e JOIN referrals r ON r.id = e.referral_id"
        " WHERE r.screening_id = ? ORDER BY e.id DESC LIMIT ?";
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, REFERRAL_EVENTS_MAX);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            void *p = out->events;
            if (grow(&p, &cap, out->nevents, sizeof *out->events, REFERRAL_EVENTS_MAX))
                break;
            out->events = p;
            read_event(s, &out->events[out->nevents++]);
        }
    }
    sqlite3_finalize(s);
    for (size_t i = 0, j = out->nevents; j > i + 1; i++, j--) {
        referral_event t = out->events[i];
        out->events[i] = out->events[j - 1];
        out->events[j - 1] = t;
    }
    return step == SQLITE_DONE ? 0 : -1;
}

sg_rc store_referrals_load(sg_store *st, const char *screening_id, referral_set *out)
{
    store_conn *c = store_reader(st);
    int failed;

    memset(out, 0, sizeof *out);
    /* One read transaction, so rows and events are of the same moment. */
    failed = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
             load_rows(c->db, screening_id, out) || load_events(c->db, screening_id, out);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (failed)
        sg_error("store: reading referrals: %s", sqlite3_errmsg(c->db));
    store_release(c);
    if (failed)
        referral_set_free(out);
    return failed ? SG_EDB : SG_OK;
}

void referral_set_free(referral_set *s)
{
    free(s->rows);
    free(s->events);
    memset(s, 0, sizeof *s);
}

/* ---- staff changes ---------------------------------------------------------------- */

/* First column of the first row as an integer: 1 with *v set, 0 when there
 * is no row (or it is NULL), -1 on error. */
static int query_int64(sqlite3 *db, const char *sql, const char *types, const char *a,
                       const char *b, const char *c, long long *v)
{
    sqlite3_stmt *s = NULL;
    const char *args[3] = {a, b, c};
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        for (int i = 0; types[i] && i < 3; i++)
            sqlite3_bind_text(s, i + 1, args[i], -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
            *v = sqlite3_column_int64(s, 0);
        else if (step == SQLITE_ROW)
            step = SQLITE_DONE;
    }
    sqlite3_finalize(s);
    return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* Checks what the change names; SG_OK, or what to answer with *field set. */
static sg_rc check_change(sqlite3 *db, const referral_change *c, long long *assignee,
                          const char **field)
{
    static const char screening_sql[] = "SELECT 1 FROM screenings WHERE id = ?";
    static const char given_sql[] =
        "SELECT 1 FROM screenings s, json_each(s.resources) j WHERE s.id = ?1"
        " AND json_extract(j.value, '$[0]') = ?2 AND json_extract(j.value, '$[1]') = ?3";
    static const char user_sql[] =
        "SELECT id FROM staff_users WHERE username = ? AND disabled = 0";
    long long v = 0;
    int r;

    *assignee = 0;
    if ((r = query_int64(db, screening_sql, "t", c->screening_id, NULL, NULL, &v)) <= 0)
        return r < 0 ? SG_EDB : SG_ENOTFOUND;
    if ((r = query_int64(db, given_sql, "ttt", c->screening_id, c->domain, c->service_id,
                         &v)) <= 0) {
        *field = "service_id";
        return r < 0 ? SG_EDB : SG_EINVAL;
    }
    if (c->set_assigned && c->assigned_to &&
        (r = query_int64(db, user_sql, "t", c->assigned_to, NULL, NULL, assignee)) <= 0) {
        *field = "assigned_to";
        return r < 0 ? SG_EDB : SG_EINVAL;
    }
    return SG_OK;
}

static int upsert(sqlite3 *db, const referral_change *c, long long assignee)
{
    static const char sql[] =
        "INSERT INTO referrals(screening_id, domain, service_id, status, assigned_to,"
        " next_follow_up, updated_at, updated_by)"
        " VALUES (?1, ?2, ?3, coalesce(?4, 'suggested'), NULLIF(?5, 0), ?7, " NOW_SQL
        ", ?9)"
        " ON CONFLICT(screening_id, domain, service_id) DO UPDATE SET"
        "  status = coalesce(?4, status),"
        "  assigned_to = CASE WHEN ?6 THEN excluded.assigned_to ELSE assigned_to END,"
        "  next_follow_up = CASE WHEN ?8 THEN excluded.next_follow_up ELSE "
        "next_follow_up END,"
        "  updated_at = excluded.updated_at, updated_by = excluded.updated_by";
    const char *status =
        c->status >= 0 ? referral_status_name((referral_status)c->status) : NULL;

    return store_run(db, sql, "ttttIitit", c->screening_id, c->domain, c->service_id,
                     status, (time_t)assignee, c->set_assigned,
                     c->set_follow_up ? c->next_follow_up : NULL, c->set_follow_up,
                     c->username) == 1
               ? 0
               : -1;
}

static int add_staff_event(sqlite3 *db, const referral_change *c)
{
    static const char sql[] =
        "INSERT INTO referral_events(referral_id, at, source, username, status, note)"
        " SELECT id, " NOW_SQL ", 'staff', ?4, ?5, coalesce(?6, '') FROM referrals"
        " WHERE screening_id = ?1 AND domain = ?2 AND service_id = ?3";
    const char *status =
        c->status >= 0 ? referral_status_name((referral_status)c->status) : NULL;

    return store_run(db, sql, "tttttt", c->screening_id, c->domain, c->service_id,
                     c->username, status, c->note) == 1
               ? 0
               : -1;
}

sg_rc store_referral_update(sg_store *st, const referral_change *c, const char **field)
{
    sqlite3 *db = store_write_begin(st);
    long long assignee;
    sg_rc rc;
    int ok;

    assert(c->status < REF_NSTATUS && c->username);
    if (!db)
        return SG_EDB;
    if ((rc = check_change(db, c, &assignee, field))) {
        store_write_end(st, 0, "changing a referral");
        return rc;
    }
    ok = upsert(db, c, assignee) == 0 && add_staff_event(db, c) == 0 &&
         (!c->audit || audit_insert(db, c->audit) == 0);
    return store_write_end(st, ok, "changing a referral");
}

/* ---- a patient's reply ----------------------------------------------------------------
 */

/* Every resource the screening gave gets its row (as suggested) if it has none. */
static int create_missing(sqlite3 *db, const char *id, const char *at)
{
    static const char sql[] =
        "INSERT INTO referrals(screening_id, domain, service_id, status, updated_at,"
        " updated_by) SELECT s.id, json_extract(j.value, '$[0]'),"
        " json_extract(j.value, '$[1]'), 'suggested', ?2, 'sms'"
        " FROM screenings s, json_each(s.resources) j WHERE s.id = ?1"
        " ON CONFLICT(screening_id, domain, service_id) DO NOTHING";
    return store_run(db, sql, "tt", id, at) >= 0 ? 0 : -1;
}

static int apply_reply(sqlite3 *db, const char *id, const char *at, const char *status,
                       const char *follow_up, const char *note)
{
    /* The events first: afterwards a row made connected is no longer open. */
    static const char events_sql[] =
        "INSERT INTO referral_events(referral_id, at, source, username, status, note)"
        " SELECT id, ?2, 'sms', NULL, ?3, ?4 FROM referrals"
        " WHERE screening_id = ?1 AND status IN " OPEN_SQL;
    static const char rows_sql[] = "UPDATE referrals SET status = coalesce(?3, status),"
                                   " next_follow_up = coalesce(?4, next_follow_up), "
                                   "updated_at = ?2, updated_by = 'sms'"
                                   " WHERE screening_id = ?1 AND status IN " OPEN_SQL;

    return store_run(db, events_sql, "tttt", id, at, status, note) >= 0 &&
                   store_run(db, rows_sql, "tttt", id, at, status, follow_up) >= 0
               ? 0
               : -1;
}

int referral_sms_apply(sqlite3 *db, const char *screening_id, sms_reply reply, time_t at,
                       int today)
{
    const char *status = NULL, *note;
    char when[REFERRAL_TIME_LEN], day[REFERRAL_DATE_LEN];

    switch (reply) {
    case REPLY_CONNECTED:
        status = "connected";
        note = "Patient replied 1 (yes)";
        break;
    case REPLY_NOT_YET:
        note = "Patient replied 2 (not yet)";
        break;
    case REPLY_NEED_HELP:
        note = "Patient replied 3 (more help)";
        break;
    default:
        return 1;
    }
    format_time(at, when);
    referral_date_format(today, day);
    return create_missing(db, screening_id, when) == 0 &&
           apply_reply(db, screening_id, when, status, status ? NULL : day, note) == 0;
}

sg_rc store_referral_sms_reply(sg_store *st, const char *screening_id, sms_reply reply,
                               time_t at, int today)
{
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    return store_write_end(st, referral_sms_apply(db, screening_id, reply, at, today),
                           "applying a reply to referrals");
}

/* ---- follow-up lists
 * -------------------------------------------------------------------- */

static void read_followup(sqlite3_stmt *s, followup_item *it)
{
    char status[16];

    memset(it, 0, sizeof *it);
    store_col_text(s, 0, it->screening_id, sizeof it->screening_id);
    store_col_text(s, 1, it->created_at, sizeof it->created_at);
    store_col_text(s, 2, it->domain, sizeof it->domain);
    store_col_text(s, 3, it->service_id, sizeof it->service_id);
    store_col_text(s, 4, status, sizeof status);
    it->status = (referral_status)referral_status_parse(status);
    store_col_text(s, 5, it->assigned_to, sizeof it->assigned_to);
    store_col_text(s, 6, it->next_follow_up, sizeof it->next_follow_up);
}

sg_rc store_followup_due(sg_store *st, int today, int overdue, int limit,
                         int (*fn)(void *ctx, const followup_item *it), void *ctx)
{
    /* The status test repeats the partial index's, so the index serves it. */
    static const char sql[] =
        "SELECT r.screening_id, s.created_at, r.domain, r.service_id, r.status, "
        "u.username,"
        " r.next_follow_up FROM referrals r JOIN screenings s ON s.id = r.screening_id"
        " LEFT JOIN staff_users u ON u.id = r.assigned_to"
        " WHERE r.status IN " OPEN_SQL " AND r.next_follow_up IS NOT NULL"
        " AND ((?2 = 0 AND r.next_follow_up = ?1) OR (?2 = 1 AND r.next_follow_up < ?1))"
        " ORDER BY r.next_follow_up, s.created_at, r.id LIMIT ?3";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    char day[REFERRAL_DATE_LEN];
    followup_item it;
    int step = SQLITE_ERROR;

    referral_date_format(today, day);
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, overdue != 0);
        sqlite3_bind_int(s, 3, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            read_followup(s, &it);
            if (fn(ctx, &it)) {
                step = SQLITE_DONE;
                break;
            }
        }
    }
    if (step != SQLITE_DONE)
        sg_error("store: reading follow-ups: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}

sg_rc store_followup_no_answer(sg_store *st, time_t now, int limit,
                               int (*fn)(void *ctx, const char *screening_id,
                                         const char *kind, time_t sent_at),
                               void *ctx)
{
    static const char sql[] =
        "WITH last AS (SELECT screening_id, max(sent_at) AS sent_at FROM sms_outbox"
        "  WHERE kind = 'reminder' AND state IN ('sent', 'delivered')"
        "  AND screening_id IS NOT NULL AND sent_at >= ?1 GROUP BY screening_id)"
        " SELECT l.screening_id, 'reminder', l.sent_at FROM last l WHERE l.sent_at <= ?2"
        " AND NOT EXISTS (SELECT 1 FROM sms_inbound i WHERE i.screening_id = "
        "l.screening_id"
        "  AND i.received_at >= l.sent_at)"
        " ORDER BY l.sent_at DESC, l.screening_id LIMIT ?3";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)(now - NO_ANSWER_WINDOW_S));
        sqlite3_bind_int64(s, 2, (sqlite3_int64)(now - NO_ANSWER_AFTER_S));
        sqlite3_bind_int(s, 3, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW)
            if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
                   (const char *)sqlite3_column_text(s, 1),
                   (time_t)sqlite3_column_int64(s, 2))) {
                step = SQLITE_DONE;
                break;
            }
    }
    if (step != SQLITE_DONE)
        sg_error("store: reading unanswered texts: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}
