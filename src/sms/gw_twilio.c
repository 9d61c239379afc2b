/*
 * The Twilio adapter ([sms] gateway = twilio): Programmable Messaging's
 * CreateMessage to send, the Messages list to reconcile an unknown send
 * and to poll for replies on a kiosk with no public URL, the Account
 * resource for `signpost doctor`.  The answers are classified by the table
 * in shared/reference/sms.md: only what Twilio certainly did not process
 * is retried.  Twilio's error messages quote the number, so a reason
 * carries the error code and our own words, never Twilio's message.
 * The webhook side (signature, inbound message, status callback) is pure
 * and lives in gw_twilio_hooks.c.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_internal.h"
#include "signpost/log.h"

#define API "/2010-04-01/Accounts/"
#define PAGE_SIZE "50"
#define POLL_PAGES 5
/* A kiosk's clock may be a little off Twilio's: a text created this long
 * before `since` still counts as the one being reconciled. */
#define CLOCK_SLACK_S 600

typedef struct {
    char token[128];
    char base[SG_CFG_LONG]; /* base_url without a trailing slash */
    char messages[SG_CFG_LONG + SG_CFG_STR + 64];
} twilio;

static sg_rc tw_config(const sg_config *cfg, twilio *tw, char *err, size_t errlen)
{
    size_t n;

    if (!gw_sid_ok(cfg->twilio_account_sid, "AC")) {
        snprintf(err, errlen, "[sms.twilio] account_sid: must be AC and 32 hex digits");
        return SG_EINVAL;
    }
    if (cfg->twilio_messaging_service_sid[0] &&
        !gw_sid_ok(cfg->twilio_messaging_service_sid, "MG")) {
        snprintf(err, errlen,
                 "[sms.twilio] messaging_service_sid: must be MG and 32 hex digits");
        return SG_EINVAL;
    }
    if (!cfg->sms_from[0] && !cfg->twilio_messaging_service_sid[0]) {
        snprintf(err, errlen,
                 "[sms] from: a number of the account is needed (or "
                 "[sms.twilio] messaging_service_sid)");
        return SG_EINVAL;
    }
    if (!gw_url_ok(cfg->twilio_base_url)) {
        snprintf(err, errlen, "[sms.twilio] base_url: must be an http or https URL");
        return SG_EINVAL;
    }
    gw_copy(tw->base, sizeof tw->base, cfg->twilio_base_url);
    for (n = strlen(tw->base); n && tw->base[n - 1] == '/'; n--)
        tw->base[n - 1] = '\0';
    snprintf(tw->messages, sizeof tw->messages, "%s" API "%s/Messages.json", tw->base,
             cfg->twilio_account_sid);
    return SG_OK;
}

static sg_rc tw_open(sms_gateway *gw, char *err, size_t errlen)
{
    twilio *tw = calloc(1, sizeof *tw);
    char why[SG_CFG_PATH * 2 + 64];
    sg_rc rc = SG_ENOMEM;

    if (!tw)
        goto out;
    gw->impl = tw;
    if ((rc = tw_config(&gw->cfg, tw, err, errlen)))
        goto out;
    if (!gw->cfg.twilio_auth_token_file[0]) {
        snprintf(err, errlen, "[sms.twilio] auth_token_file: not set");
        rc = SG_EINVAL;
        goto out;
    }
    if (gw_read_secret(gw->cfg.twilio_auth_token_file, tw->token, sizeof tw->token, why,
                       sizeof why)) {
        snprintf(err, errlen, "[sms.twilio] auth_token_file: %s", why);
        rc = SG_EINVAL;
        goto out;
    }
    rc = gw_curl_open(gw->cfg.sms_timeout_s, &gw->curl);
out:
    if (rc == SG_ENOMEM)
        snprintf(err, errlen, "[sms.twilio]: out of memory");
    return rc;
}

static void tw_close(sms_gateway *gw)
{
    twilio *tw = gw->impl;

    if (!tw)
        return;
    sodium_memzero(tw->token, sizeof tw->token);
    free(tw);
    gw->impl = NULL;
}

