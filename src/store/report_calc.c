/*
 * The arithmetic of a report (reports.h): the range check, adding up
 * (day, metric, value) rows into plain counts, and the rates.  Pure: the
 * same rows always give the same report, whichever mix of live rows and
 * daily_counts they came from, which is what lets a report over days the
 * retention purge already emptied still add up.
 */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/reports.h"
#include "signpost/schedule.h"

/* Days since 1970-01-01 of a valid YYYYMMDD (civil calendar). */
static long day_number(int ymd)
{
    long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void report_date_text(int date, char out[11])
{
    unsigned d = date > 0 ? (unsigned)date : 0;
    snprintf(out, 11, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
}

/* "YYYY-MM-DD" exactly, as YYYYMMDD; 0 when it is anything else. */
static int strict_date(const char *s)
{
    int d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    d = schedule_parse_date(s);
    return d > 0 ? d : 0;
}

sg_rc report_range(const char *from, const char *to, int today, int *from_out,
                   int *to_out, const char **field, char *msg, size_t msglen)
{
    int f, t;

    *field = NULL;
    t = to ? strict_date(to) : today;
    if (!t) {
        *field = "to";
        snprintf(msg, msglen, "to: a date written YYYY-MM-DD");
        return SG_EINVAL;
    }
    f = from ? strict_date(from) : schedule_date_add(t, -(REPORT_DEFAULT_DAYS - 1));
    if (!f) {
        *field = "from";
        snprintf(msg, msglen, "from: a date written YYYY-MM-DD");
        return SG_EINVAL;
    }
    if (f > t) {
        *field = "from";
        snprintf(msg, msglen, "from: must not be after to");
        return SG_ENOTFOUND;
    }
    if (day_number(t) - day_number(f) + 1 > REPORT_MAX_DAYS) {
        *field = from ? "from" : "to";
        snprintf(msg, msglen, "%s: a report covers at most %d days", *field,
                 REPORT_MAX_DAYS);
        return SG_ETOOBIG;
    }
    *from_out = f;
    *to_out = t;
    return SG_OK;
}

void report_init(report_counts *c, int from, int to, const char *const *domains,
                 int ndomains)
{
    assert(from <= to && day_number(to) - day_number(from) < REPORT_MAX_DAYS);
    memset(c, 0, sizeof *c);
    c->from = from;
    c->to = to;
    c->ndays = (int)(day_number(to) - day_number(from) + 1);
    for (int i = 0; i < ndomains && i < REPORT_MAX_DOMAINS; i++)
        snprintf(c->domains[c->ndomains++].name, sizeof c->domains[0].name, "%s",
                 domains[i]);
}

/* The plain counters, by metric name. */
static const struct {
    const char *metric;
    size_t offset;
} counters[] = {
    {"wants_help", offsetof(report_counts, wants_yes)},
    {"wants_help_no", offsetof(report_counts, wants_no)},
    {"sms_consents", offsetof(report_counts, consents)},
    {"texts_sent", offsetof(report_counts, sent)},
    {"texts:delivered", offsetof(report_counts, delivered)},
    {"texts:failed", offsetof(report_counts, failed)},
    {"texts:expired", offsetof(report_counts, expired)},
    {"opt_outs", offsetof(report_counts, opt_outs)},
    {"positive_any", offsetof(report_counts, positive_any)},
    {"referred_any", offsetof(report_counts, referred_any)},
    {"connected_any", offsetof(report_counts, connected_any)},
    {"funnel:suggested", offsetof(report_counts, suggested)},
    {"funnel:referred", offsetof(report_counts, referred)},
    {"funnel:contacted", offsetof(report_counts, contacted)},
    {"funnel:connected", offsetof(report_counts, connected)},
    {"funnel:declined", offsetof(report_counts, declined)},
    {"funnel:unreachable", offsetof(report_counts, unreachable)},
};

static int add_domain(report_counts *c, const char *name, long v)
{
    int i;

    for (i = 0; i < c->ndomains; i++)
        if (!strcmp(c->domains[i].name, name))
            break;
    if (i == c->ndomains) { /* a domain an older instrument had */
        if (i == REPORT_MAX_DOMAINS || !*name ||
            strlen(name) >= sizeof c->domains[0].name)
            return 1;
        snprintf(c->domains[c->ndomains++].name, sizeof c->domains[0].name, "%s", name);
    }
    c->domains[i].positive += v;
    return 0;
}

static int add_lang(report_counts *c, const char *code, long v)
{
    int i;

    for (i = 0; i < c->nlangs; i++)
        if (!strcmp(c->langs[i].code, code))
            break;
    if (i == c->nlangs) {
        if (i == REPORT_MAX_LANGS || !*code || strlen(code) >= sizeof c->langs[0].code)
            return 1;
        snprintf(c->langs[c->nlangs++].code, sizeof c->langs[0].code, "%s", code);
    }
    c->langs[i].count += v;
    return 0;
}

int report_add(report_counts *c, const char *day, const char *metric, long value)
{
    int d = day ? strict_date(day) : 0;
    long i;

    if (!d || d < c->from || d > c->to || !metric)
        return 1;
    if (!strcmp(metric, "screenings")) {
        i = day_number(d) - day_number(c->from);
        assert(i >= 0 && i < c->ndays);
        c->per_day[i] += value;
        c->screenings += value;
        return 0;
    }
    if (!strncmp(metric, "positive:", 9))
        return add_domain(c, metric + 9, value);
    if (!strncmp(metric, "language:", 9))
        return add_lang(c, metric + 9, value);
    if (!strncmp(metric, "replies:", 8)) {
        c->replies += value;
        return 0;
    }
    for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++)
        if (!strcmp(metric, counters[k].metric)) {
            *(long *)(void *)((char *)c + counters[k].offset) += value;
            return 0;
        }
    return 1;
}

static int by_count(const void *a, const void *b)
{
    const report_lang *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* num / den to 4 decimals; NAN when there is nothing to divide by. */
static double rate(long num, long den)
{
    if (den <= 0)
        return NAN;
    return round((double)num / (double)den * 10000.0) / 10000.0;
}

static void raise_to(long *earlier, long later)
{
    if (*earlier < later)
        *earlier = later;
}

void report_finish(report_counts *c, report_rates *r)
{
    memset(r, 0, sizeof *r);
    qsort(c->langs, (size_t)c->nlangs, sizeof c->langs[0], by_count);
    /* Stages reached are counted from history, so this only matters for
     * counts kept by an older signpost or edited by hand. */
    raise_to(&c->contacted, c->connected);
    raise_to(&c->referred, c->contacted);
    raise_to(&c->suggested, c->referred);
    raise_to(&c->referred_any, c->connected_any);
    raise_to(&c->positive_any, c->referred_any);
    r->wants_unknown = c->screenings - c->wants_yes - c->wants_no;
    if (r->wants_unknown < 0)
        r->wants_unknown = 0;
    r->help_rate = rate(c->wants_yes, c->wants_yes + c->wants_no);
    for (int i = 0; i < c->ndomains; i++)
        r->positive_rate[i] = rate(c->domains[i].positive, c->screenings);
    r->reply_rate = rate(c->replies, c->sent);
    r->positive_any_rate = rate(c->positive_any, c->screenings);
    r->referred_rate = rate(c->referred_any, c->positive_any);
    r->closed_loop_rate = rate(c->connected_any, c->positive_any);
}
