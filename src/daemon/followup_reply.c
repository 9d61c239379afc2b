/*
 * Replies and delivery reports (see followup.h).  A reply is classified by
 * the pure core, sealed, and handed to the store, which applies it in one
 * transaction; the answer text it asks for (HELP, the STOP confirmation)
 * is queued in that same transaction and sent by the outbox worker like
 * any other, so it is recorded, capped and retried the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/followup.h"
#include "signpost/log.h"

#define HELP_EVERY_S 3600 /* one HELP answer an hour: never loop with an auto-responder */
#define ANSWER_VALID_S (4 * 3600)
#define UNREACHABLE_RETRY_S 3600

/* The number as E.164 when it is one; otherwise as the gateway wrote it
 * (short codes), so it still hashes the same way every time. */
static void normalise_from(const char *from, char *out, size_t outlen)
{
    char e164[SMS_E164_LEN];
    if (sms_phone_parse(from, e164, NULL) == PHONE_OK)
        snprintf(out, outlen, "%s", e164);
    else
        snprintf(out, outlen, "%s", from);
}

static sms_text_kind answer_kind(sms_reply r, outbox_kind *kind)
{
    *kind = r == REPLY_STOP ? OUTK_STOP_CONFIRM : r == REPLY_START ? OUTK_START_CONFIRM : OUTK_HELP;
    return r == REPLY_STOP ? TEXT_STOP_CONFIRM : r == REPLY_START ? TEXT_START_CONFIRM : TEXT_HELP;
}

/* Fills o with the answer to r, or returns 0 when none is due.  The boxes
 * go to phone_box/body_box, which the caller frees. */
static int make_answer(sg_app *app, sms_reply r, const char *number, const char *hash,
                       const char *lang, outbox_new *o, unsigned char **phone_box,
                       unsigned char **body_box)
{
    sms_text_vars v = {app->cfg->clinic_name, app->cfg->clinic_phone, app->nreminders};
    char body[480];
    outbox_kind kind;
    sms_text_kind text = answer_kind(r, &kind);
    time_t now = time(NULL);
    long since;

    if (r != REPLY_STOP && r != REPLY_START && r != REPLY_HELP)
        return 0;
    if (r == REPLY_HELP) {
        if (store_sms_opted_out(app->store, hash) != 0)
            return 0; /* nothing goes to an opted-out number but the STOP confirmation */
        since = store_sms_since_last(app->store, hash, OUTK_HELP, now);
        if (since >= 0 && since < HELP_EVERY_S)
            return 0;
    }
    if (sms_render(text, lang, &v, body, sizeof body))
        return 0;
    memset(o, 0, sizeof *o);
    store_new_id(o->id);
    o->phone_hash = hash;
    o->phone_box_len = vault_box_len(strlen(number));
    o->body_box_len = vault_box_len(strlen(body));
    *phone_box = malloc(o->phone_box_len);
    *body_box = malloc(o->body_box_len);
    if (!*phone_box || !*body_box)
        return 0;
    vault_seal(app->vault, number, strlen(number), *phone_box);
    vault_seal(app->vault, body, strlen(body), *body_box);
    o->phone_box = *phone_box;
    o->body_box = *body_box;
    o->kind = kind;
    o->due_at = now;
    o->expires_at = now + ANSWER_VALID_S;
    return 1;
}

sg_rc followup_reply(sg_app *app, const gw_inbound *in, int *duplicate)
{
    char number[sizeof in->from], hash[SMS_HASH_LEN];
    unsigned char *phone_box = NULL, *body_box = NULL, *text_box = NULL;
    sms_contact_ref contact;
    outbox_new answer;
    sms_inbound_rec rec;
    int opted, has_answer, minute;
    sg_rc rc = SG_ENOMEM;

    *duplicate = 0;
    normalise_from(in->from, number, sizeof number);
    vault_hash(app->vault, number, hash);
    opted = store_sms_opted_out(app->store, hash);
    if (store_sms_contact(app->store, hash, &contact) != SG_OK)
        snprintf(contact.language, sizeof contact.language, "en");
    memset(&rec, 0, sizeof rec);
    rec.reply = sms_classify_reply(in->body, opted > 0);
    rec.gateway_id = in->message_id;
    rec.phone_hash = hash;
    rec.screening_id = contact.screening_id[0] ? contact.screening_id : NULL;
    rec.received_at = in->received ? in->received : time(NULL);
    app_local_time(rec.received_at, &rec.today, &minute);
    rec.body_box_len = vault_box_len(strlen(in->body));
    if (!(text_box = malloc(rec.body_box_len)))
        goto out;
    vault_seal(app->vault, in->body, strlen(in->body), text_box);
    rec.body_box = text_box;
    has_answer = make_answer(app, rec.reply, number, hash, contact.language, &answer,
                             &phone_box, &body_box);
    rc = store_sms_reply(app->store, &rec, has_answer ? &answer : NULL, duplicate);
    if (rc == SG_OK && !*duplicate) {
        /* The reply's kind only: never the number, the text or the visit. */
        sg_info("sms: reply recorded (%s)", sms_reply_name(rec.reply));
        if (has_answer && app->sms_kick)
            app->sms_kick(app->sms_ctx);
    }
out:
    free(phone_box);
    free(body_box);
    free(text_box);
    return rc;
}

sg_rc followup_status(sg_app *app, const gw_status *st)
{
    /* Unreachable for now (phone off, out of coverage): worth one more try
     * later, inside the text's validity (the store keeps that bound). */
    int later = !st->final ? 0 : st->error_code == 30003 || st->error_code == 30008;
    time_t retry_at = later ? time(NULL) + UNREACHABLE_RETRY_S : 0;
    sg_rc rc = store_sms_delivery(app->store, st->message_id, st->outbox_id[0] ? st->outbox_id : NULL,
                                  st->status, st->error_code, retry_at);
    if (rc == SG_OK)
        sg_debug("sms: delivery report: %s", st->status);
    return rc == SG_ENOTFOUND ? SG_OK : rc;
}
