/*
 * The FHIR builder on a fixed submission: the resources and their order,
 * the LOINC and LA codes, the SDOH categories, the safety score, the
 * referral status mappings, references that all resolve inside the
 * Bundle, deterministic ids, and the whole Bundle against the golden file
 * tests/fhir/golden-bundle.json (which tests/fhir/validate.js also checks
 * against the FHIR R4 schema).  Set SIGNPOST_WRITE_GOLDEN=1 to rewrite it
 * after a deliberate change, then read the diff.
 */
#include <jansson.h>

#include "helpers.h"
#include "export_fixture.h"
#include "signpost/fhir.h"

#define GOLDEN SOURCE_DIR "/tests/fhir/golden-bundle.json"

static fhir_ctx ctx(void)
{
    fhir_ctx c = {inst, "Riverton Community Clinic"};
    return c;
}

static json_t *entries_of(const export_sub *s)
{
    fhir_ctx c = ctx();
    json_t *e = fhir_submission(&c, s);
    assert_non_null(e);
    return e;
}

static json_t *res(json_t *entries, size_t i)
{
    return json_object_get(json_array_get(entries, i), "resource");
}

static const char *str(json_t *o, const char *path)
{
    char key[64];
    const char *dot;

    /* a.b.0.c: objects by key, arrays by index */
    while (o && (dot = strchr(path, '.'))) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
        o = json_is_array(o) ? json_array_get(o, (size_t)strtol(key, NULL, 10))
                             : json_object_get(o, key);
        path = dot + 1;
    }
    o = json_is_array(o) ? json_array_get(o, (size_t)strtol(path, NULL, 10))
                         : json_object_get(o, path);
    return json_string_value(o);
}

/* The entry whose resource has type and code (Observation) or NULL code. */
static json_t *find(json_t *entries, const char *type, const char *code)
{
    size_t i;
    json_t *e;

    json_array_foreach(entries, i, e)
    {
        json_t *r = json_object_get(e, "resource");
        const char *t = str(r, "resourceType"), *c = str(r, "code.coding.0.code");
        if (!strcmp(t, type) && (!code || (c && !strcmp(c, code))))
            return r;
    }
    return NULL;
}

static void uuids(void **state)
{
    char a[FHIR_UUID_URN_LEN], b[FHIR_UUID_URN_LEN], c[FHIR_UUID_URN_LEN];
    (void)state;

    fhir_uuid_urn("obs", FIX_ID ":71802-3", a);
    fhir_uuid_urn("obs", FIX_ID ":71802-3", b);
    fhir_uuid_urn("obs", FIX_ID ":88122-7", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    fhir_uuid_urn("qr", FIX_ID ":71802-3", c);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), FHIR_UUID_URN_LEN - 1);
    assert_memory_equal(a, "urn:uuid:", 9);
    for (size_t i = 9; a[i]; i++) {
        size_t k = i - 9;
        if (k == 8 || k == 13 || k == 18 || k == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[9 + 14], '8');           /* version 8 */
    assert_non_null(strchr("89ab", a[9 + 19])); /* variant 10 */
}

static void status_maps(void **state)
{
    (void)state;
    const char *task[] = {"draft",     "requested", "in-progress",
                          "completed", "rejected",  "failed"};
    const char *req[] = {"active", "active", "active", "completed", "revoked", "revoked"};
    for (int i = 0; i < REF_NSTATUS; i++) {
        assert_string_equal(fhir_task_status((export_ref_status)i), task[i]);
        assert_string_equal(fhir_request_status((export_ref_status)i), req[i]);
    }
}

static void resources_in_order(void **state)
{
    export_sub *s = fixture();
    json_t *e = entries_of(s);
    const char *want[] = {"Patient",        "QuestionnaireResponse",
                          "Observation",    "Observation",
                          "Observation",    "Observation", /* 4 */
                          "Observation",    "Observation",
                          "Observation",    "Observation",
                          "Observation", /* 9 answered items */
                          "Observation", /* safety score */
                          "Observation", /* panel */
                          "ServiceRequest", "Task",
                          "ServiceRequest", "Task",
                          "ServiceRequest", "Task",
                          "ServiceRequest", "Task"};
    (void)state;

    assert_int_equal(json_array_size(e), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < json_array_size(e); i++)
        assert_string_equal(str(res(e, i), "resourceType"), want[i]);
    /* The patient is nothing but an id. */
    assert_int_equal(json_object_size(res(e, 0)), 2);
    json_decref(e);
    free(s);
}

