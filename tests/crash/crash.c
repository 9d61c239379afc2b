/*
 * Helpers for the crash tests (see crash.h).  The HTTP calls here differ
 * from the integration harness's in one way that matters for a daemon that
 * is killed at random: they take a port, not a daemon handle, so a client
 * thread never touches memory the main thread frees when it restarts the
 * daemon, and they treat "no answer" as an ordinary outcome.
 */
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crash.h"
#include "harness.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR must name the source tree"
#endif

#define PRINTER_MAX_CONN 4096
#define PRINTER_CONN_CAP                                                                 \
    (256 * 1024) /* bytes kept per connection; a receipt is a few KB */
#define PRINTER_SLOW_RCVBUF 2048
#define PRINTER_SLOW_CHUNK 256
#define PRINTER_SLOW_PAUSE_MS 20

/* ---- config ------------------------------------------------------------------ */

int cr_write_config(const char *dir, int printer_port, const char *gw_url,
                    const char *sms_extra, const char *extra, char *out, size_t outlen)
{
    char text[4096], tok[CR_PATH], printer[160], sms[1400];

    if (itest_write_file(dir, "twilio.token", CR_TOKEN "\n", tok, sizeof tok))
        return -1;
    if (printer_port > 0)
        snprintf(
            printer, sizeof printer,
            "[printer]\ntransport = tcp\nhost = 127.0.0.1\nport = %d\nprofile = tm-t20\n",
            printer_port);
    else
        snprintf(printer, sizeof printer, "[printer]\ntransport = none\n");
    if (gw_url)
        snprintf(
            sms, sizeof sms,
            "[sms]\ngateway = twilio\nfrom = +12175550100\nreminders = 1s,1h\n"
            "quiet_hours = 00:00-24:00\nmax_per_day = 10\nmax_per_week = 30\n"
            "retry_base_s = 1\nretry_cap_s = 2\nreconcile_after_s = 2\ntimeout_s = 3\n"
            "public_url = https://kiosk.example.org\n%s"
            "[sms.twilio]\naccount_sid = " CR_SID
            "\nauth_token_file = %s\nbase_url = %s\n",
            sms_extra ? sms_extra : "", tok, gw_url);
    else
        snprintf(sms, sizeof sms, "[sms]\ngateway = none\n");
    snprintf(text, sizeof text,
             "[clinic]\nname = Riverton Community Clinic\nphone = (217) 555-0100\n"
             "timezone = America/Chicago\n"
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[directory]\nimport = " SOURCE_DIR "/data/demo-directory\n"
             "%s%s%s",
             printer, sms, extra ? extra : "");
    return itest_write_file(dir, "signpost.conf", text, out, outlen);
}

/* ---- HTTP ---------------------------------------------------------------------- */

typedef struct {
    cr_reply *r;
    size_t len;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t got = size * n, room = sizeof s->r->raw - 1 - s->len;

    if (got > room) {
        s->r->truncated = 1;
        got = room;
    }
    memcpy(s->r->raw + s->len, p, got);
    s->len += got;
    s->r->raw[s->len] = '\0';
    return size * n; /* keep reading: the rest is dropped, not an error */
}

