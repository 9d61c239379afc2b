/*
 * The schema, as numbered migrations.  Migration N takes a database from
 * user_version N-1 to N.  Never edit a migration that has shipped: add the
 * next one.  Each runs in its own transaction together with the version
 * bump, so a power cut leaves the database at N-1 or N, never between.
 */
#include "store_internal.h"

static const char *const migrations[] = {
    /*
     * 1: screenings.  One row per submission, written in one insert: the
     * answers, the domains and the resources given are compact JSON columns
     * (a row costs the SD card a few pages, not thirty rows in nine
     * B-trees).  Views give reports and exports the same data as rows.
     *   answers:   [[item LOINC, answer LA code or null when skipped], ...]
     *   domains:   [[name, positive 0/1, score or null, wants help 0/1 or null], ...]
     *   resources: [[domain, HSDS service id, why], ...] in the order shown
     */
    "CREATE TABLE screenings("
    "  id TEXT PRIMARY KEY,"
    "  created_at TEXT NOT NULL,"
    "  kiosk_id TEXT NOT NULL,"
    "  instrument_id TEXT NOT NULL,"
    "  instrument_version TEXT NOT NULL,"
    "  language TEXT NOT NULL,"
    "  scoring_rule TEXT NOT NULL,"
    "  safety_score INTEGER,"
    "  safety_complete INTEGER NOT NULL CHECK (safety_complete IN (0, 1)),"
    "  wants_help INTEGER CHECK (wants_help IN (0, 1)),"
    "  help_at TEXT,"
    "  answers TEXT NOT NULL,"
    "  domains TEXT NOT NULL,"
    "  resources TEXT NOT NULL,"
    "  result_json TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX screenings_created ON screenings(created_at);"
    "CREATE VIEW screening_answers(screening_id, item_code, answer_code, skipped) AS"
    "  SELECT s.id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
    "         json_extract(j.value, '$[1]') IS NULL"
    "  FROM screenings s, json_each(s.answers) j;"
    "CREATE VIEW screening_domains(screening_id, domain, positive, score, wants_help) AS"
    "  SELECT s.id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
    "         json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')"
    "  FROM screenings s, json_each(s.domains) j;"
    "CREATE VIEW screening_resources(screening_id, domain, service_id, rank, why) AS"
    "  SELECT s.id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), j.key,"
    "         json_extract(j.value, '$[2]')"
    "  FROM screenings s, json_each(s.resources) j;",

    /* 2: the durable print queue.  The ESC/POS bytes are rendered when the
     * job is queued, so what prints is exactly what was asked for. */
    "CREATE TABLE print_jobs("
    "  id TEXT PRIMARY KEY,"
    "  screening_id TEXT NOT NULL REFERENCES screenings(id) ON DELETE CASCADE,"
    "  created_at TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('queued', 'printing', 'done', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  started_at TEXT,"
    "  finished_at TEXT,"
    "  profile TEXT NOT NULL,"
    "  payload BLOB NOT NULL"
    ") STRICT;"
    "CREATE INDEX print_jobs_queue ON print_jobs(status, created_at);"
    "CREATE INDEX print_jobs_screening ON print_jobs(screening_id);",

    /* 3: staff curation of directory services, keyed by HSDS service id so
     * that it survives every re-import.  ask_for is a JSON object of
     * language code -> text.  The partial index lists the few services the
     * matcher must consider wherever they are. */
    "CREATE TABLE service_curation("
    "  service_id TEXT PRIMARY KEY,"
    "  contact_name TEXT NOT NULL DEFAULT '',"
    "  contact_phone TEXT NOT NULL DEFAULT '',"
    "  ask_for TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(ask_for)),"
    "  priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -9 AND 9),"
    "  pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),"
    "  hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),"
    "  notes TEXT NOT NULL DEFAULT '',"
    "  verified_on TEXT NOT NULL DEFAULT '',"
    "  verified_by TEXT NOT NULL DEFAULT '',"
    "  updated_at TEXT NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX service_curation_raised ON service_curation(service_id)"
    "  WHERE pinned = 1 OR priority > 0;",
};

int store_schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

/* Applies every migration above the database's user_version. */
sg_rc store_migrate(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    int version = 0;
    char *msg = NULL;
    char bump[64];

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_finalize(stmt);
        snprintf(err, errlen, "reading user_version: %s", sqlite3_errmsg(db));
        return SG_EDB;
    }
    version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (version > store_schema_version()) {
        snprintf(err, errlen, "the database is at schema %d, newer than this signpost (%d)",
                 version, store_schema_version());
        return SG_EDB;
    }
    for (int v = version; v < store_schema_version(); v++) {
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", v + 1);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, bump, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "migration %d: %s", v + 1, msg ? msg : "failed");
            sqlite3_free(msg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return SG_EDB;
        }
    }
    return SG_OK;
}
