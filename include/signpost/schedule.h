/*
 * Opening hours: the pure core that turns weekly opening blocks into what a
 * patient needs to read ("Open now until 5 pm", "Opens Tuesday at 9 am").
 * A block runs from opens to closes minutes after midnight on each day in its
 * day mask; closes <= opens means it runs past midnight into the next day
 * (an overnight shelter).  No I/O: the caller passes the local time.
 */
#ifndef SIGNPOST_SCHEDULE_H
#define SIGNPOST_SCHEDULE_H

#include <stddef.h>

#define SG_MINUTES_PER_DAY 1440

typedef struct {
    unsigned days; /* bit 0 Monday ... bit 6 Sunday */
    int opens;     /* minutes after midnight, 0..1439 */
    int closes;    /* minutes after midnight, 1..1440; <= opens: next day */
    int valid_from, valid_to; /* YYYYMMDD, inclusive; 0 when open-ended */
} schedule_block;

typedef enum {
    HOURS_UNKNOWN = 0, /* no schedule to go by */
    HOURS_ALWAYS,      /* open around the clock */
    HOURS_OPEN,        /* open now; until = closing minute */
    HOURS_LATER,       /* opens later; day_offset days from today at 'at' */
    HOURS_CLOSED       /* has a schedule, but no opening in the next week */
} hours_state;

typedef struct {
    hours_state state;
    int until;      /* HOURS_OPEN: closing minute counted from today's midnight;
                       1440 is midnight, above that is tomorrow */
    int day_offset; /* HOURS_LATER: 0 today, 1 tomorrow, ... */
    int weekday;    /* HOURS_LATER: 0 Monday ... 6 Sunday */
    int at;         /* HOURS_LATER: minute of the day it opens */
} hours_status;

/* weekday: 0 Monday ... 6 Sunday; minute: 0..1439 local time. */
hours_status schedule_status(const schedule_block *blocks, size_t n, int weekday,
                             int minute);

/*
 * Writes the status as a short phrase in lang ("en" or "es"; others get
 * English).  Returns 0, or -1 for HOURS_UNKNOWN (nothing to say).
 */
int schedule_describe(const hours_status *st, const char *lang, char *out, size_t outlen);

/* 1 when block b applies on date (YYYYMMDD). */
int schedule_valid_on(const schedule_block *b, int date);

/* Parses "YYYY-MM-DD" into YYYYMMDD; 0 for an empty string, -1 when invalid. */
int schedule_parse_date(const char *s);

/* Parses "HH:MM" or "HH:MM:SS" into minutes; -1 when invalid. */
int schedule_parse_time(const char *s);

/* Parses an RRULE BYDAY list like "MO,TU,WE" into a day mask; 0 when invalid. */
unsigned schedule_parse_days(const char *s);

#endif
