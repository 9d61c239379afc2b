/*
 * bench_screenings: what a submission costs on this machine.  Starts the
 * real daemon (demo defaults, port 0, a fresh state directory) and measures
 *
 *   (a) its resident memory at idle, after start-up;
 *   (b) POST /api/v1/screenings throughput and latency (p50, p99), first with
 *       one client (a kiosk has one patient at a time), then with N clients
 *       on keep-alive connections;
 *   (c) resident memory at peak under that load and after it;
 *   (d) the floor: one bare SQLite INSERT of a row of the same size per
 *       transaction, WAL and synchronous=FULL, in the same file system.
 *
 * To show where the time between (b) and (d) goes it also times GET
 * /healthz (the HTTP round trip), a POST refused with 422 (HTTP, JSON and
 * validation, no write) and, once the daemon has stopped, the daemon's own
 * transaction replayed on its database without HTTP (same schema, indexes
 * and rows: the SQLite part of a submission).
 *
 * It prints figures and compares them with the budgets (idle RSS under
 * 8 MB, submission p50 within 2x of the floor) without asserting anything:
 * this is a benchmark, not a test.  Results are recorded in
 * docs/performance.md; how to run it is in bench/README.md.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "harness.h"

#define IDLE_SETTLE_MS 1000
#define MAX_CLIENTS 256
#define MAX_REQUESTS 1000000
#define SINGLE_MAX 500
#define BUDGET_IDLE_KB (8 * 1024)
#define BUDGET_RATIO 2.0

/* Four positive domains (12 resources), the rest answered, safety 5 points. */
static const char body[] =
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\","
    "\"96778-6\":[\"LA31996-4\",\"LA28580-1\"],\"88122-7\":\"LA6729-3\","
    "\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA33-6\",\"96779-4\":\"LA32-8\","
    "\"95618-5\":\"LA6270-8\",\"95617-7\":\"LA10066-1\",\"95616-9\":\"LA6270-8\","
    "\"95615-1\":\"LA6270-8\"}}";

typedef struct {
    const char *binary;
    const char *parent; /* where state and floor databases go */
    int clients;
    int requests;
} bench_opts;

typedef struct {
    double *us; /* latency of each request, microseconds */
    int n;
    int errors; /* transport errors and answers other than 201 */
    double wall_s;
    long rss_peak_kb;
} load_result;

/* What one load run sends: a POST of body to path, or a GET when body is NULL. */
typedef struct {
    const char *path;
    const char *body;
    long expect; /* the status every answer should have */
} load_spec;

static const char refused[] = "{\"language\":\"en\",\"answers\":{},\"patient\":\"x\"}";
static const load_spec submit = {"/api/v1/screenings", body, 201};
static const load_spec health = {"/healthz", NULL, 200};
static const load_spec reject = {"/api/v1/screenings", refused, 422};

typedef struct {
    int port;
    const load_spec *spec;
    struct curl_slist *headers;
    atomic_int next; /* the next request index to take */
    int total;
    load_result *res;
    atomic_int errors;
} load_run;

/* ---- the load generator ------------------------------------------------ */

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

static CURL *client_new(const load_run *run)
{
    char url[128];
    CURL *c = curl_easy_init();

    if (!c)
        return NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", run->port, run->spec->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ITEST_WAIT_MS);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, run->headers);
    if (run->spec->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, run->spec->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)strlen(run->spec->body));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    return c;
}

static void *client_thread(void *arg)
{
    load_run *run = arg;
    CURL *c = client_new(run);
    int i;

    while (c && (i = atomic_fetch_add(&run->next, 1)) < run->total) {
        long status = 0;
        double t0 = bench_now_s();
        CURLcode cc = curl_easy_perform(c);
        run->res->us[i] = (bench_now_s() - t0) * 1e6;
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status != run->spec->expect)
            atomic_fetch_add(&run->errors, 1);
    }
    if (!c)
        atomic_fetch_add(&run->errors, 1);
    curl_easy_cleanup(c);
    return NULL;
}

/* Runs total requests over clients keep-alive connections; 0 on success. */
static int run_load(const itest_daemon *d, const load_spec *spec, int clients, int total,
                    load_result *res)
{
    pthread_t th[MAX_CLIENTS];
    bench_rss_sampler sampler;
    load_run run = {.port = d->port, .spec = spec, .total = total, .res = res};
    double t0;
    int started = 0, rc = -1;

    memset(res, 0, sizeof *res);
    res->us = calloc((size_t)total, sizeof *res->us);
    run.headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!res->us || !run.headers)
        goto out;
    if (bench_rss_start(&sampler, d->pid, 10, 0))
        goto out;
    t0 = bench_now_s();
    for (; started < clients; started++)
        if (pthread_create(&th[started], NULL, client_thread, &run) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    res->wall_s = bench_now_s() - t0;
    res->rss_peak_kb = bench_rss_stop(&sampler);
    res->n = total;
    res->errors = atomic_load(&run.errors);
    bench_sort(res->us, (size_t)total);
    rc = started == clients ? 0 : -1;
out:
    curl_slist_free_all(run.headers);
    return rc;
}

