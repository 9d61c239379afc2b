/*
 * `signpost print-test` and `signpost printers`, run as the built binary:
 * the test page reaches a fake TCP printer with the bytes that matter (a
 * reset, the code page, the QR payload), a printer that cannot print gets
 * no job, and the exit codes are the documented 0, 1 and 2.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"

#define RUN_TIMEOUT_MS 30000

typedef struct {
    int status; /* exit code, or -1 when killed or timed out */
    char *out, *err;
} run_result;

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static void child(const char *const *argv, const char *outp, const char *errp)
{
    int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

/* Runs signpost with args in dir, capturing its output; kills it at the timeout. */
static run_result run_signpost(const char *dir, const char *const *args)
{
    const char *argv[16] = {SIGNPOST_BIN};
    char outp[300], errp[300];
    run_result r = {-1, NULL, NULL};
    long end = fake_now_ms() + RUN_TIMEOUT_MS;
    size_t len;
    int n = 1, st;
    pid_t pid;

    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    snprintf(outp, sizeof outp, "%s/stdout", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child(argv, outp, errp);
    while (waitpid(pid, &st, WNOHANG) == 0) {
        if (fake_now_ms() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            st = -1;
            break;
        }
        usleep(10 * 1000);
    }
    if (st != -1 && WIFEXITED(st))
        r.status = WEXITSTATUS(st);
    r.out = (char *)fake_read_file(outp, &len);
    r.err = (char *)fake_read_file(errp, &len);
    assert_non_null(r.out);
    assert_non_null(r.err);
    return r;
}

/* A config file in dir for the fake TCP printer on port. */
static void write_config(const char *dir, int port, char *path, size_t len)
{
    FILE *f;

    snprintf(path, len, "%s/signpost.conf", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "[printer]\ntransport = tcp\nhost = 127.0.0.1\nport = %d\n"
               "profile = tm-t20\n",
            port);
    fclose(f);
}

static void print_test_reaches_a_tcp_printer(void **state)
{
    static const unsigned char init[] = {0x1B, 0x40};
    static const unsigned char esc_t_19[] = {0x1B, 0x74, 19};
    static const unsigned char qr_store[] = "\x1D(k\x16\x00" "1P0https://example.org";
    char conf[400], statedir[300];
    unsigned char *got;
    fake_printer f;
    run_result r;
    size_t len;

    (void)state;
    assert_int_equal(fake_start(&f, "tcp", NULL), 0);
    write_config(f.dir, f.port, conf, sizeof conf);
    snprintf(statedir, sizeof statedir, "%s/state", f.dir);
    const char *args[] = {"print-test", "--config", conf, "--state-dir", statedir, NULL};
    r = run_signpost(f.dir, args);
    if (r.status != 0)
        fail_msg("print-test exited %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
    assert_non_null(strstr(r.out, "status before: ready"));
    assert_non_null(strstr(r.out, "status after: ready"));
    assert_non_null(strstr(r.out, "profile tm-t20"));
    got = fake_read_file(f.record, &len);
    assert_non_null(got);
    assert_true(fake_contains(got, len, init, sizeof init));
    assert_true(fake_contains(got, len, esc_t_19, sizeof esc_t_19));
    assert_true(fake_contains(got, len, qr_store, sizeof qr_store - 1));
    /* Spanish on CP858: á é í ó ú, then € at D5. */
    assert_true(fake_contains(got, len, "\xA0\x82\xA1\xA2\xA3", 5));
    assert_true(fake_contains(got, len, "\xD5", 1));
    free(got);
    got = fake_read_file(f.qr, &len);
    assert_non_null(got);
    assert_string_equal((char *)got, "https://example.org");
    free(got);
    run_free(&r);
    fake_stop(&f);
}

static void print_test_refuses_a_printer_out_of_paper(void **state)
{
    const char *fargs[] = {"--state", "paper-out", NULL};
    static const unsigned char init[] = {0x1B, 0x40};
    char conf[400];
    unsigned char *got;
    fake_printer f;
    run_result r;
    size_t len;

    (void)state;
    assert_int_equal(fake_start(&f, "tcp", fargs), 0);
    write_config(f.dir, f.port, conf, sizeof conf);
    const char *args[] = {"print-test", "--config", conf, "--state-dir", f.dir, NULL};
    r = run_signpost(f.dir, args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "status before: paper out"));
    assert_non_null(strstr(r.err, "paper out"));
    got = fake_read_file(f.record, &len);
    assert_non_null(got);
    assert_false(fake_contains(got, len, init, sizeof init));
    free(got);
    run_free(&r);
    fake_stop(&f);
}

static void print_test_names_an_unreachable_printer(void **state)
{
    char dir[256], conf[400];
    run_result r;

    (void)state;
    assert_int_equal(fake_tmpdir(dir), 0);
    write_config(dir, 1, conf, sizeof conf); /* port 1: nothing listens */
    const char *args[] = {"print-test", "--config", conf, "--state-dir", dir, NULL};
    r = run_signpost(dir, args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "127.0.0.1:1"));
    run_free(&r);
    fake_rmtree(dir);
}

static void printers_lists_or_says_none(void **state)
{
    char dir[256];
    run_result r;

    (void)state;
    assert_int_equal(fake_tmpdir(dir), 0);
    const char *args[] = {"printers", NULL};
    r = run_signpost(dir, args);
    assert_int_equal(r.status, 0);
    assert_true(strstr(r.out, "serial port") || strstr(r.out, "No serial ports found"));
    run_free(&r);
    fake_rmtree(dir);
}

static void help_and_usage_exit_codes(void **state)
{
    static const struct {
        const char *args[3];
        int status;
    } cases[] = {
        {{"printers", "--help", NULL}, 0},
        {{"print-test", "--help", NULL}, 0},
        {{"printers", "--bogus", NULL}, 2},
        {{"print-test", "--bogus", NULL}, 2},
        {{"print-test", "extra", NULL}, 2},
    };
    char dir[256];

    (void)state;
    assert_int_equal(fake_tmpdir(dir), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run_signpost(dir, cases[i].args);
        if (r.status != cases[i].status)
            fail_msg("signpost %s %s: exit %d, want %d", cases[i].args[0],
                     cases[i].args[1], r.status, cases[i].status);
        if (cases[i].status == 0)
            assert_non_null(strstr(r.out, "usage: signpost"));
        run_free(&r);
    }
    fake_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(print_test_reaches_a_tcp_printer),
        cmocka_unit_test(print_test_refuses_a_printer_out_of_paper),
        cmocka_unit_test(print_test_names_an_unreachable_printer),
        cmocka_unit_test(printers_lists_or_says_none),
        cmocka_unit_test(help_and_usage_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
