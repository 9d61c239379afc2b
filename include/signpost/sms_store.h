/*
 * The SMS part of the store: consents, the durable outbox, attempts,
 * opt-outs and replies (schema: migration 4 in src/store/migrations.c).
 *
 * The outbox is the source of truth for every text.  A row is written
 * (synchronous=FULL) before the API answers and before any network call;
 * its state moves forward only, one committed transaction per move:
 *
 *   scheduled -> sending -> sent -> delivered
 *                        -> failed | unknown      (and scheduled again only
 *   scheduled -> expired | cancelled               when certainly not sent)
 *
 * A row found "sending" after a crash becomes "unknown": it may have gone
 * out, so it is reconciled with the gateway, never resent blindly.  Numbers
 * and texts arrive here already sealed (sms_vault.h); the store never sees
 * a phone number in clear.  All functions are thread-safe.
 */
#ifndef SIGNPOST_SMS_STORE_H
#define SIGNPOST_SMS_STORE_H

#include <stddef.h>
#include <time.h>
#include "signpost/result.h"
#include "signpost/sms.h"
#include "signpost/store.h"

#define SMS_HASH_LEN 65 /* 64 hex digits and a NUL */

typedef enum {
    OUT_SCHEDULED, OUT_SENDING, OUT_SENT, OUT_DELIVERED,
    OUT_FAILED, OUT_UNKNOWN, OUT_EXPIRED, OUT_CANCELLED
} outbox_state;

typedef enum {
    OUTK_REMINDER, OUTK_LIST, OUTK_HELP, OUTK_STOP_CONFIRM, OUTK_START_CONFIRM
} outbox_kind;

const char *outbox_state_name(outbox_state s);
const char *outbox_kind_name(outbox_kind k);

/* A text to queue.  Boxes are sealed by the caller. */
typedef struct {
    char id[SG_ID_LEN];
    const char *screening_id; /* NULL for a reply to an unknown number */
    const char *phone_hash;
    const unsigned char *phone_box;
    size_t phone_box_len;
    const unsigned char *body_box;
    size_t body_box_len;
    outbox_kind kind;
    time_t due_at, expires_at;
} outbox_new;

/* A row as read back.  Boxes are loaded only by claim and the reconcile
 * listing; the caller frees them with outbox_row_clear(). */
typedef struct {
    char id[SG_ID_LEN];
    char screening_id[SG_ID_LEN]; /* "" when none */
    char phone_hash[SMS_HASH_LEN];
    outbox_kind kind;
    outbox_state state;
    time_t due_at, expires_at, sent_at, created_at, updated_at;
    int attempts;
    char gateway_id[72];
    char error[200];
    unsigned char *phone_box, *body_box;
    size_t phone_box_len, body_box_len;
} outbox_row;

void outbox_row_clear(outbox_row *r);

typedef struct {
    const char *screening_id;
    const char *phone_hash;
    const unsigned char *phone_box;
    size_t phone_box_len;
    const char *language;
    const char *consent_version;
    time_t consented_at;
    int reminders, list;
} sms_contact_new;

/*
 * Records a consent and queues its texts in one transaction.  SG_ENOTFOUND:
 * no such screening; SG_EBUSY: this screening already has a consent;
 * SG_EAUTH: the number is opted out (nothing stored in either case).
 */
sg_rc store_sms_subscribe(sg_store *st, const sms_contact_new *c, const outbox_new *rows,
                          int n);

/* Queues one text on its own (replies to HELP, STOP, START). */
sg_rc store_sms_queue(sg_store *st, const outbox_new *row);

/* 1 when the number is opted out, 0 when not, -1 on a database error. */
int store_sms_opted_out(sg_store *st, const char *phone_hash);

/* The times of the reminders to phone_hash (any state that means sent or
 * still to be sent) with due_at in [from, to), at most max; *n gets how
 * many.  What the caps count. */
sg_rc store_sms_taken(sg_store *st, const char *phone_hash, time_t from, time_t to,
                      time_t *out, int max, int *n);

/*
 * Claims the earliest scheduled text due at now: state "sending",
 * attempts + 1 and an attempt row, committed before this returns.  Texts
 * to opted-out numbers are never claimed (the one STOP confirmation
 * excepted).  SG_ENOTFOUND when nothing is due.
 */
sg_rc store_sms_claim(sg_store *st, time_t now, outbox_row *row);

/* The earliest due_at of any scheduled text; SG_ENOTFOUND when none. */
sg_rc store_sms_next_due(sg_store *st, time_t *due);

