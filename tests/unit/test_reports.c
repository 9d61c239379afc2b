/*
 * The clinic's report: the pure arithmetic (the range check, adding rows
 * up, rates whose denominator is 0, a funnel that only narrows) and the
 * store's counting on a real database in the clinic's time zone: visits
 * grouped by local day, referrals counted in every stage they reached,
 * SMS numbers, one service's outcomes, and the same report before and
 * after the retention purge turned most of the rows into daily_counts.
 */
#include <math.h>
#include <sqlite3.h>
#include "helpers.h"
#include "signpost/maintain.h"
#include "signpost/reports.h"

static const char *const domains[] = {"housing_instability", "housing_quality", "food",
                                      "transportation",      "utilities",       "safety"};

/* ---- the range ----------------------------------------------------- */

static void range_defaults_and_limits(void **state)
{
    const char *field;
    char msg[96];
    int f = 0, t = 0;
    (void)state;

    assert_int_equal(report_range(NULL, NULL, 20261129, &f, &t, &field, msg, sizeof msg),
                     SG_OK);
    assert_int_equal(f, 20261031); /* the last 30 local days, today included */
    assert_int_equal(t, 20261129);
    assert_int_equal(
        report_range(NULL, "2026-03-05", 20261129, &f, &t, &field, msg, sizeof msg),
        SG_OK);
    assert_int_equal(f, 20260204);
    assert_int_equal(t, 20260305);
    assert_int_equal(
        report_range("2026-11-20", NULL, 20261129, &f, &t, &field, msg, sizeof msg),
        SG_OK);
    assert_int_equal(f, 20261120);
    assert_int_equal(t, 20261129);
    /* 366 days is a leap year's worth; one more is refused. */
    assert_int_equal(report_range("2028-01-01", "2028-12-31", 20261129, &f, &t, &field,
                                  msg, sizeof msg),
                     SG_OK);
    assert_int_equal(report_range("2027-01-01", "2028-01-02", 20261129, &f, &t, &field,
                                  msg, sizeof msg),
                     SG_ETOOBIG);
    assert_string_equal(field, "from");
    assert_int_equal(
        report_range(NULL, "2026-11-29", 20261129, &f, &t, &field, msg, sizeof msg),
        SG_OK);
    assert_int_equal(report_range("2026-11-30", "2026-11-29", 20261129, &f, &t, &field,
                                  msg, sizeof msg),
                     SG_ENOTFOUND);
    assert_string_equal(field, "from");
}

static void range_refuses_malformed_dates(void **state)
{
    static const char *const bad[] = {
        "2026-02-30",           "2026-13-01", "2026-1-01", "20261101",
        "2026-11-01T00:00:00Z", "",           "yesterday", "2026-11-0x"};
    const char *field;
    char msg[96];
    int f, t;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            report_range(bad[i], NULL, 20261129, &f, &t, &field, msg, sizeof msg),
            SG_EINVAL);
        assert_string_equal(field, "from");
        assert_non_null(strstr(msg, "YYYY-MM-DD"));
        assert_int_equal(
            report_range(NULL, bad[i], 20261129, &f, &t, &field, msg, sizeof msg),
            SG_EINVAL);
        assert_string_equal(field, "to");
    }
}

/* ---- adding up ------------------------------------------------------ */

