/*
 * The CSV exports' builders: RFC 4180 quoting, the spreadsheet-formula
 * guard, the column order of each file (the documented contract in
 * docs/exports.md), whole rows of a fixed submission against golden text,
 * the buffer cap, and the date ranges in the clinic's time zone (DST
 * included).  Every file read back with the project's own CSV reader must
 * give the fields that went in.
 */
#include "helpers.h"
#include "export_fixture.h"
#include "signpost/csv.h"
#include "signpost/export.h"

static const char *field_of(const char *in)
{
    static char out[512];
    sg_buf b;

    sg_buf_init(&b, 4096);
    assert_int_equal(export_csv_field(&b, in), SG_OK);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    sg_buf_free(&b);
    return out;
}

static void quoting(void **state)
{
    (void)state;
    assert_string_equal(field_of("plain"), "plain");
    assert_string_equal(field_of(""), "");
    assert_string_equal(field_of(NULL), "");
    assert_string_equal(field_of("a,b"), "\"a,b\"");
    assert_string_equal(field_of("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_string_equal(field_of("\"\""), "\"\"\"\"\"\"");
    assert_string_equal(field_of("two\nlines"), "\"two\nlines\"");
    assert_string_equal(field_of("cr\rhere"), "\"cr\rhere\"");
    assert_string_equal(field_of("Café Niño ü"), "Café Niño ü");
    assert_string_equal(field_of(" spaced "), " spaced ");
}

