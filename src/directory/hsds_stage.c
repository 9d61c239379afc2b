/*
 * The staging tables and the record machinery every reader shares.
 *
 * A reader (CSV or JSON) fills an hsds_rec with the text of the fields its
 * kind uses and hands it to hsds_stage(), which checks the fields every
 * kind needs and calls the kind's own checks (hsds_rows.c), which write the
 * row.  Staging lives in a scratch database attached as "stg" and deleted
 * after the import, so the finished directory carries no trace of it.
 *
 * Ids are unique per source file (HSDS says so; two 1.x schedule files may
 * reuse each other's ids).  The tables other rows point at (organizations,
 * services, locations, service_at_location, terms) come from one file each,
 * so their ids are unique in the table; for the rest the pair (_src, id) is.
 * An id left empty is stored as NULL, which UNIQUE lets repeat.
 */
#include <assert.h>
#include <string.h>

#include "hsds_internal.h"

/* Room for a whole CSV record's values, plus slack for JSON. */
#define SCRATCH_CAP (2 * 1024 * 1024)

static const char staging_sql[] =
    "CREATE TABLE stg.org(_src INTEGER, _row INTEGER, id TEXT UNIQUE, name TEXT,"
    "  url TEXT, email TEXT);"
    "CREATE TABLE stg.svc(_src INTEGER, _row INTEGER, id TEXT UNIQUE,"
    "  organization_id TEXT, name TEXT, description TEXT, status TEXT, url TEXT,"
    "  email TEXT, eligibility TEXT, min_age REAL, max_age REAL, keywords TEXT,"
    "  last_modified TEXT, assured_date TEXT);"
    "CREATE TABLE stg.loc(_src INTEGER, _row INTEGER, id TEXT UNIQUE,"
    "  organization_id TEXT, latitude REAL, longitude REAL);"
    "CREATE TABLE stg.sal(_src INTEGER, _row INTEGER, id TEXT UNIQUE, service_id TEXT,"
    "  location_id TEXT);"
    "CREATE TABLE stg.addr(_src INTEGER, _row INTEGER, id TEXT, location_id TEXT,"
    "  physical INTEGER, text TEXT, UNIQUE(_src, id));"
    "CREATE TABLE stg.phone(_src INTEGER, _row INTEGER, id TEXT, service_id TEXT,"
    "  location_id TEXT, organization_id TEXT, sal_id TEXT, prio INTEGER, number TEXT,"
    "  UNIQUE(_src, id));"
    "CREATE TABLE stg.sched(_src INTEGER, _row INTEGER, id TEXT, service_id TEXT,"
    "  location_id TEXT, sal_id TEXT, kind INTEGER, freq INTEGER, interval INTEGER,"
    "  byday TEXT, bymonthday TEXT, opens INTEGER, closes INTEGER, dtstart INTEGER,"
    "  until INTEGER, valid_from INTEGER, valid_to INTEGER, UNIQUE(_src, id));"
    "CREATE TABLE stg.lang(_src INTEGER, _row INTEGER, id TEXT, service_id TEXT,"
    "  location_id TEXT, phone_id TEXT, code TEXT, UNIQUE(_src, id));"
    "CREATE TABLE stg.attr(_src INTEGER, _row INTEGER, id TEXT, link_id TEXT,"
    "  link_entity TEXT, term_id TEXT, UNIQUE(_src, id));"
    "CREATE TABLE stg.term(_src INTEGER, _row INTEGER, id TEXT UNIQUE, code TEXT,"
    "  name TEXT);";

/*
 * The joins hsds_assemble.c makes; built after the bulk insert (faster).
 * No ANALYZE: most link columns are mostly '' (no link), and statistics
 * saying so make SQLite scan instead of looking up the few real links.
 */
static const char index_sql[] = "CREATE INDEX stg.sal_svc ON sal(service_id, _row);"
                                "CREATE INDEX stg.addr_loc ON addr(location_id, _row);"
                                "CREATE INDEX stg.phone_id ON phone(id);"
                                "CREATE INDEX stg.phone_svc ON phone(service_id);"
                                "CREATE INDEX stg.phone_sal ON phone(sal_id);"
                                "CREATE INDEX stg.phone_loc ON phone(location_id);"
                                "CREATE INDEX stg.phone_org ON phone(organization_id);"
                                "CREATE INDEX stg.sched_svc ON sched(service_id);"
                                "CREATE INDEX stg.sched_sal ON sched(sal_id);"
                                "CREATE INDEX stg.sched_loc ON sched(location_id);"
                                "CREATE INDEX stg.lang_svc ON lang(service_id);"
                                "CREATE INDEX stg.lang_loc ON lang(location_id);"
                                "CREATE INDEX stg.attr_link ON attr(link_id);";

sg_rc hsds_stage_create(hsds_ctx *c)
{
    sg_buf_init(&c->scratch, SCRATCH_CAP);
    return hsds_exec(c, staging_sql, "creating the staging tables");
}

sg_rc hsds_stage_index(hsds_ctx *c)
{
    return hsds_exec(c, index_sql, "indexing the staging tables");
}

void hsds_stage_finalize(hsds_ctx *c)
{
    for (int k = 0; k < HSDS_K_COUNT; k++) {
        sqlite3_finalize(c->ins[k]);
        sqlite3_finalize(c->dup_row[k]);
        c->ins[k] = c->dup_row[k] = NULL;
    }
    sg_buf_free(&c->scratch);
}

