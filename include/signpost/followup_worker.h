/*
 * The outbox worker: one thread that sends due texts through the gateway,
 * in due order, and records every attempt (sms_store.h has the states).
 *
 * Before a reminder goes out it is checked again against quiet hours and
 * the day and week caps (the clock may have moved since it was planned);
 * if it may not go now it is deferred to the next allowed time.  Transient
 * failures back off with full jitter and honour Retry-After; an attempt
 * whose outcome is unknown is reconciled with the gateway, never resent
 * blindly.  With [sms.twilio] poll_s the same thread fetches replies, so
 * the gateway handle is only ever used by this thread.
 */
#ifndef SIGNPOST_FOLLOWUP_WORKER_H
#define SIGNPOST_FOLLOWUP_WORKER_H

#include "signpost/app.h"
#include "signpost/result.h"

typedef struct followup_worker followup_worker;

/* Opens the gateway, marks texts a crash left "sending" as unknown, and
 * starts the thread.  err names the bad setting when the gateway cannot
 * be opened. */
sg_rc followup_worker_start(sg_app *app, followup_worker **out, char *err, size_t errlen);
/* Stops after the text in hand (bounded by [sms] timeout_s); accepts NULL. */
void followup_worker_stop(followup_worker *w);
/* Wakes the worker: texts were queued.  ctx is the followup_worker. */
void followup_worker_kick(void *ctx);
/* For /healthz: "ok", "retrying", "off". */
const char *followup_worker_state(followup_worker *w);

#endif
