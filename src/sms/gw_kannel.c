/*
 * The Kannel adapter ([sms] gateway = kannel): one GET to smsbox's
 * /cgi-bin/sendsms per text, for clinics that run their own gateway (or a
 * GSM modem behind one).  Kannel gives no message id and cannot list what
 * it sent, so an unknown send stays unknown; its delivery reports come
 * back to the dlr-url the caller builds (our outbox id inside), and
 * replies to its get-url.  Both are read by the pure parsers at the end.
 * The request URL carries the password, the number and the text, so it is
 * wiped after use and never appears in a message.
 */
#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_internal.h"
#include "signpost/sms.h"

#define URL_CAP (32u * 1024) /* a 1600-character text escaped, and the rest */

typedef struct {
    char password[128];
    char base[SG_CFG_LONG]; /* [sms.kannel] url without a trailing slash */
} kannel;

static sg_rc kn_open(sms_gateway *gw, char *err, size_t errlen)
{
    const sg_config *cfg = &gw->cfg;
    kannel *kn = calloc(1, sizeof *kn);
    char why[SG_CFG_PATH * 2 + 64];
    size_t n;

    if (!(gw->impl = kn)) {
        snprintf(err, errlen, "[sms.kannel]: out of memory");
        return SG_ENOMEM;
    }
    if (!gw_url_ok(cfg->kannel_url)) {
        snprintf(err, errlen, "[sms.kannel] url: must be smsbox's http or https URL");
        return SG_EINVAL;
    }
    if (!cfg->kannel_username[0]) {
        snprintf(err, errlen, "[sms.kannel] username: not set");
        return SG_EINVAL;
    }
    if (gw_read_secret(cfg->kannel_password_file, kn->password, sizeof kn->password, why,
                       sizeof why)) {
        snprintf(err, errlen, "[sms.kannel] password_file: %s", why);
        return SG_EINVAL;
    }
    gw_copy(kn->base, sizeof kn->base, cfg->kannel_url);
    for (n = strlen(kn->base); n && kn->base[n - 1] == '/'; n--)
        kn->base[n - 1] = '\0';
    return gw_curl_open(cfg->sms_timeout_s, &gw->curl);
}

static void kn_close(sms_gateway *gw)
{
    kannel *kn = gw->impl;

    if (!kn)
        return;
    sodium_memzero(kn->password, sizeof kn->password);
    free(kn);
    gw->impl = NULL;
}

/* base/cgi-bin/sendsms?username=..&password=.. */
static sg_rc sendsms_url(const sms_gateway *gw, sg_buf *url)
{
    const kannel *kn = gw->impl;
    sg_buf q;
    sg_rc rc;

    sg_buf_init(&q, 1024);
    rc = gw_add_param(&q, "username", gw->cfg.kannel_username);
    if (!rc)
        rc = gw_add_param(&q, "password", kn->password);
    if (!rc)
        rc = sg_buf_addf(url, "%s/cgi-bin/sendsms?%s", kn->base, q.data);
    if (q.data)
        sodium_memzero(q.data, q.len);
    sg_buf_free(&q);
    return rc;
}

static sg_rc send_url(const sms_gateway *gw, const gw_message *m, int ucs2, sg_buf *url)
{
    const sg_config *cfg = &gw->cfg;
    char validity[16];
    sg_rc rc = sendsms_url(gw, url);

    if (!rc && cfg->sms_from[0])
        rc = gw_add_param(url, "from", cfg->sms_from);
    if (!rc)
        rc = gw_add_param(url, "to", m->to);
    if (!rc)
        rc = gw_add_param(url, "text", m->body);
    /* Kannel turns the UTF-8 text into UCS-2 itself when coding is 2. */
    if (!rc)
        rc = gw_add_param(url, "charset", "UTF-8");
    if (!rc)
        rc = gw_add_param(url, "coding", ucs2 ? "2" : "0");
    if (!rc && cfg->kannel_smsc[0])
        rc = gw_add_param(url, "smsc", cfg->kannel_smsc);
    if (!rc && m->validity_s > 0) {
        /* Kannel's validity is in minutes: round up, never drop early. */
        snprintf(validity, sizeof validity, "%d", (m->validity_s + 59) / 60);
        rc = gw_add_param(url, "validity", validity);
    }
    if (!rc && m->status_callback && m->status_callback[0]) {
        /* 31: delivered, failed, queued, sent to the SMSC, rejected by it. */
        rc = gw_add_param(url, "dlr-mask", "31");
        if (!rc)
            rc = gw_add_param(url, "dlr-url", m->status_callback);
    }
    return rc;
}

