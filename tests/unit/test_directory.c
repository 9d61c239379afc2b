/*
 * The directory as the kiosk uses it: the bundled demo imported into a
 * scratch state folder (as on a first start), matched through the reader,
 * curated in the store.  Checks that every domain finds help, that curation
 * changes what the patient sees (hide, pin, contact, what to ask for) and
 * survives a re-import, that a changed domain map rebuilds the index, and
 * that an installed import replaces the directory under a running reader.
 * Then a crowded neighbourhood written row by row (600 services, five
 * domains, alike but for distance): the nearest services of each domain
 * must be the ones offered, nearest first, also when the clinic hid the
 * nearest ones and in a file from before the per-domain index.
 */
#include <math.h>
#include <sys/stat.h>

#include "helpers.h"
#include "signpost/directory_db.h"
#include "signpost/store.h"

#define DEMO SOURCE_DIR "/data/demo-directory"
#define MAP SOURCE_DIR "/data/taxonomy/domain-map.ini"

static char state[64];
static sg_store *store;
static directory_reader *reader;
static sg_domain_map map;

static void prepare(const sg_domain_map *m)
{
    char err[512];
    size_t problems = 99;
    if (directory_prepare(state, DEMO, m, &problems, err, sizeof err))
        fail_msg("directory_prepare: %s", err);
}

static int setup(void **st)
{
    char err[512];
    (void)st;
    inst = load_core();
    snprintf(state, sizeof state, "/tmp/signpost-dir-XXXXXX");
    if (!mkdtemp(state))
        fail_msg("mkdtemp");
    if (domain_map_load(MAP, inst, &map, err, sizeof err) ||
        store_open(state, 2, &store, err, sizeof err))
        fail_msg("%s", err);
    prepare(&map);
    if (directory_reader_open(state, &reader, err, sizeof err))
        fail_msg("%s", err);
    return 0;
}

/* Closes a scratch state folder's reader and store, and removes it. */
static void drop_state(directory_reader *r, sg_store *s, const char *dir)
{
    char cmd[128];
    directory_reader_close(r);
    store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
    (void)!system(cmd);
}

static int teardown(void **st)
{
    (void)st;
    drop_state(reader, store, state);
    instrument_free(inst);
    return 0;
}

static match_query query(const char *domain, const char *lang)
{
    match_query q = {1u << instrument_domain_index(inst, domain), lang, 39.7990, -89.6440,
                     0, 3, 20261124 /* Tuesday */, 10 * 60, -1, 180};
    return q;
}

static size_t match_one(const char *domain, const char *lang, sg_resource *out)
{
    match_query q = query(domain, lang);
    return directory_match(reader, inst, &q, out, 3);
}

static void demo_imports_and_every_domain_finds_help(void **st)
{
    sg_resource out[3];
    (void)st;
    assert_true(directory_reader_count(reader) >= 60);
    for (int d = 0; d < inst->ndomains; d++) {
        size_t n = match_one(inst->domains[d].name, "en", out);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(out[i].domain, d);
            assert_true(out[i].name[0] && out[i].phone[0]);
            assert_true(out[i].why[0]);
            if (i)
                assert_string_not_equal(out[i].service_id, out[i - 1].service_id);
        }
    }
}

/* The publisher's assured_date is kept: it decides staleness with the
 * clinic's own verification. */
