/*
 * The SMS gateway adapters (sms_gateway.h) against the fake gateway: every
 * outcome of a send for Twilio, Kannel and the generic template gateway
 * (taken, refused, opted out, rate-limited, server error, a hang, a
 * dropped connection, nobody listening), Twilio's reconcile and reply
 * polling, `doctor`'s check, the log gateway's masked line; and the pure
 * parts: the webhook signature against known answers, the webhook parsers,
 * template escaping, secrets from $CREDENTIALS_DIRECTORY, and the rule that
 * decides between "retry" and "unknown".  No reason string may ever carry
 * the number, the text or a secret: every send checks that.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake_gateway.h"
#include "gw_internal.h"
#include "signpost/config.h"
#include "signpost/sms_gateway.h"

#define ACCOUNT "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
#define SERVICE "MG0123456789abcdef0123456789abcdef"
#define TOKEN "0123456789abcdef0123456789abcdef"
#define KPASS "kannel-pass-9"
#define CLINIC "+15550100100"
#define TO "+15550100199"
#define BODY "Example Clinic: did you reach the food bank? Reply 1 yes, 2 not yet, 3 help"

static fake_gw *F;
static char dir[64], token_file[128], kpass_file[128];

/* ---- Setup -------------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **st)
{
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/sms-gw-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(token_file, sizeof token_file, "%s/twilio.token", dir);
    snprintf(kpass_file, sizeof kpass_file, "%s/kannel.pass", dir);
    write_file(token_file, TOKEN "\n");
    write_file(kpass_file, KPASS "\n");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    F = fgw_start();
    return F ? 0 : -1;
}

static int teardown(void **st)
{
    char cmd[128];
    (void)st;
    fgw_stop(F);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int each(void **st)
{
    (void)st;
    fgw_reset(F);
    fgw_twilio_auth(F, ACCOUNT, TOKEN);
    fgw_kannel_auth(F, "clinic", KPASS);
    fgw_retry_after(F, "2");
    fgw_error(F, 400, 21211);
    fgw_custom(F, 200, "application/json", "{\"ok\":true}");
    return 0;
}

static void base_cfg(sg_config *c, const char *gateway)
{
    config_defaults(c);
    snprintf(c->sms_gateway, sizeof c->sms_gateway, "%s", gateway);
    snprintf(c->sms_from, sizeof c->sms_from, CLINIC);
    c->sms_timeout_s = 2;
}

static void twilio_cfg(sg_config *c)
{
    base_cfg(c, "twilio");
    snprintf(c->twilio_account_sid, sizeof c->twilio_account_sid, ACCOUNT);
    snprintf(c->twilio_auth_token_file, sizeof c->twilio_auth_token_file, "%s",
             token_file);
    snprintf(c->twilio_base_url, sizeof c->twilio_base_url, "%s/", fgw_url(F));
}

static void kannel_cfg(sg_config *c)
{
    base_cfg(c, "kannel");
    snprintf(c->kannel_url, sizeof c->kannel_url, "%s", fgw_url(F));
    snprintf(c->kannel_username, sizeof c->kannel_username, "clinic");
    snprintf(c->kannel_password_file, sizeof c->kannel_password_file, "%s", kpass_file);
}

static void http_cfg(sg_config *c, const char *method, const char *path, const char *body,
                     const char *headers, const char *success)
{
    base_cfg(c, "http");
    snprintf(c->http_url, sizeof c->http_url, "%s%s", fgw_url(F), path);
    snprintf(c->http_method, sizeof c->http_method, "%s", method);
    snprintf(c->http_body, sizeof c->http_body, "%s", body);
    snprintf(c->http_headers, sizeof c->http_headers, "%s", headers);
    snprintf(c->http_success, sizeof c->http_success, "%s", success);
}

static sms_gateway *open_gw(const sg_config *c)
{
    char err[300];
    sms_gateway *g = NULL;
    sg_rc rc = gw_open(c, &g, err, sizeof err);

    if (rc)
        fail_msg("gw_open: %s", err);
    return g;
}

/* Opening must fail with rc and an error naming want. */
static void open_fails(const sg_config *c, sg_rc rc, const char *want)
{
    char err[300] = "";
    sms_gateway *g = NULL;

    assert_int_equal(gw_open(c, &g, err, sizeof err), rc);
    assert_null(g);
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not name \"%s\"", err, want);
    assert_null(strstr(err, TOKEN));
    assert_null(strstr(err, KPASS));
}

/* No reason may carry the number, the text or a secret. */
static void assert_clean(const gw_result *r)
{
    if (strstr(r->reason, "0199") || strstr(r->reason, "food") ||
        strstr(r->reason, TOKEN) || strstr(r->reason, KPASS))
        fail_msg("the reason leaks: %s", r->reason);
}

