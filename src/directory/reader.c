/*
 * The directory reader: the thin shell between the directory database and
 * the pure ranker (match.c).
 *
 * For each positive domain it gathers a bounded set of candidates through
 * indexes only, so the cost of a match depends on how crowded the kiosk's
 * neighbourhood is, not on how big the directory is:
 *
 *   near       the domain's nearest services: a box around the kiosk is
 *              searched in the per-domain R*Tree (service_domain_geo), which
 *              returns only that domain's services, and bisected until its
 *              inscribed circle holds enough of them and the whole box not
 *              too many; those are ordered by distance and the nearest kept,
 *              so every candidate is nearer than any service left out.  A
 *              domain with few located services (or a kiosk without
 *              coordinates) takes them all, up to the cap, without a box;
 *   unlocated  services of the domain with no coordinates (partial scan of
 *              the (domain, located) index, capped);
 *   raised     services the clinic pinned or raised, wherever they are
 *              (the store's partial index over service_curation).
 *
 * Hidden and inactive services are left out in SQL as well as by the ranker,
 * so a hidden crowd near the kiosk cannot crowd out the rest.  The store is
 * attached read-only for the curation join.  The directory file is swapped
 * by imports (rename), so each match checks the file's identity and reopens
 * when it changed; a connection to the old file keeps reading the old,
 * whole directory until then.  A file from before service_domain_geo (which
 * start-up adds) is searched through service_geo instead: the same nearest
 * services, at the cost of probing every service in the box for the domain.
 */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signpost/directory_db.h"
#include "signpost/log.h"
#include "signpost/store.h"

#define NEAR_LIMIT 32      /* candidates from the box, per domain: the nearest */
#define NEAR_WANT 16       /* enough to rank well: look further if hiding left fewer */
#define PROBE_CAP 256      /* box rows read at once: a fuller box is shrunk */
#define PROBE_TRIES 12     /* boxes per domain before making do with the last */
#define NEAR_CHUNK 64      /* sids handed to the candidate query at once */
#define MIN_KM 0.01        /* a crowd on one spot cannot be split by shrinking */
#define UNLOCATED_LIMIT 8
#define RAISED_LIMIT 32
#define MAX_CANDIDATES (NEAR_LIMIT + UNLOCATED_LIMIT + RAISED_LIMIT)
#define MAX_CURATED 64     /* curated candidates per domain that keep their record */
#define RULES_PER_SERVICE 16
#define START_KM 2.0      /* the smallest first box is a quarter of this */
#define NO_RADIUS_KM 400.0 /* how far "any distance" looks */

typedef struct {
    long long sid;
    char id[64], name[160], org[160], phone[40], address[200], url[200];
    char status[24], langs[64], matched[64], assured[12];
    schedule_rule rules[RULES_PER_SERVICE];
} slot;

typedef struct {
    long long sid;
    double km;
} near_pt;

typedef struct {
    char name[32];
    long located; /* the domain's services with coordinates */
    int code;     /* its code in service_domain_geo; 0 in a file without it */
    double km;    /* the box to try first around at_lat, at_lon; 0: unknown */
} dom_info;

struct directory_reader {
    pthread_mutex_t lock;
    char db_path[4096], store_uri[4200];
    sqlite3 *db;
    dev_t dev;
    ino_t ino;
    size_t nservices;
    double extent[4]; /* min lat, max lat, min lon, max lon of located services */
    int has_extent;
    int geo;                /* the file has service_domain_geo */
    double at_lat, at_lon;  /* the kiosk the boxes in doms were sized for */
    dom_info doms[SG_MAX_DOMAINS];
    int ndoms;
    sqlite3_stmt *probe, *near, *anywhere, *unlocated, *raised, *rules;
    struct batch *scratch; /* the candidates; matches take turns under lock */
};

/* Everything one match needs: a few hundred KB, allocated at the first
 * match and kept, rather than mapped and unmapped on every submission. */
typedef struct batch {
    near_pt pts[PROBE_CAP];
    slot slots[MAX_CANDIDATES];
    match_candidate cands[MAX_CANDIDATES];
    dir_curation curs[MAX_CURATED];
    size_t n, ncur;
} batch;

