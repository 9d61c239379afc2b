/*
 * Start-up configuration through the real binary: a wrong key, section or
 * value stops start-up with exit 1 and "FILE:LINE: [section] key: why"; a
 * bad --listen is a usage error (exit 2); a malformed instrument file stops
 * start-up naming that file; and valid settings reach the API (idle timer,
 * local safety threshold, body limit, languages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

typedef struct {
    char dir[ITEST_PATH];      /* holds the config file and any fixtures */
    char conf[ITEST_PATH * 2]; /* the config file */
    itest_daemon *d;
} cfg_run;

/* Writes text as dir/signpost.conf and spawns the daemon with it. */
static void spawn_with(cfg_run *run, const char *text, const char *listen)
{
    itest_opts o = {0};

    if (!run->dir[0])
        assert_int_equal(itest_mkdtemp(run->dir, sizeof run->dir), 0);
    assert_int_equal(
        itest_write_file(run->dir, "signpost.conf", text, run->conf, sizeof run->conf),
        0);
    o.config = run->conf;
    o.listen = listen;
    run->d = itest_spawn(&o);
    assert_non_null(run->d);
}

static void finish(cfg_run *run)
{
    itest_free(run->d);
    run->d = NULL;
    itest_rmtree(run->dir);
}

/* The daemon must exit with code within 10 s, never listening, saying each needle. */
static void expect_exit(cfg_run *run, int code, const char *const *needles)
{
    int got = itest_wait_exit(run->d, ITEST_WAIT_MS);

    if (got != code)
        itest_dump_log(run->d, "unexpected exit status");
    assert_int_equal(got, code);
    assert_false(itest_log_contains(run->d, "kiosk listening"));
    for (; *needles; needles++) {
        if (!itest_log_contains(run->d, *needles))
            itest_dump_log(run->d, *needles);
        assert_true(itest_log_contains(run->d, *needles));
    }
}

/* "FILE:LINE: [section] key" for the config file of run. */
static void where(const cfg_run *run, int line, const char *what, char *out, size_t len)
{
    snprintf(out, len, "%s:%d: %s", run->conf, line, what);
}

static void unknown_key_stops_startup(void **state)
{
    cfg_run run = {{0}, {0}, NULL};
    char loc[ITEST_PATH * 3];
    (void)state;

    spawn_with(&run, "; a comment\n[kiosk]\nidel_warning_s = 5\n", NULL);
    where(&run, 3, "[kiosk] idel_warning_s", loc, sizeof loc);
    const char *needles[] = {loc, "unknown key", NULL};
    expect_exit(&run, 1, needles);
    finish(&run);
}

static void unknown_section_stops_startup(void **state)
{
    cfg_run run = {{0}, {0}, NULL};
    char loc[ITEST_PATH * 3];
    (void)state;

    spawn_with(&run, "[kiosk]\nid = k2\n[kiosks]\nid = k3\n", NULL);
    where(&run, 4, "[kiosks]", loc, sizeof loc);
    const char *needles[] = {loc, "unknown section", NULL};
    expect_exit(&run, 1, needles);
    finish(&run);
}

static void bad_values_stop_startup(void **state)
{
    static const struct {
        const char *text;
        int line;
        const char *key;
        const char *why;
    } cases[] = {
        {"[kiosk]\nidle_warning_s = abc\n", 2, "[kiosk] idle_warning_s", "\"abc\""},
        {"[kiosk]\n\nidle_reset_s = 0\n", 3, "[kiosk] idle_reset_s", "\"0\""},
        {"[kiosk]\nlisten = localhost\n", 2, "[kiosk] listen", "\"localhost\""},
        {"[kiosk]\nlanguages = en,spanish\n", 2, "[kiosk] languages", "spanish"},
        {"[clinic]\ntimezone = Mars/Olympus\n", 2, "[clinic] timezone", "Mars/Olympus"},
        {"[printer]\ntransport = pigeon\n", 2, "[printer] transport", "pigeon"},
        {"[kiosk]\nid = a\nid = b\n", 3, "[kiosk] id", "set twice"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cfg_run run = {{0}, {0}, NULL};
        char loc[ITEST_PATH * 3];
        spawn_with(&run, cases[i].text, NULL);
        where(&run, cases[i].line, cases[i].key, loc, sizeof loc);
        const char *needles[] = {loc, cases[i].why, NULL};
        expect_exit(&run, 1, needles);
        finish(&run);
    }
}

static void bad_listen_is_a_usage_error(void **state)
{
    static const char *const listens[] = {"127.0.0.1",       "300.0.0.1:80",
                                          "127.0.0.1:99999", "localhost:8080",
                                          ":8080",           "127.0.0.1:http"};
    (void)state;

    for (size_t i = 0; i < sizeof listens / sizeof listens[0]; i++) {
        itest_opts o = {.listen = listens[i]};
        itest_daemon *d = itest_spawn(&o);
        assert_non_null(d);
        int code = itest_wait_exit(d, ITEST_WAIT_MS);
        if (code != 2)
            itest_dump_log(d, listens[i]);
        assert_int_equal(code, 2);
        assert_true(itest_log_contains(d, "listen"));
        itest_free(d);
    }
}

static json_t *get_json(itest_daemon *d, const char *path, long status)
{
    itest_resp r;
    json_t *o;

    assert_int_equal(itest_get(d, path, NULL, &r), 0);
    assert_int_equal(r.status, status);
    o = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(o);
    return o;
}

static void stop_cleanly(cfg_run *run)
{
    assert_int_equal(itest_stop(run->d), 0);
    finish(run);
}

static void idle_warning_reaches_the_kiosk(void **state)
{
    cfg_run run = {{0}, {0}, NULL};
    json_t *o;
    (void)state;

    spawn_with(&run, "[kiosk]\nidle_warning_s = 7\nid = waiting-room-2\n", NULL);
    assert_int_equal(itest_wait_listening(run.d, ITEST_WAIT_MS), 0);
    o = get_json(run.d, "/api/v1/kiosk", 200);
    assert_int_equal(json_integer_value(json_object_get(o, "idle_warning_s")), 7);
    assert_string_equal(json_string_value(json_object_get(o, "kiosk_id")),
                        "waiting-room-2");
    json_decref(o);
    assert_true(itest_log_contains(run.d, run.conf)); /* says which file it read */
    stop_cleanly(&run);
}

static void malformed_instrument_is_named(void **state)
{
    static const char *const bodies[] = {
        "{\"format\": \"signpost-instrument/1\", \"items\": [", "[]",
        "{\"format\":\"signpost-instrument/1\"}"};
    (void)state;

    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        cfg_run run = {{0}, {0}, NULL};
        char bad[ITEST_PATH * 2], text[ITEST_PATH * 3];
        assert_int_equal(itest_mkdtemp(run.dir, sizeof run.dir), 0);
        assert_int_equal(
            itest_write_file(run.dir, "broken.json", bodies[i], bad, sizeof bad), 0);
        snprintf(text, sizeof text, "[screening]\ninstrument = %s\n", bad);
        spawn_with(&run, text, NULL);
        const char *needles[] = {bad, NULL};
        expect_exit(&run, 1, needles);
        finish(&run);
    }
}

