/*
 * The shapes real exports come in, and the rules that turn many HSDS rows
 * into the one line a receipt shows:
 *
 *   messy-1.x   an HSDS 1.x export as a spreadsheet writes it: byte-order
 *               mark, CRLF, Windows-1252, headers in any order and case,
 *               unknown columns, "9:00am", weekday names and numbers, empty
 *               status, literal "\n", missing coordinates, language names
 *   shapes-3.0  schedule precedence (service_at_location > service >
 *               location), the primary location, phone fallbacks (voice
 *               first, fax never), taxonomy codes, languages
 */
#include "import_helpers.h"

static void messy_1x(void **state)
{
    import_run *r = import_ok(FIXTURE("messy-1.x"));
    (void)state;

    assert_string_equal(r->sum.version, "1.x");
    expect_problem_count(r, 3);
    /* Said once, on the first field that is not UTF-8; the row is kept. */
    expect_problem(r, HSDS_PROBLEM_FORMAT, "organizations.csv", 2, "name", 0);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "regular_schedules.csv", 5, "weekday", 1);
    expect_problem(r, HSDS_PROBLEM_BAD_VALUE, "holiday_schedules.csv", 4, "closed", 1);
    assert_int_equal(r->sum.services, 2);
    /* BOM, CRLF and "Name,ID,..." in another order: read all the same. */
    assert_string_equal(SVC(r, "s1", "name"), "Food Pantry");
    /* Windows-1252's en dash and n with tilde, as UTF-8. */
    assert_string_equal(SVC(r, "s1", "organization"),
                        "Riverton Helpers \u2013 Ni\u00f1os");
    /* Empty status is active; ACTIVE is active. */
    assert_string_equal(SVC(r, "s1", "status"), "active");
    assert_string_equal(SVC(r, "s2", "status"), "active");
    /* Literal \n becomes a line break, in a quoted field or not. */
    assert_string_equal(SVC(r, "s1", "description"), "Groceries.\nBring a bag.");
    assert_string_equal(SVC(r, "s2", "description"), "Free rides\ncall ahead");
    /* No URL of its own: the organization's. */
    assert_string_equal(SVC(r, "s1", "url"), "https://helpers.example.org");
    /* Reordered address columns; a location without coordinates. */
    assert_string_equal(SVC(r, "s1", "address"), "1 Main St, Riverton, IL 62999");
    assert_string_equal(SVC(r, "s1", "latitude"), "NULL");
    /* Coordinates with spaces round them; a postal address is not shown. */
    assert_string_equal(SVC(r, "s2", "latitude || ',' || longitude"), "39.8,-89.6");
    assert_string_equal(SVC(r, "s2", "address"), "");
    /* Monday by name 9:00am-5:00pm, "tue" 9 AM-12:30 p.m., 3 = Wednesday;
     * closed on Christmas Day; special hours on Christmas Eve. */
    assert_string_equal(hours(r, "s1"), "0 0 1 MO  540-1020 0 0 0 0;"
                                        "0 0 1 TU  540-750 0 0 0 0;"
                                        "0 0 1 WE  540-1020 0 0 0 0;"
                                        "1 0 1   0-1440 0 0 20241225 20241225;"
                                        "2 0 1   600-840 0 0 20241224 20241224");
    assert_string_equal(hours(r, "s2"), "0 0 1 SU  600-840 0 0 0 0"); /* 7 = Sunday */
    /* Language names to codes, service first, then its location; once each. */
    assert_string_equal(SVC(r, "s1", "languages"), "es,vi");
    assert_string_equal(SVC(r, "s2", "languages"), "en");
    assert_string_equal(SVC(r, "s1", "phone"), "(217) 555-0100");
    assert_string_equal(SVC(r, "s2", "phone"), "(217) 555-0200"); /* its location's */
    /* 1.x taxonomy: the id is the code. */
    assert_string_equal(
        q(r, "SELECT t.code || '|' || t.name FROM service_terms t JOIN services"
             " USING (sid) WHERE id = 's1'"),
        "BD-1800|Food Pantries");
    assert_string_equal(SVC(r, "s1", "keywords"), "Food Pantries");
    import_done(r);
}

