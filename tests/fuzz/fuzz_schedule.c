/*
 * Fuzzes opening hours end to end: the text parsers HSDS values go through
 * (schedule_parse_time/date/byday/bymonthday/weekday), rules built from
 * them with the importer's own checks, the evaluator (schedule_status) and
 * the phrase the patient reads (schedule_describe).
 *
 * Input: the first line is "YYYYMMDD MINUTE LANG" (now); each further line
 * is one rule, fields separated by ';':
 *   kind;freq;interval;byday;bymonthday;opens;closes;dtstart;until;valid_from;valid_to
 * kind: 0 opening, 1 closure, 2 special; freq: W or M.
 *
 * Invariants:
 *  - parsers answer in range (times 0..1440, dates valid YYYYMMDD that
 *    print and parse back to themselves, weekdays 0..6);
 *  - "open now until U" means U is after now and, when U is today, it is
 *    not "open" any more at U;
 *  - "opens D days from now at T" names the right weekday, lies ahead,
 *    and at that moment the status is indeed open;
 *  - every status but unknown has a phrase, and it fits the buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/schedule.h"

#define MAX_RULES 16

static void check_parsers(const char *s)
{
    int t = schedule_parse_time(s), d = schedule_parse_date(s), w = schedule_parse_weekday(s);
    char text[16];
    schedule_rule r;

    FUZZ_CHECK(t >= -1 && t <= SG_MINUTES_PER_DAY);
    FUZZ_CHECK(d >= -1 && (d <= 0 || schedule_date_valid(d)));
    if (d > 0) {
        snprintf(text, sizeof text, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
        FUZZ_CHECK(schedule_parse_date(text) == d);
        FUZZ_CHECK(schedule_weekday(d) >= 0 && schedule_weekday(d) <= 6);
    }
    FUZZ_CHECK(w >= -1 && w <= 6);
    memset(&r, 0, sizeof r);
    r.freq = SCHED_MONTHLY;
    if (schedule_parse_byday(s, &r) == 0)
        for (int i = 0; i < 7; i++)
            FUZZ_CHECK((r.nth[i] >> 10) == 0);
    memset(&r, 0, sizeof r);
    if (schedule_parse_bymonthday(s, &r) == 0)
        FUZZ_CHECK(((r.monthdays | r.monthdays_last) >> 31) == 0);
}

/* Builds one rule as the importer would; 0, or -1 when it would refuse it. */
static int parse_rule(char *line, schedule_rule *r)
{
    char *f[11];
    size_t n = 0;
    int v[7];

    memset(r, 0, sizeof *r);
    for (char *p = line; n < 11; n++) {
        f[n] = p;
        p = strchr(p, ';');
        if (!p) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n != 11)
        return -1;
    for (size_t i = 0; i < n; i++)
        check_parsers(f[i]);
    r->kind = (unsigned char)(f[0][0] == '1' ? SCHED_CLOSURE : f[0][0] == '2' ? SCHED_SPECIAL
                                                                         : SCHED_OPENING);
    r->freq = f[1][0] == 'M' ? SCHED_MONTHLY : SCHED_WEEKLY;
    long iv = *f[2] ? strtol(f[2], NULL, 10) : 1;
    if (iv < 1 || iv > 999)
        return -1;
    r->interval = (unsigned short)iv;
    if ((*f[3] && schedule_parse_byday(f[3], r) < 0) ||
        (*f[4] && schedule_parse_bymonthday(f[4], r) < 0))
        return -1;
    v[0] = schedule_parse_time(f[5]);
    v[1] = schedule_parse_time(f[6]);
    if (v[0] < 0 || v[0] >= SG_MINUTES_PER_DAY || v[1] < 0)
        return -1;
    if (v[1] == 0 || v[1] == SG_MINUTES_PER_DAY - 1)
        v[1] = SG_MINUTES_PER_DAY;
    for (int i = 0; i < 4; i++)
        if ((v[2 + i] = schedule_parse_date(f[7 + i])) < 0)
            return -1;
    if (v[4] && v[5] && v[5] < v[4])
        return -1;
    r->opens = (short)v[0];
    r->closes = (short)v[1];
    r->dtstart = v[2];
    r->until = v[3];
    r->valid_from = v[4];
    r->valid_to = v[5];
    return 0;
}

static void check_describe(const hours_status *st, const char *lang)
{
    char out[96], tiny[8];
    int rc = schedule_describe(st, lang, out, sizeof out);

    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK((rc == -1) == (st->state == HOURS_UNKNOWN));
    if (!rc)
        FUZZ_CHECK(out[0] != '\0' && strlen(out) < sizeof out);
    rc = schedule_describe(st, lang, tiny, sizeof tiny);
    FUZZ_CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
}

static void check_status(const schedule_rule *rules, size_t n, int date, int minute,
                         const char *lang)
{
    hours_status st = schedule_status(rules, n, date, minute), at;

    FUZZ_CHECK(st.state >= HOURS_UNKNOWN && st.state <= HOURS_CLOSED);
    check_describe(&st, lang);
    if (st.state == HOURS_OPEN) {
        FUZZ_CHECK(st.until > minute && st.until <= SCHEDULE_LOOKAHEAD_DAYS * 1440 + 1440);
        if (st.until < SG_MINUTES_PER_DAY) {
            at = schedule_status(rules, n, date, st.until);
            FUZZ_CHECK(at.state != HOURS_OPEN && at.state != HOURS_ALWAYS);
        }
    } else if (st.state == HOURS_LATER) {
        int day = schedule_date_add(date, st.day_offset);
        FUZZ_CHECK(st.day_offset >= 0 && st.day_offset < SCHEDULE_LOOKAHEAD_DAYS);
        FUZZ_CHECK(st.at >= 0 && st.at < SG_MINUTES_PER_DAY);
        FUZZ_CHECK(st.weekday == schedule_weekday(day));
        FUZZ_CHECK(st.day_offset > 0 || st.at > minute);
        at = schedule_status(rules, n, day, st.at);
        FUZZ_CHECK(at.state == HOURS_OPEN || at.state == HOURS_ALWAYS);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    schedule_rule rules[MAX_RULES];
    size_t n = 0;
    char *text, *line, *next, lang[8] = "en";
    int date = 0, minute = 0;

    if (size > 4096)
        return 0;
    text = fuzz_cstr(data, size);
    next = strchr(text, '\n');
    if (next)
        *next++ = '\0';
    if (sscanf(text, "%d %d %7s", &date, &minute, lang) < 2)
        goto out;
    /* The caller's local clock: a real date, years the kiosk could see. */
    if (!schedule_date_valid(date) || date < 19000101 || date > 22001231)
        goto out;
    minute = abs(minute % SG_MINUTES_PER_DAY);
    for (line = next; line && n < MAX_RULES; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (parse_rule(line, &rules[n]) == 0)
            n++;
    }
    for (size_t i = 0; i < n; i++)
        (void)schedule_occurs_on(&rules[i], date);
    check_status(rules, n, date, minute, lang);
out:
    free(text);
    return 0;
}
