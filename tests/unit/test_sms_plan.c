/*
 * When texts may go out, in America/Chicago: the allowed-hours edges to
 * the second, the day cap per local calendar day and the week cap over any
 * 7 consecutive local days (with sent and scheduled texts, in any order),
 * both DST days (a 23-hour and a 25-hour day are each one day, and 08:00
 * is 08:00 on either side of the change), the 60-day look-ahead, whole
 * plans, the backoff's bounds, and Retry-After in both forms.
 *
 * Expected instants are written in UTC with Chicago's offset spelled out
 * (CST = UTC-6, CDT = UTC-5) and computed without the C library, so the
 * code's use of localtime_r and mktime is checked, not repeated.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "signpost/sms.h"

#define DAY 86400
#define NONE ((time_t)-1)

/* Seconds since the epoch of a UTC civil time (days_from_civil). */
static time_t utc(int y, int m, int d, int hh, int mm, int ss)
{
    y -= m <= 2;
    long era = y / 400, yoe = y - era * 400;
    long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146097 + doe - 719468;
    return (time_t)(days * 86400L + hh * 3600L + mm * 60L + ss);
}

/* Chicago local times on a summer day (CDT, UTC-5) and a winter day (CST). */
static time_t cdt(int m, int d, int hh, int mm, int ss)
{
    return utc(2026, m, d, hh, mm, ss) + 5 * 3600;
}

static time_t cst(int m, int d, int hh, int mm, int ss)
{
    return utc(2026, m, d, hh, mm, ss) + 6 * 3600;
}

static const sms_policy daytime = {8 * 60, 20 * 60, 1, 3};
static const sms_policy all_day = {0, 24 * 60, 1, 3};

static char saved_tz[128];
static int had_tz;

static int chicago(void **state)
{
    (void)state;
    const char *tz = getenv("TZ");
    had_tz = tz != NULL;
    if (tz)
        snprintf(saved_tz, sizeof saved_tz, "%s", tz);
    setenv("TZ", "America/Chicago", 1);
    tzset();
    return 0;
}

static int restore_tz(void **state)
{
    (void)state;
    if (had_tz)
        setenv("TZ", saved_tz, 1);
    else
        unsetenv("TZ");
    tzset();
    return 0;
}

static void expect_slot(const sms_policy *p, time_t want, const time_t *taken, int n,
                        time_t expected)
{
    time_t got = sms_next_slot(p, want, taken, n);
    if (got != expected)
        fail_msg("want %lld: got %lld, expected %lld (off by %lld s)", (long long)want,
                 (long long)got, (long long)expected, (long long)(got - expected));
}

static void the_zone_is_chicago(void **state)
{
    (void)state;
    /* guards the rest: without tzdata every expectation below is wrong */
    struct tm tm;
    time_t t = cdt(6, 10, 12, 0, 0);
    assert_non_null(localtime_r(&t, &tm));
    assert_int_equal(tm.tm_hour, 12);
    t = cst(1, 10, 12, 0, 0);
    assert_non_null(localtime_r(&t, &tm));
    assert_int_equal(tm.tm_hour, 12);
}

static void allowed_hours_edges(void **state)
{
    (void)state;
    expect_slot(&daytime, cdt(6, 10, 8, 0, 0), NULL, 0, cdt(6, 10, 8, 0, 0));
    expect_slot(&daytime, cdt(6, 10, 7, 59, 59), NULL, 0, cdt(6, 10, 8, 0, 0));
    expect_slot(&daytime, cdt(6, 10, 0, 0, 0), NULL, 0, cdt(6, 10, 8, 0, 0));
    expect_slot(&daytime, cdt(6, 10, 12, 34, 56), NULL, 0, cdt(6, 10, 12, 34, 56));
    expect_slot(&daytime, cdt(6, 10, 19, 59, 59), NULL, 0, cdt(6, 10, 19, 59, 59));
    expect_slot(&daytime, cdt(6, 10, 20, 0, 0), NULL, 0, cdt(6, 11, 8, 0, 0));
    expect_slot(&daytime, cdt(6, 10, 23, 59, 59), NULL, 0, cdt(6, 11, 8, 0, 0));
    /* across a month and a year end */
    expect_slot(&daytime, cdt(6, 30, 21, 0, 0), NULL, 0, cdt(7, 1, 8, 0, 0));
    expect_slot(&daytime, cst(12, 31, 21, 0, 0), NULL, 0, utc(2027, 1, 1, 14, 0, 0));
    /* a narrow window: 09:15-09:16 */
    sms_policy narrow = {9 * 60 + 15, 9 * 60 + 16, 1, 3};
    expect_slot(&narrow, cdt(6, 10, 9, 15, 59), NULL, 0, cdt(6, 10, 9, 15, 59));
    expect_slot(&narrow, cdt(6, 10, 9, 16, 0), NULL, 0, cdt(6, 11, 9, 15, 0));
}

