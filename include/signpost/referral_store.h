/*
 * Closed-loop referrals and the staff queue: what the console reads about
 * a submission and what staff (or a patient's text reply) change about the
 * resources it gave (schema: migration 7 in src/store/migrations.c).
 *
 * Every resource a screening gave (screenings.resources) is a referral.
 * Until someone moves it, it has no row and is "suggested"; its row appears
 * with the first change, together with a referral_events row saying who or
 * what made the change.  A change and its events (and, for staff, the audit
 * row) commit in one transaction.
 *
 * The first part is pure (names, dates, the queue's status rule, the paging
 * cursor): no I/O, no clock, no globals.  The rest reads and writes the
 * store and is thread-safe like every store function.  Dates are local
 * calendar dates in the clinic's time zone, the process time zone (the
 * daemon sets TZ from [clinic] timezone), held as YYYYMMDD integers or
 * "YYYY-MM-DD" text; times are ISO 8601 UTC text ("2026-11-29T21:14:11Z").
 *
 * Ownership: rows are filled in place; strings handed to a callback live
 * until it returns; submission_row owns its JSON columns (free them with
 * submission_row_clear, which accepts a zeroed row); referral_set owns its
 * arrays (referral_set_free accepts a zeroed set).
 */
#ifndef SIGNPOST_REFERRAL_STORE_H
#define SIGNPOST_REFERRAL_STORE_H

#include <stddef.h>
#include <time.h>
#include "signpost/result.h"
#include "signpost/sms.h"
#include "signpost/staff_auth.h"
#include "signpost/staff_store.h"
#include "signpost/store.h"

/* ---- pure: names, dates, the queue's rules ------------------------------- */

typedef enum {
    REF_SUGGESTED,  /* given at the kiosk; nobody has acted on it yet */
    REF_REFERRED,   /* staff made the referral */
    REF_CONTACTED,  /* the service or the patient was reached about it */
    REF_CONNECTED,  /* the patient got help there: the loop is closed */
    REF_DECLINED,   /* the patient did not want it */
    REF_UNREACHABLE /* nobody could be reached ("could not reach") */
} referral_status;

#define REF_NSTATUS 6
#define REFERRAL_NOTE_MAX 2000 /* bytes of UTF-8 in one note */
#define REFERRAL_DATE_LEN 11   /* "YYYY-MM-DD" and a NUL */
#define REFERRAL_TIME_LEN 21   /* "YYYY-MM-DDTHH:MM:SSZ" and a NUL */

/* The schema's name of s ("suggested" ...), "unknown" past the last. */
const char *referral_status_name(referral_status s);
/* The status called s, or -1 when s (may be NULL) names none. */
int referral_status_parse(const char *s);
/* 1 for the statuses that still need work: suggested, referred, contacted. */
int referral_status_open(referral_status s);

/* A submission in the queue: new (nobody has moved any of its referrals),
 * closed (every resource's referral is connected, declined or unreachable),
 * open (anything between). */
typedef enum { QUEUE_NEW, QUEUE_OPEN, QUEUE_CLOSED } queue_status;

const char *queue_status_name(queue_status s);
int queue_status_parse(const char *s); /* -1 when s names none */
/* The rule above from counts: resources given, referral rows, rows closed.
 * A screening that gave no resource has no rows and stays new. */
queue_status queue_status_of(int nresources, int nrows, int nclosed);

/* "YYYY-MM-DD" as YYYYMMDD when it is exactly that and a real date
 * (1970..9999, leap years counted); -1 otherwise. */
int referral_date_parse(const char *s);
/* YYYYMMDD as "YYYY-MM-DD". */
void referral_date_format(int date, char out[REFERRAL_DATE_LEN]);
/* date moved by days (either sign), across months and years. */
int referral_date_add(int date, int days);

/* 0 when note fits REFERRAL_NOTE_MAX bytes and is valid UTF-8 without
 * control characters other than tab and line breaks; why says otherwise. */
sg_rc referral_note_check(const char *note, const char **why);

/*
 * Where a queue page ends: the sort key of its last item.  The queue is
 * ordered by local day (newest first), then wanting help first, then
 * newest first, then id; the next page starts strictly after this key.
 * Encoded for clients as an opaque, URL-safe string.
 */
