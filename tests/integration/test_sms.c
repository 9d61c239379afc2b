/*
 * SMS follow-up end to end: the real daemon with the Twilio adapter
 * pointed at the fake gateway (tests/sms/fake_gateway.h) on loopback, and
 * the staff listener taking signed webhooks.  Checks what a patient and
 * the clinic rely on: the consent is validated and stored sealed, the
 * reminder that goes out names the clinic and nothing else, replies (1,
 * STOP, START, HELP) do what they say, forged or unsigned webhooks are
 * refused and redeliveries ignored, delivery reports land, failures are
 * classified, an unknown outcome is reconciled rather than resent, and a
 * SIGKILL in the middle of sending loses nothing and sends nothing twice.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "fake_gateway.h"
#include "harness.h"
#include "signpost/sms_gateway.h"
#include "staff_client.h"

#define SID "AC0123456789abcdef0123456789abcdef"
#define TOKEN "test-auth-token-0123456789"
#define PUBLIC_URL "https://kiosk.example.org"
#define CONSENT_VERSION "2026-11-29.1"

static fake_gw *fake;
static itest_daemon *d;
static char state[ITEST_PATH], conf[ITEST_PATH + 32];
static int staff_port;

/* ---- set-up --------------------------------------------------------------- */

static void write_config_in(const char *dir, const char *extra, char *out, size_t outlen)
{
    char text[2048], tok[ITEST_PATH + 32];
    assert_int_equal(itest_write_file(dir, "twilio.token", TOKEN "\n", tok, sizeof tok), 0);
    snprintf(text, sizeof text,
             "[clinic]\nname = Riverton Community Clinic\nphone = (217) 555-0100\n"
             "timezone = America/Chicago\n"
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[printer]\ntransport = none\n"
             "[directory]\nimport = " SOURCE_DIR "/data/demo-directory\n"
             "[sms]\ngateway = twilio\nfrom = +12175550100\nreminders = 2s,1h\n"
             "quiet_hours = 00:00-24:00\nmax_per_day = 10\nmax_per_week = 30\n"
             "retry_base_s = 1\nretry_cap_s = 2\nreconcile_after_s = 3\ntimeout_s = 3\n"
             "public_url = " PUBLIC_URL "\n"
             "[sms.twilio]\naccount_sid = " SID "\nauth_token_file = %s\nbase_url = %s\n%s",
             tok, fgw_url(fake), extra);
    assert_int_equal(itest_write_file(dir, "signpost.conf", text, out, outlen), 0);
}

static void write_config(void)
{
    write_config_in(state, "", conf, sizeof conf);
}

static void start_daemon(void)
{
    d = sc_start(conf, state, &staff_port);
    assert_non_null(d);
}

static int setup(void **ctx)
{
    (void)ctx;
    assert_int_equal(itest_init(), 0);
    fake = fgw_start();
    assert_non_null(fake);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    write_config();
    start_daemon();
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sc_stop(d, state); /* the daemon first, so it never calls a stopped fake */
    fgw_stop(fake);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

typedef sc_visit visit;

/* A screening with food and housing needs, wanting help. */
static void new_visit(visit *v)
{
    json_t *j = sc_new_visit(d, SC_VISIT_NEEDS_HELP, v);

    assert_non_null(j);
    json_decref(j);
}

static long sms_post(const visit *v, const char *json, json_t **answer)
{
    char path[128];
    itest_resp r;
    long status;

    snprintf(path, sizeof path, "/api/v1/screenings/%s/sms", v->id);
    assert_int_equal(itest_post_json(d, path, json, v->token, &r), 0);
    status = r.status;
    if (answer)
        *answer = itest_resp_json(&r);
    itest_resp_free(&r);
    return status;
}

static long subscribe(const visit *v, const char *phone, int reminders, int list)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"phone\":\"%s\",\"consent\":true,\"consent_version\":\"" CONSENT_VERSION
             "\",\"language\":\"en\",\"reminders\":%s,\"send_list\":%s}",
             phone, reminders ? "true" : "false", list ? "true" : "false");
    return sms_post(v, json, NULL);
}

static long long db_int(const char *sql, const char *arg)
{
    long long v = -1;
    assert_int_equal(itest_db_int(d, sql, arg, &v), 0);
    return v;
}

