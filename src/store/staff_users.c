/*
 * Staff accounts in the store (see staff_store.h).  Each change goes in
 * one transaction with its audit row.  Names are unique without regard to
 * ASCII case (COLLATE NOCASE), so "Ana" and "ana" are one account and a
 * login may type either.  Accounts are disabled, never deleted: the audit
 * log keeps pointing at who they were.
 */
#include <string.h>

#include "signpost/log.h"
#include "staff_internal.h"

#define USER_COLUMNS                                                                     \
    "id, username, role, pw_hash, disabled, created_at, updated_at, "                    \
    "COALESCE(last_login_at, '')"

static void read_user(sqlite3_stmt *s, staff_user *u)
{
    char role[16];

    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, u->username, sizeof u->username);
    store_col_text(s, 2, role, sizeof role);
    u->role = staff_role_parse(role);
    store_col_text(s, 3, u->pw_hash, sizeof u->pw_hash);
    u->disabled = sqlite3_column_int(s, 4);
    store_col_text(s, 5, u->created_at, sizeof u->created_at);
    store_col_text(s, 6, u->updated_at, sizeof u->updated_at);
    store_col_text(s, 7, u->last_login_at, sizeof u->last_login_at);
}

sg_rc staff_user_add(sg_store *st, const char *username, staff_role role,
                     const char *pw_hash, const audit_entry *why)
{
    static const char sql[] =
        "INSERT INTO staff_users(username, role, pw_hash, created_at, updated_at)"
        " VALUES (?, ?, ?, " STAFF_NOW_SQL ", " STAFF_NOW_SQL ")";
    sqlite3 *db = store_write_begin(st);
    int ok;

    if (!db)
        return SG_EDB;
    ok = store_run(db, sql, "ttt", username, staff_role_name(role), pw_hash) == 1;
    if (!ok && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE) {
        store_write_end(st, 0, "adding a staff account");
        return SG_EBUSY;
    }
    ok = ok && audit_insert(db, why) == 0;
    return store_write_end(st, ok, "adding a staff account");
}

sg_rc staff_user_get(sg_store *st, const char *username, staff_user *out)
{
    static const char sql[] =
        "SELECT " USER_COLUMNS " FROM staff_users WHERE username = ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    int step;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(s, 1, username, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        read_user(s, out);
        rc = SG_OK;
    } else if (step == SQLITE_DONE) {
        rc = SG_ENOTFOUND;
    }
out:
    if (rc == SG_EDB)
        sg_error("store: reading a staff account: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

/* Runs an UPDATE of one account by name (bound after a when a is not NULL:
 * types then names both), then ends its sessions when end_sessions, then
 * clears its login throttling, then writes why; SG_ENOTFOUND when no
 * account matched. */
static sg_rc change_user(sg_store *st, const char *sql, const char *types, const char *a,
                         const char *username, int end_sessions, const audit_entry *why)
{
    static const char end_sql[] = "DELETE FROM staff_sessions WHERE user_id ="
                                  " (SELECT id FROM staff_users WHERE username = ?)";
    /* An admin's change is also how a locked-out colleague gets back in:
     * the account's throttling state goes (lower() matches the login's
     * ASCII-only folding of the typed name). */
    static const char unlock_sql[] =
        "DELETE FROM login_failures WHERE key = 'user:' || lower(?)";
    sqlite3 *db = store_write_begin(st);
    int changed, ok;

    if (!db)
        return SG_EDB;
    changed =
        a ? store_run(db, sql, types, a, username) : store_run(db, sql, types, username);
    if (changed == 0) {
        store_write_end(st, 0, "changing a staff account");
        return SG_ENOTFOUND;
    }
    ok = changed == 1 && (!end_sessions || store_run(db, end_sql, "t", username) >= 0) &&
         store_run(db, unlock_sql, "t", username) >= 0 && audit_insert(db, why) == 0;
    return store_write_end(st, ok, "changing a staff account");
}

sg_rc staff_user_set_password(sg_store *st, const char *username, const char *pw_hash,
                              const audit_entry *why)
{
    static const char sql[] =
        "UPDATE staff_users SET pw_hash = ?, updated_at = " STAFF_NOW_SQL
        " WHERE username = ?";
    /* A new password ends every session the old one opened. */
    return change_user(st, sql, "tt", pw_hash, username, 1, why);
}

sg_rc staff_user_set_disabled(sg_store *st, const char *username, int disabled,
                              const audit_entry *why)
{
    static const char off[] =
        "UPDATE staff_users SET disabled = 1, updated_at = " STAFF_NOW_SQL
        " WHERE username = ?";
    static const char on[] =
        "UPDATE staff_users SET disabled = 0, updated_at = " STAFF_NOW_SQL
        " WHERE username = ?";
    return change_user(st, disabled ? off : on, "t", NULL, username, disabled, why);
}

sg_rc staff_user_list(sg_store *st, int (*fn)(void *ctx, const staff_user *u), void *ctx)
{
    static const char sql[] =
        "SELECT " USER_COLUMNS " FROM staff_users ORDER BY username";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    staff_user u;
    int step;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        read_user(s, &u);
        u.pw_hash[0] = '\0'; /* nobody listing accounts needs it */
        if (fn(ctx, &u))
            break;
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? SG_OK : SG_EDB;
out:
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

sg_rc staff_user_rehash(sg_store *st, long long user_id, const char *pw_hash)
{
    static const char sql[] =
        "UPDATE staff_users SET pw_hash = ?, updated_at = " STAFF_NOW_SQL " WHERE id = ?";
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    return store_write_end(st, store_run(db, sql, "tI", pw_hash, (time_t)user_id) == 1,
                           "storing a new password hash");
}
