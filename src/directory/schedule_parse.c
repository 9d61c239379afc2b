/*
 * Parsers for the text forms of schedules found in HSDS exports (see
 * schedule.h): dates, opening times in 24- and 12-hour forms, RRULE BYDAY
 * and BYMONTHDAY lists, and 1.x weekdays as numbers or English and Spanish
 * names.  They fill the schedule_rule fields the evaluator (schedule.c)
 * reads, so both files speak of the same bits.  Each returns -1 on junk and
 * never half-fills a rule.  No allocation, no I/O.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "signpost/schedule.h"


static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* Reads min..max digits at *p and advances; -1 (not moving) when fewer. */
static int digits(const char **p, int min, int max)
{
    const char *q = *p;
    int v = 0, k = 0;

    while (k < max && is_digit(q[k])) {
        v = v * 10 + (q[k] - '0');
        k++;
    }
    if (k < min)
        return -1;
    *p = q + k;
    return v;
}

/* Also takes RRULE's basic form "20191224" (UNTIL=20191224T000000Z). */
int schedule_parse_date(const char *s)
{
    const char *p = skip_space(s ? s : "");
    int y, m, d, date, dashed;

    if (!*p)
        return 0;
    y = digits(&p, 4, 4);
    dashed = *p == '-';
    p += dashed;
    m = digits(&p, 2, 2);
    if (dashed && *p++ != '-')
        return -1;
    d = digits(&p, 2, 2);
    /* A timestamp's time part ("T00:00:00Z", " 00:00") is cut off. */
    if (y < 0 || m < 0 || d < 0 || (*p && *p != 'T' && *p != 't' && !is_space(*p)))
        return -1;
    date = y * 10000 + m * 100 + d;
    return schedule_date_valid(date) ? date : -1;
}

/* "am", "a.m.", "a. m.", "AM", "a": 1; the same for pm: 2; neither: 0.
 * Whatever follows is the caller's to reject. */
static int meridiem(const char **p)
{
    const char *q = *p;
    int half;

    if (*q == 'a' || *q == 'A')
        half = 1;
    else if (*q == 'p' || *q == 'P')
        half = 2;
    else
        return 0;
    q++;
    if (*q == '.')
        q = skip_space(q + 1);
    if (*q == 'm' || *q == 'M') {
        q++;
        if (*q == '.')
            q++;
    }
    *p = q;
    return half;
}

/* An ISO offset after a 24-hour time: "Z", "-05:00", "+0530", "+01".  The
 * clinic's zone decides, so the offset is only checked, never applied. */
static int skip_offset(const char **p)
{
    const char *q = *p;
    int h, m = 0;

    if (*q == 'Z' || *q == 'z') {
        *p = q + 1;
        return 0;
    }
    if (*q != '+' && *q != '-')
        return 0;
    q++;
    if ((h = digits(&q, 2, 2)) < 0)
        return -1;
    if (*q == ':') {
        q++;
        m = digits(&q, 2, 2);
    } else if (is_digit(*q)) {
        m = digits(&q, 2, 2);
    }
    if (h > 23 || m < 0 || m > 59)
        return -1;
    *p = q;
    return 0;
}

/* "H", then ":MM" and ":SS" each only after the one before. */
static int clock_fields(const char **p, int *h, int *m, int *sec)
{
    *m = *sec = 0;
    if ((*h = digits(p, 1, 2)) < 0)
        return -1;
    if (**p != ':')
        return 0;
    ++*p;
    if ((*m = digits(p, 2, 2)) < 0)
        return -1;
    if (**p != ':')
        return 1; /* minutes were written */
    ++*p;
    return (*sec = digits(p, 2, 2)) < 0 ? -1 : 1;
}

int schedule_parse_time(const char *s)
{
    const char *p = skip_space(s ? s : "");
    int h, m, sec, colon, half;

    if ((colon = clock_fields(&p, &h, &m, &sec)) < 0)
        return -1;
    p = skip_space(p);
    half = meridiem(&p);
    /* A bare "9" could be anything; a 24-hour time needs its minutes. */
    if (!half && (!colon || skip_offset(&p) < 0))
        return -1;
    if (*skip_space(p) || m > 59 || sec > 59)
        return -1;
    if (half) {
        if (h < 1 || h > 12)
            return -1;
        h = h % 12 + (half == 2 ? 12 : 0); /* 12 am is midnight, 12 pm noon */
    } else if (h > 24 || (h == 24 && (m || sec))) {
        return -1;
    }
    return h * 60 + m;
}

/* The RRULE day code at p ("MO".."SU", any case): 0 Monday ... 6 Sunday, or -1. */
static int day_code(const char *p)
{
    static const char codes[7][3] = {"mo", "tu", "we", "th", "fr", "sa", "su"};
    char c0 = (char)(p[0] | 0x20), c1;

    if (!p[0] || !p[1])
        return -1;
    c1 = (char)(p[1] | 0x20);
    for (int wd = 0; wd < 7; wd++)
        if (codes[wd][0] == c0 && codes[wd][1] == c1)
            return wd;
    return -1;
}

/*
 * An optional sign and up to 'width' digits at *p.  *given is 1 when a
 * number was written, 0 when nothing was, -1 for a sign with no digits.
 */
