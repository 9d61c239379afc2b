/*
 * bench_outbox_due: what it costs the SMS worker to find the texts that are
 * due when the outbox holds 10k, 100k or 1M scheduled texts.  The worker
 * asks on every pass (store_sms_next_due, to know how long to sleep) and
 * claims one text at a time (store_sms_claim, then store_sms_end when the
 * gateway has answered); a kiosk that has queued reminders for months must
 * not read every waiting row to find the few that are due.  The partial
 * index sms_outbox_due (ON sms_outbox(due_at) WHERE state = 'scheduled',
 * migration 4) is what should keep that cost flat.
 *
 * For each size, in one growing database: the rows are loaded through a
 * separate SQLite connection to the store's own file (a prepared INSERT,
 * 100k rows per transaction), spread over the next 60 days, with a handful
 * (8) due now.  Then, through the store's public functions:
 *
 *   next_due, warm:   store_sms_next_due back to back (-n calls);
 *   claim + end:      store_sms_claim then store_sms_end as sent (-c
 *                     cycles); after each cycle, untimed, one new row due
 *                     now replaces the one sent, so the handful stays;
 *   next_due, after a commit: store_sms_next_due right after each cycle, as
 *                     the worker calls it (in WAL mode a reader's page
 *                     cache is emptied whenever someone has committed).
 *
 * Each series gets p50, p99 and max, and per call the pages SQLite asked
 * its cache for (hits + misses) and read from the file (misses), from
 * sqlite3_db_status on every store connection, and the VM steps and
 * FULLSCAN_STEP of the statements that ran (sqlite3_stmt_status).  To see
 * those, and the SQL the store really runs, the program reaches into the
 * store's connections (src/store/store_internal.h) and installs a
 * sqlite3_trace_v2 hook; it changes nothing there.  It prints EXPLAIN QUERY
 * PLAN of every statement each operation ran, whether the search went
 * through sms_outbox_due, and how each figure grew from the smallest size to
 * the largest: flat or logarithmic is the goal, linear the failure.
 * Figures only, no pass or fail.  Results: docs/performance.md.
 *
 *   bench_outbox_due [-d DIR] [-n CALLS] [-c CYCLES] [-k] [SIZE...]
 */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "signpost/sms_store.h"
#include "signpost/store.h"
#include "store_internal.h" /* the store's connections, to trace them (read only) */

#define MAX_SIZES 8
#define MAX_SIZE 20000000L
#define DUE_NOW 8               /* rows due now in the outbox at all times */
#define CHUNK 100000L           /* rows per loading transaction */
#define FUTURE_FROM_S 3600      /* the rest are due from an hour from now ... */
#define FUTURE_SPAN_S (60 * 86400) /* ... to 60 days from now */
#define VALIDITY_S (24 * 3600)
#define PHONE_BOX 52 /* a sealed NANP number: nonce 24 + MAC 16 + 12 */
#define BODY_BOX 160 /* a sealed one-segment reminder is about 200 */
#define WARMUP 20
#define MAX_SQL 32
#define MAX_RUNNING 8

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* splitmix64: fast, and good enough for fake hashes and boxes. */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_bytes(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rng_next();
        for (size_t k = 0; k < 8 && i + k < n; k++)
            p[i + k] = (unsigned char)(v >> (8 * k));
    }
}

static void rng_hex(char *out, size_t ndigits)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < ndigits; i++)
        out[i] = hex[rng_next() & 15];
    out[ndigits] = '\0';
}

/* ---- tracing the store's connections -------------------------------------- */

enum { OP_NEXT_DUE, OP_CLAIM, OP_END, NOPS };
static const char *const op_names[NOPS] = {"store_sms_next_due", "store_sms_claim",
                                           "store_sms_end"};

typedef struct {
    char *sql;
    unsigned ops;  /* which operations ran it (1 << OP_...) */
    int planned;   /* EXPLAIN QUERY PLAN done */
    int due_index; /* its plan searches sms_outbox_due */
} sql_seen;

static struct {
    sql_seen seen[MAX_SQL];
    int nseen;
    struct {
        sqlite3_stmt *stmt;
        double t0;
    } running[MAX_RUNNING];
    int op; /* the operation under way, or -1 */
    /* What the statements of the current call did. */
    long long vm_steps, fullscan_steps;
    double due_us; /* time in statements whose plan uses sms_outbox_due */
} tr = {.op = -1};

