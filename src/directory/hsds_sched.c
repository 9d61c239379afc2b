/*
 * Schedule records: HSDS 3.0 (and 2.0) RRULE-style schedules, and HSDS 1.x
 * regular_schedules (one weekday per row) and holiday_schedules (closures
 * and special hours between two dates), all staged as one shape, the
 * directory's schedules row (see schedule.h for what evaluation needs):
 *
 *   1.x regular, weekday 3       -> WEEKLY, BYDAY=WE, opens, closes
 *   1.x holiday, closed = true   -> kind closure, valid_from..valid_to
 *   1.x holiday, closed = false  -> kind special hours, valid_from..valid_to
 *
 * The parsing itself (times such as "9:00am", weekday numbers and names,
 * BYDAY with ordinals) belongs to schedule.c; this file decides what a bad
 * value costs.  Any bad part of a rule leaves the row out: a rule that is
 * half understood would tell a patient the wrong hours.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hsds_internal.h"
#include "signpost/schedule.h"

#define SKIP HSDS_NEED_SKIP

/* Every schedule kind starts with these, so the links bind the same way. */
enum { LINK_ID, LINK_SVC, LINK_LOC, LINK_SAL };

typedef struct {
    int kind, freq, interval;
    const char *byday, *bymonthday;
    int opens, closes;
    int dtstart, until, valid_from, valid_to;
} sched_row;

static const char *field_name(const hsds_rec *r, int i)
{
    return hsds_kind_get(r->kind)->fields[i].name;
}

/* A row must hang off something the kiosk knows. */
static int has_link(hsds_ctx *c, hsds_rec *r)
{
    if (*r->v[LINK_SVC] || *r->v[LINK_LOC] || *r->v[LINK_SAL])
        return 1;
    hsds_report_rec(c, r, HSDS_PROBLEM_MISSING, LINK_SVC, 1,
                    "service_id, location_id and service_at_location_id are all empty; "
                    "a schedule needs one");
    return 0;
}

/* Minutes after midnight for field i; -1 after reporting.  A closing time
 * of 00:00 or 23:59 means midnight at the end of the day (1440). */
static int time_field(hsds_ctx *c, hsds_rec *r, int i, int closing)
{
    int m = schedule_parse_time(r->v[i]);

    if (m < 0 || (!closing && m >= SG_MINUTES_PER_DAY)) {
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, i, 1, "%s \"%.40s\" is not a time",
                        field_name(r, i), r->v[i]);
        return -1;
    }
    if (closing && (m == 0 || m == SG_MINUTES_PER_DAY - 1))
        m = SG_MINUTES_PER_DAY;
    return m;
}

/* YYYYMMDD for field i, 0 when empty; -1 after reporting. */
static int date_field(hsds_ctx *c, hsds_rec *r, int i)
{
    int d = schedule_parse_date(r->v[i]);

    if (d < 0)
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, i, 1,
                        "%s \"%.40s\" is not a date (YYYY-MM-DD)", field_name(r, i),
                        r->v[i]);
    return d;
}

static sg_rc insert_sched(hsds_ctx *c, hsds_rec *r, const sched_row *s)
{
    sqlite3_stmt *st = hsds_stmt(c, r->kind);

    if (!st)
        return SG_EDB;
    if (*r->v[LINK_ID])
        sqlite3_bind_text(st, 3, r->v[LINK_ID], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->v[LINK_SVC], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->v[LINK_LOC], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->v[LINK_SAL], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, s->kind);
    sqlite3_bind_int(st, 8, s->freq);
    sqlite3_bind_int(st, 9, s->interval);
    sqlite3_bind_text(st, 10, s->byday, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 11, s->bymonthday, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 12, s->opens);
    sqlite3_bind_int(st, 13, s->closes);
    sqlite3_bind_int(st, 14, s->dtstart);
    sqlite3_bind_int(st, 15, s->until);
    sqlite3_bind_int(st, 16, s->valid_from);
    sqlite3_bind_int(st, 17, s->valid_to);
    return hsds_insert(c, r, st);
}

/* Upper case without spaces: "mo, tu" -> "MO,TU", in place. */
static void rrule_text(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++)
        if (!isspace((unsigned char)*p))
            *w++ = (char)toupper((unsigned char)*p);
    *w = '\0';
}

/* ---- HSDS 3.0 schedules ---- */

