/*
 * Reading submissions for the exports (see export.h): the thin SQL shell
 * around the pure CSV and FHIR builders.  One read transaction covers a
 * whole export, so a row that changes meanwhile is seen either before or
 * after, never half.  Each submission is read into the caller's scratch
 * export_sub: the screening row and its JSON columns, what followed it
 * (a printed receipt, a consent, texts sent, replies), and its referrals
 * merged with the resources the kiosk gave.
 *
 * Service names come from the directory file (state_dir/directory.db,
 * opened read-only here for the length of the export); a service the
 * directory no longer lists keeps the name the patient was shown, from
 * the stored result.  Phone numbers are opened only when the caller hands
 * over the vault, and are wiped from the scratch after each submission.
 * The audit log's rows are read with audit.c's reader, the one the
 * console's audit list uses.
 */
#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/directory_db.h"
#include "signpost/export.h"
#include "signpost/log.h"
#include "staff_internal.h"

#define SUB_COLUMNS                                                                      \
    "SELECT s.id, s.created_at, date(s.created_at, 'localtime'), s.kiosk_id, "           \
    "s.language,"                                                                        \
    " s.instrument_id, s.instrument_version, s.scoring_rule, s.safety_score,"            \
    " s.safety_complete, s.wants_help, s.answers, s.domains, s.resources,"               \
    " json_extract(s.result_json, '$.resources'),"                                       \
    " EXISTS (SELECT 1 FROM print_jobs p WHERE p.screening_id = s.id AND p.status = "    \
    "'done'),"                                                                           \
    " (SELECT c.phone_box FROM sms_contacts c WHERE c.screening_id = s.id),"             \
    " (SELECT count(*) FROM sms_outbox o WHERE o.screening_id = s.id"                    \
    "   AND o.state IN ('sent', 'delivered')),"                                          \
    " (SELECT count(*) FROM sms_inbound i WHERE i.screening_id = s.id)"                  \
    " FROM screenings s"

static const char range_sql[] = SUB_COLUMNS
    " WHERE s.created_at >= ?1 AND s.created_at < ?2 ORDER BY s.created_at, s.id";
static const char one_sql[] = SUB_COLUMNS " WHERE s.id = ?1";

/* The latest non-empty note is the one staff wrote last. */
static const char refs_sql[] =
    "SELECT f.id, f.domain, f.service_id, f.status, u.username, f.next_follow_up,"
    " f.updated_at, f.updated_by,"
    " (SELECT e.note FROM referral_events e WHERE e.referral_id = f.id AND e.note <> ''"
    "   ORDER BY e.id DESC LIMIT 1)"
    " FROM referrals f LEFT JOIN staff_users u ON u.id = f.assigned_to"
    " WHERE f.screening_id = ?1 ORDER BY f.id";

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *subs, *refs;
    sqlite3 *dir; /* the directory, or NULL */
    sqlite3_stmt *dir_name;
    const export_read_opts *o;
} reader;

static void copy_str(char *out, size_t outlen, const char *s)
{
    snprintf(out, outlen, "%s", s ? s : "");
}

/* ---- the JSON columns ------------------------------------------------- */

/* answers: [[item, LA code or null], ...], an item's answers adjacent. */
static int parse_answers(json_t *a, export_sub *s)
{
    size_t i;
    json_t *e;

    json_array_foreach(a, i, e)
    {
        const char *item = json_string_value(json_array_get(e, 0));
        const char *code = json_string_value(json_array_get(e, 1));
        export_item *it = s->nitems ? &s->items[s->nitems - 1] : NULL;
        if (!item)
            return -1;
        if (!it || strcmp(it->code, item)) {
            if (s->nitems >= SG_MAX_ITEMS)
                return -1;
            it = &s->items[s->nitems++];
            copy_str(it->code, sizeof it->code, item);
        }
        if (!code)
            it->skipped = 1;
        else if (it->nchosen < SG_MAX_OPTIONS)
            copy_str(it->chosen[it->nchosen++], EXPORT_CODE_MAX, code);
    }
    return 0;
}