#define CAND_COLUMNS                                                                     \
    "SELECT s.sid, s.id, s.name, s.organization, s.phone, s.address, s.url, s.status,"  \
    " s.languages, s.latitude, s.longitude, s.min_age, s.max_age, d.how, d.why,"        \
    " c.service_id, c.contact_name, c.contact_phone, c.ask_for, c.priority, c.pinned,"  \
    " c.hidden, c.notes, c.verified_on, c.verified_by, c.updated_at, s.assured_date "
#define CAND_FILTER " AND s.status IN ('active', '') AND coalesce(c.hidden, 0) = 0 "

#define BOX_WHERE " min_lat >= ?2 AND max_lat <= ?3 AND min_lon >= ?4 AND max_lon <= ?5"
/* The domain's (code ?1) services in a box: ids and coordinates, no more. */
static const char probe_sql[] =
    "SELECT id, min_lat, min_lon FROM service_domain_geo"
    " WHERE dmin >= ?1 AND dmax <= ?1 AND" BOX_WHERE " LIMIT ?6";
/* The same in a file without it: every service in the box is looked up. */
static const char probe_old_sql[] =
    "SELECT g.sid, g.min_lat, g.min_lon FROM service_geo g"
    " CROSS JOIN service_domains d ON d.domain = ?1 AND d.sid = g.sid"
    " WHERE" BOX_WHERE " LIMIT ?6";
/* The services the probe found, as candidates of domain ?1: ?2 is a JSON
 * array of their sids, nearest first, and the CROSS JOIN keeps that order,
 * so the LIMIT keeps the nearest of those not hidden.  One statement for
 * them all costs less than one for each. */
static const char near_sql[] =
    CAND_COLUMNS
    "FROM json_each(?2) j CROSS JOIN services s ON s.sid = j.value"
    " CROSS JOIN service_domains d ON d.domain = ?1 AND d.sid = s.sid"
    " LEFT JOIN st.service_curation c ON c.service_id = s.id"
    " WHERE j.type = 'integer'" CAND_FILTER "LIMIT ?3";
static const char anywhere_sql[] =
    CAND_COLUMNS
    "FROM service_domains d INDEXED BY service_domains_unlocated"
    " JOIN services s ON s.sid = d.sid"
    " LEFT JOIN st.service_curation c ON c.service_id = s.id"
    " WHERE d.domain = ?1 AND d.located = 1" CAND_FILTER "LIMIT ?2";
static const char unlocated_sql[] =
    CAND_COLUMNS
    "FROM service_domains d INDEXED BY service_domains_unlocated"
    " JOIN services s ON s.sid = d.sid"
    " LEFT JOIN st.service_curation c ON c.service_id = s.id"
    " WHERE d.domain = ?1 AND d.located = 0" CAND_FILTER "LIMIT ?2";
/* Driven by the store's partial index of raised services (CROSS JOIN keeps
 * that order): a few rows, whatever the directory's size. */
static const char raised_sql[] =
    CAND_COLUMNS
    "FROM st.service_curation c INDEXED BY service_curation_raised"
    " CROSS JOIN services s ON s.id = c.service_id"
    " CROSS JOIN service_domains d ON d.domain = ?1 AND d.sid = s.sid"
    " WHERE (c.pinned = 1 OR c.priority > 0)" CAND_FILTER "LIMIT ?2";
static const char rules_sql[] =
    "SELECT kind, freq, interval, byday, bymonthday, opens, closes, dtstart, until,"
    " valid_from, valid_to FROM schedules WHERE sid = ?1 LIMIT 16";

const char *directory_reader_query(size_t i, const char **name)
{
    static const struct {
        const char *name, *sql;
    } queries[] = {
        {"probe", probe_sql},       {"probe (older file)", probe_old_sql},
        {"near", near_sql},         {"anywhere", anywhere_sql},
        {"unlocated", unlocated_sql}, {"raised", raised_sql},
        {"rules", rules_sql},
    };
    if (i >= sizeof queries / sizeof queries[0])
        return NULL;
    *name = queries[i].name;
    return queries[i].sql;
}

