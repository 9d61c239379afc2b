/*
 * The SMS outbox in the store (see sms_store.h): consents, queueing,
 * claiming and ending attempts, crash recovery and expiry.  Every state
 * move is one committed transaction on the writer connection, and each
 * UPDATE names the state it moves from, so a move that lost a race (a STOP
 * cancelled the row meanwhile) changes nothing instead of undoing it.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/sms_store.h"
#include "sms_store_internal.h"

static const char *const state_names[] = {"scheduled", "sending", "sent", "delivered",
                                          "failed", "unknown", "expired", "cancelled"};
static const char *const kind_names[] = {"reminder", "list", "help", "stop_confirm",
                                         "start_confirm"};

const char *outbox_state_name(outbox_state s)
{
    return s <= OUT_CANCELLED ? state_names[s] : "unknown";
}

const char *outbox_kind_name(outbox_kind k)
{
    return k <= OUTK_START_CONFIRM ? kind_names[k] : "reminder";
}

static int parse_name(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (s && strcmp(s, names[i]) == 0)
            return i;
    return 0;
}

void outbox_row_clear(outbox_row *r)
{
    if (!r)
        return;
    free(r->phone_box);
    free(r->body_box);
    memset(r, 0, sizeof *r);
}

static unsigned char *copy_blob(sqlite3_stmt *s, int col, size_t *len)
{
    int n = sqlite3_column_bytes(s, col);
    unsigned char *p = n > 0 ? malloc((size_t)n) : NULL;
    *len = 0;
    if (p) {
        memcpy(p, sqlite3_column_blob(s, col), (size_t)n);
        *len = (size_t)n;
    }
    return p;
}

void sms_read_row(sqlite3_stmt *s, outbox_row *r, int boxes)
{
    const char *t;
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(s, 0));
    t = (const char *)sqlite3_column_text(s, 1);
    snprintf(r->screening_id, sizeof r->screening_id, "%s", t ? t : "");
    snprintf(r->phone_hash, sizeof r->phone_hash, "%s", (const char *)sqlite3_column_text(s, 2));
    r->kind = (outbox_kind)parse_name((const char *)sqlite3_column_text(s, 3), kind_names, 5);
    r->state = (outbox_state)parse_name((const char *)sqlite3_column_text(s, 4), state_names, 8);
    r->due_at = (time_t)sqlite3_column_int64(s, 5);
    r->expires_at = (time_t)sqlite3_column_int64(s, 6);
    r->attempts = sqlite3_column_int(s, 7);
    t = (const char *)sqlite3_column_text(s, 8);
    snprintf(r->gateway_id, sizeof r->gateway_id, "%s", t ? t : "");
    t = (const char *)sqlite3_column_text(s, 9);
    snprintf(r->error, sizeof r->error, "%s", t ? t : "");
    r->sent_at = (time_t)sqlite3_column_int64(s, 10);
    r->created_at = (time_t)sqlite3_column_int64(s, 11);
    r->updated_at = (time_t)sqlite3_column_int64(s, 12);
    if (boxes) {
        r->phone_box = copy_blob(s, 13, &r->phone_box_len);
        r->body_box = copy_blob(s, 14, &r->body_box_len);
    }
}

int sms_insert_row(sqlite3 *db, const outbox_new *o, time_t now)
{
    static const char sql[] =
        "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box,"
        " state, due_at, expires_at, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)";
    return store_run(db, sql, "tttbtbIIII", o->id, o->screening_id, o->phone_hash,
                     o->phone_box, o->phone_box_len, outbox_kind_name(o->kind), o->body_box,
                     o->body_box_len, o->due_at, o->expires_at, now, now) == 1;
}

/* Runs sql with one text parameter; returns the first column of the first
 * row (0 when none), or -1 on error. */
long sms_query_long(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
        int step = sqlite3_step(s);
        v = step == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : step == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(s);
    return v;
}

static int insert_contact(sqlite3 *db, const sms_contact_new *c)
{
    static const char sql[] =
        "INSERT INTO sms_contacts(screening_id, phone_hash, phone_box, language,"
        " consent_version, consented_at, reminders, list) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    return store_run(db, sql, "ttbttIii", c->screening_id, c->phone_hash, c->phone_box,
                     c->phone_box_len, c->language, c->consent_version, c->consented_at,
                     c->reminders ? 1 : 0, c->list ? 1 : 0) == 1;
}

/* Why a consent cannot be stored, or SG_OK; checked inside the transaction. */
static sg_rc subscribe_check(sqlite3 *db, const sms_contact_new *c)
{
    long v = sms_query_long(db, "SELECT count(*) FROM screenings WHERE id = ?", c->screening_id);
    if (v < 0)
        return SG_EDB;
    if (v == 0)
        return SG_ENOTFOUND;
    v = sms_query_long(db, "SELECT count(*) FROM sms_contacts WHERE screening_id = ?",
                       c->screening_id);
    if (v != 0)
        return v < 0 ? SG_EDB : SG_EBUSY;
    v = sms_query_long(db, "SELECT count(*) FROM sms_optouts WHERE phone_hash = ?",
                       c->phone_hash);
    if (v != 0)
        return v < 0 ? SG_EDB : SG_EAUTH;
    return SG_OK;
}