typedef struct {
    int day;                            /* YYYYMMDD, local */
    int help;                           /* 1 wants help, 0 otherwise */
    char created_at[REFERRAL_TIME_LEN]; /* UTC */
    char id[SG_ID_LEN];
} queue_cursor;

#define QUEUE_CURSOR_LEN 64
void queue_cursor_encode(const queue_cursor *c, char out[QUEUE_CURSOR_LEN]);
/* SG_EINVAL unless s is exactly what queue_cursor_encode writes. */
sg_rc queue_cursor_decode(const char *s, queue_cursor *out);

/* ---- the queue -------------------------------------------------------------- */

typedef enum { QUEUE_ANYONE, QUEUE_ASSIGNED_TO, QUEUE_UNASSIGNED } queue_assigned;

typedef struct {
    int from, to;     /* local dates YYYYMMDD, inclusive */
    const char *need; /* positive domain name, or NULL for any */
    int status;       /* a queue_status, or -1 for any */
    queue_assigned assigned;
    long long assigned_id;     /* with QUEUE_ASSIGNED_TO: a staff_users id */
    const queue_cursor *after; /* NULL: from the top */
    int limit;                 /* rows at most */
} queue_filter;

typedef struct {
    char id[SG_ID_LEN];
    char created_at[REFERRAL_TIME_LEN];
    char language[8];
    int wants_help;            /* 1, 0, or -1 when not asked */
    const char *positive_json; /* JSON array of domain names, instrument order */
    const char *help_json;     /* JSON array of the domains help was asked for */
    queue_status status;
    char receipt[12]; /* the latest print job's status, or "none" */
    int texts_scheduled, texts_sent, replies;
    char last_reply[16]; /* sms_reply_name of the latest reply, "" when none */
    char assigned[640];  /* usernames, comma-separated, "" when none */
    char follow_up_due[REFERRAL_DATE_LEN]; /* earliest open follow-up, "" when none */
    queue_cursor pos;                      /* this item's place, for the next page */
} queue_item;

/* Calls fn for each submission that passes f, in queue order, until it
 * returns non-zero. */
sg_rc store_queue_list(sg_store *st, const queue_filter *f,
                       int (*fn)(void *ctx, const queue_item *it), void *ctx);

/* ---- one submission ----------------------------------------------------------- */

typedef struct {
    char id[SG_ID_LEN];
    char created_at[REFERRAL_TIME_LEN];
    char kiosk_id[64], instrument_id[64], instrument_version[32], language[8];
    char scoring_rule[64];
    int safety_score; /* -1 when not scored */
    int safety_complete;
    int wants_help;     /* 1, 0, or -1 when not asked */
    char *answers_json; /* the stored columns, as stored (see migration 1) */
    char *domains_json;
    char *resources_json;
} submission_row;

/* SG_ENOTFOUND when there is no such screening. */
sg_rc store_submission_get(sg_store *st, const char *id, submission_row *out);
void submission_row_clear(submission_row *r);

typedef struct {
    char job_id[SG_ID_LEN];
    char status[12];
    char created_at[REFERRAL_TIME_LEN];
    int attempts;
    char error[160]; /* "" when none */
} submission_print;

typedef struct {
    time_t at;
    char language[8];
    char version[32];
} submission_consent;

/* The screening's receipts, newest first, at most limit. */
sg_rc store_submission_prints(sg_store *st, const char *id, int limit,
                              int (*fn)(void *ctx, const submission_print *p), void *ctx);
/* Its SMS consent; SG_ENOTFOUND when the patient gave none. */
sg_rc store_submission_consent(sg_store *st, const char *id, submission_consent *out);
/* Its replies by kind (never their text), oldest first, at most limit. */
sg_rc store_submission_replies(sg_store *st, const char *id, int limit,
                               int (*fn)(void *ctx, time_t at, const char *reply),
                               void *ctx);

/* ---- referrals -------------------------------------------------------------------- */

typedef struct {
    long long id;
    char domain[32];
    char service_id[64];
    referral_status status;
    char assigned_to[STAFF_USERNAME_MAX + 1]; /* "" when nobody */
    char next_follow_up[REFERRAL_DATE_LEN];   /* "" when none */
    char updated_at[REFERRAL_TIME_LEN];
    char updated_by[STAFF_USERNAME_MAX + 1]; /* a username, or "sms" */
} referral_row;

