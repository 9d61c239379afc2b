/*
 * The pure helpers of the staff console's directory pages (resources.h):
 * a search box's words as a safe FTS5 query, the staleness cut-off, and a
 * service's schedule rules as one line of English for staff.  No I/O, no
 * globals, no allocation.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signpost/reports.h"
#include "signpost/resources.h"

/* ---- search words -------------------------------------------------- */

static int separator(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
           ch == '\v' || ch == '"';
}

/* 1 when the word has something a tokenizer keeps: a letter or digit (any
 * byte of a multi-byte character counts as one). */
static int searchable(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)w[i];
        if (ch >= 0x80 || (ch >= '0' && ch <= '9') ||
            ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'))
            return 1;
    }
    return 0;
}

sg_rc res_fts_query(const char *text, char *out, size_t outlen)
{
    size_t used = 0, n;
    int words = 0;

    assert(outlen > 0);
    out[0] = '\0';
    if (!text)
        return SG_ENOTFOUND;
    if (strlen(text) > RES_TEXT_MAX)
        return SG_ETOOBIG;
    for (const char *p = text; *p; p += n) {
        while (*p && separator(*p))
            p++;
        for (n = 0; p[n] && !separator(p[n]); n++)
            ;
        if (!n || !searchable(p, n))
            continue;
        if (++words > RES_WORDS_MAX || used + n + 5 > outlen)
            return SG_ETOOBIG;
        /* "word"* : quoted, so FTS5 sees no operator; a prefix search. */
        used += (size_t)snprintf(out + used, outlen - used, "%s\"%.*s\"*",
                                 used ? " " : "", (int)n, p);
    }
    return words ? SG_OK : SG_ENOTFOUND;
}

void res_stale_before(int today, int stale_days, char out[11])
{
    report_date_text(schedule_date_add(today, -stale_days), out);
}

/* ---- hours ------------------------------------------------------- */

typedef struct {
    char *out;
    size_t cap, len;
    int full; /* something did not fit */
} line;

