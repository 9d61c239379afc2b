/*
 * Closed-loop referrals and the staff queue (referral_store.h): the pure
 * rules (status names, the new/open/closed rule, calendar dates, notes,
 * the paging cursor) and the store functions on a temporary database in
 * the clinic's time zone: staff changes with their history and audit row,
 * refusals that leave nothing behind, a patient's 1/2/3 reply, the queue's
 * order, filters and pages (and its SQL status rule agreeing with the C
 * one), the follow-up lists, and service names from a directory file.
 */
#include <sqlite3.h>
#include <time.h>
#include "helpers.h"
#include "signpost/directory_db.h"
#include "signpost/referral_store.h"
#include "signpost/staff_store.h"

static char dir[] = "/tmp/signpost-referrals-XXXXXX";
static sg_store *st;

/* ---- pure ---------------------------------------------------------------- */

static void status_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < REF_NSTATUS; i++)
        assert_int_equal(referral_status_parse(referral_status_name((referral_status)i)),
                         i);
    assert_string_equal(referral_status_name(REF_UNREACHABLE), "unreachable");
    assert_string_equal(referral_status_name((referral_status)99), "unknown");
    assert_int_equal(referral_status_parse("Connected"), -1);
    assert_int_equal(referral_status_parse(""), -1);
    assert_int_equal(referral_status_parse(NULL), -1);
    assert_true(referral_status_open(REF_SUGGESTED));
    assert_true(referral_status_open(REF_CONTACTED));
    assert_false(referral_status_open(REF_CONNECTED));
    assert_false(referral_status_open(REF_DECLINED));
    assert_false(referral_status_open(REF_UNREACHABLE));
    for (int i = 0; i <= QUEUE_CLOSED; i++)
        assert_int_equal(queue_status_parse(queue_status_name((queue_status)i)), i);
    assert_int_equal(queue_status_parse("done"), -1);
}

static void queue_status_rule(void **state)
{
    (void)state;
    assert_int_equal(queue_status_of(3, 0, 0), QUEUE_NEW);
    assert_int_equal(queue_status_of(0, 0, 0), QUEUE_NEW); /* nothing given */
    assert_int_equal(queue_status_of(3, 1, 0), QUEUE_OPEN);
    assert_int_equal(queue_status_of(3, 2, 2), QUEUE_OPEN); /* one still suggested */
    assert_int_equal(queue_status_of(3, 3, 2), QUEUE_OPEN);
    assert_int_equal(queue_status_of(3, 3, 3), QUEUE_CLOSED);
    assert_int_equal(queue_status_of(1, 1, 1), QUEUE_CLOSED);
}

static void dates_are_real_dates(void **state)
{
    char out[REFERRAL_DATE_LEN];
    (void)state;
    assert_int_equal(referral_date_parse("2026-11-29"), 20261129);
    assert_int_equal(referral_date_parse("2028-02-29"), 20280229);
    assert_int_equal(referral_date_parse("2000-02-29"), 20000229);
    assert_int_equal(referral_date_parse("2026-02-29"), -1);
    assert_int_equal(referral_date_parse("2100-02-29"), -1);
    assert_int_equal(referral_date_parse("2026-04-31"), -1);
    assert_int_equal(referral_date_parse("2026-13-01"), -1);
    assert_int_equal(referral_date_parse("2026-00-10"), -1);
    assert_int_equal(referral_date_parse("2026-01-00"), -1);
    assert_int_equal(referral_date_parse("2026-1-01"), -1);
    assert_int_equal(referral_date_parse("2026-01-01 "), -1);
    assert_int_equal(referral_date_parse("2026/01/01"), -1);
    assert_int_equal(referral_date_parse("+026-01-01"), -1);
    assert_int_equal(referral_date_parse("1969-12-31"), -1);
    assert_int_equal(referral_date_parse(""), -1);
    assert_int_equal(referral_date_parse(NULL), -1);
    referral_date_format(20260105, out);
    assert_string_equal(out, "2026-01-05");
    assert_int_equal(referral_date_add(20261129, 1), 20261130);
    assert_int_equal(referral_date_add(20261130, 1), 20261201);
    assert_int_equal(referral_date_add(20261231, 1), 20270101);
    assert_int_equal(referral_date_add(20270101, -1), 20261231);
    assert_int_equal(referral_date_add(20280228, 1), 20280229);
    assert_int_equal(referral_date_add(20260228, 1), 20260301);
    assert_int_equal(referral_date_add(20261129, -6), 20261123);
    assert_int_equal(referral_date_add(20261129, 365), 20271129);
    assert_int_equal(referral_date_add(19700101, 0), 19700101);
}

