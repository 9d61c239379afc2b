/*
 * Opening-hours evaluation (see schedule.h).  The question a patient has is
 * "can I call or go now, and if not, when?", so the answer is one of: open
 * now until a time, opens later (today or on a named day), open around the
 * clock, closed for the whole look-ahead, or unknown.
 *
 * The evaluator thinks in openings: each day from yesterday to the end of
 * the look-ahead gets the openings that START on it (closure rules leave a
 * date none, special rules replace the regular ones), and each opening is
 * an interval of minutes counted from today's midnight.  Yesterday is there
 * because an overnight opening that started last night still covers this
 * morning; no opening is longer than a day, so yesterday is far enough.
 * Intervals that touch or overlap are followed to the real closing time, so
 * split rows written 08:00-12:00 and 12:00-20:00 read "until 8 pm".
 *
 * Nothing here allocates, does I/O or keeps state: the openings of a day are
 * recomputed from the rules whenever they are needed, which for a handful of
 * rules and nine days is cheaper than any bookkeeping.  The parsers for the
 * text forms HSDS exports use are in schedule_parse.c.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "signpost/schedule.h"

#define DAY SG_MINUTES_PER_DAY
#define HORIZON (SCHEDULE_LOOKAHEAD_DAYS * DAY)

/* ---------------------------------------------------------------------- */
/* Dates: YYYYMMDD integers, converted to a day count for arithmetic.     */
/* ---------------------------------------------------------------------- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    assert(m >= 1 && m <= 12);
    return len[m - 1] + (m == 2 && is_leap(y));
}

int schedule_date_valid(int date)
{
    int y = date / 10000, m = date / 100 % 100, d = date % 100;
    /* Years 1..9999 keep every day count and YYYYMMDD inside an int. */
    return date > 0 && y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
           d <= days_in_month(y, m);
}

