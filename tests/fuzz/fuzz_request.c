/*
 * Fuzzes the kiosk's POST /api/v1/screenings body the way the daemon reads
 * it: jansson with JSON_REJECT_DUPLICATES, then screening_parse() against
 * the bundled instrument (data/instruments/ahc-hrsn-core.json), scoring,
 * and screening_parse_help() for "wants_help" / "help_domains".
 *
 * Invariants: an accepted body yields only what the questionnaire could
 * have produced (a language the kiosk offers; answers only for known
 * items, a single-choice item with exactly one option, a multi item with
 * options in range and "none of the above" alone), help only for domains
 * the score found positive; a refused body always says 400 or 422 with a
 * code and, for 422, the field.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/screening.h"

#define ALLOWED_LANGS "en,es"

static const sg_instrument *instrument(void)
{
    static sg_instrument *inst;
    char err[512];

    if (!inst && instrument_load(SOURCE_DIR "/data/instruments/ahc-hrsn-core.json", &inst,
                                 err, sizeof err) != SG_OK) {
        fprintf(stderr, "fuzz_request: %s\n", err);
        abort();
    }
    return inst;
}

static void check_error(const sg_field_error *e)
{
    FUZZ_CHECK(e->status == 400 || e->status == 422);
    FUZZ_CHECK(e->code[0] != '\0');
    FUZZ_CHECK(memchr(e->field, '\0', sizeof e->field) != NULL);
    FUZZ_CHECK(memchr(e->message, '\0', sizeof e->message) != NULL);
}

static void check_submission(const sg_instrument *inst, const sg_submission *s)
{
    FUZZ_CHECK(s->lang >= 0 && s->lang < inst->nlangs);
    for (int i = 0; i < SG_MAX_ITEMS; i++) {
        uint32_t chosen = s->answers.chosen[i], exclusive = 0;
        if (i >= inst->nitems) {
            FUZZ_CHECK(s->answers.state[i] == ANSWER_SKIPPED && chosen == 0);
            continue;
        }
        const instrument_item *it = &inst->items[i];
        FUZZ_CHECK((s->answers.state[i] == ANSWER_GIVEN) == (chosen != 0));
        if (it->noptions < 32)
            FUZZ_CHECK((chosen >> it->noptions) == 0);
        if (!it->multi)
            FUZZ_CHECK(__builtin_popcount(chosen) <= 1);
        for (int o = 0; o < it->noptions; o++)
            if (it->options[o].exclusive)
                exclusive |= 1u << o;
        if (chosen & exclusive)
            FUZZ_CHECK((chosen & ~exclusive) == 0);
    }
}

static void check_score(const sg_instrument *inst, const sg_score *sc)
{
    if (inst->ndomains < 32)
        FUZZ_CHECK((sc->positive >> inst->ndomains) == 0);
    FUZZ_CHECK(memchr(sc->rule, '\0', sizeof sc->rule) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const sg_instrument *inst = instrument();
    json_error_t jerr;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    sg_submission sub;
    sg_field_error err;
    sg_score score;
    json_t *wants;

    if (!body)
        return 0;
    if (screening_parse(inst, body, ALLOWED_LANGS, &sub, &err) != SG_OK) {
        check_error(&err);
        goto out;
    }
    check_submission(inst, &sub);
    FUZZ_CHECK(sub.wants_help == -1);
    screening_score(inst, &sub.answers, 0, &score);
    check_score(inst, &score);
    /* A threshold from the config changes only the safety domain. */
    sg_score other;
    screening_score(inst, &sub.answers, 1, &other);
    int safety = instrument_domain_index(inst, "safety");
    FUZZ_CHECK((score.positive & ~(safety >= 0 ? 1u << safety : 0u)) ==
               (other.positive & ~(safety >= 0 ? 1u << safety : 0u)));
    wants = json_object_get(body, "wants_help");
    if (wants) {
        memset(&err, 0, sizeof err);
        if (screening_parse_help(inst, wants, json_object_get(body, "help_domains"), &score,
                                 &sub, &err) != SG_OK) {
            check_error(&err);
            goto out;
        }
        FUZZ_CHECK(sub.wants_help == 0 || sub.wants_help == 1);
        FUZZ_CHECK((sub.help & ~score.positive) == 0);
        if (!sub.wants_help)
            FUZZ_CHECK(sub.help == 0);
    }
out:
    json_decref(body);
    return 0;
}
