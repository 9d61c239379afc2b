/*
 * Names and phone numbers of directory services for the staff console's
 * referral lists (referral_store.h).  A referral keeps only the service's
 * HSDS id; what staff read next to it comes from the directory as it is
 * now, so a renamed service shows its new name and one an import dropped
 * shows no name at all rather than a stale one.
 *
 * The directory file is opened read-only for the one call: imports replace
 * it by rename, so a fresh open always sees the installed file, and a staff
 * page is rare enough that the open costs nothing anyone notices.  The
 * matcher's long-lived reader (directory.h) is left to the kiosk.
 */
#include <stdio.h>
#include <string.h>

#include "signpost/directory_db.h"
#include "signpost/log.h"
#include "signpost/referral_store.h"
#include "store_internal.h"

static sg_rc look_up(sqlite3 *db, service_label *items, size_t n)
{
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_OK;

    if (sqlite3_prepare_v2(db, "SELECT name, phone FROM services WHERE id = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return SG_EDB;
    for (size_t i = 0; i < n && !rc; i++) {
        int step;
        sqlite3_bind_text(s, 1, items[i].service_id, -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            items[i].found = 1;
            store_col_text(s, 0, items[i].name, sizeof items[i].name);
            store_col_text(s, 1, items[i].phone, sizeof items[i].phone);
        } else if (step != SQLITE_DONE) {
            rc = SG_EDB;
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

sg_rc store_service_labels(const char *state_dir, service_label *items, size_t n)
{
    sqlite3 *db = NULL;
    sg_rc rc;

    for (size_t i = 0; i < n; i++) {
        items[i].found = 0;
        items[i].name[0] = items[i].phone[0] = '\0';
    }
    if (n == 0)
        return SG_OK;
    rc = directory_db_open_ro(state_dir, &db);
    if (rc == SG_ENOTFOUND)
        return SG_OK; /* no directory installed yet: every name is unknown */
    if (rc)
        return rc;
    rc = look_up(db, items, n);
    if (rc)
        sg_warn("directory: cannot read service names: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}