/* domains: [[name, positive, score or null, wants help or null], ...] */
static int parse_domains(json_t *a, export_sub *s)
{
    size_t i;
    json_t *e;

    json_array_foreach(a, i, e)
    {
        export_domain *d;
        json_t *score = json_array_get(e, 2), *help = json_array_get(e, 3);
        if (s->ndomains >= SG_MAX_DOMAINS || !json_is_string(json_array_get(e, 0)))
            return -1;
        d = &s->domains[s->ndomains++];
        copy_str(d->name, sizeof d->name, json_string_value(json_array_get(e, 0)));
        d->positive = json_integer_value(json_array_get(e, 1)) != 0;
        d->score = json_is_integer(score) ? (int)json_integer_value(score) : -1;
        d->wants_help = json_is_integer(help) ? json_integer_value(help) != 0 : -1;
    }
    return 0;
}

/* The name the patient was shown for service_id, from the stored result. */
static const char *shown_name(json_t *shown, const char *domain, const char *service_id)
{
    size_t i;
    json_t *r;

    json_array_foreach(shown, i, r)
    {
        const char *d = json_string_value(json_object_get(r, "domain"));
        const char *id = json_string_value(json_object_get(r, "service_id"));
        if (d && id && !strcmp(d, domain) && !strcmp(id, service_id))
            return json_string_value(json_object_get(r, "name"));
    }
    return NULL;
}

static void service_name(reader *rd, json_t *shown, export_referral *f)
{
    const char *n = NULL;

    if (rd->dir_name) {
        sqlite3_bind_text(rd->dir_name, 1, f->service_id, -1, SQLITE_STATIC);
        if (sqlite3_step(rd->dir_name) == SQLITE_ROW)
            store_col_text(rd->dir_name, 0, f->service_name, sizeof f->service_name);
        sqlite3_reset(rd->dir_name);
    }
    if (!f->service_name[0] && (n = shown_name(shown, f->domain, f->service_id)))
        copy_str(f->service_name, sizeof f->service_name, n);
}

/* resources: [[domain, service id, why], ...] in the order shown. */
static int parse_resources(reader *rd, json_t *a, json_t *shown, export_sub *s)
{
    size_t i;
    json_t *e;

    json_array_foreach(a, i, e)
    {
        export_referral *f;
        int rank = 1;
        if (s->nrefs >= EXPORT_MAX_REFS || !json_is_string(json_array_get(e, 0)))
            return -1;
        f = &s->refs[s->nrefs];
        memset(f, 0, sizeof *f);
        copy_str(f->domain, sizeof f->domain, json_string_value(json_array_get(e, 0)));
        copy_str(f->service_id, sizeof f->service_id,
                 json_string_value(json_array_get(e, 1)));
        for (int k = 0; k < s->nrefs; k++)
            rank += !strcmp(s->refs[k].domain, f->domain);
        f->rank = rank;
        f->status = REF_SUGGESTED;
        /* Until staff move it on, a resource stands as the kiosk left it. */
        copy_str(f->updated_at, sizeof f->updated_at, s->created_at);
        copy_str(f->updated_by, sizeof f->updated_by, "kiosk");
        service_name(rd, shown, f);
        s->nrefs++;
    }
    s->nresources = s->nrefs;
    return 0;
}

static int parse_json_columns(reader *rd, sqlite3_stmt *q, export_sub *s)
{
    json_t *cols[4];
    int rc = 0;

    for (int k = 0; k < 4; k++) {
        const char *text = (const char *)sqlite3_column_text(q, 11 + k);
        cols[k] = json_loads(text ? text : "[]", 0, NULL);
    }
    if (!cols[0] || !cols[1] || !cols[2] || parse_answers(cols[0], s) ||
        parse_domains(cols[1], s) || parse_resources(rd, cols[2], cols[3], s))
        rc = -1;
    for (int k = 0; k < 4; k++)
        json_decref(cols[k]);
    return rc;
}

/* ---- referrals ------------------------------------------------------------ */

/* The row of refs for (domain, service), or a new one at the end (rank 0). */
static export_referral *ref_slot(export_sub *s, const char *domain,
                                 const char *service_id)
{
    export_referral *f;

    for (int i = 0; i < s->nrefs; i++)
        if (!strcmp(s->refs[i].domain, domain) &&
            !strcmp(s->refs[i].service_id, service_id))
            return &s->refs[i];
    if (s->nrefs >= EXPORT_MAX_REFS)
        return NULL;
    f = &s->refs[s->nrefs++];
    memset(f, 0, sizeof *f);
    copy_str(f->domain, sizeof f->domain, domain);
    copy_str(f->service_id, sizeof f->service_id, service_id);
    return f;
}

