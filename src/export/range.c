/*
 * Date ranges for the exports: from=YYYY-MM-DD&to=YYYY-MM-DD, inclusive,
 * in the clinic's time zone, turned into the UTC instants the store keeps
 * (created_at, audit_log.at are UTC ISO 8601 text, which compares in time
 * order), so a range is two index comparisons instead of a conversion of
 * every row.
 *
 * The conversion asks mktime() for local midnight with the DST flag left
 * to it: the daemon set TZ to [clinic] timezone at start-up, the same
 * zone SQLite's 'localtime' and app_local_time() use, so the local_date
 * column and the range always agree.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "signpost/export.h"

static int days_in(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The number of n digits at s, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int export_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    *y = digits(s, 4);
    *m = digits(s + 5, 2);
    *d = digits(s + 8, 2);
    if (*y < 1970 || *m < 1 || *m > 12 || *d < 1)
        return -1;
    return *d <= days_in(*y, *m) ? 0 : -1;
}

/* The UTC instant of local midnight starting y-m-d (+ add days), as ISO text. */
static int local_midnight_utc(int y, int m, int d, int add, char *out, size_t outlen)
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + add; /* mktime carries day 32 into the next month */
    tm.tm_isdst = -1;
    if ((t = mktime(&tm)) == (time_t)-1 || !gmtime_r(&t, &tm))
        return -1;
    return strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) ? 0 : -1;
}

sg_rc export_range_make(const char *from, const char *to, export_range *r,
                        const char **field)
{
    int fy, fm, fd, ty, tm, td;

    memset(r, 0, sizeof *r);
    *field = "from";
    if (export_parse_date(from, &fy, &fm, &fd))
        return SG_EINVAL;
    *field = "to";
    if (export_parse_date(to, &ty, &tm, &td) || strcmp(from, to) > 0)
        return SG_EINVAL;
    memcpy(r->from, from, 11);
    memcpy(r->to, to, 11);
    *field = "from";
    if (local_midnight_utc(fy, fm, fd, 0, r->lo, sizeof r->lo) ||
        local_midnight_utc(ty, tm, td, 1, r->hi, sizeof r->hi))
        return SG_EINVAL;
    *field = NULL;
    return SG_OK;
}

/* YYYY-MM-DD of local day t, plus add days. */
static void local_date(time_t t, int add, char out[11])
{
    struct tm tm;

    localtime_r(&t, &tm);
    tm.tm_mday += add;
    tm.tm_hour = 12; /* noon: a DST change never moves it to another day */
    tm.tm_isdst = -1;
    mktime(&tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

sg_rc export_range_default(const char *from, const char *to, time_t now, export_range *r,
                           const char **field)
{
    char dfrom[11], dto[11];
    int y, m, d;
    struct tm tm;

    if (!to) {
        local_date(now, 0, dto);
        to = dto;
    }
    if (export_parse_date(to, &y, &m, &d)) {
        *field = "to"; /* named first: from's default hangs on it */
        memset(r, 0, sizeof *r);
        return SG_EINVAL;
    }
    if (!from) {
        memset(&tm, 0, sizeof tm);
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_hour = 12;
        tm.tm_isdst = -1;
        local_date(mktime(&tm), 1 - EXPORT_DEFAULT_DAYS, dfrom);
        from = dfrom;
    }
    return export_range_make(from, to, r, field);
}
