/*
 * hsds_import() on every kind of source it accepts, using real published
 * data: the HSDS 3.0 specification's CSV and JSON examples, Open Referral's
 * Example City (HSDS 1.1), a .zip built here from a fixture folder, and the
 * demo directory the kiosk ships with.  Each test checks what a patient
 * would be shown (names, phones, addresses, hours, languages, terms) and
 * what a user running the import would be told.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#include "import_helpers.h"

static void spec_csv_example(void **state)
{
    import_run *r = import_ok(FIXTURE("spec-3.0-csv"));
    (void)state;

    assert_string_equal(r->sum.version, "3.0");
    assert_int_equal(r->sum.services, 1);
    /* The example's location sits at latitude 100 and names an organization
     * the package does not have; nothing else in it is wrong for the kiosk. */
    expect_problem_count(r, 2);
    expect_problem(r, HSDS_PROBLEM_COORDINATE, "locations.csv", 2, "latitude", 0);
    expect_problem(r, HSDS_PROBLEM_DANGLING, "locations.csv", 2, "organization_id", 0);
    const char *id = "ac148810-d857-441c-9679-408f346de14b";
    assert_string_equal(SVC(r, id, "name"), "Community Counselling");
    assert_string_equal(SVC(r, id, "organization"), "Example Organization Inc.");
    assert_string_equal(SVC(r, id, "status"), "active");
    /* The number is quoted inside its field in the example: the quotes go. */
    assert_string_equal(SVC(r, id, "phone"), "+44 1234 234567 ext. 100");
    assert_string_equal(SVC(r, id, "address"), ""); /* its only address is postal */
    assert_string_equal(SVC(r, id, "latitude"), "NULL");
    assert_string_equal(SVC(r, id, "languages"), "ur");
    assert_string_equal(SVC(r, id, "min_age"), "12.0");
    assert_string_equal(SVC(r, id, "max_age"), "100.0");
    assert_string_equal(SVC(r, id, "url"), "http://example.com/counselling");
    /* One schedule row, service_at_location level; timezone "3" ignored. */
    assert_string_equal(hours(r, id),
                        "0 0 1 TH,FR 2,3,4 600-1080 20050101 20050101 20050101 20050101");
    /* The example attribute links to an id that is not the service. */
    assert_int_equal(qi(r, "SELECT count(*) FROM service_terms"), 0);
    assert_int_equal(qi(r, "SELECT count(*) FROM service_geo"), 0);
    assert_string_equal(q(r, "SELECT value FROM meta WHERE key = 'hsds_version'"), "3.0");
    assert_string_equal(q(r, "SELECT value FROM meta WHERE key = 'services'"), "1");
    assert_string_equal(q(r, "SELECT value FROM meta WHERE key = 'problems'"), "2");
    assert_string_equal(q(r, "SELECT value FROM meta WHERE key = 'source'"), "test");
    assert_string_equal(q(r, "SELECT value FROM meta WHERE key = 'format'"), "1");
    assert_int_equal(qi(r, "SELECT length(value) FROM meta WHERE key = 'imported_at'"),
                     20);
    assert_int_equal(qi(r, "PRAGMA user_version"), 1);
    import_done(r);
}

/* Example City, HSDS 1.1: regular and holiday schedules, physical addresses,
 * language names, phones at every level. */
static void check_example_city(import_run *r)
{
    const char *helpline = "c89eb05c-62dd-4b64-b494-0cc347b6ea7f";

    assert_string_equal(r->sum.version, "1.x");
    assert_int_equal(r->sum.services, 13);
    assert_int_equal(r->sum.organizations, 10);
    assert_int_equal(r->sum.locations, 10);
    expect_problem_count(r, 0);
    assert_string_equal(SVC(r, helpline, "name"), "Never Homeless Helpline");
    assert_string_equal(SVC(r, helpline, "organization"), "Sanctuary Example City");
    assert_string_equal(SVC(r, helpline, "address"),
                        "Address 1, New York City, NY 10001");
    assert_string_equal(SVC(r, helpline, "languages"), "en,es");
    /* Monday to Wednesday 9 to 5, and closed 24 to 26 December 2019. */
    assert_string_equal(hours(r, helpline), "0 0 1 MO  540-1020 0 0 0 0;"
                                            "0 0 1 TU  540-1020 0 0 0 0;"
                                            "0 0 1 WE  540-1020 0 0 0 0;"
                                            "1 0 1   0-1440 0 0 20191224 20191226");
    assert_string_equal(SVC(r, "a27a0710-72d2-41a2-8947-9d0e0e69e257", "status"),
                        "inactive");
    /* A phone of the service's location, with its extension. */
    assert_string_equal(SVC(r, "25f6e86d-ba99-4819-b6f4-2f23dbe38806", "phone"),
                        "(0123) 4567 8900 ext. 42");
    /* The service's own line. */
    assert_string_equal(SVC(r, "21a1192b-abb9-45e8-bc52-c81ca4087240", "phone"),
                        "(223) 4567 12534");
    /* The organization's voice line, not its textphone. */
    assert_string_equal(SVC(r, "62e95523-07b9-4d1b-9bcf-6cea6e2be5d8", "phone"),
                        "(223) 346 12361");
    assert_string_equal(SVC(r, "25870bcf-7528-4e05-8f0c-7e639075ce71", "latitude"),
                        "39.428192");
    assert_int_equal(qi(r, "SELECT count(*) FROM services WHERE latitude IS NULL"), 12);
    assert_int_equal(qi(r, "SELECT count(*) FROM service_geo"), 1);
    assert_string_equal(q(r, "SELECT s.name FROM service_fts JOIN services s ON s.sid ="
                             " service_fts.rowid WHERE service_fts MATCH 'laundry'"),
                        "Bubbles at The Cross");
}

