/*
 * Validation of screening requests.  The kiosk UI is not trusted: every
 * language, item and answer code is checked against the loaded instrument
 * and every violation is reported with the field's path, so nothing that
 * could not have come from the questionnaire is ever stored.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signpost/config.h"
#include "signpost/screening.h"

static sg_rc field_error(sg_field_error *err, int status, const char *code,
                         const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static sg_rc field_error(sg_field_error *err, int status, const char *code,
                         const char *field, const char *fmt, ...)
{
    va_list ap;
    err->status = status;
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->field, sizeof err->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return SG_EINVAL;
}

static sg_rc parse_language(const sg_instrument *inst, json_t *body, const char *allowed,
                            sg_submission *out, sg_field_error *err)
{
    json_t *v = json_object_get(body, "language");
    if (!v)
        return field_error(err, 422, "missing_field", "language", "language is required");
    if (!json_is_string(v))
        return field_error(err, 422, "wrong_type", "language", "language must be a string");
    out->lang = instrument_lang(inst, json_string_value(v));
    if (out->lang < 0 || !config_list_has(allowed, json_string_value(v)))
        return field_error(err, 422, "unsupported_language", "language",
                           "this kiosk does not offer that language");
    return SG_OK;
}

static sg_rc parse_choice(const instrument_item *item, json_t *v, uint32_t *mask,
                          const char *field, sg_field_error *err)
{
    int o = json_is_string(v) ? instrument_option_index(item, json_string_value(v)) : -1;
    if (!json_is_string(v))
        return field_error(err, 422, "wrong_type", field, "an answer must be an LA code string");
    if (o < 0)
        return field_error(err, 422, "unknown_answer", field,
                           "not an answer code of item %s", item->code);
    if (*mask & (1u << o))
        return field_error(err, 422, "duplicate_answer", field, "the same answer twice");
    *mask |= 1u << o;
    return SG_OK;
}

static sg_rc parse_multi(const instrument_item *item, json_t *v, uint32_t *mask,
                         const char *field, sg_field_error *err)
{
    json_t *a;
    size_t i;
    uint32_t exclusive = 0;
    sg_rc rc;

    if (!json_is_array(v))
        return field_error(err, 422, "wrong_type", field,
                           "item %s takes an array of answer codes", item->code);
    if (json_array_size(v) == 0)
        return field_error(err, 422, "empty_answer", field,
                           "choose at least one answer or skip the item");
    json_array_foreach(v, i, a) {
        if ((rc = parse_choice(item, a, mask, field, err)))
            return rc;
    }
    for (int o = 0; o < item->noptions; o++)
        if (item->options[o].exclusive)
            exclusive |= 1u << o;
    if ((*mask & exclusive) && *mask != (*mask & exclusive))
        return field_error(err, 422, "exclusive_answer", field,
                           "\"none of the above\" cannot be combined with other answers");
    return SG_OK;
}

static sg_rc parse_answers(const sg_instrument *inst, json_t *body, sg_submission *out,
                           sg_field_error *err)
{
    json_t *answers = json_object_get(body, "answers"), *v;
    const char *key;
    char field[64];
    sg_rc rc;

    if (!answers)
        return field_error(err, 422, "missing_field", "answers", "answers is required");
    if (!json_is_object(answers))
        return field_error(err, 422, "wrong_type", "answers",
                           "answers must be an object keyed by LOINC item code");
    json_object_foreach(answers, key, v) {
        int i = instrument_item_index(inst, key);
        snprintf(field, sizeof field, "answers.%.40s", key);
        if (i < 0)
            return field_error(err, 422, "unknown_item", field, "no such item in %s", inst->id);
        if (inst->items[i].multi)
            rc = parse_multi(&inst->items[i], v, &out->answers.chosen[i], field, err);
        else if (json_is_array(v))
            rc = field_error(err, 422, "wrong_type", field,
                             "item %s takes one answer code, not an array", key);
        else
            rc = parse_choice(&inst->items[i], v, &out->answers.chosen[i], field, err);
        if (rc)
            return rc;
        out->answers.state[i] = ANSWER_GIVEN;
    }
    return SG_OK;
}

/* Items may also be listed as skipped explicitly; absent items are skipped too. */
static sg_rc parse_skipped(const sg_instrument *inst, json_t *body, sg_field_error *err,
                           const sg_submission *out)
{
    json_t *skipped = json_object_get(body, "skipped"), *v;
    size_t i;
    char field[64];

    if (!skipped)
        return SG_OK;
    if (!json_is_array(skipped))
        return field_error(err, 422, "wrong_type", "skipped", "skipped must be an array");
    json_array_foreach(skipped, i, v) {
        int idx = json_is_string(v) ? instrument_item_index(inst, json_string_value(v)) : -1;
        snprintf(field, sizeof field, "skipped[%zu]", i);
        if (idx < 0)
            return field_error(err, 422, "unknown_item", field, "no such item in %s", inst->id);
        if (out->answers.state[idx] == ANSWER_GIVEN)
            return field_error(err, 422, "answered_and_skipped", field,
                               "item %s is both answered and skipped", inst->items[idx].code);
    }
    return SG_OK;
}

