/*
 * The retention purge on a real store: old visits become daily counts
 * (screenings, positive domains, wants help, languages, consents, texts
 * sent, replies by kind, per local day) and are deleted with their
 * consents, texts, attempts, receipts and replies; newer visits stay; a
 * visit with a text still to send waits; a second run counts nothing
 * twice.  Also compaction and the file tools: a bounded integrity check,
 * a copy that refuses to overwrite, and a key copied with mode 0600.
 */
#include <sqlite3.h>
#include <sys/stat.h>
#include "helpers.h"
#include "signpost/maintain.h"

static char dir[] = "/tmp/signpost-maintain-XXXXXX";
static sg_store *st;

static void exec(const char *sql)
{
    temp_db_exec(dir, sql, 1);
}

static long long count(const char *sql)
{
    char path[128];
    long long n = -1;
    snprintf(path, sizeof path, "%s/%s", dir, SG_DB_FILE);
    assert_int_equal(db_query_long(path, sql, &n), SG_OK);
    return n;
}

/* A visit at created (ISO), positive for food, in lang, with a consent,
 * one text in state, its attempt, a receipt, and a STOP reply at t. */
static void visit(const char *id, const char *created, const char *lang, const char *state,
                  long t)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO screenings VALUES (%Q, %Q, 'k', 'i', '1', %Q, 'r', NULL, 0, 1, NULL,"
        " '[]', '[[\"food\",1,null,1],[\"housing\",0,null,null]]', '[]', '{}');"
        "INSERT INTO sms_contacts VALUES (%Q, 'h-%q', x'00', 'en', 'v1', %ld, 1, 0, NULL, NULL);"
        "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box, state,"
        " due_at, expires_at, created_at, updated_at) VALUES ('o-%q', %Q, 'h-%q', x'00',"
        " 'reminder', x'00', %Q, %ld, %ld, %ld, %ld);"
        "INSERT INTO sms_attempts(outbox_id, n, started_at) VALUES ('o-%q', 1, %ld);"
        "INSERT INTO print_jobs(id, screening_id, created_at, status, profile, payload)"
        " VALUES ('p-%q', %Q, %Q, 'done', 'generic-58', x'00');"
        "INSERT INTO sms_inbound VALUES ('g-%q', 'h-%q', %Q, %ld, 'stop', x'00');",
        id, created, lang, id, id, t, id, id, id, state, t, t + 86400, t, t, id, t, id, id,
        created, id, id, id, t);
    exec(sql);
    sqlite3_free(sql);
}

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    st = temp_store_open(dir, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    temp_store_remove(st, dir);
    return 0;
}

static long long metric(const char *day, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT value FROM daily_counts WHERE day = '%s' AND metric = '%s'),"
             " 0)", day, name);
    return count(sql);
}

