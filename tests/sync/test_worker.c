/*
 * The daemon's sync thread: it runs soon after start and installs the
 * directory, and sync_worker_stop() returns promptly whatever the thread
 * is doing: sleeping until the next run, waiting out a backoff, or in the
 * middle of a transfer the server does not answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_hsds.h"
#include "signpost/log.h"
#include "sync_helpers.h"

#define PROMPT_MS 1000 /* "promptly": well under systemd's stop timeout */

typedef struct {
    fake_hsds *api;
    char *state;
    sync_opts opts;
    sync_schedule sched;
} fixture;

static int setup(void **st)
{
    fixture *f = calloc(1, sizeof *f);
    char when[SYNC_TIME_LEN], *svc;

    assert_non_null(f);
    f->api = fake_hsds_start();
    assert_non_null(f->api);
    f->state = strdup(test_state_dir());
    test_time(-3600, when);
    svc = test_service("svc-1", "Northside Food Pantry", when, "1129", NULL);
    fake_hsds_put(f->api, svc);
    free(svc);
    svc = test_service("svc-2", "Eastside Food Pantry", when, "1129", NULL);
    fake_hsds_put(f->api, svc);
    free(svc);
    test_opts(&f->opts, fake_hsds_url(f->api), f->state, 10, 50);
    f->sched.first_delay_ms = 0;
    f->sched.interval_ms = 3600 * 1000L;
    f->sched.retry_ms = 3600 * 1000L;
    f->sched.continue_ms = 3600 * 1000L;
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    fixture *f = *st;
    fake_hsds_stop(f->api);
    test_rmrf(f->state);
    free(f->state);
    free(f);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until the worker finished `runs` runs; fails after 10 s. */
static void wait_runs(sync_worker *w, int runs, sync_status *out)
{
    for (int i = 0; i < 1000; i++) {
        sync_worker_status(w, out);
        if (out->runs >= runs)
            return;
        sleep_ms(10);
    }
    fail_msg("the worker did not finish %d runs", runs);
}

/* Waits until the fake API has been asked n times. */
static void wait_requests(fake_hsds *api, int n)
{
    fake_stats fs;
    for (int i = 0; i < 1000; i++) {
        fake_hsds_stats(api, &fs);
        if (fs.requests >= n)
            return;
        sleep_ms(10);
    }
    fail_msg("the API was not asked %d times", n);
}

static int64_t stop_ms(sync_worker *w)
{
    int64_t t0 = test_now_ms();
    sync_worker_stop(w);
    return test_now_ms() - t0;
}

static void test_runs_once_then_stops_promptly(void **st)
{
    fixture *f = *st;
    sync_worker *w = NULL;
    sync_status s;
    fake_stats fs;
    char err[256];

    assert_int_equal(sync_worker_start(&f->opts, &f->sched, &w, err, sizeof err), SG_OK);
    wait_runs(w, 1, &s);
    assert_int_equal(s.last_rc, SG_OK);
    assert_int_equal(s.failures, 0);
    assert_true(s.last.installed);
    assert_int_equal(s.last.directory, 2);
    assert_int_equal(test_dir_count(f->state), 2);
    assert_int_equal(test_dir_domain_count(f->state, "food"), 2);
    /* Now asleep until the next run, an hour away. */
    assert_true(stop_ms(w) < PROMPT_MS);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1);
}

static void test_stop_during_a_hung_transfer(void **st)
{
    fixture *f = *st;
    sync_worker *w = NULL;
    char err[256];

    f->opts.timeout_ms = 60000;
    fake_hsds_misbehave(f->api, FAKE_HANG, 0, 1, 2500);
    assert_int_equal(sync_worker_start(&f->opts, &f->sched, &w, err, sizeof err), SG_OK);
    wait_requests(f->api, 1);
    sleep_ms(100); /* well into the transfer */
    assert_true(stop_ms(w) < PROMPT_MS);
    assert_int_equal(test_dir_count(f->state), -1);
}

