/*
 * Staff sessions and login throttling in the store (see staff_store.h).
 * A session row is found by the keyed hash of its id; the id itself is
 * never written anywhere.  The throttling rule is the pure one in
 * staff_auth.h: this file only loads and saves its state, inside the same
 * transaction as the failed login's audit row.
 */
#include <string.h>

#include "signpost/log.h"
#include "staff_internal.h"

sg_rc staff_login_ok(sg_store *st, const staff_session_row *s, const char *throttle_key,
                     const char *old_hash, long idle_s, const audit_entry *why)
{
    static const char purge[] =
        "DELETE FROM staff_sessions WHERE expires_at <= ?1 OR last_seen_at <= ?1 - ?2";
    static const char end_old[] = "DELETE FROM staff_sessions WHERE id_hash = ?";
    static const char insert[] =
        "INSERT INTO staff_sessions(id_hash, user_id, csrf, created_at, last_seen_at,"
        " expires_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)";
    static const char seen[] =
        "UPDATE staff_users SET last_login_at = " STAFF_NOW_SQL " WHERE id = ?";
    static const char unthrottle[] = "DELETE FROM login_failures WHERE key = ?";
    sqlite3 *db = store_write_begin(st);
    int ok;

    if (!db)
        return SG_EDB;
    ok = store_run(db, purge, "II", s->created_at, (time_t)idle_s) >= 0 &&
         (!old_hash || store_run(db, end_old, "t", old_hash) >= 0) &&
         store_run(db, insert, "tItIIIt", s->id_hash, (time_t)s->user_id, s->csrf,
                   s->created_at, s->last_seen_at, s->expires_at, s->ip) == 1 &&
         store_run(db, seen, "I", (time_t)s->user_id) == 1 &&
         (!throttle_key || store_run(db, unthrottle, "t", throttle_key) >= 0) &&
         audit_insert(db, why) == 0;
    return store_write_end(st, ok, "starting a staff session");
}

static void read_session(sqlite3_stmt *q, staff_session_row *r)
{
    char role[16];

    memset(r, 0, sizeof *r);
    store_col_text(q, 0, r->id_hash, sizeof r->id_hash);
    store_col_text(q, 1, r->csrf, sizeof r->csrf);
    r->created_at = (time_t)sqlite3_column_int64(q, 2);
    r->last_seen_at = (time_t)sqlite3_column_int64(q, 3);
    r->expires_at = (time_t)sqlite3_column_int64(q, 4);
    store_col_text(q, 5, r->ip, sizeof r->ip);
    r->user_id = sqlite3_column_int64(q, 6);
    store_col_text(q, 7, r->username, sizeof r->username);
    store_col_text(q, 8, role, sizeof role);
    r->role = staff_role_parse(role);
    r->disabled = sqlite3_column_int(q, 9);
}

sg_rc staff_session_get(sg_store *st, const char *id_hash, staff_session_row *out)
{
    static const char sql[] =
        "SELECT s.id_hash, s.csrf, s.created_at, s.last_seen_at, s.expires_at, s.ip,"
        " u.id, u.username, u.role, u.disabled"
        " FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.id_hash = "
        "?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *q = NULL;
    sg_rc rc = SG_EDB;
    int step;

    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(q, 1, id_hash, -1, SQLITE_STATIC);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        read_session(q, out);
        rc = SG_OK;
    } else if (step == SQLITE_DONE) {
        rc = SG_ENOTFOUND;
    }
out:
    if (rc == SG_EDB)
        sg_error("store: reading a staff session: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(q);
    store_release(c);
    return rc;
}

sg_rc staff_session_touch(sg_store *st, const char *id_hash, time_t now)
{
    static const char sql[] =
        "UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?";
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    return store_write_end(st, store_run(db, sql, "It", now, id_hash) >= 0,
                           "touching a staff session");
}

sg_rc staff_session_end(sg_store *st, const char *id_hash, const audit_entry *why)
{
    static const char sql[] = "DELETE FROM staff_sessions WHERE id_hash = ?";
    sqlite3 *db = store_write_begin(st);
    int ok;

    if (!db)
        return SG_EDB;
    ok = store_run(db, sql, "t", id_hash) >= 0 && (!why || audit_insert(db, why) == 0);
    return store_write_end(st, ok, "ending a staff session");
}

/* ---- throttling -------------------------------------------------- */

/* Reads key's state on db (zeroed when absent); -1 on error. */
static int load_throttle(sqlite3 *db, const char *key, staff_throttle *t)
{
    static const char sql[] =
        "SELECT count, first_at, locked_until, locks FROM login_failures WHERE key = ?";
    sqlite3_stmt *q = NULL;
    int step;

    memset(t, 0, sizeof *t);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        t->count = sqlite3_column_int(q, 0);
        t->first_at = (time_t)sqlite3_column_int64(q, 1);
        t->locked_until = (time_t)sqlite3_column_int64(q, 2);
        t->locks = sqlite3_column_int(q, 3);
    }
    sqlite3_finalize(q);
    return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
}

sg_rc staff_throttle_get(sg_store *st, const char *key, staff_throttle *out)
{
    store_conn *c = store_reader(st);
    int bad = load_throttle(c->db, key, out);

    store_release(c);
    return bad ? SG_EDB : SG_OK;
}

static int fail_one(sqlite3 *db, const char *key, time_t now)
{
    static const char save[] =
        "INSERT OR REPLACE INTO login_failures(key, count, first_at, locked_until, locks)"
        " VALUES (?, ?, ?, ?, ?)";
    staff_throttle t;

    if (load_throttle(db, key, &t))
        return -1;
    staff_throttle_fail(&t, now);
    return store_run(db, save, "tiIIi", key, t.count, t.first_at, t.locked_until,
                     t.locks) == 1
               ? 0
               : -1;
}

sg_rc staff_login_failed(sg_store *st, const char *const *keys, int nkeys, time_t now,
                         const audit_entry *why)
{
    /* What staff_throttle_idle() calls idle, so the table holds only live
     * state however many names are tried. */
    static const char purge[] =
        "DELETE FROM login_failures WHERE (count = 0 OR first_at <= ?1 - ?2)"
        " AND (locked_until = 0 OR locked_until <= ?1 - ?3)";
    sqlite3 *db = store_write_begin(st);
    int ok;

    if (!db)
        return SG_EDB;
    ok = store_run(db, purge, "III", now, (time_t)STAFF_THROTTLE_WINDOW_S,
                   (time_t)STAFF_THROTTLE_LOCK_MAX_S) >= 0;
    for (int i = 0; ok && i < nkeys && i < 4; i++)
        ok = !keys[i] || fail_one(db, keys[i], now) == 0;
    ok = ok && audit_insert(db, why) == 0;
    return store_write_end(st, ok, "recording a failed login");
}