static void day_cap(void **state)
{
    (void)state;
    time_t morning[] = {cdt(6, 10, 9, 0, 0)};
    expect_slot(&daytime, cdt(6, 10, 10, 0, 0), morning, 1, cdt(6, 11, 8, 0, 0));
    /* a text at 23:00 yesterday (sent, say, by an all-day policy) is not today */
    time_t late[] = {cdt(6, 9, 23, 0, 0)};
    expect_slot(&daytime, cdt(6, 10, 10, 0, 0), late, 1, cdt(6, 10, 10, 0, 0));
    /* a scheduled one tomorrow pushes to the day after; order does not matter */
    time_t two[] = {cdt(6, 11, 15, 0, 0), cdt(6, 10, 9, 0, 0)};
    expect_slot(&daytime, cdt(6, 10, 10, 0, 0), two, 2, cdt(6, 12, 8, 0, 0));
    /* two a day allowed: one taken leaves room */
    sms_policy twice = {8 * 60, 20 * 60, 2, 7};
    expect_slot(&twice, cdt(6, 10, 10, 0, 0), morning, 1, cdt(6, 10, 10, 0, 0));
    time_t both[] = {cdt(6, 10, 9, 0, 0), cdt(6, 10, 19, 0, 0)};
    expect_slot(&twice, cdt(6, 10, 10, 0, 0), both, 2, cdt(6, 11, 8, 0, 0));
}

static void week_cap(void **state)
{
    (void)state;
    /* days D-6, D-3, D-1 hold three: D is over, D+1 (window D-5..D+1) is not */
    time_t past[] = {cdt(6, 4, 9, 0, 0), cdt(6, 7, 9, 0, 0), cdt(6, 9, 9, 0, 0)};
    expect_slot(&daytime, cdt(6, 10, 9, 0, 0), past, 3, cdt(6, 11, 8, 0, 0));
    /* D-7 is outside every window that holds D */
    time_t older[] = {cdt(6, 3, 9, 0, 0), cdt(6, 7, 9, 0, 0), cdt(6, 9, 9, 0, 0)};
    expect_slot(&daytime, cdt(6, 10, 9, 0, 0), older, 3, cdt(6, 10, 9, 0, 0));
    /* scheduled texts on D+2, D+4, D+6 fill every window through D+8 */
    time_t future[] = {cdt(6, 16, 9, 0, 0), cdt(6, 12, 9, 0, 0), cdt(6, 14, 9, 0, 0)};
    expect_slot(&daytime, cdt(6, 10, 9, 0, 0), future, 3, cdt(6, 19, 8, 0, 0));
    /* a cap of 1 a week: the next text is 7 days after the last */
    sms_policy weekly = {8 * 60, 20 * 60, 1, 1};
    time_t last[] = {cdt(6, 10, 19, 0, 0)};
    expect_slot(&weekly, cdt(6, 11, 9, 0, 0), last, 1, cdt(6, 17, 8, 0, 0));
}

static void spring_forward(void **state)
{
    (void)state;
    /* 2026-03-08: 02:00 CST becomes 03:00 CDT */
    expect_slot(&daytime, cst(3, 7, 20, 30, 0), NULL, 0, cdt(3, 8, 8, 0, 0));
    expect_slot(&daytime, cst(3, 8, 1, 30, 0), NULL, 0, cdt(3, 8, 8, 0, 0));
    expect_slot(&daytime, cdt(3, 8, 20, 0, 0), NULL, 0, cdt(3, 9, 8, 0, 0));
    /* the 23-hour day is one day: 00:30 CST and 23:30 CDT are 22 h apart */
    time_t early[] = {cst(3, 8, 0, 30, 0)};
    expect_slot(&all_day, cdt(3, 8, 23, 30, 0), early, 1, cdt(3, 9, 0, 0, 0));
    /* and the day before it is another day, though only 1 h earlier */
    time_t before[] = {cst(3, 7, 23, 30, 0)};
    expect_slot(&all_day, cst(3, 8, 0, 30, 0), before, 1, cst(3, 8, 0, 30, 0));
}