static void rows_add_up_by_day_and_metric(void **state)
{
    report_counts c;
    report_rates r;
    (void)state;

    report_init(&c, 20260228, 20260302, domains, 6);
    assert_int_equal(c.ndays, 3); /* 2026 is not a leap year */
    assert_int_equal(report_add(&c, "2026-02-28", "screenings", 2), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "screenings", 5), 0);
    assert_int_equal(report_add(&c, "2026-03-03", "screenings", 7),
                     1); /* after the range */
    assert_int_equal(report_add(&c, "2026-02-27", "screenings", 7), 1); /* before it */
    assert_int_equal(report_add(&c, "2026-03-01", "no_such_metric", 7), 1);
    assert_int_equal(report_add(&c, "2026-03-01", "positive:food", 3), 0);
    assert_int_equal(report_add(&c, "2026-03-01", "positive:housing", 1),
                     0); /* an old name */
    assert_int_equal(report_add(&c, "2026-03-01", "language:es", 1), 0);
    assert_int_equal(report_add(&c, "2026-03-01", "language:en", 1), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "language:en", 4), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "language:vi", 1), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "replies:stop", 1), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "replies:connected", 2), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "texts_sent", 4), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "wants_help", 3), 0);
    assert_int_equal(report_add(&c, "2026-03-02", "wants_help_no", 1), 0);
    report_finish(&c, &r);

    assert_int_equal(c.per_day[0], 2);
    assert_int_equal(c.per_day[1], 0);
    assert_int_equal(c.per_day[2], 5);
    assert_int_equal(c.screenings, 7);
    assert_int_equal(c.ndomains, 7);
    assert_string_equal(c.domains[2].name, "food");
    assert_int_equal(c.domains[2].positive, 3);
    assert_string_equal(c.domains[6].name, "housing");
    assert_int_equal(c.nlangs, 3); /* most first, then by code */
    assert_string_equal(c.langs[0].code, "en");
    assert_int_equal(c.langs[0].count, 5);
    assert_string_equal(c.langs[1].code, "es");
    assert_string_equal(c.langs[2].code, "vi");
    assert_int_equal(c.replies, 3);
    assert_int_equal(r.wants_unknown, 3);
    assert_true(fabs(r.help_rate - 0.75) < 1e-9);
    assert_true(fabs(r.positive_rate[2] - 0.4286) < 1e-9); /* 3/7, to 4 places */
    assert_true(fabs(r.reply_rate - 0.75) < 1e-9);
}

static void rates_with_nothing_to_divide_by_are_nan(void **state)
{
    report_counts c;
    report_rates r;
    (void)state;

    report_init(&c, 20261101, 20261101, domains, 6);
    report_finish(&c, &r);
    assert_true(isnan(r.help_rate));
    assert_true(isnan(r.reply_rate));
    assert_true(isnan(r.positive_any_rate));
    assert_true(isnan(r.referred_rate));
    assert_true(isnan(r.closed_loop_rate));
    for (int i = 0; i < c.ndomains; i++)
        assert_true(isnan(r.positive_rate[i]));
    assert_int_equal(r.wants_unknown, 0);

    /* Screenings but nobody answered the help question: a rate of nothing. */
    report_add(&c, "2026-11-01", "screenings", 4);
    report_finish(&c, &r);
    assert_true(isnan(r.help_rate));
    assert_int_equal(r.wants_unknown, 4);
    assert_true(r.positive_rate[0] == 0.0);
    assert_true(r.positive_any_rate == 0.0);
    assert_true(isnan(r.closed_loop_rate)); /* no positive screen to close a loop on */
}

static void funnel_only_narrows(void **state)
{
    report_counts c;
    report_rates r;
    (void)state;

    /* Counts kept by hand or by an older version can disagree; a later
     * stage raises the ones before it, never the other way. */
    report_init(&c, 20261101, 20261101, domains, 6);
    report_add(&c, "2026-11-01", "funnel:suggested", 3);
    report_add(&c, "2026-11-01", "funnel:referred", 2);
    report_add(&c, "2026-11-01", "funnel:contacted", 1);
    report_add(&c, "2026-11-01", "funnel:connected", 5);
    report_add(&c, "2026-11-01", "funnel:declined", 1);
    report_add(&c, "2026-11-01", "positive_any", 1);
    report_add(&c, "2026-11-01", "referred_any", 1);
    report_add(&c, "2026-11-01", "connected_any", 2);
    report_finish(&c, &r);
    assert_int_equal(c.connected, 5);
    assert_int_equal(c.contacted, 5);
    assert_int_equal(c.referred, 5);
    assert_int_equal(c.suggested, 5);
    assert_int_equal(c.declined, 1); /* a side exit, not a stage */
    assert_int_equal(c.referred_any, 2);
    assert_int_equal(c.positive_any, 2);
    assert_true(fabs(r.closed_loop_rate - 1.0) < 1e-9);

    /* The ordinary case stays as counted. */
    report_init(&c, 20261101, 20261101, domains, 6);
    report_add(&c, "2026-11-01", "funnel:suggested", 9);
    report_add(&c, "2026-11-01", "funnel:referred", 4);
    report_add(&c, "2026-11-01", "funnel:contacted", 2);
    report_add(&c, "2026-11-01", "funnel:connected", 1);
    report_add(&c, "2026-11-01", "positive_any", 3);
    report_add(&c, "2026-11-01", "referred_any", 2);
    report_add(&c, "2026-11-01", "connected_any", 1);
    report_finish(&c, &r);
    assert_int_equal(c.suggested, 9);
    assert_int_equal(c.referred, 4);
    assert_int_equal(c.contacted, 2);
    assert_int_equal(c.connected, 1);
    assert_true(fabs(r.referred_rate - 0.6667) < 1e-9);
    assert_true(fabs(r.closed_loop_rate - 0.3333) < 1e-9);
}