/* Waits (bounded) until sql gives want. */
static int wait_db(const char *sql, const char *arg, long long want, int ms)
{
    long long v = -1;
    for (int waited = 0; waited <= ms; waited += 100) {
        if (itest_db_int(d, sql, arg, &v) == 0 && v == want)
            return 1;
        usleep(100 * 1000);
    }
    print_error("waited %d ms for [%s] = %lld, last %lld\n", ms, sql, want, v);
    itest_dump_log(d, "the wait ran out");
    return 0;
}

/* Waits until no text is due within the next 30 s, so that the fake's
 * next misbehaviour (a hang, an error) meets this test's text and not a
 * reminder an earlier test left due. */
static void wait_quiet(void)
{
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE state IN ('scheduled', 'sending')"
                        " AND due_at < CAST(strftime('%s', 'now') AS INTEGER) + 30"
                        " AND ?1 IS NULL", NULL, 0, 15000));
}

/* CreateMessage requests the fake got for number `to`. */
static int creates_to(const char *to)
{
    int n = 0;
    for (int i = 0; i < fgw_request_count(fake); i++) {
        const fgw_request *r = fgw_request_at(fake, i);
        const char *t = fgw_field(r, "To");
        if (!strcmp(r->method, "POST") && strstr(r->path, "/Messages.json") && t &&
            !strcmp(t, to))
            n++;
    }
    return n;
}

static const fgw_request *last_create_to(const char *to)
{
    for (int i = fgw_request_count(fake) - 1; i >= 0; i--) {
        const fgw_request *r = fgw_request_at(fake, i);
        const char *t = fgw_field(r, "To");
        if (!strcmp(r->method, "POST") && t && !strcmp(t, to))
            return r;
    }
    return NULL;
}

static int wait_creates(const char *to, int want, int ms)
{
    for (int waited = 0; waited <= ms; waited += 100) {
        if (creates_to(to) >= want)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* POSTs a Twilio webhook to the staff listener, signed with sign_with
 * (NULL: unsigned); returns the HTTP status. */
static long webhook(const char *path, const gw_param *p, size_t np, const char *sign_with)
{
    char url[256], signed_url[256], body[2048] = "", sig[128], header[200];
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    long status = 0;

    for (size_t i = 0; i < np; i++) {
        char *n = curl_easy_escape(c, p[i].name, 0), *v = curl_easy_escape(c, p[i].value, 0);
        size_t used = strlen(body);
        snprintf(body + used, sizeof body - used, "%s%s=%s", i ? "&" : "", n, v);
        curl_free(n);
        curl_free(v);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", staff_port, path);
    snprintf(signed_url, sizeof signed_url, PUBLIC_URL "%s", path);
    if (sign_with) {
        assert_int_equal(gw_twilio_sign(sign_with, signed_url, p, np, sig, sizeof sig), 0);
        snprintf(header, sizeof header, "X-Twilio-Signature: %s", sig);
        h = curl_slist_append(h, header);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static long reply(const char *from, const char *text, const char *sid)
{
    gw_param p[] = {{"AccountSid", SID},  {"Body", text},          {"From", from},
                    {"MessageSid", sid},  {"NumMedia", "0"},       {"To", "+12175550100"}};
    return webhook("/hooks/twilio/inbound", p, sizeof p / sizeof p[0], TOKEN);
}

/* ---- the consent ------------------------------------------------------------- */

static void consent_is_validated_and_nothing_is_stored_on_error(void **ctx)
{
    visit v, other;
    json_t *a = NULL;
    (void)ctx;
    new_visit(&v);
    new_visit(&other);
    assert_int_equal(sms_post(&v, "{\"phone\":\"(117) 555-0123\",\"consent\":true,"
                                  "\"consent_version\":\"" CONSENT_VERSION "\",\"language\":\"en\"}",
                              &a), 422);
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "error"), "field")),
                        "phone");
    json_decref(a);
    assert_int_equal(sms_post(&v, "{\"phone\":\"(217) 911-0123\",\"consent\":true,"
                                  "\"consent_version\":\"" CONSENT_VERSION "\",\"language\":\"en\"}",
                              NULL), 422);
    assert_int_equal(sms_post(&v, "{\"phone\":\"2175550123\",\"consent\":false,"
                                  "\"consent_version\":\"" CONSENT_VERSION "\",\"language\":\"en\"}",
                              NULL), 422);
    assert_int_equal(sms_post(&v, "{\"phone\":\"2175550123\",\"consent\":true,"
                                  "\"consent_version\":\"1999-01-01\",\"language\":\"en\"}",
                              NULL), 409);
    assert_int_equal(sms_post(&v, "{\"phone\":\"2175550123\",\"consent\":true,\"x\":1,"
                                  "\"consent_version\":\"" CONSENT_VERSION "\",\"language\":\"en\"}",
                              NULL), 422);
    assert_int_equal(sms_post(&v, "{\"phone\":\"2175550123\",\"consent\":true,"
                                  "\"consent_version\":\"" CONSENT_VERSION "\",\"language\":\"fr\"}",
                              NULL), 422);
    /* Another visit's token opens nothing. */
    snprintf(v.token, sizeof v.token, "%s", other.token);
    assert_int_equal(subscribe(&v, "2175550123", 1, 0), 401);
    assert_int_equal(db_int("SELECT count(*) FROM sms_contacts WHERE screening_id = ?1", v.id), 0);
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1", v.id), 0);
}

static void consent_text_is_offered_in_each_language(void **ctx)
{
    itest_resp r;
    json_t *j;
    (void)ctx;
    assert_int_equal(itest_get(d, "/api/v1/sms/consent?lang=es", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    j = itest_resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "version")), CONSENT_VERSION);
    assert_non_null(strstr(json_string_value(json_object_get(j, "text")), "STOP"));
    assert_non_null(strstr(json_string_value(json_object_get(j, "text")), "Riverton"));
    json_decref(j);
    itest_resp_free(&r);
    assert_int_equal(itest_get(d, "/api/v1/sms/consent?lang=xx", NULL, &r), 0);
    assert_int_equal(r.status, 400);
    itest_resp_free(&r);
}