static void fall_back(void **state)
{
    (void)state;
    /* 2026-11-01: 02:00 CDT becomes 01:00 CST */
    expect_slot(&daytime, cdt(10, 31, 20, 30, 0), NULL, 0, cst(11, 1, 8, 0, 0));
    expect_slot(&daytime, cst(11, 1, 20, 0, 0), NULL, 0, cst(11, 2, 8, 0, 0));
    /* the 25-hour day is one day: 00:30 CDT and 23:30 CST are 24 h apart */
    time_t early[] = {cdt(11, 1, 0, 30, 0)};
    expect_slot(&all_day, cst(11, 1, 23, 30, 0), early, 1, cst(11, 2, 0, 0, 0));
    /* 01:30 happens twice; both are the same day */
    time_t first[] = {cdt(11, 1, 1, 30, 0)};
    expect_slot(&all_day, cst(11, 1, 1, 30, 0), first, 1, cst(11, 2, 0, 0, 0));
    /* the week is 7 calendar days, not 168 hours: Oct 26 10:00 CDT is
     * 167 h before Nov 2 08:00 CST, yet Nov 2 starts a window without it */
    time_t week[] = {cdt(10, 26, 10, 0, 0), cdt(10, 29, 10, 0, 0), cdt(10, 31, 10, 0, 0)};
    expect_slot(&daytime, cst(11, 1, 10, 0, 0), week, 3, cst(11, 2, 8, 0, 0));
}

static void looks_sixty_days_ahead(void **state)
{
    (void)state;
    sms_policy p = {8 * 60, 20 * 60, 1, 7};
    time_t full[61];
    time_t start = cdt(6, 1, 9, 0, 0);
    for (int i = 0; i < 61; i++)
        full[i] = start + (time_t)i * DAY; /* June and July have no DST change */
    /* days 0..59 full: day 60 is the last one looked at */
    expect_slot(&p, start, full, 60, cdt(7, 31, 8, 0, 0));
    /* days 0..60 full: nothing */
    expect_slot(&p, start, full, 61, NONE);
}

static void bad_policies_find_nothing(void **state)
{
    (void)state;
    time_t t = cdt(6, 10, 12, 0, 0);
    sms_policy inverted = {20 * 60, 8 * 60, 1, 3}, empty = {8 * 60, 8 * 60, 1, 3};
    sms_policy late = {8 * 60, 24 * 60 + 1, 1, 3}, no_day = {8 * 60, 20 * 60, 0, 3};
    sms_policy no_week = {8 * 60, 20 * 60, 1, 0}, negative = {-1, 20 * 60, 1, 3};
    expect_slot(&inverted, t, NULL, 0, NONE);
    expect_slot(&empty, t, NULL, 0, NONE);
    expect_slot(&late, t, NULL, 0, NONE);
    expect_slot(&no_day, t, NULL, 0, NONE);
    expect_slot(&no_week, t, NULL, 0, NONE);
    expect_slot(&negative, t, NULL, 0, NONE);
    expect_slot(NULL, t, NULL, 0, NONE);
    expect_slot(&daytime, t, NULL, 3, NONE); /* a count without an array */
}

