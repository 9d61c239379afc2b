/*
 * Opening hours: the pure core that turns a service's schedule rules into
 * what a patient needs to read ("Open now until 5 pm", "Opens Monday at
 * 9 am").  A rule is one HSDS schedule row reduced to what evaluation needs:
 * a WEEKLY or MONTHLY recurrence (BYDAY with ordinals such as 1SA or -1FR,
 * BYMONTHDAY, INTERVAL counted from DTSTART, UNTIL), a validity window and
 * one opening from opens to closes minutes after local midnight.  closes <=
 * opens means the opening runs past midnight into the next day (an overnight
 * shelter).  Closure rules (HSDS 1.x holiday_schedule with closed=true) take
 * whole dates away; special-hours rules replace the regular hours on their
 * dates.
 *
 * Everything is in the clinic's local wall-clock time: dates are YYYYMMDD
 * integers and minutes count from local midnight, so a day that is 23 or 25
 * hours long because of a DST change still reads right ("until 5 pm" is
 * 5 pm on the clock on the wall).  The caller turns an instant into local
 * date and minute (localtime_r with TZ set to the clinic's zone).  No I/O,
 * no globals, no allocation.
 */
#ifndef SIGNPOST_SCHEDULE_H
#define SIGNPOST_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#define SG_MINUTES_PER_DAY 1440
/* How many days ahead "Opens ..." looks (today plus a week). */
#define SCHEDULE_LOOKAHEAD_DAYS 8

typedef enum { SCHED_WEEKLY = 0, SCHED_MONTHLY = 1 } schedule_freq;

typedef enum {
    SCHED_OPENING = 0, /* regular hours */
    SCHED_CLOSURE = 1, /* closed all day on every date it occurs (holiday) */
    SCHED_SPECIAL = 2  /* on its dates, these hours replace the regular ones */
} schedule_kind;

typedef struct {
    unsigned char freq;     /* schedule_freq */
    unsigned char kind;     /* schedule_kind */
    unsigned short interval; /* 1 = every week or month; counted from dtstart */
    unsigned char days;     /* BYDAY without ordinal: bit 0 Monday ... bit 6 Sunday;
                               0 with no nth/monthdays means every day */
    unsigned short nth[7];  /* MONTHLY BYDAY with ordinals, per weekday (0 Monday):
                               bit n-1 for the n-th (1..5), bit 4+n for the n-th
                               from the end (-1..-5) */
    uint32_t monthdays;      /* BYMONTHDAY: bit d-1 for day d (1..31) */
    uint32_t monthdays_last; /* BYMONTHDAY negative: bit d-1 for -d */
    short opens, closes;     /* minutes after midnight; closes 1..1440 */
    int dtstart, until;      /* YYYYMMDD; 0 when not given */
    int valid_from, valid_to; /* YYYYMMDD inclusive; 0 when open-ended */
} schedule_rule;

typedef enum {
    HOURS_UNKNOWN = 0, /* no schedule to go by */
    HOURS_ALWAYS,      /* open around the clock */
    HOURS_OPEN,        /* open now; until = closing minute */
    HOURS_LATER,       /* opens later; day_offset days from today at 'at' */
    HOURS_CLOSED       /* has a schedule, but no opening in the look-ahead */
} hours_state;

typedef struct {
    hours_state state;
    int until;      /* HOURS_OPEN: closing minute counted from today's midnight;
                       1440 is midnight, above that is tomorrow */
    int day_offset; /* HOURS_LATER: 0 today, 1 tomorrow, ... */
    int weekday;    /* HOURS_LATER: 0 Monday ... 6 Sunday */
    int at;         /* HOURS_LATER: minute of the day it opens */
} hours_status;

/* 1 when rule r occurs on date (YYYYMMDD): validity window, dtstart/until,
 * interval and the BYDAY/BYMONTHDAY parts all agree. */
int schedule_occurs_on(const schedule_rule *r, int date);

/*
 * Status at local date (YYYYMMDD) and minute (0..1439), from all of a
 * service's rules: yesterday's overnight openings count, closures and
 * special hours override the regular ones on their dates.
 */
hours_status schedule_status(const schedule_rule *rules, size_t n, int date, int minute);

/*
 * Writes the status as a short phrase in lang ("en" or "es"; others get
 * English).  Returns 0, or -1 for HOURS_UNKNOWN (nothing to say).
 */
int schedule_describe(const hours_status *st, const char *lang, char *out, size_t outlen);

/* Date helpers over YYYYMMDD integers (proleptic Gregorian). */
int schedule_date_valid(int date);
int schedule_date_add(int date, int days);     /* date + days */
int schedule_weekday(int date);                /* 0 Monday ... 6 Sunday */

/* Parses "YYYY-MM-DD" (a longer ISO timestamp is cut at the date) into
 * YYYYMMDD; 0 for an empty string, -1 when invalid. */
int schedule_parse_date(const char *s);

/*
 * Parses an opening time into minutes after midnight; -1 when invalid.
 * Takes "HH:MM", "HH:MM:SS", "H:MM", an offset suffix ("09:00-05:00",
 * "09:00Z": ignored, times are the clinic's), and 12-hour forms ("9:00am",
 * "9 AM", "12:30 p.m.").  "24:00" is 1440.
 */
int schedule_parse_time(const char *s);

/*
 * Parses an RRULE BYDAY list ("MO,TU", "1SA,-1FR") into r->days / r->nth.
 * Ordinals are only allowed when r->freq is SCHED_MONTHLY.  0 or -1.
 */
int schedule_parse_byday(const char *s, schedule_rule *r);

/* Parses a BYMONTHDAY list ("1,15,-1") into r->monthdays(_last).  0 or -1. */
int schedule_parse_bymonthday(const char *s, schedule_rule *r);

/*
 * Parses an HSDS 1.x weekday: an integer 1..7 (1 = Monday; 0 and 7 both
 * Sunday) or an English or Spanish day name, full or abbreviated, any case.
 * Returns 0 Monday ... 6 Sunday, or -1.
 */
int schedule_parse_weekday(const char *s);

#endif
