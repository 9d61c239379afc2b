/*
 * What the store's source files share and nobody else needs.
 */
#ifndef SIGNPOST_STORE_INTERNAL_H
#define SIGNPOST_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>

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
    int nreaders;
    atomic_uint next_reader; /* where the next reader search starts */
};

sg_rc store_migrate(sqlite3 *db, char *err, size_t errlen);

/* Locks and returns a reader connection; release with store_release(). */
store_conn *store_reader(sg_store *st);
void store_release(store_conn *c);

#endif
