/*
 * Replies from patients (see sms_store.h): each is stored once, keyed by
 * the gateway's message id because gateways redeliver, and what it asks
 * for (opt out, opt back in, an outcome) happens in the same transaction,
 * so a STOP can never be half-applied.  Also the listings the command line
 * and the staff console read.
 */
#include <stdlib.h>
#include <string.h>

#include "sms_store_internal.h"

sg_rc store_sms_contact(sg_store *st, const char *phone_hash, sms_contact_ref *out)
{
    static const char sql[] = "SELECT screening_id, language FROM sms_contacts"
                              " WHERE phone_hash = ? ORDER BY consented_at DESC LIMIT 1";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;

    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, phone_hash, -1, SQLITE_STATIC);
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            snprintf(out->screening_id, sizeof out->screening_id, "%s",
                     (const char *)sqlite3_column_text(s, 0));
            snprintf(out->language, sizeof out->language, "%s",
                     (const char *)sqlite3_column_text(s, 1));
        }
        rc = step == SQLITE_ROW ? SG_OK : step == SQLITE_DONE ? SG_ENOTFOUND : SG_EDB;
    }
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

long store_sms_since_last(sg_store *st, const char *phone_hash, outbox_kind kind, time_t now)
{
    static const char sql[] = "SELECT max(created_at) FROM sms_outbox"
                              " WHERE phone_hash = ? AND kind = ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    long v = -1;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, phone_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, outbox_kind_name(kind), -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
            v = (long)(now - (time_t)sqlite3_column_int64(s, 0));
    }
    sqlite3_finalize(s);
    store_release(c);
    return v;
}

/* Inserts the reply; 1 when new, 0 when a redelivery, -1 on error. */
static int insert_reply(sqlite3 *db, const sms_inbound_rec *in)
{
    static const char sql[] =
        "INSERT INTO sms_inbound(gateway_id, phone_hash, screening_id, received_at, reply,"
        " body_box) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    return store_run(db, sql, "tttItb", in->gateway_id, in->phone_hash, in->screening_id,
                     in->received_at, sms_reply_name(in->reply), in->body_box,
                     in->body_box_len);
}

static int set_outcome(sqlite3 *db, const sms_inbound_rec *in, const char *outcome)
{
    static const char sql[] = "UPDATE sms_contacts SET outcome = ?, outcome_at = ?"
                              " WHERE screening_id = ?";

    if (!in->screening_id || !in->screening_id[0])
        return 1; /* a number with no consent here: stored for staff only */
    if (store_run(db, sql, "tIt", outcome, in->received_at, in->screening_id) < 0 ||
        !referral_sms_apply(db, in->screening_id, in->reply, in->received_at, in->today))
        return 0;
    /* "Yes, I connected": the later check-ins would only bother them. */
    return strcmp(outcome, "connected") != 0 ||
           sms_cancel(db, "screening_id", in->screening_id,
                      "cancelled: the patient said they connected", in->received_at);
}

/* Does what the reply asks; 1 on success. */
static int apply_reply(sqlite3 *db, const sms_inbound_rec *in, const outbox_new *answer)
{
    time_t now = in->received_at;
    int r;

    switch (in->reply) {
    case REPLY_STOP:
        r = sms_opt_out(db, in->phone_hash, "reply", now);
        /* Only the first STOP is confirmed: one confirmation text is allowed. */
        return r >= 0 && (r == 0 || !answer || sms_insert_row(db, answer, now));
    case REPLY_START:
        r = store_run(db, "DELETE FROM sms_optouts WHERE phone_hash = ?", "t", in->phone_hash);
        return r >= 0 && (!answer || sms_insert_row(db, answer, now));
    case REPLY_HELP:
        return !answer || sms_insert_row(db, answer, now);
    case REPLY_CONNECTED:
        return set_outcome(db, in, "connected");
    case REPLY_NOT_YET:
        return set_outcome(db, in, "not_yet");
    case REPLY_NEED_HELP:
        return set_outcome(db, in, "need_help");
    case REPLY_OTHER:
        break;
    }
    return 1;
}

