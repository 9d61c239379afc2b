/*
 * The SMS outbox in the store, with a fixed clock: consents and their
 * conflicts (a second consent, an opted-out number), claiming in due
 * order and never for an opted-out number, every way an attempt ends,
 * crash recovery to "unknown", expiry, replies applied once (STOP cancels,
 * one confirmation, "1" cancels reminders, a redelivery changes nothing),
 * delivery reports that never move a row backwards, staff resends, and
 * the vault and form helpers the daemon wraps around them.
 */
#include <sqlite3.h>
#include <sys/stat.h>
#include "helpers.h"
#include "signpost/sms_store.h"
#include "signpost/sms_vault.h"
#include "signpost/url.h"

#define T0 ((time_t)1790000000)

static char dir[] = "/tmp/signpost-sms-store-XXXXXX";
static sg_store *st;
static const unsigned char box[] = "sealed";

static void add_screening(const char *id)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO screenings VALUES (%Q, '2026-11-29T10:00:00Z', 'k', 'i', '1', 'en', 'r',"
        " NULL, 0, 1, NULL, '[]', '[]', '[]', '{}')", id);
    temp_db_exec(dir, sql, 0);
    sqlite3_free(sql);
}

static int setup(void **state)
{
    (void)state;
    st = temp_store_open(dir, 2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    temp_store_remove(st, dir);
    return 0;
}

static outbox_new text(const char *screening, const char *hash, outbox_kind kind, time_t due)
{
    outbox_new o = {.screening_id = screening, .phone_hash = hash, .phone_box = box,
                    .phone_box_len = sizeof box, .body_box = box, .body_box_len = sizeof box,
                    .kind = kind, .due_at = due, .expires_at = due + 3600};
    store_new_id(o.id);
    return o;
}

static sg_rc subscribe(const char *screening, const char *hash, outbox_new *rows, int n)
{
    sms_contact_new c = {screening, hash, box, sizeof box, "en", "v1", T0, 1, 0};
    return store_sms_subscribe(st, &c, rows, n);
}

typedef struct {
    const char *id;
    outbox_state state;
    int found;
} lookup;

static int find_row(void *ctx, const outbox_row *r)
{
    lookup *q = ctx;
    if (strcmp(r->id, q->id) != 0)
        return 0;
    q->state = r->state;
    q->found = 1;
    return 1;
}

static outbox_state state_of(const char *id)
{
    lookup q = {id, OUT_CANCELLED, 0};
    assert_int_equal(store_sms_list(st, NULL, 1000, find_row, &q), SG_OK);
    assert_true(q.found);
    return q.state;
}

static void count_row(void *ctx, outbox_row *row)
{
    assert_non_null(row->body_box);
    (*(int *)ctx)++;
}

static void consents_conflict_and_claims_go_in_due_order(void **state)
{
    outbox_new a[2] = {text("s1", "h1", OUTK_REMINDER, T0 + 20),
                       text("s1", "h1", OUTK_REMINDER, T0 + 10)};
    outbox_new b = text("s1", "h1", OUTK_REMINDER, T0);
    outbox_row r;
    time_t due = 0;
    (void)state;
    assert_int_equal(subscribe("nope", "h1", a, 2), SG_ENOTFOUND);
    add_screening("s1");
    assert_int_equal(subscribe("s1", "h1", a, 2), SG_OK);
    assert_int_equal(subscribe("s1", "h1", &b, 1), SG_EBUSY);
    assert_int_equal(store_sms_next_due(st, &due), SG_OK);
    assert_int_equal(due, T0 + 10);
    assert_int_equal(store_sms_claim(st, T0 + 5, &r), SG_ENOTFOUND);
    assert_int_equal(store_sms_claim(st, T0 + 30, &r), SG_OK);
    assert_string_equal(r.id, a[1].id); /* the earlier due first */
    assert_int_equal(r.state, OUT_SENDING);
    assert_int_equal(r.attempts, 1);
    assert_memory_equal(r.phone_box, box, sizeof box);
    outbox_row_clear(&r);
    assert_int_equal(state_of(a[1].id), OUT_SENDING);
}

static void attempts_end_every_way(void **state)
{
    outbox_row r;
    time_t taken[8];
    int n = 0;
    (void)state;
    /* The one claimed above: a retry puts it back with its attempt closed. */
    assert_int_equal(store_sms_claim(st, T0 + 30, &r), SG_OK); /* the T0+20 one */
    outbox_end retry = {OUT_SCHEDULED, T0 + 100, NULL, "retry", 429, 20429, "busy"};
    assert_int_equal(store_sms_end(st, r.id, &retry), SG_OK);
    assert_int_equal(store_sms_end(st, r.id, &retry), SG_EDB); /* no longer sending */
    assert_int_equal(state_of(r.id), OUT_SCHEDULED);
    outbox_row_clear(&r);
    /* Deferred (quiet hours) or throttled (429): the try is given back,
     * and claiming again never clashes with the attempts recorded. */
    assert_int_equal(store_sms_claim(st, T0 + 100, &r), SG_OK);
    assert_int_equal(r.attempts, 2);
    outbox_end later = {OUT_SCHEDULED, T0 + 100, NULL, "deferred", 0, 0, NULL};
    assert_int_equal(store_sms_end(st, r.id, &later), SG_OK);
    outbox_row_clear(&r);
    assert_int_equal(store_sms_claim(st, T0 + 100, &r), SG_OK);
    assert_int_equal(r.attempts, 2);
    outbox_end slow = {OUT_SCHEDULED, T0 + 100, NULL, "throttled", 429, 20429, "slow down"};
    assert_int_equal(store_sms_end(st, r.id, &slow), SG_OK);
    outbox_row_clear(&r);
    assert_int_equal(store_sms_claim(st, T0 + 100, &r), SG_OK);
    assert_int_equal(r.attempts, 2);
    assert_int_equal(store_sms_end(st, r.id, &retry), SG_OK);
    outbox_row_clear(&r);
    assert_int_equal(store_sms_taken(st, "h1", T0, T0 + 1000, taken, 8, &n), SG_OK);
    assert_int_equal(n, 2);
    /* A crash mid-send leaves "sending": the next start calls it unknown. */
    int recovered = 0;
    assert_int_equal(store_sms_recover(st, &recovered), SG_OK);
    assert_int_equal(recovered, 1);
    assert_int_equal(store_sms_claim(st, T0 + 100, &r), SG_OK);
    outbox_end sent = {OUT_SENT, 0, "SMabc", "sent", 201, 0, NULL};
    assert_int_equal(store_sms_end(st, r.id, &sent), SG_OK);
    assert_int_equal(store_sms_delivery(st, "SMabc", NULL, "delivered", 0, 0), SG_OK);
    assert_int_equal(state_of(r.id), OUT_DELIVERED);
    /* A late "sent" report never moves it back. */
    assert_int_equal(store_sms_delivery(st, "SMabc", NULL, "sent", 0, 0), SG_ENOTFOUND);
    assert_int_equal(state_of(r.id), OUT_DELIVERED);
    outbox_row_clear(&r);
}

static void unknown_texts_are_listed_for_reconciling(void **state)
{
    int seen = 0;
    (void)state;
    assert_int_equal(store_sms_unknown(st, T0, 16, count_row, &seen), SG_OK);
    assert_int_equal(seen, 1);
    /* Past its validity it is left for staff. */
    seen = 0;
    assert_int_equal(store_sms_unknown(st, T0 + 100000, 16, count_row, &seen), SG_OK);
    assert_int_equal(seen, 0);
}

static void expired_texts_stop_waiting(void **state)
{
    outbox_new o = text("s1", "h9", OUTK_LIST, T0);
    int n = 0;
    (void)state;
    assert_int_equal(store_sms_queue(st, &o), SG_OK);
    assert_int_equal(store_sms_expire(st, T0 + 3600, &n), SG_OK);
    assert_true(n >= 1);
    assert_int_equal(state_of(o.id), OUT_EXPIRED);
    assert_int_equal(store_sms_resend(st, o.id, T0 + 4000), SG_OK);
    assert_int_equal(state_of(o.id), OUT_SCHEDULED);
    assert_int_equal(store_sms_resend(st, o.id, T0 + 4000), SG_ENOTFOUND);
}

static sg_rc reply(const char *gid, const char *hash, const char *screening, sms_reply kind,
                   const outbox_new *answer, int *dup)
{
    sms_inbound_rec in = {.gateway_id = gid, .phone_hash = hash, .screening_id = screening,
                          .received_at = T0 + 50, .today = 20261122, .reply = kind,
                          .body_box = box, .body_box_len = sizeof box};
    return store_sms_reply(st, &in, answer, dup);
}

static void stop_cancels_once_and_redeliveries_change_nothing(void **state)
{
    outbox_new rows[2] = {text("s2", "h2", OUTK_REMINDER, T0 + 500),
                          text("s2", "h2", OUTK_REMINDER, T0 + 900)};
    outbox_new confirm = text(NULL, "h2", OUTK_STOP_CONFIRM, T0 + 50);
    outbox_new confirm2 = text(NULL, "h2", OUTK_STOP_CONFIRM, T0 + 60);
    outbox_row r;
    int dup = -1;
    (void)state;
    add_screening("s2");
    assert_int_equal(subscribe("s2", "h2", rows, 2), SG_OK);
    assert_int_equal(reply("g1", "h2", "s2", REPLY_STOP, &confirm, &dup), SG_OK);
    assert_int_equal(dup, 0);
    assert_int_equal(store_sms_opted_out(st, "h2"), 1);
    assert_int_equal(state_of(rows[0].id), OUT_CANCELLED);
    assert_int_equal(state_of(rows[1].id), OUT_CANCELLED);
    assert_int_equal(reply("g1", "h2", "s2", REPLY_STOP, &confirm2, &dup), SG_OK);
    assert_int_equal(dup, 1);
    assert_int_equal(reply("g2", "h2", "s2", REPLY_STOP, &confirm2, &dup), SG_OK);
    assert_int_equal(dup, 0);
    /* Only the first STOP is confirmed, and only the confirmation is claimed. */
    assert_int_equal(store_sms_claim(st, T0 + 60, &r), SG_OK);
    assert_string_equal(r.id, confirm.id);
    outbox_row_clear(&r);
    assert_int_equal(store_sms_claim(st, T0 + 100000, &r), SG_OK); /* the resent list (h9) */
    assert_string_equal(r.phone_hash, "h9");
    outbox_row_clear(&r);
    assert_int_equal(store_sms_claim(st, T0 + 100000, &r), SG_ENOTFOUND);
    /* A text that was out when the STOP came, and certainly did not go: it
     * is cancelled, not queued again. */
    outbox_new late = text(NULL, "h2", OUTK_HELP, T0 + 100000);
    assert_int_equal(store_sms_queue(st, &late), SG_OK);
    assert_int_equal(reply("g5", "h2", "s2", REPLY_START, NULL, &dup), SG_OK);
    assert_int_equal(store_sms_claim(st, T0 + 100000, &r), SG_OK);
    assert_string_equal(r.id, late.id);
    assert_int_equal(reply("g6", "h2", "s2", REPLY_STOP, NULL, &dup), SG_OK);
    outbox_end absent = {OUT_SCHEDULED, T0 + 100001, NULL, "reconciled", 0, 0, NULL};
    assert_int_equal(store_sms_end(st, r.id, &absent), SG_OK);
    assert_int_equal(state_of(r.id), OUT_CANCELLED);
    outbox_row_clear(&r);
    /* A new consent for an opted-out number is refused. */
    add_screening("s3");
    outbox_new again = text("s3", "h2", OUTK_REMINDER, T0 + 500);
    assert_int_equal(subscribe("s3", "h2", &again, 1), SG_EAUTH);
    assert_int_equal(reply("g3", "h2", "s2", REPLY_START, NULL, &dup), SG_OK);
    assert_int_equal(store_sms_opted_out(st, "h2"), 0);
    assert_int_equal(subscribe("s3", "h2", &again, 1), SG_OK);
}

static void yes_records_the_outcome_and_cancels_reminders(void **state)
{
    outbox_new rows[1] = {text("s4", "h4", OUTK_REMINDER, T0 + 500)};
    char path[128];
    int dup;
    (void)state;
    add_screening("s4");
    assert_int_equal(subscribe("s4", "h4", rows, 1), SG_OK);
    assert_int_equal(reply("g4", "h4", "s4", REPLY_CONNECTED, NULL, &dup), SG_OK);
    assert_int_equal(state_of(rows[0].id), OUT_CANCELLED);
    snprintf(path, sizeof path, "%s/%s", dir, SG_DB_FILE);
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT outcome FROM sms_contacts WHERE screening_id='s4'",
                                        -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "connected");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void vault_seals_and_refuses_forgeries(void **state)
{
    char path[160], plain[64], hash1[65], hash2[65], err[256];
    unsigned char sealed[128];
    sms_vault *v = NULL, *w = NULL;
    struct stat sb;
    (void)state;
    snprintf(path, sizeof path, "%s/key", dir);
    assert_int_equal(vault_open(path, 0, &v, err, sizeof err), SG_ENOTFOUND);
    assert_int_equal(vault_open(path, 1, &v, err, sizeof err), SG_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    vault_seal(v, "+12175550123", 12, sealed);
    assert_int_equal(vault_unseal(v, sealed, vault_box_len(12), plain, sizeof plain), SG_OK);
    assert_string_equal(plain, "+12175550123");
    for (size_t i = 0; i + 7 <= vault_box_len(12); i++)
        assert_true(memcmp(sealed + i, "5550123", 7) != 0);
    sealed[30] ^= 1;
    assert_int_equal(vault_unseal(v, sealed, vault_box_len(12), plain, sizeof plain), SG_EINVAL);
    assert_int_equal(vault_unseal(v, sealed, 3, plain, sizeof plain), SG_EINVAL);
    vault_hash(v, "+12175550123", hash1);
    assert_int_equal(vault_open(path, 0, &w, err, sizeof err), SG_OK);
    vault_hash(w, "+12175550123", hash2);
    assert_string_equal(hash1, hash2); /* the same key file, the same hash */
    vault_close(v);
    vault_close(w);
    FILE *f = fopen(path, "w");
    fputs("short", f);
    fclose(f);
    assert_int_equal(vault_open(path, 1, &v, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, path));
}

static void forms_decode_and_refuse_malformed_input(void **state)
{
    form_data f;
    char out[64];
    (void)state;
    static const char body[] = "Body=Stop+texting%20me&From=%2B12175550123&Empty=&Flag";
    assert_int_equal(form_parse(body, sizeof body - 1, &f), SG_OK);
    assert_int_equal(f.n, 4);
    assert_string_equal(form_get(&f, "Body"), "Stop texting me");
    assert_string_equal(form_get(&f, "From"), "+12175550123");
    assert_string_equal(form_get(&f, "Empty"), "");
    assert_string_equal(form_get(&f, "Flag"), "");
    assert_null(form_get(&f, "To"));
    form_free(&f);
    assert_int_equal(form_parse("a=%zz", 5, &f), SG_EINVAL);
    assert_int_equal(form_parse("a=%00", 5, &f), SG_EINVAL);
    assert_int_equal(form_parse("a=%4", 4, &f), SG_EINVAL);
    assert_int_equal(form_parse("a\0b", 3, &f), SG_EINVAL);
    assert_int_equal(url_escape("a b&c=d/é", out, sizeof out), SG_OK);
    assert_string_equal(out, "a%20b%26c%3Dd%2F%C3%A9");
    assert_int_equal(url_escape("abcdef", out, 4), SG_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consents_conflict_and_claims_go_in_due_order),
        cmocka_unit_test(attempts_end_every_way),
        cmocka_unit_test(unknown_texts_are_listed_for_reconciling),
        cmocka_unit_test(expired_texts_stop_waiting),
        cmocka_unit_test(stop_cancels_once_and_redeliveries_change_nothing),
        cmocka_unit_test(yes_records_the_outcome_and_cancels_reminders),
        cmocka_unit_test(vault_seals_and_refuses_forgeries),
        cmocka_unit_test(forms_decode_and_refuse_malformed_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