static void plans(void **state)
{
    (void)state;
    int offsets[] = {7 * DAY, 14 * DAY};
    time_t out[4];

    /* consent at 14:00: both land at 14:00 a week and two weeks on */
    assert_int_equal(sms_plan(&daytime, cdt(6, 8, 14, 0, 0), offsets, 2, NULL, 0, out), 2);
    assert_true(out[0] == cdt(6, 15, 14, 0, 0));
    assert_true(out[1] == cdt(6, 22, 14, 0, 0));

    /* consent at 21:00: both move to the next morning */
    assert_int_equal(sms_plan(&daytime, cdt(6, 8, 21, 0, 0), offsets, 2, NULL, 0, out), 2);
    assert_true(out[0] == cdt(6, 16, 8, 0, 0));
    assert_true(out[1] == cdt(6, 23, 8, 0, 0));

    /* each later text counts the earlier ones: three at once spread over days */
    int now3[] = {0, 0, 60};
    assert_int_equal(sms_plan(&daytime, cdt(6, 8, 9, 0, 0), now3, 3, NULL, 0, out), 3);
    assert_true(out[0] == cdt(6, 8, 9, 0, 0));
    assert_true(out[1] == cdt(6, 9, 8, 0, 0));
    assert_true(out[2] == cdt(6, 10, 8, 0, 0));

    /* ... and a fourth in the same week waits for the window to move on */
    int now4[] = {0, 0, 0, 0};
    assert_int_equal(sms_plan(&daytime, cdt(6, 8, 9, 0, 0), now4, 4, NULL, 0, out), 4);
    assert_true(out[3] == cdt(6, 15, 8, 0, 0));

    /* texts from another visit count too */
    time_t taken[] = {cdt(6, 15, 10, 0, 0)};
    assert_int_equal(sms_plan(&daytime, cdt(6, 8, 14, 0, 0), offsets, 2, taken, 1, out), 2);
    assert_true(out[0] == cdt(6, 16, 8, 0, 0));
    assert_true(out[1] == cdt(6, 22, 14, 0, 0));

    /* an offset before the consent, or a policy that allows nothing, gets -1 */
    int bad[] = {-DAY, DAY};
    assert_int_equal(sms_plan(&daytime, cdt(6, 8, 14, 0, 0), bad, 2, NULL, 0, out), 1);
    assert_true(out[0] == NONE);
    assert_true(out[1] == cdt(6, 9, 14, 0, 0));
    sms_policy none = {8 * 60, 20 * 60, 0, 3};
    assert_int_equal(sms_plan(&none, cdt(6, 8, 14, 0, 0), offsets, 2, NULL, 0, out), 0);
    assert_true(out[0] == NONE && out[1] == NONE);
}

static void plan_across_dst(void **state)
{
    (void)state;
    /* consent on a Sunday evening before spring forward; 7 days on is after it */
    int offsets[] = {7 * DAY};
    time_t out[1];
    assert_int_equal(sms_plan(&daytime, cst(3, 1, 19, 30, 0), offsets, 1, NULL, 0, out), 1);
    /* 7 x 86400 s after 19:30 CST is 20:30 CDT: past the window, so Monday 08:00 */
    assert_true(out[0] == cdt(3, 9, 8, 0, 0));
}

static void backoff_bounds(void **state)
{
    (void)state;
    const unsigned max = 0xFFFFFFFFu;
    assert_int_equal(sms_backoff_s(1, 30, 600, -1, 0), 0);
    assert_int_equal(sms_backoff_s(1, 30, 600, -1, max), 30);
    assert_int_equal(sms_backoff_s(2, 30, 600, -1, max), 60);
    assert_int_equal(sms_backoff_s(3, 30, 600, -1, max), 120);
    assert_int_equal(sms_backoff_s(5, 30, 600, -1, max), 480);
    assert_int_equal(sms_backoff_s(6, 30, 600, -1, max), 600); /* 960 capped */
    assert_int_equal(sms_backoff_s(1000, 30, 600, -1, max), 600);
    assert_int_equal(sms_backoff_s(INT_MAX, INT_MAX, INT_MAX, -1, max), INT_MAX);
    assert_int_equal(sms_backoff_s(3, 30, 600, -1, 0x80000000u), 60); /* the middle */
    assert_int_equal(sms_backoff_s(0, 30, 600, -1, max), 30);  /* treated as the first */
    assert_int_equal(sms_backoff_s(-5, 30, 600, -1, max), 30);
    assert_int_equal(sms_backoff_s(3, 0, 600, -1, max), 0);
    assert_int_equal(sms_backoff_s(3, 30, -1, -1, max), 0);

    /* every draw is inside [0, ceiling], and both ends are reached */
    int lo = INT_MAX, hi = -1;
    for (unsigned i = 0; i < 4096; i++) {
        int w = sms_backoff_s(4, 30, 600, -1, i * 1048573u);
        assert_in_range(w, 0, 240);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 240);
}