static void send_to(sms_gateway *g, const char *to, const char *body, gw_result *r)
{
    gw_message m = {"ob-42", to, body, 3600,
                    "https://clinic.example.org/sms/status/ob-42"};

    gw_send(g, &m, r);
    assert_clean(r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loopback port nobody listens on. */
static unsigned closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

/* ---- Twilio: sending ------------------------------------------------------------ */

static void test_twilio_created(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    const fgw_request *q;
    char auth[128];
    unsigned char plain[] = ACCOUNT ":" TOKEN;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    assert_string_equal(gw_name(g), "twilio");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_SENT);
    assert_int_equal(r.http_status, 201);
    assert_int_equal(strlen(r.message_id), 34);
    assert_true(gw_sid_ok(r.message_id, "SM"));
    assert_string_equal(r.status, "queued");
    assert_non_null(q = fgw_request_at(F, -1));
    assert_string_equal(q->method, "POST");
    assert_string_equal(q->path, "/2010-04-01/Accounts/" ACCOUNT "/Messages.json");
    snprintf(auth, sizeof auth, "Basic ");
    sodium_bin2base64(auth + 6, sizeof auth - 6, plain, sizeof plain - 1,
                      sodium_base64_VARIANT_ORIGINAL);
    assert_string_equal(q->auth, auth);
    assert_string_equal(q->content_type, "application/x-www-form-urlencoded");
    assert_string_equal(fgw_field(q, "To"), TO);
    assert_string_equal(fgw_field(q, "From"), CLINIC);
    assert_string_equal(fgw_field(q, "Body"), BODY);
    assert_string_equal(fgw_field(q, "ValidityPeriod"), "3600");
    assert_string_equal(fgw_field(q, "StatusCallback"),
                        "https://clinic.example.org/sms/status/ob-42");
    assert_null(fgw_field(q, "MessagingServiceSid"));
    assert_null(fgw_header(q, "Expect"));
    gw_close(g);
}

static void test_twilio_service_and_no_validity(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    gw_message m = {"ob-1", TO, "Hola, ¿llegó? Responda 1, 2 o 3 ✓", 0, NULL};
    const fgw_request *q;

    (void)st;
    twilio_cfg(&c);
    snprintf(c.twilio_messaging_service_sid, sizeof c.twilio_messaging_service_sid,
             SERVICE);
    g = open_gw(&c);
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    q = fgw_request_at(F, -1);
    assert_string_equal(fgw_field(q, "MessagingServiceSid"), SERVICE);
    assert_null(fgw_field(q, "From"));
    assert_null(fgw_field(q, "ValidityPeriod"));
    assert_null(fgw_field(q, "StatusCallback"));
    assert_string_equal(fgw_field(q, "Body"), m.body); /* UTF-8 survives the form */
    gw_close(g);
}

static void test_twilio_invalid_number(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    static const int codes[] = {21211, 21614, 21635};
    char want[16];

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    for (size_t i = 0; i < 3; i++) {
        fgw_error(F, 400, codes[i]);
        fgw_mode(F, FGW_ERROR, 1);
        send_to(g, TO, BODY, &r); /* the fake's message quotes the number */
        assert_int_equal(r.outcome, GW_FAILED);
        assert_int_equal(r.http_status, 400);
        assert_int_equal(r.error_code, codes[i]);
        snprintf(want, sizeof want, "%d", codes[i]);
        assert_non_null(strstr(r.reason, want));
    }
    gw_close(g);
}

static void test_twilio_opted_out(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_error(F, 400, 21610);
    fgw_mode(F, FGW_ERROR, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_OPTED_OUT);
    assert_int_equal(r.error_code, 21610);
    gw_close(g);
}

static void test_twilio_other_4xx(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_error(F, 400, 21606);
    fgw_mode(F, FGW_ERROR, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_non_null(strstr(r.reason, "21606"));
    /* A wrong token: 401 with 20003, failed (not retried for ever). */
    fgw_twilio_auth(F, ACCOUNT, "another-token");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_int_equal(r.http_status, 401);
    assert_int_equal(r.error_code, 20003);
    gw_close(g);
}

static void test_twilio_429(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_retry_after(F, "7");
    fgw_mode(F, FGW_429, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.http_status, 429);
    assert_int_equal(r.error_code, 20429);
    assert_int_equal(r.retry_after_s, 7);
    send_to(g, TO, BODY, &r); /* the next one goes through */
    assert_int_equal(r.outcome, GW_SENT);
    assert_int_equal(r.retry_after_s, -1);
    gw_close(g);
}

static void test_twilio_5xx(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_mode(F, FGW_503, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.http_status, 503);
    assert_int_equal(r.retry_after_s, 2);
    fgw_mode(F, FGW_500, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.http_status, 500);
    assert_int_equal(fgw_message_count(F), 0);
    gw_close(g);
}

/* ---- Twilio: no answer ---------------------------------------------------------- */

static void test_twilio_hang_is_unknown(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    double t0, took;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_mode(F, FGW_HANG, 1);
    t0 = now_s();
    send_to(g, TO, BODY, &r);
    took = now_s() - t0;
    assert_int_equal(r.outcome, GW_UNKNOWN);
    assert_int_equal(r.http_status, 0);
    /* Within [sms] timeout_s (2 s here), and not much sooner. */
    assert_true(took >= 1.5 && took < 3.5);
    /* The fake got the whole request: it may have acted on it. */
    assert_string_equal(fgw_field(fgw_request_at(F, -1), "Body"), BODY);
    gw_close(g);
}

static void test_twilio_drop_is_unknown(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_mode(F, FGW_DROP, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    assert_int_equal(fgw_request_count(F), 1); /* never re-sent by libcurl */
    gw_close(g);
}

static void test_twilio_refused_is_retry(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    twilio_cfg(&c);
    snprintf(c.twilio_base_url, sizeof c.twilio_base_url, "http://127.0.0.1:%u",
             closed_port());
    g = open_gw(&c);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.http_status, 0);
    assert_non_null(strstr(r.reason, "not sent"));
    gw_close(g);
}

static void test_twilio_rate_limit(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    int sent = 0, retry = 0;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_rate_limit(F, 1);
    /* Three sends in a few milliseconds cross at most one second boundary. */
    for (int i = 0; i < 3; i++) {
        send_to(g, TO, BODY, &r);
        sent += r.outcome == GW_SENT;
        retry += r.outcome == GW_RETRY && r.error_code == 20429 && r.retry_after_s == 2;
    }
    assert_true(sent >= 1 && retry >= 1 && sent + retry == 3);
    assert_int_equal(fgw_message_count(F), sent);
    gw_close(g);
}

/* ---- Twilio: reconcile, poll, check ------------------------------------------- */

static void test_twilio_reconcile(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r, rr;
    gw_message m = {"ob-7", TO, BODY, 0, NULL};
    gw_message other = {"ob-8", "+15550100142", BODY, 0, NULL};
    time_t since = time(NULL) - 5;
    const fgw_request *q;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    assert_int_equal(gw_reconcile(g, &m, since, &rr), 1);
    assert_string_equal(rr.message_id, r.message_id);
    assert_string_equal(rr.status, "queued");
    q = fgw_request_at(F, -1);
    assert_string_equal(q->method, "GET");
    assert_string_equal(fgw_field(q, "To"), TO);
    assert_string_equal(fgw_field(q, "From"), CLINIC);
    assert_string_equal(fgw_field(q, "PageSize"), "50");
    /* Another number: Twilio certainly has nothing, so sending is safe. */
    assert_int_equal(gw_reconcile(g, &other, since, &rr), 0);
    assert_clean(&rr);
    /* Same number, another text since then: a person must look. */
    m.body = "Example Clinic: reply HELP for help";
    assert_int_equal(gw_reconcile(g, &m, since, &rr), -1);
    assert_clean(&rr);
    /* A matching text from long before `since` is an older one. */
    fgw_reset(F);
    fgw_add_message(F, "outbound-api", CLINIC, other.to, BODY, since - 86400 * 2,
                    since - 86400 * 2, NULL);
    assert_int_equal(gw_reconcile(g, &other, since, &rr), 0);
    /* No answer: cannot tell. */
    fgw_mode(F, FGW_503, 1);
    assert_int_equal(gw_reconcile(g, &other, since, &rr), -1);
    gw_close(g);
}

typedef struct {
    int n;
    gw_inbound got[8];
} inbox;

static int take_inbound(void *ctx, const gw_inbound *in)
{
    inbox *b = ctx;
    if (b->n < 8)
        b->got[b->n++] = *in;
    return 0;
}

static void test_twilio_poll(void **st)
{
    sg_config c;
    sms_gateway *g;
    inbox b = {0};
    time_t now = time(NULL), since = now - 300;
    const fgw_request *q;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_add_message(F, "inbound", TO, CLINIC, "1", now - 100, now - 100, NULL);
    fgw_add_message(F, "inbound", "+15550100142", CLINIC, "STOP", now - 50, now - 50,
                    NULL);
    fgw_add_message(F, "outbound-api", CLINIC, TO, BODY, now - 60, now - 60, NULL);
    fgw_add_message(F, "inbound", TO, "+15550100111", "other line", now - 40, now - 40,
                    NULL);
    fgw_add_message(F, "inbound", TO, CLINIC, "old", now - 400, now - 400, NULL);
    assert_int_equal(gw_poll_inbound(g, &since, take_inbound, &b), SG_OK);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.got[0].body, "1"); /* oldest first */
    assert_string_equal(b.got[0].from, TO);
    assert_string_equal(b.got[0].to, CLINIC);
    assert_int_equal(b.got[0].received, now - 100);
    assert_true(gw_sid_ok(b.got[0].message_id, "SM"));
    assert_string_equal(b.got[1].body, "STOP");
    assert_int_equal(since, now - 50);
    q = fgw_request_at(F, -1);
    assert_string_equal(fgw_field(q, "To"), CLINIC);
    assert_non_null(fgw_field(q, "DateSent>"));
    assert_non_null(strstr(q->uri, "DateSent%3E="));
    gw_close(g);
}

static void test_twilio_poll_pages(void **st)
{
    sg_config c;
    sms_gateway *g;
    inbox b = {0};
    time_t now = time(NULL), since = now - 3000;
    int calls = 0;

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    /* 120 replies: three pages of 50, followed through next_page_uri. */
    for (int i = 0; i < 120; i++)
        fgw_add_message(F, "inbound", TO, CLINIC, "1", now - 2000 + i, now - 2000 + i,
                        NULL);
    assert_int_equal(gw_poll_inbound(g, &since, take_inbound, &b), SG_OK);
    assert_int_equal(since, now - 2000 + 119);
    calls = fgw_request_count(F);
    assert_int_equal(calls, 3);
    gw_close(g);
}

static void test_twilio_check(void **st)
{
    sg_config c;
    sms_gateway *g;
    char why[200];

    (void)st;
    twilio_cfg(&c);
    g = open_gw(&c);
    assert_int_equal(gw_check(g, why, sizeof why), SG_OK);
    assert_string_equal(fgw_request_at(F, -1)->path,
                        "/2010-04-01/Accounts/" ACCOUNT ".json");
    assert_string_equal(fgw_request_at(F, -1)->method, "GET");
    fgw_twilio_auth(F, ACCOUNT, "rotated");
    assert_int_equal(gw_check(g, why, sizeof why), SG_EAUTH);
    assert_null(strstr(why, TOKEN));
    assert_int_equal(fgw_message_count(F), 0); /* nothing was sent */
    gw_close(g);
    snprintf(c.twilio_base_url, sizeof c.twilio_base_url, "http://127.0.0.1:%u",
             closed_port());
    g = open_gw(&c);
    assert_int_equal(gw_check(g, why, sizeof why), SG_EIO);
    gw_close(g);
}

static void test_twilio_open_errors(void **st)
{
    sg_config c;

    (void)st;
    twilio_cfg(&c);
    snprintf(c.twilio_account_sid, sizeof c.twilio_account_sid, "AC123");
    open_fails(&c, SG_EINVAL, "[sms.twilio] account_sid");
    twilio_cfg(&c);
    snprintf(c.twilio_account_sid, sizeof c.twilio_account_sid,
             "AXa1b2c3d4e5f60718293a4b5c6d7e8f90");
    open_fails(&c, SG_EINVAL, "[sms.twilio] account_sid");
    twilio_cfg(&c);
    snprintf(c.twilio_messaging_service_sid, sizeof c.twilio_messaging_service_sid,
             "MG0123456789abcdef0123456789abcdeg");
    open_fails(&c, SG_EINVAL, "[sms.twilio] messaging_service_sid");
    twilio_cfg(&c);
    snprintf(c.twilio_auth_token_file, sizeof c.twilio_auth_token_file, "%s/missing",
             dir);
    open_fails(&c, SG_EINVAL, "[sms.twilio] auth_token_file");
    open_fails(&c, SG_EINVAL, "/missing");
    twilio_cfg(&c);
    c.sms_from[0] = '\0';
    open_fails(&c, SG_EINVAL, "[sms] from");
    twilio_cfg(&c);
    snprintf(c.twilio_base_url, sizeof c.twilio_base_url, "ftp://127.0.0.1/");
    open_fails(&c, SG_EINVAL, "[sms.twilio] base_url");
    snprintf(c.sms_gateway, sizeof c.sms_gateway, "none");
    open_fails(&c, SG_ENOTFOUND, "none");
    snprintf(c.sms_gateway, sizeof c.sms_gateway, "carrier-pigeon");
    open_fails(&c, SG_EINVAL, "[sms] gateway");
}

/* ---- Kannel ---------------------------------------------------------------------- */

static void test_kannel_accepted(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    const fgw_request *q;
    gw_message m = {"ob-9", TO, "¿Llegó? Responda 1 — sí", 0, NULL};

    (void)st;
    kannel_cfg(&c);
    snprintf(c.kannel_smsc, sizeof c.kannel_smsc, "modem1");
    g = open_gw(&c);
    assert_string_equal(gw_name(g), "kannel");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_SENT);
    assert_int_equal(r.http_status, 202);
    assert_string_equal(r.status, "accepted");
    q = fgw_request_at(F, -1);
    assert_string_equal(q->method, "GET");
    assert_string_equal(q->path, "/cgi-bin/sendsms");
    assert_string_equal(fgw_field(q, "username"), "clinic");
    assert_string_equal(fgw_field(q, "password"), KPASS);
    assert_string_equal(fgw_field(q, "from"), CLINIC);
    assert_string_equal(fgw_field(q, "to"), TO);
    assert_string_equal(fgw_field(q, "text"), BODY);
    assert_string_equal(fgw_field(q, "charset"), "UTF-8");
    assert_string_equal(fgw_field(q, "coding"), "0");
    assert_string_equal(fgw_field(q, "smsc"), "modem1");
    assert_string_equal(fgw_field(q, "validity"), "60");
    assert_string_equal(fgw_field(q, "dlr-mask"), "31");
    assert_string_equal(fgw_field(q, "dlr-url"),
                        "https://clinic.example.org/sms/status/ob-42");
    assert_non_null(strstr(q->uri, "to=%2B15550100199"));
    /* Outside GSM-7 ("—", "ó" is not in it either): UCS-2. */
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    q = fgw_request_at(F, -1);
    assert_string_equal(fgw_field(q, "coding"), "2");
    assert_string_equal(fgw_field(q, "text"), m.body);
    assert_null(fgw_field(q, "dlr-url"));
    assert_null(fgw_field(q, "validity"));
    gw_close(g);
}