/* Kannel's reply text for a reason: its first line, printable ASCII, at
 * most 80 characters, runs of 4 or more digits masked (a reason never
 * carries a number, and Kannel's words are not ours to trust). */
static void reply_words(const char *body, char *out, size_t outlen)
{
    size_t n = 0, run = 0;

    for (const char *p = body ? body : ""; *p && *p != '\r' && *p != '\n'; p++) {
        if (n + 1 >= outlen || n >= 80)
            break;
        out[n++] = (*p >= ' ' && *p < 127) ? *p : '?';
    }
    out[n] = '\0';
    for (size_t i = 0; i <= n; i++) {
        if (out[i] >= '0' && out[i] <= '9') {
            run++;
            continue;
        }
        if (run >= 4)
            memset(out + i - run, '#', run);
        run = 0;
    }
}

static void kn_classify(int status, const char *body, int retry_after_s, gw_result *r)
{
    char words[96];

    r->http_status = status;
    reply_words(body, words, sizeof words);
    if (status >= 200 && status < 300 && body &&
        (strncmp(body, "0:", 2) == 0 || strncmp(body, "3:", 2) == 0)) {
        r->outcome = GW_SENT;
        snprintf(r->status, sizeof r->status, "%s",
                 body[0] == '0' ? "accepted" : "queued");
        snprintf(r->reason, sizeof r->reason, "Kannel: %s", words);
    } else if (status >= 200 && status < 300) {
        /* It answered success without Kannel's words: it may have the text. */
        r->outcome = GW_UNKNOWN;
        snprintf(r->reason, sizeof r->reason,
                 "Kannel answered HTTP %d but not as Kannel: %s", status, words);
    } else if (status == 429 || status >= 500) {
        r->outcome = GW_RETRY;
        r->retry_after_s = retry_after_s;
        snprintf(r->reason, sizeof r->reason, "Kannel: HTTP %d: %s", status, words);
    } else {
        r->outcome = GW_FAILED;
        snprintf(r->reason, sizeof r->reason, "Kannel refused the text (HTTP %d): %s",
                 status, words);
    }
}

static void kn_send(sms_gateway *gw, const gw_message *m, gw_result *r)
{
    sms_length len;
    sg_buf url;
    gw_request rq;
    gw_response rs;

    sg_buf_init(&url, URL_CAP);
    gw_response_init(&rs);
    if (sms_count(m->body, &len)) {
        snprintf(r->reason, sizeof r->reason, "the text is not valid UTF-8");
        goto out;
    }
    if (send_url(gw, m, len.ucs2, &url)) {
        snprintf(r->reason, sizeof r->reason, "the text is too long for one request");
        goto out;
    }
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = url.data;
    gw_curl_perform(gw->curl, &rq, &rs);
    if (rs.net != GW_NET_ANSWERED)
        gw_result_from_net(&rs, "Kannel", r);
    else
        kn_classify(rs.http_status, rs.body.data, rs.retry_after_s, r);
out:
    if (url.data)
        sodium_memzero(url.data, url.len); /* the password */
    sg_buf_free(&url);
    gw_response_free(&rs);
}

/* Any HTTP answer means smsbox is there; only its words tell whether it
 * took the credentials (a request without "to" sends nothing). */