static void close_db(directory_reader *r)
{
    sqlite3_finalize(r->probe);
    sqlite3_finalize(r->near);
    sqlite3_finalize(r->anywhere);
    sqlite3_finalize(r->unlocated);
    sqlite3_finalize(r->raised);
    sqlite3_finalize(r->rules);
    sqlite3_close(r->db);
    r->probe = r->near = r->anywhere = r->unlocated = r->raised = r->rules = NULL;
    r->db = NULL;
    r->nservices = 0;
}

/* The service count, and the box holding every located service: a search
 * box that covers it has seen everything, so it need not grow further. */
static int read_totals(directory_reader *r)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM services), min(min_lat), max(max_lat),"
        " min(min_lon), max(max_lon) FROM service_geo";
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) == SQLITE_OK &&
             sqlite3_step(s) == SQLITE_ROW;
    if (ok) {
        r->nservices = (size_t)sqlite3_column_int64(s, 0);
        r->has_extent = sqlite3_column_type(s, 1) != SQLITE_NULL;
        for (int i = 0; i < 4; i++)
            r->extent[i] = sqlite3_column_double(s, i + 1);
    }
    sqlite3_finalize(s);
    return ok;
}

/* How many located services each domain has: a domain with few needs no
 * box at all, and a crowded one tells how big the first box should be. */
static int read_domain_counts(directory_reader *r)
{
    static const char sql[] =
        "SELECT domain, count(*) FROM service_domains WHERE located = 1 GROUP BY domain";
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) == SQLITE_OK;

    r->ndoms = 0;
    while (ok && r->ndoms < SG_MAX_DOMAINS && sqlite3_step(s) == SQLITE_ROW) {
        dom_info *d = &r->doms[r->ndoms++];
        memset(d, 0, sizeof *d);
        snprintf(d->name, sizeof d->name, "%s", (const char *)sqlite3_column_text(s, 0));
        d->located = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return ok;
}

static dom_info *find_dom(directory_reader *r, const char *domain)
{
    for (int i = 0; i < r->ndoms; i++)
        if (strcmp(r->doms[i].name, domain) == 0)
            return &r->doms[i];
    return NULL;
}

/* Each domain's code in service_domain_geo, when the file has it. */
static int read_domain_codes(directory_reader *r)
{
    sqlite3_stmt *s = NULL;
    int ok;

    r->geo = directory_db_has_geo(r->db);
    if (!r->geo) {
        sg_info("directory: %s has no per-domain spatial index yet; the next start "
                "builds it", r->db_path);
        return 1;
    }
    ok = sqlite3_prepare_v2(r->db, "SELECT domain, code FROM service_domain_codes", -1, &s,
                            NULL) == SQLITE_OK;
    while (ok && sqlite3_step(s) == SQLITE_ROW) {
        dom_info *d = find_dom(r, (const char *)sqlite3_column_text(s, 0));
        if (d)
            d->code = sqlite3_column_int(s, 1);
    }
    sqlite3_finalize(s);
    return ok;
}