sg_rc store_sms_reply(sg_store *st, const sms_inbound_rec *in, const outbox_new *answer,
                      int *duplicate)
{
    sqlite3 *db = store_write_begin(st);
    int fresh, ok;

    *duplicate = 0;
    if (!db)
        return SG_EDB;
    fresh = insert_reply(db, in);
    ok = fresh > 0 ? apply_reply(db, in, answer) : fresh == 0;
    *duplicate = fresh == 0;
    return store_write_end(st, ok, "storing a reply");
}

sg_rc store_sms_list(sg_store *st, const char *screening_id, int limit,
                     int (*fn)(void *ctx, const outbox_row *row), void *ctx)
{
    static const char sql[] = "SELECT " OUTBOX_COLUMNS " FROM sms_outbox"
                              " WHERE ?1 IS NULL OR screening_id = ?1"
                              " ORDER BY created_at DESC, due_at DESC LIMIT ?2";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    outbox_row row;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, screening_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            sms_read_row(s, &row, 0);
            if (fn(ctx, &row)) {
                step = SQLITE_DONE;
                break;
            }
        }
    }
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}

static sms_reply parse_reply(const char *name)
{
    for (int r = REPLY_OTHER; r <= REPLY_NEED_HELP; r++)
        if (name && strcmp(name, sms_reply_name((sms_reply)r)) == 0)
            return (sms_reply)r;
    return REPLY_OTHER;
}

sg_rc store_sms_replies(sg_store *st, int limit,
                        int (*fn)(void *ctx, const sms_reply_row *r), void *ctx)
{
    static const char sql[] = "SELECT gateway_id, screening_id, phone_hash, received_at, reply"
                              " FROM sms_inbound ORDER BY received_at DESC LIMIT ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sms_reply_row r;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int(s, 1, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            const char *sid = (const char *)sqlite3_column_text(s, 1);
            memset(&r, 0, sizeof r);
            snprintf(r.gateway_id, sizeof r.gateway_id, "%s", sqlite3_column_text(s, 0));
            snprintf(r.screening_id, sizeof r.screening_id, "%s", sid ? sid : "");
            snprintf(r.phone_hash, sizeof r.phone_hash, "%s", sqlite3_column_text(s, 2));
            r.received_at = (time_t)sqlite3_column_int64(s, 3);
            r.reply = parse_reply((const char *)sqlite3_column_text(s, 4));
            if (fn(ctx, &r)) {
                step = SQLITE_DONE;
                break;
            }
        }
    }
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}

sg_rc store_sms_optouts(sg_store *st, int limit,
                        int (*fn)(void *ctx, const char *phone_hash, time_t at,
                                  const char *via),
                        void *ctx)
{
    static const char sql[] = "SELECT phone_hash, opted_out_at, via FROM sms_optouts"
                              " ORDER BY opted_out_at DESC LIMIT ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int(s, 1, limit);
        while ((step = sqlite3_step(s)) == SQLITE_ROW)
            if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
                   (time_t)sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 2))) {
                step = SQLITE_DONE;
                break;
            }
    }
    sqlite3_finalize(s);
    store_release(c);
    return step == SQLITE_DONE ? SG_OK : SG_EDB;
}

sg_rc store_sms_phone_box(sg_store *st, const char *phone_hash, unsigned char **box,
                          size_t *len)
{
    static const char sql[] = "SELECT phone_box FROM sms_outbox WHERE phone_hash = ?"
                              " ORDER BY created_at DESC LIMIT 1";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;

    *box = NULL;
    *len = 0;
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, phone_hash, -1, SQLITE_STATIC);
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW && sqlite3_column_bytes(s, 0) > 0) {
            *len = (size_t)sqlite3_column_bytes(s, 0);
            *box = malloc(*len);
            rc = *box ? SG_OK : SG_ENOMEM;
            if (*box)
                memcpy(*box, sqlite3_column_blob(s, 0), *len);
        } else {
            rc = step == SQLITE_ERROR ? SG_EDB : SG_ENOTFOUND;
        }
    }
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

sg_rc store_sms_sealed_count(sg_store *st, long *n)
{
    store_conn *c = store_reader(st);
    *n = sms_query_long(c->db,
                        "SELECT (SELECT count(*) FROM sms_contacts) +"
                        " (SELECT count(*) FROM sms_outbox) + (SELECT count(*) FROM sms_inbound)"
                        " WHERE ? IS NULL",
                        NULL);
    store_release(c);
    return *n < 0 ? SG_EDB : SG_OK;
}