static int seen_index(const char *sql)
{
    for (int i = 0; i < tr.nseen; i++)
        if (strcmp(tr.seen[i].sql, sql) == 0)
            return i;
    if (tr.nseen == MAX_SQL || !(tr.seen[tr.nseen].sql = strdup(sql)))
        return -1;
    return tr.nseen++;
}

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    sqlite3_stmt *s = p;
    double t0 = -1, t1 = bench_now_us();
    const char *sql;
    int k, free_slot = -1;

    (void)ctx;
    (void)x;
    if (type == SQLITE_TRACE_STMT) {
        for (int i = 0; i < MAX_RUNNING; i++) {
            if (tr.running[i].stmt == s)
                return 0; /* already timed since its start */
            if (!tr.running[i].stmt && free_slot < 0)
                free_slot = i;
        }
        if (free_slot >= 0) {
            tr.running[free_slot].stmt = s;
            tr.running[free_slot].t0 = t1;
        }
        return 0;
    }
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    for (int i = 0; i < MAX_RUNNING; i++)
        if (tr.running[i].stmt == s) {
            t0 = tr.running[i].t0;
            tr.running[i].stmt = NULL;
        }
    sql = sqlite3_sql(s);
    k = sql ? seen_index(sql) : -1;
    tr.vm_steps += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0);
    tr.fullscan_steps += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    if (k >= 0 && tr.op >= 0)
        tr.seen[k].ops |= 1u << tr.op;
    if (k >= 0 && tr.seen[k].due_index && t0 >= 0)
        tr.due_us += t1 - t0;
    return 0;
}

/* The store's open connections: the writer and the readers opened so far
 * (readers open on first use; this single-threaded bench only uses the
 * first, which the store opens at once). */
static int store_conns(sg_store *st, sqlite3 **out, int max)
{
    int n = 0;
    if (st->writer.db && n < max)
        out[n++] = st->writer.db;
    for (int i = 0; i < st->nreaders && n < max; i++)
        if (st->readers[i].db)
            out[n++] = st->readers[i].db;
    return n;
}

static void trace_store(sg_store *st)
{
    sqlite3 *c[STORE_MAX_READERS + 1];
    int n = store_conns(st, c, STORE_MAX_READERS + 1);
    for (int i = 0; i < n; i++)
        sqlite3_trace_v2(c[i], SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, on_trace, NULL);
}

/* Pages asked of the page caches (hits and misses) and read (misses). */
static void cache_counts(sg_store *st, long long *hits, long long *misses)
{
    sqlite3 *c[STORE_MAX_READERS + 1];
    int n = store_conns(st, c, STORE_MAX_READERS + 1), cur, hi;

    *hits = *misses = 0;
    for (int i = 0; i < n; i++) {
        if (sqlite3_db_status(c[i], SQLITE_DBSTATUS_CACHE_HIT, &cur, &hi, 0) == SQLITE_OK)
            *hits += cur;
        if (sqlite3_db_status(c[i], SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0) == SQLITE_OK)
            *misses += cur;
    }
}

/* ---- plans ------------------------------------------------------------------- */

/* Prints the plan of sql (when print) and says whether it uses
 * sms_outbox_due (bit 1) and scans a table or index whole (bit 2). */
/* Bit 1: a row uses sms_outbox_due; bit 2: a row scans a table or index whole. */
static void plan_row(const char *detail, int depth, void *arg)
{
    int *flags = arg;
    (void)depth;
    if (strstr(detail, "INDEX sms_outbox_due"))
        *flags |= 1;
    if (!strncmp(detail, "SCAN ", 5) && strcmp(detail, "SCAN CONSTANT ROW") != 0)
        *flags |= 2;
}

static int plan_of(sqlite3 *db, const char *sql, int print)
{
    int flags = 0;
    bench_plan_walk(db, sql, print, plan_row, &flags);
    return flags;
}

/* Plans the statements seen for the first time (after a call, never inside
 * the trace hook). */
static void plan_new(sqlite3 *db)
{
    for (int i = 0; i < tr.nseen; i++)
        if (!tr.seen[i].planned) {
            tr.seen[i].due_index = plan_of(db, tr.seen[i].sql, 0) & 1;
            tr.seen[i].planned = 1;
        }
}

static int is_query(const char *sql)
{
    return !strncmp(sql, "SELECT", 6) || !strncmp(sql, "UPDATE", 6) ||
           !strncmp(sql, "INSERT", 6) || !strncmp(sql, "DELETE", 6) ||
           !strncmp(sql, "WITH", 4);
}