enum {
    SC_FREQ = 4,
    SC_INTERVAL,
    SC_BYDAY,
    SC_BYMONTHDAY,
    SC_OPENS,
    SC_CLOSES,
    SC_DTSTART,
    SC_UNTIL,
    SC_VFROM,
    SC_VTO,
    SC_N
};
static const hsds_field schedule_fields[SC_N] = {
    {"id", 0},          {"service_id", 0},
    {"location_id", 0}, {"service_at_location_id", 0},
    {"freq", 0},        {"interval", 0},
    {"byday", 0},       {"bymonthday", 0},
    {"opens_at", SKIP}, {"closes_at", SKIP},
    {"dtstart", 0},     {"until", 0},
    {"valid_from", 0},  {"valid_to", 0},
};

/* FREQ and INTERVAL into s and rule; 0, or -1 after reporting. */
static int recurrence(hsds_ctx *c, hsds_rec *r, sched_row *s, schedule_rule *rule)
{
    char *freq = r->v[SC_FREQ], *end;
    long n = 1;

    rrule_text(freq);
    if (*r->v[SC_INTERVAL]) {
        n = strtol(r->v[SC_INTERVAL], &end, 10);
        if (*end || n < 1 || n > 999) {
            hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, SC_INTERVAL, 1,
                            "interval \"%.40s\" is not a whole number from 1 to 999",
                            r->v[SC_INTERVAL]);
            return -1;
        }
    }
    s->interval = (int)n;
    if (!*freq || !strcmp(freq, "WEEKLY") || (!strcmp(freq, "DAILY") && n == 1))
        s->freq = SCHED_WEEKLY; /* DAILY is WEEKLY on every day (or on BYDAY) */
    else if (!strcmp(freq, "MONTHLY"))
        s->freq = SCHED_MONTHLY;
    else {
        hsds_report_rec(
            c, r, HSDS_PROBLEM_BAD_VALUE, SC_FREQ, 1,
            "freq \"%.40s\"%s is not one the kiosk can follow (WEEKLY or MONTHLY)", freq,
            !strcmp(freq, "DAILY") ? " with an interval" : "");
        return -1;
    }
    rule->freq = (unsigned char)s->freq;
    return 0;
}

/* BYDAY and BYMONTHDAY, checked with the evaluator's own parser. */
static int rrule_parts(hsds_ctx *c, hsds_rec *r, sched_row *s, schedule_rule *rule)
{
    rrule_text(r->v[SC_BYDAY]);
    rrule_text(r->v[SC_BYMONTHDAY]);
    if (*r->v[SC_BYDAY] && schedule_parse_byday(r->v[SC_BYDAY], rule) < 0) {
        hsds_report_rec(
            c, r, HSDS_PROBLEM_BAD_VALUE, SC_BYDAY, 1,
            "byday \"%.40s\" is not an RRULE day list (MO,TU%s)", r->v[SC_BYDAY],
            s->freq == SCHED_MONTHLY ? "; monthly also 1SA or -1FR"
                                     : "; ordinals such as 1SA need freq MONTHLY");
        return -1;
    }
    if (*r->v[SC_BYMONTHDAY] &&
        schedule_parse_bymonthday(r->v[SC_BYMONTHDAY], rule) < 0) {
        hsds_report_rec(
            c, r, HSDS_PROBLEM_BAD_VALUE, SC_BYMONTHDAY, 1,
            "bymonthday \"%.40s\" is not a list of days of the month (1,15,-1)",
            r->v[SC_BYMONTHDAY]);
        return -1;
    }
    s->byday = r->v[SC_BYDAY];
    s->bymonthday = r->v[SC_BYMONTHDAY];
    return 0;
}

static sg_rc stage_schedule(hsds_ctx *c, hsds_rec *r)
{
    sched_row s = {0};
    schedule_rule rule = {0};

    if (!has_link(c, r) || recurrence(c, r, &s, &rule) || rrule_parts(c, r, &s, &rule))
        return SG_OK;
    s.kind = SCHED_OPENING;
    if ((s.opens = time_field(c, r, SC_OPENS, 0)) < 0 ||
        (s.closes = time_field(c, r, SC_CLOSES, 1)) < 0 ||
        (s.dtstart = date_field(c, r, SC_DTSTART)) < 0 ||
        (s.until = date_field(c, r, SC_UNTIL)) < 0 ||
        (s.valid_from = date_field(c, r, SC_VFROM)) < 0 ||
        (s.valid_to = date_field(c, r, SC_VTO)) < 0)
        return SG_OK;
    if (s.valid_from && s.valid_to && s.valid_to < s.valid_from) {
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, SC_VTO, 1,
                        "valid_to %s is before valid_from %s", r->v[SC_VTO],
                        r->v[SC_VFROM]);
        return SG_OK;
    }
    return insert_sched(c, r, &s);
}

/* ---- HSDS 1.x regular_schedules ---- */

