/*
 * Whole sync runs against the fake HSDS API: the first run imports every
 * service; the next asks with modified_after and fetches only what changed;
 * transient failures (503 with Retry-After, 429, a hang past the timeout)
 * are retried; a malformed page or a permanent error fails the run and
 * leaves directory.db byte for byte as it was; the page budget is kept
 * and the next run resumes where the last stopped; a full listing drops
 * services the API no longer has; `signpost sync` prints its summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_hsds.h"
#include "signpost/cli.h"
#include "signpost/log.h"
#include "sync_helpers.h"

#define NSERVICES 5
#define PER_PAGE 2 /* five services: three pages */

typedef struct {
    fake_hsds *api;
    const char *state;
    char dir_path[256];
    char old_time[SYNC_TIME_LEN];
} fixture;

static const char *ids[NSERVICES] = {"svc-a", "svc-b", "svc-c", "svc-d", "svc-e"};

static void put(fixture *f, const char *id, const char *name, const char *modified)
{
    char *s = test_service(id, name, modified, "1129", NULL);
    fake_hsds_put(f->api, s);
    free(s);
}

static int setup(void **st)
{
    fixture *f = calloc(1, sizeof *f);
    char name[64];

    assert_non_null(f);
    f->api = fake_hsds_start();
    assert_non_null(f->api);
    f->state = strdup(test_state_dir());
    snprintf(f->dir_path, sizeof f->dir_path, "%s/directory.db", f->state);
    test_time(-86400, f->old_time); /* everything last changed yesterday */
    for (int i = 0; i < NSERVICES; i++) {
        snprintf(name, sizeof name, "Pantry %c", 'A' + i);
        put(f, ids[i], name, f->old_time);
    }
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    fixture *f = *st;
    fake_hsds_stop(f->api);
    test_rmrf(f->state);
    free((void *)f->state);
    free(f);
    return 0;
}

static sg_rc run(fixture *f, int max_pages, sync_summary *sum, char *err, size_t errlen)
{
    sync_opts o;
    test_opts(&o, fake_hsds_url(f->api), f->state, PER_PAGE, max_pages);
    return sync_run(&o, sum, err, errlen);
}

static void run_ok(fixture *f, int max_pages, sync_summary *sum)
{
    char err[512];
    sg_rc rc = run(f, max_pages, sum, err, sizeof err);
    if (rc)
        fail_msg("sync_run: %s (%s)", err, sg_strerror(rc));
}

static void first_sync(fixture *f, sync_summary *sum)
{
    run_ok(f, 50, sum);
    assert_true(sum->installed);
    fake_hsds_reset_stats(f->api);
}

static void test_first_sync_imports_all(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;
    char name[64], line[256];

    run_ok(f, 50, &sum);
    assert_int_equal(sum.pages, 3);
    assert_int_equal(sum.fetched, NSERVICES);
    assert_int_equal(sum.changed, NSERVICES);
    assert_true(sum.complete);
    assert_true(sum.full_pass);
    assert_true(sum.installed);
    assert_int_equal(sum.directory, NSERVICES);
    assert_int_equal(sum.mirror, NSERVICES);
    assert_int_equal(sum.problems, 0); /* the fixture is sound HSDS */
    assert_true(sum.mark[0]);
    /* What the API was asked: no modified_after, full services, our name. */
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 3);
    assert_string_equal(fs.modified_after, "");
    assert_true(fs.full);
    assert_int_equal(strncmp(fs.user_agent, "signpost/", 9), 0);
    /* And the directory the kiosk matches against. */
    assert_int_equal(test_dir_count(f->state), NSERVICES);
    test_dir_name(f->state, "svc-c", name, sizeof name);
    assert_string_equal(name, "Pantry C");
    assert_int_equal(test_dir_domain_count(f->state, "food"), NSERVICES);
    sync_summary_line(&sum, line, sizeof line);
    assert_string_equal(line,
                        "sync: 3 pages, 5 services changed, directory now 5 services");
}