/* Days since 1970-01-01 (Howard Hinnant's days_from_civil, years >= 1). */
static int day_number(int date)
{
    int y = date / 10000, m = date / 100 % 100, d = date % 100;
    int yoe, doy, doe, era;

    assert(schedule_date_valid(date));
    y -= m <= 2; /* the computed year starts in March, so leap days come last */
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of day_number (civil_from_days). */
static int date_from_number(int z)
{
    int era, doe, yoe, y, doy, mp, d, m;

    z += 719468;
    assert(z >= 0); /* callers keep to years >= 1 */
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return y * 10000 + m * 100 + d;
}

/* Returns 0 when date is not a date or the sum leaves years 1..9999. */
int schedule_date_add(int date, int days)
{
    static const long long first = -719162, last = 2932896; /* 0001-01-01, 9999-12-31 */
    long long n;

    if (!schedule_date_valid(date))
        return 0;
    n = (long long)day_number(date) + days;
    if (n < first || n > last)
        return 0;
    return date_from_number((int)n);
}

/* 0 Monday ... 6 Sunday; -1 when date is not a date. */
int schedule_weekday(int date)
{
    int n;

    if (!schedule_date_valid(date))
        return -1;
    n = day_number(date) % 7;
    return (n + 7 + 3) % 7; /* 1970-01-01 was a Thursday */
}

/* ---------------------------------------------------------------------- */
/* Does a rule occur on a date?                                           */
/* ---------------------------------------------------------------------- */

/* A date field that is 0 or junk (a failed parse stored as -1) bounds nothing. */
static int bound(int date)
{
    return schedule_date_valid(date) ? date : 0;
}

static int month_index(int date)
{
    return date / 10000 * 12 + date / 100 % 100 - 1;
}

/* Weeks start on Monday (RRULE's default WKST), counted as day numbers. */
static int monday_of(int date)
{
    return day_number(date) - schedule_weekday(date);
}

/*
 * INTERVAL counts weeks or months from DTSTART.  Without a DTSTART there
 * is nothing to count from, so the rule is taken to repeat every period
 * rather than never: showing hours beats showing none.
 */
static int interval_ok(const schedule_rule *r, int date)
{
    int every = r->interval > 1 ? r->interval : 1, start = bound(r->dtstart), since;

    if (every == 1 || !start)
        return 1;
    assert(date >= start); /* schedule_occurs_on checked it first */
    if (r->freq == SCHED_MONTHLY)
        since = month_index(date) - month_index(start);
    else
        since = (monday_of(date) - monday_of(start)) / 7;
    return since % every == 0;
}

static int has_nth(const schedule_rule *r)
{
    for (int wd = 0; wd < 7; wd++)
        if (r->nth[wd])
            return 1;
    return 0;
}

/* BYDAY: plain days match every week, ordinals (1SA, -1FR) a place in the month. */
static int byday_ok(const schedule_rule *r, int date)
{
    int wd = schedule_weekday(date), d = date % 100;
    int dim = days_in_month(date / 10000, date / 100 % 100);
    unsigned nth;

    if (!r->days && !has_nth(r))
        return 1;
    if ((r->days >> wd) & 1u)
        return 1;
    nth = r->nth[wd];
    /* Day 1..7 is the first of its weekday in the month, dim-6..dim the last. */
    return ((nth >> ((d - 1) / 7)) & 1u) || ((nth >> (5 + (dim - d) / 7)) & 1u);
}

/* BYMONTHDAY: 15 is the 15th, -1 the last day whatever the month's length. */
static int monthday_ok(const schedule_rule *r, int date)
{
    int d = date % 100, dim = days_in_month(date / 10000, date / 100 % 100);

    if (!r->monthdays && !r->monthdays_last)
        return 1;
    return ((r->monthdays >> (d - 1)) & 1u) || ((r->monthdays_last >> (dim - d)) & 1u);
}

int schedule_occurs_on(const schedule_rule *r, int date)
{
    assert(r != NULL);
    if (!schedule_date_valid(date))
        return 0;
    if ((bound(r->valid_from) && date < r->valid_from) ||
        (bound(r->valid_to) && date > r->valid_to) ||
        (bound(r->dtstart) && date < r->dtstart) || (bound(r->until) && date > r->until))
        return 0;
    /* BYDAY and BYMONTHDAY narrow each other (RFC 5545: FR;13 is Friday the 13th). */
    return interval_ok(r, date) && byday_ok(r, date) && monthday_ok(r, date);
}

/* ---------------------------------------------------------------------- */
/* Openings: the intervals a day's rules give, and the status from them.  */
/* ---------------------------------------------------------------------- */

/* Times out of range (a failed parse) leave an opening rule out entirely. */
static int has_times(const schedule_rule *r)
{
    return r->opens >= 0 && r->opens < DAY && r->closes >= 0 && r->closes <= DAY;
}

/*
 * Minutes after the opening day's midnight at which r closes.  HSDS writes
 * "until midnight" as 23:59, which is taken at its word as 24:00 so that
 * 00:00-23:59 every day joins up into around the clock.
 */
static int closing_minute(const schedule_rule *r)
{
    int closes = r->closes;

    if (closes == DAY - 1 && r->opens < closes)
        closes = DAY;
    return closes > r->opens ? closes : closes + DAY;
}

/*
 * Which rules give the openings that start on date: -1 for none (a closure
 * occurs), SCHED_SPECIAL when special hours occur, else SCHED_OPENING.
 * A closure beats special hours on the same date: "closed" is the safer
 * thing to tell someone deciding whether to make the trip.
 */
static int ruling_kind(const schedule_rule *rules, size_t n, int date)
{
    int kind = SCHED_OPENING;

    for (size_t i = 0; i < n; i++) {
        if (rules[i].kind == SCHED_CLOSURE && schedule_occurs_on(&rules[i], date))
            return -1;
        if (rules[i].kind == SCHED_SPECIAL && has_times(&rules[i]) &&
            schedule_occurs_on(&rules[i], date))
            kind = SCHED_SPECIAL;
    }
    return kind;
}

/* What the status functions share: the rules and today's date. */
typedef struct {
    const schedule_rule *rules;
    size_t n;
    int today;
} timeline;

/* 1 when rule i gives an opening starting on date, whose ruling kind is kind. */
static int opens_on(const timeline *tl, size_t i, int kind, int date)
{
    const schedule_rule *r = &tl->rules[i];
    return r->kind == kind && has_times(r) && schedule_occurs_on(r, date);
}

/*
 * The latest end of the openings that cover minute p (counted from today's
 * midnight, p >= 0), or -1 when none does.  An opening covering p started
 * on p's own day or, running overnight, the day before.
 */
static int covering_end(const timeline *tl, int p)
{
    int best = -1;

    assert(p >= 0);
    for (int k = p / DAY - 1; k <= p / DAY && k < SCHEDULE_LOOKAHEAD_DAYS; k++) {
        int date = schedule_date_add(tl->today, k);
        int kind = date ? ruling_kind(tl->rules, tl->n, date) : -1;
        for (size_t i = 0; kind >= 0 && i < tl->n; i++) {
            int start = k * DAY + tl->rules[i].opens;
            int end = k * DAY + closing_minute(&tl->rules[i]);
            if (opens_on(tl, i, kind, date) && start <= p && p < end && end > best)
                best = end;
        }
    }
    assert(best < 0 || best > p);
    return best;
}

/* Open now until 'end': follows openings that carry on from it (back-to-back
 * rows, 24-hour days) so the closing time said is the real one. */
static hours_status open_status(const timeline *tl, int end)
{
    hours_status st = {HOURS_OPEN, 0, 0, 0, 0};
    int next;

    while (end < HORIZON && (next = covering_end(tl, end)) > end)
        end = next;
    if (end >= HORIZON) {
        st.state = HOURS_ALWAYS; /* no gap anywhere in the look-ahead */
        return st;
    }
    /* Beyond the header: day_offset and weekday name the closing day, so
     * "until Friday at 5 pm" can be said.  A closing at midnight belongs to
     * the day it ends. */
    st.until = end;
    st.day_offset = (end - 1) / DAY;
    st.weekday = schedule_weekday(schedule_date_add(tl->today, st.day_offset));
    return st;
}

/* The earliest opening of day k (0 today) that starts after 'minute' on
 * today's clock; -1 when there is none. */
static int first_opening(const timeline *tl, int k, int minute)
{
    int date = schedule_date_add(tl->today, k), kind, at = -1;

    if (!date || (kind = ruling_kind(tl->rules, tl->n, date)) < 0)
        return -1;
    for (size_t i = 0; i < tl->n; i++) {
        int opens = tl->rules[i].opens;
        if (!opens_on(tl, i, kind, date) || (k == 0 && opens <= minute))
            continue;
        if (at < 0 || opens < at)
            at = opens;
    }
    return at;
}

static hours_status later_status(const timeline *tl, int minute)
{
    hours_status st = {HOURS_CLOSED, 0, 0, 0, 0};

    for (int k = 0; k < SCHEDULE_LOOKAHEAD_DAYS; k++) {
        int at = first_opening(tl, k, minute);
        if (at >= 0) {
            st.state = HOURS_LATER;
            st.day_offset = k;
            st.weekday = schedule_weekday(schedule_date_add(tl->today, k));
            st.at = at;
            break;
        }
    }
    return st;
}

/* Regular hours exist: without them, closures and special hours alone
 * cannot tell a closed week from one nobody wrote down. */
static int has_regular_hours(const schedule_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rules[i].kind == SCHED_OPENING && has_times(&rules[i]))
            return 1;
    return 0;
}

