/*
 * What the benchmarks share: the small utilities every one of them needs and
 * none of them is about.  The monotonic clock and an EINTR-safe sleep; the
 * memory of a process from /proc/PID/status (and a thread that samples its
 * VmRSS peak while a load runs); sorting latencies and the nearest-rank
 * percentile of them; range-checked numbers and the common options on the
 * command line; where scratch files go by default ($TMPDIR or /tmp) and
 * which file system that is, printed with every run because fsync cost and
 * the page cache differ between them (an SD card's ext4 is not the build
 * machine's); and a statement's EXPLAIN QUERY PLAN walked as a tree.  Static
 * inline functions, so each benchmark includes this header and links nothing
 * more: what it does not use costs it nothing.
 */
#ifndef SIGNPOST_BENCH_UTIL_H
#define SIGNPOST_BENCH_UTIL_H

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* ---- clocks ---------------------------------------------------------------- */

/* Seconds on the monotonic clock. */
static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Microseconds on the monotonic clock. */
static inline double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Sleeps ms milliseconds, the whole of them even when a signal comes. */
static inline void bench_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- a process's memory ------------------------------------------------------ */

/* A "Key:  1234 kB" figure from /proc/PID/FILE; -1 when unreadable. */
static inline long bench_proc_kb(pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0) {
            kb = strtol(line + klen, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* A figure from /proc/PID/status ("VmRSS:", "VmHWM:", "RssAnon:" ...). */
static inline long bench_proc_status_kb(pid_t pid, const char *key)
{
    return bench_proc_kb(pid, "status", key);
}

/* A thread that reads a process's VmRSS every period_ms and keeps the peak. */
typedef struct {
    pid_t pid;
    long period_ms;
    atomic_int on;
    atomic_long peak_kb;
    pthread_t th;
} bench_rss_sampler;

static inline void *bench_rss_sample(void *arg)
{
    bench_rss_sampler *s = arg;
    while (atomic_load(&s->on)) {
        long kb = bench_proc_status_kb(s->pid, "VmRSS:");
        if (kb > atomic_load(&s->peak_kb))
            atomic_store(&s->peak_kb, kb);
        bench_sleep_ms(s->period_ms);
    }
    return NULL;
}

/* Starts sampling pid, the peak starting at start_kb; 0, or -1 when no thread. */
static inline int bench_rss_start(bench_rss_sampler *s, pid_t pid, long period_ms,
                                  long start_kb)
{
    s->pid = pid;
    s->period_ms = period_ms;
    atomic_store(&s->on, 1);
    atomic_store(&s->peak_kb, start_kb);
    if (pthread_create(&s->th, NULL, bench_rss_sample, s) != 0) {
        atomic_store(&s->on, 0);
        return -1;
    }
    return 0;
}

/* Stops a started sampler; the peak it saw, in kB. */
static inline long bench_rss_stop(bench_rss_sampler *s)
{
    atomic_store(&s->on, 0);
    pthread_join(s->th, NULL);
    return atomic_load(&s->peak_kb);
}

/* ---- latencies ----------------------------------------------------------------- */

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts n values in place, ascending. */
static inline void bench_sort(double *v, size_t n)
{
    if (v && n)
        qsort(v, n, sizeof *v, bench_cmp_double);
}

/* Nearest-rank percentile p (0 to 100) of n sorted values; NAN when n is 0. */
static inline double bench_percentile(const double *sorted, int n, double p)
{
    int rank = (int)ceil(p / 100.0 * n);
    if (n <= 0)
        return NAN;
    if (rank < 1)
        rank = 1;
    return sorted[rank > n ? n - 1 : rank - 1];
}

/* ---- the command line ---------------------------------------------------------- */

/*
 * A decimal number from lo to hi.  With rest, it may be followed by more
 * text and *rest is set to where the number ends; without, s must hold the
 * number alone.  0, or -1 (and *out untouched) when s is no such number.
 */
static inline int bench_parse_long(const char *s, long lo, long hi, long *out,
                                   const char **rest)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || (!rest && *end) || v < lo || v > hi)
        return -1;
    if (rest)
        *rest = end;
    *out = v;
    return 0;
}