static sg_rc check_fields(json_t *body, sg_field_error *err)
{
    static const char *const known[] = {"language", "answers", "skipped", "wants_help",
                                        "help_domains"};
    const char *key;
    json_t *v;

    json_object_foreach(body, key, v) {
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= !strcmp(key, known[k]);
        if (!ok) {
            char field[64];
            snprintf(field, sizeof field, "%.63s", key);
            return field_error(err, 422, "unknown_field", field, "unexpected field");
        }
    }
    return SG_OK;
}

sg_rc screening_parse(const sg_instrument *inst, const void *json_body,
                      const char *allowed_langs, sg_submission *out, sg_field_error *err)
{
    json_t *body = (json_t *)json_body;
    sg_rc rc;

    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    out->wants_help = -1;
    if (!json_is_object(body))
        return field_error(err, 400, "invalid_body", "", "the body must be a JSON object");
    if ((rc = check_fields(body, err)) ||
        (rc = parse_language(inst, body, allowed_langs, out, err)) ||
        (rc = parse_answers(inst, body, out, err)) ||
        (rc = parse_skipped(inst, body, err, out)))
        return rc;
    return SG_OK;
}

sg_rc screening_parse_help(const sg_instrument *inst, const void *json_wants,
                           const void *json_domains, const sg_score *score,
                           sg_submission *sub, sg_field_error *err)
{
    json_t *wants = (json_t *)json_wants, *domains = (json_t *)json_domains, *v;
    size_t i;
    char field[64];

    if (!json_is_boolean(wants))
        return field_error(err, 422, wants ? "wrong_type" : "missing_field", "wants_help",
                           "wants_help must be true or false");
    sub->wants_help = json_is_true(wants);
    sub->help = 0;
    if (domains && !json_is_array(domains))
        return field_error(err, 422, "wrong_type", "domains", "domains must be an array");
    json_array_foreach(domains, i, v) {
        int d = json_is_string(v) ? instrument_domain_index(inst, json_string_value(v)) : -1;
        snprintf(field, sizeof field, "domains[%zu]", i);
        if (d < 0)
            return field_error(err, 422, "unknown_domain", field, "no such domain");
        if (!(score->positive & (1u << d)))
            return field_error(err, 422, "domain_not_positive", field,
                               "help can only be asked for a need the screening found");
        sub->help |= 1u << d;
    }
    /* "Yes" without a list means every need the screening found. */
    if (sub->wants_help && !domains)
        sub->help = score->positive;
    if (!sub->wants_help && sub->help)
        return field_error(err, 422, "conflict", "domains",
                           "domains must be empty when wants_help is false");
    return SG_OK;
}
