/*
 * When a text may go out (see sms.h): inside the clinic's allowed hours,
 * at most max_per_day texts to a number on any local calendar day and at
 * most max_per_week on any 7 consecutive local days, counting texts already
 * sent and texts still scheduled.  And how long to wait before retrying a
 * send the gateway could not take, and what its Retry-After header says.
 *
 * Everything is in local calendar days, not in 24-hour blocks, because
 * that is what "one text a day, never at night" means to a patient: on the
 * autumn DST day 25 hours are one day, in spring 23 are.  Dates are turned
 * into day numbers (days since 1970-01-01) for arithmetic, and a local
 * clock on a date into a time_t by mktime with tm_isdst = -1, so the
 * window's edges are found on both sides of a DST change.
 *
 * Nothing allocates: the search is at most SEARCH_DAYS + 1 candidate days,
 * each a pass over the texts already taken.
 */
#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "signpost/sms.h"

#define SEARCH_DAYS 60
#define WEEK_DAYS 7
#define MINUTES_PER_DAY 1440
#define RETRY_AFTER_MAX 64 /* longer than any well-formed value, white space and all */

/* ---- Day numbers ----------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(long y, int m, int d)
{
    long era, yoe, doy, doe;

    assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    y -= m <= 2; /* count years from March so the leap day comes last */
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse: the civil date of day number z. */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The local calendar day of t; LONG_MIN when the C library cannot say. */
static long local_day(time_t t)
{
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return LONG_MIN;
    return days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1, tm.tm_mday);
}

/* The time_t of minute `min` (0..1440) of local day `day`; -1 on failure. */
static time_t local_time(long day, int min)
{
    struct tm tm;
    int y, m, d;

    civil_from_days(day, &y, &m, &d);
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = min / 60; /* 24:00 normalises to the next midnight */
    tm.tm_min = min % 60;
    tm.tm_isdst = -1; /* let the zone say whether DST is in force then */
    return mktime(&tm);
}

/* ---- Caps ------------------------------------------------------------------ */

/*
 * Texts per local day for the 13 days day-6 .. day+6 (every 7-day window
 * that contains day), from both lists.
 */
static void count_around(long day, const time_t *a, int na, const time_t *b, int nb,
                         int hist[2 * WEEK_DAYS - 1])
{
    memset(hist, 0, sizeof(int) * (2 * WEEK_DAYS - 1));
    for (int list = 0; list < 2; list++) {
        const time_t *t = list ? b : a;
        int n = list ? nb : na;
        for (int i = 0; i < n; i++) {
            long d = t[i] == (time_t)-1 ? LONG_MIN : local_day(t[i]);
            if (d == LONG_MIN) /* unplanned (-1), or a time the C library cannot place */
                continue;
            long rel = d - day + (WEEK_DAYS - 1);
            if (rel >= 0 && rel < 2 * WEEK_DAYS - 1)
                hist[rel]++;
        }
    }
}

/* Whether one more text on local day `day` keeps both caps. */
static int caps_allow(const sms_policy *p, long day, const time_t *a, int na, const time_t *b,
                      int nb)
{
    int hist[2 * WEEK_DAYS - 1];

    count_around(day, a, na, b, nb, hist);
    if (hist[WEEK_DAYS - 1] + 1 > p->max_per_day)
        return 0;
    /* Each window of 7 days that contains `day` starts 0..6 days before it. */
    for (int start = 0; start < WEEK_DAYS; start++) {
        int sum = 1;
        for (int k = 0; k < WEEK_DAYS; k++)
            sum += hist[start + k];
        if (sum > p->max_per_week)
            return 0;
    }
    return 1;
}

static int policy_ok(const sms_policy *p)
{
    return p && p->quiet_start_min >= 0 && p->quiet_start_min < p->quiet_end_min &&
           p->quiet_end_min <= MINUTES_PER_DAY && p->max_per_day >= 1 && p->max_per_week >= 1;
}

/* sms_next_slot over two lists of texts already taken (sms_plan adds its own). */
static time_t next_slot(const sms_policy *p, time_t want, const time_t *a, int na,
                        const time_t *b, int nb)
{
    long first = local_day(want);

    if (!policy_ok(p) || first == LONG_MIN || want == (time_t)-1)
        return (time_t)-1;
    for (long day = first; day <= first + SEARCH_DAYS; day++) {
        time_t open = local_time(day, p->quiet_start_min);
        time_t close = local_time(day, p->quiet_end_min);
        time_t t = want > open ? want : open;
        if (open == (time_t)-1 || close == (time_t)-1 || t >= close)
            continue;
        if (caps_allow(p, day, a, na, b, nb))
            return t;
    }
    return (time_t)-1;
}