static void notes_are_checked(void **state)
{
    char big[REFERRAL_NOTE_MAX + 2];
    const char *why = NULL;
    (void)state;
    assert_int_equal(referral_note_check("", NULL), SG_OK);
    assert_int_equal(
        referral_note_check("Called 2x.\nLeft a message\t(front desk)", NULL), SG_OK);
    assert_int_equal(referral_note_check("Llamó; está en lista de espera ✓", NULL),
                     SG_OK);
    memset(big, 'a', REFERRAL_NOTE_MAX);
    big[REFERRAL_NOTE_MAX] = '\0';
    assert_int_equal(referral_note_check(big, NULL), SG_OK);
    big[REFERRAL_NOTE_MAX] = 'a';
    big[REFERRAL_NOTE_MAX + 1] = '\0';
    assert_int_equal(referral_note_check(big, &why), SG_EINVAL);
    assert_non_null(strstr(why, "2000"));
    /* 1999 ASCII bytes and a 2-byte character: 2001 bytes. */
    memset(big, 'a', REFERRAL_NOTE_MAX - 1);
    memcpy(big + REFERRAL_NOTE_MAX - 1, "\xc3\xa9", 3);
    assert_int_equal(referral_note_check(big, NULL), SG_EINVAL);
    assert_int_equal(referral_note_check("bad \xc3\x28 byte", &why), SG_EINVAL);
    assert_non_null(strstr(why, "UTF-8"));
    assert_int_equal(referral_note_check("overlong \xc0\xaf", NULL), SG_EINVAL);
    assert_int_equal(referral_note_check("surrogate \xed\xa0\x80", NULL), SG_EINVAL);
    assert_int_equal(referral_note_check("cut \xe2\x82", NULL), SG_EINVAL);
    assert_int_equal(referral_note_check("bell \x07", &why), SG_EINVAL);
    assert_non_null(strstr(why, "control"));
    assert_int_equal(referral_note_check("del \x7f", NULL), SG_EINVAL);
}

static void cursor_round_trips_and_refuses_edits(void **state)
{
    queue_cursor c = {20261129, 1, "2026-11-30T03:14:15Z",
                      "0123456789abcdef0123456789abcdef"};
    queue_cursor back;
    char s[QUEUE_CURSOR_LEN], bad[QUEUE_CURSOR_LEN];
    (void)state;

    queue_cursor_encode(&c, s);
    assert_string_equal(s, "20261129-1-20261130031415-0123456789abcdef0123456789abcdef");
    assert_int_equal(queue_cursor_decode(s, &back), SG_OK);
    assert_int_equal(back.day, c.day);
    assert_int_equal(back.help, 1);
    assert_string_equal(back.created_at, c.created_at);
    assert_string_equal(back.id, c.id);
    c.help = 0;
    queue_cursor_encode(&c, s);
    assert_int_equal(queue_cursor_decode(s, &back), SG_OK);
    assert_int_equal(back.help, 0);

    static const char *const wrong[] = {
        "",
        "20261129-1-20261130031415-0123456789abcdef0123456789abcde",   /* short */
        "20261129-1-20261130031415-0123456789abcdef0123456789abcdef0", /* long */
        "20261129-2-20261130031415-0123456789abcdef0123456789abcdef",  /* help 2 */
        "20261329-1-20261130031415-0123456789abcdef0123456789abcdef",  /* month 13 */
        "20261129-1-2026113003141x-0123456789abcdef0123456789abcdef",
        "20261129-1-20261130031415-0123456789ABCDEF0123456789abcdef", /* upper case */
        "20261129_1-20261130031415-0123456789abcdef0123456789abcdef",
        "20261129-1-20261130031415-0123456789abcdef0123456789abcd'f",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        snprintf(bad, sizeof bad, "%s", wrong[i]);
        assert_int_equal(queue_cursor_decode(bad, &back), SG_EINVAL);
    }
    assert_int_equal(queue_cursor_decode(NULL, &back), SG_EINVAL);
}