/* ---- on a real store ------------------------------------------------ */

static char dir[] = "/tmp/signpost-reports-XXXXXX";
static sg_store *st;

static void exec(const char *sql)
{
    temp_db_exec(dir, sql, 1);
}

static void visit(const char *id, const char *created, const char *lang, const char *help,
                  const char *doms, const char *res)
{
    char *sql = sqlite3_mprintf("INSERT INTO screenings VALUES (%Q, %Q, 'k', 'i', '1', "
                                "%Q, 'r', NULL, 0, %s, NULL,"
                                " '[]', %Q, %Q, '{}')",
                                id, created, lang, help, doms, res);
    exec(sql);
    sqlite3_free(sql);
}

static void referral(int id, const char *visit_id, const char *domain,
                     const char *service, const char *status, const char *history)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO referrals(id, screening_id, domain, service_id, status, updated_at,"
        " updated_by) VALUES (%d, %Q, %Q, %Q, %Q, '2026-06-01T00:00:00Z', 'ana');"
        "INSERT INTO referral_events(referral_id, at, source, username, status)"
        " SELECT %d, '2026-06-01T00:00:00Z', 'staff', 'ana', value FROM json_each(%Q);",
        id, visit_id, domain, service, status, id, history);
    exec(sql);
    sqlite3_free(sql);
}

static void text(const char *id, const char *visit_id, const char *state, long created)
{
    char *sql = sqlite3_mprintf(
        "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box,"
        " state, due_at, expires_at, created_at, updated_at) VALUES (%Q, %Q, 'h', x'00',"
        " 'reminder', x'00', %Q, %ld, %ld, %ld, %ld)",
        id, visit_id, state, created, created + 86400, created, created);
    exec(sql);
    sqlite3_free(sql);
}

#define DOMS(h, f) "[[\"housing_instability\"," h ",null,0],[\"food\"," f ",null,0]]"

/*
 * Four visits over three local days in Chicago (v2 is 03:00 UTC on the
 * 29th, which is the evening of the 28th there), their referrals, texts,
 * replies and opt-outs.  v4 has a text still to send, so the purge below
 * keeps it: its day then adds up from live rows and daily_counts.
 */
