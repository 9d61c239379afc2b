/*
 * What the directory costs as it grows: import time, import memory, file
 * size and matching latency at 1k, 10k and 100k services.
 *
 * For each size it generates a synthetic HSDS 3.0 package (gen_hsds.h) in a
 * scratch folder, opens the store and imports the package the way a
 * kiosk's first start does (directory_prepare) in a child process: the
 * child is this program exec'd again, so its peak RSS (from wait4(), the
 * per-child form of getrusage(RUSAGE_CHILDREN)) is the import's own and not
 * the parent's heap inherited through fork.  Then it opens the reader as
 * the daemon does and times a five-domain screening (food, housing
 * instability, transportation, utilities, safety; three places each;
 * Spanish; Tuesday 10:00 at the demo kiosk) many times after a warm-up,
 * and prints how far from the kiosk the places offered are (the reader
 * should offer the nearest of each kind, not any in a crowded box).
 *
 * The budgets it checks (reported, never failed on): matching p99 under
 * 5 ms at 100k services; matching at 100k within 1.5x of matching at 10k,
 * so that the cost comes from indexes and not from scans; importing 100k
 * services in under 60 s; import memory that does not grow with the input.
 * It also prints SQLite's plans for the reader's queries: the near query
 * should find the kiosk's neighbourhood through the R*Tree, and no query
 * should walk every service of a domain.
 *
 *   bench_directory [-d DIR] [-n MATCHES] [-s SOURCE_DIR] [-k] [SIZE...]
 */
#define _XOPEN_SOURCE 700 /* nftw(), to clear the scratch folders */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "gen_hsds.h"
#include "signpost/directory_db.h"
#include "signpost/log.h"
#include "signpost/store.h"

#define MAX_SIZES 8
#define WARMUP 200
#define DOMAIN_REPS 500
#define CHILD_FLAG "--import-child"

static const char *const screened[] = {"food", "housing_instability", "transportation",
                                       "utilities", "safety"};
#define NSCREENED 5

/* Where the kiosk stands and when the patient asks (see bench_receipt.c). */
#define KIOSK_LAT 39.7990
#define KIOSK_LON -89.6440
#define BOX_KM 2.0 /* the reader's first box (START_KM in reader.c) */

typedef struct {
    size_t n;
    gen_hsds_stats gen;
    double gen_s, import_s, import_cpu_s;
    long rss_kb;
    size_t problems;
    long long db_bytes;
    long long services, located, inactive, box_all, box_domain[NSCREENED];
    double first_ms, p50, p99, max, dom_p50[NSCREENED];
    size_t nres;
    double offered[NSCREENED][3]; /* km from the kiosk, as ranked; NAN: none */
} size_result;

typedef struct {
    const char *src, *base;
    int reps, keep;
    sg_instrument *inst;
    uint32_t domains;
    int dom_idx[NSCREENED];
} bench;

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* ---- the child: one import, as a kiosk's first start does it ---- */

static int load_map(const char *src, sg_instrument **inst, sg_domain_map *map, char *err,
                    size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/instruments/ahc-hrsn-core.json", src);
    if (instrument_load(path, inst, err, errlen))
        return -1;
    snprintf(path, sizeof path, "%s/data/taxonomy/domain-map.ini", src);
    return domain_map_load(path, *inst, map, err, errlen) ? -1 : 0;
}

/* argv: CHILD_FLAG SRC STATE PACKAGE.  Prints "PROBLEMS SECONDS". */
static int import_child(char **argv)
{
    sg_instrument *inst = NULL;
    sg_domain_map *map = calloc(1, sizeof *map);
    char err[1024] = "";
    size_t problems = 0;
    double t0;
    sg_rc rc;

    if (!map || load_map(argv[2], &inst, map, err, sizeof err)) {
        fprintf(stderr, "bench_directory: import child: %s\n", err);
        return 1;
    }
    t0 = bench_now_s();
    rc = directory_prepare(argv[3], argv[4], map, &problems, err, sizeof err);
    if (rc) {
        fprintf(stderr, "bench_directory: import: %s (%s)\n", err, sg_strerror(rc));
        return 1;
    }
    printf("%zu %.6f\n", problems, bench_now_s() - t0);
    instrument_free(inst);
    free(map);
    return 0;
}

/* Reads the child's one line: "PROBLEMS SECONDS". */
static int parse_child(const char *line, size_result *r)
{
    char *end;
    errno = 0;
    r->problems = (size_t)strtoull(line, &end, 10);
    if (errno || end == line || *end != ' ')
        return -1;
    const char *secs = end + 1;
    r->import_s = strtod(secs, &end);
    return end == secs ? -1 : 0;
}

