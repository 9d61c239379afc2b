/*
 * The pure rules of referrals and the staff queue (referral_store.h):
 * status names, the queue's new/open/closed rule, calendar dates and the
 * paging cursor.  No I/O and no clock, so every edge (a leap day, a note
 * one byte too long, a cursor someone edited) is tested directly.  The SQL
 * in staff_queue.c mirrors queue_status_of(); the unit tests hold the two
 * to the same answers.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "signpost/referral_store.h"
#include "signpost/schedule.h"

static const char *const ref_names[REF_NSTATUS] = {
    "suggested", "referred", "contacted", "connected", "declined", "unreachable",
};

static const char *const queue_names[] = {"new", "open", "closed"};

const char *referral_status_name(referral_status s)
{
    return (unsigned)s < REF_NSTATUS ? ref_names[s] : "unknown";
}

int referral_status_parse(const char *s)
{
    for (int i = 0; s && i < REF_NSTATUS; i++)
        if (!strcmp(s, ref_names[i]))
            return i;
    return -1;
}

int referral_status_open(referral_status s)
{
    return s == REF_SUGGESTED || s == REF_REFERRED || s == REF_CONTACTED;
}

const char *queue_status_name(queue_status s)
{
    return (unsigned)s <= QUEUE_CLOSED ? queue_names[s] : "unknown";
}

int queue_status_parse(const char *s)
{
    for (int i = 0; s && i <= QUEUE_CLOSED; i++)
        if (!strcmp(s, queue_names[i]))
            return i;
    return -1;
}

queue_status queue_status_of(int nresources, int nrows, int nclosed)
{
    assert(nrows >= 0 && nclosed >= 0 && nclosed <= nrows);
    if (nrows == 0)
        return QUEUE_NEW;
    return nresources > 0 && nclosed >= nresources ? QUEUE_CLOSED : QUEUE_OPEN;
}

/* ---- dates --------------------------------------------------------------- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* The value of n (at most 9) digits at s, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;

    assert(n <= 9);
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int referral_date_parse(const char *s)
{
    int y, m, d;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    y = digits(s, 4);
    m = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    return y * 10000 + m * 100 + d;
}

void referral_date_format(int date, char out[REFERRAL_DATE_LEN])
{
    unsigned d = date > 0 ? (unsigned)date : 0;
    snprintf(out, REFERRAL_DATE_LEN, "%04u-%02u-%02u", (d / 10000) % 10000,
             (d / 100) % 100, d % 100);
}

/* The calendar arithmetic is the directory schedule's, so the queue's
 * ranges and the opening hours can never disagree about a date (and a
 * date that is not one, or leaves years 1..9999, gives 0). */
int referral_date_add(int date, int days)
{
    return schedule_date_add(date, days);
}

/* ---- notes ---------------------------------------------------------------- */

/* Bytes in the UTF-8 sequence at s (1..4), or 0 when it is not a valid,
 * shortest-form sequence of a scalar value. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    unsigned long cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};

    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (n == 0 || cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

sg_rc referral_note_check(const char *note, const char **why)
{
    const unsigned char *p = (const unsigned char *)note;
    const char *sink;
    size_t n;

    if (!why)
        why = &sink;
    if (strlen(note) > REFERRAL_NOTE_MAX) {
        *why = "a note is at most 2000 bytes";
        return SG_EINVAL;
    }
    for (; *p; p += n) {
        if (!(n = utf8_seq(p))) {
            *why = "a note must be valid UTF-8";
            return SG_EINVAL;
        }
        if (n == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\t' && *p != '\n' &&
            *p != '\r') {
            *why = "a note may not hold control characters";
            return SG_EINVAL;
        }
    }
    return SG_OK;
}

/* ---- the cursor --------------------------------------------------------------- */

/* "20261129-1-20261129211411-<32 hex id>": the sort key, digits only, so it
 * needs no escaping in a query string. */
#define CURSOR_CHARS (8 + 1 + 1 + 1 + 14 + 1 + (SG_ID_LEN - 1))

void queue_cursor_encode(const queue_cursor *c, char out[QUEUE_CURSOR_LEN])
{
    const char *t = c->created_at; /* YYYY-MM-DDTHH:MM:SSZ */

    assert(strlen(t) == 20 && strlen(c->id) == SG_ID_LEN - 1);
    snprintf(out, QUEUE_CURSOR_LEN, "%08d-%d-%.4s%.2s%.2s%.2s%.2s%.2s-%s", c->day,
             c->help ? 1 : 0, t, t + 5, t + 8, t + 11, t + 14, t + 17, c->id);
}

static int lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

sg_rc queue_cursor_decode(const char *s, queue_cursor *out)
{
    char day[REFERRAL_DATE_LEN];
    const char *t;

    memset(out, 0, sizeof *out);
    if (!s || strlen(s) != CURSOR_CHARS || s[8] != '-' || s[10] != '-' || s[25] != '-' ||
        (s[9] != '0' && s[9] != '1') || digits(s, 8) < 0 || digits(s + 11, 7) < 0 ||
        digits(s + 18, 7) < 0 || !lower_hex(s + 26, SG_ID_LEN - 1))
        return SG_EINVAL;
    snprintf(day, sizeof day, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
    if ((out->day = referral_date_parse(day)) < 0)
        return SG_EINVAL;
    out->help = s[9] - '0';
    t = s + 11;
    snprintf(out->created_at, sizeof out->created_at, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", t,
             t + 4, t + 6, t + 8, t + 10, t + 12);
    memcpy(out->id, s + 26, SG_ID_LEN - 1);
    out->id[SG_ID_LEN - 1] = '\0';
    return SG_OK;
}
