/*
 * Opening hours, table by table: which dates a rule falls on (weekly,
 * monthly ordinals, month days, intervals, until and validity windows), the
 * status at fixed local clocks (split hours, overnight on both sides of
 * midnight, around the clock, holiday closures, special hours, the
 * look-ahead across month and year ends, unknown), the phrases in English
 * and Spanish, the parsers with good and bad input, the date helpers, and
 * a DST night in Chicago driven through localtime_r the way the app does.
 *
 * Every clock here is fixed: a date and a minute, never "now".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "signpost/schedule.h"

#define H(h, m) ((h) * 60 + (m))
#define WEEKDAYS 0x1f
#define EVERY_DAY 0x7f
#define MO 0x01
#define WE 0x04
#define FR 0x10
#define SA 0x20
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Rule shorthands: weekly hours on some days, and the same limited to dates. */
#define WEEKLY(d, o, c) {.freq = SCHED_WEEKLY, .days = (d), .opens = (o), .closes = (c)}
#define DATED(k, from, to, o, c)                                                          \
    {.freq = SCHED_WEEKLY, .kind = (k), .valid_from = (from), .valid_to = (to), .opens = (o), \
     .closes = (c)}

/* ---------------------------------------------------------------------- */
/* Which dates a rule falls on.                                           */
/* ---------------------------------------------------------------------- */

typedef struct {
    const char *what;
    schedule_rule rule;
    int date;
    int want;
} occurs_case;

static const occurs_case occurs_cases[] = {
    {"weekly MO..FR on a Monday", WEEKLY(WEEKDAYS, 540, 1020), 20260302, 1},
    {"weekly MO..FR on a Saturday", WEEKLY(WEEKDAYS, 540, 1020), 20260307, 0},
    {"no BYDAY is every day", WEEKLY(0, 540, 1020), 20260307, 1},
    {"not a date", WEEKLY(0, 540, 1020), 20260230, 0},
    /* MONTHLY BYDAY with ordinals: March 2026 starts on a Sunday. */
    {"1SA is 7 March", {.freq = SCHED_MONTHLY, .nth = {[5] = 1u << 0}}, 20260307, 1},
    {"1SA is not 14 March", {.freq = SCHED_MONTHLY, .nth = {[5] = 1u << 0}}, 20260314, 0},
    {"1SA is 4 April", {.freq = SCHED_MONTHLY, .nth = {[5] = 1u << 0}}, 20260404, 1},
    {"2TU is 10 March", {.freq = SCHED_MONTHLY, .nth = {[1] = 1u << 1}}, 20260310, 1},
    {"2TU is not 3 March", {.freq = SCHED_MONTHLY, .nth = {[1] = 1u << 1}}, 20260303, 0},
    {"2TU is not 17 March", {.freq = SCHED_MONTHLY, .nth = {[1] = 1u << 1}}, 20260317, 0},
    {"-1FR is 27 March", {.freq = SCHED_MONTHLY, .nth = {[4] = 1u << 5}}, 20260327, 1},
    {"-1FR is not 20 March", {.freq = SCHED_MONTHLY, .nth = {[4] = 1u << 5}}, 20260320, 0},
    {"-1FR in a 5-Friday month", {.freq = SCHED_MONTHLY, .nth = {[4] = 1u << 5}}, 20260130, 1},
    {"5FR is 30 January", {.freq = SCHED_MONTHLY, .nth = {[4] = 1u << 4}}, 20260130, 1},
    {"-5FR is 2 January", {.freq = SCHED_MONTHLY, .nth = {[4] = 1u << 9}}, 20260102, 1},
    {"-5FR is not 6 March", {.freq = SCHED_MONTHLY, .nth = {[4] = 1u << 9}}, 20260306, 0},
    {"MO plus 1SA: a Monday", {.freq = SCHED_MONTHLY, .days = MO, .nth = {[5] = 1}}, 20260309, 1},
    {"MO plus 1SA: the Saturday", {.freq = SCHED_MONTHLY, .days = MO, .nth = {[5] = 1}}, 20260307,
     1},
    /* BYMONTHDAY, with February in leap and common years. */
    {"15 on the 15th", {.freq = SCHED_MONTHLY, .monthdays = 1u << 14}, 20260315, 1},
    {"15 on the 16th", {.freq = SCHED_MONTHLY, .monthdays = 1u << 14}, 20260316, 0},
    {"-1 on 31 March", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 20260331, 1},
    {"-1 on 30 April", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 20260430, 1},
    {"-1 on 28 Feb 2025", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 20250228, 1},
    {"-1 not 28 Feb 2024", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 20240228, 0},
    {"-1 on 29 Feb 2024", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 20240229, 1},
    {"-1 on 28 Feb 2100", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 21000228, 1},
    {"-1 on 29 Feb 2000", {.freq = SCHED_MONTHLY, .monthdays_last = 1}, 20000229, 1},
    {"-2 on 28 Feb 2024", {.freq = SCHED_MONTHLY, .monthdays_last = 2}, 20240228, 1},
    {"31 skips April", {.freq = SCHED_MONTHLY, .monthdays = 1u << 30}, 20260430, 0},
    {"FR and 13: Friday 13th", {.freq = SCHED_MONTHLY, .days = FR, .monthdays = 1u << 12},
     20260313, 1},
    {"FR and 13: other Friday", {.freq = SCHED_MONTHLY, .days = FR, .monthdays = 1u << 12},
     20260306, 0},
    /* INTERVAL=2 weeks from a Wednesday DTSTART; weeks start on Monday. */
    {"2w: before dtstart", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260302, 0},
    {"2w: dtstart itself", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260304, 1},
    {"2w: the week after", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260309, 0},
    {"2w: Wed the week after", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260311,
     0},
    {"2w: two weeks on, Mon", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260316, 1},
    {"2w: two weeks on, Wed", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260318, 1},
    {"2w: three weeks on", {.interval = 2, .days = MO | WE, .dtstart = 20260304}, 20260323, 0},
    {"2w: across new year", {.interval = 2, .days = MO, .dtstart = 20261228}, 20270111, 1},
    {"2w: across new year, off", {.interval = 2, .days = MO, .dtstart = 20261228}, 20270104, 0},
    {"2w without dtstart is weekly", {.interval = 2, .days = MO}, 20260309, 1},
    /* INTERVAL=3 months from 15 January. */
    {"3m: April", {.freq = SCHED_MONTHLY, .interval = 3, .monthdays = 1u << 14, .dtstart = 20260115},
     20260415, 1},
    {"3m: February", {.freq = SCHED_MONTHLY, .interval = 3, .monthdays = 1u << 14,
                      .dtstart = 20260115},
     20260215, 0},
    {"3m: next January", {.freq = SCHED_MONTHLY, .interval = 3, .monthdays = 1u << 14,
                          .dtstart = 20260115},
     20270115, 1},
    /* UNTIL, valid_from and valid_to are inclusive. */
    {"until: the day", {.days = EVERY_DAY, .until = 20260310}, 20260310, 1},
    {"until: the day after", {.days = EVERY_DAY, .until = 20260310}, 20260311, 0},
    {"valid_from: the day before", {.valid_from = 20270123, .valid_to = 20270415}, 20270122, 0},
    {"valid_from: the day", {.valid_from = 20270123, .valid_to = 20270415}, 20270123, 1},
    {"valid_to: the day", {.valid_from = 20270123, .valid_to = 20270415}, 20270415, 1},
    {"valid_to: the day after", {.valid_from = 20270123, .valid_to = 20270415}, 20270416, 0},
    {"a failed date parse bounds nothing", {.valid_to = -1}, 20270416, 1},
};

