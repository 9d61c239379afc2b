/*
 * From staging to the directory: the links between rows are checked, then
 * the directory's tables are filled with INSERT ... SELECT, all inside
 * SQLite, so no step holds more than a row in memory.
 *
 * Links are checked in dependency order (a service_at_location dropped for
 * naming a missing service takes its phones and schedules with it).  What a
 * dangling link costs depends on the row: a service whose organization is
 * missing keeps everything else; a service_at_location, address or taxonomy
 * link without its target means nothing and goes; a phone, schedule or
 * language goes only when none of its links leads anywhere.
 *
 * Each service is shown at one place, its primary location: the first
 * (file order) of its locations that has coordinates, else the first with a
 * physical address, else the first.  Address, position, location phone,
 * location languages and location hours all come from that one place, so a
 * receipt never pairs one building's address with another's hours.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hsds_internal.h"
#include "signpost/directory_db.h"

enum { FK_KEEP, FK_DROP, FK_ANY };

typedef struct {
    const char *table, *col, *target, *what;
    const char *cond; /* more to hold on the row x, or NULL */
    int policy;
} fk_check;

/* In dependency order; each table's links together. */
static const fk_check fks[] = {
    {"svc", "organization_id", "org", "organization", NULL, FK_KEEP},
    {"loc", "organization_id", "org", "organization", NULL, FK_KEEP},
    {"sal", "service_id", "svc", "service", NULL, FK_DROP},
    {"sal", "location_id", "loc", "location", NULL, FK_DROP},
    {"addr", "location_id", "loc", "location", NULL, FK_DROP},
    {"phone", "service_id", "svc", "service", NULL, FK_ANY},
    {"phone", "location_id", "loc", "location", NULL, FK_ANY},
    {"phone", "organization_id", "org", "organization", NULL, FK_ANY},
    {"phone", "sal_id", "sal", "service_at_location", NULL, FK_ANY},
    {"sched", "service_id", "svc", "service", NULL, FK_ANY},
    {"sched", "location_id", "loc", "location", NULL, FK_ANY},
    {"sched", "sal_id", "sal", "service_at_location", NULL, FK_ANY},
    {"lang", "service_id", "svc", "service", NULL, FK_ANY},
    {"lang", "location_id", "loc", "location", NULL, FK_ANY},
    {"lang", "phone_id", "phone", "phone", NULL, FK_ANY},
    {"attr", "link_id", "svc", "service", "x.link_entity = 'service'", FK_DROP},
    /* Without any taxonomy file the ids themselves are the codes. */
    {"attr", "term_id", "term", "taxonomy term", "EXISTS (SELECT 1 FROM stg.term)",
     FK_DROP},
};
#define NFKS (sizeof fks / sizeof *fks)

/* The column as the file that fed the row names it. */
static const char *column_name(hsds_kind kind, const fk_check *fk)
{
    if (!strcmp(fk->col, "sal_id"))
        return "service_at_location_id";
    if (!strcmp(fk->col, "term_id"))
        return kind == HSDS_K_SVC_TERM  ? "taxonomy_id"
               : kind == HSDS_K_SERVICE ? "taxonomy_ids"
                                        : "taxonomy_term_id";
    if (!strcmp(fk->col, "link_id") && kind == HSDS_K_SVC_TERM)
        return "service_id";
    return fk->col;
}

/* "x.col <> '' AND NOT EXISTS (...)": fk dangles on row x. */
static void dangles(const fk_check *fk, sg_buf *b)
{
    sg_buf_addf(
        b, "(x.%s <> '' AND NOT EXISTS (SELECT 1 FROM stg.%s y WHERE y.id = x.%s)%s%s)",
        fk->col, fk->target, fk->col, fk->cond ? " AND " : "", fk->cond ? fk->cond : "");
}

/* For FK_ANY tables: "some link of row x leads somewhere". */
static void any_resolves(const char *table, sg_buf *b)
{
    sg_buf_adds(b, "(0");
    for (size_t i = 0; i < NFKS; i++) {
        if (strcmp(fks[i].table, table) || fks[i].policy != FK_ANY)
            continue;
        sg_buf_addf(
            b, " OR (x.%s <> '' AND EXISTS (SELECT 1 FROM stg.%s y WHERE y.id = x.%s))",
            fks[i].col, fks[i].target, fks[i].col);
    }
    sg_buf_adds(b, ")");
}