static int run_import(const bench *b, const char *state, const char *pkg, size_result *r)
{
    char out[256] = "";
    size_t len = 0;
    ssize_t got;
    struct rusage ru;
    int fd[2], status;
    pid_t pid;

    if (pipe(fd) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        /* exec, not just fork: the child starts with a fresh heap. */
        execl("/proc/self/exe", "bench_directory", CHILD_FLAG, b->src, state, pkg,
              (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    while (pid > 0 && len + 1 < sizeof out &&
           (got = read(fd[0], out + len, sizeof out - 1 - len)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        len += (size_t)got;
    }
    out[len] = '\0';
    close(fd[0]);
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    r->rss_kb = ru.ru_maxrss;
    r->import_cpu_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    return parse_child(out, r);
}

/* ---- what the imported file holds ---- */

/* Binds the reader's first box around the kiosk (reader.c, near_box) to
 * ?2..?5 of s. */
static void bind_box(sqlite3_stmt *s)
{
    double dlat = BOX_KM / 111.2, dlon = BOX_KM / (111.2 * cos(KIOSK_LAT * M_PI / 180.0));
    sqlite3_bind_double(s, 2, KIOSK_LAT - dlat);
    sqlite3_bind_double(s, 3, KIOSK_LAT + dlat);
    sqlite3_bind_double(s, 4, KIOSK_LON - dlon);
    sqlite3_bind_double(s, 5, KIOSK_LON + dlon);
}

#define BOX_WHERE                                                                        \
    " g.min_lat >= ?2 AND g.max_lat <= ?3 AND g.min_lon >= ?4 AND g.max_lon <= ?5"

static long long one_int(sqlite3 *db, const char *sql, const char *domain)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(s) >= 5)
            bind_box(s);
        if (domain)
            sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return v;
}

/* Counts the services, and how crowded the reader's first box is. */
static void describe_db(const char *db_path, size_result *r)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        r->services = one_int(db, "SELECT count(*) FROM services", NULL);
        r->located = one_int(db, "SELECT count(latitude) FROM services", NULL);
        r->inactive =
            one_int(db, "SELECT count(*) FROM services WHERE status <> 'active'", NULL);
        r->box_all =
            one_int(db, "SELECT count(*) FROM service_geo g WHERE" BOX_WHERE, NULL);
        for (int d = 0; d < NSCREENED; d++)
            r->box_domain[d] =
                one_int(db,
                        "SELECT count(*) FROM service_geo g JOIN service_domains d"
                        " ON d.domain = ?1 AND d.sid = g.sid WHERE" BOX_WHERE,
                        screened[d]);
    }
    sqlite3_close(db);
}

/* ---- matching ---- */

static double time_match(directory_reader *rd, const sg_instrument *inst,
                         const match_query *q, size_t *nres)
{
    sg_resource res[NSCREENED * 3];
    double t0 = bench_now_s();
    *nres = directory_match(rd, inst, q, res, NSCREENED * 3);
    return (bench_now_s() - t0) * 1e3;
}

/* Times reps matches of q after a warm-up; v must hold reps values. */
static void time_many(directory_reader *rd, const bench *b, const match_query *q,
                      int reps, double *v)
{
    size_t nres;
    for (int i = 0; i < WARMUP; i++)
        time_match(rd, b->inst, q, &nres);
    for (int i = 0; i < reps; i++)
        v[i] = time_match(rd, b->inst, q, &nres);
    bench_sort(v, (size_t)reps);
}

/* What the patient is offered per domain, in km: whether the reader's
 * candidates are the nearest shows here, not in the timings. */
static void record_offers(directory_reader *rd, const bench *b, const match_query *q,
                          size_result *r)
{
    sg_resource res[NSCREENED * 3];
    size_t n = directory_match(rd, b->inst, q, res, NSCREENED * 3);
    int seen[NSCREENED] = {0};

    for (int d = 0; d < NSCREENED; d++)
        for (int k = 0; k < 3; k++)
            r->offered[d][k] = NAN;
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < NSCREENED; d++)
            if (res[i].domain == b->dom_idx[d] && seen[d] < 3)
                r->offered[d][seen[d]++] = res[i].distance_km;
}