static void occurs_on(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(occurs_cases); i++) {
        const occurs_case *c = &occurs_cases[i];
        if (schedule_occurs_on(&c->rule, c->date) != c->want)
            fail_msg("%s: %d should be %d", c->what, c->date, c->want);
    }
}

/* ---------------------------------------------------------------------- */
/* Status at fixed clocks.                                                */
/* ---------------------------------------------------------------------- */

typedef struct {
    const char *what;
    const schedule_rule *rules;
    size_t n;
    int date, minute;
    hours_state state;
    const char *en; /* the English phrase; NULL for HOURS_UNKNOWN */
} status_case;

#define RULES(a) (a), N(a)

static const schedule_rule nine_five[] = {WEEKLY(WEEKDAYS, H(9, 0), H(17, 0))};
static const schedule_rule half_past_noon[] = {WEEKLY(WEEKDAYS, H(9, 0), H(12, 30))};
static const schedule_rule split[] = {WEEKLY(WEEKDAYS, H(9, 0), H(12, 0)),
                                      WEEKLY(WEEKDAYS, H(13, 30), H(17, 0))};
static const schedule_rule back_to_back[] = {WEEKLY(MO, H(8, 0), H(12, 0)),
                                             WEEKLY(MO, H(12, 0), H(20, 0))};
static const schedule_rule shelter[] = {WEEKLY(EVERY_DAY, H(20, 0), H(8, 0))};
static const schedule_rule friday_late[] = {WEEKLY(FR, H(22, 0), H(2, 0))};
static const schedule_rule always_2359[] = {WEEKLY(EVERY_DAY, 0, H(23, 59))};
static const schedule_rule always_2400[] = {WEEKLY(EVERY_DAY, 0, H(24, 0))};
static const schedule_rule always_0000[] = {WEEKLY(0, 0, 0)};
static const schedule_rule weekdays_24h[] = {WEEKLY(WEEKDAYS, 0, H(23, 59))};
static const schedule_rule evenings[] = {WEEKLY(EVERY_DAY, H(18, 0), H(24, 0))};
static const schedule_rule always_ending[] = {
    {.days = EVERY_DAY, .opens = 0, .closes = H(24, 0), .valid_to = 20260304}};
static const schedule_rule first_saturday[] = {
    {.freq = SCHED_MONTHLY, .nth = {[5] = 1}, .opens = H(10, 0), .closes = H(14, 0)}};
static const schedule_rule first_of_month[] = {
    {.freq = SCHED_MONTHLY, .monthdays = 1, .opens = H(9, 0), .closes = H(17, 0)}};
static const schedule_rule mondays[] = {WEEKLY(MO, H(9, 0), H(17, 0))};
static const schedule_rule mondays_later[] = {
    {.days = MO, .opens = H(9, 0), .closes = H(17, 0), .valid_from = 20260310}};
static const schedule_rule expired[] = {
    {.days = WEEKDAYS, .opens = H(9, 0), .closes = H(17, 0), .valid_to = 20251231}};
/* HSDS 1.x: holiday_schedule closed=true, start 2019-12-24, end 2019-12-26. */
static const schedule_rule holiday[] = {WEEKLY(WEEKDAYS, H(9, 0), H(17, 0)),
                                        DATED(SCHED_CLOSURE, 20191224, 20191226, 0, 0)};
static const schedule_rule shelter_holiday[] = {WEEKLY(EVERY_DAY, H(20, 0), H(8, 0)),
                                                DATED(SCHED_CLOSURE, 20191224, 20191224, 0, 0)};