/* Reports each row where fk dangles; *found counts them. */
static sg_rc report_fk(hsds_ctx *c, const fk_check *fk, size_t *found)
{
    sqlite3_stmt *st = NULL;
    sg_buf sql;
    sg_rc rc = SG_OK;
    int e;

    sg_buf_init(&sql, 4096);
    sg_buf_addf(&sql, "SELECT x._src, x._row, x.%s, ", fk->col);
    if (fk->policy == FK_ANY)
        any_resolves(fk->table, &sql);
    else
        sg_buf_adds(&sql, "0");
    sg_buf_addf(&sql, " FROM stg.%s x WHERE ", fk->table);
    dangles(fk, &sql);
    sg_buf_adds(&sql, " ORDER BY x._src, x._row");
    if (!sql.data || sqlite3_prepare_v2(c->db, sql.data, -1, &st, NULL)) {
        rc = hsds_db_error(c, "checking links");
        goto out;
    }
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        int src = sqlite3_column_int(st, 0);
        (*found)++;
        int skipped =
            fk->policy == FK_DROP || (fk->policy == FK_ANY && !sqlite3_column_int(st, 3));
        hsds_report(c, HSDS_PROBLEM_DANGLING, c->src[src].label,
                    (size_t)sqlite3_column_int64(st, 1),
                    column_name(c->src[src].kind, fk), skipped,
                    "%s \"%.60s\" names no %s%s", column_name(c->src[src].kind, fk),
                    (const char *)sqlite3_column_text(st, 2), fk->what,
                    skipped ? "; the row is left out" : "");
    }
    if (e != SQLITE_DONE)
        rc = hsds_db_error(c, "checking links");
out:
    sqlite3_finalize(st);
    sg_buf_free(&sql);
    return rc;
}

/* Deletes the rows of table its dangling links leave meaningless. */
static sg_rc drop_dangling(hsds_ctx *c, const char *table)
{
    sg_buf sql;
    int any = 0;
    sg_rc rc;

    sg_buf_init(&sql, 4096);
    sg_buf_addf(&sql, "DELETE FROM stg.%s AS x WHERE 0", table);
    for (size_t i = 0; i < NFKS; i++) {
        if (strcmp(fks[i].table, table))
            continue;
        if (fks[i].policy == FK_DROP) {
            sg_buf_adds(&sql, " OR ");
            dangles(&fks[i], &sql);
        }
        any |= fks[i].policy == FK_ANY;
    }
    if (any) {
        sg_buf_adds(&sql, " OR (NOT ");
        any_resolves(table, &sql);
        sg_buf_adds(&sql, " AND (0");
        for (size_t i = 0; i < NFKS; i++)
            if (!strcmp(fks[i].table, table) && fks[i].policy == FK_ANY) {
                sg_buf_adds(&sql, " OR ");
                dangles(&fks[i], &sql);
            }
        sg_buf_adds(&sql, "))");
    }
    rc = sql.data ? hsds_exec(c, sql.data, "dropping rows with broken links") : SG_ENOMEM;
    if (!rc)
        c->sum->skipped += (size_t)sqlite3_changes(c->db);
    sg_buf_free(&sql);
    return rc;
}

static sg_rc check_links(hsds_ctx *c)
{
    size_t found = 0; /* dangling links in the current table */
    sg_rc rc = SG_OK;

    for (size_t i = 0; i < NFKS && !rc; i++) {
        rc = report_fk(c, &fks[i], &found);
        if (rc || (i + 1 < NFKS && !strcmp(fks[i + 1].table, fks[i].table)))
            continue;
        if (found) /* a clean table (the usual case) is not scanned again */
            rc = drop_dangling(c, fks[i].table);
        found = 0;
    }
    return rc;
}

/*
 * The SQL below compares link columns with '' (no link) in many places.
 * Such a test is written "+col = ''": the unary plus keeps SQLite from
 * answering it with the index on col, whose '' entry holds most of the
 * table, instead of the selective index on the real link.  Without it (or
 * with ANALYZE statistics, see hsds_stage.c) single steps ran for minutes
 * on 100k services whose links sit at mixed levels.
 */
/* clang-format off */

