/*
 * Staff curation of directory services: what the clinic knows that the
 * imported directory does not (a direct contact, what to ask for in each
 * language, pins, priority, hidden services, when it was last verified).
 *
 * Rows are keyed by the HSDS service id and live in the store, not in the
 * directory file, so no import can overwrite them.  A curated service that a
 * later import no longer carries keeps its row (staff may want it back when
 * the publisher fixes the record); it simply matches nothing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

/* ask_for is a JSON object {"en": "...", "es": "..."}, checked on write. */
static void read_ask_for(const char *json, dir_curation *c)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    const char *lang;
    json_t *v;

    c->nask_for = 0;
    json_object_foreach(o, lang, v)
    {
        if (c->nask_for >= SG_ASK_FOR_LANGS || !json_is_string(v))
            continue;
        snprintf(c->ask_for[c->nask_for].lang, sizeof c->ask_for[0].lang, "%s", lang);
        snprintf(c->ask_for[c->nask_for].text, sizeof c->ask_for[0].text, "%s",
                 json_string_value(v));
        c->nask_for++;
    }
    json_decref(o);
}

void store_curation_row(sqlite3_stmt *s, int first, dir_curation *c)
{
    memset(c, 0, sizeof *c);
    store_col_text(s, first, c->service_id, sizeof c->service_id);
    store_col_text(s, first + 1, c->contact_name, sizeof c->contact_name);
    store_col_text(s, first + 2, c->contact_phone, sizeof c->contact_phone);
    read_ask_for((const char *)sqlite3_column_text(s, first + 3), c);
    c->priority = sqlite3_column_int(s, first + 4);
    c->pinned = sqlite3_column_int(s, first + 5);
    c->hidden = sqlite3_column_int(s, first + 6);
    store_col_text(s, first + 7, c->notes, sizeof c->notes);
    store_col_text(s, first + 8, c->verified_on, sizeof c->verified_on);
    store_col_text(s, first + 9, c->verified_by, sizeof c->verified_by);
    store_col_text(s, first + 10, c->updated_at, sizeof c->updated_at);
}

sg_rc store_curation_get(sg_store *st, const char *service_id, dir_curation *out)
{
    static const char sql[] =
        "SELECT " CURATION_COLUMNS " FROM service_curation WHERE service_id = ?";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    int step;

    if (!c)
        return SG_EDB;
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(s, 1, service_id, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        store_curation_row(s, 0, out);
        rc = SG_OK;
    } else if (step == SQLITE_DONE) {
        rc = SG_ENOTFOUND;
    }
out:
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}

static char *ask_for_json(const dir_curation *c)
{
    json_t *o = json_object();
    char *s;
    for (int i = 0; o && i < c->nask_for && i < SG_ASK_FOR_LANGS; i++)
        if (c->ask_for[i].text[0])
            json_object_set_new(o, c->ask_for[i].lang, json_string(c->ask_for[i].text));
    s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

int store_curation_write(sqlite3 *db, const dir_curation *c, const char *updated_at)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO service_curation(" CURATION_COLUMNS ")"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, " NOW_SQL "))";
    char *ask = ask_for_json(c);
    sqlite3_stmt *s = NULL;
    int ok = 0;

    if (ask && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, c->service_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, c->contact_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, c->contact_phone, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, ask, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 5, c->priority);
        sqlite3_bind_int(s, 6, c->pinned ? 1 : 0);
        sqlite3_bind_int(s, 7, c->hidden ? 1 : 0);
        sqlite3_bind_text(s, 8, c->notes, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 9, c->verified_on, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 10, c->verified_by, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 11, updated_at, -1, SQLITE_STATIC);
        ok = store_step_done(s) == 0;
    }
    sqlite3_finalize(s);
    free(ask);
    return ok;
}

sg_rc store_curation_put(sg_store *st, const dir_curation *c)
{
    sqlite3 *db = store_write_begin(st);

    if (!db)
        return SG_EDB;
    return store_write_end(st, store_curation_write(db, c, NULL), "saving a service's curation");
}

sg_rc store_curation_list(sg_store *st, int (*fn)(void *ctx, const dir_curation *c),
                          void *ctx)
{
    static const char sql[] =
        "SELECT " CURATION_COLUMNS " FROM service_curation ORDER BY service_id";
    store_conn *c = store_reader(st);
    sqlite3_stmt *s = NULL;
    dir_curation cur;
    sg_rc rc = SG_EDB;
    int step = SQLITE_DONE;

    if (!c)
        return SG_EDB;
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        store_curation_row(s, 0, &cur);
        if (fn(ctx, &cur))
            break;
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? SG_OK : SG_EDB;
out:
    sqlite3_finalize(s);
    store_release(c);
    return rc;
}
