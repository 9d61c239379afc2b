/*
 * The demo gateway ([sms] gateway = log): a kiosk shown at a conference or
 * run by a developer goes through the whole outbox without texting anyone.
 * Each text becomes one info line with the outbox id, the number masked to
 * its last two digits and the segment count: never the body, never the
 * whole number, because the log of a demo kiosk is read by many people.
 */
#include <assert.h>
#include <stdio.h>

#include "gw_internal.h"
#include "signpost/log.h"
#include "signpost/sms.h"

static sg_rc log_open(sms_gateway *gw, char *err, size_t errlen)
{
    (void)gw, (void)err, (void)errlen;
    return SG_OK;
}

static void log_send(sms_gateway *gw, const gw_message *m, gw_result *r)
{
    char masked[SMS_E164_LEN + 8];
    sms_length len = {0};
    const char *id = m->id ? m->id : "";

    (void)gw;
    sms_phone_mask(m->to, masked);
    if (sms_count(m->body, &len))
        len.segments = 0; /* invalid UTF-8: still logged, as 0 segments */
    sg_info("sms: text %s to %s sent by the log gateway (%d segment%s)", id, masked,
            len.segments, len.segments == 1 ? "" : "s");
    r->outcome = GW_SENT;
    snprintf(r->message_id, sizeof r->message_id, "log-%.60s", id);
    snprintf(r->status, sizeof r->status, "sent");
}

static sg_rc log_check(sms_gateway *gw, char *reason, size_t reasonlen)
{
    (void)gw;
    snprintf(reason, reasonlen, "the log gateway writes texts to the log; none are sent");
    return SG_OK;
}

const gw_ops gw_log_ops = {
    .name = "log",
    .open = log_open,
    .send = log_send,
    .check = log_check,
};
