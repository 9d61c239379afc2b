/*
 * Exports of the clinic's records for spreadsheets and EHRs: the
 * submissions CSV, the referrals CSV, the audit-log CSV (FHIR is in
 * fhir.h).  docs/exports.md documents every column.
 *
 * Split the usual way.  export_sub is one submission as the store holds it
 * (answers by LOINC and LA code, domains, the resources given merged with
 * the referrals staff have moved on, the follow-up counts); the builders
 * here turn it into CSV rows with no I/O at all, so they are unit tested
 * with fixed inputs.  export_each() (src/store/export_rows.c) is the thin
 * shell that reads them, one at a time, from a read transaction.
 *
 * CSV: RFC 4180 (CRLF, a field quoted when it holds a comma, a quote or a
 * line break, quotes doubled), UTF-8 with a byte-order mark so spreadsheet
 * programs read accents right.  A text field that a spreadsheet would take
 * for a formula (first character = + - @ TAB CR) gets a leading single
 * quote; numbers written by the builders never start that way.
 *
 * Ownership: the builders append to a caller-owned sg_buf and report
 * SG_ETOOBIG when its cap is reached; export_sub is plain data the caller
 * allocates (it is large: allocate it, do not put it on a thread's stack).
 */
#ifndef SIGNPOST_EXPORT_H
#define SIGNPOST_EXPORT_H

#include <stddef.h>
#include <time.h>

#include "signpost/buf.h"
#include "signpost/instrument.h"
#include "signpost/result.h"
#include "signpost/sms_vault.h"
#include "signpost/staff_store.h"
#include "signpost/store.h"

#define EXPORT_MAX_SUBMISSIONS 10000         /* per CSV export; more is a 422 */
#define EXPORT_MAX_AUDIT_ROWS 100000         /* per audit export */
#define EXPORT_MAX_BYTES (24u * 1024 * 1024) /* any one answer */
#define EXPORT_MAX_REFS 192 /* resources given plus referrals added by staff */
#define EXPORT_CODE_MAX 32
#define EXPORT_NOTE_MAX 1000 /* the last note of a referral, cut at a character */
#define EXPORT_PHONE_MAX 24

/* The referral statuses of migration 7, in the order of the CSV columns. */
typedef enum {
    REF_SUGGESTED = 0,
    REF_REFERRED,
    REF_CONTACTED,
    REF_CONNECTED,
    REF_DECLINED,
    REF_UNREACHABLE,
    REF_NSTATUS
} export_ref_status;

/* "suggested" ...; NULL past the end. */
const char *export_ref_status_name(export_ref_status s);
/* The status named s; -1 when unknown. */
int export_ref_status_parse(const char *s);

/* One item as stored: skipped, or the LA codes chosen (several for a
 * "choose all that apply" item). */
typedef struct {
    char code[EXPORT_CODE_MAX]; /* LOINC question code */
    int skipped;
    int nchosen;
    char chosen[SG_MAX_OPTIONS][EXPORT_CODE_MAX];
} export_item;

typedef struct {
    char name[EXPORT_CODE_MAX];
    int positive;   /* 0 or 1 */
    int score;      /* points of a points rule; -1 when none or incomplete */
    int wants_help; /* 1, 0, or -1 when the patient was not asked */
} export_domain;

/* A resource the kiosk gave, or a referral staff added, with where it stands. */
typedef struct {
    long long id; /* referrals.id; 0 while staff have not moved it on */
    char domain[EXPORT_CODE_MAX];
    char service_id[64];
    char service_name[160];
    int rank; /* 1-based place within its domain as shown; 0: added by staff */
    export_ref_status status;
    char assigned_to[STAFF_USERNAME_MAX + 1]; /* "" when nobody */
    char next_follow_up[11];                  /* YYYY-MM-DD or "" */
    char updated_at[24];                      /* UTC ISO 8601 */
    char updated_by[STAFF_USERNAME_MAX + 1];  /* a username, "sms" or "kiosk" */
    char last_note[EXPORT_NOTE_MAX + 1];
} export_referral;