static void missing_instrument_is_named(void **state)
{
    cfg_run run = {{0}, {0}, NULL};
    char text[ITEST_PATH * 3], missing[ITEST_PATH * 2];
    (void)state;

    assert_int_equal(itest_mkdtemp(run.dir, sizeof run.dir), 0);
    snprintf(missing, sizeof missing, "%s/nowhere.json", run.dir);
    snprintf(text, sizeof text, "[screening]\ninstrument = %s\n", missing);
    spawn_with(&run, text, NULL);
    const char *needles[] = {missing, NULL};
    expect_exit(&run, 1, needles);
    finish(&run);
}

static json_t *post(itest_daemon *d, const char *body, long status)
{
    itest_resp r;
    json_t *o;

    assert_int_equal(itest_post_json(d, "/api/v1/screenings", body, NULL, &r), 0);
    if (r.status != status)
        print_error("expected %ld, got %ld: %s\n", status, r.status, r.body);
    assert_int_equal(r.status, status);
    o = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(o);
    return o;
}

#define SAFETY(a, b, c, d)                                                               \
    "{\"language\":\"en\",\"answers\":{\"95618-5\":\"" a "\",\"95617-7\":\"" b           \
    "\",\"95616-9\":\"" c "\",\"95615-1\":\"" d "\"}}"

static void local_safety_threshold_is_used_and_recorded(void **state)
{
    cfg_run run = {{0}, {0}, NULL};
    json_t *o;
    long long stored;
    (void)state;

    spawn_with(&run, "[screening]\nsafety_threshold = 5\n", NULL);
    assert_int_equal(itest_wait_listening(run.d, ITEST_WAIT_MS), 0);
    o = post(run.d, SAFETY("LA10066-1", "LA6270-8", "LA6270-8", "LA6270-8"), 201);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(o, "positive_domains"), 0)),
        "safety");
    assert_non_null(strstr(json_string_value(json_object_get(o, "scoring_rule")),
                           "safety>=5 (local)"));
    assert_int_equal(itest_db_int(run.d,
                                  "SELECT count(*) FROM screenings WHERE id=?1 AND "
                                  "scoring_rule LIKE '%safety>=5 (local)%'",
                                  json_string_value(json_object_get(o, "id")), &stored),
                     0);
    assert_int_equal(stored, 1);
    json_decref(o);
    o = post(run.d, SAFETY("LA6270-8", "LA6270-8", "LA6270-8", "LA6270-8"), 201);
    assert_int_equal(json_array_size(json_object_get(o, "positive_domains")), 0);
    json_decref(o);
    stop_cleanly(&run);
}

static void body_limit_and_languages_follow_the_config(void **state)
{
    cfg_run run = {{0}, {0}, NULL};
    char big[1100];
    json_t *o;
    (void)state;

    spawn_with(&run, "[kiosk]\nmax_body_kb = 1\nlanguages = en\n", NULL);
    assert_int_equal(itest_wait_listening(run.d, ITEST_WAIT_MS), 0);
    snprintf(big, sizeof big, "{\"language\":\"en\",\"answers\":{}%1040s}", "");
    o = post(run.d, big, 413);
    json_decref(o);
    o = post(run.d, "{\"language\":\"es\",\"answers\":{}}", 422);
    json_decref(o);
    o = get_json(run.d, "/api/v1/instrument?lang=es", 422);
    json_decref(o);
    o = post(run.d, "{\"language\":\"en\",\"answers\":{}}", 201);
    json_decref(o);
    stop_cleanly(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_key_stops_startup),
        cmocka_unit_test(unknown_section_stops_startup),
        cmocka_unit_test(bad_values_stop_startup),
        cmocka_unit_test(bad_listen_is_a_usage_error),
        cmocka_unit_test(idle_warning_reaches_the_kiosk),
        cmocka_unit_test(malformed_instrument_is_named),
        cmocka_unit_test(missing_instrument_is_named),
        cmocka_unit_test(local_safety_threshold_is_used_and_recorded),
        cmocka_unit_test(body_limit_and_languages_follow_the_config),
    };
    int rc;

    if (itest_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    itest_cleanup();
    return rc;
}