static void example_city_1x(void **state)
{
    import_run *r = import_ok(FIXTURE("example-city-1.1"));
    (void)state;
    check_example_city(r);
    import_done(r);
}

/* A Page object, as GET /services answers. */
static void json_service_list(void **state)
{
    import_run *r = import_ok(FIXTURE("spec-3.0-json/service_list.json"));
    const char *id = "ac148810-d857-441c-9679-408f346de14b";
    (void)state;

    assert_string_equal(r->sum.version, "3.0-json");
    assert_int_equal(r->sum.services, 1);
    expect_problem_count(r, 0);
    assert_string_equal(SVC(r, id, "name"), "Community Counselling");
    assert_string_equal(SVC(r, id, "organization"), "Example Organization Inc.");
    assert_string_equal(SVC(r, id, "max_age"), "100.0");
    assert_string_equal(hours(r, id), "NULL"); /* hours unknown */
    import_done(r);
}

/* One service with everything nested. */
static void json_service_full(void **state)
{
    import_run *r = import_ok(FIXTURE("spec-3.0-json/service_full.json"));
    const char *id = "ac148810-d857-441c-9679-408f346de14b";
    (void)state;

    assert_int_equal(r->sum.services, 1);
    expect_problem_count(r, 1);
    expect_problem(r, HSDS_PROBLEM_COORDINATE, "service_full.json", 1,
                   "service_at_locations[0].location.latitude", 0);
    assert_string_equal(SVC(r, id, "phone"), "+44 1234 234567 ext. 100");
    assert_string_equal(SVC(r, id, "languages"), "ur");
    assert_string_equal(SVC(r, id, "latitude"), "NULL");
    /* The same schedule is nested at three levels: the service_at_location wins. */
    assert_string_equal(hours(r, id),
                        "0 0 1 TH,FR 2,3,4 600-1080 20050101 20050101 20050101 20050101");
    /* The nested attribute's term; the example's code is the word "code". */
    assert_string_equal(q(r, "SELECT code || '|' || name FROM service_terms"),
                        "code|name");
    import_done(r);
}