/* ---- the store ------------------------------------------------------------------ */

static void exec_sql(const char *sql)
{
    temp_db_exec(dir, sql, 0);
}

static long long count(const char *sql)
{
    return temp_db_count(dir, sql);
}

/* A screening with a food need (two services) and a utilities one (one). */
#define RESOURCES                                                                        \
    "[[\"food\",\"svc-pantry\",\"near\"],[\"food\",\"svc-meals\",\"open now\"],"         \
    "[\"utilities\",\"svc-heat\",\"taxonomy\"]]"
#define DOMAINS                                                                          \
    "[[\"housing_instability\",0,null,0],[\"food\",1,null,1],[\"utilities\",1,null,0]]"

static void add_screening(const char *id, const char *created, int wants_help,
                          const char *domains, const char *resources)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO screenings VALUES (%Q, %Q, 'k1', 'ahc-hrsn-core', '1', 'en', 'cms',"
        " NULL, 0, %s, NULL, '[]', %Q, %Q, '{}')",
        id, created,
        wants_help < 0 ? "NULL"
        : wants_help   ? "1"
                       : "0",
        domains, resources);
    exec_sql(sql);
    sqlite3_free(sql);
}

static long long add_user(const char *name, int disabled)
{
    audit_entry why = {0, "cli", "user_add", name, NULL, NULL};
    staff_user u;

    assert_int_equal(staff_user_add(st, name, STAFF_ROLE_NAVIGATOR, "x", &why), SG_OK);
    if (disabled)
        assert_int_equal(staff_user_set_disabled(st, name, 1, &why), SG_OK);
    assert_int_equal(staff_user_get(st, name, &u), SG_OK);
    return u.id;
}