/* Every statement each operation ran, with its plan. */
static void print_plans(sqlite3 *db)
{
    printf("\nEXPLAIN QUERY PLAN of the statements each operation ran (SQL as the store\n"
           "sent it, caught by the trace hook; BEGIN and COMMIT left out):\n");
    for (int op = 0; op < NOPS; op++) {
        int due = 0, scans = 0;
        printf("\n  %s:\n", op_names[op]);
        for (int i = 0; i < tr.nseen; i++) {
            int f;
            if (!(tr.seen[i].ops & (1u << op)) || !is_query(tr.seen[i].sql))
                continue;
            printf("    %s\n", tr.seen[i].sql);
            f = plan_of(db, tr.seen[i].sql, 1);
            due |= f & 1;
            scans |= f & 2;
        }
        if (op != OP_END)
            printf("    -> %s sms_outbox_due%s\n", due ? "searches" : "does NOT use",
                   scans ? "; WARNING: a plan SCANs a table or index" : "; no SCAN");
        else
            printf("    -> %s\n", scans ? "WARNING: a plan SCANs a table or index"
                                         : "primary keys only; no SCAN");
    }
}

/* ---- the database ---------------------------------------------------------- */

typedef struct {
    sqlite3 *db; /* the bench's own connection to the store's file */
    sqlite3_stmt *ins;
    time_t t0; /* "now" for the rows loaded */
} loader;

static int loader_open(loader *l, const char *path)
{
    static const char sql[] =
        "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box,"
        " state, due_at, expires_at, created_at, updated_at)"
        " VALUES (?1, NULL, ?2, ?3, 'reminder', ?4, 'scheduled', ?5, ?6, ?7, ?7)";

    l->t0 = time(NULL);
    if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(l->db, 5000);
    /* Loading is not what is measured: no fsync, a large cache. */
    if (sqlite3_exec(l->db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -131072", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(l->db, sql, -1, &l->ins, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: %s\n", sqlite3_errmsg(l->db));
        return -1;
    }
    return 0;
}

static void loader_close(loader *l)
{
    sqlite3_finalize(l->ins);
    sqlite3_close(l->db);
}

