/*
 * The SMS gateway adapters (sms_gateway.h) against the fake gateway: every
 * outcome of a send for Twilio, Kannel and the generic template gateway
 * (taken, refused, opted out, rate-limited, server error, a hang, a
 * dropped connection, nobody listening), a table of sends per adapter;
 * Twilio's reconcile and reply polling, `doctor`'s check, the log gateway's
 * masked line; and the pure parts: the webhook signature against known
 * answers, the webhook parsers, template escaping, secrets from
 * $CREDENTIALS_DIRECTORY, and the rule that decides between "retry" and
 * "unknown".  No reason string may ever carry the number, the text or a
 * secret: every send checks that.  A failing table row names itself.
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
#define CALLBACK "https://clinic.example.org/sms/status/ob-42"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

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

/* dir/name, in path. */
static char *dir_path(char path[160], const char *name)
{
    snprintf(path, 160, "%s/%s", dir, name);
    return path;
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

/* The generic gateway of the send table: a form, sent when "queued" comes back. */
static void http_send_cfg(sg_config *c)
{
    http_cfg(c, "POST", "/send", "to={{to}}&text={{text}}", "", "2xx:\"queued\"");
}

/* A loopback socket on a port the kernel picks; listening or not. */
static int loopback_socket(unsigned *port, int listening)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    if (listening)
        assert_int_equal(listen(s, 4), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return s;
}

/* A loopback port nobody listens on. */
static unsigned closed_port(void)
{
    unsigned port;

    close(loopback_socket(&port, 0));
    return port;
}

/* Points c's gateway at a loopback port nobody listens on. */
static void point_at_closed_port(sg_config *c)
{
    unsigned port = closed_port();

    if (!strcmp(c->sms_gateway, "twilio"))
        snprintf(c->twilio_base_url, sizeof c->twilio_base_url, "http://127.0.0.1:%u",
                 port);
    else if (!strcmp(c->sms_gateway, "kannel"))
        snprintf(c->kannel_url, sizeof c->kannel_url, "http://127.0.0.1:%u/", port);
    else
        snprintf(c->http_url, sizeof c->http_url, "http://127.0.0.1:%u/send", port);
}

/* The fake now wants another Twilio token or Kannel password than c's. */
static void rotate_secret(const sg_config *c, const char *secret)
{
    if (!strcmp(c->sms_gateway, "twilio"))
        fgw_twilio_auth(F, ACCOUNT, secret);
    else
        fgw_kannel_auth(F, "clinic", secret);
}

/* Opens c's gateway; a failure names what was being tested. */
static sms_gateway *open_named(const sg_config *c, const char *name)
{
    char err[300];
    sms_gateway *g = NULL;
    sg_rc rc = gw_open(c, &g, err, sizeof err);

    if (rc)
        fail_msg("%s: gw_open: %s", name, err);
    return g;
}

static sms_gateway *open_gw(const sg_config *c)
{
    return open_named(c, c->sms_gateway);
}

/* A gateway as cfg sets it up, for tests that change nothing in it. */
static sms_gateway *open_with(void (*cfg)(sg_config *))
{
    sg_config c;

    cfg(&c);
    return open_gw(&c);
}

/* Opening must fail with rc and an error naming want. */
static void open_fails(const char *name, const sg_config *c, sg_rc rc, const char *want)
{
    char err[300] = "";
    sms_gateway *g = NULL;
    sg_rc got = gw_open(c, &g, err, sizeof err);

    if (got != rc || g)
        fail_msg("%s: gw_open gave %d (%s), expected %d", name, got, err, rc);
    if (!strstr(err, want))
        fail_msg("%s: error \"%s\" does not name \"%s\"", name, err, want);
    if (strstr(err, TOKEN) || strstr(err, KPASS))
        fail_msg("%s: the error leaks a secret: %s", name, err);
}

/* ---- Checks --------------------------------------------------------------------- */

static const char *const OUTCOME[] = {"sent", "retry", "failed", "opted out", "unknown"};

/* No reason may carry the number, the text or a secret. */
static void assert_clean(const char *name, const gw_result *r)
{
    if (strstr(r->reason, "0199") || strstr(r->reason, "food") ||
        strstr(r->reason, TOKEN) || strstr(r->reason, KPASS))
        fail_msg("%s: the reason leaks: %s", name, r->reason);
}

static void expect_int(const char *name, const char *what, int got, int want)
{
    if (got != want)
        fail_msg("%s: %s is %d, expected %d", name, what, got, want);
}

static void expect_str(const char *name, const char *what, const char *got,
                       const char *want)
{
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: %s is \"%s\", expected \"%s\"", name, what, got ? got : "(none)",
                 want);
}