static sg_rc kn_check(sms_gateway *gw, char *reason, size_t reasonlen)
{
    sg_buf url;
    gw_request rq;
    gw_response rs;
    sg_rc rc = SG_EIO;

    sg_buf_init(&url, URL_CAP);
    gw_response_init(&rs);
    if (sendsms_url(gw, &url)) {
        snprintf(reason, reasonlen, "[sms.kannel] url is too long");
        goto out;
    }
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = url.data;
    gw_curl_perform(gw->curl, &rq, &rs);
    if (rs.net != GW_NET_ANSWERED) {
        snprintf(reason, reasonlen, "Kannel not reached: %s", rs.error);
    } else if (rs.body.data && strstr(rs.body.data, "Authorization failed")) {
        snprintf(reason, reasonlen, "Kannel refused [sms.kannel] username or password");
        rc = SG_EAUTH;
    } else {
        snprintf(reason, reasonlen, "Kannel answers (HTTP %d)", rs.http_status);
        rc = SG_OK;
    }
out:
    if (url.data)
        sodium_memzero(url.data, url.len);
    sg_buf_free(&url);
    gw_response_free(&rs);
    return rc;
}

const gw_ops gw_kannel_ops = {
    .name = "kannel",
    .open = kn_open,
    .close = kn_close,
    .send = kn_send,
    .check = kn_check,
};

/* ---- What Kannel sends us (pure) ---------------------------------------------- */

sg_rc gw_kannel_parse_inbound(const gw_param *p, size_t np, gw_inbound *in, char *err,
                              size_t errlen)
{
    const char *text = gw_param_get(p, np, "text"), *t = gw_param_get(p, np, "time");
    long secs = 0;
    sg_rc rc;

    assert((p || !np) && in && err);
    memset(in, 0, sizeof *in);
    if ((rc = gw_take_param(p, np, "id", in->message_id, sizeof in->message_id, err,
                            errlen)) ||
        (rc = gw_take_param(p, np, "from", in->from, sizeof in->from, err, errlen)) ||
        (rc = gw_take_param(p, np, "to", in->to, sizeof in->to, err, errlen)))
        return rc;
    if (!text) {
        snprintf(err, errlen, "text is missing");
        return SG_EINVAL;
    }
    gw_copy(in->body, sizeof in->body, text); /* a longer reply is kept cut */
    if (t && *t && gw_parse_int(t, 0, 99999999999L, &secs)) {
        snprintf(err, errlen, "time is not unix seconds");
        return SG_EINVAL;
    }
    in->received = (time_t)secs;
    return SG_OK;
}

/* Kannel's dlr types are bits; a report normally carries one.  When it
 * carries more, the most final one wins. */
static const struct {
    long bit;
    const char *status;
    int final;
} dlr_types[] = {
    {1, "delivered", 1}, /* delivered to the phone */
    {2, "failed", 1},    /* not delivered */
    {16, "failed", 1},   /* rejected by the SMSC */
    {8, "sent", 0},      /* accepted by the SMSC */
    {4, "queued", 0},    /* queued on the SMSC */
};

sg_rc gw_kannel_parse_dlr(const gw_param *p, size_t np, gw_status *st, char *err,
                          size_t errlen)
{
    char type[16];
    long bits;
    sg_rc rc;

    assert((p || !np) && st && err);
    memset(st, 0, sizeof *st);
    if ((rc = gw_take_param(p, np, "id", st->outbox_id, sizeof st->outbox_id, err,
                            errlen)) ||
        (rc = gw_take_param(p, np, "type", type, sizeof type, err, errlen)))
        return rc;
    if (gw_parse_int(type, 0, 1023, &bits)) {
        snprintf(err, errlen, "type is not a number");
        return SG_EINVAL;
    }
    for (size_t i = 0; i < sizeof dlr_types / sizeof dlr_types[0]; i++) {
        if (bits & dlr_types[i].bit) {
            snprintf(st->status, sizeof st->status, "%s", dlr_types[i].status);
            st->final = dlr_types[i].final;
            return SG_OK;
        }
    }
    snprintf(err, errlen, "type %ld is not a Kannel delivery report type", bits);
    return SG_EINVAL;
}
