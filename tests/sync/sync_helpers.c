/*
 * The sync tests' shared helpers (sync_helpers.h).  Services are built
 * with jansson from a trimmed copy of the HSDS 3.0 service_full.json
 * example, so the test does not depend on the spec files being present.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "signpost/directory_db.h"
#include "signpost/instrument.h"
#include "sync_helpers.h"

#define MAP_PATH SOURCE_DIR "/data/taxonomy/domain-map.ini"
#define INSTRUMENT_PATH SOURCE_DIR "/data/instruments/ahc-hrsn-core.json"

char *test_service(const char *id, const char *name, const char *modified,
                   const char *term, const char *status)
{
    char sub[96];
    json_t *svc, *attrs = json_array();
    char *text;

    if (term) {
        snprintf(sub, sizeof sub, "attr-%s", id);
        json_array_append_new(
            attrs, json_pack("{s:s, s:s, s:s, s:o}", "id", sub, "link_entity", "service",
                             "value", "", "taxonomy_term",
                             json_pack("{s:s+, s:s, s:s, s:s}", "id", "term-", term,
                                       "code", term, "name", "Food Pantry", "taxonomy",
                                       "Open Eligibility")));
    }
    snprintf(sub, sizeof sub, "%s", id);
    svc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
        " s:{s:s, s:s, s:s},"
        " s:[{s:s+, s:s, s:s}],"
        " s:[{s:s+, s:s, s:i, s:s, s:s, s:s}],"
        " s:[{s:s+, s:{s:s+, s:s, s:s, s:f, s:f,"
        "      s:[{s:s+, s:s, s:s, s:s, s:s, s:s, s:s}]}}],"
        " s:o}",
        "id", id, "name", name, "alternate_name", "", "description",
        "Free groceries for families in the Riverton area.", "email", "help@example.org",
        "status", status ? status : "active", "last_modified", modified, "organization",
        "id", "org-riverton", "name", "Riverton Community Services", "description",
        "A non-profit organisation serving Riverton.", "phones", "id", "phone-", sub,
        "number", "217-555-0142", "type", "voice", "schedules", "id", "sched-", sub,
        "freq", "WEEKLY", "interval", 1, "byday", "MO,TU,WE,TH,FR", "opens_at",
        "09:00:00", "closes_at", "17:00:00", "service_at_locations", "id", "sal-", sub,
        "location", "id", "loc-", sub, "location_type", "physical", "name",
        "Riverton Civic Center", "latitude", 39.80, "longitude", -89.64, "addresses",
        "id", "addr-", sub, "address_1", "1 Main Street", "city", "Riverton",
        "state_province", "IL", "postal_code", "62701", "country", "US", "address_type",
        "physical", "attributes", attrs);
    assert_non_null(svc);
    text = json_dumps(svc, JSON_COMPACT);
    json_decref(svc);
    return text;
}

int64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void test_time(long offset_s, char out[SYNC_TIME_LEN])
{
    sync_time_format(test_now_ms() + (int64_t)offset_s * 1000, out);
}

const char *test_state_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/signpost-sync-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp");
    return dir;
}

void test_rmrf(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
    (void)!system(cmd);
}

const sg_domain_map *test_map(void)
{
    static sg_domain_map map;
    static int loaded;
    sg_instrument *inst = NULL;
    char err[512];

    if (!loaded) {
        if (instrument_load(INSTRUMENT_PATH, &inst, err, sizeof err) ||
            domain_map_load(MAP_PATH, inst, &map, err, sizeof err))
            fail_msg("%s", err);
        instrument_free(inst);
        loaded = 1;
    }
    return &map;
}

void test_opts(sync_opts *o, const char *url, const char *state, int per_page,
               int max_pages)
{
    memset(o, 0, sizeof *o);
    o->base_url = url;
    o->state_dir = state;
    o->map = test_map();
    o->per_page = per_page;
    o->max_pages = max_pages;
    o->timeout_ms = 3000;
    o->backoff_base_ms = 50;
    o->backoff_cap_ms = 200;
    o->max_wait_s = 5;
}

static sqlite3 *open_dir(const char *state)
{
    char path[256];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/%s", state, DIRECTORY_DB_FILE);
    if (access(path, F_OK) != 0)
        return NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("opening %s", path);
    return db;
}

static long one_number(const char *state, const char *sql, const char *arg)
{
    sqlite3 *db = open_dir(state);
    sqlite3_stmt *s = NULL;
    long n = -1;

    if (!db)
        return -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

long test_dir_count(const char *state)
{
    return one_number(state, "SELECT count(*) FROM services", NULL);
}

long test_dir_domain_count(const char *state, const char *domain)
{
    return one_number(state, "SELECT count(*) FROM service_domains WHERE domain = ?1",
                      domain);
}

void test_dir_name(const char *state, const char *id, char *out, size_t outlen)
{
    sqlite3 *db = open_dir(state);
    sqlite3_stmt *s = NULL;

    out[0] = '\0';
    if (!db)
        return;
    if (sqlite3_prepare_v2(db, "SELECT name FROM services WHERE id = ?1", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
}

char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    data = malloc((size_t)n + 1);
    assert_non_null(data);
    *len = fread(data, 1, (size_t)n, f);
    fclose(f);
    return data;
}