/* ---- sending ------------------------------------------------------------------- */

static void reminder_names_the_clinic_only_and_numbers_are_sealed(void **ctx)
{
    const fgw_request *r;
    const char *body;
    visit v;
    (void)ctx;
    new_visit(&v);
    assert_int_equal(subscribe(&v, "(217) 555-0123", 1, 0), 201);
    assert_int_equal(subscribe(&v, "(217) 555-0123", 1, 0), 409); /* once per visit */
    assert_true(wait_creates("+12175550123", 1, 15000));
    r = last_create_to("+12175550123");
    body = fgw_field(r, "Body");
    assert_non_null(strstr(body, "Riverton Community Clinic"));
    assert_non_null(strstr(body, "Reply 1 yes"));
    /* No need, no resource, no answer: the demo directory's words stay out. */
    assert_null(strstr(body, "food"));
    assert_null(strstr(body, "Food"));
    assert_null(strstr(body, "housing"));
    assert_string_equal(fgw_field(r, "From"), "+12175550100");
    assert_non_null(fgw_field(r, "ValidityPeriod"));
    assert_true(strtol(fgw_field(r, "ValidityPeriod"), NULL, 10) <= 36000);
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sent' AND gateway_id LIKE 'SM%'", v.id, 1, 5000));
    /* The 1h reminder waits; nothing anywhere holds the number in clear. */
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state = 'scheduled'", v.id), 1);
    assert_int_equal(db_int("SELECT (SELECT count(*) FROM sms_contacts WHERE instr(phone_box, ?1))"
                            " + (SELECT count(*) FROM sms_outbox WHERE instr(phone_box, ?1)"
                            "    OR instr(body_box, 'Riverton'))", "5550123"), 0);
    assert_false(itest_log_contains(d, "5550123"));
}

static void list_is_texted_once_when_asked(void **ctx)
{
    const fgw_request *r;
    visit v;
    (void)ctx;
    new_visit(&v);
    assert_int_equal(subscribe(&v, "2175550124", 0, 1), 201);
    assert_true(wait_creates("+12175550124", 1, 10000));
    r = last_create_to("+12175550124");
    assert_non_null(strstr(fgw_field(r, "Body"), "help from your visit"));
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND kind = 'list' AND state = 'sent'", v.id, 1, 5000));
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1", v.id), 1);
}

/* ---- replies -------------------------------------------------------------------- */