static void assured_date_is_kept(void **st)
{
    char path[128];
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    (void)st;

    snprintf(path, sizeof path, "%s/%s", state, DIRECTORY_DB_FILE);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT assured_date FROM services WHERE id = ?1",
                                        -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, "1e3c5889-6ad2-4aea-94e8-2d0496017483", -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "2024-02-09");
    assert_int_equal(directory_is_stale(NULL, (const char *)sqlite3_column_text(s, 0),
                                        20261124, 180), 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void several_domains_group_in_instrument_order(void **st)
{
    match_query q = query("food", "es");
    sg_resource out[9];
    size_t n;
    (void)st;
    q.domains |= 1u << instrument_domain_index(inst, "housing_instability");
    q.domains |= 1u << instrument_domain_index(inst, "safety");
    n = directory_match(reader, inst, &q, out, 9);
    assert_int_equal(n, 9);
    for (size_t i = 1; i < n; i++)
        assert_true(out[i - 1].domain <= out[i].domain);
    assert_int_equal(directory_match(reader, inst, &q, out, 4), 4);
}

static void curation_changes_what_patients_see(void **st)
{
    sg_resource before[3], after[3];
    dir_curation c;
    (void)st;

    assert_int_equal(match_one("food", "es", before), 3);
    /* Hide the best: it is gone, the rest move up. */
    memset(&c, 0, sizeof c);
    snprintf(c.service_id, sizeof c.service_id, "%s", before[0].service_id);
    c.hidden = 1;
    assert_int_equal(store_curation_put(store, &c), SG_OK);
    assert_int_equal(match_one("food", "es", after), 3);
    for (int i = 0; i < 3; i++)
        assert_string_not_equal(after[i].service_id, before[0].service_id);
    assert_string_equal(after[0].service_id, before[1].service_id);

    /* Unhide it, pin the third, give it a contact and words to ask for. */
    c.hidden = 0;
    assert_int_equal(store_curation_put(store, &c), SG_OK);
    memset(&c, 0, sizeof c);
    snprintf(c.service_id, sizeof c.service_id, "%s", before[2].service_id);
    c.pinned = 1;
    snprintf(c.contact_name, sizeof c.contact_name, "Rosa");
    snprintf(c.contact_phone, sizeof c.contact_phone, "217-555-0142");
    c.nask_for = 1;
    snprintf(c.ask_for[0].lang, sizeof c.ask_for[0].lang, "es");
    snprintf(c.ask_for[0].text, sizeof c.ask_for[0].text, "la despensa de los martes");
    assert_int_equal(store_curation_put(store, &c), SG_OK);
    assert_int_equal(match_one("food", "es", after), 3);
    assert_string_equal(after[0].service_id, before[2].service_id);
    assert_string_equal(after[0].contact, "Rosa, 217-555-0142");
    assert_string_equal(after[0].ask_for, "la despensa de los martes");
}

static void curation_survives_reimport(void **st)
{
    char path[128], err[512];
    sg_resource out[3];
    dir_curation c;
    (void)st;

    /* Remove the live file and prepare again: a fresh import. */
    snprintf(path, sizeof path, "%s/%s", state, DIRECTORY_DB_FILE);
    assert_int_equal(unlink(path), 0);
    prepare(&map);
    assert_int_equal(match_one("food", "es", out), 3);
    assert_string_equal(out[0].contact, "Rosa, 217-555-0142");
    assert_int_equal(store_curation_get(store, out[0].service_id, &c), SG_OK);
    assert_int_equal(c.pinned, 1);
    (void)err;
}

static void changed_map_rebuilds_the_index(void **st)
{
    sg_domain_map narrow = map;
    int food = -1;
    sg_resource out[3];
    (void)st;

    for (int i = 0; i < narrow.ndomains; i++)
        if (!strcmp(narrow.domains[i].name, "food"))
            food = i;
    assert_true(food >= 0);
    /* A map with no food terms or keywords: no food resources at all. */
    narrow.domains[food].nterms = 0;
    narrow.domains[food].nkeywords = 0;
    prepare(&narrow);
    assert_int_equal(match_one("food", "en", out), 0);
    prepare(&map);
    assert_int_equal(match_one("food", "en", out), 3);
}

static void missing_directory_is_no_resources(void **st)
{
    char err[256], empty[64];
    directory_reader *r = NULL;
    match_query q = query("food", "en");
    sg_resource out[3];
    (void)st;

    snprintf(empty, sizeof empty, "/tmp/signpost-dir-XXXXXX");
    assert_non_null(mkdtemp(empty));
    assert_int_equal(directory_reader_open(empty, &r, err, sizeof err), SG_OK);
    assert_int_equal(directory_reader_count(r), 0);
    assert_int_equal(directory_match(r, inst, &q, out, 3), 0);
    directory_reader_close(r);
    rmdir(empty);
}

/* ---- a crowded neighbourhood: the nearest services must be the ones offered ---- */

#define CROWD 1500 /* services; the i-th nearest stands 0.02 + 0.0016 i km away */
#define CROWD_FAR 5 /* and one more of each domain 50 km out */
#define CROWD_DOMAINS 5
#define KIOSK_LAT 39.7990
#define KIOSK_LON -89.6440

/* Service i serves domain i % CROWD_DOMAINS through one of its map terms. */
static const char *const crowd_domain[CROWD_DOMAINS] = {
    "food", "housing_instability", "transportation", "utilities", "safety"};
static const char *const crowd_term[CROWD_DOMAINS] = {"1130", "1135", "1105", "1119", "1123"};

static char crowd_dir[64];
static sg_store *crowd_store;
static directory_reader *crowd;

/* On a golden-angle spiral: services next in distance are far apart in
 * direction, and the sids are shuffled, so neither the R*Tree's order nor
 * the insertion order is the order of distance.  The far ones stretch the
 * directory's extent, so the reader's first box is far too big and must
 * be shrunk. */
static void crowd_place(int i, double *lat, double *lon)
{
    double km = i < CROWD ? 0.02 + 0.0016 * i : 50.0, a = 2.399963 * i;
    *lat = KIOSK_LAT + km * cos(a) / 111.2;
    *lon = KIOSK_LON + km * sin(a) / (111.2 * cos(KIOSK_LAT * M_PI / 180.0));
}

/* Every service alike but for where it stands: Spanish, active, no hours
 * (unknown to all), no curation, so only distance can order them. */
static void crowd_insert(sqlite3 *db)
{
    sqlite3_stmt *sv = NULL, *tm = NULL, *geo = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO services(sid, id, name, languages, latitude,"
                                        " longitude) VALUES(?1, ?2, ?2, 'en,es', ?3, ?4)",
                                        -1, &sv, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO service_terms VALUES(?1, ?2, '')", -1,
                                        &tm, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO service_geo VALUES(?1, ?2, ?2, ?3, ?3)",
                                        -1, &geo, NULL), SQLITE_OK);
    for (int i = 0; i < CROWD + CROWD_FAR; i++) {
        char id[32];
        double lat, lon;
        int sid = 1 + (i * 337) % (CROWD + CROWD_FAR); /* 337 is a prime: a shuffle */
        crowd_place(i, &lat, &lon);
        snprintf(id, sizeof id, "crowd-%04d", i);
        sqlite3_bind_int(sv, 1, sid);
        sqlite3_bind_text(sv, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(sv, 3, lat);
        sqlite3_bind_double(sv, 4, lon);
        sqlite3_bind_int(tm, 1, sid);
        sqlite3_bind_text(tm, 2, crowd_term[i % CROWD_DOMAINS], -1, SQLITE_STATIC);
        sqlite3_bind_int(geo, 1, sid);
        sqlite3_bind_double(geo, 2, lat);
        sqlite3_bind_double(geo, 3, lon);
        assert_int_equal(sqlite3_step(sv), SQLITE_DONE);
        assert_int_equal(sqlite3_step(tm), SQLITE_DONE);
        assert_int_equal(sqlite3_step(geo), SQLITE_DONE);
        sqlite3_reset(sv), sqlite3_reset(tm), sqlite3_reset(geo);
    }
    sqlite3_finalize(sv);
    sqlite3_finalize(tm);
    sqlite3_finalize(geo);
}

static sqlite3 *crowd_db(void)
{
    char path[128];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/%s", crowd_dir, DIRECTORY_DB_FILE);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

/* The directory as an import would leave it, written row by row. */
static int crowd_setup(void **st)
{
    char err[512];
    sqlite3 *db;
    (void)st;
    snprintf(crowd_dir, sizeof crowd_dir, "/tmp/signpost-crowd-XXXXXX");
    if (!mkdtemp(crowd_dir) || store_open(crowd_dir, 2, &crowd_store, err, sizeof err))
        fail_msg("crowd: %s", err);
    db = crowd_db();
    assert_int_equal(sqlite3_exec(db, directory_db_schema(), NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    crowd_insert(db);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    if (directory_db_map_domains(db, &map, err, sizeof err))
        fail_msg("crowd: %s", err);
    sqlite3_close(db);
    if (directory_reader_open(crowd_dir, &crowd, err, sizeof err))
        fail_msg("crowd: %s", err);
    return 0;
}

static int crowd_teardown(void **st)
{
    (void)st;
    drop_state(crowd, crowd_store, crowd_dir);
    return 0;
}

#define CROWD_PLACES 10

/* Offers of domain d must be its services from the skip-th nearest on,
 * nearest first. */
static void expect_nearest(directory_reader *r, int d, int skip)
{
    match_query q = query(crowd_domain[d], "es");
    sg_resource out[CROWD_PLACES];
    size_t n;

    q.per_domain = CROWD_PLACES;
    n = directory_match(r, inst, &q, out, CROWD_PLACES);
    assert_int_equal(n, CROWD_PLACES);
    for (int k = 0; k < CROWD_PLACES; k++) {
        char want[32];
        snprintf(want, sizeof want, "crowd-%04d", d + CROWD_DOMAINS * (skip + k));
        assert_string_equal(out[k].service_id, want);
        if (k)
            assert_true(out[k].distance_km > out[k - 1].distance_km);
    }
}

static void crowd_nearest_are_offered(void **st)
{
    (void)st;
    for (int d = 0; d < CROWD_DOMAINS; d++)
        expect_nearest(crowd, d, 0);
    /* Again, from the box sizes the reader now remembers. */
    for (int d = 0; d < CROWD_DOMAINS; d++)
        expect_nearest(crowd, d, 0);
}

/* The clinic hides the 60 nearest food services: the next ones are
 * offered, also once the reader has learnt a box that holds no more than
 * those hidden ones and must look further. */
static void crowd_hidden_are_passed_over(void **st)
{
    dir_curation c;
    (void)st;
    for (int k = 0; k < 60; k++) {
        memset(&c, 0, sizeof c);
        snprintf(c.service_id, sizeof c.service_id, "crowd-%04d", CROWD_DOMAINS * k);
        c.hidden = 1;
        assert_int_equal(store_curation_put(crowd_store, &c), SG_OK);
    }
    for (int i = 0; i < 4; i++)
        expect_nearest(crowd, 0, 60);
    expect_nearest(crowd, 1, 0);
}

/* A file from before the per-domain index: the reader still finds the
 * nearest, and the next start builds the index. */
static void crowd_old_file_gets_the_index(void **st)
{
    char err[512];
    size_t problems;
    directory_reader *r = NULL;
    sqlite3 *db = crowd_db();
    (void)st;

    assert_int_equal(directory_db_has_geo(db), 1);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE service_domain_geo;"
                                      "DROP TABLE service_domain_codes;", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(directory_reader_open(crowd_dir, &r, err, sizeof err), SG_OK);
    for (int d = 1; d < CROWD_DOMAINS; d++)
        expect_nearest(r, d, 0);
    directory_reader_close(r);

    assert_int_equal(directory_prepare(crowd_dir, NULL, &map, &problems, err, sizeof err),
                     SG_OK);
    assert_int_equal(directory_db_has_geo(db), 1);
    sqlite3_close(db);
    assert_int_equal(directory_reader_open(crowd_dir, &r, err, sizeof err), SG_OK);
    for (int d = 1; d < CROWD_DOMAINS; d++)
        expect_nearest(r, d, 0);
    directory_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo_imports_and_every_domain_finds_help),
        cmocka_unit_test(assured_date_is_kept),
        cmocka_unit_test(several_domains_group_in_instrument_order),
        cmocka_unit_test(curation_changes_what_patients_see),
        cmocka_unit_test(curation_survives_reimport),
        cmocka_unit_test(changed_map_rebuilds_the_index),
        cmocka_unit_test(missing_directory_is_no_resources),
        cmocka_unit_test_setup_teardown(crowd_nearest_are_offered, crowd_setup, crowd_teardown),
        cmocka_unit_test_setup_teardown(crowd_hidden_are_passed_over, crowd_setup,
                                        crowd_teardown),
        cmocka_unit_test_setup_teardown(crowd_old_file_gets_the_index, crowd_setup,
                                        crowd_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