static void test_second_sync_fetches_changes_only(void **st)
{
    fixture *f = *st;
    sync_summary sum, first;
    fake_stats fs;
    char name[64], now[SYNC_TIME_LEN];
    struct stat before, after;

    first_sync(f, &first);
    test_time(1, now);
    put(f, "svc-c", "Westside Pantry", now);
    run_ok(f, 50, &sum);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1);
    assert_string_equal(fs.modified_after, first.mark);
    assert_int_equal(fs.items, 1);
    assert_int_equal(sum.fetched, 1);
    assert_int_equal(sum.changed, 1);
    assert_false(sum.full_pass);
    assert_true(sum.installed);
    assert_int_equal(sum.directory, NSERVICES);
    test_dir_name(f->state, "svc-c", name, sizeof name);
    assert_string_equal(name, "Westside Pantry");

    /* Nothing new: nothing installed, the file is the same file. */
    assert_int_equal(stat(f->dir_path, &before), 0);
    run_ok(f, 50, &sum);
    assert_int_equal(sum.changed, 0);
    assert_false(sum.installed);
    assert_int_equal(sum.directory, NSERVICES);
    assert_int_equal(stat(f->dir_path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
}

static void test_503_is_retried(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;
    int64_t t0;

    fake_hsds_misbehave(f->api, FAKE_503, 2, 1, 0);
    t0 = test_now_ms();
    run_ok(f, 50, &sum);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 4);       /* page 2 twice */
    assert_true(test_now_ms() - t0 >= 900); /* Retry-After: 1 was honoured */
    assert_true(sum.installed);
    assert_int_equal(test_dir_count(f->state), NSERVICES);
}

static void test_429_is_retried_with_backoff(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;

    fake_hsds_misbehave(f->api, FAKE_429, 1, 3, 0); /* the fourth attempt gets through */
    run_ok(f, 50, &sum);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 3 + 3);
    assert_int_equal(test_dir_count(f->state), NSERVICES);
}

static void test_503_forever_gives_up(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;
    char err[512], *before, *after;
    size_t blen, alen;

    first_sync(f, &sum);
    before = test_slurp(f->dir_path, &blen);
    put(f, "svc-a", "Changed", "2999-01-01T00:00:00Z");
    fake_hsds_misbehave(f->api, FAKE_503, 0, -1, 0);
    assert_int_equal(run(f, 50, &sum, err, sizeof err), SG_EBUSY);
    assert_non_null(strstr(err, "HTTP 503"));
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, SYNC_MAX_ATTEMPTS);
    after = test_slurp(f->dir_path, &alen);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    free(before);
    free(after);
}

static void test_hang_past_timeout(void **st)
{
    fixture *f = *st;
    sync_opts o;
    sync_summary sum;
    fake_stats fs;
    char err[512];

    test_opts(&o, fake_hsds_url(f->api), f->state, PER_PAGE, 50);
    o.timeout_ms = 300;
    /* Once: the retry gets the page. */
    fake_hsds_misbehave(f->api, FAKE_HANG, 1, 1, 1000);
    assert_int_equal(sync_run(&o, &sum, err, sizeof err), SG_OK);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 4);
    assert_int_equal(test_dir_count(f->state), NSERVICES);
    /* Always: the run gives up, saying why. */
    fake_hsds_reset_stats(f->api);
    fake_hsds_misbehave(f->api, FAKE_HANG, 0, -1, 700);
    o.full = 1;
    assert_int_equal(sync_run(&o, &sum, err, sizeof err), SG_EBUSY);
    assert_non_null(strstr(err, "imed out"));
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, SYNC_MAX_ATTEMPTS);
    fake_hsds_misbehave(f->api, FAKE_OK, 0, 0, 0);
}

static void test_malformed_page_leaves_directory(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;
    char err[512], name[64], now[SYNC_TIME_LEN], *before, *after;
    size_t blen, alen;

    first_sync(f, &sum);
    before = test_slurp(f->dir_path, &blen);
    assert_non_null(before);
    /* Three changes make an incremental listing of two pages. */
    test_time(1, now);
    put(f, "svc-a", "Pantry A2", now);
    put(f, "svc-b", "Pantry B2", now);
    put(f, "svc-e", "Pantry E2", now);
    fake_hsds_misbehave(f->api, FAKE_MALFORMED, 2, 1, 0);
    assert_int_equal(run(f, 50, &sum, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "not JSON"));
    assert_non_null(strstr(err, "page 2"));
    assert_false(sum.installed);
    after = test_slurp(f->dir_path, &alen);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    free(before);
    free(after);

    /* The next run asks only for the page it could not keep, and installs
     * the page it kept last time too. */
    fake_hsds_reset_stats(f->api);
    run_ok(f, 50, &sum);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1);
    assert_int_equal(fs.last_page, 2);
    assert_true(sum.installed);
    test_dir_name(f->state, "svc-a", name, sizeof name);
    assert_string_equal(name, "Pantry A2");
    test_dir_name(f->state, "svc-e", name, sizeof name);
    assert_string_equal(name, "Pantry E2");
}

