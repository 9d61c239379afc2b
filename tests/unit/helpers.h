/*
 * Small helpers shared by the unit tests: load the shipped instrument, build
 * answers by code, write a temporary file, and open a store in a temporary
 * directory whose file a test can also reach with its own SQLite
 * connection (to set up rows or count them), as another process would.
 */
#ifndef SIGNPOST_TEST_HELPERS_H
#define SIGNPOST_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "signpost/instrument.h"
#include "signpost/screening.h"
#include "signpost/store.h"

#define INSTRUMENT_PATH SOURCE_DIR "/data/instruments/ahc-hrsn-core.json"

static inline sg_instrument *load_core(void)
{
    char err[256];
    sg_instrument *inst = NULL;
    if (instrument_load(INSTRUMENT_PATH, &inst, err, sizeof err) != SG_OK)
        fail_msg("loading the shipped instrument: %s", err);
    return inst;
}

/* The shipped instrument for a test group that uses setup_core/teardown_core. */
static sg_instrument *inst;

static inline int setup_core(void **state)
{
    (void)state;
    inst = load_core();
    return 0;
}

static inline int teardown_core(void **state)
{
    (void)state;
    instrument_free(inst);
    return 0;
}

/* Marks item `item` answered with option `answer` (adds to a multi item). */
static inline void answer(const sg_instrument *in, sg_answers *a, const char *item,
                          const char *ans)
{
    int i = instrument_item_index(in, item);
    assert_true(i >= 0);
    int o = instrument_option_index(&in->items[i], ans);
    assert_true(o >= 0);
    a->state[i] = ANSWER_GIVEN;
    a->chosen[i] |= 1u << o;
}

static inline int positive(const sg_instrument *in, const sg_score *s, const char *domain)
{
    int d = instrument_domain_index(in, domain);
    assert_true(d >= 0);
    return (s->positive >> d) & 1u;
}

/* Writes text to a new temporary file; returns its path (static buffer per call site). */
static inline void write_temp(char *path, size_t len, const char *text)
{
    snprintf(path, len, "/tmp/signpost-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

/* ---- a store in a temporary directory ------------------------------------ */

/* Makes the directory dir names (a mkdtemp template, filled in place) and
 * opens a store there with that many reader connections. */
static inline sg_store *temp_store_open(char *dir, int readers)
{
    char err[256];
    sg_store *st = NULL;

    assert_non_null(mkdtemp(dir));
    if (store_open(dir, readers, &st, err, sizeof err) != SG_OK)
        fail_msg("store_open %s: %s", dir, err);
    return st;
}

/* Removes dir and everything in it. */
static inline void temp_dir_remove(const char *dir)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)!system(cmd);
}

/* Closes st (may be NULL) and removes its directory. */
static inline void temp_store_remove(sg_store *st, const char *dir)
{
    store_close(st);
    temp_dir_remove(dir);
}

/* A second connection to the store's file in dir; busy waits are bounded
 * so the store's own writer never makes a test fail at random. */
static inline sqlite3 *temp_db_open(const char *dir)
{
    char path[160];
    sqlite3 *db = NULL;

    snprintf(path, sizeof path, "%s/%s", dir, SG_DB_FILE);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* Runs sql on the store's file in dir; fk: with foreign keys enforced, as
 * the store itself runs.  An error fails the test. */
static inline void temp_db_exec(const char *dir, const char *sql, int fk)
{
    sqlite3 *db = temp_db_open(dir);

    if (fk)
        sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* Column 0 of the first row of sql on the store's file in dir (-1: none). */
static inline long long temp_db_count(const char *dir, const char *sql)
{
    sqlite3 *db = temp_db_open(dir);
    sqlite3_stmt *s;
    long long n = -1;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

#endif