static void fixture(void)
{
    visit("v1", "2026-05-28T15:00:00Z", "es", "1", DOMS("1", "1"),
          "[[\"housing_instability\",\"svc-h\",\"x\"],[\"food\",\"svc-a\",\"x\"],"
          "[\"food\",\"svc-b\",\"x\"]]");
    visit("v2", "2026-05-29T03:00:00Z", "en", "0", DOMS("0", "1"),
          "[[\"food\",\"svc-a\",\"x\"]]");
    visit("v3", "2026-05-29T15:00:00Z", "en", "NULL", DOMS("0", "0"), "[]");
    visit("v4", "2026-05-30T16:00:00Z", "en", "1", DOMS("0", "1"),
          "[[\"food\",\"svc-b\",\"x\"]]");
    visit("v5", "2026-06-02T16:00:00Z", "vi", "1", DOMS("1", "1"),
          "[]"); /* after the range */
    referral(1, "v1", "food", "svc-a", "connected",
             "[\"referred\",\"contacted\",\"connected\"]");
    referral(2, "v1", "housing_instability", "svc-h", "declined",
             "[\"contacted\",\"declined\"]");
    referral(3, "v2", "food", "svc-a", "referred", "[]");
    referral(4, "v2", "food", "svc-z", "unreachable",
             "[\"referred\",null]"); /* not given */
    referral(5, "v4", "food", "svc-b", "suggested", "[]");
    exec(
        "INSERT INTO sms_contacts VALUES ('v1', 'h', x'00', 'es', 'v1', 1779984000, 1, 0,"
        " NULL, NULL);"
        "INSERT INTO sms_contacts VALUES ('v4', 'h4', x'00', 'en', 'v1', 1780160400, 1, "
        "0,"
        " NULL, NULL);");
    text("o1", "v1", "delivered", 1779984000);
    text("o2", "v1", "failed", 1779984000);
    text("o3", "v4", "sent", 1780160400);
    text("o4", "v4", "expired", 1780160400);
    text("o5", "v4", "scheduled", 1780160400);
    exec("INSERT INTO sms_inbound VALUES ('i1', 'h', 'v1', 1779984100, 'connected', "
         "x'00');"
         "INSERT INTO sms_inbound VALUES ('i2', 'h4', 'v4', 1780160500, 'stop', x'00');"
         "INSERT INTO sms_inbound VALUES ('i3', 'hx', NULL, 1780074000, 'help', x'00');"
         "INSERT INTO sms_optouts VALUES ('h4', 1780160500, 'reply');"
         "INSERT INTO sms_optouts VALUES ('h-old', 1775044800, 'reply');");
}

static int setup_store(void **state)
{
    (void)state;
    setenv("TZ", "America/Chicago", 1);
    tzset();
    st = temp_store_open(dir, 2);
    fixture();
    return 0;
}

static int teardown_store(void **state)
{
    (void)state;
    temp_store_remove(st, dir);
    return 0;
}

static void count_range(report_counts *c, report_rates *r, int from, int to)
{
    report_init(c, from, to, domains, 6);
    assert_int_equal(store_report_counts(st, c), SG_OK);
    report_finish(c, r);
}

static void check_fixture_report(const report_counts *c, const report_rates *r)
{
    assert_int_equal(c->ndays, 3);
    assert_int_equal(c->per_day[0], 2); /* v1 and v2, both the 28th in Chicago */
    assert_int_equal(c->per_day[1], 1);
    assert_int_equal(c->per_day[2], 1);
    assert_int_equal(c->screenings, 4);
    assert_int_equal(c->wants_yes, 2);
    assert_int_equal(c->wants_no, 1);
    assert_int_equal(r->wants_unknown, 1);
    assert_true(fabs(r->help_rate - 0.6667) < 1e-9);
    assert_int_equal(c->domains[0].positive, 1);
    assert_int_equal(c->domains[2].positive, 3);
    assert_int_equal(c->domains[5].positive, 0);
    assert_true(fabs(r->positive_rate[2] - 0.75) < 1e-9);
    assert_int_equal(c->nlangs, 2);
    assert_string_equal(c->langs[0].code, "en");
    assert_int_equal(c->langs[0].count, 3);
    assert_string_equal(c->langs[1].code, "es");
    /* 5 given, and svc-z that staff referred beyond them */
    assert_int_equal(c->suggested, 6);
    assert_int_equal(c->referred, 4);
    assert_int_equal(c->contacted, 2);
    assert_int_equal(c->connected, 1);
    assert_int_equal(c->declined, 1);
    assert_int_equal(c->unreachable, 1);
    assert_int_equal(c->positive_any, 3);
    assert_int_equal(c->referred_any, 2);
    assert_int_equal(c->connected_any, 1);
    assert_true(fabs(r->positive_any_rate - 0.75) < 1e-9);
    assert_true(fabs(r->closed_loop_rate - 0.3333) < 1e-9);
    assert_int_equal(c->consents, 2);
    assert_int_equal(c->sent, 2); /* sent or delivered */
    assert_int_equal(c->delivered, 1);
    assert_int_equal(c->failed, 1);
    assert_int_equal(c->expired, 1);
    assert_int_equal(c->replies, 3);
    assert_true(fabs(r->reply_rate - 1.5) < 1e-9);
}