typedef struct {
    char id[SG_ID_LEN];
    char created_at[24]; /* UTC ISO 8601 */
    char local_date[11]; /* YYYY-MM-DD in the clinic's time zone */
    char kiosk_id[128];
    char language[16];
    char instrument_id[64];
    char instrument_version[32];
    char scoring_rule[96];
    int safety_score; /* -1 when incomplete */
    int safety_complete;
    int wants_help; /* 1, 0, or -1 when not asked */
    export_item items[SG_MAX_ITEMS];
    int nitems;
    export_domain domains[SG_MAX_DOMAINS];
    int ndomains;
    export_referral refs[EXPORT_MAX_REFS];
    int nrefs;
    int nresources;      /* how many of refs the kiosk gave (rank > 0) */
    int receipt_printed; /* a print job for it finished */
    int sms_consent;
    int texts_sent;               /* outbox rows sent or delivered */
    int replies;                  /* inbound texts matched to it */
    char phone[EXPORT_PHONE_MAX]; /* E.164, only when asked for and present */
} export_sub;

/* ---- CSV builders (pure) ----------------------------------------- */

/* Appends one field (guarded and quoted as needed), no separator. */
sg_rc export_csv_field(sg_buf *b, const char *s);

/*
 * The submissions CSV, one row per submission.  Columns: the fixed ones,
 * one per domain of inst (positive 0/1), the follow-up columns, "phone"
 * when phones is set, then one per item of inst named by its LOINC code
 * holding the LA code chosen ("code;code" for several, empty when skipped).
 * The header starts with the UTF-8 byte-order mark.
 */
sg_rc export_csv_submissions_header(const sg_instrument *inst, int phones, sg_buf *b);
sg_rc export_csv_submission(const sg_instrument *inst, const export_sub *s, int phones,
                            sg_buf *b);

/* The referrals CSV: one row per resource given or referral added. */
sg_rc export_csv_referrals_header(sg_buf *b);
sg_rc export_csv_referrals(const export_sub *s, sg_buf *b);

/* The audit log CSV. */
sg_rc export_csv_audit_header(sg_buf *b);
sg_rc export_csv_audit_row(const audit_row *r, sg_buf *b);

/* ---- date ranges --------------------------------------------------- */

/* A local date range as UTC instants: created_at >= lo and < hi. */
typedef struct {
    char from[11], to[11]; /* as asked, YYYY-MM-DD, inclusive */
    char lo[24], hi[24];   /* UTC ISO 8601 */
} export_range;

/* 0 when s is a real calendar date written YYYY-MM-DD (years 1970-9999). */
int export_parse_date(const char *s, int *y, int *m, int *d);

/*
 * Fills r from the two dates.  The bounds are local midnights in the
 * process's time zone (the daemon sets TZ to [clinic] timezone), so a day
 * is what the clinic calls a day, DST included.  SG_EINVAL with *field
 * naming "from" or "to" when one is missing, malformed, or from is after to.
 */
sg_rc export_range_make(const char *from, const char *to, export_range *r,
                        const char **field);

/*
 * The same, with the documented defaults for what the query left out: to
 * is today (clinic time, from now), from is EXPORT_DEFAULT_DAYS days
 * ending with to.
 */
#define EXPORT_DEFAULT_DAYS 30
sg_rc export_range_default(const char *from, const char *to, time_t now, export_range *r,
                           const char **field);

/* ---- reading (src/store/export_rows.c) ----------------------------- */

typedef struct {
    const sms_vault *vault; /* non-NULL: open the phone number of each consent */
    const char *state_dir;  /* where directory.db is, for service names; may be NULL */
} export_read_opts;

/* The submissions in r, or 0. */
sg_rc export_count(sg_store *st, const export_range *r, long *n);
/* The audit rows whose time falls in r. */
sg_rc export_audit_count(sg_store *st, const export_range *r, long *n);

/*
 * Calls fn for each submission in r, oldest first (or only the one called
 * id, when id is not NULL), from one read transaction, until fn returns
 * non-zero.  scratch is the caller's buffer, reused for each submission.
 * SG_ENOTFOUND when id names no submission; SG_EDB on a database error.
 */
sg_rc export_each(sg_store *st, const export_range *r, const char *id,
                  const export_read_opts *o, export_sub *scratch,
                  int (*fn)(void *ctx, const export_sub *s), void *ctx);

/* Calls fn for each audit row in r, oldest first, until it returns non-zero. */
sg_rc export_audit_each(sg_store *st, const export_range *r,
                        int (*fn)(void *ctx, const audit_row *row), void *ctx);

#endif