typedef struct {
    long long referral_id;
    char at[REFERRAL_TIME_LEN];
    int from_sms;                          /* 1: the patient's text */
    char username[STAFF_USERNAME_MAX + 1]; /* "" for the patient's text */
    char status[16];                       /* "" when the status did not change */
    char note[REFERRAL_NOTE_MAX + 1];
} referral_event;

#define REFERRAL_EVENTS_MAX 500 /* per submission, the newest kept when more */

typedef struct {
    referral_row *rows;
    size_t nrows;
    referral_event *events; /* oldest first */
    size_t nevents;
} referral_set;

/* Every referral row of a screening and their events. */
sg_rc store_referrals_load(sg_store *st, const char *screening_id, referral_set *out);
void referral_set_free(referral_set *s);

/*
 * One staff change to one referral, with its event and audit row, in one
 * transaction.  The row is created (as suggested) when it has none.
 */
typedef struct {
    const char *screening_id, *domain, *service_id;
    int status;                 /* a referral_status, or -1: leave it */
    int set_assigned;           /* 1: assigned_to below replaces the current one */
    const char *assigned_to;    /* an enabled account's name, or NULL: nobody */
    int set_follow_up;          /* 1: next_follow_up below replaces the current one */
    const char *next_follow_up; /* "YYYY-MM-DD", or NULL: none */
    const char *note;           /* NULL or "": no note */
    const char *username;       /* who made it */
    const audit_entry *audit;   /* written with it; may be NULL */
} referral_change;

/* SG_ENOTFOUND: no such screening.  SG_EINVAL with *field set: the
 * (domain, service_id) is not one of the screening's resources
 * ("service_id"), or assigned_to names no enabled account ("assigned_to"). */
sg_rc store_referral_update(sg_store *st, const referral_change *c, const char **field);

/*
 * A patient's reply to a check-in, applied to the screening's open
 * referrals (every resource it gave; rows created as needed), each with an
 * event from the patient's text at `at`:
 *   REPLY_CONNECTED: status connected
 *   REPLY_NOT_YET, REPLY_NEED_HELP: next_follow_up = today (YYYYMMDD)
 * Any other kind changes nothing.  Referrals already connected, declined or
 * unreachable are left as they are.
 */
sg_rc store_referral_sms_reply(sg_store *st, const char *screening_id, sms_reply reply,
                               time_t at, int today);

/* ---- follow-up lists -----------------------------------------------------------------
 */

typedef struct {
    char screening_id[SG_ID_LEN];
    char created_at[REFERRAL_TIME_LEN];
    char domain[32];
    char service_id[64];
    referral_status status;
    char assigned_to[STAFF_USERNAME_MAX + 1];
    char next_follow_up[REFERRAL_DATE_LEN];
} followup_item;

/* Open referrals whose next follow-up is today (overdue 0) or before
 * today (overdue 1), oldest date first, at most limit. */
sg_rc store_followup_due(sg_store *st, int today, int overdue, int limit,
                         int (*fn)(void *ctx, const followup_item *it), void *ctx);

#define NO_ANSWER_AFTER_S (2 * 86400)   /* a check-in unanswered this long */
#define NO_ANSWER_WINDOW_S (30 * 86400) /* ... and sent within this long */

/* Per screening, its latest check-in (a reminder sent or delivered)
 * between NO_ANSWER_WINDOW_S and NO_ANSWER_AFTER_S before now with no reply
 * from that screening since; newest first, at most limit. */
sg_rc store_followup_no_answer(sg_store *st, time_t now, int limit,
                               int (*fn)(void *ctx, const char *screening_id,
                                         const char *kind, time_t sent_at),
                               void *ctx);

/* ---- names from the directory
 * ----------------------------------------------------------- */

typedef struct {
    const char *service_id; /* in */
    int found;              /* out: 0 when the directory no longer has it */
    char name[160];
    char phone[40];
} service_label;

/* Looks the services up in state_dir's directory file (the one imports
 * install; read-only, opened for this call).  No directory: none found. */
sg_rc store_service_labels(const char *state_dir, service_label *items, size_t n);

#endif
