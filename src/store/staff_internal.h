/*
 * What the staff store files (staff_users.c, staff_sessions.c, audit.c)
 * share and nobody else needs: writing an audit row inside a transaction
 * that is already open, so that a change and its record commit together;
 * and reading audit rows back, which the console's audit list (audit.c)
 * and the audit CSV export (export_rows.c) do with one reader.
 */
#ifndef SIGNPOST_STAFF_INTERNAL_H
#define SIGNPOST_STAFF_INTERNAL_H

#include "signpost/staff_store.h"
#include "store_internal.h"

#define STAFF_NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

/* Inserts e on db (inside the caller's transaction); 0 when it went in. */
int audit_insert(sqlite3 *db, const audit_entry *e);

/*
 * The audit_log columns that audit_read_row() reads, in its order: a
 * SELECT of audit rows starts with "SELECT " AUDIT_COLUMNS " FROM audit_log".
 */
#define AUDIT_COLUMNS "id, at, user_id, username, action, target, detail, ip"

/* Fills r from the current row of a statement that selected AUDIT_COLUMNS;
 * text too long for its field is cut at a UTF-8 character boundary. */
void audit_read_row(sqlite3_stmt *s, audit_row *r);

#endif