static void test_stop_during_backoff(void **st)
{
    fixture *f = *st;
    sync_worker *w = NULL;
    char err[256];

    f->opts.backoff_base_ms = 60000; /* the first retry waits up to a minute */
    f->opts.backoff_cap_ms = 60000;
    fake_hsds_misbehave(f->api, FAKE_429, 0, -1, 0);
    assert_int_equal(sync_worker_start(&f->opts, &f->sched, &w, err, sizeof err), SG_OK);
    wait_requests(f->api, 1);
    sleep_ms(100);
    assert_true(stop_ms(w) < PROMPT_MS);
}

static void test_stop_before_first_run(void **st)
{
    fixture *f = *st;
    sync_worker *w = NULL;
    fake_stats fs;
    char err[256];

    f->sched.first_delay_ms = 20000;
    assert_int_equal(sync_worker_start(&f->opts, &f->sched, &w, err, sizeof err), SG_OK);
    assert_true(stop_ms(w) < PROMPT_MS);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 0);
    sync_worker_stop(NULL);
}

static void test_schedule_from_config(void **st)
{
    sg_config cfg;
    sync_schedule s;
    sync_opts o;
    (void)st;
    config_defaults(&cfg);
    assert_string_equal(cfg.directory_sync_url, ""); /* off by default */
    assert_int_equal(cfg.sync_interval_min, 360);
    assert_int_equal(cfg.sync_max_pages, 50);
    sync_schedule_from_config(&s, &cfg);
    assert_int_equal(s.interval_ms, 360 * 60000L);
    assert_true(s.retry_ms <= s.interval_ms);
    assert_true(s.first_delay_ms > 0 && s.first_delay_ms < 120000);
    sync_opts_from_config(&o, &cfg, test_map());
    assert_int_equal(o.max_pages, 50);
    assert_int_equal(o.timeout_ms, cfg.sync_timeout_s * 1000L);
    assert_null(o.pause);
}

static void test_config_keys(void **st)
{
    sg_config cfg;
    char err[256];
    (void)st;
    config_defaults(&cfg);
    assert_int_equal(
        config_set(&cfg, "directory", "sync_interval_min", "60", err, sizeof err), SG_OK);
    assert_int_equal(
        config_set(&cfg, "directory", "sync_max_pages", "3", err, sizeof err), SG_OK);
    assert_int_equal(
        config_set(&cfg, "directory", "sync_timeout_s", "15", err, sizeof err), SG_OK);
    assert_int_equal(
        config_set(&cfg, "directory", "sync_full_days", "0", err, sizeof err), SG_OK);
    assert_int_equal(cfg.sync_interval_min, 60);
    assert_int_equal(cfg.sync_max_pages, 3);
    assert_int_equal(cfg.sync_timeout_s, 15);
    assert_int_equal(cfg.sync_full_days, 0);
    assert_int_equal(
        config_set(&cfg, "directory", "sync_interval_min", "1", err, sizeof err),
        SG_EINVAL);
    assert_non_null(strstr(err, "sync_interval_min"));
    assert_int_equal(
        config_set(&cfg, "directory", "sync_max_pages", "0", err, sizeof err), SG_EINVAL);
    /* A URL the client could not use is refused at start-up, not at 3 am. */
    assert_int_equal(
        config_set(&cfg, "directory", "sync_url", "ftp://x.org/hsds", err, sizeof err),
        SG_OK);
    assert_int_equal(config_finish(&cfg, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "[directory] sync_url"));
    assert_int_equal(
        config_set(&cfg, "directory", "sync_url", "https://x.org/hsds", err, sizeof err),
        SG_OK);
    assert_int_equal(config_finish(&cfg, err, sizeof err), SG_OK);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_runs_once_then_stops_promptly),
        T(test_stop_during_a_hung_transfer),
        T(test_stop_during_backoff),
        T(test_stop_before_first_run),
        cmocka_unit_test(test_schedule_from_config),
        cmocka_unit_test(test_config_keys),
    };
    sg_log_set_level(getenv("SYNC_TEST_LOG")
                         ? (sg_log_level)sg_log_parse_level(getenv("SYNC_TEST_LOG"))
                         : SG_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
