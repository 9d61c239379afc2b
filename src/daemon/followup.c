/*
 * Consents into queued texts (see followup.h).  Numbers and bodies are
 * sealed here, before anything reaches the store, and every text of one
 * consent is stored in one transaction, so the API's 201 means all of them
 * are on disk, and an error means none is.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/followup.h"
#include "signpost/log.h"

#define MAX_TAKEN 64
#define SMS_BODY_MAX 1024

/* A sealed copy of one text, owned by the caller (free box). */
typedef struct {
    unsigned char *box;
    size_t len;
} sealed;

static sg_rc seal(const sg_app *app, const char *plain, sealed *out)
{
    size_t n = strlen(plain);
    out->len = vault_box_len(n);
    out->box = malloc(out->len);
    if (!out->box)
        return SG_ENOMEM;
    vault_seal(app->vault, plain, n, out->box);
    return SG_OK;
}

/* The resources the patient was shown, as list items (strings owned by *doc). */
static int list_items(sg_app *app, const char *screening_id, json_t **doc,
                      sms_list_item *items, int max)
{
    char *text = NULL;
    json_t *res;
    size_t i;
    int n = 0;

    *doc = NULL;
    if (store_load_result(app->store, screening_id, &text))
        return 0;
    *doc = json_loads(text, 0, NULL);
    free(text);
    res = json_object_get(*doc, "resources");
    for (i = 0; i < json_array_size(res) && n < max; i++) {
        json_t *r = json_array_get(res, i);
        items[n].name = json_string_value(json_object_get(r, "name"));
        items[n].phone = json_string_value(json_object_get(r, "phone"));
        if (items[n].name)
            n++;
    }
    return n;
}

static sg_rc list_text(sg_app *app, const followup_request *rq, sealed *out, char *err,
                       size_t errlen)
{
    sms_list_item items[32];
    char body[SMS_BODY_MAX];
    json_t *doc = NULL;
    int n = list_items(app, rq->screening_id, &doc, items, 32), shown = 0;
    sg_rc rc = sms_list_text(rq->language, app->cfg->clinic_name, items, n, body, sizeof body,
                             &shown);

    json_decref(doc);
    if (rc) {
        snprintf(err, errlen, "there are no resources to text for this visit");
        return SG_EINVAL;
    }
    return seal(app, body, out);
}

/* Plans the reminders: slots that keep the caps with what the number has. */
static int plan(sg_app *app, const char *hash, time_t now, time_t *slots)
{
    time_t taken[MAX_TAKEN];
    int ntaken = 0;

    if (store_sms_taken(app->store, hash, now - 8 * 86400, now + 400 * 86400, taken,
                        MAX_TAKEN, &ntaken))
        return -1;
    return sms_plan(&app->policy, now, app->reminder_s, app->nreminders, taken, ntaken, slots);
}

typedef struct {
    outbox_new rows[SG_MAX_REMINDERS + 1];
    sealed boxes[SG_MAX_REMINDERS + 1];
    int n;
} batch;

static void batch_free(batch *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->boxes[i].box);
}

static void batch_add(batch *b, const sg_app *app, const char *hash, const sealed *phone,
                      outbox_kind kind, time_t due)
{
    outbox_new *o = &b->rows[b->n];
    memset(o, 0, sizeof *o);
    store_new_id(o->id);
    o->phone_hash = hash;
    o->phone_box = phone->box;
    o->phone_box_len = phone->len;
    o->body_box = b->boxes[b->n].box;
    o->body_box_len = b->boxes[b->n].len;
    o->kind = kind;
    o->due_at = due;
    o->expires_at = due + (time_t)app->cfg->sms_validity_h * 3600;
    b->n++;
}

static sg_rc add_reminders(sg_app *app, const followup_request *rq, const char *hash,
                           const sealed *phone, time_t now, batch *b)
{
    time_t slots[SG_MAX_REMINDERS];
    char body[SMS_BODY_MAX];
    sms_text_vars v = {app->cfg->clinic_name, app->cfg->clinic_phone, app->nreminders};
    int got = plan(app, hash, now, slots);
    sg_rc rc;

    if (got <= 0)
        return got < 0 ? SG_EDB : SG_EINVAL;
    if ((rc = sms_render(TEXT_REMINDER, rq->language, &v, body, sizeof body)))
        return rc;
    for (int i = 0; i < app->nreminders; i++) {
        if (slots[i] == (time_t)-1)
            continue; /* no slot within 60 days: the caps are full */
        if ((rc = seal(app, body, &b->boxes[b->n])))
            return rc;
        batch_add(b, app, hash, phone, OUTK_REMINDER, slots[i]);
    }
    return SG_OK;
}

static void report(const batch *b, followup_planned *out, int max, int *n)
{
    *n = 0;
    for (int i = 0; i < b->n && *n < max; i++, (*n)++) {
        memcpy(out[i].id, b->rows[i].id, SG_ID_LEN);
        out[i].kind = b->rows[i].kind;
        out[i].send_at = b->rows[i].due_at;
    }
}

sg_rc followup_subscribe(sg_app *app, const followup_request *rq, followup_planned *out,
                         int max, int *n, char *err, size_t errlen)
{
    char hash[SMS_HASH_LEN];
    time_t now = time(NULL);
    sealed phone = {0};
    batch b = {0};
    sg_rc rc;

    *n = 0;
    if (errlen)
        err[0] = '\0';
    vault_hash(app->vault, rq->e164, hash);
    if ((rc = seal(app, rq->e164, &phone)))
        goto out;
    if (rq->list && (rc = list_text(app, rq, &b.boxes[0], err, errlen)) == SG_OK)
        batch_add(&b, app, hash, &phone, OUTK_LIST, now);
    if (rc || (rq->reminders && (rc = add_reminders(app, rq, hash, &phone, now, &b))))
        goto out;
    for (int i = 0; i < b.n; i++)
        b.rows[i].screening_id = rq->screening_id;
    rc = store_sms_subscribe(app->store,
                             &(sms_contact_new){rq->screening_id, hash, phone.box, phone.len,
                                                rq->language, SMS_CONSENT_VERSION, now,
                                                rq->reminders, rq->list},
                             b.rows, b.n);
    if (rc == SG_OK) {
        report(&b, out, max, n);
        sg_info("sms: consent stored, %d texts queued", b.n);
        if (app->sms_kick)
            app->sms_kick(app->sms_ctx);
    }
out:
    if (rc == SG_EINVAL && !err[0])
        snprintf(err, errlen, "no time to send a reminder within the caps");
    batch_free(&b);
    free(phone.box);
    return rc;
}
