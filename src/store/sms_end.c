/*
 * How texts leave the "sending" state (see sms_store.h): the end of an
 * attempt, crash recovery, expiry, reconciliation listings, carrier
 * opt-outs and delivery reports.  Each function is one transaction, and
 * each UPDATE names the states it may move from, so a late or repeated
 * report can never move a row backwards.
 */
#include <stdlib.h>
#include <string.h>

#include "sms_store_internal.h"

/*
 * Records how the attempt in hand ended.  A deferral was no attempt at
 * all: its row goes.  A text ended from "unknown" (reconciled, resent by
 * staff) has no open attempt: the ending is a row of its own.  Attempt
 * rows are numbered per text on their own, so the outbox's attempt count
 * can give back a try the gateway never judged (a 429) without clashing.
 */
static int close_attempt(sqlite3 *db, const char *id, const outbox_end *e, time_t now)
{
    static const char drop[] =
        "DELETE FROM sms_attempts WHERE outbox_id = ?6 AND ended_at IS NULL AND ?2 = 'deferred'";
    static const char close[] =
        "UPDATE sms_attempts SET ended_at = ?1, outcome = ?2, http_status = ?3,"
        " error_code = ?4, detail = ?5 WHERE outbox_id = ?6 AND ended_at IS NULL";
    static const char add[] =
        "INSERT INTO sms_attempts(outbox_id, n, started_at, ended_at, outcome, http_status,"
        " error_code, detail) SELECT ?6, coalesce(max(n), 0) + 1, ?1, ?1, ?2, ?3, ?4, ?5"
        " FROM sms_attempts WHERE outbox_id = ?6";
    const char *const steps[] = {drop, close, add};
    int changed = 0;

    for (int i = 0; i < 3 && changed == 0; i++)
        changed = store_run(db, steps[i], "Itiitt", now, e->outcome, e->http_status,
                            e->error_code, e->error, id);
    return changed > 0;
}

static int move_row(sqlite3 *db, const char *id, const outbox_end *e, time_t now)
{
    static const char sql[] =
        "UPDATE sms_outbox SET updated_at = ?2,"
        /* A STOP that came while this text was out wins over any retry. */
        " state = CASE WHEN ?1 = 'scheduled' AND kind != 'stop_confirm' AND EXISTS"
        "   (SELECT 1 FROM sms_optouts x WHERE x.phone_hash = sms_outbox.phone_hash)"
        "   THEN 'cancelled' ELSE ?1 END,"
        " due_at = CASE WHEN ?1 = 'scheduled' THEN ?3 ELSE due_at END,"
        " attempts = CASE WHEN ?6 IN ('deferred', 'throttled') THEN attempts - 1"
        "   ELSE attempts END,"
        " gateway_id = coalesce(nullif(?4, ''), gateway_id), error = ?5,"
        " sent_at = CASE WHEN ?1 = 'sent' THEN ?2 ELSE sent_at END"
        " WHERE id = ?7 AND state IN ('sending', 'unknown')";
    return store_run(db, sql, "tIItttt", outbox_state_name(e->to), now, e->due_at,
                     e->gateway_id, e->error, e->outcome, id) == 1;
}

sg_rc store_sms_end(sg_store *st, const char *id, const outbox_end *e)
{
    time_t now = time(NULL);
    sqlite3 *db = store_write_begin(st);
    int ok;

    if (!db)
        return SG_EDB;
    ok = close_attempt(db, id, e, now) && move_row(db, id, e, now);
    return store_write_end(st, ok, "ending a text attempt");
}

sg_rc store_sms_recover(sg_store *st, int *n)
{
    static const char rows[] =
        "UPDATE sms_outbox SET state = 'unknown', updated_at = ?,"
        " error = 'interrupted while sending (power cut or restart): it may have gone out'"
        " WHERE state = 'sending'";
    static const char tries[] =
        "UPDATE sms_attempts SET outcome = 'interrupted', ended_at = started_at"
        " WHERE ended_at IS NULL";
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    *n = store_run(db, rows, "I", time(NULL));
    return store_write_end(st, *n >= 0 && store_run(db, tries, "") >= 0, "recovering texts");
}

sg_rc store_sms_expire(sg_store *st, time_t now, int *n)
{
    static const char sql[] =
        "UPDATE sms_outbox SET state = 'expired', updated_at = ?1,"
        " error = 'expired: could not be sent before its deadline'"
        " WHERE state = 'scheduled' AND expires_at <= ?1";
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    *n = store_run(db, sql, "I", now);
    return store_write_end(st, *n >= 0, "expiring texts");
}