static const schedule_rule special[] = {
    WEEKLY(WEEKDAYS, H(9, 0), H(17, 0)),
    DATED(SCHED_SPECIAL, 20191231, 20191231, H(10, 0), H(14, 0)),
    DATED(SCHED_SPECIAL, 20191228, 20191228, H(10, 0), H(12, 0)),
    DATED(SCHED_SPECIAL, 20200102, 20200102, H(10, 0), H(12, 0)),
    DATED(SCHED_CLOSURE, 20200102, 20200102, 0, 0)};
static const schedule_rule only_closure[] = {DATED(SCHED_CLOSURE, 20191224, 20191226, 0, 0)};
static const schedule_rule only_special[] = {
    DATED(SCHED_SPECIAL, 20191228, 20191228, H(10, 0), H(12, 0))};
static const schedule_rule bad_times[] = {WEEKLY(WEEKDAYS, -1, H(17, 0))};

static const status_case status_cases[] = {
    /* Weekly 9 to 5; 2026-03-02 is a Monday. */
    {"before opening", RULES(nine_five), 20260302, H(8, 59), HOURS_LATER, "Opens today at 9 am"},
    {"at opening", RULES(nine_five), 20260302, H(9, 0), HOURS_OPEN, "Open now until 5 pm"},
    {"last minute", RULES(nine_five), 20260302, H(16, 59), HOURS_OPEN, "Open now until 5 pm"},
    {"at closing", RULES(nine_five), 20260302, H(17, 0), HOURS_LATER, "Opens tomorrow at 9 am"},
    {"Friday evening", RULES(nine_five), 20260306, H(18, 0), HOURS_LATER, "Opens Monday at 9 am"},
    {"Saturday", RULES(nine_five), 20260307, H(10, 0), HOURS_LATER, "Opens Monday at 9 am"},
    {"until 12:30", RULES(half_past_noon), 20260302, H(10, 0), HOURS_OPEN,
     "Open now until 12:30 pm"},
    /* Split hours: two rows a day. */
    {"split: morning", RULES(split), 20260303, H(11, 0), HOURS_OPEN, "Open now until noon"},
    {"split: lunch", RULES(split), 20260303, H(12, 30), HOURS_LATER, "Opens today at 1:30 pm"},
    {"split: afternoon", RULES(split), 20260303, H(14, 0), HOURS_OPEN, "Open now until 5 pm"},
    {"back-to-back rows join", RULES(back_to_back), 20260302, H(9, 0), HOURS_OPEN,
     "Open now until 8 pm"},
    /* Overnight, both sides of midnight. */
    {"shelter: evening", RULES(shelter), 20260304, H(21, 0), HOURS_OPEN,
     "Open now until tomorrow at 8 am"},
    {"shelter: after midnight", RULES(shelter), 20260304, H(3, 0), HOURS_OPEN,
     "Open now until 8 am"},
    {"shelter: morning", RULES(shelter), 20260304, H(8, 0), HOURS_LATER, "Opens today at 8 pm"},
    {"Friday late: Friday", RULES(friday_late), 20260306, H(23, 0), HOURS_OPEN,
     "Open now until tomorrow at 2 am"},
    {"Friday late: Saturday 1 am", RULES(friday_late), 20260307, H(1, 0), HOURS_OPEN,
     "Open now until 2 am"},
    {"Friday late: Saturday 3 am", RULES(friday_late), 20260307, H(3, 0), HOURS_LATER,
     "Opens Friday at 10 pm"},
    /* Around the clock. */
    {"00:00-23:59 daily", RULES(always_2359), 20260308, H(3, 0), HOURS_ALWAYS, "Open 24 hours"},
    {"00:00-24:00 daily", RULES(always_2400), 20260308, H(23, 59), HOURS_ALWAYS, "Open 24 hours"},
    {"00:00-00:00 daily", RULES(always_0000), 20260308, 0, HOURS_ALWAYS, "Open 24 hours"},
    {"24h on weekdays only", RULES(weekdays_24h), 20260302, H(10, 0), HOURS_OPEN,
     "Open now until Friday at midnight"},
    {"24h on weekdays, Thursday", RULES(weekdays_24h), 20260305, H(10, 0), HOURS_OPEN,
     "Open now until tomorrow at midnight"},
    {"until midnight", RULES(evenings), 20260302, H(20, 0), HOURS_OPEN, "Open now until midnight"},
    {"24h, ending soon", RULES(always_ending), 20260302, H(10, 0), HOURS_OPEN,
     "Open now until Wednesday at midnight"},
    /* Monthly, and the look-ahead across month and year ends. */
    {"1SA from Monday", RULES(first_saturday), 20260302, H(9, 0), HOURS_LATER,
     "Opens Saturday at 10 am"},
    {"1SA on the day", RULES(first_saturday), 20260307, H(11, 0), HOURS_OPEN,
     "Open now until 2 pm"},
    {"1SA a month away", RULES(first_saturday), 20260314, H(11, 0), HOURS_CLOSED,
     "Closed this week"},
    {"1SA across month end", RULES(first_saturday), 20260330, H(11, 0), HOURS_LATER,
     "Opens Saturday at 10 am"},
    {"1st across year end", RULES(first_of_month), 20191230, H(9, 0), HOURS_LATER,
     "Opens Wednesday at 9 am"},
    {"1st across February end", RULES(first_of_month), 20260227, H(9, 0), HOURS_LATER,
     "Opens Sunday at 9 am"},
    {"1st across leap February", RULES(first_of_month), 20240229, H(18, 0), HOURS_LATER,
     "Opens tomorrow at 9 am"},
    {"Monday, a week on", RULES(mondays), 20260302, H(17, 0), HOURS_LATER, "Opens Monday at 9 am"},
    {"past the look-ahead", RULES(mondays_later), 20260302, H(8, 0), HOURS_CLOSED,
     "Closed this week"},
    {"just inside the look-ahead", RULES(mondays_later), 20260309, H(8, 0), HOURS_LATER,
     "Opens Monday at 9 am"},
    {"expired hours", RULES(expired), 20260302, H(10, 0), HOURS_CLOSED, "Closed this week"},
    /* Closures take away what starts on their dates; 2019-12-24 is a Tuesday. */
    {"holiday: the evening before", RULES(holiday), 20191223, H(18, 0), HOURS_LATER,
     "Opens Friday at 9 am"},
    {"holiday: during", RULES(holiday), 20191224, H(10, 0), HOURS_LATER, "Opens Friday at 9 am"},
    {"holiday: last day", RULES(holiday), 20191226, H(10, 0), HOURS_LATER,
     "Opens tomorrow at 9 am"},
    {"holiday: after", RULES(holiday), 20191227, H(10, 0), HOURS_OPEN, "Open now until 5 pm"},
    {"closure keeps last night's", RULES(shelter_holiday), 20191224, H(3, 0), HOURS_OPEN,
     "Open now until 8 am"},
    {"closure: no night tonight", RULES(shelter_holiday), 20191224, H(21, 0), HOURS_LATER,
     "Opens tomorrow at 8 pm"},
    /* Special hours replace the regular ones on their dates. */
    {"special: before", RULES(special), 20191231, H(9, 30), HOURS_LATER, "Opens today at 10 am"},
    {"special: during", RULES(special), 20191231, H(13, 0), HOURS_OPEN, "Open now until 2 pm"},
    {"special: after", RULES(special), 20191231, H(15, 0), HOURS_LATER, "Opens tomorrow at 9 am"},
    {"special on a Saturday", RULES(special), 20191228, H(9, 0), HOURS_LATER,
     "Opens today at 10 am"},
    {"closure beats special", RULES(special), 20200102, H(9, 0), HOURS_LATER,
     "Opens tomorrow at 9 am"},
    /* Unknown. */
    {"no rules", NULL, 0, 20260302, H(10, 0), HOURS_UNKNOWN, NULL},
    {"only a closure", RULES(only_closure), 20191223, H(10, 0), HOURS_UNKNOWN, NULL},
    {"only special hours, ahead", RULES(only_special), 20191223, H(10, 0), HOURS_LATER,
     "Opens Saturday at 10 am"},
    {"only special hours, past", RULES(only_special), 20191229, H(10, 0), HOURS_UNKNOWN, NULL},
    {"times that failed to parse", RULES(bad_times), 20260302, H(10, 0), HOURS_UNKNOWN, NULL},
    {"not a date", RULES(nine_five), 20260230, H(10, 0), HOURS_UNKNOWN, NULL},
    {"minute out of range", RULES(nine_five), 20260302, H(24, 0), HOURS_UNKNOWN, NULL},
};