/* Opens the file now at db_path; on failure the reader stays closed. */
static sg_rc open_db(directory_reader *r, const struct stat *sb)
{
    sqlite3_stmt *att = NULL;
    int ok;

    if (sqlite3_open_v2(r->db_path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL)) {
        sg_warn("directory: cannot open %s: %s", r->db_path, sqlite3_errmsg(r->db));
        close_db(r);
        return SG_EDB;
    }
    sqlite3_busy_timeout(r->db, 2000);
    /* The file is read-only to us: map it rather than copy pages into a
       cache of our own, which costs a system call per page and heap. */
    sqlite3_exec(r->db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
    ok = sqlite3_prepare_v2(r->db, "ATTACH DATABASE ?1 AS st", -1, &att, NULL) == SQLITE_OK &&
         sqlite3_bind_text(att, 1, r->store_uri, -1, SQLITE_STATIC) == SQLITE_OK &&
         sqlite3_step(att) == SQLITE_DONE;
    sqlite3_finalize(att);
    ok = ok && read_totals(r) && read_domain_counts(r) && read_domain_codes(r) &&
         !sqlite3_prepare_v3(r->db, r->geo ? probe_sql : probe_old_sql, -1,
                             SQLITE_PREPARE_PERSISTENT, &r->probe, NULL) &&
         !sqlite3_prepare_v3(r->db, near_sql, -1, SQLITE_PREPARE_PERSISTENT, &r->near, NULL) &&
         !sqlite3_prepare_v3(r->db, anywhere_sql, -1, SQLITE_PREPARE_PERSISTENT, &r->anywhere, NULL) &&
         !sqlite3_prepare_v3(r->db, unlocated_sql, -1, SQLITE_PREPARE_PERSISTENT, &r->unlocated, NULL) &&
         !sqlite3_prepare_v3(r->db, raised_sql, -1, SQLITE_PREPARE_PERSISTENT, &r->raised, NULL) &&
         !sqlite3_prepare_v3(r->db, rules_sql, -1, SQLITE_PREPARE_PERSISTENT, &r->rules, NULL);
    if (!ok) {
        sg_warn("directory: %s is not a usable directory: %s", r->db_path,
                sqlite3_errmsg(r->db));
        close_db(r);
        return SG_EDB;
    }
    r->dev = sb->st_dev;
    r->ino = sb->st_ino;
    sg_info("directory: %zu services in %s", r->nservices, r->db_path);
    return SG_OK;
}

/* Follows an import's rename: reopen when the file is not the one open. */
static void refresh(directory_reader *r)
{
    struct stat sb;

    if (stat(r->db_path, &sb) != 0) {
        if (r->db)
            close_db(r);
        return;
    }
    if (r->db && sb.st_dev == r->dev && sb.st_ino == r->ino)
        return;
    close_db(r);
    open_db(r, &sb);
}

/* The store's path as an SQLite URI opened read-only ('%', '?', '#' escaped). */
static int store_uri(const char *dir, char *out, size_t outlen)
{
    size_t w = (size_t)snprintf(out, outlen, "file:");
    for (const char *p = dir; *p && w + 4 < outlen; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            w += (size_t)snprintf(out + w, outlen - w, "%%%02X", (unsigned char)*p);
        else
            out[w++] = *p;
    }
    return snprintf(out + w, outlen - w, "/%s?mode=ro", SG_DB_FILE) < (int)(outlen - w) ? 0 : -1;
}

sg_rc directory_reader_open(const char *state_dir, directory_reader **out, char *err,
                            size_t errlen)
{
    directory_reader *r = calloc(1, sizeof *r);
    int n;

    *out = NULL;
    if (!r)
        return SG_ENOMEM;
    n = snprintf(r->db_path, sizeof r->db_path, "%s/%s", state_dir, DIRECTORY_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof r->db_path ||
        store_uri(state_dir, r->store_uri, sizeof r->store_uri)) {
        snprintf(err, errlen, "state directory path too long");
        free(r);
        return SG_ETOOBIG;
    }
    pthread_mutex_init(&r->lock, NULL);
    refresh(r);
    *out = r;
    return SG_OK;
}

void directory_reader_close(directory_reader *r)
{
    if (!r)
        return;
    close_db(r);
    pthread_mutex_destroy(&r->lock);
    free(r->scratch);
    free(r);
}

size_t directory_reader_count(directory_reader *r)
{
    size_t n;
    pthread_mutex_lock(&r->lock);
    refresh(r);
    n = r->nservices;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* A column's text into a fixed field, cut at a UTF-8 boundary if long. */
static void text(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *v = sqlite3_column_text(s, col);
    size_t n = v ? (size_t)sqlite3_column_bytes(s, col) : 0;

    assert(outlen > 0);
    if (n >= outlen) {
        n = outlen - 1;
        while (n > 0 && (v[n] & 0xC0) == 0x80)
            n--; /* never leave half a character */
    }
    if (n)
        memcpy(out, v, n);
    out[n] = '\0';
}

static double real_or_nan(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN : sqlite3_column_double(s, col);
}

/* Reads the service's schedule rules; a rule the parser refuses is dropped. */
static size_t load_rules(directory_reader *r, long long sid, schedule_rule *out)
{
    size_t n = 0;
    sqlite3_reset(r->rules);
    sqlite3_bind_int64(r->rules, 1, sid);
    while (n < RULES_PER_SERVICE && sqlite3_step(r->rules) == SQLITE_ROW) {
        schedule_rule *ru = &out[n];
        memset(ru, 0, sizeof *ru);
        ru->kind = (unsigned char)sqlite3_column_int(r->rules, 0);
        ru->freq = (unsigned char)sqlite3_column_int(r->rules, 1);
        ru->interval = (unsigned short)sqlite3_column_int(r->rules, 2);
        if (schedule_parse_byday((const char *)sqlite3_column_text(r->rules, 3), ru) ||
            schedule_parse_bymonthday((const char *)sqlite3_column_text(r->rules, 4), ru))
            continue;
        ru->opens = (short)sqlite3_column_int(r->rules, 5);
        ru->closes = (short)sqlite3_column_int(r->rules, 6);
        ru->dtstart = sqlite3_column_int(r->rules, 7);
        ru->until = sqlite3_column_int(r->rules, 8);
        ru->valid_from = sqlite3_column_int(r->rules, 9);
        ru->valid_to = sqlite3_column_int(r->rules, 10);
        n++;
    }
    return n;
}

static int seen(const batch *b, long long sid)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->slots[i].sid == sid)
            return 1;
    return 0;
}

