/*
 * The TCP transport against fake_printer on 127.0.0.1: exact bytes,
 * status over the job's own socket, and the ways a network printer fails
 * (nothing listening, not answering the connect, hanging up).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "signpost/printer.h"

#define MAX_FILLERS 64

static sg_rc open_tcp(int port, printer **pr, char *err, size_t errlen)
{
    printer_profile p = fake_profile(PRINTER_FLOW_RTSCTS, 0);
    char portset[64];
    sg_config cfg;

    snprintf(portset, sizeof portset, "printer.port=%d", port);
    const char *sets[] = {"printer.transport=tcp", "printer.host=127.0.0.1", portset, NULL};
    fake_config(&cfg, sets);
    return printer_open(&cfg, &p, pr, err, errlen);
}

static void writes_bytes_and_reads_status(void **state)
{
    const char *args[] = {"--state", "ready", "--state", "paper-out", "--state",
                          "cover-open", NULL};
    static const unsigned char job[] = {0x1B, 0x40, 0x1B, 0x74, 19,  'h', 0xA0, 'l',
                                        'a',  '\n', 0x1D, '(',  'k', 22,  0,    '1',
                                        'P',  '0',  'h',  't',  't', 'p', 's',  ':',
                                        '/',  '/',  'e',  'x',  'a', 'm', 'p',  'l',
                                        'e',  '.',  'o',  'r',  'g'};
    unsigned char *got;
    char err[512];
    fake_printer f;
    printer_state st;
    printer *pr = NULL;
    size_t len;

    (void)state;
    assert_int_equal(fake_start(&f, "tcp", args), 0);
    if (open_tcp(f.port, &pr, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(printer_status(pr, &st, 2000), SG_OK);
    assert_int_equal(st, PRINTER_READY);
    assert_int_equal(printer_write(pr, job, sizeof job, 2000), SG_OK);
    assert_int_equal(printer_status(pr, &st, 2000), SG_OK);
    assert_int_equal(st, PRINTER_PAPER_OUT);
    assert_int_equal(printer_status(pr, &st, 2000), SG_OK);
    assert_int_equal(st, PRINTER_COVER_OPEN);
    printer_close(pr);

    /* Three status rounds of 3 queries each, and the job in between. */
    assert_int_equal(fake_wait_bytes(&f, sizeof job + 27, 5000), sizeof job + 27);
    got = fake_read_file(f.record, &len);
    assert_int_equal(len, sizeof job + 27);
    assert_memory_equal(got + 9, job, sizeof job);
    assert_memory_equal(got, "\x10\x04\x01\x10\x04\x02\x10\x04\x04", 9);
    free(got);
    got = fake_read_file(f.qr, &len);
    assert_non_null(got);
    assert_string_equal((char *)got, "https://example.org");
    free(got);
    fake_stop(&f);
}

/* A port with nothing behind it: a refused connect, said plainly and at once. */
static void refused_connect_is_quick_and_clear(void **state)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    char err[512], want[64];
    printer *pr = NULL;
    int fd, port;
    long t0;

    (void)state;
    /* A port the kernel just gave out and nobody listens on. */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    port = ntohs(a.sin_port);
    close(fd);

    t0 = fake_now_ms();
    assert_int_equal(open_tcp(port, &pr, err, sizeof err), SG_EIO);
    assert_true(fake_now_ms() - t0 < 1000);
    assert_null(pr);
    snprintf(want, sizeof want, "127.0.0.1:%d", port);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "refused"));
}

/* Connects until one is left hanging: a listener whose backlog is full drops
   SYNs, which is what a printer that is switched off looks like from here. */
static int fill_backlog(int port, int *fds, int max)
{
    struct sockaddr_in a;
    int n = 0;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)port);
    while (n < max) {
        struct pollfd p;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), e = 0;
        socklen_t len = sizeof e;
        fds[n++] = fd;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            continue;
        p = (struct pollfd){fd, POLLOUT, 0};
        if (poll(&p, 1, 300) == 0)
            return n; /* this one hangs: the backlog is full */
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
        if (e)
            return -1;
    }
    return -1;
}

static void unanswered_connect_times_out(void **state)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int lfd, fds[MAX_FILLERS], n;
    printer *pr = NULL;
    char err[512];
    long t0, took;

    (void)state;
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 0), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
    n = fill_backlog(ntohs(a.sin_port), fds, MAX_FILLERS);
    if (n < 0) {
        close(lfd);
        skip(); /* this kernel does not drop SYNs on a full backlog */
    }
    t0 = fake_now_ms();
    assert_int_equal(open_tcp(ntohs(a.sin_port), &pr, err, sizeof err), SG_EIO);
    took = fake_now_ms() - t0;
    assert_null(pr);
    assert_non_null(strstr(err, "no answer within"));
    if (took < PRINTER_OPEN_TIMEOUT_MS - 100)
        fail_msg("gave up after %ld ms, before the %d ms timeout", took,
                 PRINTER_OPEN_TIMEOUT_MS);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    close(lfd);
}

/* The printer goes away mid-session: the next call says so. */
static void hang_up_is_an_io_error(void **state)
{
    fake_printer f;
    printer_state st;
    printer *pr = NULL;
    char err[512];

    (void)state;
    assert_int_equal(fake_start(&f, "tcp", NULL), 0);
    if (open_tcp(f.port, &pr, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(printer_status(pr, &st, 2000), SG_OK);
    fake_stop(&f);
    usleep(100 * 1000);
    assert_int_equal(printer_status(pr, &st, 2000), SG_EIO);
    assert_non_null(strstr(printer_errmsg(pr), "closed the connection"));
    printer_close(pr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_bytes_and_reads_status),
        cmocka_unit_test(refused_connect_is_quick_and_clear),
        cmocka_unit_test(unanswered_connect_times_out),
        cmocka_unit_test(hang_up_is_an_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