static void status_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(status_cases); i++) {
        const status_case *c = &status_cases[i];
        hours_status st = schedule_status(c->rules, c->n, c->date, c->minute);
        char out[96] = "x";
        int rc = schedule_describe(&st, "en", out, sizeof out);
        if (st.state != c->state)
            fail_msg("%s: state %d, want %d", c->what, (int)st.state, (int)c->state);
        if (c->en ? rc != 0 || strcmp(out, c->en) != 0 : rc != -1 || out[0] != '\0')
            fail_msg("%s: \"%s\", want \"%s\"", c->what, out, c->en ? c->en : "");
    }
}

/* The fields behind the phrases: until past midnight, day offsets, weekdays. */
static void status_fields(void **state)
{
    (void)state;
    hours_status st = schedule_status(RULES(shelter), 20260304, H(21, 0));
    assert_int_equal(st.state, HOURS_OPEN);
    assert_int_equal(st.until, SG_MINUTES_PER_DAY + H(8, 0));

    st = schedule_status(RULES(evenings), 20260304, H(19, 0));
    assert_int_equal(st.until, SG_MINUTES_PER_DAY);

    st = schedule_status(RULES(mondays), 20260302, H(17, 0)); /* a week on */
    assert_int_equal(st.state, HOURS_LATER);
    assert_int_equal(st.day_offset, 7);
    assert_int_equal(st.weekday, 0);
    assert_int_equal(st.at, H(9, 0));

    st = schedule_status(RULES(first_of_month), 20191230, H(9, 0));
    assert_int_equal(st.day_offset, 2);
    assert_int_equal(st.weekday, 2);

    st = schedule_status(RULES(nine_five), 20260306, H(18, 0));
    assert_int_equal(st.day_offset, 3);
    assert_int_equal(st.weekday, 0);
}

/* ---------------------------------------------------------------------- */
/* Phrases in English and Spanish.                                        */
/* ---------------------------------------------------------------------- */

typedef struct {
    hours_status st;
    const char *en, *es;
} phrase_case;