enum { RG_WEEKDAY = 4, RG_OPENS, RG_CLOSES, RG_N };
static const hsds_field regular_fields[RG_N] = {
    {"id", 0},           {"service_id", 0},
    {"location_id", 0},  {"service_at_location_id", 0},
    {"weekday", SKIP},   {"opens_at", SKIP},
    {"closes_at", SKIP},
};

static sg_rc stage_regular(hsds_ctx *c, hsds_rec *r)
{
    static const char *const days[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    sched_row s = {
        .kind = SCHED_OPENING, .freq = SCHED_WEEKLY, .interval = 1, .bymonthday = ""};
    int wd;

    if (!has_link(c, r))
        return SG_OK;
    if ((wd = schedule_parse_weekday(r->v[RG_WEEKDAY])) < 0 || wd > 6) {
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, RG_WEEKDAY, 1,
                        "weekday \"%.40s\" is not a day of the week (1 = Monday ... 7 = "
                        "Sunday, or a name)",
                        r->v[RG_WEEKDAY]);
        return SG_OK;
    }
    s.byday = days[wd];
    if ((s.opens = time_field(c, r, RG_OPENS, 0)) < 0 ||
        (s.closes = time_field(c, r, RG_CLOSES, 1)) < 0)
        return SG_OK;
    return insert_sched(c, r, &s);
}

/* ---- HSDS 1.x holiday_schedules ---- */

enum { HO_CLOSED = 4, HO_OPENS, HO_CLOSES, HO_START, HO_END, HO_N };
static const hsds_field holiday_fields[HO_N] = {
    {"id", 0},       {"service_id", 0}, {"location_id", 0}, {"service_at_location_id", 0},
    {"closed", 0},   {"opens_at", 0},   {"closes_at", 0},   {"start_date", SKIP},
    {"end_date", 0},
};

/* "true"/"false" and the usual spellings; -1 when neither. */
static int parse_bool(const char *s)
{
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    for (size_t i = 0; i < 5; i++) {
        if (!strcasecmp(s, yes[i]))
            return 1;
        if (!strcasecmp(s, no[i]))
            return 0;
    }
    return -1;
}

static sg_rc stage_holiday(hsds_ctx *c, hsds_rec *r)
{
    sched_row s = {.freq = SCHED_WEEKLY, .interval = 1, .byday = "", .bymonthday = ""};
    int closed;

    if (!has_link(c, r))
        return SG_OK;
    /* No closed flag and no hours can only mean closed. */
    closed = *r->v[HO_CLOSED] ? parse_bool(r->v[HO_CLOSED])
                              : !*r->v[HO_OPENS] && !*r->v[HO_CLOSES];
    if (closed < 0) {
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, HO_CLOSED, 1,
                        "closed \"%.40s\" is not true or false", r->v[HO_CLOSED]);
        return SG_OK;
    }
    if ((s.valid_from = date_field(c, r, HO_START)) < 0 ||
        (s.valid_to = date_field(c, r, HO_END)) < 0)
        return SG_OK;
    if (!s.valid_to)
        s.valid_to = s.valid_from; /* a one-day holiday */
    if (s.valid_to < s.valid_from) {
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, HO_END, 1,
                        "end_date %s is before start_date %s", r->v[HO_END],
                        r->v[HO_START]);
        return SG_OK;
    }
    s.kind = closed ? SCHED_CLOSURE : SCHED_SPECIAL;
    if (closed) {
        s.opens = 0;
        s.closes = SG_MINUTES_PER_DAY;
    } else if ((s.opens = time_field(c, r, HO_OPENS, 0)) < 0 ||
               (s.closes = time_field(c, r, HO_CLOSES, 1)) < 0) {
        return SG_OK;
    }
    return insert_sched(c, r, &s);
}

#define SCHED_INSERT                                                                     \
    "INSERT OR IGNORE INTO stg.sched(_src, _row, id, service_id, location_id, sal_id,"   \
    " kind, freq, interval, byday, bymonthday, opens, closes, dtstart, until,"           \
    " valid_from, valid_to) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"   \
    " ?13, ?14, ?15, ?16, ?17)"

const hsds_kind_spec hsds_schedule_kind = {
    .what = "schedule",
    .table = "sched",
    .insert = SCHED_INSERT,
    .fields = schedule_fields,
    .nfields = SC_N,
    .stage = stage_schedule,
};
const hsds_kind_spec hsds_regular_kind = {
    .what = "regular schedule",
    .table = "sched",
    .insert = SCHED_INSERT,
    .fields = regular_fields,
    .nfields = RG_N,
    .stage = stage_regular,
};
const hsds_kind_spec hsds_holiday_kind = {
    .what = "holiday schedule",
    .table = "sched",
    .insert = SCHED_INSERT,
    .fields = holiday_fields,
    .nfields = HO_N,
    .stage = stage_holiday,
};
