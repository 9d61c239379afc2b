/*
 * Kiosk API v1 end to end: the real daemon on demo defaults, driven over
 * HTTP the way the kiosk screen drives it, with every stored row checked in
 * SQLite.  Covers health and settings, security headers, the instrument in
 * both languages, every CMS scoring rule and its boundaries, how skipped and
 * multi-choice answers are stored, every class of bad input (right status,
 * right field, nothing stored), bearer-token rules, the help choice,
 * resource matching in the patient's language (and how distances are
 * written), static files, and wrong methods (405, with Allow).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "harness.h"

static itest_daemon *demo;

/* ---- helpers ----------------------------------------------------------- */

/* Every item answered so that no domain is positive; safety sums to 4. */
static const char *const negative[][2] = {
    {"71802-3", "LA31993-1"}, {"88122-7", "LA28398-8"}, {"88123-5", "LA28398-8"},
    {"93030-5", "LA32-8"},    {"96779-4", "LA32-8"},    {"95618-5", "LA6270-8"},
    {"95617-7", "LA6270-8"},  {"95616-9", "LA6270-8"},  {"95615-1", "LA6270-8"},
};
static const char *const safety_items[4] = {"95618-5", "95617-7", "95616-9", "95615-1"};
static const char *const points_code[6] = {NULL,        "LA6270-8",  "LA10066-1",
                                           "LA10082-8", "LA16644-9", "LA6482-9"};

static json_t *negative_body(const char *lang)
{
    json_t *answers = json_object();
    for (size_t i = 0; i < sizeof negative / sizeof negative[0]; i++)
        json_object_set_new(answers, negative[i][0], json_string(negative[i][1]));
    json_object_set_new(answers, "96778-6", json_pack("[s]", "LA9-3"));
    return json_pack("{s:s, s:o}", "language", lang, "answers", answers);
}

static json_t *answers_of(json_t *body)
{
    return json_object_get(body, "answers");
}

static void set_answer(json_t *body, const char *item, const char *code)
{
    json_object_set_new(answers_of(body), item, json_string(code));
}

/* POSTs body (consumed) to path; asserts the status; returns the JSON answer. */
static json_t *post_to(const char *path, json_t *body, const char *bearer, long status)
{
    char *text = json_dumps(body, JSON_COMPACT);
    itest_resp r;
    json_t *answer;

    json_decref(body);
    assert_non_null(text);
    assert_int_equal(itest_post_json(demo, path, text, bearer, &r), 0);
    free(text);
    if (r.status != status)
        print_error("POST %s answered %ld: %s\n", path, r.status, r.body);
    assert_int_equal(r.status, status);
    answer = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(answer);
    return answer;
}

