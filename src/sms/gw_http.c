/*
 * The generic template gateway ([sms] gateway = http), the RapidPro
 * "external channel" model: for an SMS provider with no adapter of its
 * own, the clinic describes the request in [sms.http]:
 *
 *   url      the request URL; placeholders in it are percent-escaped.
 *   method   POST (default), GET or PUT.  A GET has no body: put the
 *            placeholders in the URL's query.
 *   body     the request body with placeholders, escaped for its type:
 *            form-urlencoded (the default, for a body like a=b&c=d) or
 *            JSON (when headers name Content-Type: application/json).
 *            In JSON, "{{text}}" between double quotes gets the escaped
 *            characters; a bare {{text}} becomes a whole JSON string.
 *   headers  "Name: value" entries, one per line (continuation lines in
 *            the INI file) or, in a one-line value, separated by '|'
 *            (so a one-line value cannot contain '|').
 *   success  "2xx": any 2xx answer is success; "2xx:TEXT": a 2xx answer
 *            whose body contains TEXT.
 *
 * Placeholders: {{to}} {{from}} ([sms] from) {{text}} {{id}} (our outbox
 * id); any other is refused when the gateway is opened, naming the key,
 * so a typo shows at start-up instead of in a patient's text.  429 and
 * 5xx answers are retried; any other answer fails the text.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_internal.h"

#define EXPAND_CAP (32u * 1024)

typedef struct {
    char hbuf[SG_CFG_LONG];
    char *hdr[GW_MAX_HEADERS]; /* into hbuf; room for our Content-Type and NULL */
    size_t nhdr;
    gw_tpl_kind body_kind;
    const char *content_type; /* added when headers name none, or NULL */
    const char *success_text; /* into the config copy; NULL: any 2xx */
} http_gw;

/* ---- Templates (pure) ------------------------------------------------------- */

/* The characters of s as they go between JSON double quotes. */
static sg_rc add_json_inner(sg_buf *b, const char *s)
{
    sg_rc rc = SG_OK;

    for (const char *run = s; !rc && *s; s = run) {
        while (*run && (unsigned char)*run >= 0x20 && *run != '"' && *run != '\\')
            run++;
        if (run > s && (rc = sg_buf_add(b, s, (size_t)(run - s))))
            break;
        if (*run == '"' || *run == '\\')
            rc = sg_buf_addf(b, "\\%c", *run++);
        else if (*run == '\n' || *run == '\r' || *run == '\t')
            rc = sg_buf_addf(b, "\\%c",
                             *run == '\n'   ? 'n'
                             : *run == '\r' ? 'r'
                                            : 't'),
            run++;
        else if (*run)
            rc = sg_buf_addf(b, "\\u%04x", (unsigned)(unsigned char)*run++);
    }
    return rc;
}

static sg_rc add_value(sg_buf *b, gw_tpl_kind kind, const char *v, int quoted)
{
    sg_rc rc;

    if (kind != GW_TPL_JSON)
        return gw_add_escaped(b, v);
    if (quoted)
        return add_json_inner(b, v);
    rc = sg_buf_add(b, "\"", 1);
    if (!rc)
        rc = add_json_inner(b, v);
    return rc ? rc : sg_buf_add(b, "\"", 1);
}

static const char *lookup(const gw_tpl_vars *v, const char *name, size_t len)
{
    static const gw_tpl_vars none = {"", "", "", ""};
    static const char *const names[] = {"to", "from", "text", "id"};

    if (!v)
        v = &none;
    const char *values[] = {v->to, v->from, v->text, v->id};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
            return values[i] ? values[i] : "";
    return NULL;
}

sg_rc gw_tpl_expand(const char *tpl, gw_tpl_kind kind, const gw_tpl_vars *vars,
                    sg_buf *out)
{
    const char *p = tpl, *open, *close, *v;
    sg_rc rc = SG_OK;

    assert(tpl && (out || !vars));
    while (!rc && (open = strstr(p, "{{"))) {
        if (out && (rc = sg_buf_add(out, p, (size_t)(open - p))))
            break;
        if (!(close = strstr(open + 2, "}}")) ||
            !(v = lookup(vars, open + 2, (size_t)(close - open - 2))))
            return SG_EINVAL;
        if (out)
            rc =
                add_value(out, kind, v, open > tpl && open[-1] == '"' && close[2] == '"');
        p = close + 2;
    }
    if (!rc && out)
        rc = sg_buf_adds(out, p);
    return rc;
}