static const phrase_case phrase_cases[] = {
    {{HOURS_ALWAYS, 0, 0, 0, 0}, "Open 24 hours", "Abierto las 24 horas"},
    {{HOURS_CLOSED, 0, 0, 0, 0}, "Closed this week", "Cerrado esta semana"},
    {{HOURS_OPEN, H(17, 0), 0, 0, 0}, "Open now until 5 pm", "Abierto ahora hasta las 5 p. m."},
    {{HOURS_OPEN, H(12, 30), 0, 0, 0}, "Open now until 12:30 pm",
     "Abierto ahora hasta las 12:30 p. m."},
    {{HOURS_OPEN, H(13, 0), 0, 0, 0}, "Open now until 1 pm", "Abierto ahora hasta la 1 p. m."},
    {{HOURS_OPEN, H(9, 45), 0, 0, 0}, "Open now until 9:45 am",
     "Abierto ahora hasta las 9:45 a. m."},
    {{HOURS_OPEN, H(12, 0), 0, 0, 0}, "Open now until noon", "Abierto ahora hasta el mediodía"},
    {{HOURS_OPEN, H(24, 0), 0, 0, 0}, "Open now until midnight",
     "Abierto ahora hasta la medianoche"},
    {{HOURS_OPEN, H(24 + 8, 0), 1, 3, 0}, "Open now until tomorrow at 8 am",
     "Abierto ahora hasta mañana a las 8 a. m."},
    {{HOURS_OPEN, H(48 + 12, 0), 2, 4, 0}, "Open now until Friday at noon",
     "Abierto ahora hasta el viernes al mediodía"},
    {{HOURS_OPEN, H(96, 0), 3, 4, 0}, "Open now until Friday at midnight",
     "Abierto ahora hasta el viernes a la medianoche"},
    {{HOURS_LATER, 0, 0, 0, H(13, 0)}, "Opens today at 1 pm", "Abre hoy a la 1 p. m."},
    {{HOURS_LATER, 0, 0, 1, H(13, 30)}, "Opens today at 1:30 pm", "Abre hoy a la 1:30 p. m."},
    {{HOURS_LATER, 0, 1, 2, H(9, 0)}, "Opens tomorrow at 9 am", "Abre mañana a las 9 a. m."},
    {{HOURS_LATER, 0, 1, 2, 0}, "Opens tomorrow at 12 am", "Abre mañana a las 12 a. m."},
    {{HOURS_LATER, 0, 3, 0, H(9, 0)}, "Opens Monday at 9 am", "Abre el lunes a las 9 a. m."},
    {{HOURS_LATER, 0, 2, 2, H(12, 0)}, "Opens Wednesday at noon", "Abre el miércoles al mediodía"},
    {{HOURS_LATER, 0, 6, 5, H(22, 0)}, "Opens Saturday at 10 pm", "Abre el sábado a las 10 p. m."},
    {{HOURS_LATER, 0, 7, 6, H(8, 30)}, "Opens Sunday at 8:30 am",
     "Abre el domingo a las 8:30 a. m."},
};

static void phrases(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(phrase_cases); i++) {
        const phrase_case *c = &phrase_cases[i];
        char out[96];
        assert_int_equal(schedule_describe(&c->st, "en", out, sizeof out), 0);
        assert_string_equal(out, c->en);
        assert_int_equal(schedule_describe(&c->st, "es", out, sizeof out), 0);
        assert_string_equal(out, c->es);
    }
}