static json_t *post_screening(json_t *body)
{
    return post_to("/api/v1/screenings", body, NULL, 201);
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

/* The positive domains of a result, comma-joined in the order given. */
static void joined_domains(const json_t *result, const char *key, char *out, size_t len)
{
    size_t i, used = 0;
    json_t *v;

    out[0] = '\0';
    json_array_foreach (json_object_get(result, key), i, v) {
        int n =
            snprintf(out + used, len - used, "%s%s", i ? "," : "", json_string_value(v));
        assert_true(n > 0 && (size_t)n < len - used);
        used += (size_t)n;
    }
}

static void assert_positive(const json_t *result, const char *expected)
{
    char got[256];
    joined_domains(result, "positive_domains", got, sizeof got);
    assert_string_equal(got, expected);
}

static long long db_int(const char *sql, const char *arg)
{
    long long v = -1;
    int rc = itest_db_int(demo, sql, arg, &v);
    if (rc != 0)
        print_error("%s [%s]: %s\n", sql, arg ? arg : "", rc > 0 ? "NULL" : "no row");
    assert_int_equal(rc, 0);
    return v;
}

static int db_is_null(const char *sql, const char *arg)
{
    long long v;
    return itest_db_int(demo, sql, arg, &v) == 1;
}

static void db_text(const char *sql, const char *arg, char *out, size_t len)
{
    assert_true(itest_db_text(demo, sql, arg, out, len) >= 0);
}

static long long count_rows(const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return db_int(sql, NULL);
}

/* The stored positive domains of screening id, comma-joined in stored order. */
static void stored_positive(const char *id, char *out, size_t len)
{
    db_text("SELECT coalesce(group_concat(domain, ','), '') FROM (SELECT domain FROM "
            "screening_domains WHERE screening_id = ?1 AND positive = 1 ORDER BY rowid)",
            id, out, len);
}

static long get_status(const char *path, const char *bearer)
{
    itest_resp r;
    long status;
    assert_int_equal(itest_get(demo, path, bearer, &r), 0);
    status = r.status;
    itest_resp_free(&r);
    return status;
}

/* ---- health, settings, headers, instrument --------------------------- */

static void healthz_is_ok_json(void **state)
{
    itest_resp r;
    json_t *o;
    (void)state;

    assert_int_equal(itest_get(demo, "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(itest_header(&r, "Content-Type"));
    assert_non_null(strstr(itest_header(&r, "Content-Type"), "application/json"));
    o = itest_resp_json(&r);
    assert_non_null(o);
    assert_string_equal(jstr(o, "status"), "ok");
    assert_string_equal(jstr(o, "store"), "ok");
    assert_true(strlen(jstr(o, "version")) > 0);
    assert_non_null(json_object_get(o, "printer"));
    assert_non_null(json_object_get(o, "sms"));
    assert_int_equal(json_integer_value(json_object_get(o, "directory_services")), 69);
    json_decref(o);
    itest_resp_free(&r);
}

static void assert_security_headers(const itest_resp *r)
{
    const char *csp = itest_header(r, "Content-Security-Policy");
    const char *nosniff = itest_header(r, "X-Content-Type-Options");

    assert_non_null(csp);
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    assert_null(strstr(csp, "unsafe-inline"));
    assert_null(strstr(csp, "unsafe-eval"));
    assert_non_null(nosniff);
    assert_string_equal(nosniff, "nosniff");
}

static void api_answers_carry_security_headers(void **state)
{
    static const char *const paths[] = {"/api/v1/kiosk", "/healthz", "/api/v1/nope",
                                        "/api/v1/instrument?lang=es"};
    (void)state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        itest_resp r;
        assert_int_equal(itest_get(demo, paths[i], NULL, &r), 0);
        assert_security_headers(&r);
        assert_non_null(itest_header(&r, "Cache-Control"));
        assert_string_equal(itest_header(&r, "Cache-Control"), "no-store");
        itest_resp_free(&r);
    }
}

static void kiosk_settings_are_the_defaults(void **state)
{
    itest_resp r;
    json_t *o;
    (void)state;

    assert_int_equal(itest_get(demo, "/api/v1/kiosk", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    o = itest_resp_json(&r);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "idle_warning_s")), 60);
    assert_int_equal(json_integer_value(json_object_get(o, "idle_reset_s")), 30);
    assert_int_equal(json_array_size(json_object_get(o, "languages")), 2);
    assert_string_equal(jstr(o, "default_language"), "en");
    json_decref(o);
    itest_resp_free(&r);
}

static json_t *get_instrument(const char *lang)
{
    char path[64];
    itest_resp r;
    json_t *o;

    snprintf(path, sizeof path, "/api/v1/instrument?lang=%s", lang);
    assert_int_equal(itest_get(demo, path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    o = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(o);
    assert_string_equal(jstr(o, "language"), lang);
    return o;
}

static void instrument_in_english_and_spanish(void **state)
{
    json_t *en = get_instrument("en"), *es = get_instrument("es");
    json_t *ie = json_object_get(en, "items"), *is = json_object_get(es, "items");
    (void)state;

    assert_int_equal(json_array_size(ie), 10);
    assert_int_equal(json_array_size(is), 10);
    for (size_t i = 0; i < 10; i++) {
        json_t *a = json_array_get(ie, i), *b = json_array_get(is, i);
        assert_string_equal(jstr(a, "code"), jstr(b, "code"));
        assert_string_equal(jstr(a, "type"), jstr(b, "type"));
        assert_string_not_equal(jstr(a, "text"), jstr(b, "text"));
        assert_int_equal(json_array_size(json_object_get(a, "options")),
                         json_array_size(json_object_get(b, "options")));
    }
    assert_string_equal(jstr(json_array_get(ie, 0), "code"), "71802-3");
    assert_string_equal(jstr(json_array_get(ie, 0), "text"),
                        "What is your living situation today?");
    assert_string_equal(jstr(json_array_get(ie, 1), "type"), "multi");
    json_decref(en);
    json_decref(es);
}

static void assert_error(const itest_resp *r, long status, const char *code,
                         const char *field)
{
    json_t *o = itest_resp_json(r), *e;

    if (r->status != status)
        print_error("expected %ld, got %ld: %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(o);
    e = json_object_get(o, "error");
    assert_non_null(e);
    if (code)
        assert_string_equal(jstr(e, "code"), code);
    assert_non_null(json_string_value(json_object_get(e, "message")));
    if (field)
        assert_string_equal(jstr(e, "field"), field);
    json_decref(o);
}

static void instrument_unknown_language_is_422(void **state)
{
    static const char *const paths[] = {
        "/api/v1/instrument?lang=fr",
        "/api/v1/instrument?lang=", "/api/v1/instrument?lang=EN"};
    (void)state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        itest_resp r;
        assert_int_equal(itest_get(demo, paths[i], NULL, &r), 0);
        assert_error(&r, 422, "unsupported_language", "lang");
        itest_resp_free(&r);
    }
}

/* ---- scoring rules ------------------------------------------------------ */

typedef struct {
    const char *item;
    const char *answer;   /* single items */
    const char *multi[3]; /* 96778-6 */
    const char *positive; /* expected positive domains, comma-joined */
} rule_case;

static const rule_case rule_cases[] = {
    {"71802-3", "LA31993-1", {NULL}, ""},
    {"71802-3", "LA31994-9", {NULL}, "housing_instability"},
    {"71802-3", "LA31995-6", {NULL}, "housing_instability"},
    {"96778-6", NULL, {"LA9-3"}, ""},
    {"96778-6", NULL, {"LA28580-1"}, "housing_quality"},
    {"96778-6", NULL, {"LA31996-4", "LA31997-2", "LA32001-2"}, "housing_quality"},
    {"96778-6", NULL, {"LA31998-0", "LA31999-8", "LA32000-4"}, "housing_quality"},
    {"88122-7", "LA28397-0", {NULL}, "food"},
    {"88122-7", "LA6729-3", {NULL}, "food"},
    {"88123-5", "LA28397-0", {NULL}, "food"},
    {"88123-5", "LA6729-3", {NULL}, "food"},
    {"88123-5", "LA28398-8", {NULL}, ""},
    {"93030-5", "LA33-6", {NULL}, "transportation"},
    {"93030-5", "LA32-8", {NULL}, ""},
    {"96779-4", "LA33-6", {NULL}, "utilities"},
    {"96779-4", "LA32002-0", {NULL}, "utilities"},
    {"96779-4", "LA32-8", {NULL}, ""},
};

static json_t *rule_body(const rule_case *c)
{
    json_t *body = negative_body("en");

    if (c->answer) {
        set_answer(body, c->item, c->answer);
    } else {
        json_t *a = json_array();
        for (int k = 0; k < 3 && c->multi[k]; k++)
            json_array_append_new(a, json_string(c->multi[k]));
        json_object_set_new(answers_of(body), c->item, a);
    }
    return body;
}

static void each_cms_rule_makes_exactly_its_domain_positive(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
        json_t *res = post_screening(rule_body(&rule_cases[i]));
        char stored[256];
        const char *id = jstr(res, "id");

        assert_positive(res, rule_cases[i].positive);
        stored_positive(id, stored, sizeof stored);
        assert_string_equal(stored, rule_cases[i].positive);
        assert_int_equal(
            db_int("SELECT count(*) FROM screening_domains WHERE screening_id=?1", id),
            6);
        assert_int_equal(json_integer_value(json_object_get(res, "safety_score")), 4);
        json_decref(res);
    }
}

/* A body whose safety items score points[k]; 0 leaves the item out. */
static json_t *safety_body(const int points[4])
{
    json_t *body = negative_body("en");
    for (int k = 0; k < 4; k++) {
        if (points[k])
            set_answer(body, safety_items[k], points_code[points[k]]);
        else
            json_object_del(answers_of(body), safety_items[k]);
    }
    return body;
}

static void assert_safety_stored(const char *id, long long score, int positive)
{
    assert_int_equal(db_int("SELECT safety_score FROM screenings WHERE id=?1", id),
                     score);
    assert_int_equal(db_int("SELECT safety_complete FROM screenings WHERE id=?1", id), 1);
    assert_int_equal(db_int("SELECT score FROM screening_domains WHERE screening_id=?1 "
                            "AND domain='safety'",
                            id),
                     score);
    assert_int_equal(
        db_int("SELECT positive FROM screening_domains WHERE screening_id=?1 "
               "AND domain='safety'",
               id),
        positive);
}

static void safety_threshold_is_eleven_points(void **state)
{
    static const struct {
        int points[4];
        long long sum;
        const char *positive;
    } cases[] = {
        {{1, 1, 1, 1}, 4, ""},        {{3, 3, 2, 2}, 10, ""},
        {{5, 2, 2, 1}, 10, ""},       {{3, 3, 3, 2}, 11, "safety"},
        {{5, 4, 1, 1}, 11, "safety"}, {{5, 5, 5, 5}, 20, "safety"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *res = post_screening(safety_body(cases[i].points));
        assert_positive(res, cases[i].positive);
        assert_int_equal(json_integer_value(json_object_get(res, "safety_score")),
                         cases[i].sum);
        assert_true(json_is_true(json_object_get(res, "safety_complete")));
        assert_non_null(strstr(jstr(res, "scoring_rule"), "safety>=11"));
        assert_safety_stored(jstr(res, "id"), cases[i].sum, cases[i].positive[0] != '\0');
        json_decref(res);
    }
}

static void assert_safety_incomplete(json_t *res)
{
    const char *id = jstr(res, "id");

    assert_positive(res, "");
    assert_true(json_is_null(json_object_get(res, "safety_score")));
    assert_true(json_is_false(json_object_get(res, "safety_complete")));
    assert_true(db_is_null("SELECT safety_score FROM screenings WHERE id=?1", id));
    assert_int_equal(db_int("SELECT safety_complete FROM screenings WHERE id=?1", id), 0);
    assert_true(db_is_null("SELECT score FROM screening_domains WHERE screening_id=?1 "
                           "AND domain='safety'",
                           id));
    assert_int_equal(
        db_int("SELECT positive FROM screening_domains WHERE screening_id=?1 "
               "AND domain='safety'",
               id),
        0);
}

static void safety_with_a_skipped_item_has_no_score(void **state)
{
    /* 15 points from three items: a partial sum is never compared. */
    static const int absent[4] = {5, 5, 5, 0};
    json_t *body = safety_body(absent), *res;
    (void)state;

    res = post_screening(json_incref(body));
    assert_safety_incomplete(res);
    json_decref(res);
    json_object_set_new(body, "skipped", json_pack("[s]", safety_items[3]));
    res = post_screening(body);
    assert_safety_incomplete(res);
    json_decref(res);
}

/* ---- how answers are stored -------------------------------------------- */

static void skipped_items_are_one_null_row(void **state)
{
    json_t *body = negative_body("es"), *res;
    const char *id;
    (void)state;

    json_object_del(answers_of(body), "93030-5");
    json_object_del(answers_of(body), "96779-4");
    json_object_set_new(body, "skipped", json_pack("[s]", "93030-5"));
    res = post_screening(body);
    id = jstr(res, "id");
    for (int k = 0; k < 2; k++) {
        const char *item = k ? "96779-4" : "93030-5"; /* listed, then merely absent */
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM screening_answers WHERE "
                 "screening_id=?1 AND item_code='%s'",
                 item);
        assert_int_equal(db_int(sql, id), 1);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM screening_answers WHERE screening_id=?1"
                 " AND item_code='%s' AND answer_code IS NULL AND skipped=1",
                 item);
        assert_int_equal(db_int(sql, id), 1);
    }
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_answers WHERE screening_id=?1", id), 10);
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_answers WHERE screening_id=?1 "
               "AND skipped=1",
               id),
        2);
    assert_int_equal(
        db_int("SELECT count(*) FROM screenings WHERE id=?1 AND language='es'", id), 1);
    json_decref(res);
}