static void old_visits_become_counts(void **state)
{
    maintain_purged r;
    (void)state;

    /* 1780000000 = 2026-05-28T20:26:40Z; the cut is 2026-06-01. */
    visit("old1", "2026-05-28T20:26:40Z", "es", "delivered", 1780000000);
    visit("old2", "2026-05-28T21:00:00Z", "en", "sent", 1780002000);
    visit("wait", "2026-05-28T22:00:00Z", "en", "scheduled", 1780005600);
    visit("new1", "2026-06-20T10:00:00Z", "en", "sent", 1781949600);
    exec("INSERT INTO sms_inbound VALUES ('g-lone', 'h-x', NULL, 1700000000, 'help', x'00')");

    assert_int_equal(store_purge_before(st, "2026-06-01T00:00:00Z", 1780272000, &r), SG_OK);
    assert_int_equal(r.screenings, 2);
    assert_int_equal(r.texts, 2);
    assert_int_equal(r.replies, 4); /* older than the cut, whichever visit they answer */
    assert_int_equal(r.kept, 1);    /* "wait" still has a reminder to send */

    assert_int_equal(metric("2026-05-28", "screenings"), 2);
    assert_int_equal(metric("2026-05-28", "positive:food"), 2);
    assert_int_equal(metric("2026-05-28", "positive:housing"), 0);
    assert_int_equal(metric("2026-05-28", "wants_help"), 2);
    assert_int_equal(metric("2026-05-28", "language:es"), 1);
    assert_int_equal(metric("2026-05-28", "language:en"), 1);
    assert_int_equal(metric("2026-05-28", "sms_consents"), 2);
    assert_int_equal(metric("2026-05-28", "texts_sent"), 2);
    assert_int_equal(metric("2026-05-28", "replies:stop"), 3);
    assert_int_equal(metric("2023-11-14", "replies:help"), 1);

    assert_int_equal(count("SELECT count(*) FROM screenings WHERE id LIKE 'old%'"), 0);
    assert_int_equal(count("SELECT count(*) FROM screenings"), 2);
    assert_int_equal(count("SELECT count(*) FROM sms_contacts"), 2);
    assert_int_equal(count("SELECT count(*) FROM sms_outbox"), 2);
    assert_int_equal(count("SELECT count(*) FROM sms_attempts"), 2);
    assert_int_equal(count("SELECT count(*) FROM print_jobs"), 2);
    assert_int_equal(count("SELECT count(*) FROM sms_inbound"), 1);

    /* Nothing new to purge: the counts stay as they are. */
    assert_int_equal(store_purge_before(st, "2026-06-01T00:00:00Z", 1780272000, &r), SG_OK);
    assert_int_equal(r.screenings, 0);
    assert_int_equal(metric("2026-05-28", "screenings"), 2);
    /* Once its text is sent, the waiting visit goes too, and adds to its day. */
    exec("UPDATE sms_outbox SET state = 'sent' WHERE id = 'o-wait'");
    assert_int_equal(store_purge_before(st, "2026-06-01T00:00:00Z", 1780272000, &r), SG_OK);
    assert_int_equal(r.screenings, 1);
    assert_int_equal(metric("2026-05-28", "screenings"), 3);
    assert_int_equal(metric("2026-05-28", "texts_sent"), 3);
}

static void compaction_only_when_worth_it(void **state)
{
    int done = -1;
    (void)state;
    assert_int_equal(store_compact(st, &done), SG_OK);
    assert_int_equal(done, 0); /* a small file with little free */
    exec("CREATE TABLE filler(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
         " FROM n WHERE i < 2000) INSERT INTO filler SELECT zeroblob(4000) FROM n;"
         "DROP TABLE filler; PRAGMA wal_checkpoint(TRUNCATE);");
    assert_int_equal(store_compact(st, &done), SG_OK);
    assert_int_equal(done, 1);
    assert_true(count("PRAGMA freelist_count") < 10);
}

static void file_tools(void **state)
{
    char src[160], dest[160], key[160], key2[160], first[128], err[512];
    long long size = 0;
    struct stat sb;
    FILE *f;
    (void)state;

    snprintf(src, sizeof src, "%s/%s", dir, SG_DB_FILE);
    snprintf(dest, sizeof dest, "%s/copy.db", dir);
    assert_int_equal(db_check(src, 0, 30, first, sizeof first), SG_OK);
    assert_string_equal(first, "ok");
    assert_int_equal(db_copy(src, dest, 0, &size, err, sizeof err), SG_OK);
    assert_true(size > 0);
    assert_int_equal(stat(dest, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(db_copy(src, dest, 0, &size, err, sizeof err), SG_EBUSY);
    assert_non_null(strstr(err, "not overwritten"));
    assert_int_equal(db_check(dest, 1, 30, first, sizeof first), SG_OK);
    assert_string_equal(first, "ok");
    assert_int_equal(db_check("/nonexistent/x.db", 0, 30, first, sizeof first), SG_ENOTFOUND);

    snprintf(key, sizeof key, "%s/k", dir);
    snprintf(key2, sizeof key2, "%s/k2", dir);
    f = fopen(key, "w");
    assert_non_null(f);
    fputs("0123456789abcdef0123456789abcdef", f);
    fclose(f);
    assert_int_equal(file_copy_secret(key, key2, 0, &size, err, sizeof err), SG_OK);
    assert_int_equal(size, 32);
    assert_int_equal(stat(key2, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(file_copy_secret(key, key2, 0, &size, err, sizeof err), SG_EBUSY);
    assert_int_equal(file_copy_secret(key, key2, 1, &size, err, sizeof err), SG_OK);

    /* Garbage is not a database. */
    f = fopen(dest, "r+");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("garbage!", f);
    fclose(f);
    assert_int_not_equal(db_check(dest, 0, 30, first, sizeof first), SG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(old_visits_become_counts),
        cmocka_unit_test(compaction_only_when_worth_it),
        cmocka_unit_test(file_tools),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