static void test_kannel_answers(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    kannel_cfg(&c);
    g = open_gw(&c);
    fgw_mode(F, FGW_QUEUED, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_SENT);
    assert_string_equal(r.status, "queued");
    fgw_kannel_auth(F, "clinic", "other");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_int_equal(r.http_status, 403);
    assert_non_null(strstr(r.reason, "Authorization failed"));
    fgw_mode(F, FGW_503, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.retry_after_s, 2);
    fgw_mode(F, FGW_DROP, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    fgw_mode(F, FGW_HANG, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    gw_close(g);
    snprintf(c.kannel_url, sizeof c.kannel_url, "http://127.0.0.1:%u/", closed_port());
    g = open_gw(&c);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    gw_close(g);
}

static void test_kannel_no_reconcile_no_poll(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    gw_message m = {"ob-9", TO, BODY, 0, NULL};
    time_t since = 0;
    inbox b = {0};

    (void)st;
    kannel_cfg(&c);
    g = open_gw(&c);
    assert_int_equal(gw_reconcile(g, &m, 0, &r), -1);
    assert_int_equal(gw_poll_inbound(g, &since, take_inbound, &b), SG_ENOTFOUND);
    assert_int_equal(fgw_request_count(F), 0);
    gw_close(g);
}

static void test_kannel_check(void **st)
{
    sg_config c;
    sms_gateway *g;
    char why[200];

    (void)st;
    kannel_cfg(&c);
    g = open_gw(&c);
    assert_int_equal(gw_check(g, why, sizeof why), SG_OK);
    assert_null(fgw_field(fgw_request_at(F, -1), "to"));
    fgw_kannel_auth(F, "clinic", "rotated");
    assert_int_equal(gw_check(g, why, sizeof why), SG_EAUTH);
    assert_null(strstr(why, KPASS));
    gw_close(g);
    snprintf(c.kannel_url, sizeof c.kannel_url, "http://127.0.0.1:%u", closed_port());
    g = open_gw(&c);
    assert_int_equal(gw_check(g, why, sizeof why), SG_EIO);
    gw_close(g);
}

static void test_kannel_open_errors(void **st)
{
    sg_config c;

    (void)st;
    kannel_cfg(&c);
    c.kannel_url[0] = '\0';
    open_fails(&c, SG_EINVAL, "[sms.kannel] url");
    kannel_cfg(&c);
    c.kannel_username[0] = '\0';
    open_fails(&c, SG_EINVAL, "[sms.kannel] username");
    kannel_cfg(&c);
    c.kannel_password_file[0] = '\0';
    open_fails(&c, SG_EINVAL, "[sms.kannel] password_file");
}

/* ---- The generic template gateway ---------------------------------------------- */

#define TRICKY "Say \"hi\" & a=b\\c\n+café ✓"

static void test_http_json(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    gw_message m = {"ob-3", TO, TRICKY, 0, NULL};
    const fgw_request *q;
    json_t *j;

    (void)st;
    http_cfg(
        &c, "POST", "/api/send",
        "{\"to\":\"{{to}}\",\"from\":\"{{from}}\",\"text\":\"{{text}}\",\"ref\":{{id}}}",
        "Content-Type: application/json|X-Api-Key: k-123 | Accept: */*", "2xx");
    g = open_gw(&c);
    assert_string_equal(gw_name(g), "http");
    gw_send(g, &m, &r);
    assert_clean(&r);
    assert_int_equal(r.outcome, GW_SENT);
    q = fgw_request_at(F, -1);
    assert_string_equal(q->path, "/api/send");
    assert_string_equal(q->content_type, "application/json");
    assert_string_equal(fgw_header(q, "X-Api-Key"), "k-123");
    assert_string_equal(fgw_header(q, "Accept"), "*/*");
    assert_string_equal(q->body, "{\"to\":\"+15550100199\",\"from\":\"+15550100100\","
                                 "\"text\":\"Say \\\"hi\\\" & a=b\\\\c\\n+café ✓\","
                                 "\"ref\":\"ob-3\"}");
    assert_non_null(j = json_loads(q->body, 0, NULL));
    assert_string_equal(json_string_value(json_object_get(j, "text")), TRICKY);
    json_decref(j);
    gw_close(g);
}

static void test_http_form(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    gw_message m = {"ob-4", TO, TRICKY, 0, NULL};
    const fgw_request *q;

    (void)st;
    http_cfg(&c, "PUT", "/form", "number={{to}}&msg={{text}}&ref={{id}}", "", "2xx");
    g = open_gw(&c);
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    q = fgw_request_at(F, -1);
    assert_string_equal(q->method, "PUT");
    assert_string_equal(q->content_type, "application/x-www-form-urlencoded");
    assert_string_equal(q->body,
                        "number=%2B15550100199&msg=Say%20%22hi%22%20%26%20a%3Db%5Cc"
                        "%0A%2Bcaf%C3%A9%20%E2%9C%93&ref=ob-4");
    assert_string_equal(fgw_field(q, "msg"), TRICKY);
    assert_string_equal(fgw_field(q, "number"), TO);
    gw_close(g);
}

static void test_http_get_url(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    gw_message m = {"ob 5", TO, "a&b=c é", 0, NULL};
    const fgw_request *q;

    (void)st;
    http_cfg(&c, "GET", "/get?dest={{to}}&t={{text}}&id={{id}}&k=fixed", "",
             "Authorization: Bearer tok-1", "2xx:ok");
    g = open_gw(&c);
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    q = fgw_request_at(F, -1);
    assert_string_equal(q->method, "GET");
    assert_string_equal(
        q->uri, "/get?dest=%2B15550100199&t=a%26b%3Dc%20%C3%A9&id=ob%205&k=fixed");
    assert_string_equal(fgw_field(q, "t"), "a&b=c é");
    assert_string_equal(q->auth, "Bearer tok-1");
    assert_int_equal(q->body_len, 0);
    gw_close(g);
}

static void test_http_outcomes(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    http_cfg(&c, "POST", "/send", "to={{to}}&text={{text}}", "", "2xx:\"queued\"");
    g = open_gw(&c);
    fgw_custom(F, 200, "application/json", "{\"status\":\"queued\",\"id\":7}");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_SENT);
    fgw_custom(F, 200, "application/json",
               "{\"status\":\"error\",\"why\":\"no credit\"}");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    fgw_mode(F, FGW_429, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.retry_after_s, 2);
    fgw_mode(F, FGW_500, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    fgw_mode(F, FGW_ERROR, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_int_equal(r.http_status, 400);
    fgw_mode(F, FGW_DROP, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    fgw_mode(F, FGW_HANG, 1);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    gw_close(g);
    http_cfg(&c, "POST", "/send", "to={{to}}", "", "2xx");
    snprintf(c.http_url, sizeof c.http_url, "http://127.0.0.1:%u/send", closed_port());
    g = open_gw(&c);
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    gw_close(g);
}

static void test_http_open_errors(void **st)
{
    sg_config c;

    (void)st;
    http_cfg(&c, "POST", "/s", "to={{to}}&text={{message}}", "", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] body");
    http_cfg(&c, "POST", "/s", "to={{to}&text=x", "", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] body");
    http_cfg(&c, "POST", "/s?x={{nope}}", "to={{to}}", "", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] url");
    http_cfg(&c, "GET", "/s", "to={{to}}", "", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] body");
    http_cfg(&c, "POST", "/s", "to={{to}}", "", "200");
    open_fails(&c, SG_EINVAL, "[sms.http] success");
    http_cfg(&c, "POST", "/s", "to={{to}}", "", "2xx:");
    open_fails(&c, SG_EINVAL, "[sms.http] success");
    http_cfg(&c, "POST", "/s", "{\"to\":\"{{to}}\"}", "", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] headers");
    http_cfg(&c, "POST", "/s", "<to>{{to}}</to>", "Content-Type: text/xml", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] headers");
    http_cfg(&c, "POST", "/s", "to={{to}}", "X-To: {{to}}", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] headers");
    http_cfg(&c, "POST", "/s", "to={{to}}", "no colon here", "2xx");
    open_fails(&c, SG_EINVAL, "[sms.http] headers");
}

static void test_tpl_expand(void **st)
{
    sg_buf b;
    gw_tpl_vars v = {"+15550100199", "+15550100100", "a\"b\x01", "x"};

    (void)st;
    sg_buf_init(&b, 1024);
    /* Bare in JSON: a whole string; between quotes: the characters. */
    assert_int_equal(gw_tpl_expand("[{{text}},\"{{text}}\",{{id}}]", GW_TPL_JSON, &v, &b),
                     0);
    assert_string_equal(b.data, "[\"a\\\"b\\u0001\",\"a\\\"b\\u0001\",\"x\"]");
    sg_buf_reset(&b);
    assert_int_equal(gw_tpl_expand("{{from}}-{{to}}", GW_TPL_URL, &v, &b), 0);
    assert_string_equal(b.data, "%2B15550100100-%2B15550100199");
    sg_buf_reset(&b);
    assert_int_equal(gw_tpl_expand("no placeholders {here}", GW_TPL_FORM, &v, &b), 0);
    assert_string_equal(b.data, "no placeholders {here}");
    assert_int_equal(gw_tpl_expand("{{ to }}", GW_TPL_FORM, NULL, NULL), SG_EINVAL);
    assert_int_equal(gw_tpl_expand("{{TO}}", GW_TPL_FORM, NULL, NULL), SG_EINVAL);
    assert_int_equal(gw_tpl_expand("{{to", GW_TPL_FORM, NULL, NULL), SG_EINVAL);
    assert_int_equal(
        gw_tpl_expand("{{to}}{{from}}{{text}}{{id}}", GW_TPL_FORM, NULL, NULL), 0);
    sg_buf_free(&b);
    sg_buf_init(&b, 8);
    assert_int_equal(gw_tpl_expand("{{text}}{{text}}{{text}}", GW_TPL_URL, &v, &b),
                     SG_ETOOBIG);
    sg_buf_free(&b);
}

/* ---- The log gateway ----------------------------------------------------------- */

static void test_log_gateway(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    char path[160], line[512] = "", why[200];
    int saved, fd;
    FILE *f;

    (void)st;
    base_cfg(&c, "log");
    g = open_gw(&c);
    assert_string_equal(gw_name(g), "log");
    /* stderr into a file for the one call, to read the line back. */
    snprintf(path, sizeof path, "%s/log.txt", dir);
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(fd, 2);
    send_to(g, "+12175550167", BODY, &r);
    fflush(stderr);
    dup2(saved, 2);
    close(fd);
    close(saved);
    assert_int_equal(r.outcome, GW_SENT);
    assert_string_equal(r.message_id, "log-ob-42");
    assert_non_null(f = fopen(path, "r"));
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line,
                           "sms: text ob-42 to (***) ***-**67 sent by the log gateway "
                           "(1 segment)"));
    assert_null(strstr(line, "5550167"));
    assert_null(strstr(line, "food"));
    assert_int_equal(gw_check(g, why, sizeof why), SG_OK);
    assert_int_equal(gw_reconcile(g, &(gw_message){"x", TO, BODY, 0, NULL}, 0, &r), -1);
    gw_close(g);
    gw_close(NULL);
}

/* ---- Twilio's webhooks (pure) ------------------------------------------------- */

static void test_signature_known_answers(void **st)
{
    /* Twilio's documented example; the answer matches its documentation
     * and `openssl dgst -sha1 -hmac 12345 -binary | base64`. */
    static const gw_param doc[] = {{"To", "+18005551212"},
                                   {"Caller", "+12349013030"},
                                   {"Digits", "1234"},
                                   {"From", "+12349013030"},
                                   {"CallSid", "CA1234567890ABCDE"}};
    /* A status callback, computed the same way with openssl. */
    static const gw_param cb[] = {{"MessageStatus", "undelivered"},
                                  {"To", "+15550100199"},
                                  {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
                                  {"ErrorCode", "30003"},
                                  {"AccountSid", ACCOUNT}};
    char sig[64], small[20];

    (void)st;
    assert_int_equal(gw_twilio_sign("12345",
                                    "https://mycompany.com/myapp.php?foo=1&bar=2", doc, 5,
                                    sig, sizeof sig),
                     0);
    assert_string_equal(sig, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    assert_int_equal(gw_twilio_sign(TOKEN,
                                    "https://clinic.example.org/sms/twilio/status?k=1",
                                    cb, 5, sig, sizeof sig),
                     0);
    assert_string_equal(sig, "JyATFs3QSLk5gIvSF4kdAfLC2pA=");
    assert_int_equal(gw_twilio_sign("12345", "https://x", doc, 5, small, sizeof small),
                     SG_ETOOBIG);
}

static void test_signature_ok(void **st)
{
    gw_param p[] = {{"MessageSid", "SM0123456789abcdef0123456789abcdef"},
                    {"MessageStatus", "delivered"},
                    {"ApiVersion", "2010-04-01"}};
    const char *url = "https://clinic.example.org/sms/twilio/status";
    char sig[64];

    (void)st;
    assert_int_equal(gw_twilio_sign(TOKEN, url, p, 3, sig, sizeof sig), 0);
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 3, sig), 1);
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 3, NULL), 0);
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 3, ""), 0);
    assert_int_equal(gw_twilio_signature_ok("other", url, p, 3, sig), 0);
    assert_int_equal(
        gw_twilio_signature_ok(TOKEN, "https://clinic.example.org/x", p, 3, sig), 0);
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 2, sig), 0);
    p[1].value = "failed";
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 3, sig), 0);
    sig[5] ^= 1;
    p[1].value = "delivered";
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 3, sig), 0);
    sig[5] ^= 1;
    sig[27] = '\0'; /* one character short */
    assert_int_equal(gw_twilio_signature_ok(TOKEN, url, p, 3, sig), 0);
}