static void questionnaire_response(void **state)
{
    export_sub *s = fixture();
    json_t *e = entries_of(s), *qr = find(e, "QuestionnaireResponse", NULL), *items;
    (void)state;

    assert_string_equal(str(qr, "questionnaire"), "http://loinc.org/q/96777-8");
    assert_string_equal(str(qr, "status"), "completed");
    assert_string_equal(str(qr, "authored"), "2026-11-29T21:14:11Z");
    assert_string_equal(str(qr, "subject.reference"),
                        str(json_array_get(e, 0), "fullUrl"));
    items = json_object_get(qr, "item");
    assert_int_equal(json_array_size(items), 9); /* 93030-5 was skipped */
    assert_string_equal(str(items, "0.linkId"), "71802-3");
    assert_string_equal(str(items, "0.answer.0.valueCoding.system"), "http://loinc.org");
    assert_string_equal(str(items, "0.answer.0.valueCoding.code"), "LA31994-9");
    assert_string_equal(str(items, "1.answer.1.valueCoding.code"), "LA28580-1");
    assert_string_equal(str(items, "1.answer.1.valueCoding.display"), "Mold");
    for (size_t i = 0; i < json_array_size(items); i++)
        assert_string_not_equal(str(json_array_get(items, i), "linkId"), "93030-5");
    assert_string_equal(str(items, "4.linkId"), "96779-4");
    json_decref(e);
    free(s);
}

static int has_category(json_t *o, const char *system, const char *code)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(o, "category"), i, c)
    {
        const char *sy = str(c, "coding.0.system"), *co = str(c, "coding.0.code");
        if (sy && co && !strcmp(sy, system) && !strcmp(co, code))
            return 1;
    }
    return 0;
}

static void item_observations(void **state)
{
    export_sub *s = fixture();
    json_t *e = entries_of(s), *o;
    const char *qr = str(json_array_get(e, 1), "fullUrl");
    (void)state;

    o = find(e, "Observation", "88122-7");
    assert_non_null(o);
    assert_string_equal(str(o, "status"), "final");
    assert_string_equal(str(o, "code.coding.0.system"), "http://loinc.org");
    assert_string_equal(str(o, "valueCodeableConcept.coding.0.code"), "LA28397-0");
    assert_string_equal(str(o, "effectiveDateTime"), "2026-11-29T21:14:11Z");
    assert_string_equal(str(o, "derivedFrom.0.reference"), qr);
    assert_true(has_category(o, FHIR_OBS_CATEGORY, "social-history"));
    assert_true(has_category(o, FHIR_OBS_CATEGORY, "survey"));
    assert_true(has_category(o, FHIR_SDOHCC, "food-insecurity"));
    assert_string_equal(str(o, "interpretation.0.coding.0.code"), "POS"); /* often true */
    /* Never true: no flag at all, as the guide asks. */
    assert_null(json_object_get(find(e, "Observation", "88123-5"), "interpretation"));
    /* Housing: both categories whatever the answer. */
    o = find(e, "Observation", "71802-3");
    assert_true(has_category(o, FHIR_SDOHCC, "housing-instability"));
    assert_true(has_category(o, FHIR_SDOHCC, "homelessness"));
    /* Choose all that apply: one component per answer, no value. */
    o = find(e, "Observation", "96778-6");
    assert_null(json_object_get(o, "valueCodeableConcept"));
    assert_int_equal(json_array_size(json_object_get(o, "component")), 2);
    assert_string_equal(str(o, "component.1.code.coding.0.code"), "96778-6");
    assert_string_equal(str(o, "component.1.valueCodeableConcept.coding.0.code"),
                        "LA28580-1");
    assert_true(has_category(o, FHIR_SDOHCC, "inadequate-housing"));
    assert_true(has_category(find(e, "Observation", "96779-4"), FHIR_SDOHCC,
                             "utility-insecurity"));
    o = find(e, "Observation", "95618-5");
    assert_true(has_category(o, FHIR_SDOHCC, "sdoh-category-unspecified"));
    assert_null(find(e, "Observation", "93030-5")); /* skipped: no Observation */
    json_decref(e);
    free(s);
}