#define NO_ANSWER (-1) /* as gw_expect.http_status: 0 expected, no HTTP answer came */

/* What a gw_result must hold: the outcome always, members left 0 or NULL
 * not at all; reason is a part of the reason. */
typedef struct {
    gw_outcome outcome;
    int http_status, error_code, retry_after_s;
    const char *reason, *status, *message_id;
} gw_expect;

static void check_result(const char *name, const gw_result *r, const gw_expect *e)
{
    if (r->outcome != e->outcome)
        fail_msg("%s: outcome %s, expected %s (reason: %s)", name, OUTCOME[r->outcome],
                 OUTCOME[e->outcome], r->reason);
    if (e->http_status)
        expect_int(name, "http_status", r->http_status,
                   e->http_status == NO_ANSWER ? 0 : e->http_status);
    if (e->error_code)
        expect_int(name, "error_code", r->error_code, e->error_code);
    if (e->retry_after_s)
        expect_int(name, "retry_after_s", r->retry_after_s, e->retry_after_s);
    if (e->reason && !strstr(r->reason, e->reason))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", name, r->reason, e->reason);
    if (e->status)
        expect_str(name, "status", r->status, e->status);
    if (e->message_id)
        expect_str(name, "message_id", r->message_id, e->message_id);
    assert_clean(name, r);
}

/* A field the fake decoded from a request; value NULL: the field is absent. */
typedef struct {
    const char *name, *value;
} want_field;

static void expect_fields(int line, const fgw_request *q, const want_field *w, size_t n)
{
    if (!q)
        fail_msg("line %d: no request", line);
    for (size_t i = 0; i < n; i++) {
        const char *got = fgw_field(q, w[i].name);

        if (w[i].value ? !got || strcmp(got, w[i].value) != 0 : got != NULL)
            fail_msg("line %d: field %s is \"%s\", expected \"%s\"", line, w[i].name,
                     got ? got : "(absent)", w[i].value ? w[i].value : "(absent)");
    }
}

#define EXPECT_FIELDS(q, ...)                                                            \
    expect_fields(__LINE__, q, (const want_field[]){__VA_ARGS__},                        \
                  N_OF(((const want_field[]){__VA_ARGS__})))

static void send_msg(sms_gateway *g, const char *name, const char *to, const char *body,
                     gw_result *r)
{
    gw_message m = {"ob-42", to, body, 3600, CALLBACK};

    gw_send(g, &m, r);
    assert_clean(name, r);
}