/* One request with the harness, to learn the size of a stored result. */
static size_t result_size(const itest_daemon *d)
{
    itest_resp r;
    size_t n = 0;

    if (itest_post_json(d, "/api/v1/screenings", body, NULL, &r) == 0 && r.status == 201)
        n = r.len;
    itest_resp_free(&r);
    return n;
}

/* ---- SQLite without the daemon ------------------------------------------- */

/* Times one statement list per transaction, n times; latencies in res. */
typedef int (*txn_fn)(sqlite3 *db, void *arg, int i);

static int time_txns(sqlite3 *db, txn_fn fn, void *arg, int n, load_result *res)
{
    double t_start = bench_now_s();

    memset(res, 0, sizeof *res);
    res->us = calloc((size_t)n, sizeof *res->us);
    if (!res->us)
        return -1;
    for (int i = 0; i < n; i++) {
        double t0 = bench_now_s();
        if (fn(db, arg, i))
            res->errors++;
        res->us[i] = (bench_now_s() - t0) * 1e6;
    }
    res->wall_s = bench_now_s() - t_start;
    res->n = n;
    bench_sort(res->us, (size_t)n);
    return 0;
}

/* One stored screening, copied under a new id: the daemon's whole write set. */
static const char *const replay_sql[] = {
    "INSERT INTO screenings(id, created_at, kiosk_id, instrument_id, instrument_version,"
    " language, scoring_rule, safety_score, safety_complete, wants_help, help_at, answers,"
    " domains, resources, result_json)"
    " SELECT ?1, created_at, kiosk_id, instrument_id, instrument_version, language,"
    " scoring_rule, safety_score, safety_complete, wants_help, help_at, answers, domains,"
    " resources, result_json FROM screenings WHERE id = ?2",
};
#define NREPLAY (sizeof replay_sql / sizeof replay_sql[0])

typedef struct {
    sqlite3_stmt *st[NREPLAY];
    char template_id[40];
} replay;