static int setup(void **state)
{
    (void)state;
    /* Local days in the clinic's zone: SQLite's 'localtime' reads TZ. */
    setenv("TZ", "America/Chicago", 1);
    tzset();
    st = temp_store_open(dir, 2);
    add_user("ana", 0);
    add_user("bo", 0);
    add_user("gone", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    temp_store_remove(st, dir);
    return 0;
}

#define ID(c) c "0000000000000000000000000000000"

static referral_change change(const char *id, const char *domain, const char *service,
                              int status, const char *note)
{
    referral_change c = {id, domain, service, status, 0,   NULL,
                         0,  NULL,   note,    "ana",  NULL};
    return c;
}

static void staff_changes_keep_their_history(void **state)
{
    const char *field = NULL;
    audit_entry e = {1,          "ana", "referral.update", ID("a"), "food/svc-pantry",
                     "127.0.0.1"};
    referral_change c;
    referral_set set;
    (void)state;

    add_screening(ID("a"), "2026-11-20T15:00:00Z", 1, DOMAINS, RESOURCES);
    /* Refusals change nothing, not even the audit log. */
    long long audits = count("SELECT count(*) FROM audit_log");
    c = change(ID("f"), "food", "svc-pantry", REF_REFERRED, NULL);
    assert_int_equal(store_referral_update(st, &c, &field), SG_ENOTFOUND);
    c = change(ID("a"), "food", "svc-heat", REF_REFERRED, NULL);
    c.audit = &e;
    assert_int_equal(store_referral_update(st, &c, &field), SG_EINVAL);
    assert_string_equal(field, "service_id");
    c = change(ID("a"), "food", "svc-pantry", REF_REFERRED, NULL);
    c.set_assigned = 1;
    c.assigned_to = "gone"; /* disabled */
    c.audit = &e;
    assert_int_equal(store_referral_update(st, &c, &field), SG_EINVAL);
    assert_string_equal(field, "assigned_to");
    c.assigned_to = "nobody-here";
    assert_int_equal(store_referral_update(st, &c, &field), SG_EINVAL);
    assert_int_equal(count("SELECT count(*) FROM referrals"), 0);
    assert_int_equal(count("SELECT count(*) FROM audit_log"), audits);

    /* Referred and assigned, then contacted with a note, then a new date. */
    c.assigned_to = "BO"; /* names match in any case */
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    assert_int_equal(
        count("SELECT count(*) FROM audit_log WHERE action = 'referral.update'"), 1);
    c = change(ID("a"), "food", "svc-pantry", REF_CONTACTED, "Left a message");
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    c = change(ID("a"), "food", "svc-pantry", -1, NULL);
    c.set_follow_up = 1;
    c.next_follow_up = "2026-12-01";
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);

    assert_int_equal(store_referrals_load(st, ID("a"), &set), SG_OK);
    assert_int_equal(set.nrows, 1);
    assert_string_equal(set.rows[0].service_id, "svc-pantry");
    assert_int_equal(set.rows[0].status, REF_CONTACTED); /* kept by the date change */
    assert_string_equal(set.rows[0].assigned_to, "bo");  /* kept too */
    assert_string_equal(set.rows[0].next_follow_up, "2026-12-01");
    assert_string_equal(set.rows[0].updated_by, "ana");
    assert_int_equal(set.nevents, 3);
    assert_string_equal(set.events[0].status, "referred"); /* oldest first */
    assert_string_equal(set.events[1].status, "contacted");
    assert_string_equal(set.events[1].note, "Left a message");
    assert_string_equal(set.events[2].status, "");
    assert_false(set.events[0].from_sms);
    assert_string_equal(set.events[0].username, "ana");
    referral_set_free(&set);

    /* Unassigning: assigned_to NULL with set_assigned. */
    c = change(ID("a"), "food", "svc-pantry", -1, NULL);
    c.set_assigned = 1;
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    assert_int_equal(count("SELECT count(*) FROM referrals WHERE assigned_to IS NULL"),
                     1);
}

