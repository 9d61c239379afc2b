/*
 * The importer at size: a synthetic 40,000-service directory
 * (bench/gen_hsds, shaped like a regional 211 export: organizations with
 * several services and locations, schedules and phones at every level,
 * locations without coordinates) imports completely and in seconds.
 *
 * It also guards the SQL's query plans: a plan that walks a whole table per
 * service (the '' of "no link" fills most of an index) turned this import
 * from seconds into many minutes once already.  The test asserts what is
 * stored, not how fast: the speed is measured by bench/bench_directory, and
 * ctest's timeout for this test (tests/import/CMakeLists.txt) is far below
 * what such a plan costs, so a regression still fails here.
 */
#include <sys/stat.h>
#include <time.h>

#include "gen_hsds.h"
#include "import_helpers.h"

#define SERVICES 40000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rm_rf(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void forty_thousand_services(void **state)
{
    char dir[] = "/tmp/signpost-scale-XXXXXX", err[256];
    gen_hsds_stats st;
    import_run *r;
    double t0, took;
    (void)state;

    assert_non_null(mkdtemp(dir));
    if (gen_hsds_write(SERVICES, dir, GEN_HSDS_SEED, &st, err, sizeof err))
        fail_msg("gen_hsds: %s", err);
    t0 = now_s();
    r = import_ok(dir);
    took = now_s() - t0;
    print_message("%d services (%llu bytes of CSV) imported in %.1f s\n", SERVICES,
                  (unsigned long long)st.bytes, took);
    expect_problem_count(r, 0);
    assert_int_equal(r->sum.services, st.services);
    assert_int_equal(r->sum.organizations, st.organizations);
    assert_int_equal(r->sum.locations, st.locations);
    assert_int_equal(qi(r, "SELECT count(*) FROM services WHERE status = 'inactive'"),
                     st.inactive);
    assert_int_equal(qi(r, "SELECT count(*) FROM service_geo"),
                     st.services - st.unlocated);
    assert_int_equal(qi(r, "SELECT count(*) FROM services WHERE phone = ''"), 0);
    assert_true(qi(r, "SELECT count(DISTINCT sid) FROM schedules") > SERVICES / 2);
    import_done(r);
    rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forty_thousand_services),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