static void webhooks_need_a_valid_signature(void **ctx)
{
    gw_param p[] = {{"Body", "STOP"}, {"From", "+12175550125"},
                    {"MessageSid", "SMforged0000000000000000000000001"}, {"To", "+12175550100"}};
    (void)ctx;
    assert_int_equal(webhook("/hooks/twilio/inbound", p, 4, NULL), 403);
    assert_int_equal(webhook("/hooks/twilio/inbound", p, 4, "not-the-token"), 403);
    assert_int_equal(db_int("SELECT count(*) FROM sms_optouts", NULL), 0);
    assert_int_equal(db_int("SELECT count(*) FROM sms_inbound WHERE gateway_id = ?1",
                            "SMforged0000000000000000000000001"), 0);
}

static void yes_records_the_outcome_and_cancels_later_reminders(void **ctx)
{
    visit v;
    (void)ctx;
    new_visit(&v);
    assert_int_equal(subscribe(&v, "2175550126", 1, 0), 201);
    assert_true(wait_creates("+12175550126", 1, 15000));
    assert_int_equal(reply("+12175550126", "1", "SMreply00000000000000000000000001"), 200);
    assert_int_equal(reply("+12175550126", "1", "SMreply00000000000000000000000001"), 200);
    assert_int_equal(db_int("SELECT count(*) FROM sms_inbound WHERE screening_id = ?1", v.id), 1);
    assert_int_equal(db_int("SELECT count(*) FROM sms_contacts WHERE screening_id = ?1"
                            " AND outcome = 'connected'", v.id), 1);
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state = 'cancelled'", v.id), 1);
}

static void stop_opts_out_at_once_and_start_opts_back_in(void **ctx)
{
    visit v, again;
    (void)ctx;
    new_visit(&v);
    assert_int_equal(subscribe(&v, "2175550127", 1, 0), 201);
    assert_int_equal(reply("+12175550127", "Stop texting me please", "SMstop000000000000000000000000001"),
                     200);
    assert_int_equal(db_int("SELECT count(*) FROM sms_optouts", NULL) >= 1, 1);
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state = 'scheduled'", v.id), 0);
    /* One confirmation goes out, and nothing else ever does. */
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE kind = 'stop_confirm'"
                        " AND state = 'sent' AND ?1 IS NULL", NULL, 1, 10000));
    assert_int_equal(reply("+12175550127", "STOP", "SMstop000000000000000000000000002"), 200);
    sleep(1);
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE kind = 'stop_confirm'", NULL), 1);
    assert_int_equal(creates_to("+12175550127"), 1);
    new_visit(&again);
    assert_int_equal(subscribe(&again, "2175550127", 1, 0), 409);
    assert_int_equal(reply("+12175550127", "START", "SMstart00000000000000000000000001"), 200);
    assert_true(wait_creates("+12175550127", 2, 10000)); /* the START confirmation */
    assert_int_equal(subscribe(&again, "2175550127", 1, 0), 201);
}

static void help_is_answered(void **ctx)
{
    const fgw_request *r;
    (void)ctx;
    assert_int_equal(reply("+12175550128", "help", "SMhelp000000000000000000000000001"), 200);
    assert_true(wait_creates("+12175550128", 1, 10000));
    r = last_create_to("+12175550128");
    assert_non_null(strstr(fgw_field(r, "Body"), "STOP"));
    assert_non_null(strstr(fgw_field(r, "Body"), "rates"));
}

static void delivery_reports_update_the_text(void **ctx)
{
    char sid[80] = "";
    visit v;
    (void)ctx;
    new_visit(&v);
    assert_int_equal(subscribe(&v, "2175550129", 0, 1), 201);
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sent'", v.id, 1, 10000));
    assert_int_equal(itest_db_text(d, "SELECT gateway_id FROM sms_outbox WHERE screening_id = ?1",
                                   v.id, sid, sizeof sid), 0);
    gw_param p[] = {{"AccountSid", SID}, {"MessageSid", sid}, {"MessageStatus", "delivered"},
                    {"SmsStatus", "delivered"}};
    assert_int_equal(webhook("/hooks/twilio/status", p, 4, TOKEN), 200);
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state = 'delivered'", v.id), 1);
}

/* ---- failures ------------------------------------------------------------------- */