static void test_twilio_parse_inbound(void **st)
{
    gw_param p[] = {{"ToCountry", "US"},   {"SmsSid", "SM1"},
                    {"Body", "Stop"},      {"From", TO},
                    {"To", CLINIC},        {"NumMedia", "0"},
                    {"MessageSid", "SMa"}, {"SomethingNewFromTwilio", "1"}};
    gw_inbound in;
    char err[100];

    (void)st;
    assert_int_equal(gw_twilio_parse_inbound(p, 8, &in, err, sizeof err), 0);
    assert_string_equal(in.message_id, "SMa");
    assert_string_equal(in.from, TO);
    assert_string_equal(in.to, CLINIC);
    assert_string_equal(in.body, "Stop");
    assert_int_equal(in.received, 0);
    p[2].name = "Bodyx";
    assert_int_equal(gw_twilio_parse_inbound(p, 8, &in, err, sizeof err), SG_EINVAL);
    assert_string_equal(err, "Body is missing");
    p[2].name = "Body";
    p[3].value = "+1555010019912345678901234567890";
    assert_int_equal(gw_twilio_parse_inbound(p, 8, &in, err, sizeof err), SG_EINVAL);
    assert_string_equal(err, "From is too long");
}

static void test_twilio_parse_status(void **st)
{
    gw_param p[] = {{"MessageSid", "SMb"},
                    {"MessageStatus", "sent"},
                    {"ErrorCode", ""},
                    {"RawDlrDoneDate", "2401011200"}};
    static const struct {
        const char *status;
        int final;
    } cases[] = {{"queued", 0},      {"sending", 0},   {"sent", 0},     {"delivered", 1},
                 {"undelivered", 1}, {"failed", 1},    {"read", 1},     {"canceled", 1},
                 {"accepted", 0},    {"scheduled", 0}, {"receiving", 0}};
    gw_status s;
    char err[100];

    (void)st;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p[1].value = cases[i].status;
        assert_int_equal(gw_twilio_parse_status(p, 4, &s, err, sizeof err), 0);
        assert_string_equal(s.status, cases[i].status);
        assert_int_equal(s.final, cases[i].final);
        assert_int_equal(s.error_code, 0);
        assert_string_equal(s.message_id, "SMb");
    }
    p[1].value = "undelivered";
    p[2].value = "30003";
    assert_int_equal(gw_twilio_parse_status(p, 4, &s, err, sizeof err), 0);
    assert_int_equal(s.error_code, 30003);
    p[2].value = "3x";
    assert_int_equal(gw_twilio_parse_status(p, 4, &s, err, sizeof err), SG_EINVAL);
    assert_int_equal(gw_twilio_parse_status(p, 1, &s, err, sizeof err), SG_EINVAL);
    assert_string_equal(err, "MessageStatus is missing");
}

