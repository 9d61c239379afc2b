/*
 * What the staff store files (staff_users.c, staff_sessions.c, audit.c)
 * share and nobody else needs: writing an audit row inside a transaction
 * that is already open, so that a change and its record commit together.
 */
#ifndef SIGNPOST_STAFF_INTERNAL_H
#define SIGNPOST_STAFF_INTERNAL_H

#include "signpost/staff_store.h"
#include "store_internal.h"

#define STAFF_NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

/* Inserts e on db (inside the caller's transaction); 0 when it went in. */
int audit_insert(sqlite3 *db, const audit_entry *e);

/* Copies column col as text into out ("" for NULL). */
void staff_copy_col(sqlite3_stmt *s, int col, char *out, size_t outlen);

#endif
