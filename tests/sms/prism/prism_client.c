/*
 * The Twilio adapter against Stoplight Prism (run.sh starts it), which
 * mocks Twilio's own OpenAPI description with request validation on: a
 * request the real API would refuse for its shape (a missing parameter, a
 * wrong name, a bad AccountSid, no auth) comes back as 4xx instead of the
 * spec's example.  So a 201 here says our CreateMessage request, and the
 * list and account requests, match the published contract; and one
 * deliberately invalid request must be refused, or validation is off and
 * the test proves nothing.
 *
 * Usage: sms_prism_client BASE_URL.  Prints one line per check and
 * "N passed, N failed"; exits 0 only when all passed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gw_internal.h"
#include "signpost/config.h"
#include "signpost/sms_gateway.h"

#define ACCOUNT "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
#define SERVICE "MG0123456789abcdef0123456789abcdef"
#define TO "+15550100199"

static int passed, failed;

static void check(int ok, const char *what, const char *detail)
{
    printf("%s - %s%s%s\n", ok ? "ok" : "FAILED", what, detail ? ": " : "",
           detail ? detail : "");
    if (ok)
        passed++;
    else
        failed++;
}

static sms_gateway *open_twilio(const char *base, const char *token_file, int service)
{
    sg_config c;
    sms_gateway *g = NULL;
    char err[300];

    config_defaults(&c);
    snprintf(c.sms_gateway, sizeof c.sms_gateway, "twilio");
    snprintf(c.sms_from, sizeof c.sms_from, "+15550100100");
    snprintf(c.twilio_account_sid, sizeof c.twilio_account_sid, ACCOUNT);
    snprintf(c.twilio_auth_token_file, sizeof c.twilio_auth_token_file, "%s", token_file);
    snprintf(c.twilio_base_url, sizeof c.twilio_base_url, "%s", base);
    if (service)
        snprintf(c.twilio_messaging_service_sid, sizeof c.twilio_messaging_service_sid,
                 SERVICE);
    c.sms_timeout_s = 30; /* Prism's first answer can take a while */
    if (gw_open(&c, &g, err, sizeof err))
        check(0, "gw_open", err);
    return g;
}

static void sends(sms_gateway *g, const char *what)
{
    gw_message m = {"ob-1", TO, "Example Clinic: did you reach them? Reply 1, 2 or 3",
                    3600, "https://clinic.example.org/sms/twilio/status"};
    gw_result r;
    char detail[300];

    gw_send(g, &m, &r);
    snprintf(detail, sizeof detail, "HTTP %d, %s, sid %s", r.http_status, r.reason,
             r.message_id);
    check(r.outcome == GW_SENT && r.http_status == 201 && gw_sid_ok(r.message_id, "SM"),
          what, detail);
}

/*
 * Prism checks a request before it answers: a bad one gets 422.  A good
 * one to the Messages list still gets 500 under --errors, because the
 * spec's own example page breaks its schema (relative URIs where it says
 * format "uri"); that 500 lists only "response" violations.  So: 4xx is
 * our fault, 200 or a response-only 500 means our request was valid.
 */
static void request_valid(const char *base, const char *path_query, int want_422,
                          const char *what)
{
    char url[1024], detail[200];
    gw_curl *c = NULL;
    gw_request rq;
    gw_response rs;
    json_t *j, *v;
    size_t i, ours = 0;

    snprintf(url, sizeof url, "%s/2010-04-01/Accounts/" ACCOUNT "%s", base, path_query);
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.url = url;
    rq.user = ACCOUNT;
    rq.pass = "token";
    gw_response_init(&rs);
    if (gw_curl_open(30, &c) == SG_OK)
        gw_curl_perform(c, &rq, &rs);
    j = json_loads(rs.body.data ? rs.body.data : "", 0, NULL);
    json_array_foreach(json_object_get(j, "validation"), i, v)
    {
        const char *where =
            json_string_value(json_array_get(json_object_get(v, "location"), 0));
        ours += !where || strcmp(where, "response") != 0;
    }
    snprintf(detail, sizeof detail, "HTTP %d, %zu request violation(s)", rs.http_status,
             ours);
    if (want_422)
        check(rs.http_status == 422 && ours > 0, what, detail);
    else
        check((rs.http_status == 200 || rs.http_status == 500) && ours == 0, what,
              detail);
    json_decref(j);
    gw_response_free(&rs);
    gw_curl_close(c);
}

