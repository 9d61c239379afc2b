/*
 * Sustained load on the real daemon, and whether its memory stays flat.
 *
 * It starts `signpost serve` through the integration-test harness (demo
 * directory, a fresh state directory, both listeners on loopback ports the
 * kernel picks, the staff listener on HTTPS with the certificate the daemon
 * makes on first start), adds one staff account with `signpost user add`,
 * and runs CLIENTS threads for SECONDS.  Each thread is one kiosk and one
 * staff browser at once: two keep-alive connections, one to each listener.
 * It signs in once, then loops over a visit and a look at the console:
 *
 *   kiosk   POST /api/v1/screenings          201, id and token
 *           GET  /api/v1/screenings/{id}      200 with the token
 *           GET  /api/v1/instrument?lang=     200 (en and es in turn)
 *           DELETE /api/v1/screenings/{id}/token  204 (the kiosk's reset)
 *   staff   GET  /staff/api/v1/submissions    200 (the queue)
 *           GET  /staff/api/v1/submissions/{id}   200 (the visit just made)
 *           GET  /staff/api/v1/reports        200 (the last 30 days)
 *
 * with no pause between requests: a closed loop, so the daemon is always
 * busy and the figures are its capacity, far above any clinic's real rate.
 * It prints, per route, the count, requests per second, p50, p99 and max
 * latency and the errors (any answer but the expected one, or none at
 * all; each of the first few printed with its status and the start of its
 * body).  A second thread reads the daemon's VmRSS every second; the
 * report gives it at the start of the load, its peak, at the end, and the
 * least-squares slope over the second half of the run in kB per minute:
 * a leak shows as a slope that stays positive however long the run.
 *
 * The exit status is 0 when every request got its expected answer and the
 * daemon stopped cleanly on SIGTERM, 1 otherwise.  It links the harness
 * (no cmocka) and talks to 127.0.0.1 only.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "harness.h"

#define USER "loadtest"
#define PASSWORD "load test pass phrase 1"
#define STAFF_MARK "staff listening on https://127.0.0.1:"
#define BODY_CAP (256 * 1024)
#define MAX_ERRORS_SHOWN 10
#define MAX_SAMPLES 86400 /* one a second: a day */
#define REQUEST_TIMEOUT_MS 30000L

/* The visit of bench_screenings: every item answered, four needs positive. */
static const char visit_body[] =
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\","
    "\"96778-6\":[\"LA31996-4\",\"LA28580-1\"],\"88122-7\":\"LA6729-3\","
    "\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA33-6\",\"96779-4\":\"LA32-8\","
    "\"95618-5\":\"LA6270-8\",\"95617-7\":\"LA10066-1\",\"95616-9\":\"LA6270-8\","
    "\"95615-1\":\"LA6270-8\"},\"wants_help\":true}";

enum route {
    R_SUBMIT,
    R_RESULT,
    R_INSTRUMENT,
    R_RESET,
    R_QUEUE,
    R_DETAIL,
    R_REPORT,
    R_LOGIN, /* once per client, before the clock starts: not in "all" */
    R_COUNT
};

static const char *const route_names[R_COUNT] = {
    "POST /api/v1/screenings",       "GET /api/v1/screenings/{id}",
    "GET /api/v1/instrument",        "DELETE /api/v1/screenings/{id}/token",
    "GET /staff/api/v1/submissions", "GET /staff/api/v1/submissions/{id}",
    "GET /staff/api/v1/reports",     "POST /staff/api/v1/login (before)",
};

/* Latencies of one route, in ms; grows as needed. */
typedef struct {
    double *ms;
    size_t n, cap;
    long errors;
} series;

typedef struct {
    int clients;
    int seconds;
    const char *binary;
    const char *parent;
} bench_opts;

/* What every client thread shares. */
typedef struct {
    int kiosk_port, staff_port;
    char cafile[ITEST_PATH + 32];
    pthread_barrier_t ready; /* all signed in (or failed to) */
    atomic_int go;           /* 1: run, 0 once the time is up */
    atomic_int failed;       /* a client could not sign in */
    pthread_mutex_t print_lock;
    long errors_shown;
} load_shared;

typedef struct {
    load_shared *sh;
    int index;
    CURL *kiosk, *staff;
    series s[R_COUNT];
    pthread_t th;
} client;

typedef struct {
    char *data;
    size_t len;
} body_buf;

/* ---- one request ------------------------------------------------------------- */

