/*
 * Kiosk API v1 (see docs/api.md): health, kiosk settings, the instrument,
 * and creating and reading back a screening.  The kiosk listener has no
 * login; what protects a stored result is the short-lived bearer token that
 * only the screen that created it ever saw.  Every handler validates first
 * and writes last, so a rejected request leaves the database untouched.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_internal.h"
#include "signpost/log.h"
#include "signpost/followup_worker.h"
#include "signpost/print_worker.h"

int http_method_is(http_ctx *h, const char *m, MHD_RESULT *ret)
{
    if (strcmp(h->method, m) == 0)
        return 1;
    *ret = http_method_not_allowed(h, m);
    return 0;
}

static MHD_RESULT healthz(http_ctx *h)
{
    int version = 0;
    sg_rc rc = store_user_version(h->app->store, &version);
    const char *paper = !h->app->printing ? "disabled"
                          : h->app->print_ctx ? print_worker_state(h->app->print_ctx)
                                              : "not started";
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "status", rc ? "degraded" : "ok",
                          "version", SIGNPOST_VERSION, "store", rc ? "unavailable" : "ok",
                          "printer", paper, "sms", !h->app->sms_on ? "disabled"
                          : h->app->sms_ctx ? followup_worker_state(h->app->sms_ctx)
                                            : "not started", "directory_services",
                          (json_int_t)directory_reader_count(h->app->dir));
    char *s = o ? json_dumps(o, SG_JSON_DUMP) : NULL;
    MHD_RESULT ret = s ? http_json(h, rc ? 503 : 200, s) : MHD_NO;

    json_decref(o);
    free(s);
    return ret;
}

static MHD_RESULT instrument(http_ctx *h)
{
    const char *lang = MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, "lang");
    char first[3];
    int l;

    if (!lang) {
        snprintf(first, sizeof first, "%.2s", h->app->cfg->kiosk_languages);
        lang = first;
    }
    l = instrument_lang(h->app->inst, lang);
    if (l < 0 || !config_list_has(h->app->cfg->kiosk_languages, lang))
        return http_error(h, 422, "unsupported_language",
                          "this kiosk does not offer that language", "lang");
    return http_json(h, MHD_HTTP_OK, h->app->inst->public_json[l]);
}

json_t *http_json_body(http_ctx *h, MHD_RESULT *ret)
{
    const char *type = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "Content-Type");
    json_error_t jerr;
    json_t *body;
    char msg[200];

    if (!type || strncasecmp(type, "application/json", 16) != 0 ||
        (type[16] && type[16] != ';' && type[16] != ' ')) {
        *ret = http_error(h, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                          "send the body as application/json", NULL);
        return NULL;
    }
    body = json_loadb(h->req->body.data ? h->req->body.data : "", h->req->body.len,
                      JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        snprintf(msg, sizeof msg, "the body is not valid JSON (line %d, column %d): %.100s",
                 jerr.line, jerr.column, jerr.text);
        *ret = http_error(h, MHD_HTTP_BAD_REQUEST, "invalid_json", msg, NULL);
    }
    return body;
}

static MHD_RESULT field_error(http_ctx *h, const sg_field_error *e)
{
    return http_error(h, (unsigned)e->status, e->code, e->message, e->field);
}

static size_t match(const sg_app *app, const sg_submission *sub, const sg_score *score,
                    sg_resource *out, size_t max)
{
    match_query q = {score->positive, app->inst->langs[sub->lang].code,
                     app->cfg->kiosk_latitude, app->cfg->kiosk_longitude,
                     app->cfg->radius_km, app->cfg->results_per_domain, 0, 0,
                     -1 /* the screening does not ask */, app->cfg->stale_days};
    app_local_time(time(NULL), &q.date, &q.minute);
    return directory_match(app->dir, app->inst, &q, out, max);
}