/* bench_parse_long() for an int. */
static inline int bench_parse_int(const char *s, int lo, int hi, int *out, const char **rest)
{
    long v;
    if (bench_parse_long(s, lo, hi, &v, rest))
        return -1;
    *out = (int)v;
    return 0;
}

/*
 * The options every benchmark of the daemon takes besides its own: -d DIR,
 * where scratch files go (*parent = arg), and -h, usage on stdout and exit
 * 0.  Any other c is left alone.
 */
static inline void bench_common_opt(int c, const char *arg, const char **parent,
                                   void (*usage)(FILE *out))
{
    if (c == 'd')
        *parent = arg;
    if (c == 'h') {
        usage(stdout);
        exit(0);
    }
}

/*
 * After getopt: the daemon to measure, the one argument left if any (else
 * *binary stays the default).  0 when nothing else is left and it can be
 * run.
 */
static inline int bench_daemon_arg(int argc, char **argv, const char **binary)
{
    if (optind < argc)
        *binary = argv[optind++];
    return optind == argc && access(*binary, X_OK) == 0 ? 0 : -1;
}

/* ---- where scratch files go ------------------------------------------------------ */

/* The default folder for scratch files: $TMPDIR, or /tmp when unset or empty. */
static inline const char *bench_scratch_parent(void)
{
    const char *tmp = getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

/* The file system path is on, by name. */
static inline const char *bench_fs_name(const char *path)
{
    struct statfs sf;
    if (statfs(path, &sf) != 0)
        return "unknown";
    switch ((unsigned long)sf.f_type) {
    case 0xEF53UL: return "ext2/3/4";
    case 0x01021994UL: return "tmpfs";
    case 0x58465342UL: return "xfs";
    case 0x9123683EUL: return "btrfs";
    case 0x794C7630UL: return "overlayfs";
    case 0xF2F52010UL: return "f2fs";
    default: return "other";
    }
}

/* ---- query plans ------------------------------------------------------------------- */

/* Called for each row of a plan: its detail (never NULL) and depth in the tree. */
typedef void (*bench_plan_row_fn)(const char *detail, int depth, void *arg);

/*
 * Walks the EXPLAIN QUERY PLAN of sql on db in SQLite's order, calling row
 * (when not NULL) on each row, and with print prints each row indented by
 * its depth ("      " then two spaces a level) or why sql cannot be
 * prepared.  0, or -1 when it cannot be prepared.
 */
static inline int bench_plan_walk(sqlite3 *db, const char *sql, int print,
                                  bench_plan_row_fn row, void *arg)
{
    int ids[64], depth[64], n = 0;
    sqlite3_stmt *s = NULL;
    char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);

    if (!eqp || sqlite3_prepare_v2(db, eqp, -1, &s, NULL) != SQLITE_OK) {
        if (print)
            printf("      (cannot prepare: %s)\n", sqlite3_errmsg(db));
        sqlite3_free(eqp);
        return -1;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        int id = sqlite3_column_int(s, 0), parent = sqlite3_column_int(s, 1), dep = 0;
        const char *detail = (const char *)sqlite3_column_text(s, 3);
        for (int i = 0; i < n; i++)
            if (ids[i] == parent)
                dep = depth[i] + 1;
        if (n < 64) {
            ids[n] = id;
            depth[n++] = dep;
        }
        detail = detail ? detail : "";
        if (print)
            printf("      %*s%s\n", 2 * dep, "", detail);
        if (row)
            row(detail, dep, arg);
    }
    sqlite3_finalize(s);
    sqlite3_free(eqp);
    return 0;
}

#endif