static void multi_answer_is_several_rows(void **state)
{
    json_t *body = negative_body("en"), *res;
    const char *id;
    (void)state;

    json_object_set_new(answers_of(body), "96778-6",
                        json_pack("[s,s,s]", "LA31996-4", "LA28580-1", "LA32001-2"));
    res = post_screening(body);
    id = jstr(res, "id");
    assert_positive(res, "housing_quality");
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_answers WHERE screening_id=?1 "
               "AND item_code='96778-6' AND skipped=0",
               id),
        3);
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_answers WHERE screening_id=?1 AND "
               "item_code='96778-6' AND answer_code IN "
               "('LA31996-4','LA28580-1','LA32001-2')",
               id),
        3);
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_answers WHERE screening_id=?1", id), 12);
    json_decref(res);
}

/* ---- bad input --------------------------------------------------------- */

#define VALID "{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA33-6\"}}"
#define WITH(answers) "{\"language\":\"en\",\"answers\":{" answers "}}"
#define JSON "application/json"

typedef struct {
    const char *name;
    const char *content_type;
    const char *body;
    long status;
    const char *code;  /* NULL: any code */
    const char *field; /* NULL: none expected */
} bad_case;

static const bad_case bad_cases[] = {
    {"not JSON", JSON, "{\"language\":\"en\",", 400, "invalid_json", NULL},
    {"empty body", JSON, "", 400, "invalid_json", NULL},
    {"duplicate key", JSON, "{\"language\":\"en\",\"language\":\"es\",\"answers\":{}}",
     400, "invalid_json", NULL},
    {"JSON array", JSON, "[" VALID "]", 400, "invalid_body", NULL},
    /* jansson reads a bare scalar as invalid JSON: either code is fair here. */
    {"JSON string", JSON, "\"en\"", 400, NULL, NULL},
    {"text/plain", "text/plain", VALID, 415, "unsupported_media_type", NULL},
    {"form", "application/x-www-form-urlencoded", VALID, 415, "unsupported_media_type",
     NULL},
    {"no content type", NULL, VALID, 415, "unsupported_media_type", NULL},
    {"application/jsonp", "application/jsonp", VALID, 415, "unsupported_media_type",
     NULL},
    {"missing language", JSON, "{\"answers\":{}}", 422, "missing_field", "language"},
    {"language not a string", JSON, "{\"language\":1,\"answers\":{}}", 422, "wrong_type",
     "language"},
    {"unsupported language", JSON, "{\"language\":\"fr\",\"answers\":{}}", 422,
     "unsupported_language", "language"},
    {"missing answers", JSON, "{\"language\":\"en\"}", 422, "missing_field", "answers"},
    {"answers an array", JSON, "{\"language\":\"en\",\"answers\":[]}", 422, "wrong_type",
     "answers"},
    {"unknown item", JSON, WITH("\"12345-6\":\"LA32-8\""), 422, "unknown_item",
     "answers.12345-6"},
    {"unknown answer code", JSON, WITH("\"71802-3\":\"LA99999-9\""), 422,
     "unknown_answer", "answers.71802-3"},
    {"another item's answer code", JSON, WITH("\"71802-3\":\"LA33-6\""), 422,
     "unknown_answer", "answers.71802-3"},
    {"answer a number", JSON, WITH("\"93030-5\":1"), 422, "wrong_type",
     "answers.93030-5"},
    {"array for a single item", JSON, WITH("\"71802-3\":[\"LA31993-1\"]"), 422,
     "wrong_type", "answers.71802-3"},
    {"string for the multi item", JSON, WITH("\"96778-6\":\"LA31996-4\""), 422,
     "wrong_type", "answers.96778-6"},
    {"empty multi", JSON, WITH("\"96778-6\":[]"), 422, "empty_answer", "answers.96778-6"},
    {"repeated multi", JSON, WITH("\"96778-6\":[\"LA28580-1\",\"LA28580-1\"]"), 422,
     "duplicate_answer", "answers.96778-6"},
    {"none of the above and mold", JSON, WITH("\"96778-6\":[\"LA9-3\",\"LA28580-1\"]"),
     422, "exclusive_answer", "answers.96778-6"},
    {"mold and none of the above", JSON, WITH("\"96778-6\":[\"LA28580-1\",\"LA9-3\"]"),
     422, "exclusive_answer", "answers.96778-6"},
    {"answered and skipped", JSON,
     "{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA32-8\"},\"skipped\":[\"93030-5\"]"
     "}",
     422, "answered_and_skipped", "skipped[0]"},
    {"skipped unknown item", JSON,
     "{\"language\":\"en\",\"answers\":{},\"skipped\":[\"93030-5\",\"00000-0\"]}", 422,
     "unknown_item", "skipped[1]"},
    {"skipped not a list", JSON,
     "{\"language\":\"en\",\"answers\":{},\"skipped\":\"93030-5\"}", 422, "wrong_type",
     "skipped"},
    {"unknown top-level field", JSON,
     "{\"language\":\"en\",\"answers\":{},\"name\":\"Ana\"}", 422, "unknown_field",
     "name"},
    {"wants_help not boolean", JSON,
     "{\"language\":\"en\",\"answers\":{},\"wants_help\":1}", 422, "wrong_type",
     "wants_help"},
    {"help_domains without wants_help", JSON,
     "{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA33-6\"},\"help_domains\":["
     "\"transportation\"]}",
     422, "missing_field", "wants_help"},
    {"help for an unknown domain", JSON,
     "{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA33-6\"},\"wants_help\":true,"
     "\"help_domains\":[\"money\"]}",
     422, "unknown_domain", "help_domains[0]"},
    {"help for a need not found", JSON,
     "{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA33-6\"},\"wants_help\":true,"
     "\"help_domains\":[\"transportation\",\"food\"]}",
     422, "domain_not_positive", "help_domains[1]"},
};

