/*
 * The clinic's numbers over a range of local days: screenings per day,
 * who wanted help, positive screens per domain, the referral funnel, SMS
 * follow-up, languages and the community-referral quality measures.
 *
 * Split the usual way:
 *   - the shell (src/store/reports.c) asks the store for (day, metric,
 *     value) rows: live rows counted in SQL, plus the daily_counts that
 *     the retention purge left for days whose visits are gone, and hands
 *     every row to report_add();
 *   - the pure core (src/store/report_calc.c) keeps the counts in a plain
 *     struct and turns them into rates with report_finish(): no I/O, no
 *     globals, no allocation.
 *
 * Metric names, the same in live counts and in daily_counts (migration 5
 * lists the first ones; src/store/report_sql.h holds the SQL of all):
 *   screenings, wants_help, wants_help_no, language:LANG, positive:DOMAIN,
 *   sms_consents, texts_sent, texts:delivered|failed|expired,
 *   replies:KIND, opt_outs, positive_any, referred_any, connected_any,
 *   funnel:suggested|referred|contacted|connected|declined|unreachable.
 * A referral counts in every stage it has reached (its current status and
 * every status its history set, ranked referred < contacted < connected),
 * so the funnel only narrows; declined and unreachable are its current
 * status.
 *
 * Rates are NAN when their denominator is 0 (the answer shows null), and
 * are rounded to 4 decimals.
 */
#ifndef SIGNPOST_REPORTS_H
#define SIGNPOST_REPORTS_H

#include <stddef.h>
#include "signpost/instrument.h"
#include "signpost/result.h"
#include "signpost/store.h"

#define REPORT_MAX_DAYS 366    /* the longest range a report covers */
#define REPORT_DEFAULT_DAYS 30 /* when the range is not given */
#define REPORT_MAX_LANGS 16    /* languages listed; the rest are left out */
#define REPORT_MAX_DOMAINS SG_MAX_DOMAINS

typedef struct {
    char name[32];
    long positive;
} report_domain;

typedef struct {
    char code[16];
    long count;
} report_lang;

typedef struct {
    int from, to; /* local dates, YYYYMMDD, inclusive */
    int ndays;
    long per_day[REPORT_MAX_DAYS];
    long screenings, wants_yes, wants_no;
    report_domain domains[REPORT_MAX_DOMAINS]; /* instrument order first */
    int ndomains;
    report_lang langs[REPORT_MAX_LANGS];
    int nlangs;
    long suggested, referred, contacted, connected, declined, unreachable;
    long consents, sent, delivered, failed, expired, replies, opt_outs;
    long positive_any, referred_any, connected_any;
} report_counts;

typedef struct {
    long wants_unknown; /* screenings that never answered the help question */
    double help_rate;   /* yes / (yes + no) */
    double positive_rate[REPORT_MAX_DOMAINS]; /* positive / screenings */
    double reply_rate;                        /* replies / texts sent */
    double positive_any_rate;                 /* positive_any / screenings */
    double referred_rate;                     /* referred_any / positive_any */
    double closed_loop_rate;                  /* connected_any / positive_any */
} report_rates;

/*
 * Checks a report's range.  from and to are "YYYY-MM-DD" or NULL; a
 * missing to is today, a missing from is REPORT_DEFAULT_DAYS days up to
 * to.  On failure *field names the query field ("from" or "to") and msg
 * says why; SG_EINVAL for a malformed date, SG_ETOOBIG for a range
 * longer than REPORT_MAX_DAYS, SG_ENOTFOUND for from after to.
 */
sg_rc report_range(const char *from, const char *to, int today, int *from_out,
                   int *to_out, const char **field, char *msg, size_t msglen);

/* Starts empty counts for [from, to] with the instrument's domains, in
 * its order (names may be NULL: no domains). */
void report_init(report_counts *c, int from, int to, const char *const *domains,
                 int ndomains);

/* Adds value to metric on day ("YYYY-MM-DD"); rows outside the range
 * and metrics it does not know are ignored (returns 1), else 0. */
int report_add(report_counts *c, const char *day, const char *metric, long value);

/* Orders the languages (most first, then by code), makes the funnel and
 * the quality counts narrow (a later stage is never above an earlier
 * one), and computes the rates. */
void report_finish(report_counts *c, report_rates *r);

/* YYYYMMDD as "YYYY-MM-DD" into out[11]. */
void report_date_text(int date, char out[11]);

/*
 * Fills c (started with report_init) from the store: live rows of the
 * range and daily_counts.  Local days are those of the process's time
 * zone (the daemon sets TZ to [clinic] timezone).  One read transaction.
 */
sg_rc store_report_counts(sg_store *st, report_counts *c);

/* What became of one service's referrals (see the funnel above). */
typedef struct {
    long given, referred, contacted, connected, declined, unreachable;
} report_outcomes;

sg_rc store_service_outcomes(sg_store *st, const char *service_id, report_outcomes *out);

#endif