static void phrase_edges(void **state)
{
    (void)state;
    hours_status later = {HOURS_LATER, 0, 3, 0, H(9, 0)}, unknown = {HOURS_UNKNOWN, 0, 0, 0, 0};
    char out[96] = "x", tiny[8];

    assert_int_equal(schedule_describe(&later, "es-MX", out, sizeof out), 0);
    assert_string_equal(out, "Abre el lunes a las 9 a. m.");
    assert_int_equal(schedule_describe(&later, "fr", out, sizeof out), 0);
    assert_string_equal(out, "Opens Monday at 9 am");
    assert_int_equal(schedule_describe(&later, NULL, out, sizeof out), 0);
    assert_string_equal(out, "Opens Monday at 9 am");
    assert_int_equal(schedule_describe(&later, "estonian", out, sizeof out), 0);
    assert_string_equal(out, "Opens Monday at 9 am");

    /* A phrase that does not fit is cut, still terminated, and reported. */
    assert_int_equal(schedule_describe(&later, "en", tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "Opens M");

    assert_int_equal(schedule_describe(&unknown, "en", out, sizeof out), -1);
    assert_string_equal(out, "");
}

/* Every status the evaluator makes in a month of a busy schedule can be said. */
static void every_status_is_sayable(void **state)
{
    (void)state;
    static const schedule_rule busy[] = {
        WEEKLY(WEEKDAYS, H(9, 0), H(12, 0)), WEEKLY(WEEKDAYS, H(13, 0), H(17, 0)),
        WEEKLY(FR, H(22, 0), H(3, 0)), DATED(SCHED_CLOSURE, 20260320, 20260322, 0, 0),
        DATED(SCHED_SPECIAL, 20260314, 20260314, H(10, 0), H(12, 0))};
    for (int date = 20260301; date <= 20260331; date++)
        for (int minute = 0; minute < SG_MINUTES_PER_DAY; minute += 7) {
            hours_status st = schedule_status(RULES(busy), date, minute);
            char en[96], es[96];
            assert_int_not_equal(st.state, HOURS_UNKNOWN);
            assert_int_equal(schedule_describe(&st, "en", en, sizeof en), 0);
            assert_int_equal(schedule_describe(&st, "es", es, sizeof es), 0);
            if (st.state == HOURS_OPEN)
                assert_true(st.until > minute);
            if (st.state == HOURS_LATER && st.day_offset == 0)
                assert_true(st.at > minute);
        }
}

/* ---------------------------------------------------------------------- */
/* Parsers.                                                               */
/* ---------------------------------------------------------------------- */

typedef struct {
    const char *in;
    int want;
} parse_case;

static const parse_case time_cases[] = {
    {"09:30", 570},       {"9:30", 570},          {"17:00:00", 1020},   {"00:00", 0},
    {"23:59", 1439},      {"24:00", 1440},        {"24:00:00", 1440},   {"9:00am", 540},
    {"9 AM", 540},        {"9am", 540},           {"9:00 am", 540},     {"12:30 p.m.", 750},
    {"12:30 P.M.", 750},  {"5 p. m.", 1020},      {"9 a. m.", 540},     {"12am", 0},
    {"12:00 AM", 0},      {"12pm", 720},          {"11:59 pm", 1439},   {"1:05pm", 785},
    {"09:00:00", 540},    {"09:00-05:00", 540},   {"09:00+0530", 540},  {"09:00+01", 540},
    {"09:00Z", 540},      {"17:00:00Z", 1020},    {" 9:00 ", 540},      {"25:00", -1},
    {"9:60", -1},         {"", -1},               {"abc", -1},          {"9", -1},
    {"24:01", -1},        {"24:00:01", -1},       {"13pm", -1},         {"0am", -1},
    {"9:5", -1},          {"9:00 xm", -1},        {"09:00-5", -1},      {"09:00+25:00", -1},
    {"12:30 p.m. x", -1}, {"9:00am-05:00", -1},   {"-1:00", -1},        {"09:00:60", -1},
    {"0900", -1},         {"9:00:", -1},          {"123:00", -1},       {"9 : 00", -1},
};

static const parse_case weekday_cases[] = {
    {"1", 0},       {"2", 1},         {"6", 5},        {"7", 6},         {"0", 6},
    {" 3 ", 2},     {"Monday", 0},    {"monday", 0},   {"MONDAY", 0},    {"mon", 0},
    {"Tue", 1},     {"tues", 1},      {"Wednesday", 2}, {"Thurs", 3},    {"FR", 4},
    {"Sat", 5},     {"Sunday", 6},    {"su", 6},       {"Lunes", 0},     {"martes", 1},
    {"miércoles", 2}, {"MIÉRCOLES", 2}, {"miercoles", 2}, {"mié", 2},   {"Mié.", 2},
    {"jueves", 3},  {"vie", 4},       {"sáb", 5},      {"sab", 5},       {"Sábado", 5},
    {"domingo", 6}, {"mi\xe9rcoles", 2}, {" Friday ", 4}, {"8", -1},     {"-1", -1},
    {"", -1},       {"x", -1},        {"m", -1},       {"mondays", -1},  {"noday", -1},
    {"lunesx", -1}, {"Mon day", -1},  {"12", -1},      {"1a", -1},       {"mon..", -1},
    {"thursdayy", -1},
};

static const parse_case date_cases[] = {
    {"2027-01-23", 20270123}, {"", 0},                        {"  ", 0},
    {"2019-12-24T00:00:00Z", 20191224}, {"2019-12-24 08:00", 20191224},
    {"20191224T000000Z", 20191224}, {"20191224", 20191224}, {"2024-02-29", 20240229},
    {"2025-02-29", -1},       {"23/01/2027", -1},            {"2027-13-01", -1},
    {"2027-1-23", -1},        {"2027-01-23x", -1},           {"2027-0123", -1},
    {"2027-01-00", -1},       {"0000-01-01", -1},            {"tomorrow", -1},
};

static void parse_tables(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(time_cases); i++)
        if (schedule_parse_time(time_cases[i].in) != time_cases[i].want)
            fail_msg("time \"%s\": %d, want %d", time_cases[i].in,
                     schedule_parse_time(time_cases[i].in), time_cases[i].want);
    for (size_t i = 0; i < N(weekday_cases); i++)
        if (schedule_parse_weekday(weekday_cases[i].in) != weekday_cases[i].want)
            fail_msg("weekday \"%s\": %d, want %d", weekday_cases[i].in,
                     schedule_parse_weekday(weekday_cases[i].in), weekday_cases[i].want);
    for (size_t i = 0; i < N(date_cases); i++)
        if (schedule_parse_date(date_cases[i].in) != date_cases[i].want)
            fail_msg("date \"%s\": %d, want %d", date_cases[i].in,
                     schedule_parse_date(date_cases[i].in), date_cases[i].want);
    assert_int_equal(schedule_parse_time(NULL), -1);
    assert_int_equal(schedule_parse_weekday(NULL), -1);
    assert_int_equal(schedule_parse_date(NULL), 0);
}

typedef struct {
    const char *in;
    unsigned char freq;
    int rc;
    unsigned char days;
    unsigned short nth[7];
} byday_case;

static const byday_case byday_cases[] = {
    {"MO,TU,WE,TH,FR", SCHED_WEEKLY, 0, 0x1f, {0}},
    {"SA, SU", SCHED_WEEKLY, 0, 0x60, {0}},
    {"mo", SCHED_WEEKLY, 0, 0x01, {0}},
    {"", SCHED_WEEKLY, 0, 0, {0}},
    {"1SA", SCHED_MONTHLY, 0, 0, {[5] = 1}},
    {"-1FR", SCHED_MONTHLY, 0, 0, {[4] = 1u << 5}},
    {"2TU", SCHED_MONTHLY, 0, 0, {[1] = 2}},
    {"+3WE", SCHED_MONTHLY, 0, 0, {[2] = 4}},
    {"5MO,-5MO", SCHED_MONTHLY, 0, 0, {[0] = 16 | 1u << 9}},
    {"MO,1SA,-1SA", SCHED_MONTHLY, 0, 0x01, {[5] = 1 | 1u << 5}},
    {"1SA", SCHED_WEEKLY, -1, 0, {0}},
    {"-1FR", SCHED_WEEKLY, -1, 0, {0}},
    {"6SA", SCHED_MONTHLY, -1, 0, {0}},
    {"0SA", SCHED_MONTHLY, -1, 0, {0}},
    {"-6SA", SCHED_MONTHLY, -1, 0, {0}},
    {"+SA", SCHED_MONTHLY, -1, 0, {0}},
    {"10MO", SCHED_MONTHLY, -1, 0, {0}},
    {"1XX", SCHED_MONTHLY, -1, 0, {0}},
    {"MO;TU", SCHED_WEEKLY, -1, 0, {0}},
    {"MO,", SCHED_WEEKLY, -1, 0, {0}},
    {",MO", SCHED_WEEKLY, -1, 0, {0}},
    {"MO TU", SCHED_WEEKLY, -1, 0, {0}},
    {"MOTU", SCHED_WEEKLY, -1, 0, {0}},
    {"M", SCHED_WEEKLY, -1, 0, {0}},
    {"XX", SCHED_WEEKLY, -1, 0, {0}},
};