/* ---- Opening: the [sms.http] keys ---------------------------------------------- */

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r');
         e--)
        ;
    *e = '\0';
    return s;
}

/* A header entry must be "Name: value" with a token name and no
 * placeholder (headers are sent as written). */
static int header_ok(const char *h)
{
    const char *colon = strchr(h, ':');

    if (!colon || colon == h || strstr(h, "{{"))
        return 0;
    for (const char *p = h; p < colon; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static sg_rc parse_headers(http_gw *h, const char *value, char *err, size_t errlen)
{
    char sep = strchr(value, '\n') ? '\n' : '|', *next, *e;

    gw_copy(h->hbuf, sizeof h->hbuf, value);
    for (char *tok = h->hbuf; tok; tok = next) {
        if ((next = strchr(tok, sep)))
            *next++ = '\0';
        if (!*(e = trim(tok)))
            continue;
        if (!header_ok(e)) {
            snprintf(err, errlen,
                     "[sms.http] headers: entry %zu is not \"Name: value\" "
                     "(placeholders are not allowed here)",
                     h->nhdr + 1);
            return SG_EINVAL;
        }
        if (h->nhdr >= GW_MAX_HEADERS - 2) {
            snprintf(err, errlen, "[sms.http] headers: more than %d entries",
                     GW_MAX_HEADERS - 2);
            return SG_EINVAL;
        }
        h->hdr[h->nhdr++] = e;
    }
    return SG_OK;
}

/* The body's type: the Content-Type header decides; without one, a body
 * like a=b&c=d is a form. */
static sg_rc body_kind(http_gw *h, const char *body, char *err, size_t errlen)
{
    const char *ct = NULL;

    for (size_t i = 0; i < h->nhdr; i++)
        if (strncasecmp(h->hdr[i], "content-type:", 13) == 0)
            ct = trim(h->hdr[i] + 13);
    h->body_kind = GW_TPL_FORM;
    if (ct && strstr(ct, "json"))
        h->body_kind = GW_TPL_JSON;
    else if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        goto unsupported;
    else if (!ct && *body && (strchr("{[\"", body[0]) || !strchr(body, '=')))
        goto unsupported;
    else if (!ct && *body)
        h->content_type = "Content-Type: application/x-www-form-urlencoded";
    return SG_OK;
unsupported:
    snprintf(err, errlen,
             "[sms.http] headers: name Content-Type: application/json or "
             "application/x-www-form-urlencoded for this body");
    return SG_EINVAL;
}

static sg_rc parse_success(http_gw *h, const char *rule, char *err, size_t errlen)
{
    if (strcmp(rule, "2xx") == 0) {
        h->success_text = NULL;
        return SG_OK;
    }
    if (strncmp(rule, "2xx:", 4) == 0 && rule[4]) {
        h->success_text = rule + 4;
        return SG_OK;
    }
    snprintf(err, errlen, "[sms.http] success: must be 2xx or 2xx:TEXT");
    return SG_EINVAL;
}

static sg_rc check_templates(const sg_config *cfg, char *err, size_t errlen)
{
    if (!gw_url_ok(cfg->http_url) ||
        gw_tpl_expand(cfg->http_url, GW_TPL_URL, NULL, NULL)) {
        snprintf(err, errlen,
                 "[sms.http] url: must be an http or https URL whose "
                 "placeholders are {{to}} {{from}} {{text}} {{id}}");
        return SG_EINVAL;
    }
    if (strcmp(cfg->http_method, "GET") == 0 && cfg->http_body[0]) {
        snprintf(err, errlen,
                 "[sms.http] body: a GET has no body; put the placeholders "
                 "in [sms.http] url");
        return SG_EINVAL;
    }
    if (gw_tpl_expand(cfg->http_body, GW_TPL_FORM, NULL, NULL)) {
        snprintf(err, errlen,
                 "[sms.http] body: an unknown or unclosed placeholder (known: "
                 "{{to}} {{from}} {{text}} {{id}})");
        return SG_EINVAL;
    }
    return SG_OK;
}

static sg_rc http_open(sms_gateway *gw, char *err, size_t errlen)
{
    const sg_config *cfg = &gw->cfg;
    http_gw *h = calloc(1, sizeof *h);
    sg_rc rc;

    if (!(gw->impl = h)) {
        snprintf(err, errlen, "[sms.http]: out of memory");
        return SG_ENOMEM;
    }
    if ((rc = check_templates(cfg, err, errlen)) ||
        (rc = parse_headers(h, cfg->http_headers, err, errlen)) ||
        (rc = body_kind(h, cfg->http_body, err, errlen)) ||
        (rc = parse_success(h, cfg->http_success, err, errlen)))
        return rc;
    return gw_curl_open(cfg->sms_timeout_s, &gw->curl);
}

static void http_close(sms_gateway *gw)
{
    free(gw->impl);
    gw->impl = NULL;
}

/* ---- Sending ----------------------------------------------------------------- */

static void http_classify(const http_gw *h, const gw_response *rs, gw_result *r)
{
    int st = rs->http_status;

    r->http_status = st;
    if (st >= 200 && st < 300 &&
        (!h->success_text || (rs->body.data && strstr(rs->body.data, h->success_text)))) {
        r->outcome = GW_SENT;
        snprintf(r->reason, sizeof r->reason, "the gateway took it (HTTP %d)", st);
    } else if (st >= 200 && st < 300) {
        r->outcome = GW_FAILED;
        snprintf(r->reason, sizeof r->reason,
                 "the gateway answered HTTP %d without the [sms.http] success text", st);
    } else if (st == 429 || st >= 500) {
        r->outcome = GW_RETRY;
        r->retry_after_s = rs->retry_after_s;
        snprintf(r->reason, sizeof r->reason, "the gateway is busy or down (HTTP %d)",
                 st);
    } else {
        r->outcome = GW_FAILED;
        snprintf(r->reason, sizeof r->reason, "the gateway refused the text (HTTP %d)",
                 st);
    }
}

static sg_rc build(const sms_gateway *gw, const gw_message *m, sg_buf *url, sg_buf *body)
{
    const http_gw *h = gw->impl;
    gw_tpl_vars v = {m->to, gw->cfg.sms_from, m->body, m->id ? m->id : ""};
    sg_rc rc = gw_tpl_expand(gw->cfg.http_url, GW_TPL_URL, &v, url);

    return rc ? rc : gw_tpl_expand(gw->cfg.http_body, h->body_kind, &v, body);
}

static void http_send(sms_gateway *gw, const gw_message *m, gw_result *r)
{
    const http_gw *h = gw->impl;
    sg_buf url, body;
    gw_request rq;
    gw_response rs;
    size_t i;

    sg_buf_init(&url, EXPAND_CAP);
    sg_buf_init(&body, EXPAND_CAP);
    gw_response_init(&rs);
    if (build(gw, m, &url, &body)) {
        snprintf(r->reason, sizeof r->reason, "the text is too long for one request");
        goto out;
    }
    memset(&rq, 0, sizeof rq);
    rq.method = gw->cfg.http_method;
    rq.url = url.data;
    for (i = 0; i < h->nhdr; i++)
        rq.headers[i] = h->hdr[i];
    rq.headers[i] = h->content_type;
    if (strcmp(rq.method, "GET") != 0) {
        rq.body = body.data ? body.data : "";
        rq.body_len = body.len;
    }
    gw_curl_perform(gw->curl, &rq, &rs);
    if (rs.net != GW_NET_ANSWERED)
        gw_result_from_net(&rs, "the gateway", r);
    else
        http_classify(h, &rs, r);
out:
    sg_buf_free(&url);
    sg_buf_free(&body);
    gw_response_free(&rs);
}

/* A generic gateway has no request that checks the credentials and sends
 * nothing, and even a bare GET to the URL is a send for a GET gateway: so
 * nothing is tried, and the reason says so. */
static sg_rc http_check(sms_gateway *gw, char *reason, size_t reasonlen)
{
    (void)gw;
    snprintf(reason, reasonlen,
             "not checked: the http gateway cannot be asked without sending a text");
    return SG_OK;
}

const gw_ops gw_http_ops = {
    .name = "http",
    .open = http_open,
    .close = http_close,
    .send = http_send,
    .check = http_check,
};
