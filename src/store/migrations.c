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

    /*
     * 4: SMS follow-up.  Phone numbers and texts are stored only sealed
     * (libsodium secretbox; the key lives in a file, not here); phone_hash
     * is a keyed hash of the number, so opt-outs, caps and replies can be
     * matched without opening a box.  Times are Unix seconds: the worker
     * compares them on every pass.  The partial index lets the worker find
     * what is due without reading the rows that wait for next week.
     *   sms_contacts: one per screening whose patient agreed to texts
     *   sms_outbox:   one row per text, written before any network call
     *   sms_attempts: one row per try, so a crash mid-send is visible
     *   sms_inbound:  replies, de-duplicated by the gateway's message id
     */
    "CREATE TABLE sms_contacts("
    "  screening_id TEXT PRIMARY KEY REFERENCES screenings(id) ON DELETE CASCADE,"
    "  phone_hash TEXT NOT NULL,"
    "  phone_box BLOB NOT NULL,"
    "  language TEXT NOT NULL,"
    "  consent_version TEXT NOT NULL,"
    "  consented_at INTEGER NOT NULL,"
    "  reminders INTEGER NOT NULL CHECK (reminders IN (0, 1)),"
    "  list INTEGER NOT NULL CHECK (list IN (0, 1)),"
    "  outcome TEXT CHECK (outcome IN ('connected', 'not_yet', 'need_help')),"
    "  outcome_at INTEGER"
    ") STRICT;"
    "CREATE INDEX sms_contacts_phone ON sms_contacts(phone_hash, consented_at);"
    "CREATE TABLE sms_outbox("
    "  id TEXT PRIMARY KEY,"
    "  screening_id TEXT REFERENCES screenings(id) ON DELETE CASCADE,"
    "  phone_hash TEXT NOT NULL,"
    "  phone_box BLOB NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN"
    "    ('reminder', 'list', 'help', 'stop_confirm', 'start_confirm')),"
    "  body_box BLOB NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('scheduled', 'sending', 'sent', 'delivered',"
    "    'failed', 'unknown', 'expired', 'cancelled')),"
    "  due_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  gateway_id TEXT,"
    "  error TEXT,"
    "  sent_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX sms_outbox_due ON sms_outbox(due_at) WHERE state = 'scheduled';"
    "CREATE INDEX sms_outbox_open ON sms_outbox(state) WHERE state IN ('sending', 'unknown');"
    "CREATE INDEX sms_outbox_phone ON sms_outbox(phone_hash, due_at);"
    "CREATE INDEX sms_outbox_screening ON sms_outbox(screening_id);"
    "CREATE INDEX sms_outbox_gateway ON sms_outbox(gateway_id) WHERE gateway_id IS NOT NULL;"
    "CREATE TABLE sms_attempts("
    "  outbox_id TEXT NOT NULL REFERENCES sms_outbox(id) ON DELETE CASCADE,"
    "  n INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL,"
    "  ended_at INTEGER,"
    "  outcome TEXT,"
    "  http_status INTEGER,"
    "  error_code INTEGER,"
    "  detail TEXT,"
    "  PRIMARY KEY (outbox_id, n)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE sms_optouts("
    "  phone_hash TEXT PRIMARY KEY,"
    "  opted_out_at INTEGER NOT NULL,"
    "  via TEXT NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE sms_inbound("
    "  gateway_id TEXT PRIMARY KEY,"
    "  phone_hash TEXT NOT NULL,"
    "  screening_id TEXT REFERENCES screenings(id) ON DELETE SET NULL,"
    "  received_at INTEGER NOT NULL,"
    "  reply TEXT NOT NULL,"
    "  body_box BLOB NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX sms_inbound_screening ON sms_inbound(screening_id, received_at);"
    "CREATE INDEX sms_inbound_received ON sms_inbound(received_at);",

    /*
     * 5: what reports keep after retention.  `signpost maintain` adds the
     * counts of the visits, texts and replies it is about to delete, per
     * local day, before deleting them (src/store/maintain.c), so the
     * clinic's numbers survive the answers and the phone numbers.
     * metric: screenings, wants_help, language:LANG, positive:DOMAIN,
     * sms_consents, texts_sent, replies:KIND.
     */
    "CREATE TABLE daily_counts("
    "  day TEXT NOT NULL,"
    "  metric TEXT NOT NULL,"
    "  value INTEGER NOT NULL,"
    "  PRIMARY KEY (day, metric)"
    ") STRICT, WITHOUT ROWID;",

    /*
     * 6: staff accounts, sessions, the audit log and login throttling
     * (include/signpost/staff_store.h).  Session times and throttling
     * times are Unix seconds, compared on every request; account and
     * audit times are ISO 8601 UTC text, read by people.
     *   staff_sessions: id_hash is a keyed hash of the session id (the key
     *     lives only in the daemon's memory), never the id itself
     *   audit_log: append-only; the triggers refuse UPDATE and DELETE from
     *     any connection (someone who can edit the file can still drop them:
     *     this guards against the program and slips, not the file's owner).
     *     No foreign key: a row must always go in.  Signpost never purges
     *     it; its retention is out of scope (the clinic's records policy)
     *   login_failures: key is "user:NAME" (lower case) or "ip:ADDRESS"
     */
    "CREATE TABLE staff_users("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT UNIQUE NOT NULL COLLATE NOCASE,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'navigator', 'viewer')),"
    "  pw_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  last_login_at TEXT"
    ") STRICT;"
    "CREATE TABLE staff_sessions("
    "  id_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  ip TEXT"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX staff_sessions_user ON staff_sessions(user_id);"
    "CREATE TABLE audit_log("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  user_id INTEGER,"
    "  username TEXT,"
    "  action TEXT NOT NULL,"
    "  target TEXT,"
    "  detail TEXT,"
    "  ip TEXT"
    ") STRICT;"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    "  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    "  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
    "CREATE TABLE login_failures("
    "  key TEXT PRIMARY KEY,"
    "  count INTEGER NOT NULL,"
    "  first_at INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL,"
    "  locks INTEGER NOT NULL DEFAULT 0"
    ") STRICT, WITHOUT ROWID;",

    /*
     * 7: closed-loop referrals.  Each resource a screening gave
     * (screenings.resources) is a suggested referral; its row here appears
     * the first time staff, or a patient's text reply, moves it on, so the
     * kiosk's insert stays one row.  referral_events keeps every change:
     * who or what made it (source 'sms' for a patient's reply), the status
     * it set and the note; the history is shown, never edited.
     *   next_follow_up: YYYY-MM-DD in clinic time, or NULL
     *   updated_by: a staff username, or "sms"
     */
    "CREATE TABLE referrals("
    "  id INTEGER PRIMARY KEY,"
    "  screening_id TEXT NOT NULL REFERENCES screenings(id) ON DELETE CASCADE,"
    "  domain TEXT NOT NULL,"
    "  service_id TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('suggested', 'referred', 'contacted',"
    "    'connected', 'declined', 'unreachable')),"
    "  assigned_to INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,"
    "  next_follow_up TEXT,"
    "  updated_at TEXT NOT NULL,"
    "  updated_by TEXT NOT NULL,"
    "  UNIQUE (screening_id, domain, service_id)"
    ") STRICT;"
    "CREATE INDEX referrals_follow_up ON referrals(next_follow_up)"
    "  WHERE status IN ('suggested', 'referred', 'contacted');"
    "CREATE INDEX referrals_assigned ON referrals(assigned_to);"
    "CREATE INDEX referrals_service ON referrals(service_id);"
    "CREATE TABLE referral_events("
    "  id INTEGER PRIMARY KEY,"
    "  referral_id INTEGER NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,"
    "  at TEXT NOT NULL,"
    "  source TEXT NOT NULL CHECK (source IN ('staff', 'sms')),"
    "  username TEXT,"
    "  status TEXT,"
    "  note TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX referral_events_referral ON referral_events(referral_id, id);",
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
