/*
 * Staff's changes to a service's curation, from the console: read the
 * record, merge the checked changes, write the whole record and append
 * the audit row, all in one write transaction (resources.h).  Reading
 * inside the transaction is what keeps two people's edits of different
 * fields from undoing each other; the audit row inside it is what keeps
 * a change and its record together, as every staff change in the store
 * is (staff_store.h).
 *
 * The row is written by store_curation_write(), as store_curation_put()
 * writes it, with updated_at taken here so the caller can show the stored
 * record without reading it back.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/resources.h"
#include "staff_internal.h"

static sg_rc read_current(sqlite3 *db, const char *service_id, dir_curation *c)
{
    static const char sql[] =
        "SELECT " CURATION_COLUMNS " FROM service_curation WHERE service_id = ?";
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_EDB;
    int step;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, service_id, -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            store_curation_row(s, 0, c);
            rc = SG_OK;
        } else if (step == SQLITE_DONE) {
            memset(c, 0, sizeof *c);
            snprintf(c->service_id, sizeof c->service_id, "%s", service_id);
            rc = SG_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

sg_rc store_curation_update(sg_store *st, const char *service_id, const curation_patch *p,
                            const audit_entry *why, dir_curation *out,
                            sg_field_error *err)
{
    time_t now = time(NULL);
    struct tm tm;
    sqlite3 *db;
    sg_rc rc;
    int ok;

    memset(err, 0, sizeof *err);
    if (!(db = store_write_begin(st)))
        return SG_EDB;
    if ((rc = read_current(db, service_id, out)) ||
        (rc = curation_patch_apply(p, out, err))) {
        store_write_end(st, 0, "changing a service's curation");
        return rc;
    }
    gmtime_r(&now, &tm);
    strftime(out->updated_at, sizeof out->updated_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ok = store_curation_write(db, out, out->updated_at) && audit_insert(db, why) == 0;
    return store_write_end(st, ok, "changing a service's curation");
}
