/*
 * Opening-hours evaluation (see schedule.h).  The question a patient has is
 * "can I call or go now, and if not, when?", so the answer is one of: open
 * now until a time, opens later (today or on a named day), open around the
 * clock, or unknown.  Overnight blocks are handled by also looking at
 * yesterday's blocks that run past midnight.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "signpost/schedule.h"

static int on_day(const schedule_block *b, int weekday)
{
    return (b->days >> ((unsigned)weekday % 7)) & 1u;
}

static int overnight(const schedule_block *b)
{
    return b->closes <= b->opens;
}

/*
 * When block b covers 'minute' of 'weekday', returns its closing time in
 * minutes after that day's midnight (above 1440 when it closes tomorrow);
 * otherwise -1.
 */
static int covers(const schedule_block *b, int weekday, int minute)
{
    int yesterday = (weekday + 6) % 7;
    if (on_day(b, weekday) && minute >= b->opens &&
        (overnight(b) || minute < b->closes))
        return overnight(b) ? b->closes + SG_MINUTES_PER_DAY : b->closes;
    if (overnight(b) && on_day(b, yesterday) && minute < b->closes)
        return b->closes;
    return -1;
}

static int always_open(const schedule_block *blocks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (blocks[i].days == 0x7f && blocks[i].opens == 0 &&
            blocks[i].closes >= SG_MINUTES_PER_DAY - 1)
            return 1;
    return 0;
}

/* Follows back-to-back blocks, even past midnight, to the real closing time. */
static int extend_until(const schedule_block *blocks, size_t n, int weekday, int until)
{
    for (int guard = 0; guard < 8 && until < 2 * SG_MINUTES_PER_DAY; guard++) {
        int next_day = until >= SG_MINUTES_PER_DAY;
        int day = (weekday + next_day) % 7, at = until - next_day * SG_MINUTES_PER_DAY;
        int next = -1;
        for (size_t i = 0; i < n; i++) {
            int c = covers(&blocks[i], day, at);
            if (c > at && c > next)
                next = c;
        }
        if (next < 0)
            break;
        until = next + next_day * SG_MINUTES_PER_DAY;
    }
    return until;
}

hours_status schedule_status(const schedule_block *blocks, size_t n, int weekday,
                             int minute)
{
    hours_status st = {HOURS_UNKNOWN, 0, 0, 0, 0};
    int best = -1;

    if (n == 0)
        return st;
    if (always_open(blocks, n)) {
        st.state = HOURS_ALWAYS;
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        int c = covers(&blocks[i], weekday, minute);
        if (c > best)
            best = c;
    }
    if (best >= 0) {
        st.state = HOURS_OPEN;
        st.until = extend_until(blocks, n, weekday, best);
        return st;
    }
    for (int off = 0; off < 8; off++) {
        int day = (weekday + off) % 7, at = -1;
        for (size_t i = 0; i < n; i++)
            if (on_day(&blocks[i], day) && (off > 0 || blocks[i].opens > minute) &&
                (at < 0 || blocks[i].opens < at))
                at = blocks[i].opens;
        if (at >= 0) {
            st.state = HOURS_LATER;
            st.day_offset = off;
            st.weekday = day;
            st.at = at;
            return st;
        }
    }
    st.state = HOURS_CLOSED;
    return st;
}

/* "5 pm", "9:30 am", "noon", "midnight" (English) or Spanish equivalents. */
static void clock_text(int minute, int es, char *out, size_t len)
{
    int h, m, h12;
    const char *ampm;

    minute %= SG_MINUTES_PER_DAY;
    h = minute / 60;
    m = minute % 60;
    h12 = h % 12 == 0 ? 12 : h % 12;
    ampm = h < 12 ? (es ? "a. m." : "am") : (es ? "p. m." : "pm");
    if (minute == 0)
        snprintf(out, len, "%s", es ? "la medianoche" : "midnight");
    else if (h == 12 && m == 0)
        snprintf(out, len, "%s", es ? "el mediodía" : "noon");
    else if (m == 0)
        snprintf(out, len, "%s%d %s", es ? (h12 == 1 ? "la " : "las ") : "", h12, ampm);
    else
        snprintf(out, len, "%s%d:%02d %s", es ? (h12 == 1 ? "la " : "las ") : "", h12, m,
                 ampm);
}

static const char *const day_en[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};
static const char *const day_es[] = {"el lunes", "el martes", "el miércoles", "el jueves",
                                     "el viernes", "el sábado", "el domingo"};

int schedule_describe(const hours_status *st, const char *lang, char *out, size_t outlen)
{
    int es = lang && strcmp(lang, "es") == 0;
    char at[32];

    switch (st->state) {
    case HOURS_UNKNOWN:
        out[0] = '\0';
        return -1;
    case HOURS_ALWAYS:
        snprintf(out, outlen, "%s", es ? "Abierto las 24 horas" : "Open 24 hours");
        return 0;
    case HOURS_CLOSED:
        snprintf(out, outlen, "%s", es ? "Cerrado por ahora" : "Closed for now");
        return 0;
    case HOURS_OPEN:
        clock_text(st->until, es, at, sizeof at);
        snprintf(out, outlen, es ? "Abierto ahora hasta %s" : "Open now until %s", at);
        return 0;
    case HOURS_LATER:
        clock_text(st->at, es, at, sizeof at);
        if (st->day_offset == 0)
            snprintf(out, outlen, es ? "Abre hoy a %s" : "Opens today at %s", at);
        else if (st->day_offset == 1)
            snprintf(out, outlen, es ? "Abre mañana a %s" : "Opens tomorrow at %s", at);
        else
            snprintf(out, outlen, es ? "Abre %s a %s" : "Opens %s at %s",
                     es ? day_es[st->weekday] : day_en[st->weekday], at);
        return 0;
    }
    return -1;
}

int schedule_parse_time(const char *s)
{
    int h, m, sec = 0, n = 0;
    size_t len = strlen(s);

    if (len != 5 && len != 8)
        return -1;
    for (size_t i = 0; i < len; i++)
        if ((i % 3 == 2) != (s[i] == ':') || (i % 3 != 2 && !isdigit((unsigned char)s[i])))
            return -1;
    n = sscanf(s, "%2d:%2d:%2d", &h, &m, &sec);
    if (n < 2 || h > 24 || m > 59 || sec > 59 || (h == 24 && (m || sec)))
        return -1;
    return h * 60 + m;
}

unsigned schedule_parse_days(const char *s)
{
    static const char *const codes[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    unsigned mask = 0;

    while (*s) {
        int found = -1;
        while (*s == ' ')
            s++;
        for (int d = 0; d < 7; d++)
            if (strncmp(s, codes[d], 2) == 0)
                found = d;
        if (found < 0)
            return 0;
        mask |= 1u << found;
        s += 2;
        while (*s == ' ')
            s++;
        if (*s == ',')
            s++;
        else if (*s)
            return 0;
    }
    return mask;
}

int schedule_valid_on(const schedule_block *b, int date)
{
    return (!b->valid_from || date >= b->valid_from) && (!b->valid_to || date <= b->valid_to);
}

int schedule_parse_date(const char *s)
{
    int y, m, d;
    char tail;

    if (!*s)
        return 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 ||
        m < 1 || m > 12 || d < 1 || d > 31 || s[4] != '-' || s[7] != '-')
        return -1;
    return y * 10000 + m * 100 + d;
}