/* Adds the current row of s as a candidate (once per service). */
static void take_row(sqlite3_stmt *s, batch *b)
{
    long long sid = sqlite3_column_int64(s, 0);
    slot *sl;
    match_candidate *c;

    if (b->n >= MAX_CANDIDATES || seen(b, sid))
        return;
    sl = &b->slots[b->n];
    c = &b->cands[b->n];
    memset(c, 0, sizeof *c);
    sl->sid = sid;
    text(s, 1, sl->id, sizeof sl->id);
    text(s, 2, sl->name, sizeof sl->name);
    text(s, 3, sl->org, sizeof sl->org);
    text(s, 4, sl->phone, sizeof sl->phone);
    text(s, 5, sl->address, sizeof sl->address);
    text(s, 6, sl->url, sizeof sl->url);
    text(s, 7, sl->status, sizeof sl->status);
    text(s, 8, sl->langs, sizeof sl->langs);
    text(s, 14, sl->matched, sizeof sl->matched);
    text(s, 26, sl->assured, sizeof sl->assured);
    *c = (match_candidate){sl->id, sl->name, sl->org, sl->phone, sl->address, sl->url,
                           sl->status, sl->langs, real_or_nan(s, 9), real_or_nan(s, 10),
                           real_or_nan(s, 11), real_or_nan(s, 12), sl->assured,
                           sqlite3_column_int(s, 13), sl->matched, sl->rules, 0, NULL, 0, 0};
    if (sqlite3_column_type(s, 15) != SQLITE_NULL && b->ncur < MAX_CURATED) {
        store_curation_row(s, 15, &b->curs[b->ncur]);
        c->cur = &b->curs[b->ncur++];
    }
    b->n++;
}

static void take_all(sqlite3_stmt *s, batch *b)
{
    while (sqlite3_step(s) == SQLITE_ROW)
        take_row(s, b);
    sqlite3_reset(s);
}

static void gather_limit(sqlite3_stmt *s, const char *domain, int limit, batch *b)
{
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, limit);
    take_all(s, b);
}

/* The domain's services in a box of half-size km around the kiosk, with
 * their distances, into b->pts (at most PROBE_CAP of them, unordered);
 * *all is set when the box holds every located service of the directory. */
static size_t probe_box(directory_reader *r, const dom_info *d, const match_query *q,
                        double km, batch *b, int *all)
{
    double dlat = km / 111.2, coslat = cos(q->latitude * M_PI / 180.0);
    double dlon = km / (111.2 * fmax(coslat, 0.01));
    size_t n = 0;

    *all = !r->has_extent ||
           (q->latitude - dlat <= r->extent[0] && q->latitude + dlat >= r->extent[1] &&
            q->longitude - dlon <= r->extent[2] && q->longitude + dlon >= r->extent[3]);
    sqlite3_reset(r->probe);
    if (r->geo)
        sqlite3_bind_int(r->probe, 1, d->code);
    else
        sqlite3_bind_text(r->probe, 1, d->name, -1, SQLITE_STATIC);
    sqlite3_bind_double(r->probe, 2, q->latitude - dlat);
    sqlite3_bind_double(r->probe, 3, q->latitude + dlat);
    sqlite3_bind_double(r->probe, 4, q->longitude - dlon);
    sqlite3_bind_double(r->probe, 5, q->longitude + dlon);
    sqlite3_bind_int(r->probe, 6, PROBE_CAP);
    while (n < PROBE_CAP && sqlite3_step(r->probe) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(r->probe, 0);
        b->pts[n].sid = r->geo ? id / DIRECTORY_GEO_IDS : id;
        b->pts[n++].km =
            directory_distance_km(q->latitude, q->longitude, sqlite3_column_double(r->probe, 1),
                                  sqlite3_column_double(r->probe, 2));
    }
    sqlite3_reset(r->probe);
    return n;
}