static void test_page_budget_and_resume(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;
    char line[256], mark[SYNC_TIME_LEN], name[64], now[SYNC_TIME_LEN];

    /* A first listing that needs two runs installs nothing half-done. */
    run_ok(f, 2, &sum);
    assert_int_equal(sum.pages, 2);
    assert_false(sum.complete);
    assert_false(sum.installed);
    assert_int_equal(test_dir_count(f->state), -1);
    sync_summary_line(&sum, line, sizeof line);
    assert_non_null(strstr(line, "continues next run"));
    fake_hsds_reset_stats(f->api);
    run_ok(f, 2, &sum);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1);
    assert_int_equal(fs.last_page, 3);
    assert_true(sum.complete);
    assert_true(sum.installed);
    assert_int_equal(test_dir_count(f->state), NSERVICES);
    snprintf(mark, sizeof mark, "%s", sum.mark);

    /* An incremental listing cut short keeps its mark, installs what it
     * has, and the next run asks for the rest with the same mark.  (A
     * second passes first: the server's Date, which the next mark comes
     * from, counts whole seconds.) */
    sleep(1);
    test_time(1, now);
    for (int i = 0; i < NSERVICES; i++)
        put(f, ids[i], "Renamed", now);
    fake_hsds_reset_stats(f->api);
    run_ok(f, 2, &sum);
    assert_int_equal(sum.pages, 2);
    assert_false(sum.complete);
    assert_true(sum.installed);
    assert_string_equal(sum.mark, mark);
    test_dir_name(f->state, "svc-d", name, sizeof name);
    assert_string_equal(name, "Renamed");
    test_dir_name(f->state, "svc-e", name, sizeof name);
    assert_string_equal(name, "Pantry E");
    fake_hsds_reset_stats(f->api);
    run_ok(f, 2, &sum);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1);
    assert_int_equal(fs.last_page, 3);
    assert_string_equal(fs.modified_after, mark);
    assert_true(sum.complete);
    assert_string_not_equal(sum.mark, mark);
    test_dir_name(f->state, "svc-e", name, sizeof name);
    assert_string_equal(name, "Renamed");
}

static void test_full_listing_drops_removed(void **st)
{
    fixture *f = *st;
    sync_opts o;
    sync_summary sum;
    char err[512], line[256], *defunct;

    first_sync(f, &sum);
    fake_hsds_remove(f->api, "svc-b");
    /* A defunct service stays in the mirror: the importer decides. */
    defunct =
        test_service("svc-z", "Closed Pantry", "2999-01-01T00:00:00Z", "1129", "defunct");
    fake_hsds_put(f->api, defunct);
    free(defunct);
    test_opts(&o, fake_hsds_url(f->api), f->state, PER_PAGE, 50);
    o.full = 1;
    assert_int_equal(sync_run(&o, &sum, err, sizeof err), SG_OK);
    assert_true(sum.full_pass);
    assert_int_equal(sum.removed, 1);
    assert_int_equal(sum.changed, 1);
    assert_int_equal(sum.mirror, NSERVICES);
    assert_true(sum.installed);
    assert_int_equal(test_dir_count(f->state), NSERVICES); /* four, and the defunct one */
    sync_summary_line(&sum, line, sizeof line);
    assert_non_null(strstr(line, "2 services changed (1 removed)"));
    {
        char name[64];
        test_dir_name(f->state, "svc-b", name, sizeof name);
        assert_string_equal(name, "");
    }
}

