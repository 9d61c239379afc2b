/*
 * One fixture per class of problem the importer reports (tests/data/hsds/
 * problems/): each test checks the exact list a user would read (file, row,
 * column, kind, whether the row was left out) and that everything sound in
 * the same files was still imported.
 */
#include "import_helpers.h"

static void missing_fields(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/missing"));
    (void)state;

    expect_problem_count(r, 6);
    expect_problem(r, HSDS_PROBLEM_MISSING, "services.csv", 3, "name", 1);
    expect_problem(r, HSDS_PROBLEM_MISSING, "services.csv", 4, "id", 1);
    expect_problem(r, HSDS_PROBLEM_MISSING, "services.csv", 5, "organization_id", 0);
    /* A column the file lacks is reported once, on the header row. */
    const seen_problem *p =
        expect_problem(r, HSDS_PROBLEM_MISSING, "phones.csv", 1, "number", 1);
    assert_non_null(strstr(p->message, "no number column"));
    expect_problem(r, HSDS_PROBLEM_MISSING, "schedules.csv", 3, "opens_at", 1);
    expect_problem(r, HSDS_PROBLEM_MISSING, "schedules.csv", 4, "service_id", 1);
    assert_int_equal(r->sum.services, 2);
    assert_int_equal(r->sum.skipped, 5); /* two services, one phone, two schedules */
    assert_string_equal(SVC(r, "svc-4", "name"), "Orphan Service");
    assert_string_equal(SVC(r, "svc-4", "organization"), "");
    assert_string_equal(SVC(r, "svc-1", "phone"), "");
    assert_string_equal(hours(r, "svc-1"), "0 0 1 MO  540-1020 0 0 0 0");
    import_done(r);
}

static void bad_values(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/bad-values"));
    const seen_problem *p;
    (void)state;

    expect_problem_count(r, 10);
    p = expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "services.csv", 2, "minimum_age", 0);
    assert_string_equal(p->message, "minimum_age \"twelve\" is not a number");
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "services.csv", 3, "status", 0);
    p = expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 2, "opens_at", 1);
    assert_string_equal(p->message, "opens_at \"25:00\" is not a time");
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 4, "byday", 1);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 5, "freq", 1);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 6, "interval", 1);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 7, "bymonthday", 1);
    p = expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 8, "valid_from", 1);
    assert_string_equal(p->message,
                        "valid_from \"2024-13-01\" is not a date (YYYY-MM-DD)");
    /* An ordinal needs MONTHLY. */
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "schedules.csv", 10, "byday", 1);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "languages.csv", 2, "name", 1);
    /* What was sound is there: the blanked age, the kept status, "9:00am" to
     * "5pm", the monthly rule, Spanish by name and Vietnamese by code. */
    assert_string_equal(SVC(r, "svc-1", "min_age"), "NULL");
    assert_string_equal(SVC(r, "svc-1", "max_age"), "65.0");
    assert_string_equal(SVC(r, "svc-1", "status"), "active");
    assert_string_equal(SVC(r, "svc-2", "status"), "open");
    assert_string_equal(hours(r, "svc-1"),
                        "0 0 1 TU  540-1020 0 0 0 0;"
                        "0 1 1 1SA,-1FR  600-840 0 0 20240101 20241231");
    assert_string_equal(SVC(r, "svc-1", "languages"), "es,vi");
    import_done(r);
}

static void dangling_links(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/dangling"));
    const seen_problem *p;
    (void)state;

    expect_problem_count(r, 9);
    p = expect_problem(r, HSDS_PROBLEM_DANGLING, "services.csv", 3, "organization_id", 0);
    assert_string_equal(p->message, "organization_id \"org-x\" names no organization");
    expect_problem(r, HSDS_PROBLEM_DANGLING, "service_at_location.csv", 3, "service_id",
                   1);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "service_at_location.csv", 4, "location_id",
                   1);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "addresses.csv", 3, "location_id", 1);
    /* A phone goes only when none of its links leads anywhere. */
    expect_problem(r, HSDS_PROBLEM_DANGLING, "phones.csv", 3, "service_id", 1);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "phones.csv", 4, "service_id", 0);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "schedules.csv", 3, "location_id", 1);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "attributes.csv", 3, "taxonomy_term_id", 1);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "attributes.csv", 4, "link_id", 1);
    assert_int_equal(r->sum.skipped, 7);
    assert_int_equal(r->sum.services, 2);
    assert_string_equal(SVC(r, "svc-2", "organization"), "");
    assert_string_equal(SVC(r, "svc-1", "organization"), "Riverton Helpers");
    assert_string_equal(SVC(r, "svc-1", "phone"), "(217) 555-0101");
    assert_string_equal(SVC(r, "svc-1", "address"), "1 Main Street, Riverton, IL 62999");
    assert_string_equal(hours(r, "svc-1"), "0 0 1 MO  540-1020 0 0 0 0");
    assert_string_equal(q(r, "SELECT group_concat(code) FROM service_terms"), "1102");
    import_done(r);
}