/*
 * Also HOURS_UNKNOWN for a date or minute out of range: the caller's clock
 * conversion failed, and "unknown" is the honest answer.
 */
hours_status schedule_status(const schedule_rule *rules, size_t n, int date, int minute)
{
    hours_status st = {HOURS_UNKNOWN, 0, 0, 0, 0};
    timeline tl = {rules, n, date};
    int end;

    if (!rules || n == 0 || !schedule_date_valid(date) || minute < 0 || minute >= DAY)
        return st;
    end = covering_end(&tl, minute);
    st = end >= 0 ? open_status(&tl, end) : later_status(&tl, minute);
    if (st.state == HOURS_CLOSED && !has_regular_hours(rules, n))
        st.state = HOURS_UNKNOWN;
    return st;
}

/* ---------------------------------------------------------------------- */
/* Phrases.                                                               */
/* ---------------------------------------------------------------------- */

/*
 * The clock time as people say it: "5 pm", "9:30 am", "noon", "midnight".
 * Spanish carries its article ("las 5 p. m.", "la 1 p. m.", "el mediodía")
 * so the caller only adds the preposition.  "Midnight" is only said for a
 * closing (1440); an opening at 0 reads "12 am", which names the right night.
 */
static void clock_text(int minute, int es, char *out, size_t len)
{
    int h = minute / 60 % 24, m = minute % 60, h12 = h % 12 == 0 ? 12 : h % 12;
    const char *ampm = h < 12 ? (es ? "a. m." : "am") : (es ? "p. m." : "pm");
    const char *article = es ? (h12 == 1 ? "la " : "las ") : "";

    assert(minute >= 0 && minute <= DAY);
    if (minute == DAY)
        snprintf(out, len, "%s", es ? "la medianoche" : "midnight");
    else if (minute == 12 * 60)
        snprintf(out, len, "%s", es ? "el mediodía" : "noon");
    else if (m == 0)
        snprintf(out, len, "%s%d %s", article, h12, ampm);
    else
        snprintf(out, len, "%s%d:%02d %s", article, h12, m, ampm);
}