static void take_referral(reader *rd, sqlite3_stmt *q, export_referral *f)
{
    int st = export_ref_status_parse((const char *)sqlite3_column_text(q, 3));

    f->id = sqlite3_column_int64(q, 0);
    f->status = st < 0 ? REF_SUGGESTED : (export_ref_status)st;
    store_col_text(q, 4, f->assigned_to, sizeof f->assigned_to);
    store_col_text(q, 5, f->next_follow_up, sizeof f->next_follow_up);
    store_col_text(q, 6, f->updated_at, sizeof f->updated_at);
    store_col_text(q, 7, f->updated_by, sizeof f->updated_by);
    store_col_text(q, 8, f->last_note, sizeof f->last_note);
    if (!f->service_name[0])
        service_name(rd, NULL, f); /* added by staff: only the directory knows it */
}

static int read_referrals(reader *rd, export_sub *s)
{
    sqlite3_stmt *q = rd->refs;
    int step;

    sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        export_referral *f = ref_slot(s, (const char *)sqlite3_column_text(q, 1),
                                      (const char *)sqlite3_column_text(q, 2));
        if (!f)
            break; /* more than the cap: the rest are left out */
        take_referral(rd, q, f);
    }
    sqlite3_reset(q);
    return step == SQLITE_DONE || step == SQLITE_ROW ? 0 : -1;
}

/* ---- one submission ---------------------------------------------------------- */

static void open_phone(reader *rd, sqlite3_stmt *q, export_sub *s)
{
    const unsigned char *box = sqlite3_column_blob(q, 16);
    int len = sqlite3_column_bytes(q, 16);

    s->sms_consent = sqlite3_column_type(q, 16) != SQLITE_NULL;
    if (!s->sms_consent || !rd->o->vault)
        return;
    if (vault_unseal(rd->o->vault, box, (size_t)len, s->phone, sizeof s->phone)) {
        s->phone[0] = '\0'; /* a box this key cannot open: say nothing */
        sg_warn("export: a consent's phone number cannot be opened (screening %s)",
                s->id);
    }
}

static int read_submission(reader *rd, sqlite3_stmt *q, export_sub *s)
{
    /* Everything but the referral slots, which are cleared as they are used. */
    memset(s, 0, offsetof(export_sub, refs));
    memset(&s->nrefs, 0, sizeof *s - offsetof(export_sub, nrefs));
    store_col_text(q, 0, s->id, sizeof s->id);
    store_col_text(q, 1, s->created_at, sizeof s->created_at);
    store_col_text(q, 2, s->local_date, sizeof s->local_date);
    store_col_text(q, 3, s->kiosk_id, sizeof s->kiosk_id);
    store_col_text(q, 4, s->language, sizeof s->language);
    store_col_text(q, 5, s->instrument_id, sizeof s->instrument_id);
    store_col_text(q, 6, s->instrument_version, sizeof s->instrument_version);
    store_col_text(q, 7, s->scoring_rule, sizeof s->scoring_rule);
    s->safety_complete = sqlite3_column_int(q, 9);
    s->safety_score =
        sqlite3_column_type(q, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 8);
    s->wants_help =
        sqlite3_column_type(q, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 10);
    s->receipt_printed = sqlite3_column_int(q, 15);
    s->texts_sent = sqlite3_column_int(q, 17);
    s->replies = sqlite3_column_int(q, 18);
    open_phone(rd, q, s);
    if (parse_json_columns(rd, q, s) || read_referrals(rd, s)) {
        sg_error("export: screening %s cannot be read", s->id);
        return -1;
    }
    return 0;
}

/* ---- the export's connections ------------------------------------------------- */

/* The directory, read-only, for service names; none is not an error. */
static void open_directory(reader *rd)
{
    if (!rd->o->state_dir || directory_db_open_ro(rd->o->state_dir, &rd->dir) != SG_OK)
        return;
    if (sqlite3_prepare_v2(rd->dir, "SELECT name FROM services WHERE id = ?1", -1,
                           &rd->dir_name, NULL) != SQLITE_OK) {
        sqlite3_close(rd->dir);
        rd->dir = NULL;
        rd->dir_name = NULL;
    }
}

static void close_reader(reader *rd)
{
    sqlite3_finalize(rd->subs);
    sqlite3_finalize(rd->refs);
    sqlite3_finalize(rd->dir_name);
    sqlite3_close(rd->dir);
}