static void an_invalid_number_fails_with_the_reason(void **ctx)
{
    char err[256] = "";
    visit v;
    (void)ctx;
    new_visit(&v);
    wait_quiet();
    fgw_error(fake, 400, 21211);
    fgw_mode(fake, FGW_ERROR, 1);
    assert_int_equal(subscribe(&v, "2175550130", 0, 1), 201);
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'failed'", v.id, 1, 10000));
    assert_int_equal(itest_db_text(d, "SELECT error FROM sms_outbox WHERE screening_id = ?1",
                                   v.id, err, sizeof err), 0);
    assert_non_null(strstr(err, "21211"));
    assert_null(strstr(err, "555")); /* the gateway's message quotes a number: we do not */
}

static void too_many_requests_is_retried_after_a_pause(void **ctx)
{
    visit v;
    (void)ctx;
    new_visit(&v);
    wait_quiet();
    fgw_retry_after(fake, "1");
    fgw_mode(fake, FGW_429, 1);
    assert_int_equal(subscribe(&v, "2175550131", 0, 1), 201);
    /* A 429 judges the pace, not the text: it does not use up an attempt. */
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sent' AND attempts = 1", v.id, 1, 15000));
    assert_int_equal(db_int("SELECT count(*) FROM sms_attempts a JOIN sms_outbox o"
                            " ON o.id = a.outbox_id WHERE o.screening_id = ?1"
                            " AND a.outcome = 'throttled' AND a.http_status = 429", v.id), 1);
    assert_int_equal(db_int("SELECT count(*) FROM sms_attempts a JOIN sms_outbox o"
                            " ON o.id = a.outbox_id WHERE o.screening_id = ?1", v.id), 2);
    assert_int_equal(creates_to("+12175550131"), 2);
}

/* The gateway took the text but the answer never came: the outbox asks
 * the gateway (its message list) and records it as sent, no second send. */
static void an_unknown_outcome_is_reconciled_not_resent(void **ctx)
{
    char body[2048]; /* a texted list runs to 4 segments */
    visit v;
    (void)ctx;
    new_visit(&v);
    wait_quiet();
    fgw_mode(fake, FGW_HANG, 1);
    assert_int_equal(subscribe(&v, "2175550132", 0, 1), 201);
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'unknown'", v.id, 1, 15000));
    /* What Twilio would list had it processed the request. */
    assert_true(strlen(fgw_field(last_create_to("+12175550132"), "Body")) < sizeof body);
    snprintf(body, sizeof body, "%s", fgw_field(last_create_to("+12175550132"), "Body"));
    fgw_add_message(fake, "outbound-api", "+12175550100", "+12175550132", body, time(NULL),
                    time(NULL), NULL);
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sent'", v.id, 1, 15000));
    assert_int_equal(creates_to("+12175550132"), 1);
    assert_int_equal(db_int("SELECT count(*) FROM sms_attempts a JOIN sms_outbox o"
                            " ON o.id = a.outbox_id WHERE o.screening_id = ?1"
                            " AND a.outcome = 'reconciled'", v.id), 1);
}

/* A STOP that arrives while a text is with the gateway (no answer yet):
 * that request cannot be called back, but nothing follows it, not even
 * the resend that reconciling would otherwise allow. */
static void stop_during_a_send_stops_what_follows(void **ctx)
{
    visit v;
    (void)ctx;
    new_visit(&v);
    wait_quiet();
    fgw_mode(fake, FGW_HANG, 1);
    assert_int_equal(subscribe(&v, "2175550133", 0, 1), 201);
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'sending'", v.id, 1, 10000));
    assert_int_equal(reply("+12175550133", "ALTO", "SMrace000000000000000000000000001"), 200);
    /* The hang times out: unknown.  Reconciling sees the STOP confirmation
     * to the same number and cannot tell, so the text stays unknown for
     * staff; were it found absent it would be cancelled (test_sms_store). */
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                        " AND state = 'unknown'", v.id, 1, 15000));
    sleep(5); /* past reconcile_after_s: still not sent again */
    assert_int_equal(creates_to("+12175550133"), 2); /* the hung one, the STOP confirmation */
    assert_int_equal(db_int("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state IN ('unknown', 'cancelled')", v.id), 1);
}

/* The second daemon of replies_can_be_polled, put back by restore_main
 * even when an assertion ends the test early. */
static itest_daemon *main_daemon;
static char polling_dir[ITEST_PATH];