/* Returns 0 when the case behaved, else prints why and returns 1. */
static int check_bad_case(const bad_case *c)
{
    long long before = count_rows("screenings"),
              answers = count_rows("screening_answers");
    itest_req rq = {"POST",  "/api/v1/screenings", c->content_type,
                    c->body, strlen(c->body),      NULL};
    itest_resp r;
    json_t *o, *e;
    const char *code, *field;
    int bad = 0;

    assert_int_equal(itest_http(demo, &rq, &r), 0);
    o = itest_resp_json(&r);
    e = json_object_get(o, "error");
    code = json_string_value(json_object_get(e, "code"));
    field = json_string_value(json_object_get(e, "field"));
    bad |= r.status != c->status || !code || (c->code && strcmp(code, c->code) != 0);
    bad |= c->field ? !field || strcmp(field, c->field) != 0 : field != NULL;
    bad |= !json_string_value(json_object_get(e, "message"));
    bad |=
        count_rows("screenings") != before || count_rows("screening_answers") != answers;
    if (bad)
        print_error("%s: expected %ld %s field %s; got %ld %s\n", c->name, c->status,
                    c->code ? c->code : "(any)", c->field ? c->field : "(none)", r.status,
                    r.body);
    json_decref(o);
    itest_resp_free(&r);
    return bad;
}

