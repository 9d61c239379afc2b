/*
 * The print queue end to end: the real daemon, a receipt asked for over the
 * kiosk API, and a fake ESC/POS printer on loopback TCP.  A printer out of
 * paper keeps the receipt queued (with the reason) until it is refilled,
 * then it prints exactly once; a printer that is unplugged keeps the queue
 * waiting and /healthz says so; a daemon killed while a receipt is printing
 * reports that receipt as interrupted after the restart and never prints it
 * a second time behind anyone's back, until staff ask with `signpost
 * reprint`.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "harness.h"

#define WAIT_MS 20000

static const char body[] =
    "{\"language\":\"es\",\"answers\":{\"88122-7\":\"LA28397-0\",\"93030-5\":\"LA33-6\"}}";

typedef struct {
    char id[64], token[64];
} screening;

static itest_daemon *start_daemon(const fake_printer *f, char *dir)
{
    char conf[512], text[512], path[600];
    itest_opts o = {0};

    assert_int_equal(itest_mkdtemp(dir, 256), 0);
    snprintf(text, sizeof text,
             "[printer]\ntransport = tcp\nhost = 127.0.0.1\nport = %d\nprofile = tm-t20\n"
             "[store]\ndir = %s/state\n", f->port, dir);
    assert_int_equal(itest_write_file(dir, "signpost.conf", text, conf, sizeof conf), 0);
    snprintf(path, sizeof path, "%s/state", dir);
    o.config = conf;
    o.state_dir = path;
    itest_daemon *d = itest_start(&o);
    assert_non_null(d);
    return d;
}

static screening new_screening(itest_daemon *d)
{
    itest_resp r;
    screening s;
    assert_int_equal(itest_post_json(d, "/api/v1/screenings", body, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    json_t *o = itest_resp_json(&r);
    snprintf(s.id, sizeof s.id, "%s", json_string_value(json_object_get(o, "id")));
    snprintf(s.token, sizeof s.token, "%s", json_string_value(json_object_get(o, "token")));
    json_decref(o);
    itest_resp_free(&r);
    return s;
}

static void ask_receipt(itest_daemon *d, const screening *s, char *job, size_t len)
{
    char path[160];
    itest_resp r;
    snprintf(path, sizeof path, "/api/v1/screenings/%s/receipt", s->id);
    assert_int_equal(itest_post_json(d, path, "", s->token, &r), 0);
    assert_int_equal(r.status, 202);
    json_t *o = itest_resp_json(&r);
    snprintf(job, len, "%s", json_string_value(json_object_get(o, "job_id")));
    json_decref(o);
    itest_resp_free(&r);
}

/* Polls the job until its status is want; returns the last error text seen. */
static void wait_status(itest_daemon *d, const screening *s, const char *job,
                        const char *want, char *error, size_t len)
{
    char path[160];
    long end = fake_now_ms() + WAIT_MS;
    for (;;) {
        itest_resp r;
        snprintf(path, sizeof path, "/api/v1/print-jobs/%s", job);
        assert_int_equal(itest_get(d, path, s->token, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *o = itest_resp_json(&r);
        const char *st = json_string_value(json_object_get(o, "status"));
        const char *e = json_string_value(json_object_get(o, "error"));
        int done = st && !strcmp(st, want);
        if (e && error)
            snprintf(error, len, "%s", e);
        json_decref(o);
        itest_resp_free(&r);
        if (done)
            return;
        if (fake_now_ms() > end)
            fail_msg("job %s never reached %s", job, want);
        usleep(100 * 1000);
    }
}

static size_t count(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
    size_t c = 0;
    for (size_t i = 0; i + m <= n; i++)
        c += memcmp(hay + i, needle, m) == 0;
    return c;
}

static void paper_out_then_refilled_prints_once(void **state)
{
    (void)state;
    const char *const script[] = {"--state", "paper-out", "--state", "paper-out",
                                  "--state", "ready", NULL};
    fake_printer f;
    char dir[256], job[64], error[256] = "";
    size_t len;

    assert_int_equal(fake_start(&f, "tcp", script), 0);
    itest_daemon *d = start_daemon(&f, dir);
    screening s = new_screening(d);
    ask_receipt(d, &s, job, sizeof job);
    wait_status(d, &s, job, "done", error, sizeof error);
    assert_non_null(strstr(error, "paper out")); /* it waited, and said why */

    /* A second receipt while the printer is fine goes straight through. */
    ask_receipt(d, &s, job, sizeof job);
    wait_status(d, &s, job, "done", NULL, 0);
    assert_int_equal(itest_stop(d), 0);

    unsigned char *bytes = fake_read_file(f.record, &len);
    assert_non_null(bytes);
    assert_int_equal(count(bytes, len, "\x1b@", 2), 2);       /* two jobs, not three */
    assert_int_equal(count(bytes, len, "\x1bt\x13", 3), 2);   /* CP858 in every job */
    assert_int_equal(count(bytes, len, "\x1dV", 2), 2);       /* cut after each */
    free(bytes);
    itest_free(d);
    fake_stop(&f);
    itest_rmtree(dir);
}

static void unplugged_printer_keeps_the_queue(void **state)
{
    (void)state;
    fake_printer f;
    char dir[256], job[64], error[256] = "";
    itest_resp r;

    assert_int_equal(fake_start(&f, "tcp", NULL), 0);
    itest_daemon *d = start_daemon(&f, dir);
    fake_stop(&f); /* unplugged: the port now refuses */
    screening s = new_screening(d);
    ask_receipt(d, &s, job, sizeof job);
    sleep(1);
    wait_status(d, &s, job, "queued", error, sizeof error);
    assert_non_null(strstr(error, "127.0.0.1"));
    assert_int_equal(itest_get(d, "/healthz", NULL, &r), 0);
    assert_non_null(strstr(r.body, "\"printer\":\"offline\""));
    itest_resp_free(&r);
    assert_int_equal(itest_stop(d), 0);
    itest_free(d);
    itest_rmtree(dir);
}

/* Polls the stored job until its status is want (the token died with a
 * killed daemon, so this reads the database). */
static void wait_db_status(itest_daemon *d, const char *job, const char *want)
{
    char st[32] = "";
    long end = fake_now_ms() + WAIT_MS;
    while (itest_db_text(d, "SELECT status FROM print_jobs WHERE id = ?1", job, st,
                         sizeof st) != 0 ||
           strcmp(st, want) != 0) {
        if (fake_now_ms() > end)
            fail_msg("job %s never reached %s (last: %s)", job, want, st);
        usleep(20 * 1000);
    }
}

/* `signpost reprint JOB --config CONF`; *new_id gets the new job's id. */
static int reprint(const char *conf, const char *job, char *new_id, size_t len)
{
    int fds[2], status = 0;
    char out[256] = "";
    ssize_t n;
    pid_t pid;

    if (pipe(fds))
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(SIGNPOST_BIN, SIGNPOST_BIN, "reprint", "--config", conf, job, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    n = read(fds[0], out, sizeof out - 1);
    close(fds[0]);
    out[n > 0 ? n : 0] = '\0';
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    /* "queued reprint NEWID of JOB" */
    if (sscanf(out, "queued reprint %63s", new_id) != 1)
        new_id[0] = '\0';
    (void)len;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void restart_during_printing_never_prints_twice(void **state)
{
    /* Ready before the job; then silent, so the status check after the
       bytes went out holds the job in "printing" long enough to kill. */
    const char *const script[] = {"--state", "ready", "--state", "silent", NULL};
    fake_printer f;
    char dir[256], job[64], error[256] = "", path[300], conf[300];
    size_t len = 0;
    itest_opts o = {0};
    (void)state;

    assert_int_equal(fake_start(&f, "tcp", script), 0);
    itest_daemon *d = start_daemon(&f, dir);
    screening s = new_screening(d);
    ask_receipt(d, &s, job, sizeof job);
    wait_db_status(d, job, "printing");
    assert_true(fake_wait_bytes(&f, 64, WAIT_MS) >= 64); /* the bytes went out */
    kill(d->pid, SIGKILL);
    assert_int_equal(itest_wait_exit(d, WAIT_MS), 128 + SIGKILL);
    itest_free(d);

    /* The same state directory, a new daemon. */
    snprintf(path, sizeof path, "%s/state", dir);
    o.state_dir = path;
    snprintf(conf, sizeof conf, "%s/signpost.conf", dir);
    o.config = conf;
    d = itest_start(&o);
    assert_non_null(d);
    wait_db_status(d, job, "failed");
    assert_int_equal(itest_db_text(d, "SELECT error FROM print_jobs WHERE id = ?1", job, error,
                                   sizeof error), 0);
    assert_non_null(strstr(error, "interrupted"));
    assert_true(itest_log_contains(d, "interrupted by a restart"));
    sleep(1); /* a worker that wrongly resent it would have done so by now */
    unsigned char *bytes = fake_read_file(f.record, &len);
    assert_non_null(bytes);
    assert_int_equal(count(bytes, len, "\x1b@", 2), 1); /* printed once, never again */
    free(bytes);

    /* Staff reprint it: a new job with the same bytes prints once more. */
    char again[64];
    assert_int_equal(reprint(conf, "no-such-job", again, sizeof again), 1);
    assert_int_equal(reprint(conf, job, again, sizeof again), 0);
    assert_int_equal(strlen(again), 32);
    wait_db_status(d, again, "done");
    assert_int_equal(itest_stop(d), 0);
    bytes = fake_read_file(f.record, &len);
    assert_non_null(bytes);
    assert_int_equal(count(bytes, len, "\x1b@", 2), 2);
    free(bytes);
    itest_free(d);
    fake_stop(&f);
    itest_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paper_out_then_refilled_prints_once),
        cmocka_unit_test(unplugged_printer_keeps_the_queue),
        cmocka_unit_test(restart_during_printing_never_prints_twice),
    };
    if (itest_init())
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    itest_cleanup();
    return rc;
}