/* Every request carries the same Basic auth: AccountSid:AuthToken. */
static void tw_request(sms_gateway *gw, gw_request *rq, const char *method,
                       const char *url)
{
    twilio *tw = gw->impl;

    memset(rq, 0, sizeof *rq);
    rq->method = method;
    rq->url = url;
    rq->headers[0] = "Accept: application/json";
    rq->user = gw->cfg.twilio_account_sid;
    rq->pass = tw->token;
}

/* ---- Sending ----------------------------------------------------------------- */

static sg_rc create_body(const sg_config *cfg, const gw_message *m, sg_buf *b)
{
    char validity[16];
    sg_rc rc = gw_add_param(b, "To", m->to);

    if (!rc && cfg->twilio_messaging_service_sid[0])
        rc = gw_add_param(b, "MessagingServiceSid", cfg->twilio_messaging_service_sid);
    else if (!rc)
        rc = gw_add_param(b, "From", cfg->sms_from);
    if (!rc)
        rc = gw_add_param(b, "Body", m->body);
    if (!rc && m->validity_s > 0) {
        /* Twilio takes 1..36000: a longer wish is still worth the most. */
        snprintf(validity, sizeof validity, "%d",
                 m->validity_s > 36000 ? 36000 : m->validity_s);
        rc = gw_add_param(b, "ValidityPeriod", validity);
    }
    if (!rc && m->status_callback && m->status_callback[0])
        rc = gw_add_param(b, "StatusCallback", m->status_callback);
    return rc;
}

/* Our words for the codes staff will meet; never Twilio's message. */
static const struct {
    int code;
    const char *words;
} code_table[] = {
    {20003, "Twilio refused the account SID or auth token"},
    {20429, "too many requests at once"},
    {21211, "the number is not a valid phone number"},
    {21408, "the account may not text this region"},
    {21606, "[sms] from is not a texting number of this account"},
    {21610, "the recipient replied STOP"},
    {21614, "the number is not a mobile number"},
    {21635, "the number is a landline"},
};

static const char *code_words(int code)
{
    for (size_t i = 0; i < sizeof code_table / sizeof code_table[0]; i++)
        if (code_table[i].code == code)
            return code_table[i].words;
    return "Twilio refused the text";
}

static void classify_error(int http_status, int code, int retry_after_s, gw_result *r)
{
    if (http_status == 429 || code == 20429) {
        r->outcome = GW_RETRY; /* never processed: Twilio says so */
        r->retry_after_s = retry_after_s;
        snprintf(r->reason, sizeof r->reason, "Twilio: too many requests (HTTP %d)",
                 http_status);
    } else if (http_status >= 500) {
        r->outcome = GW_RETRY;
        r->retry_after_s = retry_after_s;
        snprintf(r->reason, sizeof r->reason, "Twilio: server error (HTTP %d)",
                 http_status);
    } else if (code == 21610) {
        r->outcome = GW_OPTED_OUT;
        snprintf(r->reason, sizeof r->reason, "Twilio error 21610: %s", code_words(code));
    } else if (http_status >= 300 && http_status < 400) {
        snprintf(
            r->reason, sizeof r->reason,
            "Twilio: HTTP %d, a redirect (not followed): check [sms.twilio] base_url",
            http_status);
    } else {
        snprintf(r->reason, sizeof r->reason, "Twilio error %d (HTTP %d): %s", code,
                 http_status, code_words(code));
    }
}

static void fill_created(json_t *j, gw_result *r)
{
    json_t *segs = json_object_get(j, "num_segments");

    r->outcome = GW_SENT;
    gw_copy(r->message_id, sizeof r->message_id,
            json_string_value(json_object_get(j, "sid")));
    gw_copy(r->status, sizeof r->status, json_string_value(json_object_get(j, "status")));
    r->error_code = (int)json_integer_value(json_object_get(j, "error_code"));
    /* Twilio sends num_segments as a string ("1"). */
    snprintf(r->reason, sizeof r->reason, "Twilio took it (%s segment(s))",
             json_is_string(segs) ? json_string_value(segs) : "?");
}

void gw_twilio_classify(int http_status, const char *body, int retry_after_s,
                        gw_result *r)
{
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;

    r->http_status = http_status;
    if (http_status >= 200 && http_status < 300) {
        if (json_is_object(j)) {
            fill_created(j, r);
        } else {
            /* Created all the same: the status line says so. */
            r->outcome = GW_SENT;
            snprintf(r->reason, sizeof r->reason,
                     "Twilio took it (HTTP %d) but its answer was not readable",
                     http_status);
        }
    } else {
        r->outcome = GW_FAILED;
        r->error_code = (int)json_integer_value(json_object_get(j, "code"));
        classify_error(http_status, r->error_code, retry_after_s, r);
    }
    json_decref(j);
}