static void replies_close_the_loop(void **state)
{
    const char *field;
    referral_change c;
    referral_set set;
    (void)state;

    add_screening(ID("b"), "2026-11-21T15:00:00Z", 1, DOMAINS, RESOURCES);
    c = change(ID("b"), "food", "svc-meals", REF_DECLINED, NULL);
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    c = change(ID("b"), "food", "svc-pantry", REF_REFERRED, NULL);
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);

    /* Anything but 1/2/3 leaves referrals alone. */
    assert_int_equal(
        store_referral_sms_reply(st, ID("b"), REPLY_OTHER, 1795000000, 20261122), SG_OK);
    assert_int_equal(
        store_referral_sms_reply(st, ID("b"), REPLY_STOP, 1795000000, 20261122), SG_OK);
    assert_int_equal(count("SELECT count(*) FROM referral_events WHERE source = 'sms'"),
                     0);

    /* 2: a call is due today; nobody's status changes. */
    assert_int_equal(
        store_referral_sms_reply(st, ID("b"), REPLY_NOT_YET, 1795000000, 20261122),
        SG_OK);
    assert_int_equal(store_referrals_load(st, ID("b"), &set), SG_OK);
    assert_int_equal(set.nrows, 3); /* svc-heat got its row */
    for (size_t i = 0; i < set.nrows; i++) {
        if (set.rows[i].status == REF_DECLINED) {
            assert_string_equal(set.rows[i].next_follow_up, ""); /* closed: untouched */
            continue;
        }
        assert_string_equal(set.rows[i].next_follow_up, "2026-11-22");
        assert_string_equal(set.rows[i].updated_by, "sms");
    }
    assert_int_equal(set.rows[0].status, REF_DECLINED);
    assert_int_equal(set.rows[1].status, REF_REFERRED);
    assert_int_equal(set.rows[2].status, REF_SUGGESTED);
    referral_set_free(&set);

    /* 1: every open referral is connected, with the patient's event. */
    assert_int_equal(
        store_referral_sms_reply(st, ID("b"), REPLY_CONNECTED, 1795003600, 20261122),
        SG_OK);
    assert_int_equal(store_referrals_load(st, ID("b"), &set), SG_OK);
    assert_int_equal(set.rows[0].status, REF_DECLINED);
    assert_int_equal(set.rows[1].status, REF_CONNECTED);
    assert_int_equal(set.rows[2].status, REF_CONNECTED);
    size_t sms = 0;
    for (size_t i = 0; i < set.nevents; i++) {
        if (!set.events[i].from_sms)
            continue;
        sms++;
        assert_string_equal(set.events[i].username, "");
    }
    assert_int_equal(sms, 4); /* two for the 2, two for the 1 */
    assert_string_equal(set.events[set.nevents - 1].note, "Patient replied 1 (yes)");
    assert_string_equal(set.events[set.nevents - 1].status, "connected");
    assert_string_equal(set.events[set.nevents - 1].at, "2026-11-18T12:06:40Z");
    referral_set_free(&set);
    assert_int_equal(count("SELECT count(*) FROM referral_events WHERE note ="
                           " 'Patient replied 2 (not yet)' AND status IS NULL"),
                     2);
    /* A second 1 finds nothing open: no more events. */
    assert_int_equal(
        store_referral_sms_reply(st, ID("b"), REPLY_CONNECTED, 1795007200, 20261122),
        SG_OK);
    assert_int_equal(count("SELECT count(*) FROM referral_events WHERE source = 'sms'"),
                     4);
    /* 3 on a screening with no resources: nothing to move, no error. */
    add_screening(ID("c"), "2026-11-21T16:00:00Z", 0, DOMAINS, "[]");
    assert_int_equal(
        store_referral_sms_reply(st, ID("c"), REPLY_NEED_HELP, 1795000000, 20261122),
        SG_OK);
}

typedef struct {
    queue_item items[16];
    int n;
} got;

static int keep(void *ctx, const queue_item *it)
{
    got *g = ctx;
    assert_true(g->n < 16);
    g->items[g->n++] = *it;
    g->items[g->n - 1].positive_json = NULL; /* valid only during the call */
    g->items[g->n - 1].help_json = NULL;
    return 0;
}

static void list(queue_filter *f, got *g)
{
    memset(g, 0, sizeof *g);
    if (!f->limit)
        f->limit = 16;
    assert_int_equal(store_queue_list(st, f, keep, g), SG_OK);
}

/* The screenings of the queue tests, in the order the queue must give. */
static void add_queue_fixture(void)
{
    /* 2026-12-03 03:00Z is still 2026-12-02 in Chicago (UTC-6). */
    add_screening(ID("1"), "2026-12-03T03:00:00Z", 0, DOMAINS, RESOURCES);
    add_screening(ID("2"), "2026-12-02T15:00:00Z", 1, DOMAINS, RESOURCES);
    add_screening(ID("3"), "2026-12-02T16:00:00Z", -1, DOMAINS, "[]");
    add_screening(ID("4"), "2026-12-03T15:00:00Z", 0,
                  "[[\"housing_instability\",1,null,null],[\"food\",0,null,null]]",
                  "[[\"housing_instability\",\"svc-shelter\",\"near\"]]");
    add_screening(ID("5"), "2026-12-03T14:00:00Z", 1, DOMAINS, RESOURCES);
}

