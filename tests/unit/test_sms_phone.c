/*
 * Phone numbers as typed on the kiosk: every separator style, the country
 * code with and without "+", each NANP rule failing at the digit that
 * breaks it, incomplete input, and the masked form the demo gateway logs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "signpost/sms.h"

static void expect_ok(const char *typed, const char *e164)
{
    char out[SMS_E164_LEN];
    const char *why = "unset";
    phone_check rc = sms_phone_parse(typed, out, &why);
    if (rc != PHONE_OK)
        fail_msg("\"%s\": expected valid, got %d (%s)", typed, rc, why ? why : "-");
    assert_string_equal(out, e164);
    assert_null(why);
}

static void expect_invalid(const char *typed, const char *reason)
{
    char out[SMS_E164_LEN] = "junk";
    const char *why = NULL;
    phone_check rc = sms_phone_parse(typed, out, &why);
    if (rc != PHONE_INVALID)
        fail_msg("\"%s\": expected invalid, got %d", typed, rc);
    assert_non_null(why);
    if (!strstr(why, reason))
        fail_msg("\"%s\": reason \"%s\" does not mention \"%s\"", typed, why, reason);
    assert_string_equal(out, "");
}

static void expect_incomplete(const char *typed)
{
    char out[SMS_E164_LEN];
    const char *why = NULL;
    if (sms_phone_parse(typed, out, &why) != PHONE_INCOMPLETE)
        fail_msg("\"%s\": expected incomplete", typed);
    assert_non_null(why);
}

static void every_separator_style(void **state)
{
    (void)state;
    expect_ok("(217) 555-0123", "+12175550123");
    expect_ok("217.555.0123", "+12175550123");
    expect_ok("217-555-0123", "+12175550123");
    expect_ok("2175550123", "+12175550123");
    expect_ok("  217 555 0123  ", "+12175550123");
    expect_ok("1 217 555 0123", "+12175550123");
    expect_ok("1-217-555-0123", "+12175550123");
    expect_ok("+1 217 555 0123", "+12175550123");
    expect_ok("+1 (217) 555-0123", "+12175550123");
    expect_ok("+12175550123", "+12175550123");
    /* 555 as an area code breaks none of the rules; the shapes the brief
     * names, with an exchange that is allowed */
    expect_ok("(555) 234-4567", "+15552344567");
    expect_ok("555.234.4567", "+15552344567");
    expect_ok("1 555 234 4567", "+15552344567");
    expect_ok("+1 555 234 4567", "+15552344567");
}

static void fictional_and_edge_codes_are_valid(void **state)
{
    (void)state;
    expect_ok("(217) 555-0100", "+12175550100");
    expect_ok("(217) 555-0199", "+12175550199");
    expect_ok("(201) 200-0000", "+12012000000"); /* lowest NPA and NXX */
    expect_ok("(989) 999-9999", "+19899999999"); /* highest with 2nd digit 8 */
    expect_ok("(210) 210-1234", "+12102101234"); /* N10 is not N11 */
    expect_ok("(221) 221-1234", "+12212211234"); /* N21 is not N11 */
}

static void area_code_rules(void **state)
{
    (void)state;
    expect_invalid("(017) 555-0123", "area code cannot start with 0 or 1");
    expect_invalid("0", "area code cannot start with 0 or 1");
    expect_invalid("1 117 555 0123", "area code cannot start with 0 or 1");
    expect_invalid("+1 0", "area code cannot start with 0 or 1");
    expect_invalid("(291) 555-0123", "second digit");
    expect_invalid("29", "second digit");
    expect_invalid("(911) 555-0123", "service code");
    expect_invalid("411", "service code");
    expect_invalid("1 811", "service code");
}

static void exchange_rules(void **state)
{
    (void)state;
    expect_invalid("(217) 055-0123", "exchange cannot start with 0 or 1");
    expect_invalid("(217) 155-0123", "exchange cannot start with 0 or 1");
    expect_invalid("(555) 123-4567", "exchange cannot start with 0 or 1");
    expect_invalid("2171", "exchange cannot start with 0 or 1");
    expect_invalid("(217) 911-0123", "exchange cannot be a service code");
    expect_invalid("217 411", "exchange cannot be a service code");
}

static void country_code_and_characters(void **state)
{
    (void)state;
    expect_invalid("+44 20 7946 0958", "+1");
    expect_invalid("+2", "+1");
    expect_invalid("217+555", "+ can only come first");
    expect_invalid("1+217", "+ can only come first");
    expect_invalid("++1", "+ can only come first");
    expect_invalid("217/555/0123", "only digits");
    expect_invalid("217 555 O123", "only digits"); /* letter O */
    expect_invalid("217\t555", "only digits");
    expect_invalid("217-555-0123 x12", "only digits");
    expect_invalid("\xEF\xBC\x92", "only digits"); /* a full-width digit */
    expect_invalid("2175550123 4", "too many digits");
    expect_invalid("1 217 555 01234", "too many digits");
    expect_invalid("11 217 555 0123", "area code cannot start with 0 or 1");
}

static void incomplete_input(void **state)
{
    (void)state;
    expect_incomplete("");
    expect_incomplete("   ");
    expect_incomplete("(");
    expect_incomplete("+");
    expect_incomplete("+1");
    expect_incomplete("1");
    expect_incomplete("2");
    expect_incomplete("21");
    expect_incomplete("(217) 5");
    expect_incomplete("(217) 555-012");
    expect_incomplete("1 217 555 012");
    expect_incomplete("+1 (217) 555-01");
}

static void nulls_are_allowed_where_documented(void **state)
{
    (void)state;
    char out[SMS_E164_LEN];
    const char *why = NULL;
    assert_int_equal(sms_phone_parse("2175550123", out, NULL), PHONE_OK);
    assert_string_equal(out, "+12175550123");
    assert_int_equal(sms_phone_parse("(911)", out, NULL), PHONE_INVALID);
    assert_int_equal(sms_phone_parse(NULL, out, &why), PHONE_INVALID);
    assert_non_null(why);
}

static void mask_keeps_last_two_digits(void **state)
{
    (void)state;
    char out[SMS_E164_LEN + 8];
    sms_phone_mask("+12175550167", out);
    assert_string_equal(out, "(***) ***-**67");
    sms_phone_mask("+12175550100", out);
    assert_string_equal(out, "(***) ***-**00");

    static const char *const bad[] = {NULL, "", "+1217555016", "+121755501677",
                                      "12175550167", "+22175550167", "+1217555016x",
                                      "(217) 555-0167", "+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(out, 'z', sizeof out);
        sms_phone_mask(bad[i], out);
        assert_string_equal(out, "(invalid)");
    }
}

static void parse_then_mask(void **state)
{
    (void)state;
    char e164[SMS_E164_LEN], out[SMS_E164_LEN + 8];
    assert_int_equal(sms_phone_parse("(217) 555-0142", e164, NULL), PHONE_OK);
    sms_phone_mask(e164, out);
    assert_string_equal(out, "(***) ***-**42");
    assert_null(strstr(out, "217"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_separator_style),
        cmocka_unit_test(fictional_and_edge_codes_are_valid),
        cmocka_unit_test(area_code_rules),
        cmocka_unit_test(exchange_rules),
        cmocka_unit_test(country_code_and_characters),
        cmocka_unit_test(incomplete_input),
        cmocka_unit_test(nulls_are_allowed_where_documented),
        cmocka_unit_test(mask_keeps_last_two_digits),
        cmocka_unit_test(parse_then_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