static void bad_input_is_refused_and_nothing_is_stored(void **state)
{
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        failures += check_bad_case(&bad_cases[i]);
    assert_int_equal(failures, 0);
}

/* A valid JSON body of exactly n bytes (padded with spaces). */
static char *padded_body(size_t n)
{
    static const char head[] =
        "{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA33-6\"}";
    char *s = malloc(n + 1);

    assert_non_null(s);
    assert_true(n > sizeof head);
    memcpy(s, head, sizeof head - 1);
    memset(s + sizeof head - 1, ' ', n - sizeof head);
    s[n - 1] = '}';
    s[n] = '\0';
    return s;
}

static void body_over_16_kb_is_413(void **state)
{
    char *big = padded_body(16 * 1024 + 1), *exact = padded_body(16 * 1024);
    long long before = count_rows("screenings");
    itest_resp r;
    (void)state;

    assert_int_equal(itest_post_json(demo, "/api/v1/screenings", big, NULL, &r), 0);
    assert_error(&r, 413, "body_too_large", NULL);
    itest_resp_free(&r);
    assert_int_equal(count_rows("screenings"), before);
    /* The limit itself is allowed. */
    assert_int_equal(itest_post_json(demo, "/api/v1/screenings", exact, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    itest_resp_free(&r);
    assert_int_equal(count_rows("screenings"), before + 1);
    free(big);
    free(exact);
}

/* ---- tokens ------------------------------------------------------------- */

static void screening_path(char *out, size_t len, const char *id, const char *tail)
{
    snprintf(out, len, "/api/v1/screenings/%s%s", id, tail);
}

static void get_with_token_returns_the_stored_result(void **state)
{
    json_t *body = negative_body("es"), *res, *again;
    char path[128];
    itest_resp r;
    (void)state;

    set_answer(body, "88122-7", "LA6729-3");
    res = post_screening(body);
    assert_int_equal(strlen(jstr(res, "token")), 43);
    assert_true(json_integer_value(json_object_get(res, "expires_in")) > 0);
    screening_path(path, sizeof path, jstr(res, "id"), "");
    assert_int_equal(itest_get(demo, path, jstr(res, "token"), &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(itest_header(&r, "Cache-Control"), "no-store");
    again = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(again);
    json_object_del(res, "token");
    json_object_del(res, "expires_in");
    assert_true(json_equal(res, again));
    json_decref(again);
    json_decref(res);
}

static void assert_401(const char *method, const char *path, const char *bearer)
{
    itest_req rq = {method, path, NULL, NULL, 0, bearer};
    itest_resp r;

    if (!strcmp(method, "POST")) {
        rq.content_type = "application/json";
        rq.body = "{\"wants_help\":false}";
        rq.body_len = strlen(rq.body);
    }
    assert_int_equal(itest_http(demo, &rq, &r), 0);
    assert_error(&r, 401, "invalid_token", NULL);
    assert_non_null(itest_header(&r, "WWW-Authenticate"));
    itest_resp_free(&r);
}

static void tokens_open_only_their_own_screening(void **state)
{
    json_t *a = post_screening(negative_body("en")),
           *b = post_screening(negative_body("en"));
    char pa[128], help[128];
    char wrong[44];
    (void)state;

    screening_path(pa, sizeof pa, jstr(a, "id"), "");
    screening_path(help, sizeof help, jstr(a, "id"), "/help");
    snprintf(wrong, sizeof wrong, "%s", jstr(a, "token"));
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_401("GET", pa, NULL);
    assert_401("GET", pa, "");
    assert_401("GET", pa, wrong);
    assert_401("GET", pa, jstr(b, "token"));
    assert_401("POST", help, jstr(b, "token"));
    assert_401("DELETE", "/api/v1/screenings/00000000000000000000000000000000/token",
               jstr(a, "token"));
    assert_int_equal(get_status(pa, jstr(a, "token")), 200);
    json_decref(a);
    json_decref(b);
}

static void deleting_the_token_ends_it(void **state)
{
    json_t *res = post_screening(negative_body("en"));
    char path[128], tok[128];
    itest_resp r;
    (void)state;

    screening_path(path, sizeof path, jstr(res, "id"), "");
    screening_path(tok, sizeof tok, jstr(res, "id"), "/token");
    assert_int_equal(get_status(path, jstr(res, "token")), 200);
    assert_int_equal(itest_delete(demo, tok, jstr(res, "token"), &r), 0);
    assert_true(r.status == 204 || r.status == 200);
    itest_resp_free(&r);
    assert_401("GET", path, jstr(res, "token"));
    assert_401("DELETE", tok, jstr(res, "token"));
    /* The screening itself stays stored. */
    assert_int_equal(
        db_int("SELECT count(*) FROM screenings WHERE id=?1", jstr(res, "id")), 1);
    json_decref(res);
}

static void unknown_ids_are_never_200(void **state)
{
    json_t *res = post_screening(negative_body("en"));
    static const char *const ids[] = {"0123456789abcdef0123456789abcdef",
                                      "0123456789ABCDEF0123456789ABCDEF", "short",
                                      "0123456789abcdef0123456789abcdef0"};
    (void)state;

    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char path[128];
        screening_path(path, sizeof path, ids[i], "");
        long status = get_status(path, jstr(res, "token"));
        if (status != 401 && status != 404)
            print_error("GET %s answered %ld\n", path, status);
        assert_true(status == 401 || status == 404);
    }
    json_decref(res);
}

/* ---- the help choice --------------------------------------------------- */

static json_t *food_and_transport(void)
{
    json_t *body = negative_body("en");
    set_answer(body, "88122-7", "LA28397-0");
    set_answer(body, "93030-5", "LA33-6");
    return post_screening(body);
}

static void help_domains_stored(const char *id, char *out, size_t len)
{
    db_text("SELECT coalesce(group_concat(domain, ','), '') FROM (SELECT domain FROM "
            "screening_domains WHERE screening_id=?1 AND wants_help=1 ORDER BY rowid)",
            id, out, len);
}

static void help_is_stored_for_the_chosen_domain_only(void **state)
{
    json_t *res = food_and_transport(), *ans;
    const char *id = jstr(res, "id"), *token = jstr(res, "token");
    char path[128], got[256];
    (void)state;

    assert_true(db_is_null("SELECT wants_help FROM screenings WHERE id=?1", id));
    screening_path(path, sizeof path, id, "/help");
    ans = post_to(path, json_pack("{s:b, s:[s]}", "wants_help", 1, "domains", "food"),
                  token, 200);
    assert_true(json_is_true(json_object_get(ans, "wants_help")));
    joined_domains(ans, "help_domains", got, sizeof got);
    assert_string_equal(got, "food");
    json_decref(ans);
    assert_int_equal(db_int("SELECT wants_help FROM screenings WHERE id=?1", id), 1);
    assert_false(db_is_null("SELECT help_at FROM screenings WHERE id=?1", id));
    help_domains_stored(id, got, sizeof got);
    assert_string_equal(got, "food");
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_domains WHERE screening_id=?1 "
               "AND wants_help=0",
               id),
        5);
    screening_path(path, sizeof path, id, "");
    assert_int_equal(get_status(path, token), 200);
    json_decref(res);
}

static void help_for_a_negative_domain_is_422(void **state)
{
    json_t *res = food_and_transport(), *ans;
    const char *id = jstr(res, "id"), *token = jstr(res, "token");
    char path[128], got[256];
    itest_resp r;
    (void)state;

    screening_path(path, sizeof path, id, "/help");
    ans =
        post_to(path, json_pack("{s:b, s:[s]}", "wants_help", 1, "domains", "utilities"),
                token, 422);
    assert_string_equal(jstr(json_object_get(ans, "error"), "field"), "domains[0]");
    json_decref(ans);
    assert_true(db_is_null("SELECT wants_help FROM screenings WHERE id=?1", id));
    help_domains_stored(id, got, sizeof got);
    assert_string_equal(got, "");
    assert_int_equal(
        itest_post_json(demo, path, "{\"wants_help\":true,\"why\":1}", token, &r), 0);
    assert_error(&r, 422, "unknown_field", "why");
    itest_resp_free(&r);
    assert_int_equal(itest_post_json(demo, path, "[]", token, &r), 0);
    assert_error(&r, 400, NULL, NULL);
    itest_resp_free(&r);
    /* Saying no afterwards is stored as no, with no domain. */
    ans = post_to(path, json_pack("{s:b}", "wants_help", 0), token, 200);
    json_decref(ans);
    assert_int_equal(db_int("SELECT wants_help FROM screenings WHERE id=?1", id), 0);
    help_domains_stored(id, got, sizeof got);
    assert_string_equal(got, "");
    json_decref(res);
}

static void help_in_the_screening_body_is_stored(void **state)
{
    json_t *body = negative_body("en"), *res;
    char got[256];
    (void)state;

    set_answer(body, "88122-7", "LA28397-0");
    set_answer(body, "93030-5", "LA33-6");
    json_object_set_new(body, "wants_help", json_true());
    json_object_set_new(body, "help_domains", json_pack("[s]", "transportation"));
    res = post_screening(body);
    assert_true(json_is_true(json_object_get(res, "wants_help")));
    joined_domains(res, "help_domains", got, sizeof got);
    assert_string_equal(got, "transportation");
    assert_int_equal(
        db_int("SELECT wants_help FROM screenings WHERE id=?1", jstr(res, "id")), 1);
    help_domains_stored(jstr(res, "id"), got, sizeof got);
    assert_string_equal(got, "transportation");
    json_decref(res);
}

/* ---- resources ---------------------------------------------------------- */

static int starts_with_any(const char *s, const char *const *prefixes)
{
    for (; *prefixes; prefixes++)
        if (strncmp(s, *prefixes, strlen(*prefixes)) == 0)
            return 1;
    return 0;
}

/* Checks every resource; returns how many carry hours text. */
static int check_resources(json_t *res, const char *const *hours_prefixes)
{
    json_t *list = json_object_get(res, "resources"), *r;
    size_t i;
    int food = 0, with_hours = 0;

    json_array_foreach (list, i, r) {
        const char *hours = json_string_value(json_object_get(r, "hours"));
        assert_true(strlen(jstr(r, "name")) > 0);
        assert_true(strlen(jstr(r, "phone")) > 0);
        assert_true(strlen(jstr(r, "service_id")) > 0);
        food += !strcmp(jstr(r, "domain"), "food");
        if (hours) {
            if (!starts_with_any(hours, hours_prefixes))
                print_error("hours \"%s\" of %s\n", hours, jstr(r, "name"));
            assert_true(starts_with_any(hours, hours_prefixes));
            with_hours++;
        }
    }
    assert_true(food >= 1);
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_resources WHERE screening_id=?1",
               jstr(res, "id")),
        (long long)json_array_size(list));
    return with_hours;
}