static void formula_guard(void **state)
{
    (void)state;
    assert_string_equal(field_of("=1+2"), "'=1+2");
    assert_string_equal(field_of("+12175550123"), "'+12175550123");
    assert_string_equal(field_of("-5"), "'-5");
    assert_string_equal(field_of("@SUM(A1)"), "'@SUM(A1)");
    assert_string_equal(field_of("\tx"), "'\tx");
    assert_string_equal(field_of("\r=x"), "\"'\r=x\"");
    /* Guard and quotes together: the quote goes inside the quoted field. */
    assert_string_equal(field_of("=HYPERLINK(\"a\",\"b\")"),
                        "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"");
    /* Only the first character counts. */
    assert_string_equal(field_of("a=b"), "a=b");
    assert_string_equal(field_of("2026-11-29"), "2026-11-29");
}

#define BOM "\xEF\xBB\xBF"
#define SUB_HEADER                                                                       \
    "id,created_at,local_date,kiosk_id,language,instrument_id,instrument_version,"       \
    "scoring_rule,safety_score,wants_help,housing_instability,housing_quality,food,"     \
    "transportation,utilities,safety,help_domains,resources_given,referrals_suggested,"  \
    "referrals_referred,referrals_contacted,referrals_connected,referrals_declined,"     \
    "referrals_unreachable,receipt_printed,sms_consent,texts_sent,replies"
#define ITEM_COLUMNS                                                                     \
    "71802-3,96778-6,88122-7,88123-5,93030-5,96779-4,95618-5,95617-7,95616-9,95615-"     \
    "1\r\n"

static void submission_header_order(void **state)
{
    sg_buf b;
    (void)state;

    sg_buf_init(&b, 8192);
    assert_int_equal(export_csv_submissions_header(inst, 0, &b), SG_OK);
    assert_string_equal(b.data, BOM SUB_HEADER "," ITEM_COLUMNS);
    sg_buf_reset(&b);
    assert_int_equal(export_csv_submissions_header(inst, 1, &b), SG_OK);
    assert_string_equal(b.data, BOM SUB_HEADER ",phone," ITEM_COLUMNS);
    sg_buf_free(&b);
}

#define ROW_HEAD                                                                         \
    FIX_ID ",2026-11-29T21:14:11Z,2026-11-29,lobby-1,es,ahc-hrsn-core,2018-01,"          \
           "ahc-hrsn-core@2018-01; safety>=11 (CMS),4,1,1,1,1,0,0,0,"                    \
           "housing_instability;food,3,1,0,1,1,1,0,1,1,2,1"
#define ROW_ITEMS                                                                        \
    ",LA31994-9,LA31996-4;LA28580-1,LA28397-0,LA28398-8,,LA32-8,LA6270-8,LA6270-8,"      \
    "LA6270-8,LA6270-8\r\n"

static void submission_row_golden(void **state)
{
    export_sub *s = fixture();
    sg_buf b;
    (void)state;

    sg_buf_init(&b, 8192);
    assert_int_equal(export_csv_submission(inst, s, 0, &b), SG_OK);
    assert_string_equal(b.data, ROW_HEAD ROW_ITEMS);
    sg_buf_reset(&b);
    /* The phone is guarded: "+1..." would be a formula in a spreadsheet. */
    assert_int_equal(export_csv_submission(inst, s, 1, &b), SG_OK);
    assert_string_equal(b.data, ROW_HEAD ",'+12175550123" ROW_ITEMS);
    sg_buf_reset(&b);
    /* Unknown answers: incomplete safety, wants_help not asked, no consent. */
    s->safety_complete = 0;
    s->wants_help = -1;
    s->phone[0] = '\0';
    assert_int_equal(export_csv_submission(inst, s, 1, &b), SG_OK);
    assert_non_null(strstr(b.data, "(CMS),,,1,1,1,0,0,0,"));
    assert_non_null(strstr(b.data, ",1,1,2,1,,LA31994-9,"));
    sg_buf_free(&b);
    free(s);
}

#define REF_HEADER                                                                       \
    BOM "submission_id,local_date,domain,service_id,service_name,rank,status,assigned_"  \
        "to,"                                                                            \
        "next_follow_up,updated_at,updated_by,last_note\r\n"

static void referral_rows_golden(void **state)
{
    export_sub *s = fixture();
    sg_buf b;
    (void)state;

    sg_buf_init(&b, 8192);
    assert_int_equal(export_csv_referrals_header(&b), SG_OK);
    assert_string_equal(b.data, REF_HEADER);
    sg_buf_reset(&b);
    assert_int_equal(export_csv_referrals(s, &b), SG_OK);
    assert_string_equal(
        b.data, FIX_ID
        ",2026-11-29,housing_instability,svc-house,Riverton Housing Authority,1,"
        "contacted,nora,2026-12-03,2026-11-30T15:02:00Z,nora,"
        "\"Left a message, \"\"call back\"\"\nTuesday\"\r\n" FIX_ID
        ",2026-11-29,food,svc-pantry,\"'=HYPERLINK(\"\"http://x\"\")\",1,suggested,,,"
        "2026-11-29T21:14:11Z,kiosk,\r\n" FIX_ID
        ",2026-11-29,food,svc-meals,\"Meals, Hot & Free\",2,declined,,,"
        "2026-11-29T21:14:11Z,kiosk,\r\n" FIX_ID
        ",2026-11-29,transportation,svc-ride,Ride Line,,connected,,,"
        "2026-11-29T21:14:11Z,kiosk,\r\n");
    sg_buf_free(&b);
    free(s);
}

static void audit_rows(void **state)
{
    audit_row r;
    sg_buf b;
    (void)state;

    memset(&r, 0, sizeof r);
    r.id = 42;
    snprintf(r.at, sizeof r.at, "2026-11-29T21:14:11Z");
    r.user_id = 3;
    snprintf(r.username, sizeof r.username, "ana");
    snprintf(r.action, sizeof r.action, "export.csv");
    snprintf(r.detail, sizeof r.detail, "from=2026-11-01 to=2026-11-29");
    snprintf(r.ip, sizeof r.ip, "127.0.0.1");
    sg_buf_init(&b, 4096);
    assert_int_equal(export_csv_audit_header(&b), SG_OK);
    assert_int_equal(export_csv_audit_row(&r, &b), SG_OK);
    r.user_id = 0; /* a failed login: no account */
    snprintf(r.username, sizeof r.username, "=cmd|' /C calc'!A0");
    snprintf(r.action, sizeof r.action, "login_failed");
    r.detail[0] = '\0';
    assert_int_equal(export_csv_audit_row(&r, &b), SG_OK);
    assert_string_equal(b.data, BOM "id,at,user_id,username,action,target,detail,ip\r\n"
                                    "42,2026-11-29T21:14:11Z,3,ana,export.csv,,"
                                    "from=2026-11-01 to=2026-11-29,127.0.0.1\r\n"
                                    "42,2026-11-29T21:14:11Z,,'=cmd|' /C calc'!A0,"
                                    "login_failed,,,127.0.0.1\r\n");
    sg_buf_free(&b);
}

/* What goes in comes back out through an RFC 4180 reader. */
static void reads_back(void **state)
{
    export_sub *s = fixture();
    csv_reader r;
    sg_buf b;
    (void)state;

    sg_buf_init(&b, 8192);
    assert_int_equal(export_csv_referrals_header(&b), SG_OK);
    assert_int_equal(export_csv_referrals(s, &b), SG_OK);
    csv_init(&r, b.data, b.len);
    assert_int_equal(csv_next(&r), SG_OK);
    assert_int_equal(r.nfields, 12);
    assert_string_equal(r.fields[0], "submission_id"); /* the BOM is not part of it */
    assert_int_equal(csv_next(&r), SG_OK);
    assert_string_equal(r.fields[11], "Left a message, \"call back\"\nTuesday");
    assert_int_equal(csv_next(&r), SG_OK);
    assert_string_equal(r.fields[4], "'=HYPERLINK(\"http://x\")");
    assert_int_equal(csv_next(&r), SG_OK);
    assert_string_equal(r.fields[4], "Meals, Hot & Free");
    assert_int_equal(csv_next(&r), SG_OK);
    assert_string_equal(r.fields[5], "");
    assert_int_equal(csv_next(&r), SG_ENOTFOUND);
    csv_free(&r);
    sg_buf_free(&b);
    free(s);
}

static void cap_is_an_error(void **state)
{
    export_sub *s = fixture();
    sg_buf b;
    (void)state;

    sg_buf_init(&b, 100);
    assert_int_equal(export_csv_submission(inst, s, 0, &b), SG_ETOOBIG);
    assert_true(b.len <= 100);
    sg_buf_free(&b);
    free(s);
}

static void dates(void **state)
{
    int y, m, d;
    (void)state;

    assert_int_equal(export_parse_date("2026-11-29", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20261129);
    assert_int_equal(export_parse_date("2024-02-29", &y, &m, &d), 0);
    const char *bad[] = {"2025-02-29",    "2026-13-01", "2026-00-10", "2026-1-01",
                         "2026/01/01",    "2026-01-32", "26-01-01",   "",
                         "2026-01-01T00", "1969-12-31", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(export_parse_date(bad[i], &y, &m, &d), -1);
    assert_int_equal(export_parse_date(NULL, &y, &m, &d), -1);
}

static void ranges_in_clinic_time(void **state)
{
    export_range r;
    const char *field;
    (void)state;

    setenv("TZ", "America/Chicago", 1);
    tzset();
    /* 2026-11-01 is the day DST ends there: 25 hours long. */
    assert_int_equal(export_range_make("2026-11-01", "2026-11-01", &r, &field), SG_OK);
    assert_string_equal(r.lo, "2026-11-01T05:00:00Z");
    assert_string_equal(r.hi, "2026-11-02T06:00:00Z");
    assert_int_equal(export_range_make("2026-12-31", "2026-12-31", &r, &field), SG_OK);
    assert_string_equal(r.hi, "2027-01-01T06:00:00Z");
    assert_int_equal(export_range_make("2026-11-02", "2026-11-01", &r, &field),
                     SG_EINVAL);
    assert_string_equal(field, "to");
    assert_int_equal(export_range_make(NULL, "2026-11-01", &r, &field), SG_EINVAL);
    assert_string_equal(field, "from");
    assert_int_equal(export_range_make("2026-11-01", "tomorrow", &r, &field), SG_EINVAL);
    assert_string_equal(field, "to");
    setenv("TZ", "UTC", 1);
    tzset();
    assert_int_equal(export_range_make("2026-11-01", "2026-11-30", &r, &field), SG_OK);
    assert_string_equal(r.lo, "2026-11-01T00:00:00Z");
    assert_string_equal(r.hi, "2026-12-01T00:00:00Z");
}

static void default_range(void **state)
{
    export_range r;
    const char *field;
    time_t now = 1795986851; /* 2026-11-29T21:14:11Z: 15:14 in Chicago */
    (void)state;

    setenv("TZ", "America/Chicago", 1);
    tzset();
    assert_int_equal(export_range_default(NULL, NULL, now, &r, &field), SG_OK);
    assert_string_equal(r.to, "2026-11-29");
    assert_string_equal(r.from, "2026-10-31"); /* 30 days, both ends included */
    assert_int_equal(export_range_default(NULL, "2026-03-10", now, &r, &field), SG_OK);
    assert_string_equal(r.from, "2026-02-09");
    assert_int_equal(export_range_default("2026-11-01", NULL, now, &r, &field), SG_OK);
    assert_string_equal(r.to, "2026-11-29");
    /* Late evening in Chicago is already tomorrow in UTC: today is Chicago's. */
    assert_int_equal(export_range_default(NULL, NULL, now + 8 * 3600, &r, &field), SG_OK);
    assert_string_equal(r.to, "2026-11-29");
    assert_int_equal(export_range_default("2026-12-01", NULL, now, &r, &field),
                     SG_EINVAL);
    assert_string_equal(field, "to");
    assert_int_equal(export_range_default(NULL, "someday", now, &r, &field), SG_EINVAL);
    assert_string_equal(field, "to");
    assert_int_equal(export_range_default("someday", "2026-11-01", now, &r, &field),
                     SG_EINVAL);
    assert_string_equal(field, "from");
    setenv("TZ", "UTC", 1);
    tzset();
}

static void status_names(void **state)
{
    (void)state;
    const char *want[] = {"suggested", "referred", "contacted",
                          "connected", "declined", "unreachable"};
    for (int i = 0; i < REF_NSTATUS; i++) {
        assert_string_equal(export_ref_status_name((export_ref_status)i), want[i]);
        assert_int_equal(export_ref_status_parse(want[i]), i);
    }
    assert_null(export_ref_status_name(REF_NSTATUS));
    assert_int_equal(export_ref_status_parse("done"), -1);
    assert_int_equal(export_ref_status_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting),
        cmocka_unit_test(formula_guard),
        cmocka_unit_test(submission_header_order),
        cmocka_unit_test(submission_row_golden),
        cmocka_unit_test(referral_rows_golden),
        cmocka_unit_test(audit_rows),
        cmocka_unit_test(reads_back),
        cmocka_unit_test(cap_is_an_error),
        cmocka_unit_test(dates),
        cmocka_unit_test(ranges_in_clinic_time),
        cmocka_unit_test(default_range),
        cmocka_unit_test(status_names),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
