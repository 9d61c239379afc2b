/*
 * The durable store: one SQLite database in the state directory.
 *
 * WAL mode, foreign keys on, a busy timeout, and synchronous=FULL so that a
 * row is on the SD card before the API acknowledges it.  Schema changes are
 * numbered migrations compiled into the binary and applied in order, one
 * transaction each, tracked by PRAGMA user_version.
 *
 * Threads: all writes go through one connection guarded by a mutex (older
 * SQLite releases can corrupt a WAL when two connections write or checkpoint
 * at once); reads use a small pool of read-only connections.  An sg_store is
 * safe to share between threads.  store_close() accepts NULL.
 */
#ifndef SIGNPOST_STORE_H
#define SIGNPOST_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <time.h>
#include "signpost/directory.h"
#include "signpost/instrument.h"
#include "signpost/result.h"
#include "signpost/screening.h"

typedef struct sg_store sg_store;

#define SG_DB_FILE "signpost.db"
#define SG_ID_LEN 33 /* 32 hex digits and a NUL */

/* Opens (creating and migrating as needed) dir/signpost.db. */
sg_rc store_open(const char *dir, int readers, sg_store **out, char *err, size_t errlen);
void store_close(sg_store *st);

/* The schema version this binary migrates to, and the one on disk. */
int store_schema_version(void);
sg_rc store_user_version(sg_store *st, int *version);

typedef struct {
    const char *id;          /* SG_ID_LEN-1 hex digits */
    time_t created;
    const char *kiosk_id;
    const sg_instrument *inst;
    const sg_submission *sub;
    const sg_score *score;
    const sg_resource *resources;
    int nresources;
    const char *result_json; /* the API's answer, served again by GET */
} store_screening;

/* Stores a whole screening in one transaction: all of it or none of it. */
sg_rc store_save_screening(sg_store *st, const store_screening *rec);

/* Records whether and with which needs the patient wants help;
 * SG_ENOTFOUND when there is no such screening. */
sg_rc store_save_help(sg_store *st, const char *id, const sg_instrument *inst,
                      const sg_submission *sub, const char *result_json);

/* Loads the stored result JSON of screening id (caller frees *json). */
sg_rc store_load_result(sg_store *st, const char *id, char **json);

/*
 * The print queue.  A job moves queued -> printing -> done or failed; only
 * the print worker moves it past queued.  A job found "printing" at start-up
 * was interrupted mid-way and is marked failed, never printed again
 * silently: staff see it and can reprint.
 */
typedef enum { PRINT_QUEUED, PRINT_PRINTING, PRINT_DONE, PRINT_FAILED } print_status;

typedef struct {
    char id[SG_ID_LEN];
    char screening_id[SG_ID_LEN];
    print_status status;
    int attempts;
    char error[160];
    unsigned char *payload; /* claimed jobs only; caller frees */
    size_t len;
} print_job;

/* Queues bytes for screening_id; SG_EBUSY when max_queued jobs already wait. */
sg_rc store_print_enqueue(sg_store *st, const char *job_id, const char *screening_id,
                          const char *profile, const void *bytes, size_t len,
                          int max_queued);
/* Claims the oldest queued job (now "printing"); SG_ENOTFOUND when none. */
sg_rc store_print_claim(sg_store *st, print_job *job);
/* Puts a claimed job back in the queue (the printer was not ready). */
sg_rc store_print_requeue(sg_store *st, const char *job_id, const char *why);
/* Ends a claimed job: done (error NULL) or failed with a reason for staff. */
sg_rc store_print_finish(sg_store *st, const char *job_id, const char *error);
/* Reads a job's state (payload not loaded). */
sg_rc store_print_get(sg_store *st, const char *job_id, print_job *job);
/* Marks jobs left "printing" by a crash or power cut as failed; *n gets how many. */
sg_rc store_print_recover(sg_store *st, int *n);
/* Fails queued jobs older than max_age_s as expired; *n gets how many. */
sg_rc store_print_expire(sg_store *st, int max_age_s, int *n);
const char *print_status_name(print_status s);
/* Queues a copy of a finished (done or failed) job as new_id, for staff who
 * reprint a receipt; SG_ENOTFOUND when there is no such finished job. */
sg_rc store_print_reprint(sg_store *st, const char *job_id, char new_id[SG_ID_LEN]);
/* Calls fn for the newest jobs first, at most limit, until it returns
 * non-zero (payloads not loaded). */
sg_rc store_print_list(sg_store *st, int limit,
                       int (*fn)(void *ctx, const print_job *job, const char *created_at),
                       void *ctx);

/*
 * Staff curation of directory services (see dir_curation in directory.h).
 * get: SG_ENOTFOUND when the clinic has said nothing about the service.
 * put: stores the whole record (updated_at is set here).  list: calls fn
 * for every curated service in id order until it returns non-zero.
 */
sg_rc store_curation_get(sg_store *st, const char *service_id, dir_curation *out);
sg_rc store_curation_put(sg_store *st, const dir_curation *c);
sg_rc store_curation_list(sg_store *st, int (*fn)(void *ctx, const dir_curation *c),
                          void *ctx);
/* Writes the whole record inside the caller's write transaction (ask_for
 * as sorted compact JSON); updated_at NULL means now.  1 on success. */
int store_curation_write(sqlite3 *db, const dir_curation *c, const char *updated_at);
/* Fills c from a row of service_curation read by SELECT CURATION_COLUMNS. */
void store_curation_row(sqlite3_stmt *s, int first_col, dir_curation *c);
#define CURATION_COLUMNS                                                                    \
    "service_id, contact_name, contact_phone, ask_for, priority, pinned, hidden, notes, " \
    "verified_on, verified_by, updated_at"

/* Fills out with a new random id (hex of 16 CSPRNG bytes). */
void store_new_id(char out[SG_ID_LEN]);

#endif