/*
 * A first box expected to hold about twice NEAR_LIMIT of the domain's
 * services if they were spread evenly over the directory's extent; real
 * directories are denser in town, where it may be halved a time or two.
 */
static double first_box_km(const directory_reader *r, const match_query *q, long located)
{
    double h = (r->extent[1] - r->extent[0]) * 111.2;
    double w = (r->extent[3] - r->extent[2]) * 111.2 * cos(q->latitude * M_PI / 180.0);
    double km = 0.5 * sqrt(fmax(h * w, 1.0) * 2.0 * NEAR_LIMIT / (double)located);
    return fmax(km, START_KM / 4);
}

enum { BOX_FITS, BOX_FULL, BOX_SPARSE };

/* A box fits when the probe read all of it (not PROBE_CAP rows) and its
 * inscribed circle holds need services: nothing outside the box is nearer
 * than those.  A box that cannot grow fits whatever it holds. */
static int judge_box(const near_pt *pts, size_t n, double km, size_t need, int open)
{
    size_t inside = 0;

    if (n == PROBE_CAP)
        return BOX_FULL;
    for (size_t i = 0; i < n; i++)
        inside += pts[i].km <= km;
    return inside >= need || !open ? BOX_FITS : BOX_SPARSE;
}

static int by_distance(const void *pa, const void *pb)
{
    const near_pt *a = pa, *b = pb;
    if (a->km != b->km)
        return a->km < b->km ? -1 : 1;
    return (a->sid > b->sid) - (a->sid < b->sid);
}

/*
 * Bisects the box, between the largest seen too sparse and the smallest
 * seen too full, until one fits; starts from the size the last fit
 * suggested (a kiosk does not move, so that is usually the only probe).
 * Leaves the box's services in b->pts, nearest first, and returns how
 * many; *open is set when a bigger box could still hold more.
 */
static size_t find_box(directory_reader *r, dom_info *d, const match_query *q, size_t need,
                       double max_km, batch *b, int *open)
{
    double km = fmin(d->km > 0 ? d->km : first_box_km(r, q, d->located), max_km);
    double lo = 0, hi = 0;
    size_t n;

    for (int t = 1;; t++) {
        int all, v;
        n = probe_box(r, d, q, km, b, &all);
        *open = !all && km < max_km;
        v = judge_box(b->pts, n, km, need, *open);
        /* Remember a box of about twice need for next time: the rows read
           are the cost, and one that small still fits nearly always. */
        if (v == BOX_FITS)
            d->km = n > 0 ? km * fmin(1.0, sqrt(2.0 * (double)need / (double)n)) : km;
        if (v == BOX_FITS || t == PROBE_TRIES || (v == BOX_FULL && km <= MIN_KM))
            break;
        *(v == BOX_FULL ? &hi : &lo) = km;
        km = lo > 0 && hi > 0 ? sqrt(lo * hi) : v == BOX_FULL ? km / 2 : fmin(km * 2, max_km);
    }
    qsort(b->pts, n, sizeof *b->pts, by_distance);
    return n;
}

/* The sids of pts[from..to) as a JSON array; its length, or -1 when it
 * does not fit in outlen. */
static int sid_list(const near_pt *pts, size_t from, size_t to, char *out, size_t outlen)
{
    size_t w = 1;

    out[0] = '[';
    for (size_t i = from; i < to && w < outlen; i++) {
        int k = snprintf(out + w, outlen - w, "%s%lld", i > from ? "," : "", pts[i].sid);
        w += k > 0 ? (size_t)k : outlen;
    }
    if (w + 2 > outlen)
        return -1;
    out[w++] = ']';
    out[w] = '\0';
    return (int)w;
}

