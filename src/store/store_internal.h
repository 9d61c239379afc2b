/*
 * What the store's source files share and nobody else needs.
 */
#ifndef SIGNPOST_STORE_INTERNAL_H
#define SIGNPOST_STORE_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>

#include "signpost/sms.h"
#include "signpost/store.h"

#define STORE_MAX_READERS 16
#define STORE_BUSY_MS 5000

typedef struct {
    sqlite3 *db;
    pthread_mutex_t lock;
} store_conn;

struct sg_store {
    store_conn writer;
    store_conn readers[STORE_MAX_READERS];
    int nreaders;            /* slots; each opens on first use */
    char path[512];          /* the database, for readers opened later */
};

sg_rc store_migrate(sqlite3 *db, char *err, size_t errlen);

/*
 * A write transaction on the writer connection: begin locks the writer and
 * starts BEGIN IMMEDIATE (NULL, unlocked, when that fails); end commits when
 * ok, else rolls back, and unlocks.  Everything between is all or nothing.
 */
sqlite3 *store_write_begin(sg_store *st);
sg_rc store_write_end(sg_store *st, int ok, const char *what);

/*
 * Prepares sql, binds the arguments described by types ('t' text, 'i' int,
 * 'I' time_t, 'b' pointer and size_t of a blob), steps it to the end and
 * finalizes it.  Returns the rows changed, or -1 on any error.
 */
int store_run(sqlite3 *db, const char *sql, const char *types, ...);

/*
 * Copies text column col of the current row into out ("" for NULL).  A
 * value too long for out is cut at a UTF-8 character boundary, never
 * inside a character.
 */
void store_col_text(sqlite3_stmt *s, int col, char *out, size_t outlen);

/* Runs a prepared statement to completion and resets it; 0 when done. */
int store_step_done(sqlite3_stmt *stmt);

/* Locks and returns a reader connection; release with store_release(). */
store_conn *store_reader(sg_store *st);
void store_release(store_conn *c);

/*
 * A patient's reply to a check-in, applied to the screening's referrals
 * inside the caller's write transaction (store_referral_sms_reply() in
 * referral_store.h says what each reply does); today is the clinic's
 * YYYYMMDD.  The reply and its effect on the referrals commit together.
 * 1 on success.
 */
int referral_sms_apply(sqlite3 *db, const char *screening_id, sms_reply reply, time_t at,
                       int today);

#endif