/* ---- Kannel's callbacks (pure) ---------------------------------------------------- */

static void test_kannel_parse_inbound(void **st)
{
    gw_param p[] = {{"from", TO},   {"to", CLINIC},         {"text", "1"},
                    {"id", "k-77"}, {"time", "1767225600"}, {"smsc", "modem1"}};
    gw_inbound in;
    char err[100];

    (void)st;
    assert_int_equal(gw_kannel_parse_inbound(p, 6, &in, err, sizeof err), 0);
    assert_string_equal(in.message_id, "k-77");
    assert_string_equal(in.from, TO);
    assert_string_equal(in.body, "1");
    assert_int_equal(in.received, 1767225600);
    assert_int_equal(gw_kannel_parse_inbound(p, 4, &in, err, sizeof err), 0);
    assert_int_equal(in.received, 0);
    p[4].value = "yesterday";
    assert_int_equal(gw_kannel_parse_inbound(p, 5, &in, err, sizeof err), SG_EINVAL);
    assert_int_equal(gw_kannel_parse_inbound(p, 3, &in, err, sizeof err), SG_EINVAL);
    assert_string_equal(err, "id is missing");
}

static void test_kannel_parse_dlr(void **st)
{
    static const struct {
        const char *type, *status;
        int final;
    } cases[] = {{"1", "delivered", 1}, {"2", "failed", 1},  {"4", "queued", 0},
                 {"8", "sent", 0},      {"16", "failed", 1}, {"9", "delivered", 1}};
    gw_param p[] = {{"id", "ob-42"}, {"type", ""}, {"reply", "ACK/"}};
    gw_status s;
    char err[100];

    (void)st;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p[1].value = cases[i].type;
        assert_int_equal(gw_kannel_parse_dlr(p, 3, &s, err, sizeof err), 0);
        assert_string_equal(s.outbox_id, "ob-42");
        assert_string_equal(s.status, cases[i].status);
        assert_int_equal(s.final, cases[i].final);
    }
    p[1].value = "32";
    assert_int_equal(gw_kannel_parse_dlr(p, 3, &s, err, sizeof err), SG_EINVAL);
    p[1].value = "x";
    assert_int_equal(gw_kannel_parse_dlr(p, 3, &s, err, sizeof err), SG_EINVAL);
    assert_int_equal(gw_kannel_parse_dlr(p, 1, &s, err, sizeof err), SG_EINVAL);
    assert_string_equal(err, "type is missing");
}

