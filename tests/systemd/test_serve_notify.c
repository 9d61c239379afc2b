/*
 * `signpost serve` under a stand-in for systemd: the test binds the
 * datagram socket systemd would ($NOTIFY_SOCKET), runs the real daemon
 * with a short $WATCHDOG_USEC, and checks the conversation a Type=notify
 * unit with WatchdogSec= relies on: READY=1 with the listening address
 * once the kiosk answers, WATCHDOG=1 pings at half the interval, and
 * STOPPING=1 before a clean exit on SIGTERM.  A $WATCHDOG_PID naming
 * another process must stop the pings (the variables were not ours).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define MSG_CAP 1024

typedef struct {
    int fd;
    char dir[ITEST_PATH];
    char path[ITEST_PATH + 16];
} fake_systemd;

/* Binds dir/notify and points $NOTIFY_SOCKET at it for the daemon. */
static void fake_systemd_start(fake_systemd *s)
{
    struct sockaddr_un sa;
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};

    assert_int_equal(itest_mkdtemp(s->dir, sizeof s->dir), 0);
    snprintf(s->path, sizeof s->path, "%s/notify", s->dir);
    assert_true(strlen(s->path) < sizeof sa.sun_path);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, s->path, strlen(s->path));
    s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    /* Short receive slices; the callers bound the total wait. */
    assert_int_equal(setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    setenv("NOTIFY_SOCKET", s->path, 1);
}

static void fake_systemd_stop(fake_systemd *s)
{
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(s->fd);
    unlink(s->path);
    itest_rmtree(s->dir);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads datagrams for up to ms until one starts with want; counts the
 * WATCHDOG=1 pings seen on the way in *pings (may be NULL).  1 when
 * found, with the whole message in out.
 */
static int wait_for(fake_systemd *s, const char *want, long ms, int *pings, char *out,
                    size_t outlen)
{
    long end = now_ms() + ms;

    while (now_ms() < end) {
        ssize_t n = recv(s->fd, out, outlen - 1, 0);
        if (n < 0)
            continue; /* a 200 ms slice went by */
        out[n] = '\0';
        if (pings && strcmp(out, "WATCHDOG=1") == 0)
            (*pings)++;
        if (strncmp(out, want, strlen(want)) == 0)
            return 1;
    }
    return 0;
}

static void ready_pings_and_stopping(void **state)
{
    fake_systemd s;
    itest_daemon *d;
    char msg[MSG_CAP], want[128];
    int pings = 0;
    (void)state;

    fake_systemd_start(&s);
    setenv("WATCHDOG_USEC", "400000", 1); /* 0.4 s: a ping every 0.2 s */
    unsetenv("WATCHDOG_PID");
    d = itest_start(NULL);
    assert_non_null(d);

    assert_true(wait_for(&s, "READY=1", ITEST_WAIT_MS, NULL, msg, sizeof msg));
    snprintf(want, sizeof want, "READY=1\nSTATUS=kiosk listening on http://127.0.0.1:%d/",
             d->port);
    assert_string_equal(msg, want);

    /* Three pings in two seconds: the loop keeps pinging, not just once. */
    wait_for(&s, "no such message", 2000, &pings, msg, sizeof msg);
    if (pings < 3)
        itest_dump_log(d, "too few watchdog pings");
    assert_true(pings >= 3);
    assert_true(pings <= 15); /* and it does not spin */

    assert_int_equal(itest_stop(d), 0);
    assert_true(wait_for(&s, "STOPPING=1", 1000, NULL, msg, sizeof msg));
    assert_string_equal(msg, "STOPPING=1\nSTATUS=stopping");
    itest_free(d);
    fake_systemd_stop(&s);
}

static void someone_elses_watchdog_is_ignored(void **state)
{
    fake_systemd s;
    itest_daemon *d;
    char msg[MSG_CAP];
    int pings = 0;
    (void)state;

    fake_systemd_start(&s);
    setenv("WATCHDOG_USEC", "400000", 1);
    setenv("WATCHDOG_PID", "1", 1); /* not the daemon */
    d = itest_start(NULL);
    assert_non_null(d);
    assert_true(wait_for(&s, "READY=1", ITEST_WAIT_MS, NULL, msg, sizeof msg));
    wait_for(&s, "no such message", 1000, &pings, msg, sizeof msg);
    assert_int_equal(pings, 0);
    assert_int_equal(itest_stop(d), 0);
    assert_true(wait_for(&s, "STOPPING=1", 1000, NULL, msg, sizeof msg));
    itest_free(d);
    fake_systemd_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_pings_and_stopping),
        cmocka_unit_test(someone_elses_watchdog_is_ignored),
    };
    int rc;

    if (itest_init())
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    itest_cleanup();
    return rc;
}
