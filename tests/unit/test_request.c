/*
 * Validation of POST /api/v1/screenings bodies: every rejection names the
 * field, and a good body becomes the right answers.
 */
#include <jansson.h>
#include "helpers.h"


/* Parses text and expects rejection with status, code and field. */
static void rejects(const char *text, int status, const char *code, const char *field)
{
    json_t *body = json_loads(text, 0, NULL);
    sg_submission sub;
    sg_field_error err;

    assert_non_null(body);
    assert_int_equal(screening_parse(inst, body, "en,es", &sub, &err), SG_EINVAL);
    assert_int_equal(err.status, status);
    assert_string_equal(err.code, code);
    assert_string_equal(err.field, field);
    json_decref(body);
}

static void good_body(void **state)
{
    (void)state;
    json_t *body = json_loads("{\"language\":\"es\",\"answers\":{\"71802-3\":\"LA31994-9\","
                              "\"96778-6\":[\"LA31996-4\",\"LA28580-1\"]},"
                              "\"skipped\":[\"93030-5\"]}", 0, NULL);
    sg_submission sub;
    sg_field_error err;
    int housing = instrument_item_index(inst, "71802-3");
    int quality = instrument_item_index(inst, "96778-6");
    int transport = instrument_item_index(inst, "93030-5");

    assert_int_equal(screening_parse(inst, body, "en,es", &sub, &err), SG_OK);
    assert_string_equal(inst->langs[sub.lang].code, "es");
    assert_int_equal(sub.answers.state[housing], ANSWER_GIVEN);
    assert_int_equal(__builtin_popcount(sub.answers.chosen[quality]), 2);
    assert_int_equal(sub.answers.state[transport], ANSWER_SKIPPED);
    assert_int_equal(sub.wants_help, -1);
    json_decref(body);
}

static void bad_bodies(void **state)
{
    (void)state;
    rejects("[]", 400, "invalid_body", "");
    rejects("{\"answers\":{}}", 422, "missing_field", "language");
    rejects("{\"language\":5,\"answers\":{}}", 422, "wrong_type", "language");
    rejects("{\"language\":\"fr\",\"answers\":{}}", 422, "unsupported_language", "language");
    rejects("{\"language\":\"en\"}", 422, "missing_field", "answers");
    rejects("{\"language\":\"en\",\"answers\":[]}", 422, "wrong_type", "answers");
    rejects("{\"language\":\"en\",\"answers\":{\"1-1\":\"LA33-6\"}}", 422, "unknown_item",
            "answers.1-1");
    rejects("{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA9-3\"}}", 422, "unknown_answer",
            "answers.93030-5");
    rejects("{\"language\":\"en\",\"answers\":{\"93030-5\":[\"LA33-6\"]}}", 422, "wrong_type",
            "answers.93030-5");
    rejects("{\"language\":\"en\",\"answers\":{\"96778-6\":\"LA9-3\"}}", 422, "wrong_type",
            "answers.96778-6");
    rejects("{\"language\":\"en\",\"answers\":{\"96778-6\":[]}}", 422, "empty_answer",
            "answers.96778-6");
    rejects("{\"language\":\"en\",\"answers\":{\"96778-6\":[\"LA9-3\",\"LA28580-1\"]}}", 422,
            "exclusive_answer", "answers.96778-6");
    rejects("{\"language\":\"en\",\"answers\":{\"96778-6\":[\"LA28580-1\",\"LA28580-1\"]}}",
            422, "duplicate_answer", "answers.96778-6");
    rejects("{\"language\":\"en\",\"answers\":{\"93030-5\":\"LA33-6\"},"
            "\"skipped\":[\"93030-5\"]}", 422, "answered_and_skipped", "skipped[0]");
    rejects("{\"language\":\"en\",\"answers\":{},\"skipped\":[\"x\"]}", 422, "unknown_item",
            "skipped[0]");
    rejects("{\"language\":\"en\",\"answers\":{},\"name\":\"Ann\"}", 422, "unknown_field",
            "name");
}

static void language_must_be_enabled_on_kiosk(void **state)
{
    (void)state;
    json_t *body = json_loads("{\"language\":\"es\",\"answers\":{}}", 0, NULL);
    sg_submission sub;
    sg_field_error err;
    assert_int_equal(screening_parse(inst, body, "en", &sub, &err), SG_EINVAL);
    assert_string_equal(err.field, "language");
    json_decref(body);
}

static void help_choices(void **state)
{
    (void)state;
    sg_score score = {0};
    sg_submission sub = {0};
    sg_field_error err;
    int food = instrument_domain_index(inst, "food");
    json_t *yes = json_true(), *no = json_false();
    json_t *food_list = json_loads("[\"food\"]", 0, NULL);
    json_t *safety_list = json_loads("[\"safety\"]", 0, NULL);

    score.positive = 1u << food;
    assert_int_equal(screening_parse_help(inst, yes, food_list, &score, &sub, &err), SG_OK);
    assert_int_equal(sub.help, 1u << food);
    assert_int_equal(screening_parse_help(inst, yes, NULL, &score, &sub, &err), SG_OK);
    assert_int_equal(sub.help, score.positive);
    assert_int_equal(screening_parse_help(inst, yes, safety_list, &score, &sub, &err),
                     SG_EINVAL);
    assert_string_equal(err.code, "domain_not_positive");
    assert_int_equal(screening_parse_help(inst, no, food_list, &score, &sub, &err), SG_EINVAL);
    assert_int_equal(screening_parse_help(inst, NULL, NULL, &score, &sub, &err), SG_EINVAL);
    assert_string_equal(err.field, "wants_help");
    json_decref(food_list);
    json_decref(safety_list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_body),
        cmocka_unit_test(bad_bodies),
        cmocka_unit_test(language_must_be_enabled_on_kiosk),
        cmocka_unit_test(help_choices),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