/* ---- Retry or unknown (pure) ----------------------------------------------------- */

static void test_net_rule(void **st)
{
    (void)st;
    /* Nothing (or not all of it) left: certainly not processed. */
    assert_int_equal(gw_curl_classify(CURLE_COULDNT_RESOLVE_HOST, 0, 0), GW_NET_NOT_SENT);
    assert_int_equal(gw_curl_classify(CURLE_COULDNT_CONNECT, 0, 0), GW_NET_NOT_SENT);
    assert_int_equal(gw_curl_classify(CURLE_OPERATION_TIMEDOUT, 0, 0), GW_NET_NOT_SENT);
    assert_int_equal(gw_curl_classify(CURLE_SSL_CONNECT_ERROR, 0, 0), GW_NET_NOT_SENT);
    assert_int_equal(gw_curl_classify(CURLE_SEND_ERROR, 0, 0), GW_NET_NOT_SENT);
    /* All of it left, no answer: may have been processed. */
    assert_int_equal(gw_curl_classify(CURLE_OPERATION_TIMEDOUT, 0, 1), GW_NET_MAYBE);
    assert_int_equal(gw_curl_classify(CURLE_GOT_NOTHING, 0, 1), GW_NET_MAYBE);
    assert_int_equal(gw_curl_classify(CURLE_RECV_ERROR, 0, 1), GW_NET_MAYBE);
    /* A status line came: it decides, even if the body was then lost. */
    assert_int_equal(gw_curl_classify(CURLE_OPERATION_TIMEDOUT, 201, 1), GW_NET_ANSWERED);
    assert_int_equal(gw_curl_classify(CURLE_OK, 503, 1), GW_NET_ANSWERED);
}