/* Takes the services found, nearest first, until NEAR_LIMIT are in; the
 * candidate query drops the hidden and inactive ones. */
static void take_nearest(directory_reader *r, const dom_info *d, size_t n, batch *b)
{
    char list[NEAR_CHUNK * 21 + 3]; /* a comma and up to 20 digits each */

    for (size_t from = 0; from < n && b->n < NEAR_LIMIT; from += NEAR_CHUNK) {
        int len = sid_list(b->pts, from, from + NEAR_CHUNK < n ? from + NEAR_CHUNK : n, list,
                           sizeof list);
        if (len < 0)
            return;
        sqlite3_reset(r->near);
        sqlite3_bind_text(r->near, 1, d->name, -1, SQLITE_STATIC);
        /* A copy: the binding outlives this stack buffer. */
        sqlite3_bind_text(r->near, 2, list, len, SQLITE_TRANSIENT);
        sqlite3_bind_int(r->near, 3, (int)(NEAR_LIMIT - b->n));
        take_all(r->near, b);
    }
}

/* Box sizes are remembered per kiosk position: forget them when it moves. */
static void kiosk_at(directory_reader *r, const match_query *q)
{
    if (q->latitude == r->at_lat && q->longitude == r->at_lon)
        return;
    r->at_lat = q->latitude;
    r->at_lon = q->longitude;
    for (int i = 0; i < r->ndoms; i++)
        r->doms[i].km = 0;
}

static void gather_near(directory_reader *r, const char *domain, const match_query *q,
                        batch *b)
{
    double max_km = q->radius_km > 0 ? q->radius_km : NO_RADIUS_KM;
    dom_info *d = find_dom(r, domain);
    size_t need = NEAR_LIMIT;

    assert(b->n == 0 && b->ncur == 0); /* the box goes first: it may start over */
    /* Few enough to rank them all (or nowhere to measure from): no box. */
    if (isnan(q->latitude) || isnan(q->longitude) || !d || d->located <= NEAR_LIMIT) {
        gather_limit(r->anywhere, domain, NEAR_LIMIT, b);
        return;
    }
    kiosk_at(r, q);
    for (int round = 0; round < 3; round++) {
        int open;
        size_t n = find_box(r, d, q, need, max_km, b, &open);
        b->n = b->ncur = 0;
        take_nearest(r, d, n, b);
        /* A crowd the clinic hid must not leave too few: look further by as
           many as were passed over. */
        if (b->n >= NEAR_WANT || !open)
            break;
        need = (size_t)fmin((double)(need + n - b->n), PROBE_CAP / 2);
    }
}

static size_t match_domain(directory_reader *r, const char *domain, int d,
                           const match_query *q, batch *b, sg_resource *out, size_t max)
{
    b->n = b->ncur = 0;
    gather_near(r, domain, q, b);
    gather_limit(r->unlocated, domain, UNLOCATED_LIMIT, b);
    gather_limit(r->raised, domain, RAISED_LIMIT, b);
    for (size_t i = 0; i < b->n; i++)
        b->cands[i].nrules = load_rules(r, b->slots[i].sid, b->slots[i].rules);
    sqlite3_reset(r->rules);
    return match_rank(b->cands, b->n, q, d, out, max);
}

size_t directory_match(directory_reader *r, const sg_instrument *inst, const match_query *q,
                       sg_resource *out, size_t max)
{
    batch *b;
    size_t n = 0;

    if (!r || max == 0)
        return 0;
    pthread_mutex_lock(&r->lock);
    if (!r->scratch)
        r->scratch = malloc(sizeof *r->scratch);
    b = r->scratch;
    refresh(r);
    /* One read transaction for the whole match: the file locks and the
       WAL check are taken once, not once for each of the queries below. */
    if (b && r->db && sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
        for (int d = 0; d < inst->ndomains && n < max; d++)
            if (q->domains & (1u << d))
                n += match_domain(r, inst->domains[d].name, d, q, b, out + n, max - n);
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&r->lock);
    assert(n <= max);
    return n;
}