/* The primary location of each service (see the top of the file). */
static const char primary_sql[] =
    "CREATE TABLE stg.prim(sid INTEGER PRIMARY KEY, sal_id TEXT, location_id TEXT);"
    "INSERT INTO stg.prim(sid, sal_id, location_id)"
    " SELECT s.rowid, x.id, x.location_id FROM stg.svc s JOIN stg.sal x ON x.rowid = ("
    "  SELECT y.rowid FROM stg.sal y LEFT JOIN stg.loc l ON l.id = y.location_id"
    "  WHERE y.service_id = s.id"
    "  ORDER BY l.latitude IS NULL, NOT EXISTS (SELECT 1 FROM stg.addr a"
    "   WHERE a.location_id = y.location_id AND a.physical), y._row LIMIT 1);";

/* Phone: the service's own, else its service_at_location's, else its
 * location's, else its organization's; a voice line first at each level,
 * never a fax (prio 3). */
#define PHONE_OF(where)                                                                  \
    "(SELECT number FROM stg.phone WHERE " where " AND prio < 3"                          \
    " ORDER BY prio, _row LIMIT 1)"

static const char services_sql[] =
    "INSERT INTO main.services(sid, id, name, organization, description, status, phone,"
    " address, url, email, languages, latitude, longitude, min_age, max_age, eligibility,"
    " keywords, last_modified, assured_date)"
    " SELECT s.rowid, s.id, s.name, COALESCE(o.name, ''), s.description, s.status,"
    " COALESCE("
    PHONE_OF("service_id = s.id") ","
    PHONE_OF("sal_id = p.sal_id AND +service_id = ''") ","
    PHONE_OF("location_id = p.location_id AND +service_id = '' AND +sal_id = ''") ","
    PHONE_OF("organization_id = s.organization_id AND s.organization_id <> ''"
             " AND +service_id = '' AND +sal_id = ''") ", ''),"
    " COALESCE((SELECT text FROM stg.addr WHERE location_id = p.location_id AND physical"
    "  ORDER BY _row LIMIT 1), ''),"
    " COALESCE(NULLIF(s.url, ''), o.url, ''), COALESCE(NULLIF(s.email, ''), o.email, ''),"
    " COALESCE((SELECT group_concat(code, ',') FROM (SELECT code FROM ("
    "   SELECT code, _row AS o FROM stg.lang WHERE service_id = s.id"
    "   UNION ALL SELECT code, 1e12 + _row FROM stg.lang"
    "    WHERE location_id = p.location_id AND +service_id = '')"
    "  GROUP BY code ORDER BY min(o))), ''),"
    " l.latitude, l.longitude, s.min_age, s.max_age, s.eligibility, s.keywords,"
    " s.last_modified, s.assured_date"
    " FROM stg.svc s LEFT JOIN stg.org o ON o.id = s.organization_id"
    " LEFT JOIN stg.prim p ON p.sid = s.rowid LEFT JOIN stg.loc l ON l.id = p.location_id"
    " ORDER BY s.rowid;";

/* Taxonomy: 3.0 attributes and 1.x services_taxonomy alike; the term's code
 * when it has one, else its id (1.x taxonomy ids are codes such as BD-1800). */
static const char terms_sql[] =
    "INSERT OR IGNORE INTO main.service_terms(sid, code, name)"
    " SELECT s.rowid, COALESCE(NULLIF(t.code, ''), t.id, a.term_id), COALESCE(t.name, '')"
    " FROM stg.attr a JOIN stg.svc s ON s.id = a.link_id"
    " LEFT JOIN stg.term t ON t.id = a.term_id"
    " WHERE a.link_entity IN ('service', '') AND a.term_id <> '' ORDER BY a._row;"
    /* Term names are words staff search for: "food pantry". */
    "UPDATE main.services SET keywords = trim(keywords || ' ' ||"
    " (SELECT group_concat(name, ' ') FROM (SELECT DISTINCT name FROM main.service_terms t"
    "  WHERE t.sid = services.sid AND t.name <> '')))"
    " WHERE sid IN (SELECT sid FROM main.service_terms WHERE name <> '');";

/*
 * Hours: the rows of the most specific level that has regular hours (0:
 * the primary service_at_location, or rows naming both the service and that
 * location; 1: the service's own; 2: the primary location's), with that
 * level's closures and special hours.  A service with no regular hours at
 * any level gets no rows: "hours unknown", not "closed".
 */
#define SCHED_COLS                                                                       \
    "kind, freq, interval, byday, bymonthday, opens, closes, dtstart, until,"            \
    " valid_from, valid_to"