static void put(line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(line *l, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (l->full)
        return;
    va_start(ap, fmt);
    n = vsnprintf(l->out + l->len, l->cap - l->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= l->cap - l->len) {
        l->full = 1;
        l->out[l->len] = '\0';
        return;
    }
    l->len += (size_t)n;
}

static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* "9 am", "4:30 pm", "noon", "midnight". */
static void clock_text(line *l, int minute)
{
    int h = minute / 60 % 24, m = minute % 60;

    if (minute == 720)
        put(l, "noon");
    else if (minute == 0 || minute == 1440)
        put(l, "midnight");
    else if (m)
        put(l, "%d:%02d %s", h % 12 ? h % 12 : 12, m, h < 12 ? "am" : "pm");
    else
        put(l, "%d %s", h % 12 ? h % 12 : 12, h < 12 ? "am" : "pm");
}

/* Weekdays of a mask: runs of three or more as "Mon-Fri", the rest listed. */
static void weekdays(line *l, unsigned mask)
{
    int first = 1;

    if ((mask & 0x7F) == 0x7F) {
        put(l, "every day");
        return;
    }
    for (int d = 0; d < 7;) {
        int e = d;
        if (!(mask & (1u << d))) {
            d++;
            continue;
        }
        while (e + 1 < 7 && (mask & (1u << (e + 1))))
            e++;
        put(l, "%s%s", first ? "" : ", ", day_names[d]);
        if (e - d >= 2)
            put(l, "-%s", day_names[e]);
        else if (e > d)
            put(l, ", %s", day_names[e]);
        first = 0;
        d = e + 1;
    }
}

static const char *ordinal(int n)
{
    static const char *const names[] = {"", "1st", "2nd", "3rd", "4th", "5th"};
    return n >= 1 && n <= 5 ? names[n] : "";
}

/* One weekday's ordinals of a MONTHLY rule: "1st, 3rd", "last", "2nd to last". */
static void nth_list(line *l, unsigned bits)
{
    int first = 1;

    for (int k = 1; k <= 5; k++) {
        if (bits & (1u << (k - 1))) {
            put(l, "%s%s", first ? "" : ", ", ordinal(k));
            first = 0;
        }
    }
    for (int k = 1; k <= 5; k++) {
        if (!(bits & (1u << (4 + k))))
            continue;
        if (k == 1)
            put(l, "%slast", first ? "" : ", ");
        else
            put(l, "%s%s to last", first ? "" : ", ", ordinal(k));
        first = 0;
    }
}

/* MONTHLY rules: "1st, 3rd Sat of the month", "day 1, 15 of the month". */
static void monthly(line *l, const schedule_rule *r)
{
    int any = 0;

    for (int d = 0; d < 7; d++) {
        if (!r->nth[d])
            continue;
        put(l, "%s", any++ ? " and " : "");
        nth_list(l, r->nth[d]);
        put(l, " %s", day_names[d]);
    }
    for (int k = 0; k < 31; k++)
        if (r->monthdays & (1u << k))
            put(l, "%s%d", any++ ? ", " : "day ", k + 1);
    if (r->monthdays_last & 1u)
        put(l, "%slast day", any++ ? ", " : "");
    if (r->days) {
        put(l, "%s", any++ ? ", " : "");
        weekdays(l, r->days);
    }
    put(l, "%s of the month", any ? "" : "every day");
}

static int has_days(const schedule_rule *r)
{
    int nth = 0;
    for (int d = 0; d < 7; d++)
        nth |= r->nth[d];
    return r->days || nth || r->monthdays || r->monthdays_last;
}

static void days_part(line *l, const schedule_rule *r)
{
    if (r->interval > 1)
        put(l, "every %d %s: ", r->interval,
            r->freq == SCHED_MONTHLY ? "months" : "weeks");
    if (r->freq == SCHED_MONTHLY)
        monthly(l, r);
    else
        weekdays(l, r->days ? r->days : 0x7F);
}

static void times_part(line *l, const schedule_rule *r)
{
    if (r->opens == 0 && r->closes == 1440) {
        put(l, " open 24 hours");
        return;
    }
    put(l, " ");
    clock_text(l, r->opens);
    put(l, "-");
    clock_text(l, r->closes);
    if (r->closes <= r->opens)
        put(l, " (next day)");
}

static void date_text(line *l, const char *lead, int date)
{
    char d[11];
    report_date_text(date, d);
    put(l, "%s%s", lead, d);
}

/* "Mon-Fri 9 am-5 pm", "closed 2026-12-25", "special hours Sat 10 am-noon". */
static void one_rule(line *l, const schedule_rule *r)
{
    int window = r->valid_from || r->valid_to;
    int days = r->kind == SCHED_OPENING || has_days(r) || !window;

    if (r->kind == SCHED_CLOSURE)
        put(l, "closed ");
    else if (r->kind == SCHED_SPECIAL)
        put(l, "special hours ");
    if (days)
        days_part(l, r);
    if (window && r->kind != SCHED_OPENING) {
        if (r->valid_from)
            date_text(l, days ? " from " : "", r->valid_from);
        if (r->valid_to && r->valid_to != r->valid_from)
            date_text(l,
                      r->valid_from ? " to "
                      : days        ? " until "
                                    : "until ",
                      r->valid_to);
    }
    if (r->kind == SCHED_CLOSURE)
        return;
    times_part(l, r);
    if (r->kind == SCHED_OPENING && (r->valid_to || r->until))
        date_text(l, " until ", r->valid_to ? r->valid_to : r->until);
}

void res_hours_text(const schedule_rule *rules, size_t n, char *out, size_t outlen)
{
    line l = {out, outlen, 0, 0};

    assert(outlen > 4);
    out[0] = '\0';
    /* The regular hours first, then the exceptions to them. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            if ((rules[i].kind == SCHED_OPENING) != (pass == 0))
                continue;
            put(&l, "%s", l.len ? "; " : "");
            one_rule(&l, &rules[i]);
        }
    if (l.full) { /* cut at a phrase boundary where one is near */
        char *semi = strrchr(out, ';');
        size_t at =
            semi && (size_t)(semi - out) > outlen / 2 ? (size_t)(semi - out) : l.len;
        if (at + 4 >= outlen)
            at = outlen - 4;
        memcpy(out + at, "...", 4);
    }
}