static void food_need_gets_food_resources_in_the_patients_language(void **state)
{
    static const char *const en[] = {"Open", "Opens", "Closed", NULL};
    static const char *const es[] = {"Abierto", "Abre", "Cerrado", NULL};
    json_t *body;
    json_t *res;
    (void)state;

    body = negative_body("en");
    set_answer(body, "88123-5", "LA6729-3");
    res = post_screening(body);
    assert_true(check_resources(res, en) >= 1);
    json_decref(res);
    body = negative_body("es");
    set_answer(body, "88123-5", "LA6729-3");
    res = post_screening(body);
    assert_true(check_resources(res, es) >= 1);
    json_decref(res);
}

/* 1 when the number at p is written with at most one decimal ("0.9", "12"). */
static int one_decimal(const char *p)
{
    const char *dot;

    p += strspn(p, "-");
    dot = p + strspn(p, "0123456789");
    if (dot == p)
        return 0;
    if (*dot != '.')
        return 1;
    return dot[1] >= '0' && dot[1] <= '9' && strchr(",}", dot[2]) != NULL;
}

/* distance_km is rounded to 0.1 km; the JSON must say 0.9, not 0.90000000000000002. */
static void distances_are_written_to_one_decimal(void **state)
{
    json_t *body = negative_body("en");
    char *text;
    itest_resp r;
    int numbers = 0, bad = 0;
    (void)state;

    set_answer(body, "71802-3", "LA31995-6");
    set_answer(body, "88122-7", "LA28397-0");
    set_answer(body, "93030-5", "LA33-6");
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    assert_int_equal(itest_post_json(demo, "/api/v1/screenings", text, NULL, &r), 0);
    free(text);
    assert_int_equal(r.status, 201);
    for (const char *p = r.body; (p = strstr(p, "\"distance_km\":")) != NULL; p++) {
        const char *v = p + strlen("\"distance_km\":");
        if (!strncmp(v, "null", 4))
            continue;
        numbers++;
        if (!one_decimal(v)) {
            if (!bad++)
                print_error("distance_km written as %.24s\n", v);
        }
    }
    itest_resp_free(&r);
    assert_true(numbers > 0);
    assert_int_equal(bad, 0);
}