static const char schedules_sql[] =
    "WITH cand AS ("
    "  SELECT p.sid, 0 AS lvl, x.rowid AS r, x.* FROM stg.prim p"
    "   JOIN stg.sched x ON x.sal_id = p.sal_id"
    "  UNION ALL SELECT p.sid, 0, x.rowid, x.* FROM stg.prim p"
    "   JOIN stg.svc s ON s.rowid = p.sid"
    "   JOIN stg.sched x ON x.service_id = s.id AND +x.sal_id = ''"
    "    AND x.location_id = p.location_id"
    "  UNION ALL SELECT s.rowid, 1, x.rowid, x.* FROM stg.svc s"
    "   LEFT JOIN stg.prim p ON p.sid = s.rowid"
    "   JOIN stg.sched x ON x.service_id = s.id AND +x.sal_id = ''"
    "    AND (+x.location_id = '' OR p.sid IS NULL)"
    "  UNION ALL SELECT p.sid, 2, x.rowid, x.* FROM stg.prim p"
    "   JOIN stg.sched x ON x.location_id = p.location_id AND +x.service_id = ''"
    "    AND +x.sal_id = ''),"
    " win AS (SELECT sid, min(lvl) AS lvl FROM cand WHERE kind = 0 GROUP BY sid)"
    " INSERT INTO main.schedules(sid, " SCHED_COLS ")"
    " SELECT c.sid, " SCHED_COLS " FROM cand c JOIN win w ON w.sid = c.sid AND w.lvl = c.lvl"
    " ORDER BY c.sid, c.r;";

static const char search_sql[] =
    "INSERT INTO main.service_fts(service_fts) VALUES('rebuild');"
    "INSERT INTO main.service_geo(sid, min_lat, max_lat, min_lon, max_lon)"
    " SELECT sid, latitude, latitude, longitude, longitude FROM main.services"
    " WHERE latitude IS NOT NULL AND longitude IS NOT NULL;";

/* clang-format on */

static sg_rc write_meta(hsds_ctx *c)
{
    const char *source = c->o->source_label ? c->o->source_label : c->path;
    char now[32], services[24], problems[24];
    struct tm tm;
    time_t t = time(NULL);
    sqlite3_stmt *st;
    int e;

    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(services, sizeof services, "%zu", c->sum->services);
    snprintf(problems, sizeof problems, "%zu", c->sum->problems);
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO main.meta(key, value) VALUES ('format', ?1),"
                           " ('hsds_version', ?2), ('source', ?3), ('imported_at', ?4),"
                           " ('services', ?5), ('problems', ?6)",
                           -1, &st, NULL))
        return hsds_db_error(c, "writing meta");
    sqlite3_bind_int(st, 1, DIRECTORY_DB_FORMAT);
    sqlite3_bind_text(st, 2, c->sum->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, services, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, problems, -1, SQLITE_STATIC);
    e = sqlite3_step(st);
    sqlite3_finalize(st);
    return e == SQLITE_DONE ? SG_OK : hsds_db_error(c, "writing meta");
}

sg_rc hsds_assemble(hsds_ctx *c)
{
    static const struct {
        const char *sql, *doing;
    } steps[] = {
        {primary_sql, "choosing each service's location"},
        {services_sql, "building the services"},
        {terms_sql, "linking taxonomy terms"},
        {schedules_sql, "building the schedules"},
        {search_sql, "building the search indexes"},
    };
    const size_t n = sizeof steps / sizeof *steps;
    sg_rc rc;

    c->stage = "checking links";
    c->done = 0;
    c->total = n + 1;
    hsds_progress(c, 0, 1);
    if ((rc = check_links(c)))
        return rc;
    c->stage = "assembling";
    for (size_t i = 0; i < n; i++) {
        hsds_progress(c, i + 1, 1);
        if ((rc = hsds_exec(c, steps[i].sql, steps[i].doing)))
            return rc;
    }
    hsds_progress(c, n + 1, 1);
    if ((rc = hsds_count(c, "SELECT count(*) FROM main.services", &c->sum->services)) ||
        (rc = hsds_count(c, "SELECT count(*) FROM stg.org", &c->sum->organizations)) ||
        (rc = hsds_count(c, "SELECT count(*) FROM stg.loc", &c->sum->locations)) ||
        (rc = hsds_count(c, "SELECT count(*) FROM main.schedules", &c->sum->schedules)) ||
        (rc = hsds_count(c, "SELECT count(*) FROM main.service_terms", &c->sum->terms)))
        return rc;
    return write_meta(c);
}
