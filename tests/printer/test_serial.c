/*
 * The serial transport through the real libserialport, against
 * fake_printer on a pseudo-terminal.  libserialport 0.1.1 refuses ptys;
 * ctest preloads pty_shim.so for this program, which makes the fake's pty
 * (and only it) acceptable, so everything from sp_get_port_by_name() to
 * sp_blocking_read() is the library's own code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "signpost/printer.h"

/* Opens the serial printer on device with flow control flow. */
static sg_rc open_serial(const char *device, const char *flow, const printer_profile *p,
                         printer **pr, char *err, size_t errlen)
{
    char dev[300], fl[64];
    sg_config cfg;

    snprintf(dev, sizeof dev, "printer.device=%s", device);
    snprintf(fl, sizeof fl, "printer.flow=%s", flow);
    const char *sets[] = {"printer.transport=serial", dev, "printer.baud=115200", fl, NULL};
    fake_config(&cfg, sets);
    return printer_open(&cfg, p, pr, err, errlen);
}

static printer *must_open(const char *device, const char *flow, const printer_profile *p)
{
    char err[512];
    printer *pr = NULL;

    if (open_serial(device, flow, p, &pr, err, sizeof err))
        fail_msg("printer_open(%s): %s", device, err);
    return pr;
}

/* A job with every byte a receipt can hold, and a native QR store command. */
static size_t sample_job(unsigned char *job, size_t cap)
{
    static const char payload[] = "https://example.org/s/42";
    static const unsigned char init[] = {0x1B, 0x40, 0x1B, 0x74, 19};
    size_t n = 0, k = sizeof payload - 1 + 3;

    assert_true(cap > 512);
    memcpy(job, init, sizeof init);
    n += sizeof init;
    for (int b = 0x20; b <= 0xFF; b++)
        job[n++] = (unsigned char)b;
    job[n++] = 0x0A;
    const unsigned char store[] = {0x1D, '(', 'k', (unsigned char)k, 0, '1', 'P', '0'};
    memcpy(job + n, store, sizeof store);
    n += sizeof store;
    memcpy(job + n, payload, sizeof payload - 1);
    return n + sizeof payload - 1;
}

static void writes_the_exact_bytes(void **state)
{
    fake_printer f;
    printer_profile p = fake_profile(PRINTER_FLOW_RTSCTS, 0);
    unsigned char job[1024], *got;
    size_t n = sample_job(job, sizeof job), len;
    printer *pr;

    (void)state;
    assert_int_equal(fake_start(&f, "pty", NULL), 0);
    pr = must_open(f.device, "rtscts", &p);
    assert_non_null(strstr(printer_describe(pr), f.device));
    assert_int_equal(printer_write(pr, job, n, 5000), SG_OK);
    assert_int_equal(fake_wait_bytes(&f, n, 5000), n);
    got = fake_read_file(f.record, &len);
    assert_int_equal(len, n);
    assert_memory_equal(got, job, n);
    free(got);
    got = fake_read_file(f.qr, &len);
    assert_non_null(got);
    assert_string_equal((char *)got, "https://example.org/s/42");
    free(got);
    printer_close(pr);
    fake_stop(&f);
}

static void reads_each_scripted_state(void **state)
{
    static const struct {
        const char *script;
        printer_state want;
        int timeout_ms;
    } steps[] = {
        {"ready", PRINTER_READY, 2000},
        {"near-end", PRINTER_PAPER_NEAR_END, 2000},
        {"paper-out", PRINTER_PAPER_OUT, 2000},
        {"cover-open", PRINTER_COVER_OPEN, 2000},
        {"offline", PRINTER_OFFLINE, 2000},
        {"error", PRINTER_ERROR, 2000},
        {"garbled", PRINTER_ERROR, 2000},
        {"silent", PRINTER_NO_ANSWER, 300},
        {"ready", PRINTER_READY, 2000},
    };
    const char *args[2 * (sizeof steps / sizeof steps[0]) + 1];
    printer_profile p = fake_profile(PRINTER_FLOW_RTSCTS, 0);
    fake_printer f;
    printer *pr;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        args[2 * i] = "--state";
        args[2 * i + 1] = steps[i].script;
    }
    args[2 * i] = NULL;
    assert_int_equal(fake_start(&f, "pty", args), 0);
    pr = must_open(f.device, "rtscts", &p);
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        printer_state st = (printer_state)-1;
        long t0 = fake_now_ms();
        assert_int_equal(printer_status(pr, &st, steps[i].timeout_ms), SG_OK);
        if (st != steps[i].want)
            fail_msg("step %zu (%s): got %s, want %s", i, steps[i].script,
                     printer_state_name(st), printer_state_name(steps[i].want));
        if (st == PRINTER_NO_ANSWER) /* the timeout was kept, not stretched */
            assert_true(fake_now_ms() - t0 < 2000);
    }
    printer_close(pr);
    fake_stop(&f);
}

