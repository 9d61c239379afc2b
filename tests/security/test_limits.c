/*
 * Size and time limits, by raw bytes on both listeners: bodies over
 * [kiosk] max_body_kb (declared, sent in chunks, or announced with a huge
 * Content-Length and never sent) are refused with 413 and store nothing;
 * slow clients (slowloris: a request's headers one byte every few seconds)
 * are dropped once [kiosk] request_timeout_s (2 s here) passes with
 * nothing from them; clients that trickle a byte a second, inside the idle
 * timeout, into their headers or their body are cut off at [kiosk]
 * request_deadline_s (5 s here) and store nothing, while the daemon keeps
 * answering everyone else and a keep-alive client that asks now and then
 * is never cut; and a flood of idle connections ends within the timeout.
 *
 * The kiosk's plain over-size POST is integration.api's
 * body_over_16_kb_is_413; this is everything around it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "sec_common.h"

#define TIMEOUT_S 2      /* [kiosk] request_timeout_s in sec_common.c */
#define DEADLINE_S 5     /* [kiosk] request_deadline_s in sec_common.c */
#define OVER (20 * 1024) /* over the default 16 kB */
#define SLOW_CLIENTS 20

static sec_env env;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int healthz(int port);

/* ---- bodies over the cap -------------------------------------------------------- */

/* A POST of path with a declared body of n bytes of JSON-ish filler. */
static int post_big(int port, const char *path, const char *cookie, size_t n, int chunked,
                    char *raw)
{
    size_t cap = n + 1024;
    char *req = malloc(cap);
    size_t o;
    int st;

    assert_non_null(req);
    o = (size_t)snprintf(
        req, cap,
        "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "%s%s%sConnection: close\r\n",
        path, cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "");
    if (chunked) {
        o += (size_t)snprintf(req + o, cap - o, "Transfer-Encoding: chunked\r\n\r\n");
        for (size_t left = n; left > 0;) {
            size_t c = left > 4096 ? 4096 : left;
            o += (size_t)snprintf(req + o, cap - o, "%zx\r\n", c);
            memset(req + o, 'a', c);
            o += c;
            memcpy(req + o, "\r\n", 2);
            o += 2;
            left -= c;
            if (o + 4200 > cap)
                break;
        }
        o += (size_t)snprintf(req + o, cap - o, "0\r\n\r\n");
    } else {
        o += (size_t)snprintf(req + o, cap - o, "Content-Length: %zu\r\n\r\n", n);
        memset(req + o, 'a', n);
        o += n;
    }
    st = sec_raw(port, req, o, raw, SEC_RAW_CAP, ITEST_WAIT_MS);
    free(req);
    return st;
}

static void bodies_over_the_cap_are_413_on_both_listeners(void **ctx)
{
    static const struct {
        int staff;
        const char *path;
    } where[] = {
        {0, "/api/v1/screenings"},
        {0, "/api/v1/screenings/00000000000000000000000000000000/sms"},
        {1, "/staff/api/v1/login"},
        {1, "/staff/api/v1/logout"},
        {1, "/staff/api/v1/resources/x"},
        {1, "/hooks/twilio/inbound"},
    };
    char *raw = malloc(SEC_RAW_CAP);
    uint64_t before = sec_db_fingerprint(env.d);
    (void)ctx;

    assert_non_null(raw);
    assert_true(before != 0);
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        int port = where[i].staff ? env.staff.port : env.d->port;
        const char *cookie = where[i].staff ? env.admin.cookie : NULL;
        for (int chunked = 0; chunked < 2; chunked++) {
            int st = post_big(port, where[i].path, cookie, OVER, chunked, raw);
            if (st != 413)
                print_error("POST %s (%s): %d\n%.300s\n", where[i].path,
                            chunked ? "chunked" : "Content-Length", st, raw);
            assert_int_equal(st, 413);
            assert_non_null(strstr(raw, "body_too_large"));
        }
    }
    assert_true(sec_db_fingerprint(env.d) == before);
    free(raw);
}

/*
 * A huge Content-Length whose body never comes: the declared length alone
 * is over the cap, so both listeners answer 413 at once and close, without
 * waiting for (or reading) a body they would throw away.
 */
