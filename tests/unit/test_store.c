/*
 * The store: a fresh database is migrated to the current schema in WAL
 * mode, a screening is stored whole (answers, skips, domains, resources),
 * help choices update it, reopening keeps everything, and a database from a
 * newer release is refused.  The audit log reads back the same for the
 * console's list and the CSV export, long text cut between characters.
 */
#include <sqlite3.h>
#include "helpers.h"
#include "signpost/export.h"
#include "signpost/staff_store.h"
#include "signpost/store.h"

static char dir[] = "/tmp/signpost-store-XXXXXX";

static int setup(void **state)
{
    (void)state;
    inst = load_core();
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    instrument_free(inst);
    temp_dir_remove(dir);
    return 0;
}

static long long count(const char *sql)
{
    return temp_db_count(dir, sql);
}

static void open_migrates(void **state)
{
    (void)state;
    sg_store *st = NULL;
    char err[256];
    int version = 0;
    assert_int_equal(store_open(dir, 2, &st, err, sizeof err), SG_OK);
    assert_int_equal(store_user_version(st, &version), SG_OK);
    assert_int_equal(version, store_schema_version());
    store_close(st);
    assert_int_equal(count("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode='wal'"), 1);
}

static void save_and_reload(void **state)
{
    (void)state;
    sg_store *st = NULL;
    char err[256], id[SG_ID_LEN], *json = NULL;
    sg_submission sub = {0};
    sg_score score;
    sg_resource res = {0};

    sub.lang = instrument_lang(inst, "es");
    sub.wants_help = -1;
    answer(inst, &sub.answers, "88122-7", "LA6729-3");
    answer(inst, &sub.answers, "96778-6", "LA31996-4");
    answer(inst, &sub.answers, "96778-6", "LA28580-1");
    screening_score(inst, &sub.answers, 0, &score);
    res.domain = instrument_domain_index(inst, "food");
    snprintf(res.service_id, sizeof res.service_id, "svc-1");
    snprintf(res.why, sizeof res.why, "because");
    store_new_id(id);
    assert_int_equal(strlen(id), SG_ID_LEN - 1);
    store_screening rec = {id, 1700000000, "k1", inst, &sub, &score, &res, 1, "{\"x\":1}"};

    assert_int_equal(store_open(dir, 1, &st, err, sizeof err), SG_OK);
    assert_int_equal(store_save_screening(st, &rec), SG_OK);
    assert_int_equal(store_save_screening(st, &rec), SG_EDB); /* same id: refused whole */
    sub.wants_help = 1;
    sub.help = score.positive;
    assert_int_equal(store_save_help(st, id, inst, &sub, "{\"x\":2}"), SG_OK);
    assert_int_equal(store_save_help(st, "0000", inst, &sub, "{}"), SG_ENOTFOUND);
    assert_int_equal(store_load_result(st, id, &json), SG_OK);
    assert_string_equal(json, "{\"x\":2}");
    free(json);
    assert_int_equal(store_load_result(st, "nope", &json), SG_ENOTFOUND);
    store_close(st);

    assert_int_equal(count("SELECT count(*) FROM screenings WHERE language='es' AND "
                           "created_at='2023-11-14T22:13:20Z' AND wants_help=1"), 1);
    assert_int_equal(count("SELECT count(*) FROM screening_answers WHERE item_code='96778-6'"), 2);
    assert_int_equal(count("SELECT count(*) FROM screening_answers WHERE skipped=1"), 8);
    assert_int_equal(count("SELECT count(*) FROM screening_domains WHERE positive=1"), 2);
    assert_int_equal(count("SELECT count(*) FROM screening_domains WHERE wants_help=1"), 2);
    assert_int_equal(count("SELECT count(*) FROM screening_resources WHERE domain='food'"), 1);
    assert_int_equal(count("SELECT count(*) FROM screenings WHERE safety_score IS NULL "
                           "AND safety_complete=0"), 1);
}

/* Stores a minimal screening so print jobs have something to belong to. */
static void some_screening(sg_store *st, char id[SG_ID_LEN])
{
    sg_submission sub = {0};
    sg_score score;
    sub.wants_help = -1;
    screening_score(inst, &sub.answers, 0, &score);
    store_new_id(id);
    store_screening rec = {id, 1700000000, "k1", inst, &sub, &score, NULL, 0, "{}"};
    assert_int_equal(store_save_screening(st, &rec), SG_OK);
}