static void schedule_precedence(void **state)
{
    import_run *r = import_ok(FIXTURE("shapes-3.0"));
    (void)state;

    expect_problem_count(r, 0);
    /* Rows at all three levels: the service_at_location's win. */
    assert_string_equal(hours(r, "s1"), "0 0 1 MO  480-720 0 0 0 0");
    /* Service and location rows: the service's; "mo, tu" normalised. */
    assert_string_equal(hours(r, "s2"), "0 0 1 MO,TU  540-1020 0 0 0 0;"
                                        "0 0 1 MO  1080-1200 0 0 0 0");
    /* Only the location's: DAILY is every day; 23:59 closes at midnight. */
    assert_string_equal(hours(r, "s3"), "0 0 1   420-1440 0 0 0 0");
    /* Two places: the hours of the mapped one, where the receipt sends people. */
    assert_string_equal(hours(r, "s4"), "0 0 1 WE  600-960 0 0 0 0");
    /* MONTHLY with ordinals; every other week from a start date; 00:00 closing. */
    assert_string_equal(hours(r, "s8"),
                        "0 1 1 1SA,-1FR  600-840 20240106 20251231 20240101 20251231;"
                        "0 0 2 TH  540-1440 20240104 0 0 0");
    assert_string_equal(hours(r, "s5"), "NULL");
    import_done(r);
}

static void primary_location_and_phones(void **state)
{
    import_run *r = import_ok(FIXTURE("shapes-3.0"));
    (void)state;

    /* s4's first location has only a postal address and no position; the
     * second has both: address and position come from the second. */
    assert_string_equal(SVC(r, "s4", "address"), "2 Second St, Riverton, IL 62999");
    assert_string_equal(SVC(r, "s4", "latitude || ',' || longitude"), "39.81,-89.65");
    assert_string_equal(SVC(r, "s4", "status"), "temporarily closed");
    /* No state: the address reads without a gap. */
    assert_string_equal(SVC(r, "s3", "address"), "3 Third St, Riverton, 62999");
    assert_string_equal(SVC(r, "s5", "address"), "");
    /* Phones: the service's own; its service_at_location's; its location's
     * voice line before a text line; never a fax; else the organization's. */
    assert_string_equal(SVC(r, "s1", "phone"), "(217) 555-0001");
    assert_string_equal(SVC(r, "s5", "phone"), "(217) 555-0005");
    assert_string_equal(SVC(r, "s6", "phone"), "(217) 555-0007");
    assert_string_equal(SVC(r, "s7", "phone"), "(217) 555-0009");
    /* URL and email fall back to the organization's. */
    assert_string_equal(SVC(r, "s1", "url"), "https://s1.example.org");
    assert_string_equal(SVC(r, "s2", "url"), "https://helpers.example.org");
    assert_string_equal(SVC(r, "s2", "email"), "info@helpers.example.org");
    import_done(r);
}

static void terms_and_languages(void **state)
{
    import_run *r = import_ok(FIXTURE("shapes-3.0"));
    (void)state;

    /* A term's code, or its id when it has none; link_entity in any case;
     * an organization's attribute is not a service's. */
    assert_string_equal(
        q(r, "SELECT group_concat(code || '=' || name, ';') FROM (SELECT t.code,"
             " t.name FROM service_terms t JOIN services USING (sid)"
             " WHERE id = 's1' ORDER BY code)"),
        "1102=Food;t2=Untyped Term");
    assert_string_equal(q(r, "SELECT group_concat(code) FROM service_terms JOIN services"
                             " USING (sid) WHERE id = 's2'"),
                        "1102");
    assert_int_equal(r->sum.terms, 3);
    /* es and spa are one language; zh-Hant is Chinese; the location's come after. */
    assert_string_equal(SVC(r, "s1", "languages"), "es,zh");
    assert_string_equal(SVC(r, "s2", "languages"), "zh");
    /* Terms make keywords staff can search for. */
    assert_string_equal(q(r, "SELECT s.id FROM service_fts JOIN services s ON s.sid ="
                             " service_fts.rowid WHERE service_fts MATCH 'untyped'"),
                        "s1");
    import_done(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messy_1x),
        cmocka_unit_test(schedule_precedence),
        cmocka_unit_test(primary_location_and_phones),
        cmocka_unit_test(terms_and_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