static void parse_byday(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(byday_cases); i++) {
        const byday_case *c = &byday_cases[i];
        /* Junk in the fields first: success replaces them, failure keeps them. */
        schedule_rule r = {.freq = c->freq, .days = 0x40, .nth = {[6] = 7}};
        int rc = schedule_parse_byday(c->in, &r);
        if (rc != c->rc)
            fail_msg("byday \"%s\": %d, want %d", c->in, rc, c->rc);
        if (rc == 0 && (r.days != c->days || memcmp(r.nth, c->nth, sizeof r.nth) != 0))
            fail_msg("byday \"%s\": days %#x nth[5] %#x", c->in, r.days, r.nth[5]);
        if (rc < 0 && (r.days != 0x40 || r.nth[6] != 7))
            fail_msg("byday \"%s\" changed the rule", c->in);
    }
}

typedef struct {
    const char *in;
    int rc;
    uint32_t from_start, from_end;
} monthday_case;

static const monthday_case monthday_cases[] = {
    {"1,15,-1", 0, 1u | 1u << 14, 1u},
    {"31", 0, 1u << 30, 0},
    {"-31", 0, 0, 1u << 30},
    {" 15 ", 0, 1u << 14, 0},
    {"+2, -2", 0, 2u, 2u},
    {"", 0, 0, 0},
    {"0", -1, 0, 0},
    {"32", -1, 0, 0},
    {"-32", -1, 0, 0},
    {"1;2", -1, 0, 0},
    {"x", -1, 0, 0},
    {"+", -1, 0, 0},
    {"1,", -1, 0, 0},
    {"15.5", -1, 0, 0},
    {"123", -1, 0, 0},
};

static void parse_bymonthday(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(monthday_cases); i++) {
        const monthday_case *c = &monthday_cases[i];
        schedule_rule r = {.monthdays = 0xdead, .monthdays_last = 0xbeef};
        int rc = schedule_parse_bymonthday(c->in, &r);
        if (rc != c->rc)
            fail_msg("bymonthday \"%s\": %d, want %d", c->in, rc, c->rc);
        if (rc == 0 && (r.monthdays != c->from_start || r.monthdays_last != c->from_end))
            fail_msg("bymonthday \"%s\": %#x %#x", c->in, (unsigned)r.monthdays,
                     (unsigned)r.monthdays_last);
        if (rc < 0 && (r.monthdays != 0xdead || r.monthdays_last != 0xbeef))
            fail_msg("bymonthday \"%s\" changed the rule", c->in);
    }
}

/* ---------------------------------------------------------------------- */
/* Date helpers.                                                          */
/* ---------------------------------------------------------------------- */

typedef struct {
    int date, days, want;
} add_case;

static const add_case add_cases[] = {
    {20191231, 1, 20200101},  {20200228, 1, 20200229},  {20210228, 1, 20210301},
    {21000228, 1, 21000301},  {20000228, 1, 20000229},  {20200301, -1, 20200229},
    {20260101, -1, 20251231}, {20260131, 1, 20260201},  {20260430, 1, 20260501},
    {20260308, 365, 20270308}, {20240101, 366, 20250101}, {20260302, 0, 20260302},
    {20260302, -3650, 20160304}, {10101, -1, 0},        {99991231, 1, 0},
    {20260230, 1, 0},         {0, 1, 0},                {10101, 0, 10101},
    {99991231, 0, 99991231},
};

static void date_helpers(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(add_cases); i++)
        if (schedule_date_add(add_cases[i].date, add_cases[i].days) != add_cases[i].want)
            fail_msg("%d + %d = %d, want %d", add_cases[i].date, add_cases[i].days,
                     schedule_date_add(add_cases[i].date, add_cases[i].days), add_cases[i].want);

    assert_int_equal(schedule_weekday(19700101), 3); /* Thursday */
    assert_int_equal(schedule_weekday(20000101), 5); /* Saturday */
    assert_int_equal(schedule_weekday(20191224), 1); /* Tuesday */
    assert_int_equal(schedule_weekday(20240229), 3); /* Thursday */
    assert_int_equal(schedule_weekday(20260308), 6); /* Sunday */
    assert_int_equal(schedule_weekday(10101), 0);    /* 1 January 1 was a Monday */
    assert_int_equal(schedule_weekday(20260230), -1);

    assert_true(schedule_date_valid(20240229));
    assert_false(schedule_date_valid(20230229));
    assert_false(schedule_date_valid(0));
    assert_false(schedule_date_valid(-20240101));
    assert_false(schedule_date_valid(20261301));
    assert_false(schedule_date_valid(20260100));
    assert_true(schedule_date_valid(99991231));
    assert_false(schedule_date_valid(100000101));
}