static void the_queue_orders_filters_and_pages(void **state)
{
    queue_filter f = {20261202, 20261203, NULL, -1, QUEUE_ANYONE, 0, NULL, 0};
    const char *field;
    referral_change c;
    got g;
    (void)state;

    add_queue_fixture();
    list(&f, &g);
    /* Day 12-03 first; there, wanting help first, then newest first. */
    assert_int_equal(g.n, 5);
    assert_string_equal(g.items[0].id, ID("5"));
    assert_string_equal(g.items[1].id, ID("4"));
    assert_string_equal(g.items[2].id, ID("2")); /* 12-02, wants help */
    assert_string_equal(g.items[3].id, ID("1")); /* 12-02 local, newer than 3 */
    assert_string_equal(g.items[4].id, ID("3"));
    assert_int_equal(g.items[3].pos.day, 20261202);
    assert_int_equal(g.items[4].wants_help, -1);
    assert_string_equal(g.items[0].receipt, "none");
    assert_int_equal(g.items[0].status, QUEUE_NEW);

    /* Pages of two meet without a gap or an overlap. */
    queue_cursor after;
    f.limit = 2;
    list(&f, &g);
    assert_int_equal(g.n, 2);
    after = g.items[1].pos;
    f.after = &after;
    list(&f, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.items[0].id, ID("2"));
    assert_string_equal(g.items[1].id, ID("1"));
    after = g.items[1].pos;
    list(&f, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].id, ID("3"));
    f.after = NULL;
    f.limit = 0;

    /* One day only, by local date. */
    f.from = f.to = 20261202;
    list(&f, &g);
    assert_int_equal(g.n, 3);
    f.from = 20261202;
    f.to = 20261203;

    /* need: positive domains only. */
    f.need = "housing_instability";
    list(&f, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].id, ID("4"));
    f.need = NULL;

    /* Statuses and assignment. */
    c = change(ID("5"), "utilities", "svc-heat", REF_CONNECTED, NULL);
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    c = change(ID("4"), "housing_instability", "svc-shelter", REF_UNREACHABLE, NULL);
    c.set_assigned = 1;
    c.assigned_to = "bo";
    c.set_follow_up = 1;
    c.next_follow_up = "2026-12-09";
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    c = change(ID("2"), "food", "svc-meals", REF_REFERRED, NULL);
    c.set_assigned = 1;
    c.assigned_to = "ana";
    c.set_follow_up = 1;
    c.next_follow_up = "2026-12-08";
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    c = change(ID("2"), "food", "svc-pantry", REF_REFERRED, NULL);
    c.set_assigned = 1;
    c.assigned_to = "bo";
    c.set_follow_up = 1;
    c.next_follow_up = "2026-12-06";
    assert_int_equal(store_referral_update(st, &c, &field), SG_OK);
    exec_sql(
        "INSERT INTO print_jobs(id, screening_id, created_at, status, profile, payload)"
        " VALUES ('j1', '" ID(
            "2") "', '2026-12-02T15:01:00Z', 'failed', 'p', x'00'),"
                 " ('j2', '" ID("2") "', '2026-12-02T15:05:00Z', 'done', 'p', x'00')");

    f.status = QUEUE_OPEN;
    list(&f, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.items[0].id, ID("5"));
    assert_string_equal(g.items[1].id, ID("2"));
    assert_string_equal(g.items[1].receipt, "done"); /* the latest job */
    assert_string_equal(g.items[1].assigned, "ana,bo");
    assert_string_equal(g.items[1].follow_up_due, "2026-12-06"); /* the earliest */
    f.status = QUEUE_CLOSED;
    list(&f, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].id, ID("4"));
    assert_string_equal(g.items[0].follow_up_due, ""); /* closed: nothing due */
    f.status = QUEUE_NEW;
    list(&f, &g);
    assert_int_equal(g.n, 2);

    /* The SQL's rule and queue_status_of() agree on every row. */
    f.status = -1;
    got all;
    list(&f, &all);
    for (int s = QUEUE_NEW; s <= QUEUE_CLOSED; s++) {
        int want = 0;
        f.status = s;
        list(&f, &g);
        for (int i = 0; i < all.n; i++)
            want += all.items[i].status == (queue_status)s;
        assert_int_equal(g.n, want);
        for (int i = 0; i < g.n; i++)
            assert_int_equal(g.items[i].status, s);
    }
    f.status = -1;

    f.assigned = QUEUE_ASSIGNED_TO;
    f.assigned_id = add_user("cy", 0);
    list(&f, &g);
    assert_int_equal(g.n, 0);
    staff_user u;
    assert_int_equal(staff_user_get(st, "bo", &u), SG_OK);
    f.assigned_id = u.id;
    list(&f, &g);
    assert_int_equal(g.n, 2);
    f.assigned = QUEUE_UNASSIGNED;
    list(&f, &g);
    assert_int_equal(g.n, 3);
}

