/*
 * Screening records: one row per submission, written with one INSERT so an
 * acknowledged submission costs the SD card a few pages and one sync.  The
 * answers (several for a "choose all that apply" item, a null for a skipped
 * item), the domains and the resources given are compact JSON columns; the
 * screening_answers, screening_domains and screening_resources views turn
 * them back into rows.  Answers are stored by LOINC and LA code, never as
 * text, so exports speak the EHR's vocabulary.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/buf.h"
#include "signpost/log.h"
#include "store_internal.h"

static void format_time(time_t t, char *out, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The index of the domain called "safety" with a points rule, or -1. */
static int safety_domain(const sg_instrument *inst)
{
    int d = instrument_domain_index(inst, "safety");
    return d >= 0 && inst->domains[d].kind == RULE_POINTS_AT_LEAST ? d : -1;
}

/* [[item, answer or null], ...]: one entry per selected answer or skipped item. */
static sg_rc answers_json(const store_screening *r, sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "[", 1);
    for (int i = 0; i < r->inst->nitems && !rc; i++) {
        const instrument_item *item = &r->inst->items[i];
        uint32_t chosen = r->sub->answers.state[i] == ANSWER_GIVEN ? r->sub->answers.chosen[i] : 0;
        for (int o = 0; o < (chosen ? item->noptions : 1) && !rc; o++) {
            if (chosen && !(chosen & (1u << o)))
                continue;
            rc = sg_buf_adds(b, b->len > 1 ? ",[" : "[");
            if (!rc)
                rc = sg_buf_add_json_string(b, item->code);
            if (!rc)
                rc = sg_buf_adds(b, chosen ? "," : ",null]");
            if (!rc && chosen)
                rc = sg_buf_add_json_string(b, item->options[o].code);
            if (!rc && chosen)
                rc = sg_buf_add(b, "]", 1);
        }
    }
    return rc ? rc : sg_buf_add(b, "]", 1);
}

/* [[domain, positive, score or null, wants help or null], ...] */
static sg_rc domains_json(const store_screening *r, sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "[", 1);
    for (int d = 0; d < r->inst->ndomains && !rc; d++) {
        uint32_t bit = 1u << d;
        char score[16] = "null", help[8] = "null";
        if (r->inst->domains[d].kind == RULE_POINTS_AT_LEAST && r->score->complete[d])
            snprintf(score, sizeof score, "%d", r->score->points[d]);
        if (r->sub->wants_help >= 0)
            snprintf(help, sizeof help, "%d", (r->sub->help & bit) != 0);
        rc = sg_buf_adds(b, d ? ",[" : "[");
        if (!rc)
            rc = sg_buf_add_json_string(b, r->inst->domains[d].name);
        if (!rc)
            rc = sg_buf_addf(b, ",%d,%s,%s]", (r->score->positive & bit) != 0, score, help);
    }
    return rc ? rc : sg_buf_add(b, "]", 1);
}

/* [[domain, service id, why], ...] in the order shown. */
static sg_rc resources_json(const store_screening *r, sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "[", 1);
    for (int i = 0; i < r->nresources && !rc; i++) {
        const sg_resource *res = &r->resources[i];
        const char *parts[3] = {r->inst->domains[res->domain].name, res->service_id, res->why};
        for (int k = 0; k < 3 && !rc; k++) {
            rc = sg_buf_adds(b, k ? "," : i ? ",[" : "[");
            if (!rc)
                rc = sg_buf_add_json_string(b, parts[k]);
        }
        if (!rc)
            rc = sg_buf_add(b, "]", 1);
    }
    return rc ? rc : sg_buf_add(b, "]", 1);
}

static void bind_columns(sqlite3_stmt *s, const store_screening *r, const char *when,
                         const sg_buf cols[3])
{
    int sd = safety_domain(r->inst);

    sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, when, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, r->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, r->inst->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, r->inst->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, r->inst->langs[r->sub->lang].code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, r->score->rule, -1, SQLITE_STATIC);
    if (sd >= 0 && r->score->complete[sd])
        sqlite3_bind_int(s, 8, r->score->points[sd]);
    sqlite3_bind_int(s, 9, sd >= 0 ? r->score->complete[sd] : 0);
    if (r->sub->wants_help >= 0)
        sqlite3_bind_int(s, 10, r->sub->wants_help);
    for (int k = 0; k < 3; k++)
        sqlite3_bind_text(s, 11 + k, cols[k].data, (int)cols[k].len, SQLITE_STATIC);
    sqlite3_bind_text(s, 14, r->result_json, -1, SQLITE_STATIC);
}