/* A reply to a query hidden in an earlier job must not be read as the answer. */
static void status_drains_stray_input(void **state)
{
    const char *args[] = {"--state", "paper-out", "--state", "ready", NULL};
    const unsigned char job[] = {'a', 0x10, 0x04, 0x01, 'b', '\n'};
    printer_profile p = fake_profile(PRINTER_FLOW_RTSCTS, 0);
    printer_state st;
    fake_printer f;
    printer *pr;

    (void)state;
    assert_int_equal(fake_start(&f, "pty", args), 0);
    pr = must_open(f.device, "rtscts", &p);
    assert_int_equal(printer_write(pr, job, sizeof job, 2000), SG_OK);
    assert_int_equal(fake_wait_bytes(&f, sizeof job, 5000), sizeof job);
    usleep(100 * 1000); /* let the fake's "paper out" answer arrive */
    assert_int_equal(printer_status(pr, &st, 2000), SG_OK);
    assert_int_equal(st, PRINTER_READY);
    printer_close(pr);
    fake_stop(&f);
}

static void paces_without_flow_control(void **state)
{
    printer_profile p = fake_profile(PRINTER_FLOW_NONE, 2000);
    unsigned char job[2048], *got;
    fake_printer f;
    printer *pr;
    long t0, elapsed;
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof job; i++)
        job[i] = (unsigned char)(i % 64 == 63 ? '\n' : 'A' + i % 26);
    assert_int_equal(fake_start(&f, "pty", NULL), 0);
    pr = must_open(f.device, "none", &p);
    assert_int_equal(printer_write_floor_ms(pr, sizeof job), 1024);
    /* A timeout the pacing cannot meet is refused before a byte goes out. */
    assert_int_equal(printer_write(pr, job, sizeof job, 500), SG_EINVAL);
    assert_non_null(strstr(printer_errmsg(pr), "1024 ms"));
    t0 = fake_now_ms();
    assert_int_equal(printer_write(pr, job, sizeof job, 5000), SG_OK);
    elapsed = fake_now_ms() - t0;
    /* 2 KB at 2000 bytes/s is about a second; only a lower bound is
       asserted, since a loaded machine may take longer. */
    if (elapsed < 900)
        fail_msg("paced write took %ld ms, want about 1024", elapsed);
    assert_int_equal(fake_wait_bytes(&f, sizeof job, 5000), sizeof job);
    got = fake_read_file(f.record, &len);
    assert_int_equal(len, sizeof job);
    assert_memory_equal(got, job, sizeof job);
    free(got);
    printer_close(pr);
    fake_stop(&f);
}

/* A /dev/serial0-style symlink reaches the device it points to. */
static void resolves_a_symlink(void **state)
{
    printer_profile p = fake_profile(PRINTER_FLOW_RTSCTS, 0);
    char link[300];
    fake_printer f;
    printer_state st;
    printer *pr;

    (void)state;
    assert_int_equal(fake_start(&f, "pty", NULL), 0);
    snprintf(link, sizeof link, "%s/serial0", f.dir);
    assert_int_equal(symlink(f.device, link), 0);
    pr = must_open(link, "rtscts", &p);
    assert_non_null(strstr(printer_describe(pr), f.device));
    assert_non_null(strstr(printer_describe(pr), link));
    assert_int_equal(printer_write(pr, "hello\n", 6, 2000), SG_OK);
    assert_int_equal(fake_wait_bytes(&f, 6, 5000), 6);
    assert_int_equal(printer_status(pr, &st, 2000), SG_OK);
    assert_int_equal(st, PRINTER_READY);
    printer_close(pr);
    fake_stop(&f);
}

static void missing_device_is_named(void **state)
{
    printer_profile p = fake_profile(PRINTER_FLOW_NONE, 800);
    char err[512];
    printer *pr = NULL;

    (void)state;
    assert_int_equal(open_serial("/dev/signpost-no-such-tty", "none", &p, &pr, err,
                                 sizeof err),
                     SG_ENOTFOUND);
    assert_null(pr);
    assert_non_null(strstr(err, "/dev/signpost-no-such-tty"));
    assert_int_equal(open_serial("", "none", &p, &pr, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "device"));
}

/* A printer that stops reading makes a write fail at its timeout, not hang. */
static void slow_printer_times_out(void **state)
{
    const char *args[] = {"--slow", "50", NULL};
    printer_profile p = fake_profile(PRINTER_FLOW_RTSCTS, 0);
    size_t n = 512 * 1024;
    unsigned char *job = malloc(n);
    fake_printer f;
    printer *pr;
    long t0;

    (void)state;
    assert_non_null(job);
    memset(job, 'x', n);
    assert_int_equal(fake_start(&f, "pty", args), 0);
    pr = must_open(f.device, "rtscts", &p);
    t0 = fake_now_ms();
    assert_int_equal(printer_write(pr, job, n, 300), SG_EBUSY);
    assert_true(fake_now_ms() - t0 < 5000);
    assert_non_null(strstr(printer_errmsg(pr), "stopped taking data"));
    assert_non_null(strstr(printer_errmsg(pr), f.device));
    printer_close(pr);
    fake_stop(&f);
    free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_the_exact_bytes),
        cmocka_unit_test(reads_each_scripted_state),
        cmocka_unit_test(status_drains_stray_input),
        cmocka_unit_test(paces_without_flow_control),
        cmocka_unit_test(resolves_a_symlink),
        cmocka_unit_test(missing_device_is_named),
        cmocka_unit_test(slow_printer_times_out),
    };
    if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "pty_shim")) {
        fprintf(stderr, "run through ctest: needs LD_PRELOAD=pty_shim.so\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