static void print_queue(void **state)
{
    (void)state;
    sg_store *st = NULL;
    char err[256], sid[SG_ID_LEN], j1[SG_ID_LEN], j2[SG_ID_LEN], j3[SG_ID_LEN];
    print_job job;
    int n = -1;

    assert_int_equal(store_open(dir, 1, &st, err, sizeof err), SG_OK);
    some_screening(st, sid);
    store_new_id(j1);
    store_new_id(j2);
    store_new_id(j3);
    assert_int_equal(store_print_enqueue(st, j1, sid, "tm-t20", "\x1b@one", 5, 2), SG_OK);
    assert_int_equal(store_print_enqueue(st, j2, sid, "tm-t20", "\x1b@two", 5, 2), SG_OK);
    assert_int_equal(store_print_enqueue(st, j3, sid, "tm-t20", "x", 1, 2), SG_EBUSY);
    assert_int_equal(store_print_enqueue(st, j3, "no-such-screening", "tm-t20", "x", 1, 9),
                     SG_EDB);

    /* Oldest first; the payload comes back byte for byte. */
    assert_int_equal(store_print_claim(st, &job), SG_OK);
    assert_string_equal(job.id, j1);
    assert_int_equal(job.status, PRINT_PRINTING);
    assert_int_equal(job.len, 5);
    assert_memory_equal(job.payload, "\x1b@one", 5);
    free(job.payload);

    /* Not ready: back in the queue, in front again. */
    assert_int_equal(store_print_requeue(st, j1, "paper out"), SG_OK);
    assert_int_equal(store_print_claim(st, &job), SG_OK);
    assert_string_equal(job.id, j1);
    assert_int_equal(job.attempts, 2);
    free(job.payload);
    assert_int_equal(store_print_finish(st, j1, NULL), SG_OK);
    assert_int_equal(store_print_finish(st, j1, NULL), SG_EDB); /* only from printing */

    /* A crash while printing j2: recovery marks it failed, never queued again. */
    assert_int_equal(store_print_claim(st, &job), SG_OK);
    free(job.payload);
    assert_int_equal(store_print_recover(st, &n), SG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_print_claim(st, &job), SG_ENOTFOUND);
    assert_int_equal(store_print_get(st, j2, &job), SG_OK);
    assert_int_equal(job.status, PRINT_FAILED);
    assert_non_null(strstr(job.error, "interrupted"));
    assert_int_equal(store_print_get(st, j1, &job), SG_OK);
    assert_string_equal(print_status_name(job.status), "done");
    assert_int_equal(store_print_get(st, j3, &job), SG_ENOTFOUND);

    /* A receipt nobody could print in time is dropped, not printed late. */
    assert_int_equal(store_print_enqueue(st, j3, sid, "tm-t20", "x", 1, 9), SG_OK);
    assert_int_equal(store_print_expire(st, 3600, &n), SG_OK);
    assert_int_equal(n, 0);
    sleep(1);
    assert_int_equal(store_print_expire(st, 0, &n), SG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_print_get(st, j3, &job), SG_OK);
    assert_int_equal(job.status, PRINT_FAILED);
    assert_non_null(strstr(job.error, "expired"));
    store_close(st);
}

/* ---- the audit log, as the console lists it and the export reads it -------- */

#define AUDIT_ROWS_MAX 4

typedef struct {
    audit_row rows[AUDIT_ROWS_MAX];
    int n;
} audit_rows;

static int keep_audit_row(void *ctx, const audit_row *r)
{
    audit_rows *a = ctx;
    assert_true(a->n < AUDIT_ROWS_MAX);
    a->rows[a->n++] = *r;
    return 0;
}

static void assert_same_audit_row(const audit_row *x, const audit_row *y)
{
    assert_int_equal(x->id, y->id);
    assert_string_equal(x->at, y->at);
    assert_int_equal(x->user_id, y->user_id);
    assert_string_equal(x->username, y->username);
    assert_string_equal(x->action, y->action);
    assert_string_equal(x->target, y->target);
    assert_string_equal(x->detail, y->detail);
    assert_string_equal(x->ip, y->ip);
}

