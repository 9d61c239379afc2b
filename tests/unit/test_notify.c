/*
 * The sd_notify client (src/daemon/notify.c): the $NOTIFY_SOCKET and
 * $WATCHDOG_USEC parsing, the message format, and real datagrams caught
 * by an AF_UNIX socket standing in for systemd, both a file socket in a
 * temporary directory and an abstract-namespace one.
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
#include <unistd.h>
#include <cmocka.h>

#include "signpost/notify.h"

/* A datagram socket bound where systemd's would be; fd < 0 on failure. */
typedef struct {
    int fd;
    char dir[64];
    char name[128]; /* the $NOTIFY_SOCKET value that reaches it */
} listener;

static void listener_timeout(int fd)
{
    struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
}

/* Binds a socket to name (a path or "@abstract"), as systemd would. */
static void listener_bind(listener *l)
{
    struct sockaddr_un sa;
    socklen_t len;

    assert_int_equal(notify_parse_socket(l->name, &sa, &len), SG_OK);
    l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(l->fd >= 0);
    assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, len), 0);
    listener_timeout(l->fd);
}

static void listener_file(listener *l)
{
    memset(l, 0, sizeof *l);
    snprintf(l->dir, sizeof l->dir, "/tmp/sg-notify-XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    snprintf(l->name, sizeof l->name, "%s/notify", l->dir);
    listener_bind(l);
}

static void listener_abstract(listener *l)
{
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "@signpost-test-notify-%ld", (long)getpid());
    listener_bind(l);
}

static void listener_close(listener *l)
{
    char path[200];

    close(l->fd);
    if (l->dir[0]) {
        snprintf(path, sizeof path, "%s/notify", l->dir);
        unlink(path);
        rmdir(l->dir);
    }
}

/* The next datagram as a string; fails the test after 2 s of silence. */
static void expect_msg(const listener *l, const char *want)
{
    char got[NOTIFY_MSG_MAX + 1];
    ssize_t n = recv(l->fd, got, sizeof got - 1, 0);

    if (n < 0)
        fail_msg("no datagram (%s), wanted \"%s\"", strerror(errno), want);
    got[n] = '\0';
    assert_string_equal(got, want);
}

static void expect_nothing(const listener *l)
{
    char got[16];
    assert_true(recv(l->fd, got, sizeof got, MSG_DONTWAIT) < 0);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void socket_names(void **state)
{
    struct sockaddr_un sa;
    socklen_t len;
    char longname[sizeof sa.sun_path + 2];
    (void)state;

    assert_int_equal(notify_parse_socket("/run/systemd/notify", &sa, &len), SG_OK);
    assert_string_equal(sa.sun_path, "/run/systemd/notify");
    assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/systemd/notify") + 1);

    assert_int_equal(notify_parse_socket("@sd/notify", &sa, &len), SG_OK);
    assert_int_equal(sa.sun_path[0], '\0');
    assert_memory_equal(sa.sun_path + 1, "sd/notify", 9);
    assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 10); /* no NUL at the end */

    assert_int_equal(notify_parse_socket(NULL, &sa, &len), SG_EINVAL);
    assert_int_equal(notify_parse_socket("", &sa, &len), SG_EINVAL);
    assert_int_equal(notify_parse_socket("@", &sa, &len), SG_EINVAL);
    assert_int_equal(notify_parse_socket("/", &sa, &len), SG_EINVAL);
    assert_int_equal(notify_parse_socket("run/notify", &sa, &len), SG_EINVAL);
    assert_int_equal(notify_parse_socket("vsock:2:1234", &sa, &len), SG_EINVAL);

    /* sun_path holds 107 characters and a NUL; 108 no longer fit. */
    memset(longname, 'a', sizeof longname);
    longname[0] = '/';
    longname[sizeof sa.sun_path - 1] = '\0';
    assert_int_equal(notify_parse_socket(longname, &sa, &len), SG_OK);
    longname[sizeof sa.sun_path - 1] = 'a';
    longname[sizeof sa.sun_path] = '\0';
    assert_int_equal(notify_parse_socket(longname, &sa, &len), SG_EINVAL);
}

