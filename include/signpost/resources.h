/*
 * The directory as staff keep it up to date: finding services, one
 * service's whole record, and changes to the clinic's curation of it.
 *
 *   - res_search() / res_get() read the imported directory file
 *     (directory.db, its FTS5 index over name, description and keywords)
 *     with the store's service_curation joined in.  Each call opens the
 *     file read-only and closes it again, so it always reads the file an
 *     import installed last, and never holds a lock the importer waits on.
 *   - curation_patch_parse() checks a request's changes (pure); the store
 *     applies them with store_curation_update(), which reads the record,
 *     merges, writes and appends the audit row in one write transaction:
 *     two people editing at once never lose each other's fields, and a
 *     change is never without its audit row.
 *
 * The kiosk's matcher reads service_curation on every match (its
 * connection has the store attached), so a change is offered, or hidden,
 * from the next screening on, without a restart.
 *
 * Staleness is the kiosk's (directory_is_stale): a service is stale when
 * neither the clinic (verified_on) nor the publisher (HSDS assured_date)
 * verified it within [directory] stale_days.
 *
 * Ownership: every struct is filled in place; nothing is allocated for
 * the caller.
 */
#ifndef SIGNPOST_RESOURCES_H
#define SIGNPOST_RESOURCES_H

#include <stddef.h>
#include "signpost/directory.h"
#include "signpost/result.h"
#include "signpost/schedule.h"
#include "signpost/screening.h"
#include "signpost/staff_store.h"
#include "signpost/store.h"

#define RES_LIMIT_DEFAULT 50
#define RES_LIMIT_MAX 200
#define RES_OFFSET_MAX 1000000
#define RES_TEXT_MAX 200 /* bytes of search text */
#define RES_WORDS_MAX 16 /* words of search text */
#define RES_FTS_MAX 512  /* the FTS5 query made from them */
#define RES_RULES_MAX 32 /* schedule rules read for one service */

/*
 * The words of a search box as an FTS5 query: each word quoted (so no
 * FTS5 syntax gets through) and a prefix ("pan" finds "pantry"), all of
 * them required.  Words are split at white space and double quotes; a
 * word with no letter or digit is dropped.  SG_ENOTFOUND when no word is
 * left (search everything), SG_ETOOBIG past RES_TEXT_MAX bytes or
 * RES_WORDS_MAX words.
 */
sg_rc res_fts_query(const char *text, char *out, size_t outlen);

/* The date ("YYYY-MM-DD", out[11]) before which a last verification is
 * stale: today (YYYYMMDD) less stale_days. */
void res_stale_before(int today, int stale_days, char out[11]);

/*
 * A service's regular hours as one line of English, rule by rule:
 * "Mon-Thu 9 am-8 pm; Fri, Sat 9 am-5 pm; Sun 1 pm-5 pm".  Closures and
 * special hours follow ("closed 2026-12-25").  "" when there are no
 * rules; cut with "..." when it does not fit.
 */
void res_hours_text(const schedule_rule *rules, size_t n, char *out, size_t outlen);

typedef struct {
    const char *text;   /* search words, or NULL for every service */
    const char *domain; /* only this screening domain's services, or NULL */
    int stale;          /* 1 only stale ones, 0 only fresh ones, -1 both */
    int hidden;         /* 1 only hidden ones, 0 only shown ones, -1 both */
    int limit, offset;
    char stale_before[11]; /* from res_stale_before() */
} res_query;

typedef struct {
    char service_id[64];
    char name[160], organization[160], phone[40], address[200], status[24];
    char domains[256]; /* the screening domains it serves, comma-separated */
    int curated;       /* the clinic has a curation record for it */
    int hidden, pinned, priority;
    char verified_on[11];  /* by the clinic, or "" */
    char assured_date[11]; /* by the publisher, or "" */
    int stale;
} res_item;

/*
 * Calls fn for each service the query finds, best match first (by name
 * without text; oldest verification first for stale=1 without text),
 * until it returns non-zero; *total gets how many match in all.  No
 * directory installed yet: nothing found, SG_OK.
 */
sg_rc res_search(const char *state_dir, const res_query *q,
                 int (*fn)(void *ctx, const res_item *it), void *ctx, long *total);

typedef struct {
    res_item item;
    char description[2000]; /* cut at a character boundary when longer */
    char url[200], email[160];
    char languages[64]; /* ISO 639-1 codes, comma-separated */
    char hours[400];    /* res_hours_text(), "" when unknown */
    char open_now[96];  /* "Open now until 5 pm" at the given time, or "" */
} res_record;

/* One service by id at local date (YYYYMMDD) and minute; SG_ENOTFOUND
 * when the directory has no such service (or there is no directory). */
sg_rc res_get(const char *state_dir, const char *service_id, const char *stale_before,
              int date, int minute, res_record *out);

/* ---- curation changes -------------------------------------------- */

enum {
    CUR_CONTACT_NAME = 1u << 0,
    CUR_CONTACT_PHONE = 1u << 1,
    CUR_ASK_FOR = 1u << 2,
    CUR_PRIORITY = 1u << 3,
    CUR_PINNED = 1u << 4,
    CUR_HIDDEN = 1u << 5,
    CUR_NOTES = 1u << 6,
    CUR_VERIFIED = 1u << 7
};

typedef struct {
    unsigned set; /* CUR_* bits: the fields to change */
    char contact_name[sizeof(((dir_curation *)0)->contact_name)];
    char contact_phone[sizeof(((dir_curation *)0)->contact_phone)];
    struct {
        char lang[8];
        char text[sizeof(((dir_curation *)0)->ask_for[0].text)]; /* "": remove */
    } ask_for[SG_ASK_FOR_LANGS];
    int nask_for;
    int priority, pinned, hidden;
    char notes[sizeof(((dir_curation *)0)->notes)];
    char verified_on[11], verified_by[64];
} curation_patch;

/*
 * Checks a request body (a json_t object, passed as void * to keep
 * jansson out of this header) of any of: contact_name, contact_phone,
 * ask_for {"en": "...", "es": "..."} (a "" or null text removes that
 * language), priority (-9..9), pinned, hidden, notes.  An unknown key,
 * or no key at all, is a 400; a wrong value a 422 naming its field
 * ("ask_for.es"); lengths are the dir_curation fields'.
 */
sg_rc curation_patch_parse(const void *json_body, curation_patch *out,
                           sg_field_error *err);

/* Applies p to c; a 422 on "ask_for" when the merge would leave more
 * than SG_ASK_FOR_LANGS languages (c is then unchanged). */
sg_rc curation_patch_apply(const curation_patch *p, dir_curation *c, sg_field_error *err);

/*
 * In one write transaction: reads the service's curation (or starts an
 * empty one), applies p, stores the whole record with updated_at now,
 * and appends why to the audit log.  out gets the record as stored.
 * SG_EINVAL with err set when p cannot apply (nothing written).
 */
sg_rc store_curation_update(sg_store *st, const char *service_id, const curation_patch *p,
                            const audit_entry *why, dir_curation *out,
                            sg_field_error *err);

#endif
