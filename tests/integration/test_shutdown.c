/*
 * Stopping the daemon: SIGTERM lets a request already in flight finish and
 * answer, an idle keep-alive connection does not hold shutdown up, every
 * screening acknowledged with 201 (also under concurrent load) is in a
 * database that passes PRAGMA integrity_check, no screening is stored whose
 * answer the kiosk never received (it would retry and store it twice), and
 * a restart on the same state directory serves again while the old tokens
 * are dead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define BODY                                                                             \
    "{\"language\":\"en\",\"answers\":{\"88122-7\":\"LA6729-3\",\"93030-5\":\"LA33-6\"}" \
    "}"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- a raw HTTP client, for requests the test must pause half-way ----- */

static int connect_loopback(int port)
{
    struct sockaddr_in sa = {0};
    struct timeval tv = {ITEST_WAIT_MS / 1000, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until needle appears or the peer closes (each read bounded); bytes read. */
static size_t recv_until(int fd, char *buf, size_t cap, const char *needle)
{
    size_t len = 0;
    long long deadline = now_ms() + ITEST_WAIT_MS;

    buf[0] = '\0';
    while (len + 1 < cap && now_ms() < deadline) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (needle && strstr(buf, needle))
            break;
    }
    return len;
}

/* Waits (bounded) until the daemon's log shows it has begun to stop. */
static void wait_for_log(itest_daemon *d, const char *needle)
{
    long long deadline = now_ms() + ITEST_WAIT_MS;
    while (!itest_log_contains(d, needle) && now_ms() < deadline)
        sleep_ms(10);
    assert_true(itest_log_contains(d, needle));
}

static long long db_count(itest_daemon *d, const char *sql, const char *arg)
{
    long long n = -1;
    assert_int_equal(itest_db_int(d, sql, arg, &n), 0);
    return n;
}

static void assert_db_intact(itest_daemon *d)
{
    char result[256];

    assert_int_equal(
        itest_db_text(d, "PRAGMA integrity_check", NULL, result, sizeof result), 0);
    assert_string_equal(result, "ok");
    assert_int_equal(db_count(d, "SELECT count(*) FROM pragma_foreign_key_check", NULL),
                     0);
}

/* ---- tests -------------------------------------------------------------- */

/*
 * Sends the headers with "Expect: 100-continue" and waits for "100 Continue":
 * from then on the request is in the daemon's hands.  SIGTERM arrives, the
 * body follows a little later, and the answer must still be a stored 201.
 */
static void sigterm_lets_a_request_in_flight_finish(void **state)
{
    itest_daemon *d = itest_start(NULL);
    char head[512], buf[16384], id[64] = "";
    const char *json;
    json_t *o;
    int fd;
    (void)state;

    assert_non_null(d);
    fd = connect_loopback(d->port);
    assert_true(fd >= 0);
    snprintf(head, sizeof head,
             "POST /api/v1/screenings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n"
             "Expect: 100-continue\r\nConnection: close\r\n\r\n",
             strlen(BODY));
    assert_int_equal(send_all(fd, head, strlen(head)), 0);
    recv_until(fd, buf, sizeof buf, "\r\n\r\n");
    assert_non_null(strstr(buf, " 100 "));
    kill(d->pid, SIGTERM);
    wait_for_log(d, "SIGTERM received");
    sleep_ms(300);
    assert_int_equal(send_all(fd, BODY, strlen(BODY)), 0);
    recv_until(fd, buf, sizeof buf, NULL);
    close(fd);
    if (strncmp(buf, "HTTP/1.1 201", 12) != 0)
        itest_dump_log(d, buf);
    assert_int_equal(strncmp(buf, "HTTP/1.1 201", 12), 0);
    json = strstr(buf, "\r\n\r\n");
    assert_non_null(json);
    o = json_loads(json + 4, 0, NULL);
    assert_non_null(o);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    assert_int_equal(itest_wait_exit(d, ITEST_WAIT_MS), 0);
    assert_int_equal(db_count(d, "SELECT count(*) FROM screenings WHERE id=?1", id), 1);
    assert_db_intact(d);
    itest_free(d);
}

static void an_idle_keep_alive_connection_does_not_hold_up_shutdown(void **state)
{
    itest_daemon *d = itest_start(NULL);
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    char buf[4096];
    long long t0;
    int fd;
    (void)state;

    assert_non_null(d);
    fd = connect_loopback(d->port);
    assert_true(fd >= 0);
    assert_int_equal(send_all(fd, req, sizeof req - 1), 0);
    recv_until(fd, buf, sizeof buf, "\"status\"");
    assert_int_equal(strncmp(buf, "HTTP/1.1 200", 12), 0);
    t0 = now_ms();
    assert_int_equal(itest_stop(d), 0);
    print_message("stopped %lld ms after SIGTERM with an idle connection open\n",
                  now_ms() - t0);
    assert_true(now_ms() - t0 < 5000);
    close(fd);
    itest_free(d);
}

static void post_ok(itest_daemon *d, char *id, size_t idlen, char *token, size_t toklen)
{
    itest_resp r;
    json_t *o;

    assert_int_equal(itest_post_json(d, "/api/v1/screenings", BODY, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    o = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(o);
    snprintf(id, idlen, "%s", json_string_value(json_object_get(o, "id")));
    if (token)
        snprintf(token, toklen, "%s", json_string_value(json_object_get(o, "token")));
    json_decref(o);
}

#define NSAVED 25

static void acknowledged_screenings_survive_stop_and_restart(void **state)
{
    char dir[ITEST_PATH], ids[NSAVED][64], token[64], path[128];
    itest_opts o = {0};
    itest_daemon *d;
    itest_resp r;
    (void)state;

    assert_int_equal(itest_mkdtemp(dir, sizeof dir), 0);
    o.state_dir = dir;
    d = itest_start(&o);
    assert_non_null(d);
    for (int i = 0; i < NSAVED; i++)
        post_ok(d, ids[i], sizeof ids[i], token, sizeof token);
    assert_int_equal(itest_stop(d), 0);
    assert_db_intact(d);
    assert_int_equal(db_count(d, "SELECT count(*) FROM screenings", NULL), NSAVED);
    for (int i = 0; i < NSAVED; i++)
        assert_int_equal(
            db_count(d, "SELECT count(*) FROM screenings WHERE id=?1", ids[i]), 1);
    itest_free(d);

    d = itest_start(&o);
    assert_non_null(d);
    assert_int_equal(itest_get(d, "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    itest_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/screenings/%s", ids[NSAVED - 1]);
    assert_int_equal(itest_get(d, path, token, &r), 0);
    assert_int_equal(r.status, 401); /* tokens live in memory only */
    itest_resp_free(&r);
    post_ok(d, ids[0], sizeof ids[0], NULL, 0);
    assert_int_equal(itest_stop(d), 0);
    assert_int_equal(db_count(d, "SELECT count(*) FROM screenings", NULL), NSAVED + 1);
    assert_db_intact(d);
    itest_free(d);
    itest_rmtree(dir);
}

/* ---- SIGTERM under load ------------------------------------------------- */

#define LOAD_THREADS 4
#define MAX_ACKED 4096

typedef struct {
    itest_daemon *d;
    pthread_mutex_t lock;
    atomic_int stop;
    char (*acked)[40];
    int nacked;
    int failed; /* transport errors: expected once the daemon stops */
} load_state;

static void *load_client(void *arg)
{
    load_state *ls = arg;

    while (!atomic_load(&ls->stop)) {
        itest_resp r;
        json_t *o = NULL;
        int rc = itest_post_json(ls->d, "/api/v1/screenings", BODY, NULL, &r);
        if (rc == 0 && r.status == 201)
            o = itest_resp_json(&r);
        pthread_mutex_lock(&ls->lock);
        if (o && ls->nacked < MAX_ACKED)
            snprintf(ls->acked[ls->nacked++], sizeof ls->acked[0], "%s",
                     json_string_value(json_object_get(o, "id")));
        ls->failed += rc != 0;
        pthread_mutex_unlock(&ls->lock);
        json_decref(o);
        itest_resp_free(&r);
    }
    return NULL;
}

static void every_acknowledged_screening_is_kept_under_load(void **state)
{
    load_state ls = {0};
    pthread_t th[LOAD_THREADS];
    (void)state;

    ls.d = itest_start(NULL);
    assert_non_null(ls.d);
    ls.acked = calloc(MAX_ACKED, sizeof *ls.acked);
    assert_non_null(ls.acked);
    pthread_mutex_init(&ls.lock, NULL);
    for (int i = 0; i < LOAD_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, load_client, &ls), 0);
    sleep_ms(500);
    kill(ls.d->pid, SIGTERM);
    atomic_store(&ls.stop, 1);
    for (int i = 0; i < LOAD_THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(itest_wait_exit(ls.d, ITEST_WAIT_MS), 0);
    print_message("%d screenings acknowledged, %d requests cut by the stop\n", ls.nacked,
                  ls.failed);
    assert_true(ls.nacked > 0);
    assert_db_intact(ls.d);
    for (int i = 0; i < ls.nacked; i++)
        assert_int_equal(
            db_count(ls.d, "SELECT count(*) FROM screenings WHERE id=?1", ls.acked[i]),
            1);
    pthread_mutex_destroy(&ls.lock);
    free(ls.acked);
    itest_free(ls.d);
}

/* ---- SIGTERM under keep-alive load -------------------------------------- */

#define KA_THREADS 6

typedef struct {
    int port;
    atomic_int acked;      /* 201 answers received */
    atomic_int cut;        /* requests that got no answer at all */
    atomic_llong deadline; /* ms; set once SIGTERM is sent, 0 before */
} ka_state;

/* Reads one answer (headers and Content-Length body); its status, or -1. */
static int read_answer(int fd, char *buf, size_t cap)
{
    size_t len = recv_until(fd, buf, cap, "\r\n\r\n"), want;
    const char *end = strstr(buf, "\r\n\r\n"), *cl = strstr(buf, "Content-Length: ");

    if (!end || !cl || len < 12)
        return -1;
    want = (size_t)(end + 4 - buf) + (size_t)strtoul(cl + 16, NULL, 10);
    while (len < want && len + 1 < cap) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return len >= want ? (int)strtol(buf + 9, NULL, 10) : -1;
}

/* One POST written as headers, then body (two writes, as many HTTP clients
 * do), on a kept-alive connection; its status, or -1. */
static int ka_exchange(int fd, char *buf, size_t cap)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /api/v1/screenings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     strlen(BODY));

    if (send_all(fd, head, (size_t)n) || send_all(fd, BODY, strlen(BODY)))
        return -1;
    return read_answer(fd, buf, cap);
}

/* One keep-alive connection posting until the daemon goes away (bounded). */
static void *ka_client(void *arg)
{
    ka_state *ks = arg;
    char *buf = malloc(65536);
    int fd = connect_loopback(ks->port);

    while (buf && fd >= 0) {
        long long dl = atomic_load(&ks->deadline);
        int status;
        if (dl && now_ms() > dl)
            break;
        status = ka_exchange(fd, buf, 65536);
        if (status < 0) {
            atomic_fetch_add(&ks->cut, 1);
            break;
        }
        if (status == 201)
            atomic_fetch_add(&ks->acked, 1);
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

/*
 * The kiosk's browser keeps connections alive.  SIGTERM must let the
 * requests in flight finish and then stop (well within 10 s: a request takes
 * milliseconds), and it must never store a screening and then drop its
 * answer: the screen would show an error, the patient would press Submit
 * again, and staff would see the visit twice.
 */
static void sigterm_under_keep_alive_load_stops_cleanly(void **state)
{
    ka_state ks = {0};
    pthread_t th[KA_THREADS];
    itest_daemon *d = itest_start(NULL);
    long long t0, stopped_ms, stored;
    int code;
    (void)state;

    assert_non_null(d);
    ks.port = d->port;
    for (int i = 0; i < KA_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, ka_client, &ks), 0);
    sleep_ms(300);
    atomic_store(&ks.deadline, now_ms() + 3 * ITEST_WAIT_MS / 2); /* a safety net */
    t0 = now_ms();
    kill(d->pid, SIGTERM);
    code = itest_wait_exit(d, ITEST_WAIT_MS); /* -1: still running after 10 s */
    stopped_ms = now_ms() - t0;
    for (int i = 0; i < KA_THREADS; i++)
        pthread_join(th[i], NULL); /* they end when their connection does */
    if (code < 0)
        code = itest_stop(d); /* its own drain limit should end it; else SIGKILL */
    stored = db_count(d, "SELECT count(*) FROM screenings", NULL);
    assert_db_intact(d);
    itest_free(d);
    print_message(
        "keep-alive load: exit status %d, %s 10 s; %d acknowledged, %lld stored,"
        " %d requests cut\n",
        code, stopped_ms < ITEST_WAIT_MS ? "within" : "NOT within",
        atomic_load(&ks.acked), stored, atomic_load(&ks.cut));
    assert_int_equal(code, 0);
    assert_true(stored >= atomic_load(&ks.acked));
    if (stored != atomic_load(&ks.acked))
        print_error("%lld screening(s) stored whose 201 never reached the client\n",
                    stored - atomic_load(&ks.acked));
    assert_int_equal(stored, atomic_load(&ks.acked));
    if (stopped_ms >= ITEST_WAIT_MS)
        print_error("still serving new keep-alive requests %lld ms after SIGTERM\n",
                    stopped_ms);
    assert_true(stopped_ms < ITEST_WAIT_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigterm_lets_a_request_in_flight_finish),
        cmocka_unit_test(an_idle_keep_alive_connection_does_not_hold_up_shutdown),
        cmocka_unit_test(acknowledged_screenings_survive_stop_and_restart),
        cmocka_unit_test(every_acknowledged_screening_is_kept_under_load),
        cmocka_unit_test(sigterm_under_keep_alive_load_stops_cleanly),
    };
    int rc;

    if (itest_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    itest_cleanup();
    return rc;
}