static size_t keep_body(char *data, size_t size, size_t n, void *arg)
{
    body_buf *b = arg;
    size_t len = size * n, take = len;

    if (take > BODY_CAP - b->len)
        take = BODY_CAP - b->len;
    memcpy(b->data + b->len, data, take);
    b->len += take;
    b->data[b->len] = '\0';
    return len;
}

static int series_add(series *s, double ms)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        double *p = realloc(s->ms, cap * sizeof *p);
        if (!p)
            return -1;
        s->ms = p;
        s->cap = cap;
    }
    s->ms[s->n++] = ms;
    return 0;
}

/* Prints one unexpected answer (the first few of the run only). */
static void show_error(client *c, enum route r, long status, CURLcode cc,
                       const body_buf *b)
{
    load_shared *sh = c->sh;

    pthread_mutex_lock(&sh->print_lock);
    if (sh->errors_shown++ < MAX_ERRORS_SHOWN) {
        if (cc != CURLE_OK)
            printf("  ERROR %s: %s\n", route_names[r], curl_easy_strerror(cc));
        else
            printf("  ERROR %s: HTTP %ld: %.200s\n", route_names[r], status, b->data);
    }
    pthread_mutex_unlock(&sh->print_lock);
}

/*
 * method url on handle h with optional JSON body and extra header, timed
 * into route r; the answer's body goes to b.  0 when the status is want.
 */
static int timed(client *c, CURL *h, enum route r, const char *method, const char *url,
                 const char *json, const char *header, long want, body_buf *b)
{
    struct curl_slist *hdrs = NULL, *t;
    long status = 0;
    CURLcode cc;
    double t0;

    b->len = 0;
    b->data[0] = '\0';
    hdrs = curl_slist_append(NULL, "Expect:");
    if (hdrs && json && (t = curl_slist_append(hdrs, "Content-Type: application/json")))
        hdrs = t;
    if (hdrs && header && (t = curl_slist_append(hdrs, header)))
        hdrs = t;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    if (json)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "DELETE") ? NULL : method);
    t0 = bench_now_us();
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    if (cc != CURLE_OK || status != want) {
        c->s[r].errors++;
        show_error(c, r, status, cc, b);
        return -1;
    }
    return series_add(&c->s[r], (bench_now_us() - t0) / 1000.0);
}

/* A string member of a JSON body into out; 0, or -1 when absent. */
static int json_member(const char *body, const char *key, char *out, size_t outlen)
{
    json_t *j = json_loads(body, 0, NULL);
    const char *v = json_string_value(json_object_get(j, key));
    int rc = -1;

    if (v && strlen(v) < outlen) {
        snprintf(out, outlen, "%s", v);
        rc = 0;
    }
    json_decref(j);
    return rc;
}

/* ---- a client ------------------------------------------------------------------- */

static CURL *handle_new(const load_shared *sh, int https)
{
    CURL *h = curl_easy_init();

    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
    /* The TLS handshake counts as connecting, and the staff listener has one
     * thread: while it runs 50 Argon2id logins, a handshake waits seconds. */
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
    if (https) {
        /* The daemon's own self-signed certificate, checked as a browser
         * would once it has been told to trust it. */
        curl_easy_setopt(h, CURLOPT_CAINFO, sh->cafile);
        curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* keep the session cookie */
    }
    return h;
}

static int sign_in(client *c, body_buf *b)
{
    char url[128];
    static const char json[] =
        "{\"username\":\"" USER "\",\"password\":\"" PASSWORD "\"}";

    snprintf(url, sizeof url, "https://127.0.0.1:%d/staff/api/v1/login",
             c->sh->staff_port);
    b->len = 0;
    return timed(c, c->staff, R_LOGIN, "POST", url, json, NULL, 200, b);
}

