/*
 * SMS follow-up inside the running daemon: turning a patient's consent
 * into queued texts, replies into opt-outs and outcomes, and delivery
 * reports into message states.  The rules live in the pure core (sms.h),
 * the durable state in the store (sms_store.h); this layer seals numbers
 * and texts with the app's vault and ties the two together.  The outbox
 * worker that sends is in followup_worker.h.
 */
#ifndef SIGNPOST_FOLLOWUP_H
#define SIGNPOST_FOLLOWUP_H

#include <stddef.h>
#include <time.h>
#include "signpost/app.h"
#include "signpost/sms_gateway.h"
#include "signpost/sms_store.h"

typedef struct {
    const char *screening_id;
    const char *e164;     /* already checked by sms_phone_parse */
    const char *language; /* the patient's */
    int reminders;        /* 1: the check-ins of [sms] reminders */
    int list;             /* 1: text the resources now, once */
} followup_request;

typedef struct {
    char id[SG_ID_LEN];
    outbox_kind kind;
    time_t send_at;
} followup_planned;

/*
 * Stores the consent and queues its texts (max of them at most: 1 + the
 * configured reminders); out[0..*n) says what and when.  SG_EAUTH: the
 * number opted out; SG_EBUSY: this screening already has a consent;
 * SG_ENOTFOUND: no such screening; SG_EINVAL: nothing to send (err says
 * why: no time slot, or a list with no resources).
 */
sg_rc followup_subscribe(sg_app *app, const followup_request *rq, followup_planned *out,
                         int max, int *n, char *err, size_t errlen);

/* Handles one inbound text (webhook or polling); *duplicate is 1 when the
 * gateway had delivered it before (nothing changes then). */
sg_rc followup_reply(sg_app *app, const gw_inbound *in, int *duplicate);

/* Handles one delivery report. */
sg_rc followup_status(sg_app *app, const gw_status *st);

#endif