/* Two hundred years a day at a time against plain counting. */
static void date_walk(void **state)
{
    (void)state;
    int date = 19000101, weekday = schedule_weekday(date);
    assert_int_equal(weekday, 0); /* 1 January 1900 was a Monday */
    while (date < 21000101) {
        int next = schedule_date_add(date, 1), y = date / 10000, m = date / 100 % 100, want;
        if (schedule_date_valid(date + 1))
            want = date + 1;
        else if (m < 12)
            want = y * 10000 + (m + 1) * 100 + 1;
        else
            want = (y + 1) * 10000 + 101;
        assert_int_equal(next, want);
        assert_int_equal(schedule_date_add(next, -1), date);
        weekday = (weekday + 1) % 7;
        assert_int_equal(schedule_weekday(next), weekday);
        date = next;
    }
}

/* ---------------------------------------------------------------------- */
/* DST: local wall-clock through localtime_r, as the app converts.        */
/* ---------------------------------------------------------------------- */

static void local_clock(time_t t, int *date, int *minute, int *isdst)
{
    struct tm tm;
    assert_non_null(localtime_r(&t, &tm));
    *date = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    *minute = tm.tm_hour * 60 + tm.tm_min;
    *isdst = tm.tm_isdst;
}

static time_t utc(int date, int hour, int minute)
{
    struct tm tm = {.tm_year = date / 10000 - 1900, .tm_mon = date / 100 % 100 - 1,
                    .tm_mday = date % 100, .tm_hour = hour, .tm_min = minute};
    return timegm(&tm);
}

typedef struct {
    int utc_date, utc_hour, utc_minute;
    int date, minute, isdst; /* the wall clock in Chicago */
    const char *en;
} dst_case;

static const dst_case dst_cases[] = {
    /* Spring forward: 2026-03-08 02:00 CST becomes 03:00 CDT (08:00 UTC). */
    {20260308, 2, 0, 20260307, H(20, 0), 0, "Open now until tomorrow at 8 am"},
    {20260308, 7, 30, 20260308, H(1, 30), 0, "Open now until 8 am"},
    {20260308, 8, 30, 20260308, H(3, 30), 1, "Open now until 8 am"},
    {20260308, 12, 59, 20260308, H(7, 59), 1, "Open now until 8 am"},
    {20260308, 13, 0, 20260308, H(8, 0), 1, "Opens today at 8 pm"},
    {20260309, 1, 0, 20260308, H(20, 0), 1, "Open now until tomorrow at 8 am"},
    /* Fall back: 2026-11-01 02:00 CDT becomes 01:00 CST (07:00 UTC). */
    {20261101, 6, 30, 20261101, H(1, 30), 1, "Open now until 8 am"},
    {20261101, 7, 30, 20261101, H(1, 30), 0, "Open now until 8 am"},
    {20261101, 9, 30, 20261101, H(3, 30), 0, "Open now until 8 am"},
    {20261101, 13, 0, 20261101, H(7, 0), 0, "Open now until 8 am"},
    {20261101, 13, 59, 20261101, H(7, 59), 0, "Open now until 8 am"},
    {20261101, 14, 0, 20261101, H(8, 0), 0, "Opens today at 8 pm"},
};

/* The first instant (minute steps) from 'from' at which the shelter is not open. */
static time_t first_closed(time_t from)
{
    for (time_t t = from; t < from + 24 * 3600; t += 60) {
        int date, minute, isdst;
        local_clock(t, &date, &minute, &isdst);
        if (schedule_status(RULES(shelter), date, minute).state != HOURS_OPEN)
            return t;
    }
    return (time_t)-1;
}

static void restore_tz(const char *saved)
{
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
}

static void dst_chicago(void **state)
{
    (void)state;
    const char *old = getenv("TZ");
    char saved[128] = "";
    int had = old != NULL, date, minute, isdst;

    if (had)
        snprintf(saved, sizeof saved, "%s", old);
    setenv("TZ", "America/Chicago", 1);
    tzset();
    local_clock(utc(20260701, 12, 0), &date, &minute, &isdst);
    if (minute != H(7, 0) || !isdst) { /* no zone data on this machine */
        restore_tz(had ? saved : NULL);
        skip();
    }
    for (size_t i = 0; i < N(dst_cases); i++) {
        const dst_case *c = &dst_cases[i];
        hours_status st;
        char out[96];
        local_clock(utc(c->utc_date, c->utc_hour, c->utc_minute), &date, &minute, &isdst);
        assert_int_equal(date, c->date);
        assert_int_equal(minute, c->minute);
        assert_int_equal(isdst, c->isdst);
        st = schedule_status(RULES(shelter), date, minute);
        assert_int_equal(schedule_describe(&st, "en", out, sizeof out), 0);
        assert_string_equal(out, c->en);
    }
    /* The nights are 11 and 13 hours long, yet each closes at 8:00 on the wall. */
    assert_int_equal(first_closed(utc(20260308, 2, 0)), utc(20260308, 13, 0));
    assert_int_equal(first_closed(utc(20261101, 2, 0)), utc(20261101, 14, 0));

    restore_tz(had ? saved : NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(occurs_on),         cmocka_unit_test(status_table),
        cmocka_unit_test(status_fields),     cmocka_unit_test(phrases),
        cmocka_unit_test(phrase_edges),      cmocka_unit_test(every_status_is_sayable),
        cmocka_unit_test(parse_tables),      cmocka_unit_test(parse_byday),
        cmocka_unit_test(parse_bymonthday),  cmocka_unit_test(date_helpers),
        cmocka_unit_test(date_walk),         cmocka_unit_test(dst_chicago),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