/* One visit and one look at the console; -1 stops this client's visit early. */
static int one_round(client *c, long round, body_buf *b)
{
    const load_shared *sh = c->sh;
    char url[256], id[64], token[128], bearer[160];

    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/screenings", sh->kiosk_port);
    if (timed(c, c->kiosk, R_SUBMIT, "POST", url, visit_body, NULL, 201, b) ||
        json_member(b->data, "id", id, sizeof id) ||
        json_member(b->data, "token", token, sizeof token))
        return -1;
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", token);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/screenings/%s", sh->kiosk_port,
             id);
    timed(c, c->kiosk, R_RESULT, "GET", url, NULL, bearer, 200, b);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/instrument?lang=%s",
             sh->kiosk_port, round % 2 ? "es" : "en");
    timed(c, c->kiosk, R_INSTRUMENT, "GET", url, NULL, NULL, 200, b);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/screenings/%s/token",
             sh->kiosk_port, id);
    timed(c, c->kiosk, R_RESET, "DELETE", url, NULL, bearer, 204, b);

    snprintf(url, sizeof url, "https://127.0.0.1:%d/staff/api/v1/submissions?limit=20",
             sh->staff_port);
    timed(c, c->staff, R_QUEUE, "GET", url, NULL, NULL, 200, b);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/staff/api/v1/submissions/%s",
             sh->staff_port, id);
    timed(c, c->staff, R_DETAIL, "GET", url, NULL, NULL, 200, b);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/staff/api/v1/reports",
             sh->staff_port);
    timed(c, c->staff, R_REPORT, "GET", url, NULL, NULL, 200, b);
    return 0;
}

static void *client_main(void *arg)
{
    client *c = arg;
    body_buf b = {malloc(BODY_CAP + 1), 0};
    long round = c->index;

    c->kiosk = handle_new(c->sh, 0);
    c->staff = handle_new(c->sh, 1);
    if (!b.data || !c->kiosk || !c->staff || sign_in(c, &b) != 0)
        atomic_store(&c->sh->failed, 1);
    pthread_barrier_wait(&c->sh->ready);
    while (atomic_load(&c->sh->go) && !atomic_load(&c->sh->failed))
        one_round(c, round++, &b);
    curl_easy_cleanup(c->kiosk);
    curl_easy_cleanup(c->staff);
    free(b.data);
    return NULL;
}

/* ---- memory, once a second -------------------------------------------------------- */

typedef struct {
    pid_t pid;
    atomic_int on;
    double t0;
    double t[MAX_SAMPLES];
    long kb[MAX_SAMPLES];
    int n;
    pthread_t th;
} rss_log;

static void *rss_main(void *arg)
{
    rss_log *l = arg;
    double next = l->t0;

    while (atomic_load(&l->on) && l->n < MAX_SAMPLES) {
        long kb = bench_proc_status_kb(l->pid, "VmRSS:");
        if (kb > 0) {
            l->t[l->n] = bench_now_s() - l->t0;
            l->kb[l->n++] = kb;
        }
        next += 1.0;
        while (atomic_load(&l->on) && bench_now_s() < next)
            bench_sleep_ms(50);
    }
    return NULL;
}

/* Least-squares slope of kB over time for the samples from index from on, kB/min. */
static double slope_kb_per_min(const rss_log *l, int from)
{
    double st = 0, sk = 0, stt = 0, stk = 0;
    int n = l->n - from;

    if (n < 2)
        return NAN;
    for (int i = from; i < l->n; i++) {
        st += l->t[i];
        sk += (double)l->kb[i];
        stt += l->t[i] * l->t[i];
        stk += l->t[i] * (double)l->kb[i];
    }
    double den = n * stt - st * st;
    return den > 0 ? (n * stk - st * sk) / den * 60.0 : NAN;
}

/* ---- set-up ---------------------------------------------------------------------- */