static void test_permanent_error_not_retried(void **st)
{
    fixture *f = *st;
    sync_opts o;
    sync_summary sum;
    fake_stats fs;
    char err[512], url[256];

    snprintf(url, sizeof url, "%s?api_key=SECRET-KEY", fake_hsds_url(f->api));
    test_opts(&o, url, f->state, PER_PAGE, 50);
    fake_hsds_misbehave(f->api, FAKE_404, 0, -1, 0);
    assert_int_equal(sync_run(&o, &sum, err, sizeof err), SG_EIO);
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1);
    assert_non_null(strstr(err, "HTTP 404"));
    assert_null(strstr(err, "SECRET")); /* a key in the URL never reaches a log */
    assert_int_equal(test_dir_count(f->state), -1);
    fake_hsds_misbehave(f->api, FAKE_OK, 0, 0, 0);
    /* The query is sent, though: the API still answers with it. */
    assert_int_equal(sync_run(&o, &sum, err, sizeof err), SG_OK);
}

static void test_page_over_cap(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    fake_stats fs;
    char err[512];

    fake_hsds_misbehave(f->api, FAKE_HUGE, 0, -1, 0);
    assert_int_equal(run(f, 50, &sum, err, sizeof err), SG_ETOOBIG);
    assert_non_null(strstr(err, "larger than 16 MB"));
    fake_hsds_stats(f->api, &fs);
    assert_int_equal(fs.requests, 1); /* a page that big will not shrink on retry */
    assert_int_equal(test_dir_count(f->state), -1);
    fake_hsds_misbehave(f->api, FAKE_OK, 0, 0, 0);
}

static void test_one_run_at_a_time(void **st)
{
    fixture *f = *st;
    sync_summary sum;
    char err[512], path[256];
    int fd;

    snprintf(path, sizeof path, "%s/sync.lock", f->state);
    fd = open(path, O_RDWR | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    assert_int_equal(run(f, 50, &sum, err, sizeof err), SG_EBUSY);
    assert_non_null(strstr(err, "another sync"));
    close(fd);
    run_ok(f, 50, &sum);
}

static void test_url_change_starts_new_mirror(void **st)
{
    fixture *f = *st;
    sync_opts o;
    sync_summary sum;
    char err[512], url[256];

    first_sync(f, &sum);
    /* Same server, another "API": the old mirror must not leak in. */
    fake_hsds_remove(f->api, "svc-a");
    snprintf(url, sizeof url, "%s/", fake_hsds_url(f->api));
    test_opts(&o, url, f->state, PER_PAGE, 50);
    assert_int_equal(sync_run(&o, &sum, err, sizeof err), SG_OK);
    assert_true(sum.full_pass);
    assert_int_equal(sum.mirror, NSERVICES - 1);
    assert_int_equal(test_dir_count(f->state), NSERVICES - 1);
}

static void test_cli(void **st)
{
    fixture *f = *st;
    char out_path[256], *out;
    size_t len;
    int saved, fd, rc;
    char *argv[] = {
        "sync", "--state-dir", (char *)f->state, "--url", (char *)fake_hsds_url(f->api),
        NULL};

    snprintf(out_path, sizeof out_path, "%s/stdout", f->state);
    fflush(stdout);
    saved = dup(1);
    fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    rc = cmd_sync(5, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    assert_int_equal(rc, SG_EXIT_OK);
    out = test_slurp(out_path, &len);
    assert_non_null(out);
    out[len] = '\0';
    assert_string_equal(out,
                        "sync: 1 page, 5 services changed, directory now 5 services\n");
    free(out);
    assert_int_equal(test_dir_count(f->state), NSERVICES);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_first_sync_imports_all),
        T(test_second_sync_fetches_changes_only),
        T(test_503_is_retried),
        T(test_429_is_retried_with_backoff),
        T(test_503_forever_gives_up),
        T(test_hang_past_timeout),
        T(test_malformed_page_leaves_directory),
        T(test_page_budget_and_resume),
        T(test_full_listing_drops_removed),
        T(test_permanent_error_not_retried),
        T(test_page_over_cap),
        T(test_one_run_at_a_time),
        T(test_url_change_starts_new_mirror),
        T(test_cli),
    };
    /* SYNC_TEST_LOG=debug (or info, warn) shows what a run logs. */
    sg_log_set_level(getenv("SYNC_TEST_LOG")
                         ? (sg_log_level)sg_log_parse_level(getenv("SYNC_TEST_LOG"))
                         : SG_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