static void tw_send(sms_gateway *gw, const gw_message *m, gw_result *r)
{
    twilio *tw = gw->impl;
    gw_request rq;
    gw_response rs;
    sg_buf body;

    sg_buf_init(&body, 32 * 1024); /* 1600 four-byte characters, escaped */
    gw_response_init(&rs);
    if (create_body(&gw->cfg, m, &body)) {
        snprintf(r->reason, sizeof r->reason, "the text is too long for one request");
        goto out;
    }
    tw_request(gw, &rq, "POST", tw->messages);
    rq.headers[1] = "Content-Type: application/x-www-form-urlencoded";
    rq.body = body.data;
    rq.body_len = body.len;
    gw_curl_perform(gw->curl, &rq, &rs);
    if (rs.net != GW_NET_ANSWERED)
        gw_result_from_net(&rs, "Twilio", r);
    else
        gw_twilio_classify(rs.http_status, rs.body.data, rs.retry_after_s, r);
out:
    sg_buf_free(&body);
    gw_response_free(&rs);
}

/* ---- Listing messages -------------------------------------------------------- */

/* Messages.json?query with the given filters (NULL or "" values left out). */
static sg_rc list_url(const twilio *tw, const char *to, const char *from,
                      time_t date_sent, sg_buf *url)
{
    sg_buf q;
    char day[16];
    struct tm tm;
    sg_rc rc = SG_OK;

    sg_buf_init(&q, 1024);
    if (to && *to)
        rc = gw_add_param(&q, "To", to);
    if (!rc && from && *from)
        rc = gw_add_param(&q, "From", from);
    if (!rc && date_sent >= 0) {
        /* "DateSent>" is on or after a day, in Twilio's time zone (UTC). */
        gmtime_r(&date_sent, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        rc = gw_add_param(&q, "DateSent>", day);
    }
    if (!rc)
        rc = gw_add_param(&q, "PageSize", PAGE_SIZE);
    if (!rc)
        rc = sg_buf_addf(url, "%s?%s", tw->messages, q.data);
    sg_buf_free(&q);
    return rc;
}

/* GETs one page of a list: the parsed page, or NULL with reason said. */
static json_t *get_page(sms_gateway *gw, const char *url, char *reason, size_t reasonlen)
{
    gw_request rq;
    gw_response rs;
    json_t *page = NULL;

    reason[0] = '\0';
    gw_response_init(&rs);
    tw_request(gw, &rq, "GET", url);
    rq.answer_cap = GW_LISTING_CAP;
    gw_curl_perform(gw->curl, &rq, &rs);
    if (rs.net != GW_NET_ANSWERED)
        snprintf(reason, reasonlen, "Twilio not reached (%s)", rs.error);
    else if (rs.http_status != 200)
        snprintf(reason, reasonlen, "Twilio's message list: HTTP %d", rs.http_status);
    else if (rs.truncated || !(page = json_loads(rs.body.data, 0, NULL)) ||
             !json_is_array(json_object_get(page, "messages")))
        snprintf(reason, reasonlen, "Twilio's message list was not readable");
    if (page && reason[0]) {
        json_decref(page);
        page = NULL;
    }
    gw_response_free(&rs);
    return page;
}

static time_t msg_time(json_t *msg, const char *field)
{
    return gw_parse_date(json_string_value(json_object_get(msg, field)));
}

static int text_equal(json_t *msg, const char *field, const char *value)
{
    const char *v = json_string_value(json_object_get(msg, field));
    return v && strcmp(v, value) == 0;
}

/* ---- Reconciling --------------------------------------------------------------- */

/*
 * Looks through the newest page of texts to m->to for one created since
 * `since` with m's body.  No DateSent filter: a text still queued has no
 * date_sent yet and would be hidden by one, and it is exactly the text
 * being looked for.  A number gets a few texts a week, so one page of 50
 * reaches back months.  Any doubt answers -1 (a person decides), never 0:
 * 0 lets the outbox send again, and a wrong 0 texts a patient twice.
 */
static int scan_sent(json_t *page, const gw_message *m, time_t since, gw_result *r)
{
    json_t *msgs = json_object_get(page, "messages"), *msg;
    json_t *next = json_object_get(page, "next_page_uri");
    size_t i, in_window = 0;
    time_t t;

    json_array_foreach(msgs, i, msg)
    {
        const char *dir = json_string_value(json_object_get(msg, "direction"));
        if (!dir || strncmp(dir, "outbound", 8) != 0 || !text_equal(msg, "to", m->to))
            continue;
        if ((t = msg_time(msg, "date_created")) >= 0 && t < since - CLOCK_SLACK_S)
            continue;
        if (text_equal(msg, "body", m->body)) {
            r->outcome = GW_SENT;
            gw_copy(r->message_id, sizeof r->message_id,
                    json_string_value(json_object_get(msg, "sid")));
            gw_copy(r->status, sizeof r->status,
                    json_string_value(json_object_get(msg, "status")));
            r->error_code = (int)json_integer_value(json_object_get(msg, "error_code"));
            snprintf(r->reason, sizeof r->reason, "Twilio has this text: it went out");
            return 1;
        }
        in_window++;
    }
    if (in_window) {
        snprintf(
            r->reason, sizeof r->reason,
            "Twilio lists %zu other text(s) to this number since then: check by hand",
            in_window);
        return -1;
    }
    if (json_is_string(next) && json_string_length(next) > 0 &&
        json_array_size(msgs) > 0) {
        snprintf(r->reason, sizeof r->reason, "too many texts to this number to tell");
        return -1;
    }
    snprintf(r->reason, sizeof r->reason, "Twilio has no such text: it did not go out");
    return 0;
}

static int tw_reconcile(sms_gateway *gw, const gw_message *m, time_t since, gw_result *r)
{
    twilio *tw = gw->impl;
    sg_buf url;
    json_t *page = NULL;
    const char *from = gw->cfg.twilio_messaging_service_sid[0] ? NULL : gw->cfg.sms_from;
    int found = -1;

    sg_buf_init(&url, 4096);
    if (list_url(tw, m->to, from, -1, &url)) {
        snprintf(r->reason, sizeof r->reason, "the list URL is too long");
        goto out;
    }
    if (!(page = get_page(gw, url.data, r->reason, sizeof r->reason)))
        goto out;
    found = scan_sent(page, m, since, r);
out:
    json_decref(page);
    sg_buf_free(&url);
    return found;
}

/* ---- Polling for replies ------------------------------------------------------- */

typedef struct {
    time_t t;
    json_t *msg;
} dated;

static int by_time(const void *a, const void *b)
{
    const dated *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Adds the inbound texts of a page at or after since (the caller drops
 * duplicates by id: a text in the same second as the last one seen must
 * not be lost) to all. */
static void collect_inbound(json_t *page, time_t since, json_t *all)
{
    json_t *msg;
    size_t i;
    time_t t;

    json_array_foreach(json_object_get(page, "messages"), i, msg)
    {
        if (!text_equal(msg, "direction", "inbound"))
            continue;
        if ((t = msg_time(msg, "date_sent")) < 0)
            t = msg_time(msg, "date_created");
        if (t >= since)
            json_array_append(all, msg);
    }
}

/* Fetches up to POLL_PAGES pages following next_page_uri. */
static sg_rc fetch_inbound(sms_gateway *gw, time_t since, json_t *all)
{
    twilio *tw = gw->impl;
    sg_buf url;
    json_t *page = NULL, *next;
    char reason[200];
    sg_rc rc = SG_ENOMEM;

    sg_buf_init(&url, 4096);
    if (list_url(tw, gw->cfg.sms_from, NULL, since, &url))
        goto out;
    for (int n = 0; n < POLL_PAGES; n++) {
        rc = SG_EIO;
        if (!(page = get_page(gw, url.data, reason, sizeof reason))) {
            sg_warn("sms: polling Twilio for replies: %s", reason);
            goto out;
        }
        collect_inbound(page, since, all);
        next = json_object_get(page, "next_page_uri");
        rc = SG_OK;
        if (!json_is_string(next) || json_string_length(next) == 0)
            break;
        sg_buf_reset(&url);
        if ((rc = sg_buf_addf(&url, "%s%s", tw->base, json_string_value(next))))
            break;
        json_decref(page);
        page = NULL;
    }
out:
    json_decref(page);
    sg_buf_free(&url);
    return rc;
}

static void to_inbound(const dated *d, gw_inbound *in)
{
    memset(in, 0, sizeof *in);
    gw_copy(in->message_id, sizeof in->message_id,
            json_string_value(json_object_get(d->msg, "sid")));
    gw_copy(in->from, sizeof in->from,
            json_string_value(json_object_get(d->msg, "from")));
    gw_copy(in->to, sizeof in->to, json_string_value(json_object_get(d->msg, "to")));
    gw_copy(in->body, sizeof in->body,
            json_string_value(json_object_get(d->msg, "body")));
    in->received = d->t;
}

static sg_rc tw_poll(sms_gateway *gw, time_t *since,
                     int (*fn)(void *ctx, const gw_inbound *in), void *ctx)
{
    json_t *all = json_array(), *msg;
    dated *d = NULL;
    gw_inbound *in = malloc(sizeof *in);
    size_t i, n;
    sg_rc rc = SG_ENOMEM;

    if (!all || !in || (rc = fetch_inbound(gw, *since, all)))
        goto out;
    rc = SG_ENOMEM;
    n = json_array_size(all);
    if (n && !(d = calloc(n, sizeof *d)))
        goto out;
    json_array_foreach(all, i, msg)
    {
        if ((d[i].t = msg_time(msg, "date_sent")) < 0)
            d[i].t = msg_time(msg, "date_created");
        d[i].msg = msg;
    }
    if (n)
        qsort(d, n, sizeof *d, by_time); /* Twilio lists newest first */
    rc = SG_OK;
    for (i = 0; i < n; i++) {
        to_inbound(&d[i], in);
        if (fn(ctx, in))
            break; /* the caller wants no more: since stays at the last taken */
        if (d[i].t > *since)
            *since = d[i].t;
    }
out:
    free(d);
    free(in);
    json_decref(all);
    return rc;
}

/* ---- Checking ---------------------------------------------------------------- */

static sg_rc check_answer(const gw_response *rs, char *reason, size_t reasonlen)
{
    json_t *j;
    const char *status;
    sg_rc rc = SG_OK;

    if (rs->http_status == 401 || rs->http_status == 403) {
        snprintf(reason, reasonlen,
                 "Twilio refused the account SID or auth token (HTTP %d)",
                 rs->http_status);
        return SG_EAUTH;
    }
    if (rs->http_status != 200) {
        snprintf(reason, reasonlen, "Twilio answered HTTP %d", rs->http_status);
        return SG_EIO;
    }
    j = json_loads(rs->body.data, 0, NULL);
    status = json_string_value(json_object_get(j, "status"));
    if (status && strcmp(status, "active") != 0) {
        snprintf(reason, reasonlen, "the Twilio account is %.20s", status);
        rc = SG_EAUTH;
    } else {
        snprintf(reason, reasonlen, "Twilio accepts the credentials");
    }
    json_decref(j);
    return rc;
}

static sg_rc tw_check(sms_gateway *gw, char *reason, size_t reasonlen)
{
    twilio *tw = gw->impl;
    char url[SG_CFG_LONG + SG_CFG_STR + 64];
    gw_request rq;
    gw_response rs;
    sg_rc rc = SG_EIO;

    snprintf(url, sizeof url, "%s" API "%s.json", tw->base, gw->cfg.twilio_account_sid);
    gw_response_init(&rs);
    tw_request(gw, &rq, "GET", url);
    gw_curl_perform(gw->curl, &rq, &rs);
    if (rs.net != GW_NET_ANSWERED)
        snprintf(reason, reasonlen, "Twilio not reached: %s", rs.error);
    else
        rc = check_answer(&rs, reason, reasonlen);
    gw_response_free(&rs);
    return rc;
}

const gw_ops gw_twilio_ops = {
    .name = "twilio",
    .open = tw_open,
    .close = tw_close,
    .send = tw_send,
    .reconcile = tw_reconcile,
    .poll = tw_poll,
    .check = tw_check,
};