static void backoff_honours_retry_after(void **state)
{
    (void)state;
    assert_int_equal(sms_backoff_s(1, 30, 600, 120, 0), 120);
    assert_int_equal(sms_backoff_s(1, 30, 600, 120, 0xFFFFFFFFu), 120);
    assert_int_equal(sms_backoff_s(6, 30, 600, 120, 0xFFFFFFFFu), 600); /* more is fine */
    assert_int_equal(sms_backoff_s(6, 30, 600, 3600, 0), 3600); /* even past the cap */
    assert_int_equal(sms_backoff_s(1, 30, 600, 0, 0), 0);
}

static void retry_after_delta_seconds(void **state)
{
    (void)state;
    time_t now = utc(2026, 11, 29, 12, 0, 0);
    assert_int_equal(sms_retry_after("120", now), 120);
    assert_int_equal(sms_retry_after("0", now), 0);
    assert_int_equal(sms_retry_after(" 30\t", now), 30);
    assert_int_equal(sms_retry_after("0007", now), 7);
    assert_int_equal(sms_retry_after("2147483647", now), INT_MAX);
    assert_int_equal(sms_retry_after("99999999999999999999", now), INT_MAX);
    static const char *const bad[] = {"", "   ", "-1", "+5", "1.5", "12a", "1 2", "abc",
                                      "0x10", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sms_retry_after(bad[i], now) != -1)
            fail_msg("\"%s\" was accepted", bad[i]);
    assert_int_equal(sms_retry_after(NULL, now), -1);
    /* only the first 64 bytes are looked at, and a longer value is refused
     * rather than judged by its beginning */
    char longer[100];
    memset(longer, '9', sizeof longer);
    longer[70] = 'x';
    longer[71] = '\0';
    assert_int_equal(sms_retry_after(longer, now), -1);
}

static void retry_after_http_date(void **state)
{
    (void)state;
    time_t date = utc(1994, 11, 6, 8, 49, 37);
    const char *fix = "Sun, 06 Nov 1994 08:49:37 GMT";
    assert_int_equal(sms_retry_after(fix, date - 100), 100);
    assert_int_equal(sms_retry_after(fix, date), 0);
    assert_int_equal(sms_retry_after(fix, date + 1), 0); /* a past date */
    assert_int_equal(sms_retry_after(fix, date + 100), 0);
    assert_int_equal(sms_retry_after(" Sun, 06 Nov 1994 08:49:37 GMT ", date - 1), 1);

    time_t now = utc(2026, 11, 29, 12, 0, 0);
    assert_int_equal(sms_retry_after("Sun, 29 Nov 2026 12:02:00 GMT", now), 120);
    assert_int_equal(sms_retry_after("Tue, 01 Dec 2026 12:00:00 GMT", now), 2 * DAY);
    assert_int_equal(sms_retry_after("Tue, 29 Feb 2028 00:00:00 GMT",
                                     utc(2028, 2, 28, 23, 59, 0)), 60);
    assert_int_equal(sms_retry_after("Fri, 01 Jan 2027 00:00:00 GMT",
                                     utc(2026, 12, 31, 23, 59, 59)), 1);

    static const char *const bad[] = {
        "Sun, 06 Nov 1994 08:49:37 UTC",  "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Foo 1994 08:49:37 GMT",  "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",  "Sun, 29 Feb 2026 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",  "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",  "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 19a4 08:49:37 GMT",  "Sun, 06 Nov 1994 08:49:37 GMTX",
        "Sun,06 Nov 1994 08:49:37 GMT"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sms_retry_after(bad[i], now) != -1)
            fail_msg("\"%s\" was accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_zone_is_chicago),
        cmocka_unit_test(allowed_hours_edges),
        cmocka_unit_test(day_cap),
        cmocka_unit_test(week_cap),
        cmocka_unit_test(spring_forward),
        cmocka_unit_test(fall_back),
        cmocka_unit_test(looks_sixty_days_ahead),
        cmocka_unit_test(bad_policies_find_nothing),
        cmocka_unit_test(plans),
        cmocka_unit_test(plan_across_dst),
        cmocka_unit_test(backoff_bounds),
        cmocka_unit_test(backoff_honours_retry_after),
        cmocka_unit_test(retry_after_delta_seconds),
        cmocka_unit_test(retry_after_http_date),
    };
    return cmocka_run_group_tests(tests, chicago, restore_tz);
}
