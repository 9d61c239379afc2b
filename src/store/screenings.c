/*
 * Screening records: one row per submission, one row per answer (several for
 * a "choose all that apply" item, one NULL row for a skipped item), one row
 * per domain and one per resource given.  The answers are stored by LOINC
 * and LA code, never as text, so exports speak the EHR's vocabulary.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

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

static int insert_screening(sqlite3 *db, const store_screening *r)
{
    static const char sql[] =
        "INSERT INTO screenings(id, created_at, kiosk_id, instrument_id, instrument_version,"
        " language, scoring_rule, safety_score, safety_complete, wants_help, result_json)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *s = NULL;
    char when[32];
    int sd = safety_domain(r->inst), rc;

    format_time(r->created, when, sizeof when);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, when, -1, SQLITE_TRANSIENT);
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
    sqlite3_bind_text(s, 11, r->result_json, -1, SQLITE_STATIC);
    rc = store_step_done(s);
    sqlite3_finalize(s);
    return rc;
}

static int insert_answers(sqlite3 *db, const store_screening *r)
{
    sqlite3_stmt *s = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db, "INSERT INTO screening_answers VALUES (?,?,?,?)", -1, &s,
                           NULL) != SQLITE_OK)
        return -1;
    for (int i = 0; i < r->inst->nitems && rc == 0; i++) {
        const instrument_item *item = &r->inst->items[i];
        uint32_t chosen = r->sub->answers.chosen[i];
        int given = r->sub->answers.state[i] == ANSWER_GIVEN && chosen;

        for (int o = 0; o < (given ? item->noptions : 1) && rc == 0; o++) {
            if (given && !(chosen & (1u << o)))
                continue;
            sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, item->code, -1, SQLITE_STATIC);
            if (given)
                sqlite3_bind_text(s, 3, item->options[o].code, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 4, !given);
            rc = store_step_done(s);
        }
    }
    sqlite3_finalize(s);
    return rc;
}

static int insert_domains(sqlite3 *db, const store_screening *r)
{
    sqlite3_stmt *s = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db, "INSERT INTO screening_domains VALUES (?,?,?,?,?)", -1, &s,
                           NULL) != SQLITE_OK)
        return -1;
    for (int d = 0; d < r->inst->ndomains && rc == 0; d++) {
        uint32_t bit = 1u << d;
        sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->inst->domains[d].name, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, (r->score->positive & bit) != 0);
        if (r->inst->domains[d].kind == RULE_POINTS_AT_LEAST && r->score->complete[d])
            sqlite3_bind_int(s, 4, r->score->points[d]);
        if (r->sub->wants_help >= 0)
            sqlite3_bind_int(s, 5, (r->sub->help & bit) != 0);
        rc = store_step_done(s);
    }
    sqlite3_finalize(s);
    return rc;
}

static int insert_resources(sqlite3 *db, const store_screening *r)
{
    sqlite3_stmt *s = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO screening_resources VALUES (?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    for (int i = 0; i < r->nresources && rc == 0; i++) {
        const sg_resource *res = &r->resources[i];
        sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->inst->domains[res->domain].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, res->service_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, i);
        sqlite3_bind_text(s, 5, res->why, -1, SQLITE_STATIC);
        rc = store_step_done(s);
    }
    sqlite3_finalize(s);
    return rc;
}

sg_rc store_save_screening(sg_store *st, const store_screening *rec)
{
    sqlite3 *db;
    int ok;

    assert(strlen(rec->id) == SG_ID_LEN - 1);
    if (!(db = store_write_begin(st)))
        return SG_EDB;
    ok = !insert_screening(db, rec) && !insert_answers(db, rec) && !insert_domains(db, rec) &&
         !insert_resources(db, rec);
    return store_write_end(st, ok, "saving a screening");
}

static int update_help(sqlite3 *db, const char *id, const sg_instrument *inst,
                       const sg_submission *sub, const char *result_json)
{
    static const char sql[] = "UPDATE screenings SET wants_help = ?, result_json = ?,"
                              " help_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?";
    sqlite3_stmt *s = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(s, 1, sub->wants_help);
    sqlite3_bind_text(s, 2, result_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
    rc = store_step_done(s) ? -1 : sqlite3_changes(db) != 1 ? 1 : 0;
    sqlite3_finalize(s);
    if (rc)
        return rc; /* 1: no such screening */
    if (sqlite3_prepare_v2(db, "UPDATE screening_domains SET wants_help = ?"
                               " WHERE screening_id = ? AND domain = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    for (int d = 0; d < inst->ndomains && rc == 0; d++) {
        sqlite3_bind_int(s, 1, (sub->help & (1u << d)) != 0);
        sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, inst->domains[d].name, -1, SQLITE_STATIC);
        rc = store_step_done(s);
    }
    sqlite3_finalize(s);
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