/* Zips folder's files under prefix, with the junk real archives carry. */
static void make_zip(const char *folder, const char *prefix, const char *zip_path)
{
    static const char junk[] = "Mac OS resource fork";
    int err = 0;
    zip_t *z = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    DIR *d = opendir(folder);
    struct dirent *e;
    char name[512], path[1024];
    zip_source_t *src;

    assert_non_null(z);
    assert_non_null(d);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        snprintf(name, sizeof name, "%s%s", prefix, e->d_name);
        assert_non_null(src = zip_source_file(z, path, 0, -1));
        assert_true(zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    closedir(d);
    snprintf(name, sizeof name, "__MACOSX/%s._services.csv", prefix);
    assert_non_null(src = zip_source_buffer(z, junk, sizeof junk - 1, 0));
    assert_true(zip_file_add(z, name, src, 0) >= 0);
    assert_non_null(src = zip_source_buffer(z, junk, sizeof junk - 1, 0));
    assert_true(zip_file_add(z, "README.txt", src, 0) >= 0);
    assert_int_equal(zip_close(z), 0);
}

static void zip_with_a_folder_inside(void **state)
{
    char dir[] = "/tmp/signpost-zip-XXXXXX", zip_path[128];
    import_run *r;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(zip_path, sizeof zip_path, "%s/example-city.zip", dir);
    make_zip(FIXTURE("example-city-1.1"), "example-city-export/", zip_path);
    r = import_ok(zip_path);
    check_example_city(r);
    import_done(r);

    /* Backslashes as some old Windows tools write them: still a folder. */
    make_zip(FIXTURE("example-city-1.1"), "export\\", zip_path);
    r = import_ok(zip_path);
    check_example_city(r);
    import_done(r);

    /* Problems name the file inside the archive. */
    make_zip(FIXTURE("problems/duplicates"), "pkg/", zip_path);
    r = import_ok(zip_path);
    expect_problem(r, HSDS_PROBLEM_DUPLICATE, "pkg/services.csv", 4, "id", 1);
    import_done(r);
    unlink(zip_path);
    rmdir(dir);
}

/* A .zip that is cut short is refused, not half imported. */
static void damaged_zip(void **state)
{
    char dir[] = "/tmp/signpost-zip-XXXXXX", zip_path[128], cut[128];
    FILE *in, *out;
    char buf[512];
    import_run *r;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(zip_path, sizeof zip_path, "%s/whole.zip", dir);
    snprintf(cut, sizeof cut, "%s/cut.zip", dir);
    make_zip(FIXTURE("example-city-1.1"), "", zip_path);
    assert_non_null(in = fopen(zip_path, "rb"));
    assert_non_null(out = fopen(cut, "wb"));
    assert_int_equal(fread(buf, 1, sizeof buf, in), sizeof buf);
    fwrite(buf, 1, sizeof buf, out);
    fclose(in);
    fclose(out);
    r = import_path(cut);
    assert_int_equal(r->rc, SG_EINVAL);
    assert_non_null(strstr(r->err, "zip"));
    import_done(r);
    unlink(zip_path);
    unlink(cut);
    rmdir(dir);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The directory the kiosk ships with imports cleanly and quickly. */
static void demo_directory(void **state)
{
    double t0 = now_s();
    import_run *r = import_ok(DEMO_DIRECTORY);
    double took = now_s() - t0;
    (void)state;

    print_message("demo directory: %zu services imported in %.0f ms\n", r->sum.services,
                  took * 1000);
    expect_problem_count(r, 0);
    assert_int_equal(r->sum.services, 69);
    assert_int_equal(qi(r, "SELECT count(*) FROM services WHERE phone = ''"), 0);
    assert_int_equal(qi(r, "SELECT count(*) FROM services WHERE latitude IS NOT NULL"),
                     qi(r, "SELECT count(*) FROM service_geo"));
    assert_true(qi(r, "SELECT count(DISTINCT sid) FROM schedules") > 50);
    assert_true(qi(r, "SELECT count(DISTINCT sid) FROM service_terms") > 50);
    assert_true(qi(r, "SELECT count(*) FROM services WHERE languages LIKE '%%es%%'") >
                10);
    assert_string_equal(SVC(r, "5d7fdd21-7875-4533-b552-1f4ea83a2e6c", "name"),
                        "Overnight Emergency Shelter");
    assert_string_equal(SVC(r, "5d7fdd21-7875-4533-b552-1f4ea83a2e6c", "min_age"),
                        "18.0");
    assert_true(took < 5.0);
    import_done(r);
}

/* Not HSDS at all: refused with a reason, and no file left behind. */
static void not_hsds(void **state)
{
    char dir[] = "/tmp/signpost-nothsds-XXXXXX", path[128], out[160];
    FILE *f;
    import_run *r;
    (void)state;

    r = import_path(FIXTURE("problems/no-services"));
    assert_int_equal(r->rc, SG_EINVAL);
    assert_non_null(strstr(r->err, "services.csv"));
    import_done(r);

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("these are not the services you are looking for\n", f);
    fclose(f);
    r = import_path(path);
    assert_int_equal(r->rc, SG_EINVAL);
    assert_non_null(strstr(r->err, "not HSDS"));
    import_done(r);

    r = import_path("/nonexistent/hsds");
    assert_int_equal(r->rc, SG_EINVAL);
    import_done(r);

    /* An output that exists already is not ours to replace or remove. */
    snprintf(out, sizeof out, "%s/directory.db", dir);
    assert_non_null(f = fopen(out, "w"));
    fputs("precious", f);
    fclose(f);
    hsds_summary sum;
    char err[256];
    assert_int_equal(hsds_import(DEMO_DIRECTORY, out, NULL, &sum, err, sizeof err),
                     SG_EINVAL);
    assert_int_equal(access(out, F_OK), 0);
    unlink(out);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_csv_example),         cmocka_unit_test(example_city_1x),
        cmocka_unit_test(json_service_list),        cmocka_unit_test(json_service_full),
        cmocka_unit_test(zip_with_a_folder_inside), cmocka_unit_test(damaged_zip),
        cmocka_unit_test(demo_directory),           cmocka_unit_test(not_hsds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