sg_rc store_sms_unknown(sg_store *st, time_t now, int limit,
                        void (*fn)(void *ctx, outbox_row *row), void *ctx)
{
    static const char sql[] = "SELECT " OUTBOX_COLUMNS ", phone_box, body_box FROM sms_outbox"
                              " WHERE state = 'unknown' AND expires_at > ? LIMIT ?";
    outbox_row rows[16];
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    int n = 0, step = SQLITE_ERROR;

    if (limit > 16)
        limit = 16;
    /* Read first, call later: fn talks to the gateway and then writes. */
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
        sqlite3_bind_int(s, 2, limit);
        while (n < limit && (step = sqlite3_step(s)) == SQLITE_ROW)
            sms_read_row(s, &rows[n++], 1);
    }
    sqlite3_finalize(s);
    store_release(c);
    for (int i = 0; i < n; i++) {
        fn(ctx, &rows[i]);
        outbox_row_clear(&rows[i]);
    }
    return step == SQLITE_DONE || step == SQLITE_ROW ? SG_OK : SG_EDB;
}

int sms_cancel(sqlite3 *db, const char *column, const char *value, const char *why,
               time_t now)
{
    static const char by_number[] =
        "UPDATE sms_outbox SET state = 'cancelled', updated_at = ?, error = ?"
        " WHERE phone_hash = ? AND state = 'scheduled'"
        " AND kind != 'stop_confirm'"; /* a repeated STOP keeps the first's answer */
    static const char by_visit[] =
        "UPDATE sms_outbox SET state = 'cancelled', updated_at = ?, error = ?"
        " WHERE screening_id = ? AND state = 'scheduled' AND kind = 'reminder'";
    const char *sql = strcmp(column, "screening_id") == 0 ? by_visit : by_number;
    return store_run(db, sql, "Itt", now, why, value) >= 0;
}

int sms_opt_out(sqlite3 *db, const char *phone_hash, const char *via, time_t now)
{
    static const char sql[] = "INSERT INTO sms_optouts(phone_hash, opted_out_at, via)"
                              " VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    int added = store_run(db, sql, "tIt", phone_hash, now, via);

    if (added < 0 ||
        !sms_cancel(db, "phone_hash", phone_hash, "cancelled: the number opted out", now))
        return -1;
    return added;
}

sg_rc store_sms_carrier_optout(sg_store *st, const char *phone_hash)
{
    sqlite3 *db = store_write_begin(st);
    if (!db)
        return SG_EDB;
    return store_write_end(st, sms_opt_out(db, phone_hash, "gateway", time(NULL)) >= 0,
                           "recording an opt-out");
}

sg_rc store_sms_delivery(sg_store *st, const char *gateway_id, const char *outbox_id,
                         const char *status, int error_code, time_t retry_at)
{
    static const char sql[] =
        "UPDATE sms_outbox SET updated_at = ?1,"
        " state = CASE WHEN ?2 = 'delivered' THEN 'delivered'"
        "   WHEN ?2 IN ('queued', 'accepted', 'sending', 'sent') AND state = 'unknown'"
        "     THEN 'sent'"
        "   WHEN ?5 > 0 THEN 'scheduled' WHEN ?2 IN ('undelivered', 'failed') THEN 'failed'"
        "   ELSE state END,"
        " due_at = CASE WHEN ?5 > 0 THEN ?5 ELSE due_at END,"
        " gateway_id = CASE WHEN ?5 > 0 THEN NULL ELSE gateway_id END,"
        " error = CASE WHEN ?2 IN ('undelivered', 'failed') THEN"
        "   'not delivered (gateway error ' || ?3 || ')' ELSE error END"
        " WHERE (?4 = '' AND gateway_id = ?6 OR id = ?4) AND state IN ('sent', 'unknown')";
    sqlite3 *db = store_write_begin(st);
    int changed;

    if (!db)
        return SG_EDB;
    changed = store_run(db, sql, "ItitIt", time(NULL), status, error_code,
                        outbox_id ? outbox_id : "", retry_at, gateway_id ? gateway_id : "");
    if (store_write_end(st, changed >= 0, "recording a delivery report"))
        return SG_EDB;
    return changed > 0 ? SG_OK : SG_ENOTFOUND;
}

sg_rc store_sms_resend(sg_store *st, const char *id, time_t now)
{
    static const char sql[] =
        "UPDATE sms_outbox SET state = 'scheduled', due_at = ?1,"
        " expires_at = ?1 + max(3600, expires_at - due_at), updated_at = ?1,"
        " error = 'queued again by staff'"
        " WHERE id = ?2 AND state IN ('failed', 'unknown', 'expired')"
        " AND NOT EXISTS (SELECT 1 FROM sms_optouts x WHERE x.phone_hash = sms_outbox.phone_hash)";
    sqlite3 *db = store_write_begin(st);
    int changed;

    if (!db)
        return SG_EDB;
    changed = store_run(db, sql, "It", now, id);
    if (store_write_end(st, changed >= 0, "queueing a text again"))
        return SG_EDB;
    return changed > 0 ? SG_OK : SG_ENOTFOUND;
}
