/*
 * Kiosk routes for SMS follow-up: the consent text in the patient's
 * language, and the request that stores a consent and its texts.  The
 * POST needs the screening's bearer token like every kiosk route, checks
 * every field before anything is stored, and answers 201 only once the
 * consent and all its texts are on disk.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "signpost/followup.h"

#define CONSENT_MAX 700

static MHD_RESULT sms_off(http_ctx *h)
{
    return http_error(h, MHD_HTTP_NOT_FOUND, "sms_off", "this kiosk does not send texts", NULL);
}

/* The language asked for, when the kiosk offers it; else NULL. */
static const char *offered(http_ctx *h, const char *lang)
{
    if (!lang || strlen(lang) != 2 || !config_list_has(h->app->cfg->kiosk_languages, lang))
        return NULL;
    return lang;
}

/* GET /api/v1/sms/consent?lang=xx */
MHD_RESULT kiosk_sms_consent(http_ctx *h)
{
    const char *lang = offered(h, MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND,
                                                              "lang"));
    char text[CONSENT_MAX], *s;
    json_t *o;
    MHD_RESULT ret;

    if (!h->app->sms_on)
        return sms_off(h);
    if (!lang)
        return http_error(h, 400, "invalid_language", "this kiosk does not offer that language",
                          "lang");
    if (sms_consent_text(lang, h->app->cfg->clinic_name, h->app->reminder_s,
                         h->app->nreminders, text, sizeof text))
        return http_error(h, 500, "internal", "the consent text could not be built", NULL);
    o = json_pack("{s:s, s:s, s:s}", "version", SMS_CONSENT_VERSION, "language", lang, "text",
                  text);
    s = o ? json_dumps(o, SG_JSON_DUMP) : NULL;
    ret = s ? http_json(h, MHD_HTTP_OK, s) : MHD_NO;
    json_decref(o);
    free(s);
    return ret;
}

typedef struct {
    char e164[SMS_E164_LEN];
    const char *language;
    int reminders, list;
} sms_form;

static const char *const known_fields[] = {"phone", "consent", "consent_version", "language",
                                           "reminders", "send_list", NULL};

static const char *unknown_field(json_t *body)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        int ok = 0;
        for (int i = 0; known_fields[i] && !ok; i++)
            ok = strcmp(key, known_fields[i]) == 0;
        if (!ok)
            return key;
    }
    return NULL;
}

/* Checks the body; on a problem *ret holds the answer and 0 is returned. */
static int check_form(http_ctx *h, json_t *body, sms_form *f, MHD_RESULT *ret)
{
    json_t *rem = json_object_get(body, "reminders"), *list = json_object_get(body, "send_list");
    const char *why = NULL, *bad;
    char msg[160];

    if ((bad = unknown_field(body)))
        return *ret = http_error(h, 422, "unknown_field", "unexpected field", bad), 0;
    if (!json_is_string(json_object_get(body, "phone")) ||
        sms_phone_parse(json_string_value(json_object_get(body, "phone")), f->e164, &why) !=
            PHONE_OK) {
        snprintf(msg, sizeof msg, "not a US mobile number%s%s", why ? ": " : "", why ? why : "");
        return *ret = http_error(h, 422, "invalid_phone", msg, "phone"), 0;
    }
    if (json_object_get(body, "consent") != json_true())
        return *ret = http_error(h, 422, "consent_required",
                                 "the patient must agree to get texts", "consent"), 0;
    if (!json_is_string(json_object_get(body, "consent_version")) ||
        strcmp(json_string_value(json_object_get(body, "consent_version")), SMS_CONSENT_VERSION))
        return *ret = http_error(h, 409, "consent_changed",
                                 "the consent text has changed: show it again",
                                 "consent_version"), 0;
    f->language = offered(h, json_string_value(json_object_get(body, "language")));
    if (!f->language)
        return *ret = http_error(h, 422, "invalid_language",
                                 "this kiosk does not offer that language", "language"), 0;
    if ((rem && !json_is_boolean(rem)) || (list && !json_is_boolean(list)))
        return *ret = http_error(h, 422, "invalid_type", "expected true or false",
                                 rem && !json_is_boolean(rem) ? "reminders" : "send_list"), 0;
    f->reminders = !rem || json_is_true(rem);
    f->list = json_is_true(list);
    if (f->list && !h->app->cfg->sms_send_list)
        return *ret = http_error(h, 422, "list_off", "this kiosk does not text lists",
                                 "send_list"), 0;
    if (!f->reminders && !f->list)
        return *ret = http_error(h, 422, "nothing_to_send",
                                 "choose reminders, the list, or both", "reminders"), 0;
    return 1;
}

static MHD_RESULT created(http_ctx *h, const followup_planned *p, int n)
{
    json_t *o = json_pack("{s:[], s:n}", "scheduled", "list");
    char at[32], *s;
    MHD_RESULT ret;

    for (int i = 0; o && i < n; i++) {
        struct tm tm;
        gmtime_r(&p[i].send_at, &tm);
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (p[i].kind == OUTK_LIST)
            json_object_set_new(o, "list", json_pack("{s:s, s:s}", "id", p[i].id, "status",
                                                     "queued"));
        else
            json_array_append_new(json_object_get(o, "scheduled"),
                                  json_pack("{s:s, s:s, s:s}", "id", p[i].id, "kind",
                                            "reminder", "send_at", at));
    }
    s = o ? json_dumps(o, SG_JSON_DUMP) : NULL;
    ret = s ? http_json(h, MHD_HTTP_CREATED, s) : MHD_NO;
    json_decref(o);
    free(s);
    return ret;
}

static MHD_RESULT subscribe_error(http_ctx *h, sg_rc rc, const char *why)
{
    switch (rc) {
    case SG_EAUTH:
        return http_error(h, 409, "opted_out",
                          "this number asked for no more texts; text START to the clinic to "
                          "get texts again", "phone");
    case SG_EBUSY:
        return http_error(h, 409, "sms_exists", "texts are already set up for this visit", NULL);
    case SG_ENOTFOUND:
        return kiosk_unauthorised(h);
    case SG_EINVAL:
        return http_error(h, 422, "nothing_to_send", why, NULL);
    default:
        return http_error(h, 503, "store_unavailable", "the texts could not be saved", NULL);
    }
}

/* POST /api/v1/screenings/{id}/sms (the caller checked the token) */
MHD_RESULT kiosk_sms(http_ctx *h, const char *screening_id)
{
    followup_planned planned[SG_MAX_REMINDERS + 1];
    MHD_RESULT ret = MHD_NO;
    json_t *body;
    sms_form f;
    char why[200] = "";
    int n = 0;
    sg_rc rc;

    if (!h->app->sms_on)
        return sms_off(h);
    if (!(body = http_json_body(h, &ret)))
        return ret;
    if (!json_is_object(body))
        ret = http_error(h, 400, "invalid_body", "the body must be a JSON object", NULL);
    else if (check_form(h, body, &f, &ret)) {
        followup_request rq = {screening_id, f.e164, f.language, f.reminders, f.list};
        rc = followup_subscribe(h->app, &rq, planned, SG_MAX_REMINDERS + 1, &n, why, sizeof why);
        ret = rc ? subscribe_error(h, rc, why) : created(h, planned, n);
    }
    json_decref(body);
    return ret;
}