static int replay_one(sqlite3 *db, void *arg, int i)
{
    replay *r = arg;
    char id[40];
    int bad = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK;

    snprintf(id, sizeof id, "f%07x%08x%016x", (unsigned)i, (unsigned)rand(), (unsigned)i);
    for (size_t k = 0; k < NREPLAY && !bad; k++) {
        sqlite3_bind_text(r->st[k], 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(r->st[k], 2, r->template_id, -1, SQLITE_STATIC);
        bad = sqlite3_step(r->st[k]) != SQLITE_DONE;
        sqlite3_reset(r->st[k]);
    }
    if (bad || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Replays the daemon's transaction n times on its (stopped) database. */
static int store_replay(const char *db_path, int n, load_result *res)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *pick = NULL;
    replay r = {{NULL}, ""};
    int rc = -1;

    if (sqlite3_open(db_path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "PRAGMA foreign_keys=ON",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT id FROM screenings LIMIT 1", -1, &pick, NULL) ||
        sqlite3_step(pick) != SQLITE_ROW)
        goto out;
    snprintf(r.template_id, sizeof r.template_id, "%s",
             (const char *)sqlite3_column_text(pick, 0));
    for (size_t k = 0; k < NREPLAY; k++)
        if (sqlite3_prepare_v2(db, replay_sql[k], -1, &r.st[k], NULL) != SQLITE_OK)
            goto out;
    rc = time_txns(db, replay_one, &r, n, res);
out:
    for (size_t k = 0; k < NREPLAY; k++)
        sqlite3_finalize(r.st[k]);
    sqlite3_finalize(pick);
    sqlite3_close(db);
    return rc;
}

/* ---- the floor: bare SQLite --------------------------------------------- */

static int floor_open(const char *dir, sqlite3 **db)
{
    char path[ITEST_PATH + 32];
    static const char setup[] =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
        "CREATE TABLE rows(id TEXT PRIMARY KEY, created_at TEXT NOT NULL,"
        " payload TEXT NOT NULL) STRICT;";

    snprintf(path, sizeof path, "%s/floor.db", dir);
    if (sqlite3_open(path, db) != SQLITE_OK)
        return -1;
    return sqlite3_exec(*db, setup, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

typedef struct {
    sqlite3_stmt *st;
    const char *payload;
    size_t len;
} bare;

static int bare_one(sqlite3 *db, void *arg, int i)
{
    bare *b = arg;
    char id[40];
    int rc;

    (void)db;
    snprintf(id, sizeof id, "%08x%08x%016x", (unsigned)i, (unsigned)rand(), (unsigned)i);
    sqlite3_bind_text(b->st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(b->st, 2, b->payload, (int)b->len, SQLITE_STATIC);
    rc = sqlite3_step(b->st) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(b->st);
    return rc;
}

/* n autocommit INSERTs of a row with a payload of row_bytes; latencies in res. */
static int floor_bench(const char *dir, size_t row_bytes, int n, load_result *res)
{
    sqlite3 *db = NULL;
    char *payload = malloc(row_bytes + 1);
    bare b = {NULL, payload, row_bytes};
    int rc = -1;

    if (!payload || floor_open(dir, &db) ||
        sqlite3_prepare_v2(db, "INSERT INTO rows VALUES (?1, datetime('now'), ?2)", -1,
                           &b.st, NULL) != SQLITE_OK)
        goto out;
    memset(payload, 'x', row_bytes);
    payload[row_bytes] = '\0';
    rc = time_txns(db, bare_one, &b, n, res);
out:
    sqlite3_finalize(b.st);
    sqlite3_close(db);
    free(payload);
    return rc;
}

/* ---- the report ---------------------------------------------------------- */

static void print_row(const char *name, const load_result *r)
{
    if (r->n <= 0)
        return;
    printf("  %-34s %6d %6d %8.0f %8.2f %8.2f %8.2f\n", name, r->n, r->errors,
           r->wall_s > 0 ? r->n / r->wall_s : 0.0, bench_percentile(r->us, r->n, 50) / 1000,
           bench_percentile(r->us, r->n, 99) / 1000, r->us[r->n - 1] / 1000);
}

static const char *verdict(int met)
{
    return met ? "met" : "NOT met";
}

typedef struct {
    long idle_rss_kb, idle_anon_kb, idle_file_kb, idle_pss_kb, after_rss_kb, hwm_kb;
    size_t row_bytes;
    int exit_code;
    load_result one, many, health, reject, replay, floor;
} bench_figures;

static double p50(const load_result *r)
{
    return bench_percentile(r->us, r->n, 50);
}

static void print_budgets(const bench_opts *o, const bench_figures *f)
{
    double fl = p50(&f->floor);

    printf("\n  ratio p50 / floor p50:  POST 1 client %.2fx   POST %d clients %.2fx   "
           "store replay %.2fx\n",
           p50(&f->one) / fl, o->clients, p50(&f->many) / fl, p50(&f->replay) / fl);
    printf("  daemon exit status after SIGTERM: %d\n\n", f->exit_code);
    printf("  budget idle RSS < 8 MB:                  %-7s (%ld kB)\n",
           verdict(f->idle_rss_kb >= 0 && f->idle_rss_kb < BUDGET_IDLE_KB),
           f->idle_rss_kb);
    printf("  budget p50 within 2x floor, 1 client:    %-7s (%.2fx)\n",
           verdict(p50(&f->one) <= BUDGET_RATIO * fl), p50(&f->one) / fl);
    printf("  budget p50 within 2x floor, %d clients: %s%-7s (%.2fx)\n", o->clients,
           o->clients < 10 ? " " : "", verdict(p50(&f->many) <= BUDGET_RATIO * fl),
           p50(&f->many) / fl);
}

static void print_report(const bench_opts *o, const bench_figures *f)
{
    char label[64];

    printf("\nsignpost bench_screenings\n  binary: %s\n  state and floor in: %s (%s)\n"
           "  stored result_json: %zu bytes\n\n",
           o->binary, o->parent, bench_fs_name(o->parent), f->row_bytes);
    printf("  daemon VmRSS: idle %ld kB (anonymous %ld, file-backed %ld; Pss %ld kB),\n"
           "                peak sampled under load %ld kB, after load %ld kB (VmHWM %ld "
           "kB)\n\n",
           f->idle_rss_kb, f->idle_anon_kb, f->idle_file_kb, f->idle_pss_kb,
           f->many.rss_peak_kb, f->after_rss_kb, f->hwm_kb);
    printf("  %-34s %6s %6s %8s %8s %8s %8s\n", "", "count", "errors", "per s", "p50 ms",
           "p99 ms", "max ms");
    print_row("POST /api/v1/screenings, 1 client", &f->one);
    snprintf(label, sizeof label, "POST /api/v1/screenings, %d clients", o->clients);
    print_row(label, &f->many);
    print_row("GET /healthz, 1 client", &f->health);
    print_row("POST refused 422, 1 client", &f->reject);
    print_row("store replay (no HTTP)", &f->replay);
    print_row("floor: bare INSERT, WAL+FULL", &f->floor);
    print_budgets(o, f);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_screenings [SIGNPOST_BINARY] [-c CLIENTS] [-n REQUESTS] "
                 "[-d DIR]\n"
                 "  SIGNPOST_BINARY  the daemon to measure (default: this build's)\n"
                 "  -c CLIENTS       concurrent keep-alive clients (default 8)\n"
                 "  -n REQUESTS      POSTs under load, and floor INSERTs (default 2000)\n"
                 "  -d DIR           where the state and floor databases go "
                 "(default $TMPDIR or /tmp)\n");
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    int c;

    o->binary = BENCH_DEFAULT_BIN;
    o->parent = bench_scratch_parent();
    o->clients = 8;
    o->requests = 2000;
    while ((c = getopt(argc, argv, "c:n:d:h")) != -1) {
        if ((c == 'c' && bench_parse_int(optarg, 1, MAX_CLIENTS, &o->clients, NULL)) ||
            (c == 'n' && bench_parse_int(optarg, 1, MAX_REQUESTS, &o->requests, NULL)) ||
            c == '?')
            return -1;
        bench_common_opt(c, optarg, &o->parent, usage);
    }
    return bench_daemon_arg(argc, argv, &o->binary);
}

/* The HTTP runs: idle, one client, N clients, the decomposition, after. */
static int measure_http(const bench_opts *o, itest_daemon *d, bench_figures *f)
{
    int single = o->requests < SINGLE_MAX ? o->requests : SINGLE_MAX;

    bench_sleep_ms(IDLE_SETTLE_MS);
    f->idle_rss_kb = bench_proc_status_kb(d->pid, "VmRSS:");
    f->idle_anon_kb = bench_proc_status_kb(d->pid, "RssAnon:");
    f->idle_file_kb = bench_proc_status_kb(d->pid, "RssFile:");
    f->idle_pss_kb = bench_proc_kb(d->pid, "smaps_rollup", "Pss:");
    f->row_bytes = result_size(d);
    if (f->row_bytes == 0 || run_load(d, &submit, 1, single, &f->one) ||
        run_load(d, &submit, o->clients, o->requests, &f->many) ||
        run_load(d, &health, 1, single, &f->health) ||
        run_load(d, &reject, 1, single, &f->reject))
        return -1;
    bench_sleep_ms(500);
    f->after_rss_kb = bench_proc_status_kb(d->pid, "VmRSS:");
    f->hwm_kb = bench_proc_status_kb(d->pid, "VmHWM:");
    return 0;
}

/* Runs the daemon on a state directory of our own, then replays its writes. */
static int measure_daemon(const bench_opts *o, bench_figures *f)
{
    char state[ITEST_PATH + 32];
    itest_opts io = {.binary = o->binary, .state_dir = state};
    itest_daemon *d;
    int rc = -1;

    snprintf(state, sizeof state, "%s/signpost-bench-XXXXXX", o->parent);
    if (!mkdtemp(state))
        return -1;
    d = itest_start(&io);
    if (d) {
        rc = measure_http(o, d, f);
        f->exit_code = itest_stop(d);
        if (rc == 0 && f->exit_code == 0)
            rc = store_replay(d->db_path,
                              o->requests < SINGLE_MAX ? o->requests : SINGLE_MAX,
                              &f->replay);
        itest_free(d);
    }
    itest_rmtree(state);
    return rc;
}

static void free_figures(bench_figures *f)
{
    free(f->one.us);
    free(f->many.us);
    free(f->health.us);
    free(f->reject.us);
    free(f->replay.us);
    free(f->floor.us);
}

int main(int argc, char **argv)
{
    bench_opts o;
    bench_figures f = {0};
    char dir[ITEST_PATH];
    int rc = 1;

    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    if (itest_init())
        return 1;
    fprintf(stderr, "bench: %s, %d requests, %d clients ...\n", o.binary, o.requests,
            o.clients);
    if (measure_daemon(&o, &f)) {
        fprintf(stderr, "bench: the daemon run failed\n");
        goto out;
    }
    snprintf(dir, sizeof dir, "%s/signpost-floor-XXXXXX", o.parent);
    if (!mkdtemp(dir) || floor_bench(dir, f.row_bytes, o.requests, &f.floor)) {
        fprintf(stderr, "bench: the SQLite floor run failed in %s\n", dir);
        goto out;
    }
    itest_rmtree(dir);
    print_report(&o, &f);
    rc = 0;
out:
    free_figures(&f);
    itest_cleanup();
    return rc;
}