static int insert_row(loader *l, time_t due, time_t now)
{
    char id[SG_ID_LEN], hash[SMS_HASH_LEN];
    unsigned char phone[PHONE_BOX], body[BODY_BOX];
    int rc;

    store_new_id(id);
    rng_hex(hash, SMS_HASH_LEN - 1);
    rng_bytes(phone, sizeof phone);
    rng_bytes(body, sizeof body);
    sqlite3_bind_text(l->ins, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(l->ins, 2, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(l->ins, 3, phone, (int)sizeof phone, SQLITE_TRANSIENT);
    sqlite3_bind_blob(l->ins, 4, body, (int)sizeof body, SQLITE_TRANSIENT);
    sqlite3_bind_int64(l->ins, 5, (sqlite3_int64)due);
    sqlite3_bind_int64(l->ins, 6, (sqlite3_int64)(due + VALIDITY_S));
    sqlite3_bind_int64(l->ins, 7, (sqlite3_int64)now);
    rc = sqlite3_step(l->ins) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(l->ins);
    if (rc)
        fprintf(stderr, "bench: insert: %s\n", sqlite3_errmsg(l->db));
    return rc;
}

/* Grows the outbox from `have` to `want` scheduled rows; the very first
 * DUE_NOW rows are due now, the rest in the next 60 days. */
static int load_rows(loader *l, long have, long want)
{
    for (long i = have; i < want;) {
        long end = i + CHUNK < want ? i + CHUNK : want;
        if (sqlite3_exec(l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            return -1;
        for (; i < end; i++) {
            time_t due = i < DUE_NOW ? l->t0 - 1 - (time_t)i
                                     : l->t0 + FUTURE_FROM_S +
                                           (time_t)(rng_next() % FUTURE_SPAN_S);
            if (insert_row(l, due, l->t0)) {
                sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
                return -1;
            }
        }
        if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    }
    /* Keep the WAL from carrying the load into the measurements. */
    return sqlite3_exec(l->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) ==
                   SQLITE_OK
               ? 0
               : -1;
}

static long long count_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* ---- measuring ---------------------------------------------------------------- */

typedef struct {
    double *us, *due_us;
    int n, errors;
    long long pages, reads, vm_steps, fullscan_steps;
} series;

static int series_init(series *s, int n)
{
    memset(s, 0, sizeof *s);
    s->us = calloc((size_t)n, sizeof *s->us);
    s->due_us = calloc((size_t)n, sizeof *s->due_us);
    return s->us && s->due_us ? 0 : -1;
}

static void series_free(series *s)
{
    free(s->us);
    free(s->due_us);
}

typedef struct {
    sg_store *st;
    long long hits0, misses0;
    double t0;
} call_probe;

static void probe_start(call_probe *p, int op)
{
    cache_counts(p->st, &p->hits0, &p->misses0);
    tr.op = op;
    tr.vm_steps = tr.fullscan_steps = 0;
    tr.due_us = 0;
    p->t0 = bench_now_us();
}

/* Ends a timed call and adds it to s at index s->n (the caller counts). */
static void probe_end(call_probe *p, series *s, double *us)
{
    double t1 = bench_now_us();
    long long h, m;

    tr.op = -1;
    cache_counts(p->st, &h, &m);
    *us += t1 - p->t0;
    s->pages += (h - p->hits0) + (m - p->misses0);
    s->reads += m - p->misses0;
    s->vm_steps += tr.vm_steps;
    s->fullscan_steps += tr.fullscan_steps;
    s->due_us[s->n] += tr.due_us;
}

typedef struct {
    long n;
    long long scheduled, db_bytes;
    double load_s;
    series warm, cycle, cold;
} size_result;

static void time_next_due(sg_store *st, sqlite3 *own, int calls, series *s)
{
    call_probe p = {.st = st};
    time_t due;

    for (int i = 0; i < WARMUP; i++) {
        probe_start(&p, OP_NEXT_DUE);
        if (store_sms_next_due(st, &due) != SG_OK)
            s->errors++;
        tr.op = -1;
        plan_new(own);
    }
    for (s->n = 0; s->n < calls; s->n++) {
        probe_start(&p, OP_NEXT_DUE);
        if (store_sms_next_due(st, &due) != SG_OK || due > time(NULL))
            s->errors++;
        probe_end(&p, s, &s->us[s->n]);
    }
}

/* One claim, end and replenish; the claim and end are timed into cyc, the
 * next_due after them into cold (when not NULL). */
static int one_cycle(sg_store *st, loader *l, series *cyc, series *cold)
{
    static const outbox_end sent = {OUT_SENT, 0, "SMbench", "sent", 201, 0, NULL};
    call_probe p = {.st = st};
    outbox_row row;
    time_t due;
    sg_rc rc;
    double us = 0;

    probe_start(&p, OP_CLAIM);
    rc = store_sms_claim(st, time(NULL), &row);
    if (cyc)
        probe_end(&p, cyc, &us);
    tr.op = -1;
    if (rc != SG_OK) {
        if (cyc)
            cyc->errors++;
        return -1;
    }
    probe_start(&p, OP_END);
    rc = store_sms_end(st, row.id, &sent);
    if (cyc) {
        probe_end(&p, cyc, &us);
        cyc->us[cyc->n] = us;
        if (rc != SG_OK)
            cyc->errors++;
    }
    tr.op = -1;
    outbox_row_clear(&row);
    /* Untimed: keep DUE_NOW rows due. */
    if (insert_row(l, time(NULL) - 1, time(NULL)))
        return -1;
    if (cold) {
        probe_start(&p, OP_NEXT_DUE);
        if (store_sms_next_due(st, &due) != SG_OK || due > time(NULL))
            cold->errors++;
        probe_end(&p, cold, &cold->us[cold->n]);
    }
    return 0;
}

static int time_cycles(sg_store *st, loader *l, int cycles, series *cyc, series *cold)
{
    for (int i = 0; i < WARMUP; i++) {
        if (one_cycle(st, l, NULL, NULL))
            return -1;
        plan_new(l->db);
    }
    for (cyc->n = cold->n = 0; cyc->n < cycles; cyc->n++, cold->n++)
        if (one_cycle(st, l, cyc, cold))
            return -1;
    return 0;
}

/* ---- the report ----------------------------------------------------------------- */

static void print_series(const char *name, series *s)
{
    double per = s->n > 0 ? 1.0 / s->n : 0;
    bench_sort(s->us, (size_t)s->n);
    bench_sort(s->due_us, (size_t)s->n);
    printf("  %-26s %6d %4d %9.1f %9.1f %9.1f %8.1f %8.1f %8.1f %8.1f %6lld\n", name, s->n,
           s->errors, bench_percentile(s->us, s->n, 50), bench_percentile(s->us, s->n, 99),
           s->n ? s->us[s->n - 1] : 0.0, bench_percentile(s->due_us, s->n, 50),
           (double)s->pages * per, (double)s->reads * per, (double)s->vm_steps * per,
           s->fullscan_steps);
}

static void print_size(const size_result *r)
{
    printf("\n%ld scheduled rows (count: %lld), loaded in %.1f s; signpost.db %.1f MB\n",
           r->n, r->scheduled, r->load_s, (double)r->db_bytes / 1e6);
    printf("  %-26s %6s %4s %9s %9s %9s %8s %8s %8s %8s %6s\n", "", "calls", "err",
           "p50 us", "p99 us", "max us", "idx us", "pages", "reads", "VM steps",
           "FSCAN");
}

static double p50(const series *s)
{
    return bench_percentile(s->us, s->n, 50);
}

static void print_growth(const size_result *r, int n)
{
    const size_result *a = &r[0], *b = &r[n - 1];
    printf("\n| rows | next_due warm p50 / p99 us | pages | next_due after commit p50 / p99 "
           "us | reads | claim+end p50 / p99 us | claim search p50 us | pages | FULLSCAN |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        const size_result *x = &r[i];
        printf("| %ld | %.1f / %.1f | %.1f | %.1f / %.1f | %.1f | %.0f / %.0f | %.1f | %.1f "
               "| %lld |\n",
               x->n, p50(&x->warm), bench_percentile(x->warm.us, x->warm.n, 99),
               (double)x->warm.pages / x->warm.n, p50(&x->cold),
               bench_percentile(x->cold.us, x->cold.n, 99), (double)x->cold.reads / x->cold.n,
               p50(&x->cycle), bench_percentile(x->cycle.us, x->cycle.n, 99),
               bench_percentile(x->cycle.due_us, x->cycle.n, 50),
               (double)x->cycle.pages / x->cycle.n,
               x->warm.fullscan_steps + x->cold.fullscan_steps + x->cycle.fullscan_steps);
    }
    if (n < 2)
        return;
    printf("\n  %ld -> %ld rows (%.0fx the rows; log2 grows %.2fx):\n", a->n, b->n,
           (double)b->n / (double)a->n, log2((double)b->n) / log2((double)a->n));
    printf("    next_due warm p50          %.2fx   pages/call %.1f -> %.1f\n",
           p50(&b->warm) / p50(&a->warm), (double)a->warm.pages / a->warm.n,
           (double)b->warm.pages / b->warm.n);
    printf("    next_due after commit p50  %.2fx   reads/call %.1f -> %.1f\n",
           p50(&b->cold) / p50(&a->cold), (double)a->cold.reads / a->cold.n,
           (double)b->cold.reads / b->cold.n);
    printf("    claim+end p50              %.2fx   pages/cycle %.1f -> %.1f\n",
           p50(&b->cycle) / p50(&a->cycle), (double)a->cycle.pages / a->cycle.n,
           (double)b->cycle.pages / b->cycle.n);
    printf("    claim search p50           %.2fx   (the claim's UPDATE ... RETURNING "
           "alone)\n",
           bench_percentile(b->cycle.due_us, b->cycle.n, 50) /
               bench_percentile(a->cycle.due_us, a->cycle.n, 50));
}

/* ---- main ----------------------------------------------------------------------- */

typedef struct {
    const char *parent;
    int calls, cycles, keep;
    long sizes[MAX_SIZES];
    int nsizes;
} bench_opts;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_outbox_due [-d DIR] [-n CALLS] [-c CYCLES] [-k] [SIZE...]\n"
                 "  SIZE       scheduled rows, ascending (default: 10000 100000 1000000)\n"
                 "  -d DIR     where the scratch store goes (default $TMPDIR or /tmp)\n"
                 "  -n CALLS   timed store_sms_next_due calls per size (default 2000)\n"
                 "  -c CYCLES  timed claim + end cycles per size (default 1000)\n"
                 "  -k         keep the scratch store\n");
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    long v;
    int c;

    memset(o, 0, sizeof *o);
    o->parent = bench_scratch_parent();
    o->calls = 2000;
    o->cycles = 1000;
    while ((c = getopt(argc, argv, "d:n:c:kh")) != -1) {
        if (c == 'd')
            o->parent = optarg;
        else if (c == 'n' && bench_parse_long(optarg, 1, 1000000, &v, NULL) == 0)
            o->calls = (int)v;
        else if (c == 'c' && bench_parse_long(optarg, 1, 1000000, &v, NULL) == 0)
            o->cycles = (int)v;
        else if (c == 'k')
            o->keep = 1;
        else if (c == 'h') {
            usage(stdout);
            exit(0);
        } else
            return -1;
    }
    for (; optind < argc; optind++) {
        if (o->nsizes == MAX_SIZES ||
            bench_parse_long(argv[optind], DUE_NOW, MAX_SIZE, &o->sizes[o->nsizes], NULL) ||
            (o->nsizes > 0 && o->sizes[o->nsizes] <= o->sizes[o->nsizes - 1]))
            return -1;
        o->nsizes++;
    }
    if (o->nsizes == 0) {
        o->sizes[0] = 10000;
        o->sizes[1] = 100000;
        o->sizes[2] = 1000000;
        o->nsizes = 3;
    }
    return 0;
}

static long long file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

static void remove_store(const char *dir)
{
    static const char *const files[] = {SG_DB_FILE, SG_DB_FILE "-wal", SG_DB_FILE "-shm"};
    char path[1200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int measure_size(const bench_opts *o, sg_store *st, loader *l, long have,
                        size_result *r, const char *db_path)
{
    double t0 = bench_now_us();

    fprintf(stderr, "bench: loading %ld rows ...\n", r->n - have);
    if (load_rows(l, have, r->n))
        return -1;
    r->load_s = (bench_now_us() - t0) / 1e6;
    r->scheduled = count_of(l->db, "SELECT count(*) FROM sms_outbox WHERE state = 'scheduled'");
    r->db_bytes = file_bytes(db_path);
    if (series_init(&r->warm, o->calls) || series_init(&r->cycle, o->cycles) ||
        series_init(&r->cold, o->cycles))
        return -1;
    fprintf(stderr, "bench: timing at %ld rows ...\n", r->n);
    time_next_due(st, l->db, o->calls, &r->warm);
    if (time_cycles(st, l, o->cycles, &r->cycle, &r->cold))
        return -1;
    print_size(r);
    print_series("next_due, warm", &r->warm);
    print_series("claim + end (as sent)", &r->cycle);
    print_series("next_due, after a commit", &r->cold);
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts o;
    size_result res[MAX_SIZES];
    char dir[1024], err[256], db_path[1100];
    sg_store *st = NULL;
    loader l = {0};
    int rc = 1, done = 0;

    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    memset(res, 0, sizeof res);
    snprintf(dir, sizeof dir, "%s/signpost-outbox-XXXXXX", o.parent);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    snprintf(db_path, sizeof db_path, "%s/%s", dir, SG_DB_FILE);
    if (store_open(dir, 2, &st, err, sizeof err)) {
        fprintf(stderr, "bench: store_open: %s\n", err);
        goto out;
    }
    trace_store(st);
    if (loader_open(&l, db_path))
        goto out;
    printf("signpost bench_outbox_due\n  store in: %s (%s), SQLite %s\n"
           "  rows: %d due now, the rest due between 1 h and 60 days from now;\n"
           "  boxes %d + %d bytes; %d next_due calls and %d claim+end cycles per size\n",
           dir, bench_fs_name(dir), sqlite3_libversion(), DUE_NOW, PHONE_BOX, BODY_BOX,
           o.calls, o.cycles);
    printf("  columns: idx us = time in the statements whose plan uses sms_outbox_due;\n"
           "  pages = pages asked of the page caches per call (hits + misses), reads =\n"
           "  pages read from the file (misses); FSCAN = FULLSCAN_STEP, all calls\n");
    for (int i = 0; i < o.nsizes; i++) {
        res[i].n = o.sizes[i];
        if (measure_size(&o, st, &l, i ? o.sizes[i - 1] : 0, &res[i], db_path)) {
            fprintf(stderr, "bench: failed at %ld rows: %s\n", o.sizes[i],
                    sqlite3_errmsg(l.db));
            goto out;
        }
        done = i + 1;
    }
    print_plans(l.db);
    print_growth(res, done);
    rc = 0;
out:
    for (int i = 0; i < MAX_SIZES; i++) {
        series_free(&res[i].warm);
        series_free(&res[i].cycle);
        series_free(&res[i].cold);
    }
    for (int i = 0; i < tr.nseen; i++)
        free(tr.seen[i].sql);
    loader_close(&l);
    store_close(st);
    if (o.keep)
        printf("\n  kept: %s\n", dir);
    else
        remove_store(dir);
    return rc;
}