static int measure_matching(const bench *b, const char *state, size_result *r)
{
    match_query q = {b->domains, "es",     KIOSK_LAT, KIOSK_LON, 0,
                     3,          20261124, 600,       -1,        180};
    directory_reader *rd = NULL;
    double *v = calloc((size_t)b->reps, sizeof *v);
    char err[512];

    if (!v || directory_reader_open(state, &rd, err, sizeof err)) {
        free(v);
        return -1;
    }
    r->first_ms = time_match(rd, b->inst, &q, &r->nres); /* a fresh connection's first */
    record_offers(rd, b, &q, r);
    time_many(rd, b, &q, b->reps, v);
    r->p50 = bench_percentile(v, b->reps, 50);
    r->p99 = bench_percentile(v, b->reps, 99);
    r->max = v[b->reps - 1];
    /* One domain at a time: where the five-domain time goes. */
    for (int d = 0; d < NSCREENED && b->reps >= DOMAIN_REPS; d++) {
        q.domains = 1u << b->dom_idx[d];
        time_many(rd, b, &q, DOMAIN_REPS, v);
        r->dom_p50[d] = bench_percentile(v, DOMAIN_REPS, 50);
    }
    directory_reader_close(rd);
    free(v);
    return 0;
}

/* ---- the reader's plan ---- */

typedef struct {
    int outer_seen, walks;
} plan_walk;

/* The first SCAN or SEARCH of a plan is its outer loop: does it walk? */
static void plan_row(const char *detail, int depth, void *arg)
{
    plan_walk *w = arg;
    (void)depth;
    if (!w->outer_seen && (!strncmp(detail, "SCAN", 4) || !strncmp(detail, "SEARCH", 6))) {
        w->outer_seen = 1;
        /* A partial index (the clinic's few raised services) is no walk. */
        w->walks = (!strncmp(detail, "SCAN", 4) && !strstr(detail, "VIRTUAL TABLE") &&
                    !strstr(detail, "service_curation_raised")) ||
                   (!strncmp(detail, "SEARCH d ", 9) && strstr(detail, "(domain=?)"));
    }
}

/*
 * Prints the plan as a tree.  Returns 1 when its outer loop walks a whole
 * table, or service_domains by domain alone: then the rows visited per call
 * grow with the directory unless the LIMIT is reached early.
 */
static int print_plan(sqlite3 *db, const char *sql)
{
    plan_walk w = {0, 0};
    return bench_plan_walk(db, sql, 1, plan_row, &w) ? -1 : w.walks;
}