static const char *const day_en[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                      "Friday", "Saturday", "Sunday"};
static const char *const day_es[7] = {"el lunes",   "el martes", "el miércoles", "el jueves",
                                      "el viernes", "el sábado", "el domingo"};

/* "today", "tomorrow" or the weekday, as the phrase before "at". */
static const char *day_word(int offset, int weekday, int es)
{
    if (offset == 0)
        return es ? "hoy" : "today";
    if (offset == 1)
        return es ? "mañana" : "tomorrow";
    return es ? day_es[(unsigned)weekday % 7] : day_en[(unsigned)weekday % 7];
}

/* Spanish "a" + "el mediodía" contracts to "al mediodía". */
static const char *es_at(const char **clock)
{
    if (strncmp(*clock, "el ", 3) != 0)
        return "a ";
    *clock += 3;
    return "al ";
}

static int fits(int len, size_t outlen)
{
    return len >= 0 && (size_t)len < outlen ? 0 : -1;
}

/*
 * "Open now until 5 pm"; when the closing is not today, with its day:
 * "until tomorrow at 8 am" (an overnight shelter), "until Friday at
 * midnight".  The closing day comes from until itself, so a status built by
 * hand with only until set still reads right for today and tomorrow.
 */
static int say_open(const hours_status *st, int es, char *out, size_t outlen)
{
    char at[32];
    const char *t = at, *a;
    int day = (st->until - 1) / DAY;

    clock_text(st->until - day * DAY, es, at, sizeof at);
    if (day == 0)
        return fits(snprintf(out, outlen, "%s %s", es ? "Abierto ahora hasta" : "Open now until",
                             at),
                    outlen);
    if (!es)
        return fits(snprintf(out, outlen, "Open now until %s at %s",
                             day_word(day, st->weekday, 0), at),
                    outlen);
    a = es_at(&t);
    return fits(snprintf(out, outlen, "Abierto ahora hasta %s %s%s",
                         day_word(day, st->weekday, 1), a, t),
                outlen);
}

/* "Opens today at 1 pm", "Abre el lunes a las 9 a. m.". */
static int say_later(const hours_status *st, int es, char *out, size_t outlen)
{
    char at[32];
    const char *t = at, *a;

    clock_text(st->at, es, at, sizeof at);
    if (!es)
        return fits(snprintf(out, outlen, "Opens %s at %s",
                             day_word(st->day_offset, st->weekday, 0), at),
                    outlen);
    a = es_at(&t);
    return fits(snprintf(out, outlen, "Abre %s %s%s", day_word(st->day_offset, st->weekday, 1),
                         a, t),
                outlen);
}

static int say_fixed(const char *text, char *out, size_t outlen)
{
    return fits(snprintf(out, outlen, "%s", text), outlen);
}

/* "es", "es-MX" and "es_US" are Spanish. */
static int is_spanish(const char *lang)
{
    return lang && strncmp(lang, "es", 2) == 0 &&
           (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');
}

/* Also -1 when out is too small: it then holds a cut-off phrase. */
int schedule_describe(const hours_status *st, const char *lang, char *out, size_t outlen)
{
    int es = is_spanish(lang);

    assert(st != NULL && out != NULL && outlen > 0);
    out[0] = '\0';
    switch (st->state) {
    case HOURS_ALWAYS:
        return say_fixed(es ? "Abierto las 24 horas" : "Open 24 hours", out, outlen);
    case HOURS_CLOSED:
        return say_fixed(es ? "Cerrado esta semana" : "Closed this week", out, outlen);
    case HOURS_OPEN:
        if (st->until <= 0 || st->until >= HORIZON)
            return -1; /* not a status schedule_status makes */
        return say_open(st, es, out, outlen);
    case HOURS_LATER:
        if (st->at < 0 || st->at >= DAY || st->day_offset < 0)
            return -1;
        return say_later(st, es, out, outlen);
    case HOURS_UNKNOWN:
        break;
    }
    return -1;
}