static void coordinates(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/coordinates"));
    const seen_problem *p;
    (void)state;

    expect_problem_count(r, 4);
    p = expect_problem(r, HSDS_PROBLEM_COORDINATE, "locations.csv", 3, "latitude", 0);
    assert_non_null(strstr(p->message, "out of range"));
    p = expect_problem(r, HSDS_PROBLEM_COORDINATE, "locations.csv", 4, "longitude", 0);
    assert_non_null(strstr(p->message, "longitude is empty but latitude is given"));
    expect_problem(r, HSDS_PROBLEM_COORDINATE, "locations.csv", 5, "latitude", 0);
    expect_problem(r, HSDS_PROBLEM_COORDINATE, "locations.csv", 6, "latitude", 0);
    /* Every service is kept; only the first has a position. */
    assert_int_equal(r->sum.services, 6);
    assert_int_equal(r->sum.skipped, 0);
    assert_string_equal(SVC(r, "svc-1", "latitude || ',' || longitude"), "39.8,-89.6");
    for (int i = 2; i <= 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "svc-%d", i);
        assert_string_equal(SVC(r, id, "latitude"), "NULL");
        assert_string_equal(SVC(r, id, "longitude"), "NULL");
    }
    assert_int_equal(qi(r, "SELECT count(*) FROM service_geo"), 1);
    import_done(r);
}

static void duplicate_ids(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/duplicates"));
    const seen_problem *p;
    (void)state;

    expect_problem_count(r, 2);
    p = expect_problem(r, HSDS_PROBLEM_DUPLICATE, "services.csv", 4, "id", 1);
    assert_string_equal(p->message, "id \"svc-1\" is already used on row 2");
    expect_problem(r, HSDS_PROBLEM_DUPLICATE, "phones.csv", 3, "id", 1);
    /* The first of each wins. */
    assert_int_equal(r->sum.services, 2);
    assert_string_equal(SVC(r, "svc-1", "name"), "First");
    assert_string_equal(SVC(r, "svc-1", "phone"), "(217) 555-0101");
    assert_string_equal(SVC(r, "svc-2", "phone"), "");
    import_done(r);
}

static void csv_quoting(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/quoting"));
    const seen_problem *p;
    (void)state;

    expect_problem_count(r, 2);
    p = expect_problem(r, HSDS_PROBLEM_FORMAT, "services.csv", 3, "", 1);
    assert_non_null(strstr(p->message, "a quote inside an unquoted field"));
    /* An unclosed quote swallows the rest of the file: one record, reported. */
    p = expect_problem(r, HSDS_PROBLEM_FORMAT, "services.csv", 7, "", 1);
    assert_non_null(strstr(p->message, "never closed"));
    assert_int_equal(r->sum.services, 3);
    assert_string_equal(SVC(r, "svc-1", "description"), "Food, and more");
    assert_string_equal(SVC(r, "svc-3", "name"), "Good \"quoted\" name");
    assert_string_equal(SVC(r, "svc-3", "description"), "multi\nline description");
    assert_string_equal(SVC(r, "svc-4", "name"), "After");
    assert_string_equal(SVC(r, "svc-6", "name"), "-");
    import_done(r);
}

static void bad_json(void **state)
{
    import_run *r = import_path(FIXTURE("problems/bad.json"));
    const seen_problem *p;
    (void)state;

    assert_int_equal(r->rc, SG_EINVAL);
    expect_problem_count(r, 1);
    p = expect_problem(r, HSDS_PROBLEM_FORMAT, "bad.json", 2, "", 0);
    assert_non_null(strstr(p->message, "column 38"));
    assert_non_null(strstr(r->err, "bad.json:2:38"));
    import_done(r);
}

/* A spreadsheet's "Unicode Text" export: said plainly, not read as garbage. */
static void utf16_file(void **state)
{
    import_run *r = import_path(FIXTURE("problems/utf16"));
    const seen_problem *p;
    (void)state;

    assert_int_equal(r->rc, SG_EINVAL); /* its only services.csv cannot be read */
    expect_problem_count(r, 1);
    p = expect_problem(r, HSDS_PROBLEM_FORMAT, "services.csv", 1, "", 0);
    assert_non_null(strstr(p->message, "UTF-16"));
    assert_non_null(strstr(r->err, "no usable service"));
    import_done(r);
}

/* JSON records: problems carry the record number and the path inside it. */
static void json_problems(void **state)
{
    import_run *r = import_ok(FIXTURE("problems/problems.json"));
    const seen_problem *p;
    (void)state;

    expect_problem_count(r, 5);
    expect_problem(r, HSDS_PROBLEM_MISSING, "problems.json", 2, "name", 1);
    expect_problem(r, HSDS_PROBLEM_COORDINATE, "problems.json", 3,
                   "service_at_locations[0].location.latitude", 0);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "problems.json", 4, "schedules[0].opens_at",
                   1);
    expect_problem(r, HSDS_PROBLEM_FORMAT, "problems.json", 5, "", 1);
    p = expect_problem(r, HSDS_PROBLEM_DUPLICATE, "problems.json", 6, "id", 1);
    assert_string_equal(p->message, "id \"svc-1\" is already used by record 1");
    assert_int_equal(r->sum.services, 3);
    assert_string_equal(SVC(r, "svc-1", "name"), "Pantry");
    assert_string_equal(SVC(r, "svc-1", "organization"), "Riverton Helpers");
    assert_string_equal(hours(r, "svc-1"), "0 0 1 MO  540-1020 0 0 0 0");
    assert_string_equal(SVC(r, "svc-3", "organization"), "Riverton Helpers");
    assert_string_equal(SVC(r, "svc-3", "latitude"), "NULL");
    assert_string_equal(hours(r, "svc-4"), "NULL");
    import_done(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_fields), cmocka_unit_test(bad_values),
        cmocka_unit_test(dangling_links), cmocka_unit_test(coordinates),
        cmocka_unit_test(duplicate_ids),  cmocka_unit_test(csv_quoting),
        cmocka_unit_test(utf16_file),     cmocka_unit_test(bad_json),
        cmocka_unit_test(json_problems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