/* The usual text to the usual number. */
static void send_one(sms_gateway *g, const char *name, gw_result *r)
{
    send_msg(g, name, TO, BODY, r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- One send per table row ------------------------------------------------------ */

/* How the fake (or the config) is set up for one send, what must come back. */
typedef struct {
    const char *name;
    fgw_answer mode;         /* the fake's answer to this one send */
    int code;                /* FGW_ERROR on Twilio: this code, with HTTP 400 */
    const char *retry_after; /* of 429 and 503 answers ("2" when NULL) */
    const char *secret;      /* the fake wants this token or password instead */
    const char *custom;      /* the generic gateway's 200 JSON answer */
    int refused;             /* nobody listens at the configured URL */
    gw_expect want;          /* what must come back */
    int then_sent;           /* the next send goes through, no Retry-After */
} send_case;

static void arrange(sg_config *c, const send_case *k)
{
    each(NULL);
    if (k->code)
        fgw_error(F, 400, k->code);
    if (k->retry_after)
        fgw_retry_after(F, k->retry_after);
    if (k->secret)
        rotate_secret(c, k->secret);
    if (k->custom)
        fgw_custom(F, 200, "application/json", k->custom);
    if (k->refused)
        point_at_closed_port(c);
    fgw_mode(F, k->mode, 1);
}

/* What the fake saw: one request, never re-sent (none when refused); no
 * message kept when the answer says retry; and when the outcome is unknown,
 * the whole text: the gateway may have acted on it. */
static void check_fake(const char *name, const sg_config *c, const send_case *k)
{
    const fgw_request *q = fgw_request_at(F, -1);
    const char *text = !strcmp(c->sms_gateway, "twilio") ? "Body" : "text";

    expect_int(name, "requests", fgw_request_count(F), k->refused ? 0 : 1);
    if (k->want.outcome == GW_RETRY)
        expect_int(name, "messages kept", fgw_message_count(F), 0);
    if (k->want.outcome == GW_UNKNOWN)
        expect_str(name, "the text at the fake", q ? fgw_field(q, text) : NULL, BODY);
}

static void run_send_case(void (*cfg)(sg_config *), const send_case *k)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    char name[160];
    double t0, took;

    cfg(&c);
    snprintf(name, sizeof name, "%s: %s", c.sms_gateway, k->name);
    arrange(&c, k);
    g = open_named(&c, name);
    t0 = now_s();
    send_one(g, name, &r);
    took = now_s() - t0;
    /* A hang ends within [sms] timeout_s (2 s here), and not much sooner. */
    if (k->mode == FGW_HANG && (took < 1.5 || took >= 3.5))
        fail_msg("%s: the send took %.2f s", name, took);
    check_result(name, &r, &k->want);
    check_fake(name, &c, k);
    if (k->then_sent) {
        send_one(g, name, &r);
        check_result(name, &r, &(gw_expect){GW_SENT, .retry_after_s = -1});
    }
    gw_close(g);
}

static void run_send_cases(void (*cfg)(sg_config *), const send_case *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_send_case(cfg, &k[i]);
}

/* gw_check: fine; then the fake wants another secret (SG_EAUTH, the reason
 * without old_secret); then nobody listens (SG_EIO). */
static void check_gateway(void (*cfg)(sg_config *), const char *old_secret)
{
    sg_config c;
    sms_gateway *g;
    char why[200];

    cfg(&c);
    g = open_gw(&c);
    assert_int_equal(gw_check(g, why, sizeof why), SG_OK);
    rotate_secret(&c, "rotated");
    assert_int_equal(gw_check(g, why, sizeof why), SG_EAUTH);
    assert_null(strstr(why, old_secret));
    gw_close(g);
    point_at_closed_port(&c);
    g = open_gw(&c);
    assert_int_equal(gw_check(g, why, sizeof why), SG_EIO);
    gw_close(g);
}

/* ---- Twilio: sending ------------------------------------------------------------ */

static void test_twilio_created(void **st)
{
    sms_gateway *g = open_with(twilio_cfg);
    gw_result r;
    const fgw_request *q;
    char auth[128] = "Basic ";
    unsigned char plain[] = ACCOUNT ":" TOKEN;

    (void)st;
    assert_string_equal(gw_name(g), "twilio");
    send_one(g, "created", &r);
    check_result("created", &r, &(gw_expect){GW_SENT, 201, .status = "queued"});
    assert_int_equal(strlen(r.message_id), 34);
    assert_true(gw_sid_ok(r.message_id, "SM"));
    assert_non_null(q = fgw_request_at(F, -1));
    assert_string_equal(q->method, "POST");
    assert_string_equal(q->path, "/2010-04-01/Accounts/" ACCOUNT "/Messages.json");
    sodium_bin2base64(auth + 6, sizeof auth - 6, plain, sizeof plain - 1,
                      sodium_base64_VARIANT_ORIGINAL);
    assert_string_equal(q->auth, auth);
    assert_string_equal(q->content_type, "application/x-www-form-urlencoded");
    EXPECT_FIELDS(q, {"To", TO}, {"From", CLINIC}, {"Body", BODY},
                  {"ValidityPeriod", "3600"}, {"StatusCallback", CALLBACK},
                  {"MessagingServiceSid", NULL});
    assert_null(fgw_header(q, "Expect"));
    gw_close(g);
}

static void test_twilio_service_and_no_validity(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    gw_message m = {"ob-1", TO, "Hola, ¿llegó? Responda 1, 2 o 3 ✓", 0, NULL};

    (void)st;
    twilio_cfg(&c);
    snprintf(c.twilio_messaging_service_sid, sizeof c.twilio_messaging_service_sid,
             SERVICE);
    g = open_gw(&c);
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    EXPECT_FIELDS(fgw_request_at(F, -1), {"MessagingServiceSid", SERVICE}, {"From", NULL},
                  {"ValidityPeriod", NULL}, {"StatusCallback", NULL},
                  {"Body", m.body}); /* UTF-8 survives the form */
    gw_close(g);
}

/* Every answer to CreateMessage, and nobody listening.  The fake's error
 * messages quote the number: the reason must not. */
static void test_twilio_sends(void **st)
{
    static const send_case cases[] = {
        {"invalid number 21211", FGW_ERROR, 21211,
         .want = {GW_FAILED, 400, 21211, .reason = "21211"}},
        {"invalid number 21614", FGW_ERROR, 21614,
         .want = {GW_FAILED, 400, 21614, .reason = "21614"}},
        {"invalid number 21635", FGW_ERROR, 21635,
         .want = {GW_FAILED, 400, 21635, .reason = "21635"}},
        {"opted out 21610", FGW_ERROR, 21610,
         .want = {GW_OPTED_OUT, .error_code = 21610}},
        {"other 4xx 21606", FGW_ERROR, 21606, .want = {GW_FAILED, .reason = "21606"}},
        /* 401 with 20003: failed, not retried for ever. */
        {"wrong token", .secret = "another-token", .want = {GW_FAILED, 401, 20003}},
        {"429", FGW_429, .retry_after = "7", .want = {GW_RETRY, 429, 20429, 7},
         .then_sent = 1},
        {"503", FGW_503, .want = {GW_RETRY, 503, .retry_after_s = 2}},
        {"500", FGW_500, .want = {GW_RETRY, 500}},
        {"hang", FGW_HANG, .want = {GW_UNKNOWN, NO_ANSWER}},
        {"drop", FGW_DROP, .want = {.outcome = GW_UNKNOWN}},
        {"refused", .refused = 1, .want = {GW_RETRY, NO_ANSWER, .reason = "not sent"}},
    };

    (void)st;
    run_send_cases(twilio_cfg, cases, N_OF(cases));
}

static void test_twilio_rate_limit(void **st)
{
    sms_gateway *g = open_with(twilio_cfg);
    gw_result r;
    int sent = 0, retry = 0;

    (void)st;
    fgw_rate_limit(F, 1);
    /* Three sends in a few milliseconds cross at most one second boundary. */
    for (int i = 0; i < 3; i++) {
        send_one(g, "rate limit", &r);
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
    sms_gateway *g = open_with(twilio_cfg);
    gw_result r, rr;
    gw_message m = {"ob-7", TO, BODY, 0, NULL};
    gw_message other = {"ob-8", "+15550100142", BODY, 0, NULL};
    time_t since = time(NULL) - 5;
    const fgw_request *q;

    (void)st;
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    assert_int_equal(gw_reconcile(g, &m, since, &rr), 1);
    assert_string_equal(rr.message_id, r.message_id);
    assert_string_equal(rr.status, "queued");
    assert_non_null(q = fgw_request_at(F, -1));
    assert_string_equal(q->method, "GET");
    EXPECT_FIELDS(q, {"To", TO}, {"From", CLINIC}, {"PageSize", "50"});
    /* Another number: Twilio certainly has nothing, so sending is safe. */
    assert_int_equal(gw_reconcile(g, &other, since, &rr), 0);
    assert_clean("reconcile, another number", &rr);
    /* Same number, another text since then: a person must look. */
    m.body = "Example Clinic: reply HELP for help";
    assert_int_equal(gw_reconcile(g, &m, since, &rr), -1);
    assert_clean("reconcile, another text", &rr);
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
    sms_gateway *g = open_with(twilio_cfg);
    inbox b = {0};
    time_t now = time(NULL), since = now - 300;
    const fgw_request *q;

    (void)st;
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
    sms_gateway *g = open_with(twilio_cfg);
    inbox b = {0};
    time_t now = time(NULL), since = now - 3000;

    (void)st;
    /* 120 replies: three pages of 50, followed through next_page_uri. */
    for (int i = 0; i < 120; i++)
        fgw_add_message(F, "inbound", TO, CLINIC, "1", now - 2000 + i, now - 2000 + i,
                        NULL);
    assert_int_equal(gw_poll_inbound(g, &since, take_inbound, &b), SG_OK);
    assert_int_equal(since, now - 2000 + 119);
    assert_int_equal(fgw_request_count(F), 3);
    gw_close(g);
}

static void test_twilio_check(void **st)
{
    const fgw_request *q;

    (void)st;
    check_gateway(twilio_cfg, TOKEN);
    assert_non_null(q = fgw_request_at(F, 0));
    assert_string_equal(q->path, "/2010-04-01/Accounts/" ACCOUNT ".json");
    assert_string_equal(q->method, "GET");
    assert_int_equal(fgw_message_count(F), 0); /* nothing was sent */
}

/* ---- Opening: one setting wrong ---------------------------------------------------- */

/* cfg with one string setting (at off, len bytes) changed to value: gw_open
 * must fail with rc and an error naming want. */
typedef struct {
    const char *name;
    void (*cfg)(sg_config *);
    size_t off, len;
    const char *value;
    sg_rc rc;
    const char *want;
} open_case;

#define SETTING(field) offsetof(sg_config, field), sizeof(((sg_config *)0)->field)

static void test_open_errors(void **st)
{
    char missing[160];
    const open_case cases[] = {
        {"short account sid", twilio_cfg, SETTING(twilio_account_sid), "AC123", SG_EINVAL,
         "[sms.twilio] account_sid"},
        {"account sid not AC", twilio_cfg, SETTING(twilio_account_sid),
         "AXa1b2c3d4e5f60718293a4b5c6d7e8f90", SG_EINVAL, "[sms.twilio] account_sid"},
        {"service sid not hex", twilio_cfg, SETTING(twilio_messaging_service_sid),
         "MG0123456789abcdef0123456789abcdeg", SG_EINVAL,
         "[sms.twilio] messaging_service_sid"},
        {"token file missing: the key", twilio_cfg, SETTING(twilio_auth_token_file),
         dir_path(missing, "missing"), SG_EINVAL, "[sms.twilio] auth_token_file"},
        {"token file missing: the file", twilio_cfg, SETTING(twilio_auth_token_file),
         missing, SG_EINVAL, "/missing"},
        {"no from", twilio_cfg, SETTING(sms_from), "", SG_EINVAL, "[sms] from"},
        {"base url ftp", twilio_cfg, SETTING(twilio_base_url), "ftp://127.0.0.1/",
         SG_EINVAL, "[sms.twilio] base_url"},
        {"gateway none", twilio_cfg, SETTING(sms_gateway), "none", SG_ENOTFOUND, "none"},
        {"gateway unknown", twilio_cfg, SETTING(sms_gateway), "carrier-pigeon", SG_EINVAL,
         "[sms] gateway"},
        {"kannel no url", kannel_cfg, SETTING(kannel_url), "", SG_EINVAL,
         "[sms.kannel] url"},
        {"kannel no username", kannel_cfg, SETTING(kannel_username), "", SG_EINVAL,
         "[sms.kannel] username"},
        {"kannel no password file", kannel_cfg, SETTING(kannel_password_file), "",
         SG_EINVAL, "[sms.kannel] password_file"},
    };
    sg_config c;

    (void)st;
    for (size_t i = 0; i < N_OF(cases); i++) {
        cases[i].cfg(&c);
        snprintf((char *)&c + cases[i].off, cases[i].len, "%s", cases[i].value);
        open_fails(cases[i].name, &c, cases[i].rc, cases[i].want);
    }
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
    send_one(g, "accepted", &r);
    check_result("accepted", &r, &(gw_expect){GW_SENT, 202, .status = "accepted"});
    assert_non_null(q = fgw_request_at(F, -1));
    assert_string_equal(q->method, "GET");
    assert_string_equal(q->path, "/cgi-bin/sendsms");
    EXPECT_FIELDS(q, {"username", "clinic"}, {"password", KPASS}, {"from", CLINIC},
                  {"to", TO}, {"text", BODY}, {"charset", "UTF-8"}, {"coding", "0"},
                  {"smsc", "modem1"}, {"validity", "60"}, {"dlr-mask", "31"},
                  {"dlr-url", CALLBACK});
    assert_non_null(strstr(q->uri, "to=%2B15550100199"));
    /* Outside GSM-7 ("—", "ó" is not in it either): UCS-2. */
    gw_send(g, &m, &r);
    assert_int_equal(r.outcome, GW_SENT);
    EXPECT_FIELDS(fgw_request_at(F, -1), {"coding", "2"}, {"text", m.body},
                  {"dlr-url", NULL}, {"validity", NULL});
    gw_close(g);
}

static void test_kannel_sends(void **st)
{
    static const send_case cases[] = {
        {"queued", FGW_QUEUED, .want = {GW_SENT, .status = "queued"}},
        {"wrong password", .secret = "other",
         .want = {GW_FAILED, 403, .reason = "Authorization failed"}},
        {"503", FGW_503, .want = {GW_RETRY, .retry_after_s = 2}},
        {"drop", FGW_DROP, .want = {.outcome = GW_UNKNOWN}},
        {"hang", FGW_HANG, .want = {.outcome = GW_UNKNOWN}},
        {"refused", .refused = 1, .want = {.outcome = GW_RETRY}},
    };

    (void)st;
    run_send_cases(kannel_cfg, cases, N_OF(cases));
}

static void test_kannel_no_reconcile_no_poll(void **st)
{
    sms_gateway *g = open_with(kannel_cfg);
    gw_result r;
    gw_message m = {"ob-9", TO, BODY, 0, NULL};
    time_t since = 0;
    inbox b = {0};

    (void)st;
    assert_int_equal(gw_reconcile(g, &m, 0, &r), -1);
    assert_int_equal(gw_poll_inbound(g, &since, take_inbound, &b), SG_ENOTFOUND);
    assert_int_equal(fgw_request_count(F), 0);
    gw_close(g);
}

static void test_kannel_check(void **st)
{
    (void)st;
    check_gateway(kannel_cfg, KPASS);
    assert_null(fgw_field(fgw_request_at(F, 0), "to")); /* nothing was sent */
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
    check_result("json", &r, &(gw_expect){.outcome = GW_SENT});
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
    EXPECT_FIELDS(q, {"msg", TRICKY}, {"number", TO});
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

/* Success is "2xx with \"queued\" in the answer" (http_send_cfg). */
static void test_http_sends(void **st)
{
    static const send_case cases[] = {
        {"queued", .custom = "{\"status\":\"queued\",\"id\":7}",
         .want = {.outcome = GW_SENT}},
        {"2xx without queued", .custom = "{\"status\":\"error\",\"why\":\"no credit\"}",
         .want = {.outcome = GW_FAILED}},
        {"429", FGW_429, .want = {GW_RETRY, .retry_after_s = 2}},
        {"500", FGW_500, .want = {.outcome = GW_RETRY}},
        {"400", FGW_ERROR, .want = {GW_FAILED, 400}},
        {"drop", FGW_DROP, .want = {.outcome = GW_UNKNOWN}},
        {"hang", FGW_HANG, .want = {.outcome = GW_UNKNOWN}},
        {"refused", .refused = 1, .want = {.outcome = GW_RETRY}},
    };

    (void)st;
    run_send_cases(http_send_cfg, cases, N_OF(cases));
}

static void test_http_open_errors(void **st)
{
    static const struct {
        const char *method, *path, *body, *headers, *success, *want;
    } cases[] = {
        {"POST", "/s", "to={{to}}&text={{message}}", "", "2xx", "[sms.http] body"},
        {"POST", "/s", "to={{to}&text=x", "", "2xx", "[sms.http] body"},
        {"POST", "/s?x={{nope}}", "to={{to}}", "", "2xx", "[sms.http] url"},
        {"GET", "/s", "to={{to}}", "", "2xx", "[sms.http] body"},
        {"POST", "/s", "to={{to}}", "", "200", "[sms.http] success"},
        {"POST", "/s", "to={{to}}", "", "2xx:", "[sms.http] success"},
        {"POST", "/s", "{\"to\":\"{{to}}\"}", "", "2xx", "[sms.http] headers"},
        {"POST", "/s", "<to>{{to}}</to>", "Content-Type: text/xml", "2xx",
         "[sms.http] headers"},
        {"POST", "/s", "to={{to}}", "X-To: {{to}}", "2xx", "[sms.http] headers"},
        {"POST", "/s", "to={{to}}", "no colon here", "2xx", "[sms.http] headers"},
    };
    sg_config c;
    char name[80];

    (void)st;
    for (size_t i = 0; i < N_OF(cases); i++) {
        http_cfg(&c, cases[i].method, cases[i].path, cases[i].body, cases[i].headers,
                 cases[i].success);
        snprintf(name, sizeof name, "http case %zu (%s)", i + 1, cases[i].want);
        open_fails(name, &c, SG_EINVAL, cases[i].want);
    }
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

/* Sends one text to `to` with stderr into dir/log.txt; its first line in line. */
static void send_logged(sms_gateway *g, const char *to, gw_result *r, char line[512])
{
    char path[160];
    int saved, fd;
    FILE *f;

    dir_path(path, "log.txt");
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(fd, 2);
    send_msg(g, "log", to, BODY, r);
    fflush(stderr);
    dup2(saved, 2);
    close(fd);
    close(saved);
    assert_non_null(f = fopen(path, "r"));
    assert_non_null(fgets(line, 512, f));
    fclose(f);
}

static void test_log_gateway(void **st)
{
    sg_config c;
    sms_gateway *g;
    gw_result r;
    char line[512] = "", why[200];

    (void)st;
    base_cfg(&c, "log");
    g = open_gw(&c);
    assert_string_equal(gw_name(g), "log");
    send_logged(g, "+12175550167", &r, line);
    check_result("log", &r, &(gw_expect){GW_SENT, .message_id = "log-ob-42"});
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

/* A row of test_net_rule, named by its curl code. */
/* clang-format off */
#define NET(code, status, all_sent, want) {#code, code, status, all_sent, want}
/* clang-format on */

static void test_net_rule(void **st)
{
    static const struct {
        const char *name;
        CURLcode code;
        int status, all_sent;
        gw_net want;
    } cases[] = {
        /* Nothing (or not all of it) left: certainly not processed. */
        NET(CURLE_COULDNT_RESOLVE_HOST, 0, 0, GW_NET_NOT_SENT),
        NET(CURLE_COULDNT_CONNECT, 0, 0, GW_NET_NOT_SENT),
        NET(CURLE_OPERATION_TIMEDOUT, 0, 0, GW_NET_NOT_SENT),
        NET(CURLE_SSL_CONNECT_ERROR, 0, 0, GW_NET_NOT_SENT),
        NET(CURLE_SEND_ERROR, 0, 0, GW_NET_NOT_SENT),
        /* All of it left, no answer: may have been processed. */
        NET(CURLE_OPERATION_TIMEDOUT, 0, 1, GW_NET_MAYBE),
        NET(CURLE_GOT_NOTHING, 0, 1, GW_NET_MAYBE),
        NET(CURLE_RECV_ERROR, 0, 1, GW_NET_MAYBE),
        /* A status line came: it decides, even if the body was then lost. */
        NET(CURLE_OPERATION_TIMEDOUT, 201, 1, GW_NET_ANSWERED),
        NET(CURLE_OK, 503, 1, GW_NET_ANSWERED),
    };
#undef NET

    (void)st;
    for (size_t i = 0; i < N_OF(cases); i++) {
        gw_net got = gw_curl_classify(cases[i].code, cases[i].status, cases[i].all_sent);

        if (got != cases[i].want)
            fail_msg("%s, status %d, all sent %d: got %d, expected %d", cases[i].name,
                     cases[i].status, cases[i].all_sent, got, cases[i].want);
    }
}

static gw_net post_to_deaf(size_t body_len)
{
    char url[64];
    char *body = malloc(body_len);
    unsigned port;
    /* A server that takes connections (the kernel's backlog) and never reads. */
    int s = loopback_socket(&port, 1);
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
    sms_gateway *g = open_with(twilio_cfg);
    gw_result r;
    char body[1601 * 4];
    size_t n = 0;

    (void)st;
    while (n + 4 < sizeof body - 1) {
        memcpy(body + n, "\xf0\x9f\x98\x80", 4); /* U+1F600, 12 bytes escaped */
        n += 4;
    }
    body[n] = '\0';
    fgw_mode(F, FGW_DROP, 1);
    send_msg(g, "long text", TO, body, &r);
    assert_int_equal(r.outcome, GW_UNKNOWN);
    assert_string_equal(fgw_field(fgw_request_at(F, -1), "Body"), body);
    gw_close(g);
}

static void test_twilio_classify(void **st)
{
    static const struct {
        const char *name;
        int status;
        const char *body;
        int retry_after;
        gw_expect want;
    } cases[] = {
        {"created", 201,
         "{\"sid\":\"SMx\",\"status\":\"accepted\",\"error_code\":null,"
         "\"num_segments\":\"2\"}",
         -1, .want = {GW_SENT, .message_id = "SMx", .status = "accepted"}},
        {"created, whatever the body", 201, "<html>", -1, .want = {.outcome = GW_SENT}},
        {"400 with 20429", 400, "{\"code\":20429,\"status\":400}", 3,
         .want = {GW_RETRY, .retry_after_s = 3}},
        {"429, no body", 429, "", -1, .want = {.outcome = GW_RETRY}},
        {"502, no body at all", 502, NULL, -1, .want = {.outcome = GW_RETRY}},
        {"landline", 400, "{\"code\":21635,\"message\":\"+15550100199 is a landline\"}",
         -1, .want = {GW_FAILED, .error_code = 21635}},
        {"404", 404, "{\"code\":20404}", -1, .want = {GW_FAILED, .reason = "20404"}},
        {"redirect", 301, "", -1, .want = {GW_FAILED, .reason = "base_url"}},
    };
    gw_result r;

    (void)st;
    for (size_t i = 0; i < N_OF(cases); i++) {
        gw_result_clear(&r);
        gw_twilio_classify(cases[i].status, cases[i].body, cases[i].retry_after, &r);
        check_result(cases[i].name, &r, &cases[i].want);
    }
}

static void test_retry_after(void **st)
{
    time_t now = 1767225600; /* 2026-01-01T00:00:00Z */
    static const struct {
        const char *value;
        int want;
    } cases[] = {
        {"7", 7},
        {" 120 ", 120},
        {"Thu, 01 Jan 2026 00:01:30 GMT", 90},
        {"Wed, 31 Dec 2025 23:00:00 GMT", 0},
        {"soon", -1},
        {"7s", -1},
        {"99999999999999", 86400 * 7},
    };

    (void)st;
    for (size_t i = 0; i < N_OF(cases); i++)
        expect_int(cases[i].value, "Retry-After",
                   gw_parse_retry_after(cases[i].value, now), cases[i].want);
}

/* ---- Secrets ------------------------------------------------------------------------
 */

static void test_secret_files(void **st)
{
    char path[160], out[64], err[300];
    char big[200];

    (void)st;
    mkdir(dir_path(path, "creds"), 0700);
    write_file(dir_path(path, "creds/twilio-token"), "s3cret-value\r\n\n");
    /* A bare name is looked up in $CREDENTIALS_DIRECTORY. */
    setenv("CREDENTIALS_DIRECTORY", dir_path(path, "creds"), 1);
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
    write_file(dir_path(path, "empty"), "\n");
    assert_int_equal(gw_read_secret(path, out, sizeof out, err, sizeof err), SG_EINVAL);
    write_file(dir_path(path, "two"), "line-one\nline-two\n");
    assert_int_equal(gw_read_secret(path, out, sizeof out, err, sizeof err), SG_EINVAL);
    assert_null(strstr(err, "line-one"));
    assert_string_equal(out, "");
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    write_file(dir_path(path, "big"), big);
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
    mkdir(dir_path(path, "creds2"), 0700);
    write_file(dir_path(path, "creds2/twilio-token"), "s3cret-value\n");
    setenv("CREDENTIALS_DIRECTORY", dir_path(path, "creds2"), 1);
    twilio_cfg(&c);
    snprintf(c.twilio_auth_token_file, sizeof c.twilio_auth_token_file, "twilio-token");
    fgw_twilio_auth(F, ACCOUNT, "s3cret-value");
    g = open_gw(&c);
    unsetenv("CREDENTIALS_DIRECTORY");
    send_one(g, "credentials directory", &r);
    assert_int_equal(r.outcome, GW_SENT);
    gw_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_twilio_created, each),
        cmocka_unit_test_setup(test_twilio_service_and_no_validity, each),
        cmocka_unit_test_setup(test_twilio_sends, each),
        cmocka_unit_test_setup(test_twilio_rate_limit, each),
        cmocka_unit_test_setup(test_twilio_reconcile, each),
        cmocka_unit_test_setup(test_twilio_poll, each),
        cmocka_unit_test_setup(test_twilio_poll_pages, each),
        cmocka_unit_test_setup(test_twilio_check, each),
        cmocka_unit_test_setup(test_open_errors, each),
        cmocka_unit_test_setup(test_kannel_accepted, each),
        cmocka_unit_test_setup(test_kannel_sends, each),
        cmocka_unit_test_setup(test_kannel_no_reconcile_no_poll, each),
        cmocka_unit_test_setup(test_kannel_check, each),
        cmocka_unit_test_setup(test_http_json, each),
        cmocka_unit_test_setup(test_http_form, each),
        cmocka_unit_test_setup(test_http_get_url, each),
        cmocka_unit_test_setup(test_http_sends, each),
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
