/*
 * Matching against the bundled demo directory and domain map: every domain
 * finds resources, results are ordered and capped, inactive services never
 * appear, keyword search reaches services without taxonomy codes, and a
 * directory with broken rows still loads the good ones.
 */
#include <math.h>
#include "helpers.h"
#include "signpost/directory.h"

static sg_directory *dir;
static sg_domain_map map;

static int setup(void **state)
{
    char err[256];
    size_t skipped = 0;
    (void)state;
    inst = load_core();
    if (domain_map_load(SOURCE_DIR "/data/taxonomy/domain-map.ini", inst, &map, err,
                        sizeof err))
        fail_msg("%s", err);
    if (directory_load_csv(SOURCE_DIR "/data/demo-directory", &dir, &skipped, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(skipped, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    directory_free(dir);
    instrument_free(inst);
    return 0;
}

static match_query query(const char *domain, const char *lang)
{
    match_query q = {1u << instrument_domain_index(inst, domain), lang, 39.7990, -89.6440,
                     0, 3, 1 /* Tuesday */, 10 * 60, 20261124};
    return q;
}

static const dir_service *service(const char *id)
{
    for (size_t i = 0; i < dir->nservices; i++)
        if (!strcmp(dir->services[i].id, id))
            return &dir->services[i];
    return NULL;
}

static void every_domain_has_resources(void **state)
{
    (void)state;
    for (int d = 0; d < inst->ndomains; d++) {
        sg_resource out[8];
        match_query q = query(inst->domains[d].name, "en");
        size_t n = directory_match(dir, &map, inst, &q, out, 8);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
            const dir_service *s = service(out[i].service_id);
            assert_int_equal(out[i].domain, d);
            assert_non_null(s);
            assert_true(!*s->status || !strcmp(s->status, "active"));
            assert_true(out[i].name[0]);
            assert_true(out[i].why[0]);
        }
    }
}

static void grouped_in_instrument_order_and_capped(void **state)
{
    (void)state;
    sg_resource out[32];
    match_query q = query("food", "en");
    q.domains |= 1u << instrument_domain_index(inst, "housing_instability");
    q.per_domain = 2;
    size_t n = directory_match(dir, &map, inst, &q, out, 32);
    assert_int_equal(n, 4);
    assert_string_equal(inst->domains[out[0].domain].name, "housing_instability");
    assert_string_equal(inst->domains[out[3].domain].name, "food");
    assert_int_equal(directory_match(dir, &map, inst, &q, out, 3), 3);
}

static void open_now_before_closed_and_spanish_hours(void **state)
{
    (void)state;
    sg_resource out[3];
    match_query q = query("food", "es");
    size_t n = directory_match(dir, &map, inst, &q, out, 3);
    assert_true(n > 0);
    /* Ordered: nobody open now may come after one that is not. */
    for (size_t i = 1; i < n; i++)
        assert_false(out[i].open_now == 1 && out[i - 1].open_now == 0);
    for (size_t i = 0; i < n; i++)
        if (out[i].hours[0])
            assert_true(!strncmp(out[i].hours, "Abierto", 7) || !strncmp(out[i].hours, "Abre", 4) ||
                        !strncmp(out[i].hours, "Cerrado", 7));
    assert_non_null(strstr(out[0].why, "Ofrece ayuda con"));
}

static void radius_limits_distance(void **state)
{
    (void)state;
    sg_resource out[3];
    match_query q = query("food", "en");
    q.radius_km = 1.0;
    size_t n = directory_match(dir, &map, inst, &q, out, 3);
    for (size_t i = 0; i < n; i++)
        assert_true(isnan(out[i].distance_km) || out[i].distance_km <= 1.0);
}

static void keyword_reaches_unclassified_service(void **state)
{
    (void)state;
    const dir_service *unclassified = NULL;
    for (size_t i = 0; i < dir->nservices && !unclassified; i++)
        if (dir->services[i].nterms == 0 && !strcmp(dir->services[i].status, "active"))
            unclassified = &dir->services[i];
    assert_non_null(unclassified);
    int found = 0;
    for (int d = 0; d < inst->ndomains; d++) {
        sg_resource out[64];
        match_query q = query(inst->domains[d].name, "en");
        q.per_domain = 64;
        size_t n = directory_match(dir, &map, inst, &q, out, 64);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(out[i].service_id, unclassified->id)) {
                found = 1;
                assert_non_null(strstr(out[i].why, "description mentions"));
            }
    }
    assert_true(found);
}

static void distance(void **state)
{
    (void)state;
    /* One degree of latitude is about 111.2 km. */
    assert_true(fabs(directory_distance_km(39, -89, 40, -89) - 111.2) < 0.5);
}

static void broken_rows_are_skipped_and_reported(void **state)
{
    (void)state;
    char d[] = "/tmp/signpost-dir-XXXXXX", path[128], err[256];
    sg_directory *got = NULL;
    size_t skipped = 0;
    assert_non_null(mkdtemp(d));
    snprintf(path, sizeof path, "%s/services.csv", d);
    FILE *f = fopen(path, "w");
    fputs("id,organization_id,name,description,status\n"
          "s1,o1,Pantry,Food,active\n,o1,No id,x,active\ns2,o1,Meals,Food,active\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/organizations.csv", d);
    f = fopen(path, "w");
    fputs("id,name\no1,Org\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/schedules.csv", d);
    f = fopen(path, "w");
    fputs("id,service_id,byday,opens_at,closes_at\nh1,s1,MO,9am,17:00\nh2,s2,MO,09:00,17:00\n", f);
    fclose(f);
    assert_int_equal(directory_load_csv(d, &got, &skipped, err, sizeof err), SG_OK);
    assert_int_equal(got->nservices, 2);
    assert_int_equal(skipped, 2);
    assert_non_null(strstr(err, "schedules.csv:2: bad byday, opens_at or closes_at"));
    assert_int_equal(got->services[1].nblocks, 1);
    directory_free(got);
    (void)!system("rm -rf /tmp/signpost-dir-*");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_domain_has_resources),
        cmocka_unit_test(grouped_in_instrument_order_and_capped),
        cmocka_unit_test(open_now_before_closed_and_spanish_hours),
        cmocka_unit_test(radius_limits_distance),
        cmocka_unit_test(keyword_reaches_unclassified_service),
        cmocka_unit_test(distance),
        cmocka_unit_test(broken_rows_are_skipped_and_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