static void lists_and_checks(sms_gateway *g, const char *base)
{
    gw_message m = {"ob-1", TO, "Example Clinic", 0, NULL};
    gw_result r;
    time_t since = time(NULL) - 86400;
    char why[200], q[256], day[16];
    struct tm tm;

    /* The adapter's own list request: refused would say "HTTP 422". */
    gw_reconcile(g, &m, since, &r);
    check(strstr(r.reason, "HTTP 4") == NULL,
          "reconcile: the Messages list request is valid", r.reason);
    /* The poll's query, as tw_poll builds it (To, DateSent>, PageSize). */
    gmtime_r(&since, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(q, sizeof q, "/Messages.json?To=%%2B15550100100&DateSent%%3E=%s&PageSize=50",
             day);
    request_valid(base, q, 0, "poll: the Messages list query with DateSent> is valid");
    request_valid(base, "/Messages.json?To=%2B15550100100&PageSize=many", 1,
                  "a list query with a bad PageSize is refused (validation is on)");
    check(gw_check(g, why, sizeof why) == SG_OK, "check: the Account request is valid",
          why);
}

/* A CreateMessage without To, straight through the libcurl shell: Prism
 * must refuse it, and the adapter must call that refusal a failure. */
static void invalid_refused(const char *base)
{
    static const char body[] = "From=%2B15550100100&Body=hello";
    char url[512], detail[200];
    gw_curl *c = NULL;
    gw_request rq;
    gw_response rs;
    gw_result r;

    snprintf(url, sizeof url, "%s/2010-04-01/Accounts/" ACCOUNT "/Messages.json", base);
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.url = url;
    rq.headers[0] = "Content-Type: application/x-www-form-urlencoded";
    rq.body = body;
    rq.body_len = sizeof body - 1;
    rq.user = ACCOUNT;
    rq.pass = "token";
    gw_response_init(&rs);
    if (gw_curl_open(30, &c) == SG_OK)
        gw_curl_perform(c, &rq, &rs);
    snprintf(detail, sizeof detail, "HTTP %d", rs.http_status);
    check(rs.http_status >= 400 && rs.http_status < 500,
          "a CreateMessage without To is refused (validation is on)", detail);
    gw_result_clear(&r);
    gw_twilio_classify(rs.http_status, rs.body.data, rs.retry_after_s, &r);
    check(r.outcome == GW_FAILED, "the adapter fails a refused request", r.reason);
    gw_response_free(&rs);
    gw_curl_close(c);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/sms-prism-XXXXXX", token_file[64];
    sms_gateway *g;
    FILE *f;

    if (argc != 2 || !mkdtemp(dir)) {
        fprintf(stderr, "usage: sms_prism_client BASE_URL\n");
        return 2;
    }
    snprintf(token_file, sizeof token_file, "%s/token", dir);
    if (!(f = fopen(token_file, "w")))
        return 2;
    fputs("0123456789abcdef0123456789abcdef\n", f);
    fclose(f);
    if ((g = open_twilio(argv[1], token_file, 0))) {
        sends(g, "CreateMessage with From, ValidityPeriod, StatusCallback: 201");
        lists_and_checks(g, argv[1]);
        gw_close(g);
    }
    if ((g = open_twilio(argv[1], token_file, 1))) {
        sends(g, "CreateMessage with MessagingServiceSid: 201");
        gw_close(g);
    }
    invalid_refused(argv[1]);
    unlink(token_file);
    rmdir(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