/*
 * Ends the attempt of a claimed ("sending") or "unknown" text.
 *   to OUT_SCHEDULED: it certainly did not go out; due_at is the next try
 *   to OUT_SENT: gateway_id is the gateway's message id ("" when none)
 *   to OUT_FAILED / OUT_UNKNOWN: error says why, for staff
 * outcome is the attempt's word ("sent", "retry", "deferred", "failed",
 * "opted_out", "unknown", "reconciled"); http_status and error_code as
 * the gateway answered (0 when none).
 */
typedef struct {
    outbox_state to;
    time_t due_at;
    const char *gateway_id;
    const char *outcome;
    int http_status, error_code;
    const char *error;
} outbox_end;
sg_rc store_sms_end(sg_store *st, const char *id, const outbox_end *e);

/* Rows left "sending" by a crash become "unknown"; *n gets how many. */
sg_rc store_sms_recover(sg_store *st, int *n);
/* Scheduled rows past expires_at become "expired"; *n gets how many. */
sg_rc store_sms_expire(sg_store *st, time_t now, int *n);
/* Calls fn for "unknown" rows still inside their validity, boxes loaded
 * (the row is cleared after fn returns), at most limit. */
sg_rc store_sms_unknown(sg_store *st, time_t now, int limit,
                        void (*fn)(void *ctx, outbox_row *row), void *ctx);

/* A number opted out at the gateway (Twilio 21610): record it, cancel its
 * scheduled texts. */
sg_rc store_sms_carrier_optout(sg_store *st, const char *phone_hash);

/*
 * A delivery report: the row whose gateway id (or, when outbox_id is set,
 * whose own id) matches moves to "delivered", "failed" (undelivered), or
 * stays "sent".  retry_at > 0 puts an undelivered text back in the queue
 * at that time (unreachable handsets, 30003/30008).  Reports for unknown
 * ids or for rows already final are ignored (SG_ENOTFOUND).
 */
sg_rc store_sms_delivery(sg_store *st, const char *gateway_id, const char *outbox_id,
                         const char *status, int error_code, time_t retry_at);

/* A staff decision: queue a failed, unknown or expired text again, due
 * now, with a fresh validity.  SG_ENOTFOUND when no such text is in one
 * of those states. */
sg_rc store_sms_resend(sg_store *st, const char *id, time_t now);

/* ---- Replies --------------------------------------------------------------- */

typedef struct {
    char screening_id[SG_ID_LEN]; /* "" when the number gave no consent here */
    char language[8];
} sms_contact_ref;

/* The newest consent of phone_hash.  SG_ENOTFOUND when there is none. */
sg_rc store_sms_contact(sg_store *st, const char *phone_hash, sms_contact_ref *out);

/* Seconds since the newest text of kind to phone_hash, or -1 when none. */
long store_sms_since_last(sg_store *st, const char *phone_hash, outbox_kind kind, time_t now);

typedef struct {
    const char *gateway_id;
    const char *phone_hash;
    const char *screening_id; /* may be NULL */
    time_t received_at;
    int today; /* the clinic's YYYYMMDD at received_at, for referral follow-ups */
    sms_reply reply;
    const unsigned char *body_box;
    size_t body_box_len;
} sms_inbound_rec;

/*
 * Stores a reply and does what it asks, in one transaction:
 *   STOP: opt the number out, cancel its scheduled texts, queue answer
 *         (the one confirmation) unless it was opted out already
 *   START: lift the opt-out, queue answer
 *   HELP: queue answer (the caller decides whether one is due)
 *   1/2/3: record the outcome on the screening; 1 cancels its reminders
 * answer may be NULL.  *duplicate is 1 when this gateway id was seen
 * before: then nothing at all changes.
 */
sg_rc store_sms_reply(sg_store *st, const sms_inbound_rec *in, const outbox_new *answer,
                      int *duplicate);

/* ---- Reading, for the command line and the console -------------------------- */

sg_rc store_sms_list(sg_store *st, const char *screening_id, int limit,
                     int (*fn)(void *ctx, const outbox_row *row), void *ctx);

typedef struct {
    char gateway_id[72];
    char screening_id[SG_ID_LEN];
    char phone_hash[SMS_HASH_LEN];
    time_t received_at;
    sms_reply reply;
} sms_reply_row;
sg_rc store_sms_replies(sg_store *st, int limit,
                        int (*fn)(void *ctx, const sms_reply_row *r), void *ctx);
sg_rc store_sms_optouts(sg_store *st, int limit,
                        int (*fn)(void *ctx, const char *phone_hash, time_t at,
                                  const char *via),
                        void *ctx);
/* Phone boxes of the given hash (newest first), to show a number to staff. */
sg_rc store_sms_phone_box(sg_store *st, const char *phone_hash, unsigned char **box,
                          size_t *len);
/* How many sealed phone numbers and texts the store holds (the vault
 * refuses to make a new key while any exist). */
sg_rc store_sms_sealed_count(sg_store *st, long *n);

#endif