static int insert_screening(sqlite3 *db, const store_screening *r, const sg_buf cols[3])
{
    static const char sql[] =
        "INSERT INTO screenings(id, created_at, kiosk_id, instrument_id, instrument_version,"
        " language, scoring_rule, safety_score, safety_complete, wants_help, answers, domains,"
        " resources, result_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *s = NULL;
    char when[32];
    int rc;

    format_time(r->created, when, sizeof when);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    bind_columns(s, r, when, cols);
    rc = store_step_done(s);
    sqlite3_finalize(s);
    return rc;
}

sg_rc store_save_screening(sg_store *st, const store_screening *rec)
{
    sg_buf cols[3];
    sqlite3 *db;
    sg_rc rc;

    assert(strlen(rec->id) == SG_ID_LEN - 1);
    for (int k = 0; k < 3; k++)
        sg_buf_init(&cols[k], 64 * 1024);
    /* Everything that can fail without the database, before taking the writer. */
    if ((rc = answers_json(rec, &cols[0])) || (rc = domains_json(rec, &cols[1])) ||
        (rc = resources_json(rec, &cols[2])))
        goto out;
    if (!(db = store_write_begin(st))) {
        rc = SG_EDB;
        goto out;
    }
    rc = store_write_end(st, insert_screening(db, rec, cols) == 0, "saving a screening");
out:
    for (int k = 0; k < 3; k++)
        sg_buf_free(&cols[k]);
    return rc;
}

/* The names of the domains in mask as a JSON array, into b. */
static sg_rc help_names(const sg_instrument *inst, uint32_t mask, sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "[", 1);
    for (int d = 0; d < inst->ndomains && !rc; d++)
        if (mask & (1u << d)) {
            rc = sg_buf_adds(b, b->len > 1 ? "," : "");
            if (!rc)
                rc = sg_buf_add_json_string(b, inst->domains[d].name);
        }
    return rc ? rc : sg_buf_add(b, "]", 1);
}

static int update_help(sqlite3 *db, const char *id, const sg_instrument *inst,
                       const sg_submission *sub, const char *result_json)
{
    /* The domains column keeps its entries; only their wants-help flag changes. */
    static const char sql[] =
        "UPDATE screenings SET wants_help = ?1, result_json = ?2,"
        " help_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
        " domains = (SELECT json_group_array(json_array(json_extract(j.value, '$[0]'),"
        "   json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),"
        "   json_extract(j.value, '$[0]') IN (SELECT value FROM json_each(?3))))"
        "   FROM json_each(screenings.domains) j)"
        " WHERE id = ?4";
    sqlite3_stmt *s = NULL;
    sg_buf help;
    int rc = -1;

    sg_buf_init(&help, 4096);
    if (help_names(inst, sub->help, &help) == SG_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int(s, 1, sub->wants_help);
        sqlite3_bind_text(s, 2, result_json, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, help.data, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, id, -1, SQLITE_STATIC);
        rc = store_step_done(s) ? -1 : sqlite3_changes(db) != 1 ? 1 : 0; /* 1: not found */
    }
    sqlite3_finalize(s);
    sg_buf_free(&help);
    return rc;
}

sg_rc store_save_help(sg_store *st, const char *id, const sg_instrument *inst,
                      const sg_submission *sub, const char *result_json)
{
    sqlite3 *db = store_write_begin(st);
    int failed;
    sg_rc rc;

    if (!db)
        return SG_EDB;
    failed = update_help(db, id, inst, sub, result_json);
    rc = store_write_end(st, !failed, "saving a help choice");
    return failed == 1 ? SG_ENOTFOUND : rc;
}

sg_rc store_load_result(sg_store *st, const char *id, char **json)
{
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_ENOTFOUND;
    int step;

    *json = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT result_json FROM screenings WHERE id = ?", -1, &s,
                           NULL) != SQLITE_OK) {
        rc = SG_EDB;
        goto out;
    }
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 0);
        *json = text ? strdup(text) : NULL;
        rc = *json ? SG_OK : SG_ENOMEM;
    } else if (step != SQLITE_DONE) {
        rc = SG_EDB;
    }
out:
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}