/* A server that takes connections (the kernel's backlog) and never reads. */
static int deaf_server(unsigned *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s, 4), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return s;
}

static gw_net post_to_deaf(size_t body_len)
{
    char url[64];
    char *body = malloc(body_len);
    unsigned port;
    int s = deaf_server(&port);
    gw_curl *c;
    gw_request rq = {0};
    gw_response rs;
    gw_net net;

    assert_non_null(body);
    memset(body, 'x', body_len);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/x", port);
    rq.method = "POST";
    rq.url = url;
    rq.body = body;
    rq.body_len = body_len;
    gw_response_init(&rs);
    assert_int_equal(gw_curl_open(2, &c), SG_OK);
    gw_curl_perform(c, &rq, &rs);
    net = rs.net;
    assert_int_equal(rs.http_status, 0);
    gw_curl_close(c);
    gw_response_free(&rs);
    close(s);
    free(body);
    return net;
}

/* The rule on a real socket: a small request fits the kernel's buffers
 * (all of it left: maybe processed); 64 MB cannot (some of it never left:
 * certainly not processed, even though the connection was made). */
static void test_net_rule_on_the_wire(void **st)
{
    (void)st;
    assert_int_equal(post_to_deaf(1000), GW_NET_MAYBE);
    assert_int_equal(post_to_deaf(64u << 20), GW_NET_NOT_SENT);
}