static void no_need_gets_no_resources(void **state)
{
    json_t *res = post_screening(negative_body("en"));
    (void)state;

    assert_int_equal(json_array_size(json_object_get(res, "resources")), 0);
    assert_int_equal(
        db_int("SELECT count(*) FROM screening_resources WHERE screening_id=?1",
               jstr(res, "id")),
        0);
    json_decref(res);
}

/* ---- static files and methods ----------------------------------------- */

static void assert_get(itest_daemon *d, const char *path, long status, const char *type)
{
    itest_req rq = {"GET", path, NULL, NULL, 0, NULL};
    itest_resp r;

    assert_int_equal(itest_http(d, &rq, &r), 0);
    if (r.status != status)
        print_error("GET %s answered %ld\n", path, r.status);
    assert_int_equal(r.status, status);
    if (type) {
        assert_non_null(itest_header(&r, "Content-Type"));
        assert_int_equal(strncmp(itest_header(&r, "Content-Type"), type, strlen(type)),
                         0);
    }
    assert_security_headers(&r);
    itest_resp_free(&r);
}

/* A kiosk-ui stand-in, so these checks do not depend on the real UI. */
static itest_daemon *start_with_ui(char *dir, size_t len)
{
    char path[ITEST_PATH * 2], ui[ITEST_PATH + 8], conf[ITEST_PATH * 2];

    assert_int_equal(itest_mkdtemp(dir, len), 0);
    snprintf(ui, sizeof ui, "%s/ui", dir);
    assert_int_equal(mkdir(ui, 0700), 0);
    snprintf(path, sizeof path, "%s/staff", ui);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(itest_write_file(ui, "index.html",
                                      "<!doctype html><title>k</title>\n", path,
                                      sizeof path),
                     0);
    assert_int_equal(itest_write_file(ui, "app.js", "export {};\n", path, sizeof path),
                     0);
    assert_int_equal(itest_write_file(ui, ".env", "secret\n", path, sizeof path), 0);
    assert_int_equal(
        itest_write_file(ui, "staff/index.html", "staff\n", path, sizeof path), 0);
    snprintf(path, sizeof path, "[paths]\nui_dir = %s\n", ui);
    assert_int_equal(itest_write_file(dir, "signpost.conf", path, conf, sizeof conf), 0);
    itest_opts o = {.config = conf};
    itest_daemon *d = itest_start(&o);
    assert_non_null(d);
    return d;
}

static void static_files_are_served_safely(void **state)
{
    static const char *const refused[] = {
        "/../etc/passwd", "/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd",
        "/staff/",        "/staff/index.html",  "/.env",
        "/missing.html",  "/index.html.bak",    "//etc/passwd",
    };
    char dir[ITEST_PATH];
    itest_daemon *d = start_with_ui(dir, sizeof dir);
    (void)state;

    assert_get(d, "/", 200, "text/html");
    assert_get(d, "/index.html", 200, "text/html");
    assert_get(d, "/app.js", 200, "text/javascript");
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_get(d, refused[i], 404, NULL);
    assert_int_equal(itest_stop(d), 0);
    itest_free(d);
    itest_rmtree(dir);
}

/* The first .js file in dir, or 0. */
static int find_js(const char *dir, char *out, size_t len)
{
    DIR *dd = opendir(dir);
    struct dirent *e;
    int found = 0;

    while (dd && !found && (e = readdir(dd)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 3 && e->d_name[0] != '.' && !strcmp(e->d_name + n - 3, ".js")) {
            snprintf(out, len, "/%s", e->d_name);
            found = 1;
        }
    }
    if (dd)
        closedir(dd);
    return found;
}