static void score_and_panel(void **state)
{
    export_sub *s = fixture();
    json_t *e = entries_of(s), *score, *panel;
    (void)state;

    score = find(e, "Observation", "95614-4");
    assert_non_null(score);
    assert_int_equal(json_integer_value(json_object_get(score, "valueInteger")), 4);
    assert_null(json_object_get(score, "interpretation"));
    assert_int_equal(json_array_size(json_object_get(score, "derivedFrom")), 5);
    panel = find(e, "Observation", "96777-8");
    assert_non_null(panel);
    assert_int_equal(json_array_size(json_object_get(panel, "hasMember")), 10);
    /* Every member is an entry of the bundle. */
    for (size_t i = 0; i < 10; i++) {
        json_t *ref = json_array_get(json_object_get(panel, "hasMember"), i), *en;
        size_t k;
        int found = 0;
        json_array_foreach(e, k, en) found |=
            !strcmp(str(en, "fullUrl"), str(ref, "reference"));
        assert_true(found);
    }
    json_decref(e);
    /* An incomplete safety score: no score Observation, one member fewer. */
    s->domains[5].score = -1;
    s->items[9].skipped = 1;
    s->items[9].nchosen = 0;
    e = entries_of(s);
    assert_null(find(e, "Observation", "95614-4"));
    assert_int_equal(
        json_array_size(json_object_get(find(e, "Observation", "96777-8"), "hasMember")),
        8);
    json_decref(e);
    free(s);
}

static void referrals(void **state)
{
    export_sub *s = fixture();
    json_t *e = entries_of(s);
    size_t first = json_array_size(e) - 8;
    json_t *sr = res(e, first), *task = res(e, first + 1);
    char *text;
    (void)state;

    assert_string_equal(str(sr, "status"), "active");
    assert_string_equal(str(sr, "intent"), "order");
    assert_string_equal(str(sr, "code.coding.0.system"), "http://snomed.info/sct");
    assert_string_equal(str(sr, "code.coding.0.code"), "306206005");
    assert_string_equal(str(sr, "performer.0.display"), "Riverton Housing Authority");
    assert_true(has_category(sr, "http://snomed.info/sct", "410606002"));
    assert_true(has_category(sr, FHIR_SDOHCC, "housing-instability"));
    assert_string_equal(str(sr, "reasonReference.0.reference"),
                        str(json_array_get(e, 2), "fullUrl"));
    assert_string_equal(str(task, "status"), "in-progress");
    assert_string_equal(str(task, "focus.reference"),
                        str(json_array_get(e, first), "fullUrl"));
    assert_string_equal(str(task, "code.coding.0.code"), "fulfill");
    assert_string_equal(str(task, "businessStatus.text"), "contacted");
    assert_string_equal(str(task, "lastModified"), "2026-11-30T15:02:00Z");
    assert_null(json_object_get(task, "statusReason"));
    /* suggested -> draft, declined -> rejected (with a reason), connected -> completed */
    assert_string_equal(str(res(e, first + 3), "status"), "draft");
    assert_string_equal(str(res(e, first + 4), "status"), "revoked");
    assert_string_equal(str(res(e, first + 5), "status"), "rejected");
    assert_non_null(str(res(e, first + 5), "statusReason.text"));
    assert_string_equal(str(res(e, first + 6), "status"), "completed");
    assert_string_equal(str(res(e, first + 7), "status"), "completed");
    /* Staff notes never leave through FHIR. */
    text = json_dumps(e, JSON_COMPACT);
    assert_null(strstr(text, "call back"));
    free(text);
    json_decref(e);
    free(s);
}