int cr_call(int port, const char *method, const char *path, const char *body,
            const char *bearer, long timeout_ms, cr_reply *out)
{
    char url[512], auth[160];
    struct curl_slist *h = NULL;
    sink s = {out, 0};
    CURL *c = curl_easy_init();
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (!c)
        return -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    h = curl_slist_append(h, "Content-Type: application/json");
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    if (curl_easy_perform(c) != CURLE_OK)
        goto out;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->json = json_loads(out->raw, 0, NULL);
    rc = 0;
out:
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

void cr_reply_free(cr_reply *r)
{
    if (!r)
        return;
    json_decref(r->json);
    r->json = NULL;
}

int cr_consent_version(int port, char *out, size_t outlen)
{
    cr_reply r;
    const char *v;
    int rc = -1;

    if (cr_call(port, "GET", "/api/v1/sms/consent?lang=en", NULL, NULL, 5000, &r) == 0 &&
        r.status == 200 && (v = json_string_value(json_object_get(r.json, "version")))) {
        snprintf(out, outlen, "%s", v);
        rc = 0;
    }
    cr_reply_free(&r);
    return rc;
}

/* Different needs, languages and help wishes: different results and receipts. */
static const char *const bodies[CR_BODIES] = {
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\",\"88122-7\":\"LA28397-"
    "0\","
    "\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\"},"
    "\"wants_help\":true}",
    "{\"language\":\"es\",\"answers\":{\"88122-7\":\"LA28397-0\",\"93030-5\":\"LA33-6\"}"
    "}",
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31995-6\",\"96778-6\":[\"LA31996-"
    "4\","
    "\"LA28580-1\"],\"96779-4\":\"LA33-6\"},\"wants_help\":false}",
    "{\"language\":\"es\",\"answers\":{\"71802-3\":\"LA31994-9\",\"88123-5\":\"LA6729-"
    "3\","
    "\"93030-5\":\"LA32-8\"},\"wants_help\":true}",
    "{\"language\":\"en\",\"answers\":{\"96778-6\":[\"LA9-3\"],\"88122-7\":\"LA6729-3\","
    "\"96779-4\":\"LA32002-0\"}}",
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31993-1\",\"88122-7\":\"LA28398-"
    "8\","
    "\"88123-5\":\"LA28397-0\",\"93030-5\":\"LA33-6\",\"96779-4\":\"LA33-6\"},"
    "\"wants_help\":true}",
};

const char *cr_body(unsigned i)
{
    return bodies[i % CR_BODIES];
}

long long cr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cr_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

size_t cr_count(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
    size_t c = 0;
    if (!m)
        return 0;
    for (size_t i = 0; i + m <= n;) {
        if (memcmp(hay + i, needle, m) == 0) {
            c++;
            i += m;
        } else {
            i++;
        }
    }
    return c;
}

/* ---- the in-process printer ------------------------------------------------- */

typedef struct {
    unsigned char *bytes;
    size_t len;
} conn_record;

struct cr_printer {
    int lfd, port;
    size_t drop_after;
    int drops, silent;
    volatile int stop;
    pthread_t thread;
    pthread_mutex_t lock; /* guards conns and nconns */
    conn_record conns[PRINTER_MAX_CONN];
    int nconns;
};

static void send_byte(int fd, unsigned char b)
{
    (void)!send(fd, &b, 1, MSG_NOSIGNAL);
}

/* Records bytes for connection i and answers each DLE EOT n as "ready".  A
 * status query split across reads goes unanswered; the daemon then reads
 * "no answer", which it treats like a printer that has no status. */
static void take(cr_printer *p, int i, int fd, const unsigned char *b, size_t n)
{
    conn_record *c = &p->conns[i];
    size_t room;

    pthread_mutex_lock(&p->lock);
    room = PRINTER_CONN_CAP - c->len;
    memcpy(c->bytes + c->len, b, n < room ? n : room);
    c->len += n < room ? n : room;
    pthread_mutex_unlock(&p->lock);
    for (size_t k = 0; !p->silent && k + 2 < n; k++)
        if (b[k] == 0x10 && b[k + 1] == 0x04 && b[k + 2] >= 1 && b[k + 2] <= 4)
            send_byte(fd, 0x12);
}

/* Serves one connection to its end (or to the planned drop). */
static void serve(cr_printer *p, int fd, int i, int dropping)
{
    unsigned char buf[4096];
    size_t total = 0;

    while (!p->stop) {
        struct pollfd pfd = {fd, POLLIN, 0};
        size_t want = dropping ? PRINTER_SLOW_CHUNK : sizeof buf;
        ssize_t r;
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        if (dropping && total + want > p->drop_after)
            want = p->drop_after - total;
        r = recv(fd, buf, want, 0);
        if (r <= 0)
            break;
        take(p, i, fd, buf, (size_t)r);
        total += (size_t)r;
        if (dropping && total >= p->drop_after)
            break; /* unread bytes remain: close() makes the kernel send a reset */
        if (dropping)
            cr_sleep_ms(PRINTER_SLOW_PAUSE_MS);
    }
    close(fd);
}

static void *printer_run(void *arg)
{
    cr_printer *p = arg;

    while (!p->stop) {
        struct pollfd pfd = {p->lfd, POLLIN, 0};
        int fd, i, dropping;
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        fd = accept(p->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&p->lock);
        i = p->nconns < PRINTER_MAX_CONN ? p->nconns++ : -1;
        if (i >= 0)
            p->conns[i].bytes = malloc(PRINTER_CONN_CAP);
        dropping = p->drop_after > 0 && p->drops > 0;
        if (dropping)
            p->drops--;
        pthread_mutex_unlock(&p->lock);
        if (i < 0 || !p->conns[i].bytes) {
            close(fd);
            continue;
        }
        /* One connection at a time, as a printer's port 9100 takes them. */
        serve(p, fd, i, dropping);
    }
    return NULL;
}

cr_printer *cr_printer_start(size_t drop_after, int drops, int silent)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int one = 1, small = PRINTER_SLOW_RCVBUF;
    cr_printer *p = calloc(1, sizeof *p);

    if (!p)
        return NULL;
    p->drop_after = drop_after;
    p->drops = drops;
    p->silent = silent;
    pthread_mutex_init(&p->lock, NULL);
    p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* Set before listen() so accepted sockets inherit it: a small window
     * keeps the sender writing while the "printer" takes its time. */
    if (drop_after > 0)
        setsockopt(p->lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
        listen(p->lfd, 4) < 0 || getsockname(p->lfd, (struct sockaddr *)&a, &alen) < 0)
        goto fail;
    p->port = ntohs(a.sin_port);
    if (pthread_create(&p->thread, NULL, printer_run, p) != 0)
        goto fail;
    return p;
fail:
    if (p->lfd >= 0)
        close(p->lfd);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
}

void cr_printer_stop(cr_printer *p)
{
    if (!p)
        return;
    p->stop = 1;
    pthread_join(p->thread, NULL);
    close(p->lfd);
    for (int i = 0; i < p->nconns; i++)
        free(p->conns[i].bytes);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int cr_printer_port(const cr_printer *p)
{
    return p->port;
}

int cr_printer_connections(cr_printer *p)
{
    int n;
    pthread_mutex_lock(&p->lock);
    n = p->nconns;
    pthread_mutex_unlock(&p->lock);
    return n;
}

long cr_printer_bytes(cr_printer *p, int i)
{
    long n = -1;
    pthread_mutex_lock(&p->lock);
    if (i >= 0 && i < p->nconns)
        n = (long)p->conns[i].len;
    pthread_mutex_unlock(&p->lock);
    return n;
}

int cr_printer_count(cr_printer *p, const unsigned char *needle, size_t n)
{
    int c = 0;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->nconns; i++)
        c += (int)cr_count(p->conns[i].bytes, p->conns[i].len, needle, n);
    pthread_mutex_unlock(&p->lock);
    return c;
}
