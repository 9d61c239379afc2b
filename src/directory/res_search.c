/*
 * Finding services for staff, and one service's whole record
 * (resources.h): the imported directory file read through its indexes
 * (FTS5 for words, service_domains for a domain), with the clinic's
 * curation joined in from the store.
 *
 * Each call opens directory.db read-only with the store attached, and
 * closes both before it returns.  Staff search a few times a minute at
 * most, so the millisecond an open costs buys two things: the call always
 * reads the file the last import installed (an import renames a new file
 * into place), and no connection is left holding the old one.
 *
 * Staleness is decided in SQL with the kiosk's rule (directory_is_stale):
 * the later of the clinic's verified_on and the publisher's assured_date
 * is before the cut-off date, or there is neither.
 */
#include <stdio.h>
#include <string.h>

#include "signpost/directory_db.h"
#include "signpost/log.h"
#include "signpost/resources.h"

#define LAST_CHECK "max(coalesce(c.verified_on, ''), s.assured_date)"
#define STALE "(" LAST_CHECK " < :before)"
#define ITEM_COLUMNS                                                                     \
    "s.id, s.name, s.organization, s.phone, s.address, s.status,"                        \
    " (SELECT group_concat(d.domain) FROM service_domains d WHERE d.sid = s.sid),"       \
    " c.service_id IS NOT NULL, coalesce(c.hidden, 0), coalesce(c.pinned, 0),"           \
    " coalesce(c.priority, 0), coalesce(c.verified_on, ''), s.assured_date, " STALE
#define CURATED " LEFT JOIN st.service_curation c ON c.service_id = s.id"
#define FILTERS                                                                          \
    " AND (:domain IS NULL OR EXISTS (SELECT 1 FROM service_domains d"                   \
    "      WHERE d.domain = :domain AND d.sid = s.sid))"                                 \
    " AND (:stale < 0 OR " STALE " = :stale)"                                            \
    " AND (:hidden < 0 OR coalesce(c.hidden, 0) = :hidden)"
#define BY_WORDS                                                                         \
    " FROM service_fts f JOIN services s ON s.sid = f.rowid" CURATED                     \
    " WHERE service_fts MATCH :text" FILTERS
#define BY_LIST " FROM services s" CURATED " WHERE 1" FILTERS
#define PAGE " LIMIT :limit OFFSET :offset"

static const char words_sql[] =
    "SELECT " ITEM_COLUMNS BY_WORDS " ORDER BY f.rank, s.name" PAGE;
static const char words_count_sql[] = "SELECT count(*)" BY_WORDS;
/* The stale list puts the longest unchecked first: never checked, then oldest. */
static const char list_sql[] =
    "SELECT " ITEM_COLUMNS BY_LIST " ORDER BY CASE WHEN :stale = 1 THEN " LAST_CHECK
    " END, s.name COLLATE NOCASE, s.id" PAGE;
static const char list_count_sql[] = "SELECT count(*)" BY_LIST;

static const char record_sql[] =
    "SELECT " ITEM_COLUMNS ", s.description, s.url, s.email, s.languages, s.sid"
    " FROM services s" CURATED " WHERE s.id = :id";
static const char rules_sql[] =
    "SELECT kind, freq, interval, byday, bymonthday, opens, closes, dtstart, until,"
    " valid_from, valid_to FROM schedules WHERE sid = ?1 ORDER BY rowid LIMIT ?2";

/* Opens state_dir's directory read-only with the store attached as st.
 * SG_ENOTFOUND when no directory is installed. */
static sg_rc open_dir(const char *state_dir, sqlite3 **out)
{
    char path[4200];
    sqlite3 *db = NULL;
    sqlite3_stmt *att = NULL;
    sg_rc rc = directory_db_open_ro(state_dir, &db);
    int ok;

    *out = NULL;
    if (rc)
        return rc;
    /* ATTACH takes the main file's flags: the store is read-only here too. */
    snprintf(path, sizeof path, "%s/%s", state_dir, SG_DB_FILE);
    ok =
        sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS st", -1, &att, NULL) == SQLITE_OK &&
        sqlite3_bind_text(att, 1, path, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(att) == SQLITE_DONE;
    sqlite3_finalize(att);
    if (!ok) {
        sg_warn("directory: cannot attach the store: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return SG_EDB;
    }
    *out = db;
    return SG_OK;
}

static void bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i && v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else if (i)
        sqlite3_bind_null(s, i);
}

static void bind_int(sqlite3_stmt *s, const char *name, int v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i)
        sqlite3_bind_int(s, i, v);
}