typedef struct {
    followup_item items[8];
    int n;
} fgot;

static int keep_followup(void *ctx, const followup_item *it)
{
    fgot *g = ctx;
    assert_true(g->n < 8);
    g->items[g->n++] = *it;
    return 0;
}

static void follow_up_lists(void **state)
{
    fgot g;
    (void)state;

    /* Open: a's 12-01 (first test), 2's 12-06 and 12-08; 4's 12-09 is
     * unreachable, so never due. */
    memset(&g, 0, sizeof g);
    assert_int_equal(store_followup_due(st, 20261208, 0, 50, keep_followup, &g), SG_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].service_id, "svc-meals");
    assert_string_equal(g.items[0].assigned_to, "ana");
    assert_string_equal(g.items[0].created_at, "2026-12-02T15:00:00Z");
    assert_int_equal(g.items[0].status, REF_REFERRED);
    memset(&g, 0, sizeof g);
    assert_int_equal(store_followup_due(st, 20261208, 1, 50, keep_followup, &g), SG_OK);
    assert_int_equal(g.n, 2); /* oldest date first */
    assert_string_equal(g.items[0].next_follow_up, "2026-12-01");
    assert_string_equal(g.items[0].screening_id, ID("a"));
    assert_string_equal(g.items[1].next_follow_up, "2026-12-06");
    memset(&g, 0, sizeof g);
    assert_int_equal(store_followup_due(st, 20261210, 1, 50, keep_followup, &g), SG_OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.items[2].next_follow_up, "2026-12-08");
    memset(&g, 0, sizeof g);
    assert_int_equal(store_followup_due(st, 20261210, 1, 1, keep_followup, &g), SG_OK);
    assert_int_equal(g.n, 1);
    memset(&g, 0, sizeof g);
    assert_int_equal(store_followup_due(st, 20261201, 1, 50, keep_followup, &g), SG_OK);
    assert_int_equal(g.n, 0);
}

typedef struct {
    char ids[8][SG_ID_LEN];
    time_t sent[8];
    int n;
} ngot;

static int keep_no_answer(void *ctx, const char *id, const char *kind, time_t sent)
{
    ngot *g = ctx;
    assert_string_equal(kind, "reminder");
    assert_true(g->n < 8);
    snprintf(g->ids[g->n], SG_ID_LEN, "%s", id);
    g->sent[g->n++] = sent;
    return 0;
}

static void add_text(const char *id, const char *screening, const char *kind,
                     const char *state, long long sent)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box, "
        "state,"
        " due_at, expires_at, sent_at, created_at, updated_at)"
        " VALUES (%Q, %Q, 'h', x'00', %Q, x'00', %Q, %lld, %lld, %lld, %lld, %lld)",
        id, screening, kind, state, sent, sent + 3600, sent, sent, sent);
    exec_sql(sql);
    sqlite3_free(sql);
}

static void unanswered_check_ins(void **state)
{
    const long long now = 1796000000, day = 86400;
    ngot g;
    (void)state;

    /* 6: sent 3 days ago, silence since: listed. */
    add_screening(ID("6"), "2026-11-01T15:00:00Z", 1, DOMAINS, RESOURCES);
    add_text("t6", ID("6"), "reminder", "delivered", now - 3 * day);
    /* 7: answered after the text: not listed. */
    add_screening(ID("7"), "2026-11-01T15:00:00Z", 1, DOMAINS, RESOURCES);
    add_text("t7", ID("7"), "reminder", "sent", now - 4 * day);
    exec_sql("INSERT INTO sms_inbound VALUES ('g7', 'h', '" ID("7") "', 1795700000,"
                                                                    " 'not_yet', x'00')");
    /* 8: an older text unanswered, but a newer one sent yesterday: not yet. */
    add_screening(ID("8"), "2026-11-01T15:00:00Z", 1, DOMAINS, RESOURCES);
    add_text("t8a", ID("8"), "reminder", "sent", now - 8 * day);
    add_text("t8b", ID("8"), "reminder", "sent", now - 1 * day);
    /* 9: a list text, a failed reminder and one from long ago: none count. */
    add_screening(ID("9"), "2026-11-01T15:00:00Z", 1, DOMAINS, RESOURCES);
    add_text("t9a", ID("9"), "list", "sent", now - 3 * day);
    add_text("t9b", ID("9"), "reminder", "failed", now - 3 * day);
    add_text("t9c", ID("9"), "reminder", "sent", now - 40 * day);

    memset(&g, 0, sizeof g);
    assert_int_equal(store_followup_no_answer(st, (time_t)now, 50, keep_no_answer, &g),
                     SG_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.ids[0], ID("6"));
    assert_int_equal(g.sent[0], now - 3 * day);
}