static int restore_main(void **ctx)
{
    (void)ctx;
    if (main_daemon) {
        itest_free(d);
        d = main_daemon;
        main_daemon = NULL;
        itest_rmtree(polling_dir);
    }
    return 0;
}

/* A kiosk with no public address fetches replies from Twilio's list. */
static void replies_can_be_polled(void **ctx)
{
    char file[ITEST_PATH + 32];
    itest_opts o = {.config = file, .state_dir = polling_dir};
    visit v;
    (void)ctx;
    assert_int_equal(itest_mkdtemp(polling_dir, sizeof polling_dir), 0);
    write_config_in(polling_dir, "poll_s = 1\n", file, sizeof file);
    main_daemon = d;
    d = itest_start(&o);
    assert_non_null(d);
    new_visit(&v);
    assert_int_equal(subscribe(&v, "2175550134", 1, 0), 201);
    fgw_add_message(fake, "inbound", "+12175550134", "+12175550100", "2", time(NULL),
                    time(NULL), NULL);
    assert_true(wait_db("SELECT count(*) FROM sms_contacts WHERE screening_id = ?1"
                        " AND outcome = 'not_yet'", v.id, 1, 10000));
    sleep(2); /* polled again: the same message is not counted twice */
    assert_int_equal(db_int("SELECT count(*) FROM sms_inbound WHERE screening_id = ?1", v.id), 1);
}

/* ---- crash ------------------------------------------------------------------------ */

#define BURST 6

static void a_kill_mid_send_loses_nothing_and_sends_nothing_twice(void **ctx)
{
    char phone[BURST][24], e164[BURST][32];
    visit v[BURST];
    (void)ctx;
    wait_quiet();
    fgw_mode(fake, FGW_HANG, -1); /* every send hangs: the kill lands mid-request */
    for (int i = 0; i < BURST; i++) {
        snprintf(phone[i], sizeof phone[i], "21755501%02d", 40 + i);
        snprintf(e164[i], sizeof e164[i], "+121755501%02d", 40 + i);
        new_visit(&v[i]);
        assert_int_equal(subscribe(&v[i], phone[i], 0, 1), 201);
    }
    assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE state = 'sending'"
                        " AND ?1 IS NULL", NULL, 1, 10000));
    kill(d->pid, SIGKILL);
    assert_int_equal(itest_wait_exit(d, 10000), 128 + SIGKILL);
    itest_free(d);
    fgw_mode(fake, FGW_OK, -1);
    start_daemon();
    for (int i = 0; i < BURST; i++)
        assert_true(wait_db("SELECT count(*) FROM sms_outbox WHERE screening_id = ?1"
                            " AND state = 'sent'", v[i].id, 1, 30000));
    /* The one that was in flight was never created at the gateway (it hung
     * before answering), so it went out once after reconciling; every
     * other one went out once. */
    for (int i = 0; i < BURST; i++) {
        int created = 0;
        for (int k = 0; k < fgw_request_count(fake); k++) {
            const fgw_request *r = fgw_request_at(fake, k);
            const char *t = fgw_field(r, "To");
            created += t && !strcmp(t, e164[i]) && r->status == 201;
        }
        assert_int_equal(created, 1);
    }
    assert_true(itest_log_contains(d, "they will be checked with the gateway"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consent_is_validated_and_nothing_is_stored_on_error),
        cmocka_unit_test(consent_text_is_offered_in_each_language),
        cmocka_unit_test(reminder_names_the_clinic_only_and_numbers_are_sealed),
        cmocka_unit_test(list_is_texted_once_when_asked),
        cmocka_unit_test(webhooks_need_a_valid_signature),
        cmocka_unit_test(yes_records_the_outcome_and_cancels_later_reminders),
        cmocka_unit_test(stop_opts_out_at_once_and_start_opts_back_in),
        cmocka_unit_test(help_is_answered),
        cmocka_unit_test(delivery_reports_update_the_text),
        cmocka_unit_test(an_invalid_number_fails_with_the_reason),
        cmocka_unit_test(too_many_requests_is_retried_after_a_pause),
        cmocka_unit_test(an_unknown_outcome_is_reconciled_not_resent),
        cmocka_unit_test(stop_during_a_send_stops_what_follows),
        cmocka_unit_test_teardown(replies_can_be_polled, restore_main),
        cmocka_unit_test(a_kill_mid_send_loses_nothing_and_sends_nothing_twice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