/* Runs `signpost user add USER --role navigator` on dir with the password on stdin. */
static int add_user(const char *binary, const char *dir, const char *cfg)
{
    int in[2], status = 0;
    pid_t pid;
    static const char pw[] = PASSWORD "\n";

    if (pipe(in) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (dup2(in[0], 0) < 0 || null < 0 || dup2(null, 1) < 0)
            _exit(127);
        close(in[1]);
        execl(binary, binary, "user", "add", USER, "--role", "navigator", "--config", cfg,
              "--state-dir", dir, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    if (write(in[1], pw, sizeof pw - 1) != (ssize_t)(sizeof pw - 1))
        status = -1;
    close(in[1]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The staff port from the daemon's "staff listening on https://..." line; 0 if none. */
static int staff_port(itest_daemon *d)
{
    const char *p;
    long port = 0;

    pthread_mutex_lock(&d->lock);
    p = strstr(d->log, STAFF_MARK);
    if (p)
        port = strtol(p + strlen(STAFF_MARK), NULL, 10);
    pthread_mutex_unlock(&d->lock);
    return port > 0 && port < 65536 ? (int)port : 0;
}

/* ---- the report --------------------------------------------------------------- */

/* Merges every client's series for route r into one sorted array in *all. */
static size_t merge(client *cs, int nc, int r, double **all, long *errors)
{
    size_t n = 0, k = 0;

    *errors = 0;
    for (int i = 0; i < nc; i++) {
        n += cs[i].s[r].n;
        *errors += cs[i].s[r].errors;
    }
    *all = malloc((n ? n : 1) * sizeof **all);
    if (!*all)
        return 0;
    for (int i = 0; i < nc; i++) {
        memcpy(*all + k, cs[i].s[r].ms, cs[i].s[r].n * sizeof **all);
        k += cs[i].s[r].n;
    }
    bench_sort(*all, n);
    return n;
}

static long print_routes(client *cs, int nc, double secs)
{
    long total_err = 0;
    size_t total = 0;

    printf("\n%-38s %8s %8s %9s %9s %9s %7s\n", "route", "count", "req/s", "p50 ms",
           "p99 ms", "max ms", "errors");
    for (int r = 0; r < R_COUNT; r++) {
        double *all;
        long err;
        size_t n = merge(cs, nc, r, &all, &err);
        if (!all)
            continue;
        printf("%-38s %8zu %8.1f %9.2f %9.2f %9.2f %7ld\n", route_names[r], n,
               r == R_LOGIN ? NAN : (double)n / secs, bench_percentile(all, (int)n, 50),
               bench_percentile(all, (int)n, 99), n ? all[n - 1] : NAN, err);
        total_err += err;
        if (r != R_LOGIN) /* Argon2id by design, and not under the clock */
            total += n;
        free(all);
    }
    printf("%-38s %8zu %8.1f %9s %9s %9s %7ld\n", "all (without the logins)", total,
           (double)total / secs, "", "", "", total_err);
    return total_err;
}

static void print_memory(const rss_log *l, long hwm_kb)
{
    long peak = 0;

    if (l->n == 0) {
        printf("\nmemory: no samples\n");
        return;
    }
    for (int i = 0; i < l->n; i++)
        peak = l->kb[i] > peak ? l->kb[i] : peak;
    printf("\ndaemon VmRSS, sampled every second (%d samples):\n", l->n);
    printf("  start %ld kB, peak %ld kB, end %ld kB, VmHWM %ld kB\n", l->kb[0], peak,
           l->kb[l->n - 1], hwm_kb);
    printf("  slope over the whole run   %+.1f kB/min (caches filling show here)\n",
           slope_kb_per_min(l, 0));
    printf("  slope over the second half %+.1f kB/min (flat memory: near 0)\n",
           slope_kb_per_min(l, l->n / 2));
    printf("  every 10 s:");
    for (int i = 0; i < l->n; i += 10)
        printf(" %ld", l->kb[i]);
    printf("\n");
}

/* ---- the command line --------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: bench_load [SIGNPOST_BINARY] [-c CLIENTS] [-t SECONDS] [-d DIR]\n"
        "  SIGNPOST_BINARY  the daemon to load (default: the binary of the same build)\n"
        "  -c CLIENTS       concurrent clients, each a kiosk and a staff browser "
        "(default 50)\n"
        "  -t SECONDS       how long the load lasts (default 60; up to 86400)\n"
        "  -d DIR           where the state directory goes (default $TMPDIR or /tmp)\n");
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    int c;

    o->clients = 50;
    o->seconds = 60;
    o->binary = BENCH_DEFAULT_BIN;
    o->parent = bench_scratch_parent();
    while ((c = getopt(argc, argv, "c:t:d:h")) != -1) {
        bench_common_opt(c, optarg, &o->parent, usage);
        if ((c == 'c' && bench_parse_int(optarg, 1, 60, &o->clients, NULL)) ||
            (c == 't' && bench_parse_int(optarg, 5, MAX_SAMPLES, &o->seconds, NULL)) ||
            c == '?')
            return -1;
    }
    return bench_daemon_arg(argc, argv, &o->binary);
}

/* ---- the run -------------------------------------------------------------------- */

static int start_daemon(const bench_opts *o, char *dir, size_t dirlen, itest_daemon **out)
{
    char cfg[ITEST_PATH + 32];
    int n = snprintf(dir, dirlen, "%s/signpost-load-XXXXXX", o->parent);

    *out = NULL;
    if (n < 0 || (size_t)n >= dirlen || !mkdtemp(dir))
        return -1;
    /* The staff listener's default TLS; a longer idle limit than a run. */
    if (itest_write_file(
            dir, "signpost.conf",
            "[staff]\ntls = auto\nsession_idle_min = 720\nsession_max_h = 168\n", cfg,
            sizeof cfg) ||
        add_user(o->binary, dir, cfg)) {
        fprintf(stderr, "bench_load: cannot make the staff account in %s\n", dir);
        return -1;
    }
    itest_opts io = {.binary = o->binary, .config = cfg, .state_dir = dir};
    *out = itest_start(&io);
    return *out ? 0 : -1;
}

static int run_clients(const bench_opts *o, load_shared *sh, client *cs, rss_log *mem,
                       double *secs)
{
    int started = 0, rc = 0;
    double t0;

    pthread_barrier_init(&sh->ready, NULL, (unsigned)o->clients + 1);
    atomic_store(&sh->go, 1);
    for (; started < o->clients; started++) {
        cs[started].sh = sh;
        cs[started].index = started;
        if (pthread_create(&cs[started].th, NULL, client_main, &cs[started]) != 0) {
            fprintf(stderr, "bench_load: cannot start client %d\n", started);
            exit(1); /* the barrier would wait for it forever */
        }
    }
    pthread_barrier_wait(&sh->ready);
    if (atomic_load(&sh->failed)) {
        fprintf(stderr, "bench_load: a client could not sign in\n");
        rc = -1;
    }
    printf("%d clients signed in; load for %d s\n", o->clients, o->seconds);
    fflush(stdout);
    t0 = mem->t0 = bench_now_s();
    atomic_store(&mem->on, 1);
    if (pthread_create(&mem->th, NULL, rss_main, mem) != 0)
        atomic_store(&mem->on, 0);
    while (rc == 0 && bench_now_s() - t0 < o->seconds) {
        bench_sleep_ms(250);
        if (atomic_load(&mem->on) == 0)
            break;
    }
    atomic_store(&sh->go, 0);
    for (int i = 0; i < started; i++)
        pthread_join(cs[i].th, NULL);
    *secs = bench_now_s() - t0;
    if (atomic_exchange(&mem->on, 0))
        pthread_join(mem->th, NULL);
    pthread_barrier_destroy(&sh->ready);
    return rc;
}

int main(int argc, char **argv)
{
    bench_opts o;
    load_shared sh;
    client *cs = NULL;
    rss_log *mem = NULL;
    itest_daemon *d = NULL;
    char dir[ITEST_PATH] = "";
    double secs = 0;
    long errors = -1, hwm = -1;
    int rc = 1, code;

    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.print_lock, NULL);
    cs = calloc((size_t)o.clients, sizeof *cs);
    mem = calloc(1, sizeof *mem);
    if (!cs || !mem || itest_init() || start_daemon(&o, dir, sizeof dir, &d))
        goto out;
    sh.kiosk_port = d->port;
    sh.staff_port = staff_port(d);
    snprintf(sh.cafile, sizeof sh.cafile, "%s/staff-tls.crt", dir);
    mem->pid = d->pid;
    printf("bench_load: %s, %d clients, %d s, state on %s (%s)\n", o.binary, o.clients,
           o.seconds, dir, bench_fs_name(dir));
    printf("daemon pid %ld, kiosk port %d, staff port %d; idle VmRSS %ld kB\n",
           (long)d->pid, sh.kiosk_port, sh.staff_port,
           bench_proc_status_kb(d->pid, "VmRSS:"));
    if (sh.staff_port == 0 || run_clients(&o, &sh, cs, mem, &secs) != 0)
        goto out;
    hwm = bench_proc_status_kb(d->pid, "VmHWM:");
    errors = print_routes(cs, o.clients, secs);
    print_memory(mem, hwm);
    code = itest_stop(d);
    printf("\nerrors: %ld (must be 0); daemon exit on SIGTERM: %d (must be 0)\n", errors,
           code);
    rc = errors == 0 && code == 0 ? 0 : 1;
out:
    if (rc && d)
        itest_dump_log(d, "bench_load failed");
    itest_free(d);
    if (d || dir[0])
        itest_rmtree(dir);
    for (int i = 0; cs && i < o.clients; i++)
        for (int r = 0; r < R_COUNT; r++)
            free(cs[i].s[r].ms);
    free(cs);
    free(mem);
    itest_cleanup();
    return rc;
}