static void submission_reads(void **state)
{
    submission_row row;
    submission_consent c;
    (void)state;

    assert_int_equal(store_submission_get(st, ID("a"), &row), SG_OK);
    assert_string_equal(row.kiosk_id, "k1");
    assert_int_equal(row.safety_score, -1);
    assert_int_equal(row.wants_help, 1);
    assert_string_equal(row.resources_json, RESOURCES);
    submission_row_clear(&row);
    submission_row_clear(&row); /* twice is harmless */
    assert_int_equal(store_submission_get(st, ID("e"), &row), SG_ENOTFOUND);
    assert_int_equal(store_submission_consent(st, ID("a"), &c), SG_ENOTFOUND);
    exec_sql(
        "INSERT INTO sms_contacts(screening_id, phone_hash, phone_box, language,"
        " consent_version, consented_at, reminders, list)"
        " VALUES ('" ID("a") "', 'h', x'00', 'es', '2026-11-29.1', 1795000000, 1, 0)");
    assert_int_equal(store_submission_consent(st, ID("a"), &c), SG_OK);
    assert_int_equal(c.at, 1795000000);
    assert_string_equal(c.language, "es");
    assert_string_equal(c.version, "2026-11-29.1");
}

static void names_come_from_the_directory(void **state)
{
    service_label l[3] = {{.service_id = "svc-pantry"},
                          {.service_id = "svc-gone"},
                          {.service_id = "svc-heat"}};
    char path[160], *err = NULL;
    sqlite3 *db;
    (void)state;

    /* No directory yet: nothing found, and that is not an error. */
    assert_int_equal(store_service_labels(dir, l, 3), SG_OK);
    assert_false(l[0].found);
    snprintf(path, sizeof path, "%s/%s", dir, DIRECTORY_DB_FILE);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, directory_db_schema(), NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(db,
                     "INSERT INTO services(id, name, phone) VALUES"
                     " ('svc-pantry', 'Riverton Food Pantry', '(217) 555-0199'),"
                     " ('svc-heat', 'Warm Homes', '')",
                     NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s", err);
    sqlite3_close(db);
    assert_int_equal(store_service_labels(dir, l, 3), SG_OK);
    assert_true(l[0].found);
    assert_string_equal(l[0].name, "Riverton Food Pantry");
    assert_string_equal(l[0].phone, "(217) 555-0199");
    assert_false(l[1].found);
    assert_string_equal(l[1].name, "");
    assert_true(l[2].found);
    assert_string_equal(l[2].phone, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_names_round_trip),
        cmocka_unit_test(queue_status_rule),
        cmocka_unit_test(dates_are_real_dates),
        cmocka_unit_test(notes_are_checked),
        cmocka_unit_test(cursor_round_trips_and_refuses_edits),
        cmocka_unit_test(staff_changes_keep_their_history),
        cmocka_unit_test(replies_close_the_loop),
        cmocka_unit_test(the_queue_orders_filters_and_pages),
        cmocka_unit_test(follow_up_lists),
        cmocka_unit_test(unanswered_check_ins),
        cmocka_unit_test(submission_reads),
        cmocka_unit_test(names_come_from_the_directory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