/* n copies of the UTF-8 character c after prefix, in out. */
static void repeat(char *out, size_t outlen, const char *prefix, const char *c, int n)
{
    size_t used = (size_t)snprintf(out, outlen, "%s", prefix);
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, outlen - used, "%s", c);
    assert_true(used < outlen);
}

static void audit_rows_cut_between_characters(void **state)
{
    (void)state;
    sg_store *st = NULL;
    char err[256], long_target[512], long_detail[512], want_target[512], want_detail[512];
    audit_rows listed = {0}, exported = {0};
    /* Every row the test writes: the store stamps them with the time now. */
    export_range all = {"", "", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"};

    /* target[128] holds 127 bytes: 63 two-byte "é" and the first byte of
     * the 64th, which must go.  detail[256] holds 255: "a", 84 three-byte
     * "€" and two bytes of the 85th, which must go too. */
    repeat(long_target, sizeof long_target, "", "\xC3\xA9", 100);
    repeat(long_detail, sizeof long_detail, "a", "\xE2\x82\xAC", 100);
    repeat(want_target, sizeof want_target, "", "\xC3\xA9", 63);
    repeat(want_detail, sizeof want_detail, "a", "\xE2\x82\xAC", 84);
    audit_entry shortish = {0, "cli", "user_add", "ana", "role=admin", NULL};
    audit_entry longer = {7,           "ana",       "export.audit",
                          long_target, long_detail, "127.0.0.1"};

    assert_int_equal(store_open(dir, 2, &st, err, sizeof err), SG_OK);
    /* None yet, so the export's rows are exactly these two. */
    assert_int_equal(count("SELECT count(*) FROM audit_log"), 0);
    assert_int_equal(audit_append(st, &shortish), SG_OK);
    assert_int_equal(audit_append(st, &longer), SG_OK);
    assert_int_equal(audit_list(st, 2, keep_audit_row, &listed), SG_OK);
    assert_int_equal(export_audit_each(st, &all, keep_audit_row, &exported), SG_OK);
    store_close(st);

    /* The list is newest first, the export oldest first; the rows are the same. */
    assert_int_equal(listed.n, 2);
    assert_int_equal(exported.n, 2);
    assert_same_audit_row(&listed.rows[1], &exported.rows[0]);
    assert_same_audit_row(&listed.rows[0], &exported.rows[1]);

    const audit_row *s = &exported.rows[0], *l = &exported.rows[1];
    assert_int_equal(s->user_id, 0); /* NULL */
    assert_string_equal(s->username, "cli");
    assert_string_equal(s->action, "user_add");
    assert_string_equal(s->target, "ana");
    assert_string_equal(s->detail, "role=admin");
    assert_string_equal(s->ip, "");
    assert_int_equal(strlen(s->at), 20); /* YYYY-MM-DDTHH:MM:SSZ */

    assert_int_equal(l->user_id, 7);
    assert_string_equal(l->username, "ana");
    assert_string_equal(l->action, "export.audit");
    assert_string_equal(l->target, want_target);
    assert_string_equal(l->detail, want_detail);
    assert_int_equal(strlen(l->target), 126);
    assert_int_equal(strlen(l->detail), 253);
    assert_string_equal(l->ip, "127.0.0.1");
    /* The database keeps the whole text: only the read is cut. */
    assert_int_equal(
        count("SELECT length(CAST(detail AS BLOB)) FROM audit_log WHERE user_id = 7"),
        301);
}

static void newer_schema_refused(void **state)
{
    (void)state;
    char path[128], err[256];
    sqlite3 *db;
    sg_store *st = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, SG_DB_FILE);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(dir, 1, &st, err, sizeof err), SG_EDB);
    assert_null(st);
    assert_non_null(strstr(err, "newer than this signpost"));
}

static void unwritable_dir(void **state)
{
    (void)state;
    sg_store *st = NULL;
    char err[256];
    assert_int_not_equal(store_open("/proc/signpost-cannot", 1, &st, err, sizeof err), SG_OK);
    assert_non_null(strstr(err, "/proc/signpost-cannot"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_migrates),
        cmocka_unit_test(save_and_reload),
        cmocka_unit_test(print_queue),
        cmocka_unit_test(audit_rows_cut_between_characters),
        cmocka_unit_test(newer_schema_refused),
        cmocka_unit_test(unwritable_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