static void explain_reader(const char *state)
{
    char path[1300], store[1300];
    sqlite3 *db = NULL;
    sqlite3_stmt *att = NULL;

    snprintf(path, sizeof path, "%s/%s", state, DIRECTORY_DB_FILE);
    snprintf(store, sizeof store, "%s/%s", state, SG_DB_FILE);
    printf("\nEXPLAIN QUERY PLAN of the reader's queries (src/directory/reader.c):\n");
    /* They join the store's curation, so attach it as the reader does. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS st", -1, &att, NULL) != SQLITE_OK ||
        sqlite3_bind_text(att, 1, store, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(att) != SQLITE_DONE) {
        printf("    (cannot open %s: %s)\n", path, sqlite3_errmsg(db));
        goto out;
    }
    const char *name, *sql;
    for (size_t i = 0; (sql = directory_reader_query(i, &name)) != NULL; i++) {
        printf("    %s:\n", name);
        int walks = print_plan(db, sql);
        if (walks == 1)
            printf("    -> WARNING: the outer loop walks the domain's rows in "
                   "service_domains"
                   " (all of them when fewer\n       than the LIMIT qualify) or a whole "
                   "table,"
                   " on every call\n");
        else if (walks == 0 && i == 0)
            printf("    -> the box is searched in the per-domain R*Tree alone\n");
    }
out:
    sqlite3_finalize(att);
    sqlite3_close(db);
}

/* ---- the report ---- */

static void print_size(const bench *b, const size_result *r)
{
    printf("\n%zu services: package %.1f MB (%zu organizations, %zu locations, %zu "
           "schedules)"
           " generated in %.2f s\n",
           r->n, (double)r->gen.bytes / 1e6, r->gen.organizations, r->gen.locations,
           r->gen.schedules, r->gen_s);
    printf("  imported %lld services (%lld with coordinates, %lld not active), %zu "
           "problems\n",
           r->services, r->located, r->inactive, r->problems);
    printf("  import %.2f s (cpu %.2f s), peak RSS %.1f MB, directory.db %.1f MB\n",
           r->import_s, r->import_cpu_s, (double)r->rss_kb / 1024.0,
           (double)r->db_bytes / 1e6);
    printf("  reader's first box (%.0f km): %lld services;", BOX_KM, r->box_all);
    for (int d = 0; d < NSCREENED; d++)
        printf(" %s %lld", screened[d], r->box_domain[d]);
    printf(
        "\n  match (5 domains, %zu places): first %.3f ms; %d runs: p50 %.3f  p99 %.3f  "
        "max %.3f ms\n",
        r->nres, r->first_ms, b->reps, r->p50, r->p99, r->max);
    printf("  offered, km from the kiosk:");
    for (int d = 0; d < NSCREENED; d++)
        printf("%s %s %.2f %.2f %.2f", d ? ";" : "", screened[d], r->offered[d][0],
               r->offered[d][1], r->offered[d][2]);
    printf("\n");
    if (r->dom_p50[0] > 0) {
        printf("  one domain at a time, p50 ms:");
        for (int d = 0; d < NSCREENED; d++)
            printf(" %s %.3f", screened[d], r->dom_p50[d]);
        printf("\n");
    }
}

/* ---- one size, start to finish ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static int run_size(const bench *b, size_t n, size_result *r, int explain)
{
    char scratch[1024], pkg[1100], state[1100], db[1200], err[512];
    sg_store *store = NULL;
    int rc = -1;
    double t0;

    memset(r, 0, sizeof *r);
    r->n = n;
    int len = snprintf(scratch, sizeof scratch, "%s/bench_directory.XXXXXX", b->base);
    if (len < 0 || (size_t)len >= sizeof scratch || !mkdtemp(scratch)) {
        fprintf(stderr, "bench_directory: %s: %s\n", scratch, strerror(errno));
        return -1;
    }
    snprintf(pkg, sizeof pkg, "%s/package", scratch);
    snprintf(state, sizeof state, "%s/state", scratch);
    snprintf(db, sizeof db, "%s/%s", state, DIRECTORY_DB_FILE);
    if (mkdir(pkg, 0755) || mkdir(state, 0700)) {
        fprintf(stderr, "bench_directory: mkdir in %s: %s\n", scratch, strerror(errno));
        goto out;
    }
    t0 = bench_now_s();
    if (gen_hsds_write(n, pkg, GEN_HSDS_SEED, &r->gen, err, sizeof err)) {
        fprintf(stderr, "bench_directory: generating %zu services: %s\n", n, err);
        goto out;
    }
    r->gen_s = bench_now_s() - t0;
    if (store_open(state, 1, &store, err, sizeof err)) {
        fprintf(stderr, "bench_directory: store: %s\n", err);
        goto out;
    }
    if (run_import(b, state, pkg, r)) {
        fprintf(stderr, "bench_directory: the import of %zu services failed\n", n);
        goto out;
    }
    r->db_bytes = file_size(db);
    describe_db(db, r);
    if (measure_matching(b, state, r)) {
        fprintf(stderr, "bench_directory: cannot open the reader on %s\n", state);
        goto out;
    }
    print_size(b, r);
    if (explain)
        explain_reader(state);
    rc = 0;
out:
    store_close(store);
    if (b->keep)
        fprintf(stderr, "bench_directory: kept %s\n", scratch);
    else if (nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "bench_directory: could not remove %s\n", scratch);
    return rc;
}

static void print_table(const size_result *res, int nres)
{
    printf("\n| services | import s | peak RSS MB | directory.db MB | match p50 ms | "
           "match p99 ms | match max ms |\n|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < nres; i++)
        printf("| %zu | %.2f | %.1f | %.1f | %.3f | %.3f | %.3f |\n", res[i].n,
               res[i].import_s, (double)res[i].rss_kb / 1024.0,
               (double)res[i].db_bytes / 1e6, res[i].p50, res[i].p99, res[i].max);
}

static const size_result *find(const size_result *res, int nres, size_t n)
{
    for (int i = 0; i < nres; i++)
        if (res[i].n == n)
            return &res[i];
    return NULL;
}

/* One budget line; value is what was measured (ignored when not). */
static void verdict(const char *what, int measured, int met, double value,
                    const char *unit)
{
    if (!measured)
        printf("  budget %-40s not measured (needs the 10k and 100k sizes)\n", what);
    else
        printf("  budget %-40s %-7s (%.3g%s)\n", what, met ? "met" : "NOT met", value,
               unit);
}

static void print_budgets(const size_result *res, int nres)
{
    const size_result *k10 = find(res, nres, 10000), *k100 = find(res, nres, 100000);
    int both = k10 && k100;
    double r50 = both ? k100->p50 / k10->p50 : 0, r99 = both ? k100->p99 / k10->p99 : 0;
    double rss = both ? (double)k100->rss_kb / (double)k10->rss_kb : 0;

    printf("\n");
    if (both)
        printf("  100k / 10k: match p50 %.2fx, p99 %.2fx; import time %.1fx; peak RSS "
               "%.2fx\n",
               r50, r99, k100->import_s / k10->import_s, rss);
    verdict("match p99 at 100k < 5 ms:", k100 != NULL, k100 && k100->p99 < 5.0,
            k100 ? k100->p99 : 0, " ms");
    verdict("match p50 at 100k <= 1.5x 10k:", both, r50 <= 1.5, r50, "x");
    verdict("match p99 at 100k <= 1.5x 10k:", both, r99 <= 1.5, r99, "x");
    verdict("import of 100k < 60 s:", k100 != NULL, k100 && k100->import_s < 60.0,
            k100 ? k100->import_s : 0, " s");
    /* Flat means bounded caches: 10x the input may cost at most 1.2x. */
    verdict("import peak RSS at 100k <= 1.2x 10k:", both, rss <= 1.2, rss, "x");
}

static int parse_size(const char *s, size_t *out)
{
    long v;
    if (bench_parse_long(s, 1, GEN_HSDS_MAX_SERVICES, &v, NULL))
        return -1;
    *out = (size_t)v;
    return 0;
}

static int usage(void)
{
    fprintf(
        stderr,
        "usage: bench_directory [-d DIR] [-n MATCHES] [-s SOURCE_DIR] [-k] [SIZE...]\n"
        "  SIZE        services per package (default: 1000 10000 100000)\n"
        "  -d DIR      scratch folder for packages and state (default $TMPDIR or /tmp)\n"
        "  -n MATCHES  timed five-domain matches per size (default 2000)\n"
        "  -s DIR      source tree with data/ (default: the one this was built from)\n"
        "  -k          keep the scratch folders\n");
    return 2;
}

static int parse_args(int argc, char **argv, bench *b, size_t *sizes, int *nsizes)
{
    int c;
    size_t v;
    while ((c = getopt(argc, argv, "d:n:s:k")) != -1) {
        if (c == 'd')
            b->base = optarg;
        else if (c == 's')
            b->src = optarg;
        else if (c == 'k')
            b->keep = 1;
        else if (c == 'n' && !parse_size(optarg, &v) && v <= 1000000)
            b->reps = (int)v;
        else
            return -1;
    }
    for (*nsizes = 0; optind < argc; optind++)
        if (*nsizes >= MAX_SIZES || parse_size(argv[optind], &sizes[(*nsizes)++]))
            return -1;
    if (*nsizes == 0) {
        sizes[0] = 1000, sizes[1] = 10000, sizes[2] = 100000;
        *nsizes = 3;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bench b = {BENCH_SOURCE_DIR, bench_scratch_parent(), 2000, 0, NULL, 0, {0}};
    size_t sizes[MAX_SIZES];
    size_result res[MAX_SIZES];
    sg_domain_map *map = calloc(1, sizeof *map);
    char err[512];
    int nsizes, largest = 0;

    sg_log_set_level(SG_LOG_WARN);
    if (argc == 5 && strcmp(argv[1], CHILD_FLAG) == 0)
        return import_child(argv);
    if (!map || parse_args(argc, argv, &b, sizes, &nsizes))
        return usage();
    if (load_map(b.src, &b.inst, map, err, sizeof err)) {
        fprintf(stderr, "bench_directory: %s\n", err);
        return 1;
    }
    for (int d = 0; d < NSCREENED; d++) {
        b.dom_idx[d] = instrument_domain_index(b.inst, screened[d]);
        b.domains |= 1u << b.dom_idx[d];
    }
    for (int i = 1; i < nsizes; i++)
        largest = sizes[i] > sizes[largest] ? i : largest;
    printf("signpost bench_directory: scratch in %s (%s), %d matches per size after %d "
           "warm-up\n",
           b.base, bench_fs_name(b.base), b.reps, WARMUP);
    for (int i = 0; i < nsizes; i++) {
        if (run_size(&b, sizes[i], &res[i], i == largest))
            return 1;
    }
    print_table(res, nsizes);
    print_budgets(res, nsizes);
    instrument_free(b.inst);
    free(map);
    return 0;
}