int hsds_field_index(hsds_kind k, const char *name)
{
    const hsds_kind_spec *spec = hsds_kind_get(k);
    for (size_t i = 0; i < spec->nfields; i++)
        if (strcmp(spec->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

sg_rc hsds_rec_begin(hsds_ctx *c, hsds_rec *r, hsds_kind k, int src, size_t row,
                     const char *path)
{
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->src = src;
    r->row = row;
    r->path = path ? path : "";
    sg_buf_reset(&c->scratch);
    /* Offset 0 holds the empty string every unset field points at. */
    return sg_buf_add(&c->scratch, "", 1);
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' ||
           ch == '\v';
}

sg_rc hsds_rec_set(hsds_ctx *c, hsds_rec *r, int i, const char *s, size_t len)
{
    size_t at = c->scratch.len;
    sg_rc rc;

    assert(i >= 0 && (size_t)i < hsds_kind_get(r->kind)->nfields);
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    if (!len) {
        r->off[i] = 0;
        return SG_OK;
    }
    rc = sg_buf_add(&c->scratch, s, len);
    if (!rc)
        rc = sg_buf_add(&c->scratch, "", 1);
    if (rc == SG_ETOOBIG) {
        c->scratch.len = at;
        r->off[i] = 0;
        hsds_report(c, HSDS_PROBLEM_BAD_VALUE, c->src[r->src].label, r->row,
                    hsds_kind_get(r->kind)->fields[i].name, 0,
                    "the value is too long (over %d bytes); left out", SCRATCH_CAP / 2);
        return SG_OK;
    }
    if (rc)
        return rc;
    r->off[i] = at;
    return SG_OK;
}

void hsds_rec_end(hsds_ctx *c, hsds_rec *r)
{
    const hsds_kind_spec *spec = hsds_kind_get(r->kind);
    for (size_t i = 0; i < spec->nfields; i++)
        r->v[i] = c->scratch.data + r->off[i];
}

/* Reports every needed field that is empty; 1 when the row must go. */
static int missing_fields(hsds_ctx *c, hsds_rec *r)
{
    const hsds_kind_spec *spec = hsds_kind_get(r->kind);
    for (size_t i = 0; i < spec->nfields; i++) {
        if (!spec->fields[i].need || *r->v[i] ||
            (r->json && spec->fields[i].need == HSDS_NEED_CSV))
            continue;
        hsds_report_rec(c, r, HSDS_PROBLEM_MISSING, (int)i,
                        spec->fields[i].need == HSDS_NEED_SKIP,
                        "%s is empty; a %s needs it", spec->fields[i].name, spec->what);
    }
    return r->rejected;
}

sg_rc hsds_stage(hsds_ctx *c, hsds_rec *r)
{
    sg_rc rc = SG_OK;

    assert(r->v[0] != NULL); /* hsds_rec_end() was called */
    if (!missing_fields(c, r))
        rc = hsds_kind_get(r->kind)->stage(c, r);
    if (r->rejected)
        c->sum->skipped++;
    return rc;
}

sqlite3_stmt *hsds_stmt(hsds_ctx *c, hsds_kind k)
{
    const hsds_kind_spec *spec = hsds_kind_get(k);

    if (!c->ins[k] && sqlite3_prepare_v2(c->db, spec->insert, -1, &c->ins[k], NULL)) {
        hsds_db_error(c, "preparing a staging insert");
        return NULL;
    }
    return c->ins[k];
}

/* The row where id first appeared in the same file, for the message. */
static long first_row(hsds_ctx *c, const hsds_rec *r)
{
    const hsds_kind_spec *spec = hsds_kind_get(r->kind);
    sqlite3_stmt *st;
    long row = 0;

    if (!c->dup_row[r->kind]) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT _row FROM stg.%s WHERE _src = ? AND id = ?",
                 spec->table);
        if (sqlite3_prepare_v2(c->db, sql, -1, &c->dup_row[r->kind], NULL))
            return 0;
    }
    st = c->dup_row[r->kind];
    sqlite3_bind_int(st, 1, r->src);
    sqlite3_bind_text(st, 2, r->v[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        row = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return row;
}

sg_rc hsds_insert(hsds_ctx *c, hsds_rec *r, sqlite3_stmt *st)
{
    int e;

    sqlite3_bind_int(st, 1, r->src);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->row);
    e = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (e != SQLITE_DONE)
        return hsds_db_error(c, "writing a staging row");
    if (sqlite3_changes(c->db) > 0) {
        r->staged = 1;
        return SG_OK;
    }
    /* OR IGNORE dropped it: the id is taken. */
    if (!r->quiet_dup) {
        long first = first_row(c, r);
        if (first > 0)
            hsds_report_rec(c, r, HSDS_PROBLEM_DUPLICATE, 0, 1,
                            "id \"%.60s\" is already used %s %ld", r->v[0],
                            r->json ? "by record" : "on row", first);
        else
            hsds_report_rec(c, r, HSDS_PROBLEM_DUPLICATE, 0, 1,
                            "id \"%.60s\" is already used", r->v[0]);
    }
    return SG_OK;
}