static int prepare(reader *rd, const export_range *r, const char *id)
{
    if (sqlite3_prepare_v2(rd->db, id ? one_sql : range_sql, -1, &rd->subs, NULL) ||
        sqlite3_prepare_v2(rd->db, refs_sql, -1, &rd->refs, NULL))
        return -1;
    if (id)
        return sqlite3_bind_text(rd->subs, 1, id, -1, SQLITE_TRANSIENT) ? -1 : 0;
    return sqlite3_bind_text(rd->subs, 1, r->lo, -1, SQLITE_TRANSIENT) ||
                   sqlite3_bind_text(rd->subs, 2, r->hi, -1, SQLITE_TRANSIENT)
               ? -1
               : 0;
}

/* Steps through the submissions; SG_ENOTFOUND when an id found none. */
static sg_rc walk(reader *rd, const char *id, export_sub *s,
                  int (*fn)(void *ctx, const export_sub *s), void *ctx)
{
    int step, seen = 0, stop = 0;

    while (!stop && (step = sqlite3_step(rd->subs)) == SQLITE_ROW) {
        seen++;
        if (read_submission(rd, rd->subs, s))
            return SG_EDB;
        stop = fn(ctx, s);
        sodium_memzero(s->phone, sizeof s->phone);
    }
    if (!stop && step != SQLITE_DONE)
        return SG_EDB;
    return id && !seen ? SG_ENOTFOUND : SG_OK;
}

sg_rc export_each(sg_store *st, const export_range *r, const char *id,
                  const export_read_opts *o, export_sub *scratch,
                  int (*fn)(void *ctx, const export_sub *s), void *ctx)
{
    store_conn *c = store_reader(st);
    reader rd;
    sg_rc rc = SG_EDB;

    assert(id || r);
    memset(&rd, 0, sizeof rd);
    rd.db = c->db;
    rd.o = o;
    open_directory(&rd);
    /* One snapshot for the whole export. */
    if (sqlite3_exec(rd.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
        if (prepare(&rd, r, id) == 0)
            rc = walk(&rd, id, scratch, fn, ctx);
        if (rc == SG_EDB)
            sg_error("export: reading submissions: %s", sqlite3_errmsg(rd.db));
        /* The statements end before the read transaction does. */
        sqlite3_finalize(rd.subs);
        sqlite3_finalize(rd.refs);
        rd.subs = rd.refs = NULL;
        sqlite3_exec(rd.db, "COMMIT", NULL, NULL, NULL);
    }
    close_reader(&rd);
    store_release(c);
    return rc;
}

/* ---- counts and the audit log -------------------------------------------------- */

static sg_rc count_range(sg_store *st, const char *sql, const export_range *r, long *n)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *q = NULL;
    sg_rc rc = SG_EDB;

    *n = 0;
    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_bind_text(q, 1, r->lo, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_text(q, 2, r->hi, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        *n = (long)sqlite3_column_int64(q, 0);
        rc = SG_OK;
    }
    if (rc)
        sg_error("export: counting: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(q);
    store_release(c);
    return rc;
}

sg_rc export_count(sg_store *st, const export_range *r, long *n)
{
    return count_range(st,
                       "SELECT count(*) FROM screenings WHERE created_at >= ?1"
                       " AND created_at < ?2",
                       r, n);
}

sg_rc export_audit_count(sg_store *st, const export_range *r, long *n)
{
    return count_range(st, "SELECT count(*) FROM audit_log WHERE at >= ?1 AND at < ?2", r,
                       n);
}

sg_rc export_audit_each(sg_store *st, const export_range *r,
                        int (*fn)(void *ctx, const audit_row *row), void *ctx)
{
    static const char sql[] =
        "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE at >= ?1 AND at < ?2 ORDER BY id";
    store_conn *c = store_reader(st);
    sqlite3_stmt *q = NULL;
    sg_rc rc = SG_EDB;
    audit_row a;
    int step = SQLITE_ERROR, stop = 0;

    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_bind_text(q, 1, r->lo, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_text(q, 2, r->hi, -1, SQLITE_STATIC) == SQLITE_OK) {
        while (!stop && (step = sqlite3_step(q)) == SQLITE_ROW) {
            audit_read_row(q, &a);
            stop = fn(ctx, &a);
        }
        rc = stop || step == SQLITE_DONE ? SG_OK : SG_EDB;
    }
    if (rc)
        sg_error("export: reading the audit log: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(q);
    store_release(c);
    return rc;
}
