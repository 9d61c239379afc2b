/*
 * The audit log: who looked at or changed what, when and from where.
 * Rows are only ever inserted; the schema's triggers refuse UPDATE and
 * DELETE (migration 6), so not even a bug here can rewrite history.
 * Retention of this table is deliberately out of scope: signpost never
 * purges it, and the clinic's records policy decides (docs/staff-accounts.md).
 * Rows are read back by one reader, audit_read_row(), for the console's
 * list here and for the audit CSV export (export_rows.c), so the two never
 * disagree on what a row says.
 */
#include "signpost/log.h"
#include "staff_internal.h"

int audit_insert(sqlite3 *db, const audit_entry *e)
{
    static const char sql[] =
        "INSERT INTO audit_log(at, user_id, username, action, target, detail, ip)"
        " VALUES (" STAFF_NOW_SQL ", NULLIF(?, 0), ?, ?, ?, ?, ?)";

    assert(e->action);
    return store_run(db, sql, "Ittttt", (time_t)e->user_id, e->username, e->action,
                     e->target, e->detail, e->ip) == 1
               ? 0
               : -1;
}

sg_rc audit_append(sg_store *st, const audit_entry *e)
{
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    return store_write_end(st, audit_insert(db, e) == 0, "writing the audit log");
}

void audit_read_row(sqlite3_stmt *s, audit_row *r)
{
    r->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, r->at, sizeof r->at);
    r->user_id = sqlite3_column_int64(s, 2);
    store_col_text(s, 3, r->username, sizeof r->username);
    store_col_text(s, 4, r->action, sizeof r->action);
    store_col_text(s, 5, r->target, sizeof r->target);
    store_col_text(s, 6, r->detail, sizeof r->detail);
    store_col_text(s, 7, r->ip, sizeof r->ip);
}

sg_rc audit_list(sg_store *st, int limit, int (*fn)(void *ctx, const audit_row *r),
                 void *ctx)
{
    static const char sql[] =
        "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY id DESC LIMIT ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    audit_row r;
    int step;

    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int(s, 1, limit);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        audit_read_row(s, &r);
        if (fn(ctx, &r))
            break;
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? SG_OK : SG_EDB;
out:
    if (rc)
        sg_error("store: reading the audit log: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}