/* Stores the screening and answers 201 with its result and a fresh token. */
static MHD_RESULT save_and_answer(http_ctx *h, const sg_submission *sub,
                                  const sg_score *score)
{
    /* Room for the most the matcher can return for these needs, no more. */
    size_t max = (size_t)__builtin_popcount(score->positive) *
                 (size_t)h->app->cfg->results_per_domain;
    sg_resource *res = max ? malloc(max * sizeof *res) : NULL;
    char id[SG_ID_LEN], token[SG_TOKEN_LEN], *json = NULL, *answer = NULL;
    json_t *o = NULL;
    size_t n = 0;
    MHD_RESULT ret = MHD_NO;

    if (max && !res)
        return MHD_NO;
    if (max)
        n = match(h->app, sub, score, res, max);
    store_new_id(id);
    o = kiosk_result(h->app, id, sub, score, res, n);
    json = o ? json_dumps(o, SG_JSON_DUMP) : NULL;
    store_screening rec = {id, time(NULL), h->app->cfg->kiosk_id, h->app->inst, sub, score,
                           res, (int)n, json};
    if (!json || store_save_screening(h->app->store, &rec)) {
        ret = http_error(h, 503, "store_unavailable",
                         "the screening could not be saved; please try again", NULL);
        goto out;
    }
    /* Stored without the token: it is for this screen's eyes only. */
    token_issue(h->app->tokens, id, token);
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "expires_in", json_integer(h->app->cfg->token_ttl_s));
    answer = json_dumps(o, SG_JSON_DUMP);
    sg_info("screening %s stored: %zu resources", id, n);
    ret = answer ? http_json(h, MHD_HTTP_CREATED, answer) : MHD_NO;
out:
    json_decref(o);
    free(answer);
    free(json);
    free(res);
    return ret;
}

static MHD_RESULT create_screening(http_ctx *h)
{
    MHD_RESULT ret = MHD_NO;
    json_t *body = http_json_body(h, &ret);
    sg_submission sub;
    sg_field_error ferr;
    sg_score score;

    if (!body)
        return ret;
    if (screening_parse(h->app->inst, body, h->app->cfg->kiosk_languages, &sub, &ferr)) {
        ret = field_error(h, &ferr);
        goto out;
    }
    screening_score(h->app->inst, &sub.answers, h->app->cfg->safety_threshold, &score);
    if (json_object_get(body, "wants_help") &&
        screening_parse_help(h->app->inst, json_object_get(body, "wants_help"),
                             json_object_get(body, "help_domains"), &score, &sub, &ferr)) {
        /* Inside the POST body the list is called help_domains. */
        if (!strncmp(ferr.field, "domains", 7)) {
            char field[sizeof ferr.field];
            snprintf(field, sizeof field, "help_%.50s", ferr.field);
            snprintf(ferr.field, sizeof ferr.field, "%s", field);
        }
        ret = field_error(h, &ferr);
        goto out;
    }
    if (!json_object_get(body, "wants_help") && json_object_get(body, "help_domains")) {
        ret = http_error(h, 422, "missing_field", "help_domains needs wants_help", "wants_help");
        goto out;
    }
    ret = save_and_answer(h, &sub, &score);
out:
    json_decref(body);
    return ret;
}

/* Checks "Authorization: Bearer <token>" against screening id. */
int kiosk_authorised(http_ctx *h, const char *id)
{
    const char *auth = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0)
        return 0;
    return token_check(h->app->tokens, id, auth + 7) == SG_OK;
}

MHD_RESULT kiosk_unauthorised(http_ctx *h)
{
    return http_error(h, MHD_HTTP_UNAUTHORIZED, "invalid_token",
                      "a valid bearer token for this screening is required", NULL);
}

static MHD_RESULT get_screening(http_ctx *h, const char *id)
{
    char *json = NULL;
    MHD_RESULT ret;
    sg_rc rc = store_load_result(h->app->store, id, &json);

    if (rc == SG_ENOTFOUND)
        return kiosk_unauthorised(h); /* the token matched, so the row must have been purged */
    if (rc)
        return http_error(h, 503, "store_unavailable", "please try again", NULL);
    ret = http_json(h, MHD_HTTP_OK, json);
    free(json);
    return ret;
}

/* Rebuilds the score's positive mask from a stored result. */
static uint32_t stored_positive(const sg_instrument *inst, json_t *result)
{
    json_t *v;
    size_t i;
    uint32_t mask = 0;

    json_array_foreach(json_object_get(result, "positive_domains"), i, v) {
        int d = instrument_domain_index(inst, json_string_value(v) ? json_string_value(v) : "");
        if (d >= 0)
            mask |= 1u << d;
    }
    return mask;
}

/* The first key of body that /help does not take, or NULL. */
static const char *unknown_help_field(json_t *body)
{
    const char *key;
    json_t *v;

    json_object_foreach(body, key, v) {
        if (strcmp(key, "wants_help") && strcmp(key, "domains"))
            return key;
    }
    return NULL;
}