time_t sms_next_slot(const sms_policy *p, time_t want, const time_t *taken, int ntaken)
{
    if (ntaken > 0 && !taken)
        return (time_t)-1;
    return next_slot(p, want, taken, ntaken > 0 ? ntaken : 0, NULL, 0);
}

int sms_plan(const sms_policy *p, time_t consented_at, const int *offsets_s, int n,
             const time_t *taken, int ntaken, time_t *out)
{
    int got = 0;

    if (n <= 0 || !offsets_s || !out)
        return 0;
    if (ntaken > 0 && !taken)
        ntaken = 0;
    for (int i = 0; i < n; i++) {
        out[i] = (time_t)-1;
        /* A text can never be planned before the consent that allows it. */
        if (offsets_s[i] < 0)
            continue;
        /* out[0..i) holds the earlier texts; unplanned ones (-1) count nothing. */
        out[i] = next_slot(p, consented_at + offsets_s[i], taken, ntaken > 0 ? ntaken : 0,
                           out, i);
        got += out[i] != (time_t)-1;
    }
    return got;
}

/* ---- Retries ----------------------------------------------------------------- */

int sms_backoff_s(int attempt, int base_s, int cap_s, int retry_after_s, unsigned rnd)
{
    long long ceiling = base_s > 0 ? base_s : 0;
    int wait;

    if (cap_s < 0)
        cap_s = 0;
    /* Doubling stops at the cap, so a huge attempt number cannot overflow. */
    for (int i = 1; i < attempt && ceiling < cap_s; i++)
        ceiling *= 2;
    if (ceiling > cap_s)
        ceiling = cap_s;
    /* Scale rnd onto 0..ceiling: multiply-shift keeps every value equally likely
     * to within 2^-32, without the modulo's bias toward small waits. */
    wait = (int)(((uint64_t)rnd * (uint64_t)(ceiling + 1)) >> 32);
    assert(wait >= 0 && wait <= ceiling);
    if (retry_after_s >= 0 && wait < retry_after_s)
        wait = retry_after_s;
    return wait;
}

/* ---- Retry-After ---------------------------------------------------------------- */

/* Two ASCII digits as a number, -1 when they are not digits. */
static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static int month_number(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, names + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

static int is_day_name(const char *s)
{
    static const char names[] = "MonTueWedThuFriSatSun";
    for (int i = 0; i < 7; i++)
        if (strncasecmp(s, names + 3 * i, 3) == 0)
            return 1;
    return 0;
}

static int month_days(int y, int m)
{
    static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return len[m - 1] + (m == 2 && leap);
}

/*
 * An IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" and nothing else (the
 * form RFC 9110 says senders must use), as seconds since the epoch in
 * *out.  The day name is checked for shape, not against the date.
 */
static int parse_imf_fixdate(const char *s, size_t len, long long *out)
{
    int d, m, y, hh, mm, ss;

    if (len != 29 || !is_day_name(s) || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
        memcmp(s + 25, " GMT", 4) != 0)
        return 0;
    d = two_digits(s + 5);
    m = month_number(s + 8);
    y = two_digits(s + 12) * 100 + two_digits(s + 14);
    hh = two_digits(s + 17);
    mm = two_digits(s + 20);
    ss = two_digits(s + 23);
    if (two_digits(s + 12) < 0 || two_digits(s + 14) < 0 || m == 0 || d < 1 ||
        d > month_days(y, m) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return 0;
    *out = days_from_civil(y, m, d) * 86400LL + hh * 3600LL + mm * 60LL + ss;
    return 1;
}

/* delta-seconds: digits only, saturating at INT_MAX (a wait that long is
 * as good as forever). */
static int parse_delta(const char *s, size_t len)
{
    long long v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v < INT_MAX)
            v = v * 10 + (s[i] - '0');
    }
    return v > INT_MAX ? INT_MAX : (int)v;
}

int sms_retry_after(const char *value, time_t now)
{
    size_t len;
    long long when;

    if (!value)
        return -1;
    /* Optional white space around a header value is not part of it. */
    while (*value == ' ' || *value == '\t')
        value++;
    len = strnlen(value, RETRY_AFTER_MAX + 1);
    if (len > RETRY_AFTER_MAX)
        return -1;
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    if (len > 0 && value[0] >= '0' && value[0] <= '9')
        return parse_delta(value, len);
    if (!parse_imf_fixdate(value, len, &when))
        return -1;
    when -= (long long)now;
    if (when <= 0)
        return 0;
    return when > INT_MAX ? INT_MAX : (int)when;
}