static void safety_referral_says_do_not_contact(void **state)
{
    export_sub *s = fixture();
    json_t *e, *sr;
    (void)state;

    fix_ref(s, "safety", "svc-shelter", "Safe Harbor", 1, REF_REFERRED);
    e = entries_of(s);
    sr = res(e, json_array_size(e) - 2);
    assert_string_equal(str(sr, "orderDetail.0.coding.0.code"),
                        "contacting-subject-prohibited");
    assert_true(has_category(sr, FHIR_SDOHCC, "sdoh-category-unspecified"));
    assert_string_equal(str(res(e, json_array_size(e) - 1), "status"), "requested");
    assert_null(json_object_get(res(e, json_array_size(e) - 4), "orderDetail"));
    json_decref(e);
    free(s);
}

/* Every question skipped, nothing given: no empty lists anywhere (FHIR forbids them). */
static void everything_skipped(void **state)
{
    export_sub *s = fixture();
    json_t *e;
    char *text;
    (void)state;

    for (int i = 0; i < s->nitems; i++) {
        s->items[i].skipped = 1;
        s->items[i].nchosen = 0;
    }
    for (int d = 0; d < s->ndomains; d++)
        s->domains[d].score = -1;
    s->nrefs = 0;
    e = entries_of(s);
    assert_int_equal(json_array_size(e), 3); /* Patient, QuestionnaireResponse, panel */
    assert_null(json_object_get(res(e, 1), "item"));
    assert_null(json_object_get(res(e, 2), "hasMember"));
    text = json_dumps(e, JSON_COMPACT);
    assert_null(strstr(text, "[]"));
    assert_null(strstr(text, "{}"));
    assert_null(strstr(text, "\"\""));
    free(text);
    json_decref(e);
    free(s);
}

static char *bundle_text(const export_sub *s)
{
    fhir_ctx c = ctx();
    sg_buf b;

    sg_buf_init(&b, 1024 * 1024);
    assert_int_equal(fhir_bundle_begin(&c, "id=" FIX_ID, &b), SG_OK);
    assert_int_equal(fhir_bundle_add(&c, s, &b), SG_OK);
    assert_int_equal(fhir_bundle_end(&b), SG_OK);
    return sg_buf_take(&b);
}

static void bundle_is_deterministic_and_golden(void **state)
{
    export_sub *s = fixture();
    char *one = bundle_text(s), *two = bundle_text(s), *golden;
    json_t *b = json_loads(one, 0, NULL), *want;
    (void)state;

    assert_string_equal(one, two);
    assert_non_null(b);
    assert_string_equal(str(b, "resourceType"), "Bundle");
    assert_string_equal(str(b, "type"), "collection");
    assert_string_equal(str(b, "entry.0.resource.resourceType"), "Organization");
    assert_string_equal(str(b, "entry.0.resource.name"), "Riverton Community Clinic");
    assert_null(json_object_get(b, "timestamp"));
    if (getenv("SIGNPOST_WRITE_GOLDEN")) {
        FILE *f = fopen(GOLDEN, "w");
        assert_non_null(f);
        assert_int_equal(json_dumpf(b, f, JSON_INDENT(1)), 0);
        fputc('\n', f);
        fclose(f);
    }
    want = json_load_file(GOLDEN, 0, NULL);
    assert_non_null(want);
    if (!json_equal(b, want)) {
        golden = json_dumps(want, JSON_COMPACT);
        print_error("got:  %s\nwant: %s\n", one, golden);
        free(golden);
        fail_msg("the Bundle differs from " GOLDEN);
    }
    json_decref(want);
    json_decref(b);
    free(one);
    free(two);
    free(s);
}

static void bundle_cap(void **state)
{
    export_sub *s = fixture();
    fhir_ctx c = ctx();
    sg_buf b;
    (void)state;

    sg_buf_init(&b, 4096);
    assert_int_equal(fhir_bundle_begin(&c, "x", &b), SG_OK);
    assert_int_equal(fhir_bundle_add(&c, s, &b), SG_ETOOBIG);
    sg_buf_free(&b);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuids),
        cmocka_unit_test(status_maps),
        cmocka_unit_test(resources_in_order),
        cmocka_unit_test(questionnaire_response),
        cmocka_unit_test(item_observations),
        cmocka_unit_test(score_and_panel),
        cmocka_unit_test(referrals),
        cmocka_unit_test(safety_referral_says_do_not_contact),
        cmocka_unit_test(everything_skipped),
        cmocka_unit_test(bundle_is_deterministic_and_golden),
        cmocka_unit_test(bundle_cap),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