static void the_real_kiosk_ui_is_served(void **state)
{
    struct stat st;
    char js[256];
    (void)state;

    if (stat(SOURCE_DIR "/kiosk-ui/index.html", &st) != 0) {
        print_message("kiosk-ui/index.html is not in the tree yet: skipped\n");
        skip();
    }
    assert_get(demo, "/", 200, "text/html");
    if (find_js(SOURCE_DIR "/kiosk-ui", js, sizeof js))
        assert_get(demo, js, 200, "text/javascript");
    assert_get(demo, "/../etc/passwd", 404, NULL);
    assert_get(demo, "/staff/", 404, NULL);
}

typedef struct {
    const char *method;
    const char *path;
} route;

static void wrong_methods_are_405(void **state)
{
    static const route routes[] = {
        {"PUT", "/api/v1/screenings"},    {"GET", "/api/v1/screenings"},
        {"DELETE", "/api/v1/screenings"}, {"POST", "/healthz"},
        {"DELETE", "/healthz"},           {"POST", "/api/v1/instrument"},
        {"PUT", "/api/v1/kiosk"},         {"POST", "/"},
        {"DELETE", "/index.html"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        itest_req rq = {routes[i].method, routes[i].path, NULL, NULL, 0, NULL};
        itest_resp r;
        assert_int_equal(itest_http(demo, &rq, &r), 0);
        if (r.status != 405)
            print_error("%s %s answered %ld\n", rq.method, rq.path, r.status);
        assert_error(&r, 405, "method_not_allowed", NULL);
        itest_resp_free(&r);
    }
}

static void wrong_methods_on_a_screening_are_405(void **state)
{
    json_t *res = post_screening(negative_body("en"));
    const char *token = jstr(res, "token");
    static const route routes[] = {{"POST", ""},
                                   {"DELETE", ""},
                                   {"GET", "/help"},
                                   {"GET", "/token"},
                                   {"POST", "/token"}};
    (void)state;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        char path[128];
        screening_path(path, sizeof path, jstr(res, "id"), routes[i].path);
        itest_req rq = {routes[i].method, path, NULL, NULL, 0, token};
        itest_resp r;
        assert_int_equal(itest_http(demo, &rq, &r), 0);
        assert_error(&r, 405, "method_not_allowed", NULL);
        itest_resp_free(&r);
    }
    json_decref(res);
}

/* RFC 9110 15.5.6: a 405 answer MUST carry Allow, naming the methods that work. */
static void method_not_allowed_names_the_allowed_methods(void **state)
{
    itest_req rq = {"PUT", "/api/v1/screenings", NULL, NULL, 0, NULL};
    itest_resp r;
    char allow[512] = "";
    long status;
    (void)state;

    assert_int_equal(itest_http(demo, &rq, &r), 0);
    status = r.status;
    if (itest_header(&r, "Allow"))
        snprintf(allow, sizeof allow, "%s", itest_header(&r, "Allow"));
    itest_resp_free(&r);
    assert_int_equal(status, 405);
    if (!allow[0])
        print_error("405 without an Allow header (RFC 9110 15.5.6)\n");
    assert_true(allow[0] != '\0');
    assert_non_null(strstr(allow, "POST"));
}

static void unknown_api_route_is_404(void **state)
{
    itest_resp r;
    (void)state;

    assert_int_equal(itest_get(demo, "/api/v2/screenings", NULL, &r), 0);
    assert_error(&r, 404, "not_found", NULL);
    itest_resp_free(&r);
}

/* ---- the run ------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    if (itest_init() != 0)
        return -1;
    demo = itest_start(NULL);
    return demo ? 0 : -1;
}

static int group_teardown(void **state)
{
    int code = itest_stop(demo);
    (void)state;

    if (code != 0)
        itest_dump_log(demo, "exit status after SIGTERM was not 0");
    itest_free(demo);
    itest_cleanup();
    return code == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthz_is_ok_json),
        cmocka_unit_test(api_answers_carry_security_headers),
        cmocka_unit_test(kiosk_settings_are_the_defaults),
        cmocka_unit_test(instrument_in_english_and_spanish),
        cmocka_unit_test(instrument_unknown_language_is_422),
        cmocka_unit_test(each_cms_rule_makes_exactly_its_domain_positive),
        cmocka_unit_test(safety_threshold_is_eleven_points),
        cmocka_unit_test(safety_with_a_skipped_item_has_no_score),
        cmocka_unit_test(skipped_items_are_one_null_row),
        cmocka_unit_test(multi_answer_is_several_rows),
        cmocka_unit_test(bad_input_is_refused_and_nothing_is_stored),
        cmocka_unit_test(body_over_16_kb_is_413),
        cmocka_unit_test(get_with_token_returns_the_stored_result),
        cmocka_unit_test(tokens_open_only_their_own_screening),
        cmocka_unit_test(deleting_the_token_ends_it),
        cmocka_unit_test(unknown_ids_are_never_200),
        cmocka_unit_test(help_is_stored_for_the_chosen_domain_only),
        cmocka_unit_test(help_for_a_negative_domain_is_422),
        cmocka_unit_test(help_in_the_screening_body_is_stored),
        cmocka_unit_test(food_need_gets_food_resources_in_the_patients_language),
        cmocka_unit_test(distances_are_written_to_one_decimal),
        cmocka_unit_test(no_need_gets_no_resources),
        cmocka_unit_test(static_files_are_served_safely),
        cmocka_unit_test(the_real_kiosk_ui_is_served),
        cmocka_unit_test(wrong_methods_are_405),
        cmocka_unit_test(wrong_methods_on_a_screening_are_405),
        cmocka_unit_test(method_not_allowed_names_the_allowed_methods),
        cmocka_unit_test(unknown_api_route_is_404),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