static void watchdog_values(void **state)
{
    (void)state;
    assert_int_equal(notify_watchdog_parse("30000000", NULL, 42), 15000);
    assert_int_equal(notify_watchdog_parse("30000000", "42", 42), 15000);
    assert_int_equal(notify_watchdog_parse("1000", NULL, 42), 1); /* 0.5 ms: at least 1 */
    assert_int_equal(notify_watchdog_parse("3000", NULL, 42), 1);
    assert_int_equal(notify_watchdog_parse("5000", NULL, 42), 2);

    /* Another process's watchdog, or a pid that is not a number. */
    assert_int_equal(notify_watchdog_parse("30000000", "41", 42), 0);
    assert_int_equal(notify_watchdog_parse("30000000", "", 42), 0);
    assert_int_equal(notify_watchdog_parse("30000000", "42x", 42), 0);
    assert_int_equal(notify_watchdog_parse("30000000", "-42", 42), 0);

    /* Not configured, or nonsense. */
    assert_int_equal(notify_watchdog_parse(NULL, NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("0", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("-30000000", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("+30000000", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse(" 30000000", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("30000000 ", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("30s", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("0x10", NULL, 42), 0);
    assert_int_equal(notify_watchdog_parse("99999999999999999999999", NULL, 42), 0);
}

static void watchdog_from_environment(void **state)
{
    char pid[32];
    (void)state;

    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    assert_int_equal(notify_watchdog_interval_ms(), 0);
    setenv("WATCHDOG_USEC", "30000000", 1);
    assert_int_equal(notify_watchdog_interval_ms(), 15000);
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(notify_watchdog_interval_ms(), 15000);
    setenv("WATCHDOG_PID", "1", 1);
    assert_int_equal(notify_watchdog_interval_ms(), 0);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

static void message_format(void **state)
{
    char out[32];
    (void)state;

    assert_int_equal(notify_format(out, sizeof out, "READY=1", NULL), SG_OK);
    assert_string_equal(out, "READY=1");
    assert_int_equal(notify_format(out, sizeof out, "READY=1", ""), SG_OK);
    assert_string_equal(out, "READY=1");
    assert_int_equal(notify_format(out, sizeof out, "READY=1", "up\nWATCHDOG=1"), SG_OK);
    assert_string_equal(out, "READY=1\nSTATUS=up WATCHDOG=1"); /* no smuggled line */
    assert_int_equal(notify_format(out, sizeof out, "READY=1", "a\tb\rc\x7f"), SG_OK);
    assert_string_equal(out, "READY=1\nSTATUS=a b c ");
    /* A long status is cut to fit, state first and whole. */
    assert_int_equal(notify_format(out, sizeof out, "READY=1",
                                   "kiosk listening on http://127.0.0.1:8080/"), SG_OK);
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_string_equal(out, "READY=1\nSTATUS=kiosk listening ");
    assert_int_equal(notify_format(out, 4, "READY=1", NULL), SG_ETOOBIG);
    assert_int_equal(notify_format(out, 8, "READY=1", "x"), SG_OK); /* no room: state only */
    assert_string_equal(out, "READY=1");
}

static void file_socket_gets_every_state(void **state)
{
    listener l;
    (void)state;

    listener_file(&l);
    setenv("NOTIFY_SOCKET", l.name, 1);
    assert_int_equal(notify_ready("kiosk listening on http://127.0.0.1:8080/"), SG_OK);
    expect_msg(&l, "READY=1\nSTATUS=kiosk listening on http://127.0.0.1:8080/");
    assert_int_equal(notify_watchdog(), SG_OK);
    expect_msg(&l, "WATCHDOG=1");
    assert_int_equal(notify_status("printer offline"), SG_OK);
    expect_msg(&l, "STATUS=printer offline");
    assert_int_equal(notify_stopping(), SG_OK);
    expect_msg(&l, "STOPPING=1\nSTATUS=stopping");
    assert_int_equal(notify_ready(NULL), SG_OK);
    expect_msg(&l, "READY=1");
    assert_int_equal(notify_status(""), SG_OK); /* nothing to say: nothing sent */
    expect_nothing(&l);
    unsetenv("NOTIFY_SOCKET");
    listener_close(&l);
}

static void abstract_socket(void **state)
{
    listener l;
    (void)state;

    listener_abstract(&l);
    setenv("NOTIFY_SOCKET", l.name, 1);
    assert_int_equal(notify_ready(NULL), SG_OK);
    expect_msg(&l, "READY=1");
    assert_int_equal(notify_watchdog(), SG_OK);
    expect_msg(&l, "WATCHDOG=1");
    assert_int_equal(notify_send_to(l.name, "STOPPING=1"), SG_OK);
    expect_msg(&l, "STOPPING=1");
    unsetenv("NOTIFY_SOCKET");
    listener_close(&l);
}

static void unset_is_a_no_op(void **state)
{
    listener l;
    (void)state;

    listener_file(&l);
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(notify_ready("x"), SG_OK);
    assert_int_equal(notify_watchdog(), SG_OK);
    assert_int_equal(notify_stopping(), SG_OK);
    assert_int_equal(notify_status("x"), SG_OK);
    assert_int_equal(notify_send("READY=1"), SG_OK);
    expect_nothing(&l);
    listener_close(&l);
}

static void bad_socket_values(void **state)
{
    char gone[128];
    listener l;
    (void)state;

    setenv("NOTIFY_SOCKET", "relative/notify", 1);
    assert_int_equal(notify_ready(NULL), SG_EINVAL);
    setenv("NOTIFY_SOCKET", "", 1);
    assert_int_equal(notify_watchdog(), SG_EINVAL);
    setenv("NOTIFY_SOCKET", "@", 1);
    assert_int_equal(notify_stopping(), SG_EINVAL);

    /* A socket that went away (systemd restarted, stale variable). */
    listener_file(&l);
    snprintf(gone, sizeof gone, "%s/nobody-listens", l.dir);
    setenv("NOTIFY_SOCKET", gone, 1);
    assert_int_equal(notify_ready(NULL), SG_EIO);
    setenv("NOTIFY_SOCKET", "@signpost-test-nobody-listens", 1);
    assert_int_equal(notify_watchdog(), SG_EIO);
    unsetenv("NOTIFY_SOCKET");
    expect_nothing(&l);
    listener_close(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(socket_names),
        cmocka_unit_test(watchdog_values),
        cmocka_unit_test(watchdog_from_environment),
        cmocka_unit_test(message_format),
        cmocka_unit_test(file_socket_gets_every_state),
        cmocka_unit_test(abstract_socket),
        cmocka_unit_test(unset_is_a_no_op),
        cmocka_unit_test(bad_socket_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