sg_rc store_sms_subscribe(sg_store *st, const sms_contact_new *c, const outbox_new *rows,
                          int n)
{
    sqlite3 *db = store_write_begin(st);
    sg_rc rc;
    int ok;

    if (!db)
        return SG_EDB;
    rc = subscribe_check(db, c);
    ok = rc == SG_OK && insert_contact(db, c);
    for (int i = 0; ok && i < n; i++)
        ok = sms_insert_row(db, &rows[i], c->consented_at);
    if (rc) {
        store_write_end(st, 0, "storing a text consent");
        return rc;
    }
    return store_write_end(st, ok, "storing a text consent");
}

sg_rc store_sms_queue(sg_store *st, const outbox_new *row)
{
    sqlite3 *db = store_write_begin(st);
    if (!db)
        return SG_EDB;
    return store_write_end(st, sms_insert_row(db, row, time(NULL)), "queueing a text");
}

int store_sms_opted_out(sg_store *st, const char *phone_hash)
{
    store_conn *c = store_reader(st);
    long v = sms_query_long(c->db, "SELECT count(*) FROM sms_optouts WHERE phone_hash = ?",
                            phone_hash);
    store_release(c);
    return v < 0 ? -1 : v > 0;
}

sg_rc store_sms_taken(sg_store *st, const char *phone_hash, time_t from, time_t to,
                      time_t *out, int max, int *n)
{
    static const char sql[] =
        "SELECT coalesce(sent_at, due_at) FROM sms_outbox WHERE phone_hash = ?"
        " AND kind = 'reminder' AND due_at >= ? AND due_at < ?"
        " AND state IN ('scheduled', 'sending', 'sent', 'delivered', 'unknown')"
        " ORDER BY due_at LIMIT ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    int step = SQLITE_ERROR;

    *n = 0;
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, phone_hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)from);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)to);
        sqlite3_bind_int(s, 4, max);
        while ((step = sqlite3_step(s)) == SQLITE_ROW)
            out[(*n)++] = (time_t)sqlite3_column_int64(s, 0);
        rc = step == SQLITE_DONE ? SG_OK : SG_EDB;
    }
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

static int add_attempt(sqlite3 *db, const outbox_row *r, time_t now)
{
    static const char sql[] =
        "INSERT INTO sms_attempts(outbox_id, n, started_at) VALUES (?1,"
        " (SELECT coalesce(max(n), 0) + 1 FROM sms_attempts WHERE outbox_id = ?1), ?2)";
    return store_run(db, sql, "tI", r->id, now) == 1;
}

sg_rc store_sms_claim(sg_store *st, time_t now, outbox_row *row)
{
    static const char sql[] =
        "UPDATE sms_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?1"
        " WHERE id = (SELECT id FROM sms_outbox o WHERE state = 'scheduled' AND due_at <= ?1"
        "   AND (kind = 'stop_confirm' OR NOT EXISTS"
        "     (SELECT 1 FROM sms_optouts x WHERE x.phone_hash = o.phone_hash))"
        "   ORDER BY due_at LIMIT 1)"
        " RETURNING " OUTBOX_COLUMNS ", phone_box, body_box";
    sqlite3 *db = store_write_begin(st);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_ERROR, ok;

    if (!db)
        return SG_EDB;
    ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW)
            sms_read_row(s, row, 1);
        ok = step == SQLITE_ROW ? sqlite3_step(s) == SQLITE_DONE : step == SQLITE_DONE;
    }
    sqlite3_finalize(s);
    if (ok && step == SQLITE_ROW)
        ok = row->phone_box && row->body_box && add_attempt(db, row, now);
    if (store_write_end(st, ok, "claiming a text")) {
        if (step == SQLITE_ROW)
            outbox_row_clear(row);
        return SG_EDB;
    }
    return step == SQLITE_ROW ? SG_OK : SG_ENOTFOUND;
}

sg_rc store_sms_next_due(sg_store *st, time_t *due)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;

    /* The same rows store_sms_claim() would take; min() walks the partial
     * index from its start, so rows due next month are never read. */
    if (sqlite3_prepare_v2(c->db, "SELECT min(due_at) FROM sms_outbox o"
                                  " WHERE state = 'scheduled' AND (kind = 'stop_confirm' OR"
                                  " NOT EXISTS (SELECT 1 FROM sms_optouts x"
                                  " WHERE x.phone_hash = o.phone_hash))",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        rc = sqlite3_column_type(s, 0) == SQLITE_NULL ? SG_ENOTFOUND : SG_OK;
        *due = (time_t)sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}