/* A column's text into a fixed field, cut at a UTF-8 boundary if long. */
static void col_text(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *v = sqlite3_column_text(s, col);
    size_t n = v ? (size_t)sqlite3_column_bytes(s, col) : 0;

    if (n >= outlen) {
        n = outlen - 1;
        while (n > 0 && (v[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(out, v, n);
    out[n] = '\0';
}

static void read_item(sqlite3_stmt *s, res_item *it)
{
    memset(it, 0, sizeof *it);
    col_text(s, 0, it->service_id, sizeof it->service_id);
    col_text(s, 1, it->name, sizeof it->name);
    col_text(s, 2, it->organization, sizeof it->organization);
    col_text(s, 3, it->phone, sizeof it->phone);
    col_text(s, 4, it->address, sizeof it->address);
    col_text(s, 5, it->status, sizeof it->status);
    col_text(s, 6, it->domains, sizeof it->domains);
    it->curated = sqlite3_column_int(s, 7);
    it->hidden = sqlite3_column_int(s, 8);
    it->pinned = sqlite3_column_int(s, 9);
    it->priority = sqlite3_column_int(s, 10);
    col_text(s, 11, it->verified_on, sizeof it->verified_on);
    col_text(s, 12, it->assured_date, sizeof it->assured_date);
    it->stale = sqlite3_column_int(s, 13);
}

static void bind_query(sqlite3_stmt *s, const res_query *q, const char *fts)
{
    bind_text(s, ":text", fts);
    bind_text(s, ":domain", q->domain);
    bind_text(s, ":before", q->stale_before);
    bind_int(s, ":stale", q->stale);
    bind_int(s, ":hidden", q->hidden);
    bind_int(s, ":limit", q->limit);
    bind_int(s, ":offset", q->offset);
}

static sg_rc count_matches(sqlite3 *db, const char *sql, const res_query *q,
                           const char *fts, long *total)
{
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        bind_query(s, q, fts);
        if (sqlite3_step(s) == SQLITE_ROW) {
            *total = (long)sqlite3_column_int64(s, 0);
            rc = SG_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

static sg_rc list_matches(sqlite3 *db, const char *sql, const res_query *q,
                          const char *fts, int (*fn)(void *ctx, const res_item *it),
                          void *ctx)
{
    sqlite3_stmt *s = NULL;
    res_item it;
    int step = SQLITE_ERROR;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        bind_query(s, q, fts);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            read_item(s, &it);
            if (fn(ctx, &it))
                break;
        }
    }
    sqlite3_finalize(s);
    return step == SQLITE_ROW || step == SQLITE_DONE ? SG_OK : SG_EDB;
}

sg_rc res_search(const char *state_dir, const res_query *q,
                 int (*fn)(void *ctx, const res_item *it), void *ctx, long *total)
{
    char fts[RES_FTS_MAX];
    sqlite3 *db = NULL;
    int words;
    sg_rc rc;

    *total = 0;
    rc = res_fts_query(q->text, fts, sizeof fts);
    if (rc && rc != SG_ENOTFOUND)
        return rc;
    words = rc == SG_OK;
    if ((rc = open_dir(state_dir, &db)))
        return rc == SG_ENOTFOUND ? SG_OK : rc;
    /* The count and the page from one snapshot, whatever an import does. */
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = SG_EDB;
    if (!rc)
        rc = count_matches(db, words ? words_count_sql : list_count_sql, q,
                           words ? fts : NULL, total);
    if (!rc && *total > q->offset)
        rc = list_matches(db, words ? words_sql : list_sql, q, words ? fts : NULL, fn,
                          ctx);
    if (rc)
        sg_error("directory: searching: %s", sqlite3_errmsg(db));
    sqlite3_close(db); /* ends the read transaction too */
    return rc;
}

/* ---- one service ------------------------------------------------- */

static size_t read_rules(sqlite3 *db, long long sid, schedule_rule *out, size_t max)
{
    sqlite3_stmt *s = NULL;
    size_t n = 0;

    if (sqlite3_prepare_v2(db, rules_sql, -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int(s, 2, (int)max);
    while (n < max && sqlite3_step(s) == SQLITE_ROW) {
        schedule_rule *r = &out[n];
        memset(r, 0, sizeof *r);
        r->kind = (unsigned char)sqlite3_column_int(s, 0);
        r->freq = (unsigned char)sqlite3_column_int(s, 1);
        r->interval = (unsigned short)sqlite3_column_int(s, 2);
        if (schedule_parse_byday((const char *)sqlite3_column_text(s, 3), r) ||
            schedule_parse_bymonthday((const char *)sqlite3_column_text(s, 4), r))
            continue; /* the importer checked it; never show what it cannot read */
        r->opens = (short)sqlite3_column_int(s, 5);
        r->closes = (short)sqlite3_column_int(s, 6);
        r->dtstart = sqlite3_column_int(s, 7);
        r->until = sqlite3_column_int(s, 8);
        r->valid_from = sqlite3_column_int(s, 9);
        r->valid_to = sqlite3_column_int(s, 10);
        n++;
    }
    sqlite3_finalize(s);
    return n;
}

static void describe_hours(sqlite3 *db, long long sid, int date, int minute,
                           res_record *out)
{
    schedule_rule rules[RES_RULES_MAX];
    size_t n = read_rules(db, sid, rules, RES_RULES_MAX);
    hours_status now;

    res_hours_text(rules, n, out->hours, sizeof out->hours);
    now = schedule_status(rules, n, date, minute);
    if (schedule_describe(&now, "en", out->open_now, sizeof out->open_now))
        out->open_now[0] = '\0';
}

sg_rc res_get(const char *state_dir, const char *service_id, const char *stale_before,
              int date, int minute, res_record *out)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    sg_rc rc;
    int step;

    memset(out, 0, sizeof *out);
    if ((rc = open_dir(state_dir, &db)))
        return rc;
    rc = SG_EDB;
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, record_sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    bind_text(s, ":id", service_id);
    bind_text(s, ":before", stale_before);
    step = sqlite3_step(s);
    if (step == SQLITE_DONE)
        rc = SG_ENOTFOUND;
    if (step != SQLITE_ROW)
        goto out;
    read_item(s, &out->item);
    col_text(s, 14, out->description, sizeof out->description);
    col_text(s, 15, out->url, sizeof out->url);
    col_text(s, 16, out->email, sizeof out->email);
    col_text(s, 17, out->languages, sizeof out->languages);
    describe_hours(db, sqlite3_column_int64(s, 18), date, minute, out);
    rc = SG_OK;
out:
    if (rc == SG_EDB)
        sg_error("directory: reading a service: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}