static void store_counts_by_local_day(void **state)
{
    report_counts c;
    report_rates r;
    (void)state;

    count_range(&c, &r, 20260528, 20260530);
    check_fixture_report(&c, &r);
    assert_int_equal(c.opt_outs, 1); /* the April one is outside */

    /* One day alone: only what that day holds. */
    count_range(&c, &r, 20260529, 20260529);
    assert_int_equal(c.screenings, 1);
    assert_int_equal(c.replies, 1);
    assert_int_equal(c.suggested, 0);
}

static void service_outcomes(void **state)
{
    report_outcomes o;
    (void)state;

    assert_int_equal(store_service_outcomes(st, "svc-a", &o), SG_OK);
    assert_int_equal(o.given, 2);
    assert_int_equal(o.referred, 2);
    assert_int_equal(o.contacted, 1);
    assert_int_equal(o.connected, 1);
    assert_int_equal(o.declined, 0);
    assert_int_equal(store_service_outcomes(st, "svc-z", &o), SG_OK);
    assert_int_equal(o.given, 1); /* referred though the kiosk did not give it */
    assert_int_equal(o.referred, 1);
    assert_int_equal(o.unreachable, 1);
    assert_int_equal(store_service_outcomes(st, "svc-none", &o), SG_OK);
    assert_int_equal(o.given + o.referred + o.connected, 0);
}

static void report_survives_the_purge(void **state)
{
    report_counts c;
    report_rates r;
    maintain_purged p;
    (void)state;

    assert_int_equal(store_purge_before(st, "2026-06-01T00:00:00Z", 1780272000, &p),
                     SG_OK);
    assert_int_equal(p.screenings, 3);
    assert_int_equal(p.kept, 1); /* v4 waits for its text */
    assert_int_equal(p.replies, 3);

    count_range(&c, &r, 20260528, 20260530);
    check_fixture_report(&c, &r);
    /* A second purge adds nothing twice. */
    assert_int_equal(store_purge_before(st, "2026-06-01T00:00:00Z", 1780272000, &p),
                     SG_OK);
    count_range(&c, &r, 20260528, 20260530);
    check_fixture_report(&c, &r);
}

static void old_days_come_from_daily_counts(void **state)
{
    report_counts c;
    report_rates r;
    (void)state;

    exec("INSERT INTO daily_counts VALUES ('2020-01-15', 'screenings', 5),"
         " ('2020-01-15', 'positive:food', 2), ('2020-01-15', 'language:es', 5),"
         " ('2020-01-16', 'screenings', 1), ('2020-02-01', 'screenings', 9)");
    count_range(&c, &r, 20200101, 20200131);
    assert_int_equal(c.ndays, 31);
    assert_int_equal(c.per_day[14], 5);
    assert_int_equal(c.per_day[15], 1);
    assert_int_equal(c.screenings, 6);
    assert_int_equal(c.domains[2].positive, 2);
    assert_string_equal(c.langs[0].code, "es");
    assert_true(fabs(r.positive_rate[2] - 0.3333) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(range_defaults_and_limits),
        cmocka_unit_test(range_refuses_malformed_dates),
        cmocka_unit_test(rows_add_up_by_day_and_metric),
        cmocka_unit_test(rates_with_nothing_to_divide_by_are_nan),
        cmocka_unit_test(funnel_only_narrows),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(store_counts_by_local_day),
        cmocka_unit_test(service_outcomes),
        cmocka_unit_test(report_survives_the_purge),
        cmocka_unit_test(old_days_come_from_daily_counts),
    };
    int failed = cmocka_run_group_tests_name("report arithmetic", pure, NULL, NULL);
    return failed | cmocka_run_group_tests_name("report counting", store, setup_store,
                                                teardown_store);
}
