/*
 * The directory as the kiosk uses it: the bundled demo imported into a
 * scratch state folder (as on a first start), matched through the reader,
 * curated in the store.  Checks that every domain finds help, that curation
 * changes what the patient sees (hide, pin, contact, what to ask for) and
 * survives a re-import, that a changed domain map rebuilds the index, and
 * that an installed import replaces the directory under a running reader.
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

static int teardown(void **st)
{
    char cmd[128];
    (void)st;
    directory_reader_close(reader);
    store_close(store);
    instrument_free(inst);
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", state);
    (void)!system(cmd);
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