/* A body libcurl writes in several pieces is still counted whole. */
static void test_twilio_long_text_drop(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    char body[1601 * 4];
    size_t n = 0;

    (void)st;
    while (n + 4 < sizeof body - 1) {
        memcpy(body + n, "\xf0\x9f\x98\x80", 4); /* U+1F600, 12 bytes escaped */
        n += 4;
    }
    body[n] = '\0';
    twilio_cfg(&c);
    g = open_gw(&c);
    fgw_mode(F, FGW_DROP, 1);
    send_to(g, TO, body, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    assert_string_equal(fgw_field(fgw_request_at(F, -1), "Body"), body);
    gw_close(g);
}

static void test_twilio_classify(void **st)
{
    gw_result r;

    (void)st;
    gw_result_clear(&r);
    gw_twilio_classify(201,
                       "{\"sid\":\"SMx\",\"status\":\"accepted\",\"error_code\":null,"
                       "\"num_segments\":\"2\"}",
                       -1, &r);
    assert_int_equal(r.outcome, GW_SENT);
    assert_string_equal(r.message_id, "SMx");
    assert_string_equal(r.status, "accepted");
    gw_result_clear(&r);
    gw_twilio_classify(201, "<html>", -1, &r); /* created, whatever the body */
    assert_int_equal(r.outcome, GW_SENT);
    gw_result_clear(&r);
    gw_twilio_classify(400, "{\"code\":20429,\"status\":400}", 3, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    assert_int_equal(r.retry_after_s, 3);
    gw_result_clear(&r);
    gw_twilio_classify(429, "", -1, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    gw_result_clear(&r);
    gw_twilio_classify(502, NULL, -1, &r);
    assert_int_equal(r.outcome, GW_RETRY);
    gw_result_clear(&r);
    gw_twilio_classify(400, "{\"code\":21635,\"message\":\"+15550100199 is a landline\"}",
                       -1, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_int_equal(r.error_code, 21635);
    assert_clean(&r);
    gw_result_clear(&r);
    gw_twilio_classify(404, "{\"code\":20404}", -1, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_non_null(strstr(r.reason, "20404"));
    gw_result_clear(&r);
    gw_twilio_classify(301, "", -1, &r);
    assert_int_equal(r.outcome, GW_FAILED);
    assert_non_null(strstr(r.reason, "base_url"));
}

static void test_retry_after(void **st)
{
    time_t now = 1767225600; /* 2026-01-01T00:00:00Z */

    (void)st;
    assert_int_equal(gw_parse_retry_after("7", now), 7);
    assert_int_equal(gw_parse_retry_after(" 120 ", now), 120);
    assert_int_equal(gw_parse_retry_after("Thu, 01 Jan 2026 00:01:30 GMT", now), 90);
    assert_int_equal(gw_parse_retry_after("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
    assert_int_equal(gw_parse_retry_after("soon", now), -1);
    assert_int_equal(gw_parse_retry_after("7s", now), -1);
    assert_int_equal(gw_parse_retry_after("99999999999999", now), 86400 * 7);
}

/* ---- Secrets ------------------------------------------------------------------------
 */

static void test_secret_files(void **st)
{
    char path[160], out[64], err[300];
    char big[200];

    (void)st;
    snprintf(path, sizeof path, "%s/creds", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/creds/twilio-token", dir);
    write_file(path, "s3cret-value\r\n\n");
    /* A bare name is looked up in $CREDENTIALS_DIRECTORY. */
    snprintf(path, sizeof path, "%s/creds", dir);
    setenv("CREDENTIALS_DIRECTORY", path, 1);
    assert_int_equal(gw_read_secret("twilio-token", out, sizeof out, err, sizeof err), 0);
    assert_string_equal(out, "s3cret-value");
    /* A path with a slash is taken as it is. */
    assert_int_equal(gw_read_secret(token_file, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(out, TOKEN);
    /* Missing: the error names the file, never a secret. */
    assert_int_equal(gw_read_secret("nope", out, sizeof out, err, sizeof err), SG_EIO);
    assert_non_null(strstr(err, "/creds/nope"));
    unsetenv("CREDENTIALS_DIRECTORY");
    assert_int_equal(gw_read_secret("twilio-token", out, sizeof out, err, sizeof err),
                     SG_EIO);
    /* Empty, two lines, too long. */
    snprintf(path, sizeof path, "%s/empty", dir);
    write_file(path, "\n");
    assert_int_equal(gw_read_secret(path, out, sizeof out, err, sizeof err), SG_EINVAL);
    snprintf(path, sizeof path, "%s/two", dir);
    write_file(path, "line-one\nline-two\n");
    assert_int_equal(gw_read_secret(path, out, sizeof out, err, sizeof err), SG_EINVAL);
    assert_null(strstr(err, "line-one"));
    assert_string_equal(out, "");
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(path, sizeof path, "%s/big", dir);
    write_file(path, big);
    assert_int_equal(gw_read_secret(path, out, sizeof out, err, sizeof err), SG_ETOOBIG);
    assert_null(strstr(err, "kkkk"));
}

/* The Twilio adapter takes its token from $CREDENTIALS_DIRECTORY too. */
static void test_twilio_credentials_directory(void **st)
{
    char path[160];
    sg_config c;
    sms_gateway *g;
    gw_result r;

    (void)st;
    snprintf(path, sizeof path, "%s/creds2", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/creds2/twilio-token", dir);
    write_file(path, "s3cret-value\n");
    snprintf(path, sizeof path, "%s/creds2", dir);
    setenv("CREDENTIALS_DIRECTORY", path, 1);
    twilio_cfg(&c);
    snprintf(c.twilio_auth_token_file, sizeof c.twilio_auth_token_file, "twilio-token");
    fgw_twilio_auth(F, ACCOUNT, "s3cret-value");
    g = open_gw(&c);
    unsetenv("CREDENTIALS_DIRECTORY");
    send_to(g, TO, BODY, &r);
    assert_int_equal(r.outcome, GW_SENT);
    gw_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_twilio_created, each),
        cmocka_unit_test_setup(test_twilio_service_and_no_validity, each),
        cmocka_unit_test_setup(test_twilio_invalid_number, each),
        cmocka_unit_test_setup(test_twilio_opted_out, each),
        cmocka_unit_test_setup(test_twilio_other_4xx, each),
        cmocka_unit_test_setup(test_twilio_429, each),
        cmocka_unit_test_setup(test_twilio_5xx, each),
        cmocka_unit_test_setup(test_twilio_hang_is_unknown, each),
        cmocka_unit_test_setup(test_twilio_drop_is_unknown, each),
        cmocka_unit_test_setup(test_twilio_refused_is_retry, each),
        cmocka_unit_test_setup(test_twilio_rate_limit, each),
        cmocka_unit_test_setup(test_twilio_reconcile, each),
        cmocka_unit_test_setup(test_twilio_poll, each),
        cmocka_unit_test_setup(test_twilio_poll_pages, each),
        cmocka_unit_test_setup(test_twilio_check, each),
        cmocka_unit_test_setup(test_twilio_open_errors, each),
        cmocka_unit_test_setup(test_kannel_accepted, each),
        cmocka_unit_test_setup(test_kannel_answers, each),
        cmocka_unit_test_setup(test_kannel_no_reconcile_no_poll, each),
        cmocka_unit_test_setup(test_kannel_check, each),
        cmocka_unit_test_setup(test_kannel_open_errors, each),
        cmocka_unit_test_setup(test_http_json, each),
        cmocka_unit_test_setup(test_http_form, each),
        cmocka_unit_test_setup(test_http_get_url, each),
        cmocka_unit_test_setup(test_http_outcomes, each),
        cmocka_unit_test_setup(test_http_open_errors, each),
        cmocka_unit_test(test_tpl_expand),
        cmocka_unit_test_setup(test_log_gateway, each),
        cmocka_unit_test(test_signature_known_answers),
        cmocka_unit_test(test_signature_ok),
        cmocka_unit_test(test_twilio_parse_inbound),
        cmocka_unit_test(test_twilio_parse_status),
        cmocka_unit_test(test_kannel_parse_inbound),
        cmocka_unit_test(test_kannel_parse_dlr),
        cmocka_unit_test(test_net_rule),
        cmocka_unit_test(test_net_rule_on_the_wire),
        cmocka_unit_test_setup(test_twilio_long_text_drop, each),
        cmocka_unit_test(test_twilio_classify),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test_setup(test_secret_files, each),
        cmocka_unit_test_setup(test_twilio_credentials_directory, each),
    };
    return cmocka_run_group_tests_name("sms.gateways", tests, setup, teardown);
}
