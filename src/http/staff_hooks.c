/*
 * Gateway webhooks on the staff listener: replies and delivery reports
 * from Twilio (form POSTs signed with X-Twilio-Signature) and from Kannel
 * (GETs from smsbox carrying a shared key).  Nothing is trusted before its
 * proof is checked in constant time; a redelivered message is recognised
 * by its id and changes nothing.  Answers are empty, so no gateway sends a
 * reply of its own: the outbox sends ours.
 */
#include <sodium.h>
#include <string.h>

#include "http_internal.h"
#include "signpost/followup.h"
#include "signpost/log.h"
#include "signpost/url.h"

#define EMPTY_TWIML "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"
#define MAX_QUERY 32

static MHD_RESULT forbidden(http_ctx *h, const char *why)
{
    sg_warn("sms webhook refused: %s", why);
    return http_error(h, MHD_HTTP_FORBIDDEN, "forbidden", why, NULL);
}

static void to_params(const form_data *f, gw_param *p)
{
    for (size_t i = 0; i < f->n; i++)
        p[i] = (gw_param){f->p[i].name, f->p[i].value};
}

/* Checks the Twilio signature of a form POST to path; 1 when it holds. */
static int twilio_signed(http_ctx *h, const char *path, const form_data *f)
{
    const char *sig = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "X-Twilio-Signature");
    char url[SG_CFG_LONG + 64];
    gw_param p[FORM_MAX_PARAMS];

    /* Twilio signs the URL it called: only public_url says what that was. */
    if (!sig || !h->app->cfg->sms_public_url[0])
        return 0;
    snprintf(url, sizeof url, "%s%s", h->app->cfg->sms_public_url, path);
    to_params(f, p);
    return gw_twilio_signature_ok(h->app->hook_secret, url, p, f->n, sig);
}

static MHD_RESULT twilio_hook(http_ctx *h, int inbound)
{
    gw_param p[FORM_MAX_PARAMS];
    gw_inbound in;
    gw_status st;
    form_data f;
    char why[160] = "";
    int dup = 0;
    sg_rc rc;
    MHD_RESULT ret;

    if (form_parse(h->req->body.data ? h->req->body.data : "", h->req->body.len, &f))
        return http_error(h, 400, "invalid_body", "expected a form body", NULL);
    if (!twilio_signed(h, h->url, &f)) {
        form_free(&f);
        return forbidden(h, "missing or wrong X-Twilio-Signature");
    }
    to_params(&f, p);
    rc = inbound ? gw_twilio_parse_inbound(p, f.n, &in, why, sizeof why)
                 : gw_twilio_parse_status(p, f.n, &st, why, sizeof why);
    if (!rc)
        rc = inbound ? followup_reply(h->app, &in, &dup) : followup_status(h->app, &st);
    form_free(&f);
    if (rc == SG_EINVAL)
        ret = http_error(h, 400, "invalid_body", why, NULL);
    else if (rc)
        ret = http_error(h, 503, "store_unavailable", "try again", NULL); /* Twilio retries */
    else
        ret = http_text(h, MHD_HTTP_OK, "text/xml", EMPTY_TWIML);
    sodium_memzero(&in, sizeof in);
    return ret;
}

typedef struct {
    gw_param p[MAX_QUERY];
    size_t n;
} query;

static MHD_RESULT collect(void *cls, enum MHD_ValueKind kind, const char *key,
                          const char *value)
{
    query *q = cls;
    (void)kind;
    if (q->n == MAX_QUERY)
        return MHD_NO;
    q->p[q->n++] = (gw_param){key, value ? value : ""};
    return MHD_YES;
}

/* Constant time whatever the lengths: compares keyed hashes of both. */
static int same_secret(const char *a, const char *b)
{
    unsigned char ha[32], hb[32];
    crypto_generichash(ha, sizeof ha, (const unsigned char *)a, strlen(a), NULL, 0);
    crypto_generichash(hb, sizeof hb, (const unsigned char *)b, strlen(b), NULL, 0);
    return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

static MHD_RESULT kannel_hook(http_ctx *h, int inbound)
{
    const char *key = MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, "key");
    query q = {.n = 0};
    gw_inbound in;
    gw_status st;
    char why[160] = "";
    int dup = 0;
    sg_rc rc;

    if (!key || !same_secret(key, h->app->hook_secret))
        return forbidden(h, "missing or wrong key");
    MHD_get_connection_values(h->conn, MHD_GET_ARGUMENT_KIND, collect, &q);
    rc = inbound ? gw_kannel_parse_inbound(q.p, q.n, &in, why, sizeof why)
                 : gw_kannel_parse_dlr(q.p, q.n, &st, why, sizeof why);
    if (!rc)
        rc = inbound ? followup_reply(h->app, &in, &dup) : followup_status(h->app, &st);
    sodium_memzero(&in, sizeof in);
    if (rc == SG_EINVAL)
        return http_error(h, 400, "invalid_request", why, NULL);
    if (rc)
        return http_error(h, 503, "store_unavailable", "try again", NULL);
    return http_text(h, MHD_HTTP_OK, "text/plain; charset=utf-8", "");
}

/* /hooks/{twilio|kannel}/{inbound|status|dlr} */
MHD_RESULT staff_hooks(http_ctx *h)
{
    const char *gw = h->app->sms_on ? h->app->cfg->sms_gateway : "";
    MHD_RESULT ret;

    if (!strcmp(gw, "twilio") && !strcmp(h->url, "/hooks/twilio/inbound"))
        return http_method_is(h, "POST", &ret) ? twilio_hook(h, 1) : ret;
    if (!strcmp(gw, "twilio") && !strcmp(h->url, "/hooks/twilio/status"))
        return http_method_is(h, "POST", &ret) ? twilio_hook(h, 0) : ret;
    if (!strcmp(gw, "kannel") && !strcmp(h->url, "/hooks/kannel/inbound"))
        return http_method_is(h, "GET", &ret) ? kannel_hook(h, 1) : ret;
    if (!strcmp(gw, "kannel") && !strcmp(h->url, "/hooks/kannel/dlr"))
        return http_method_is(h, "GET", &ret) ? kannel_hook(h, 0) : ret;
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such webhook", NULL);
}
