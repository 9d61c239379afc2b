/*
 * What the SMS store files share (src/store/sms*.c), and nobody else.
 */
#ifndef SIGNPOST_SMS_STORE_INTERNAL_H
#define SIGNPOST_SMS_STORE_INTERNAL_H

#include "signpost/sms_store.h"
#include "store_internal.h"

/* The columns sms_read_row() expects, in order (boxes, when wanted, follow). */
#define OUTBOX_COLUMNS                                                                   \
    "id, screening_id, phone_hash, kind, state, due_at, expires_at, attempts, gateway_id, " \
    "error, sent_at, created_at, updated_at"

void sms_read_row(sqlite3_stmt *s, outbox_row *r, int boxes);
/* Inserts a scheduled row; 1 on success (inside the caller's transaction). */
int sms_insert_row(sqlite3 *db, const outbox_new *o, time_t now);
/* First column of the first row of sql bound to one text, 0 when no row,
 * -1 on error. */
long sms_query_long(sqlite3 *db, const char *sql, const char *arg);
/* Cancels the scheduled texts of a number (phone_hash) or of a screening's
 * reminders (screening_id); 1 on success. */
int sms_cancel(sqlite3 *db, const char *column, const char *value, const char *why,
               time_t now);

/* Opts a number out and cancels its scheduled texts: 1 when it was not
 * opted out before, 0 when it was, -1 on error. */
int sms_opt_out(sqlite3 *db, const char *phone_hash, const char *via, time_t now);

#endif
