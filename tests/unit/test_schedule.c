/*
 * Opening hours: ordinary days, split hours, overnight blocks, closed days,
 * around the clock, unknown, and the phrases in English and Spanish.
 */
#include "helpers.h"
#include "signpost/schedule.h"

#define MON 0
#define TUE 1
#define WED 2
#define SUN 6
#define H(h, m) ((h) * 60 + (m))
#define WEEKDAYS 0x1fu

static void describe(const schedule_block *b, size_t n, int day, int minute,
                     const char *lang, const char *want)
{
    char out[96];
    hours_status st = schedule_status(b, n, day, minute);
    schedule_describe(&st, lang, out, sizeof out);
    assert_string_equal(out, want);
}

static void weekday_nine_to_five(void **state)
{
    (void)state;
    schedule_block b[] = {{WEEKDAYS, H(9, 0), H(17, 0), 0, 0}};
    describe(b, 1, MON, H(8, 59), "en", "Opens today at 9 am");
    describe(b, 1, MON, H(9, 0), "en", "Open now until 5 pm");
    describe(b, 1, MON, H(16, 59), "en", "Open now until 5 pm");
    describe(b, 1, MON, H(17, 0), "en", "Opens tomorrow at 9 am");
    describe(b, 1, 4 /* Friday */, H(18, 0), "en", "Opens Monday at 9 am");
    describe(b, 1, MON, H(10, 0), "es", "Abierto ahora hasta las 5 p. m.");
    describe(b, 1, 5 /* Saturday */, H(10, 0), "es", "Abre el lunes a las 9 a. m.");
}

static void split_hours(void **state)
{
    (void)state;
    schedule_block b[] = {{WEEKDAYS, H(9, 0), H(12, 0), 0, 0}, {WEEKDAYS, H(13, 30), H(17, 0), 0, 0}};
    describe(b, 2, TUE, H(11, 0), "en", "Open now until noon");
    describe(b, 2, TUE, H(12, 30), "en", "Opens today at 1:30 pm");
    describe(b, 2, TUE, H(12, 30), "es", "Abre hoy a la 1:30 p. m.");
}

static void overnight_shelter(void **state)
{
    (void)state;
    schedule_block b[] = {{0x7f, H(19, 0), H(7, 0), 0, 0}};
    describe(b, 1, WED, H(20, 0), "en", "Open now until 7 am");
    describe(b, 1, WED, H(3, 0), "en", "Open now until 7 am"); /* Tuesday night's block */
    describe(b, 1, WED, H(7, 0), "en", "Opens today at 7 pm");
}

static void overnight_only_some_days(void **state)
{
    (void)state;
    schedule_block b[] = {{1u << 4 /* Friday */, H(22, 0), H(2, 0), 0, 0}};
    describe(b, 1, 5 /* Saturday */, H(1, 0), "en", "Open now until 2 am");
    describe(b, 1, 5, H(3, 0), "en", "Opens Friday at 10 pm");
}

static void closed_wednesdays(void **state)
{
    (void)state;
    schedule_block b[] = {{WEEKDAYS & ~(1u << WED), H(9, 0), H(17, 0), 0, 0}};
    describe(b, 1, TUE, H(18, 0), "en", "Opens Thursday at 9 am");
    describe(b, 1, WED, H(10, 0), "en", "Opens tomorrow at 9 am");
}

static void around_the_clock_and_midnight(void **state)
{
    (void)state;
    schedule_block always[] = {{0x7f, 0, SG_MINUTES_PER_DAY, 0, 0}};
    schedule_block late[] = {{0x7f, H(18, 0), SG_MINUTES_PER_DAY, 0, 0}};
    describe(always, 1, SUN, H(3, 0), "en", "Open 24 hours");
    describe(always, 1, SUN, H(3, 0), "es", "Abierto las 24 horas");
    describe(late, 1, SUN, H(20, 0), "en", "Open now until midnight");
}

static void back_to_back_blocks_join(void **state)
{
    (void)state;
    schedule_block b[] = {{1u << MON, H(8, 0), H(12, 0), 0, 0}, {1u << MON, H(12, 0), H(20, 0), 0, 0}};
    describe(b, 2, MON, H(9, 0), "en", "Open now until 8 pm");
}

static void unknown(void **state)
{
    (void)state;
    char out[32] = "x";
    hours_status st = schedule_status(NULL, 0, MON, 0);
    assert_int_equal(st.state, HOURS_UNKNOWN);
    assert_int_equal(schedule_describe(&st, "en", out, sizeof out), -1);
    assert_string_equal(out, "");
}

static void seasonal_dates(void **state)
{
    (void)state;
    schedule_block b = {WEEKDAYS, H(9, 0), H(17, 0), 20270123, 20270415};
    assert_false(schedule_valid_on(&b, 20261122));
    assert_true(schedule_valid_on(&b, 20270123));
    assert_true(schedule_valid_on(&b, 20270415));
    assert_false(schedule_valid_on(&b, 20270416));
    assert_int_equal(schedule_parse_date("2027-01-23"), 20270123);
    assert_int_equal(schedule_parse_date(""), 0);
    assert_int_equal(schedule_parse_date("23/01/2027"), -1);
    assert_int_equal(schedule_parse_date("2027-13-01"), -1);
}

static void parsing(void **state)
{
    (void)state;
    assert_int_equal(schedule_parse_time("09:30"), 570);
    assert_int_equal(schedule_parse_time("17:00:00"), 1020);
    assert_int_equal(schedule_parse_time("24:00"), 1440);
    assert_int_equal(schedule_parse_time("9:30"), -1);
    assert_int_equal(schedule_parse_time("25:00"), -1);
    assert_int_equal(schedule_parse_time("12:60"), -1);
    assert_int_equal(schedule_parse_days("MO,TU,WE,TH,FR"), 0x1f);
    assert_int_equal(schedule_parse_days("SA, SU"), 0x60);
    assert_int_equal(schedule_parse_days("MO;TU"), 0);
    assert_int_equal(schedule_parse_days("XX"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weekday_nine_to_five),  cmocka_unit_test(split_hours),
        cmocka_unit_test(overnight_shelter),     cmocka_unit_test(overnight_only_some_days),
        cmocka_unit_test(closed_wednesdays),     cmocka_unit_test(around_the_clock_and_midnight),
        cmocka_unit_test(back_to_back_blocks_join), cmocka_unit_test(unknown),
        cmocka_unit_test(seasonal_dates), cmocka_unit_test(parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
