/*
 * Opening the store, its connections, and the screening records (see
 * store.h).  Every write that the API acknowledges is one transaction on the
 * writer connection with synchronous=FULL: when store_save_screening()
 * returns SG_OK the submission survives a power cut.
 */
#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signpost/log.h"
#include "store_internal.h"

static sg_rc open_conn(const char *path, int readonly, store_conn *c, char *err,
                       size_t errlen)
{
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    /*
     * trusted_schema stays at its default (on): the row views use JSON
     * functions, and the only schema this connection ever reads is our own,
     * in the service's private 0700 state directory.
     */
    static const char pragmas[] = "PRAGMA foreign_keys = ON;"
                                  "PRAGMA synchronous = FULL;";

    flags |= SQLITE_OPEN_NOMUTEX; /* our own mutex serialises each connection */
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, c->db ? sqlite3_errmsg(c->db) : "cannot open");
        sqlite3_close(c->db);
        c->db = NULL;
        return SG_EDB;
    }
    sqlite3_busy_timeout(c->db, STORE_BUSY_MS);
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(c->db));
        return SG_EDB;
    }
    /* Readers answer point queries, and in WAL mode a reader's cache is
       emptied whenever the writer has committed since its last read: a
       256 KiB bound instead of SQLite's 2 MiB per reader costs them nothing
       and caps what a burst of reads leaves behind (docs/performance.md). */
    if (readonly)
        sqlite3_exec(c->db, "PRAGMA cache_size = -256", NULL, NULL, NULL);
    return SG_OK;
}

static sg_rc set_wal(store_conn *c, const char *path, char *err, size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    sg_rc rc = SG_OK;

    if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(stmt, 0), "wal") != 0) {
        snprintf(err, errlen, "%s: cannot switch to WAL mode: %s", path, sqlite3_errmsg(c->db));
        rc = SG_EDB;
    }
    sqlite3_finalize(stmt);
    return rc;
}

static sg_rc make_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return SG_OK;
    snprintf(err, errlen, "%s: cannot create the state directory: %s", dir, strerror(errno));
    return SG_EIO;
}

sg_rc store_open(const char *dir, int readers, sg_store **out, char *err, size_t errlen)
{
    char path[512];
    sg_store *st;
    sg_rc rc;

    *out = NULL;
    if (readers < 1 || readers > STORE_MAX_READERS)
        readers = readers < 1 ? 1 : STORE_MAX_READERS;
    if ((rc = make_dir(dir, err, errlen)))
        return rc;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, SG_DB_FILE) >= sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return SG_EINVAL;
    }
    st = calloc(1, sizeof *st);
    if (!st)
        return SG_ENOMEM;
    pthread_mutex_init(&st->writer.lock, NULL);
    if ((rc = open_conn(path, 0, &st->writer, err, errlen)) ||
        (rc = set_wal(&st->writer, path, err, errlen)) ||
        (rc = store_migrate(st->writer.db, err, errlen)))
        goto out;
    /* Readers open when first needed (store_reader): an idle kiosk keeps
     * one, each costing its own schema and cache.  The first opens now, so
     * a database readers cannot open stops start-up. */
    memcpy(st->path, path, sizeof st->path);
    for (int i = 0; i < readers; i++)
        pthread_mutex_init(&st->readers[i].lock, NULL);
    st->nreaders = readers;
    if ((rc = open_conn(path, 1, &st->readers[0], err, errlen)))
        goto out;
    *out = st;
    st = NULL;
out:
    store_close(st);
    return rc;
}

static void close_conn(store_conn *c)
{
    sqlite3_close(c->db); /* accepts NULL: a reader never needed */
    c->db = NULL;
    pthread_mutex_destroy(&c->lock);
}

void store_close(sg_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->nreaders; i++)
        close_conn(&st->readers[i]);
    close_conn(&st->writer);
    free(st);
}

/* Opens a reader on first use; 0 when it is ready. */
static int ready(sg_store *st, store_conn *c)
{
    char err[256];
    if (c->db)
        return 0;
    if (open_conn(st->path, 1, c, err, sizeof err) == SG_OK)
        return 0;
    sg_warn("store: %s", err);
    sqlite3_close(c->db);
    c->db = NULL;
    return -1;
}

/*
 * The lowest free reader, so that light use keeps to the first one or two
 * (the others are never opened); when all are busy, the first, which is
 * always open.
 */
store_conn *store_reader(sg_store *st)
{
    for (int i = 0; i < st->nreaders; i++) {
        store_conn *c = &st->readers[i];
        if (pthread_mutex_trylock(&c->lock) != 0)
            continue;
        if (ready(st, c) == 0)
            return c;
        pthread_mutex_unlock(&c->lock);
    }
    pthread_mutex_lock(&st->readers[0].lock);
    return &st->readers[0];
}

void store_release(store_conn *c)
{
    pthread_mutex_unlock(&c->lock);
}

sg_rc store_user_version(sg_store *st, int *version)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *stmt = NULL;
    sg_rc rc = SG_EDB;

    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        *version = sqlite3_column_int(stmt, 0);
        rc = SG_OK;
    }
    sqlite3_finalize(stmt);
    store_release(c);
    return rc;
}

void store_new_id(char out[SG_ID_LEN])
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, SG_ID_LEN, raw, sizeof raw);
}

sqlite3 *store_write_begin(sg_store *st)
{
    pthread_mutex_lock(&st->writer.lock);
    if (sqlite3_exec(st->writer.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sg_error("store: cannot begin a write: %s", sqlite3_errmsg(st->writer.db));
        pthread_mutex_unlock(&st->writer.lock);
        return NULL;
    }
    return st->writer.db;
}

sg_rc store_write_end(sg_store *st, int ok, const char *what)
{
    sqlite3 *db = st->writer.db;
    sg_rc rc = SG_OK;

    if (!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        if (ok || sqlite3_errcode(db) != SQLITE_OK)
            sg_error("store: %s: %s", what, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        rc = SG_EDB;
    }
    pthread_mutex_unlock(&st->writer.lock);
    return rc;
}

int store_step_done(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}
