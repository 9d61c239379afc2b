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

/* Fills out with a new random id (hex of 16 CSPRNG bytes). */
void store_new_id(char out[SG_ID_LEN]);

#endif