static void a_huge_declared_length_is_refused_at_once(void **ctx)
{
    static const char kiosk[] =
        "POST /api/v1/screenings HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/json\r\n"
        "Content-Length: 10000000000\r\nConnection: close\r\n\r\n{";
    static const char staff[] =
        "POST /staff/api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/json\r\n"
        "Content-Length: 10000000000\r\nConnection: close\r\n\r\n{";
    char *raw = malloc(SEC_RAW_CAP);
    long long t0 = now_ms();
    (void)ctx;

    assert_non_null(raw);
    assert_int_equal(sec_raw(env.d->port, kiosk, sizeof kiosk - 1, raw, SEC_RAW_CAP, 5000),
                     413);
    assert_non_null(strstr(raw, "body_too_large"));
    assert_int_equal(
        sec_raw(env.staff.port, staff, sizeof staff - 1, raw, SEC_RAW_CAP, 5000), 413);
    assert_true(now_ms() - t0 < 3000);
    assert_int_equal(healthz(env.d->port), 200);
    assert_int_equal(healthz(env.staff.port), 200);
    free(raw);
}

/* ---- slow clients ------------------------------------------------------------ */

/* 1 when the daemon has closed fd (EOF or reset), 0 while it is open. */
static int closed_by_peer(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    char c[256];

    if (poll(&p, 1, 0) <= 0)
        return 0;
    ssize_t n = recv(fd, c, sizeof c, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
           (n > 0 && closed_by_peer(fd)); /* an error answer, then the close */
}

/* A quick request a well-behaved client makes meanwhile; its status. */
static int healthz(int port)
{
    static const char req[] =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char raw[4096];
    return sec_raw(port, req, sizeof req - 1, raw, sizeof raw, 1000);
}

/* A request's start, its headers unfinished. */
static const char *const slow_headers[2] = {
    "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
};

/* Whole headers announcing a body of 300 bytes, and its first byte. */
static const char *const slow_bodies[2] = {
    "POST /api/v1/screenings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 300\r\n\r\n{",
    "POST /staff/api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 300\r\n\r\n{",
};

/*
 * SLOW_CLIENTS connections on each listener send heads[0] (kiosk) or
 * heads[1] (staff) and then one more byte every gap_ms.  Returns the ms
 * from the first byte until every one was closed by the daemon (or -1 past
 * limit_ms), checking that other clients are answered within 1 s all along.
 */
static long slowloris(const char *const heads[2], long gap_ms, long limit_ms)
{
    int fds[2 * SLOW_CLIENTS], open_n = 0;
    long long t0 = now_ms(), next = t0;
    long result = -1;

    for (int i = 0; i < 2 * SLOW_CLIENTS; i++) {
        fds[i] = sec_connect(i % 2 ? env.staff.port : env.d->port);
        assert_true(fds[i] >= 0);
        assert_true(send(fds[i], heads[i % 2], strlen(heads[i % 2]), MSG_NOSIGNAL) > 0);
        open_n++;
    }
    while (now_ms() - t0 < limit_ms) {
        if (now_ms() >= next) {
            for (int i = 0; i < 2 * SLOW_CLIENTS; i++)
                if (fds[i] >= 0 && send(fds[i], "a", 1, MSG_NOSIGNAL) != 1) {
                    close(fds[i]); /* closed by the daemon: EPIPE or reset */
                    fds[i] = -1;
                    open_n--;
                }
            next += gap_ms;
        }
        for (int i = 0; i < 2 * SLOW_CLIENTS; i++)
            if (fds[i] >= 0 && closed_by_peer(fds[i])) {
                close(fds[i]);
                fds[i] = -1;
                open_n--;
            }
        if (open_n == 0) {
            result = (long)(now_ms() - t0);
            break;
        }
        /* Everyone else is still served, on both listeners. */
        assert_int_equal(healthz(env.d->port), 200);
        assert_int_equal(healthz(env.staff.port), 200);
        sleep_ms(100);
    }
    for (int i = 0; i < 2 * SLOW_CLIENTS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return result;
}

/* A byte every 3 s, over the 2 s timeout: each is dropped at its first gap. */
static void slow_headers_are_dropped_after_the_timeout(void **ctx)
{
    long ms;
    (void)ctx;

    ms = slowloris(slow_headers, 3000, 15000);
    print_message("slowloris, a byte every 3 s: all %d dropped after %ld ms\n",
                  2 * SLOW_CLIENTS, ms);
    assert_true(ms > 0);
    assert_true(ms <= (TIMEOUT_S + 3) * 1000L);
}

/*
 * A byte every second, inside the idle timeout, so only the deadline on
 * the whole request can end it: every one is cut off at request_deadline_s
 * (not before: the idle timeout never fires), while slowloris() checks
 * that everyone else is served all along.
 */
static void headers_trickling_in_are_cut_at_the_deadline(void **ctx)
{
    long ms;
    (void)ctx;

    ms = slowloris(slow_headers, 1000, (DEADLINE_S + 5) * 1000L);
    print_message("headers at a byte a second: all %d cut after %ld ms\n",
                  2 * SLOW_CLIENTS, ms);
    assert_true(ms >= (DEADLINE_S - 1) * 1000L);
    assert_true(ms <= (DEADLINE_S + 3) * 1000L);
}

/* The same for a body: whole headers, then a byte a second; nothing stored. */
static void a_body_trickling_in_is_cut_at_the_deadline(void **ctx)
{
    uint64_t before = sec_db_fingerprint(env.d);
    long ms;
    (void)ctx;

    assert_true(before != 0);
    ms = slowloris(slow_bodies, 1000, (DEADLINE_S + 5) * 1000L);
    print_message("bodies at a byte a second: all %d cut after %ld ms\n", 2 * SLOW_CLIENTS,
                  ms);
    assert_true(ms >= (DEADLINE_S - 1) * 1000L);
    assert_true(ms <= (DEADLINE_S + 3) * 1000L);
    assert_true(sec_db_fingerprint(env.d) == before);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/*
 * The deadline is per request: one keep-alive connection asking every
 * 1.5 s (inside the idle timeout) for twice the deadline is never cut,
 * on either listener.  libcurl reports whether it had to connect again.
 */
static void a_keep_alive_client_is_not_cut(void **ctx)
{
    char url[2][64];
    CURL *c[2] = {curl_easy_init(), curl_easy_init()};
    long long t0 = now_ms();
    long connects;
    (void)ctx;

    snprintf(url[0], sizeof url[0], "http://127.0.0.1:%d/healthz", env.d->port);
    snprintf(url[1], sizeof url[1], "http://127.0.0.1:%d/healthz", env.staff.port);
    for (int i = 0; i < 2; i++) {
        assert_non_null(c[i]);
        curl_easy_setopt(c[i], CURLOPT_URL, url[i]);
        curl_easy_setopt(c[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c[i], CURLOPT_TIMEOUT_MS, 3000L);
    }
    for (int round = 0; now_ms() - t0 < 2 * DEADLINE_S * 1000L; round++) {
        for (int i = 0; i < 2; i++) {
            assert_int_equal(curl_easy_perform(c[i]), CURLE_OK);
            curl_easy_getinfo(c[i], CURLINFO_NUM_CONNECTS, &connects);
            if (round > 0 && connects != 0)
                fail_msg("%s listener: round %d needed a new connection",
                         i ? "staff" : "kiosk", round);
        }
        sleep_ms(1500);
    }
    for (int i = 0; i < 2; i++)
        curl_easy_cleanup(c[i]);
}

/* Connections that never send a byte are closed within the timeout too. */
static void idle_connections_are_closed(void **ctx)
{
    int fds[2 * SLOW_CLIENTS], open_n = 2 * SLOW_CLIENTS;
    long long t0 = now_ms();
    (void)ctx;

    for (int i = 0; i < 2 * SLOW_CLIENTS; i++) {
        fds[i] = sec_connect(i % 2 ? env.staff.port : env.d->port);
        assert_true(fds[i] >= 0);
    }
    while (open_n > 0 && now_ms() - t0 < (TIMEOUT_S + 4) * 1000L) {
        for (int i = 0; i < 2 * SLOW_CLIENTS; i++)
            if (fds[i] >= 0 && closed_by_peer(fds[i])) {
                close(fds[i]);
                fds[i] = -1;
                open_n--;
            }
        assert_int_equal(healthz(env.d->port), 200);
        sleep_ms(100);
    }
    for (int i = 0; i < 2 * SLOW_CLIENTS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    assert_int_equal(open_n, 0);
}

/* ---- set-up -------------------------------------------------------------------- */

static int setup(void **ctx)
{
    (void)ctx;
    return sec_start(&env, NULL);
}

static int teardown(void **ctx)
{
    (void)ctx;
    sec_stop(&env);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_over_the_cap_are_413_on_both_listeners),
        cmocka_unit_test(a_huge_declared_length_is_refused_at_once),
        cmocka_unit_test(slow_headers_are_dropped_after_the_timeout),
        cmocka_unit_test(headers_trickling_in_are_cut_at_the_deadline),
        cmocka_unit_test(a_body_trickling_in_is_cut_at_the_deadline),
        cmocka_unit_test(a_keep_alive_client_is_not_cut),
        cmocka_unit_test(idle_connections_are_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