static int signed_number(const char **p, int width, int *given)
{
    int sign = 0, v;

    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    v = digits(p, 1, width);
    if (v < 0) {
        *given = sign ? -1 : 0;
        return 0;
    }
    *given = 1;
    return sign < 0 ? -v : v;
}

/* After a list item: moves past the comma; 1 at the end, 0 for more, -1 for junk. */
static int list_next(const char **p)
{
    *p = skip_space(*p);
    if (!**p)
        return 1;
    if (**p != ',')
        return -1;
    *p = skip_space(*p + 1);
    return 0;
}

int schedule_parse_byday(const char *s, schedule_rule *r)
{
    unsigned char days = 0;
    unsigned short nth[7] = {0};
    const char *p;
    int more;

    assert(r != NULL);
    p = skip_space(s ? s : "");
    for (more = *p ? 0 : 1; more == 0; more = list_next(&p)) {
        int given, ord = signed_number(&p, 1, &given), wd = day_code(p);
        if (given < 0 || wd < 0 || (given && (ord == 0 || ord < -5 || ord > 5)))
            return -1;
        if (given && r->freq != SCHED_MONTHLY)
            return -1; /* "the 2nd Tuesday" only means something within a month */
        p += 2;
        if (!given)
            days = (unsigned char)(days | 1u << wd);
        else
            nth[wd] = (unsigned short)(nth[wd] | 1u << (ord > 0 ? ord - 1 : 4 - ord));
    }
    if (more < 0)
        return -1;
    r->days = days; /* only now: a rejected list leaves the rule as it was */
    memcpy(r->nth, nth, sizeof nth);
    return 0;
}

int schedule_parse_bymonthday(const char *s, schedule_rule *r)
{
    uint32_t from_start = 0, from_end = 0;
    const char *p;
    int more;

    assert(r != NULL);
    p = skip_space(s ? s : "");
    for (more = *p ? 0 : 1; more == 0; more = list_next(&p)) {
        int given, d = signed_number(&p, 2, &given);
        if (given <= 0 || d == 0 || d < -31 || d > 31)
            return -1;
        if (d > 0)
            from_start |= (uint32_t)1 << (d - 1);
        else
            from_end |= (uint32_t)1 << (-d - 1);
    }
    if (more < 0)
        return -1;
    r->monthdays = from_start;
    r->monthdays_last = from_end;
    return 0;
}

/*
 * The letter at *p in lower-case ASCII, or -1.  Accented vowels lose their
 * accent whether written in UTF-8 (moving *p past the lead byte) or in
 * Latin-1 from an export that never was UTF-8: those Latin-1 bytes would
 * only lead three-byte UTF-8 characters, none of which is in a day name.
 */
static int fold_letter(const char **p)
{
    static const char plain[] = "aaeeiioouu";
    static const unsigned char utf8[10] = {0xa1, 0x81, 0xa9, 0x89, 0xad,
                                           0x8d, 0xb3, 0x93, 0xba, 0x9a};
    static const unsigned char latin1[10] = {0xe1, 0xc1, 0xe9, 0xc9, 0xed,
                                             0xcd, 0xf3, 0xd3, 0xfa, 0xda};
    const unsigned char *u = (const unsigned char *)*p, *hit;
    int c = u[0] | 0x20;

    if (u[0] == 0xc3 && (hit = memchr(utf8, u[1], sizeof utf8)) != NULL) {
        ++*p;
        return plain[hit - utf8];
    }
    if ((hit = memchr(latin1, u[0], sizeof latin1)) != NULL)
        return plain[hit - latin1];
    return c >= 'a' && c <= 'z' ? c : -1;
}

/*
 * Folds one word, a day name, into out with fold_letter; one trailing dot
 * ("Mié.") goes.  Returns the length, or -1 for anything but letters.
 */
static int fold_word(const char *s, char *out, size_t cap)
{
    const char *p = skip_space(s);
    size_t n = 0;

    for (; *p && !is_space(*p) && *p != '.'; p++) {
        int c = fold_letter(&p);
        if (c < 0 || n + 1 >= cap)
            return -1;
        out[n++] = (char)c;
    }
    if (*p == '.')
        p++;
    if (*skip_space(p))
        return -1;
    out[n] = '\0';
    return (int)n;
}

int schedule_parse_weekday(const char *s)
{
    /* Every prefix of two letters or more is unambiguous across both
     * languages ("sa" is Saturday and sábado alike), so prefixes are names. */
    static const char *const names[14] = {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "lunes",  "martes",  "miercoles", "jueves",   "viernes", "sabado",  "domingo"};
    const char *p = skip_space(s ? s : "");
    char word[16];
    int len, v;

    if (is_digit(*p)) {
        v = digits(&p, 1, 2);
        if (*skip_space(p) || v > 7)
            return -1;
        return v == 0 ? 6 : v - 1; /* 1 Monday; 0 and 7 are both Sunday */
    }
    len = fold_word(p, word, sizeof word);
    if (len < 2)
        return -1;
    for (int i = 0; i < 14; i++)
        if (strncmp(names[i], word, (size_t)len) == 0) /* word has no NUL to match early */
            return i % 7;
    return -1;
}