/* POST /api/v1/screenings/{id}/help: whether, and with what, they want help. */
static MHD_RESULT set_help(http_ctx *h, const char *id)
{
    MHD_RESULT ret = MHD_NO;
    json_t *body = http_json_body(h, &ret), *result = NULL;
    char *stored = NULL, *updated = NULL;
    sg_submission sub = {0};
    sg_field_error ferr;
    sg_score score = {0};
    const char *unknown;

    if (!body)
        return ret;
    if (!json_is_object(body)) {
        ret = http_error(h, 400, "invalid_body", "the body must be a JSON object", NULL);
        goto out;
    }
    if ((unknown = unknown_help_field(body))) {
        ret = http_error(h, 422, "unknown_field", "unexpected field", unknown);
        goto out;
    }
    if (store_load_result(h->app->store, id, &stored) || !(result = json_loads(stored, 0, NULL))) {
        ret = http_error(h, 503, "store_unavailable", "please try again", NULL);
        goto out;
    }
    sub.lang = instrument_lang(h->app->inst, json_string_value(json_object_get(result, "language")));
    score.positive = stored_positive(h->app->inst, result);
    if (screening_parse_help(h->app->inst, json_object_get(body, "wants_help"),
                             json_object_get(body, "domains"), &score, &sub, &ferr)) {
        ret = field_error(h, &ferr);
        goto out;
    }
    json_object_set_new(result, "wants_help", json_boolean(sub.wants_help));
    json_object_set_new(result, "help_domains", kiosk_domain_names(h->app->inst, sub.help));
    updated = json_dumps(result, SG_JSON_DUMP);
    if (!updated || store_save_help(h->app->store, id, h->app->inst, &sub, updated)) {
        ret = http_error(h, 503, "store_unavailable", "please try again", NULL);
        goto out;
    }
    ret = http_json(h, MHD_HTTP_OK, updated);
out:
    json_decref(body);
    json_decref(result);
    free(stored);
    free(updated);
    return ret;
}

int kiosk_valid_id(const char *s, size_t len)
{
    if (len != SG_ID_LEN - 1)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* /api/v1/screenings/{id}[/help|/token] */
static MHD_RESULT screening_routes(http_ctx *h, const char *rest)
{
    size_t idlen = strcspn(rest, "/");
    const char *sub = rest + idlen;
    char id[SG_ID_LEN];
    MHD_RESULT ret;

    if (!kiosk_valid_id(rest, idlen))
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such screening", NULL);
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    if (!kiosk_authorised(h, id))
        return kiosk_unauthorised(h);
    if (!*sub)
        return http_method_is(h, "GET", &ret) ? get_screening(h, id) : ret;
    if (!strcmp(sub, "/help"))
        return http_method_is(h, "POST", &ret) ? set_help(h, id) : ret;
    if (!strcmp(sub, "/receipt"))
        return http_method_is(h, "POST", &ret) ? kiosk_receipt(h, id) : ret;
    if (!strcmp(sub, "/sms"))
        return http_method_is(h, "POST", &ret) ? kiosk_sms(h, id) : ret;
    if (!strcmp(sub, "/token")) {
        if (!http_method_is(h, "DELETE", &ret))
            return ret;
        token_revoke(h->app->tokens, id);
        return http_no_content(h);
    }
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such resource", NULL);
}

static MHD_RESULT get_only(http_ctx *h, MHD_RESULT (*fn)(http_ctx *))
{
    MHD_RESULT ret;
    return http_method_is(h, "GET", &ret) ? fn(h) : ret;
}

static MHD_RESULT kiosk_settings(http_ctx *h)
{
    return http_json(h, MHD_HTTP_OK, h->app->kiosk_json);
}

MHD_RESULT http_kiosk_api(http_ctx *h)
{
    static const char prefix[] = "/api/v1/screenings/";
    MHD_RESULT ret;

    if (!strcmp(h->url, "/healthz"))
        return get_only(h, healthz);
    if (!strcmp(h->url, "/api/v1/kiosk"))
        return get_only(h, kiosk_settings);
    if (!strcmp(h->url, "/api/v1/instrument"))
        return get_only(h, instrument);
    if (!strcmp(h->url, "/api/v1/screenings"))
        return http_method_is(h, "POST", &ret) ? create_screening(h) : ret;
    if (!strncmp(h->url, prefix, sizeof prefix - 1))
        return screening_routes(h, h->url + sizeof prefix - 1);
    if (!strcmp(h->url, "/api/v1/sms/consent"))
        return get_only(h, kiosk_sms_consent);
    if (!strncmp(h->url, "/api/v1/print-jobs/", 19))
        return http_method_is(h, "GET", &ret) ? kiosk_print_job(h, h->url + 19) : ret;
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such API route", NULL);
}
