/*
 * Fuzzes the screening instrument loader (src/screening/instrument.c): the
 * input is an instrument file ("signpost-instrument/1", like
 * data/instruments/ahc-hrsn-core.json) written to a scratch file and read
 * with instrument_load(), as the daemon does at start-up ([kiosk]
 * instrument).  An instrument it accepts is then used the way the kiosk
 * uses it: its GET /api/v1/instrument answer (public_json) is read back,
 * and answer sets drawn from the input's hash are posted through
 * screening_parse(), scored with screening_score() and checked against the
 * rules as the file states them, then help is asked for.
 *
 * Invariants:
 *  - a refused file leaves nothing behind and the message starts with the
 *    file's path; an accepted one loads the same way twice;
 *  - an accepted instrument is as instrument.h describes it: counts within
 *    their limits, codes present and unique (so a lookup by code finds the
 *    same entry), text in every declared language, every item in a domain,
 *    rules over real items and options, discreet labels in all languages
 *    or none, "none of the above" only on multi items, points rules over
 *    single items whose options all have points;
 *  - the public JSON in each language is the instrument's items, options
 *    and domains in order, with that language's text;
 *  - every answer set the questionnaire could produce is accepted as
 *    posted, and scoring gives each domain the result its rule, read
 *    straight from the file, gives (with the local safety threshold when
 *    one is set); help is accepted for positive domains only.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/screening.h"

#define ROUNDS 4

/* ---- the instrument as loaded ---- */

static void check_langs(const sg_instrument *inst)
{
    FUZZ_CHECK(inst->id && inst->version);
    FUZZ_CHECK(inst->nlangs >= 1 && inst->nlangs <= SG_MAX_LANGS);
    for (int l = 0; l < inst->nlangs; l++) {
        const instrument_language *lang = &inst->langs[l];
        FUZZ_CHECK(lang->code && strlen(lang->code) == 2 && lang->name && inst->title[l]);
        FUZZ_CHECK(instrument_lang(inst, lang->code) == l);
        if (strcmp(lang->status, "original") != 0)
            FUZZ_CHECK(!strcmp(lang->status, "translation") && lang->translated_by &&
                       lang->review_status);
    }
}

static void check_item(const sg_instrument *inst, int i)
{
    const instrument_item *it = &inst->items[i];

    FUZZ_CHECK(it->code && instrument_item_index(inst, it->code) == i);
    FUZZ_CHECK(it->domain && instrument_domain_index(inst, it->domain) >= 0);
    FUZZ_CHECK(it->multi == 0 || it->multi == 1);
    FUZZ_CHECK(it->noptions >= 2 && it->noptions <= SG_MAX_OPTIONS);
    for (int l = 0; l < inst->nlangs; l++)
        FUZZ_CHECK(it->text[l] != NULL);
    for (int o = 0; o < it->noptions; o++) {
        const instrument_option *opt = &it->options[o];
        FUZZ_CHECK(opt->code && instrument_option_index(it, opt->code) == o);
        FUZZ_CHECK(!opt->exclusive || it->multi);
        FUZZ_CHECK(!opt->has_points || (opt->points >= 0 && opt->points <= 1000));
        for (int l = 0; l < inst->nlangs; l++)
            FUZZ_CHECK(opt->text[l] != NULL);
    }
}

static void check_rule(const sg_instrument *inst, const instrument_domain *d)
{
    uint32_t any = 0;

    FUZZ_CHECK(d->nitems >= 1 && d->nitems <= SG_MAX_RULE_ITEMS);
    for (int k = 0; k < d->nitems; k++) {
        const instrument_item *it;
        FUZZ_CHECK(d->items[k] >= 0 && d->items[k] < inst->nitems);
        it = &inst->items[d->items[k]];
        if (it->noptions < 32)
            FUZZ_CHECK(d->matching[k] >> it->noptions == 0);
        any |= d->matching[k];
        if (d->kind != RULE_POINTS_AT_LEAST)
            continue;
        FUZZ_CHECK(!it->multi);
        for (int o = 0; o < it->noptions; o++)
            FUZZ_CHECK(it->options[o].has_points);
    }
    if (d->kind == RULE_ANSWER_IN)
        FUZZ_CHECK(any != 0);
    if (d->kind == RULE_POINTS_AT_LEAST)
        FUZZ_CHECK(d->threshold >= 1 && d->threshold <= 10000);
}

static void check_domains(const sg_instrument *inst)
{
    FUZZ_CHECK(inst->ndomains >= 1 && inst->ndomains <= SG_MAX_DOMAINS);
    for (int d = 0; d < inst->ndomains; d++) {
        const instrument_domain *dom = &inst->domains[d];
        int discreet = dom->discreet_label[0] != NULL;
        FUZZ_CHECK(dom->name && instrument_domain_index(inst, dom->name) == d);
        for (int l = 0; l < inst->nlangs; l++) {
            FUZZ_CHECK(dom->label[l] && (dom->discreet_label[l] != NULL) == discreet);
            FUZZ_CHECK(instrument_domain_label(inst, d, l, 1) ==
                       (discreet ? dom->discreet_label[l] : dom->label[l]));
        }
        check_rule(inst, dom);
    }
}

/* ---- GET /api/v1/instrument ---- */

static int same(const json_t *o, const char *key, const char *want)
{
    const char *got = json_string_value(json_object_get(o, key));
    return want ? got && !strcmp(got, want) : !json_object_get(o, key);
}

static void check_public_item(const instrument_item *it, const json_t *j, int l)
{
    const json_t *opts = json_object_get(j, "options");

    FUZZ_CHECK(same(j, "code", it->code) && same(j, "domain", it->domain));
    FUZZ_CHECK(same(j, "type", it->multi ? "multi" : "single"));
    FUZZ_CHECK(same(j, "text", it->text[l]));
    FUZZ_CHECK(same(j, "preamble", it->preamble[l]));
    FUZZ_CHECK(json_array_size(opts) == (size_t)it->noptions);
    for (int o = 0; o < it->noptions; o++) {
        const json_t *opt = json_array_get(opts, (size_t)o);
        FUZZ_CHECK(same(opt, "code", it->options[o].code));
        FUZZ_CHECK(same(opt, "text", it->options[o].text[l]));
        FUZZ_CHECK(json_is_true(json_object_get(opt, "exclusive")) ==
                   it->options[o].exclusive);
    }
}

static void check_public(const sg_instrument *inst, int l)
{
    json_t *j = json_loads(inst->public_json[l], JSON_REJECT_DUPLICATES, NULL);
    const json_t *items = json_object_get(j, "items");
    const json_t *doms = json_object_get(j, "domains");

    FUZZ_CHECK(j && same(j, "language", inst->langs[l].code) && same(j, "id", inst->id));
    FUZZ_CHECK(same(j, "title", inst->title[l]));
    FUZZ_CHECK(json_array_size(items) == (size_t)inst->nitems);
    for (int i = 0; i < inst->nitems; i++)
        check_public_item(&inst->items[i], json_array_get(items, (size_t)i), l);
    FUZZ_CHECK(json_array_size(doms) == (size_t)inst->ndomains);
    for (int d = 0; d < inst->ndomains; d++) {
        const json_t *dom = json_array_get(doms, (size_t)d);
        FUZZ_CHECK(same(dom, "name", inst->domains[d].name));
        FUZZ_CHECK(same(dom, "label", inst->domains[d].label[l]));
        FUZZ_CHECK(same(dom, "discreet_label", inst->domains[d].discreet_label[l]));
    }
    json_decref(j);
}

/* ---- answering, scoring, asking for help ---- */

static uint32_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 32);
}

/* An answer the questionnaire could produce for item i (0: skipped). */
static uint32_t draw(const instrument_item *it, uint64_t *s)
{
    uint32_t r = next(s), chosen;

    if (r % 5 == 0)
        return 0;
    chosen = 1u << (next(s) % (uint32_t)it->noptions);
    if (it->multi)
        for (int o = 0; o < it->noptions; o++)
            chosen |= (next(s) % 3 == 0) ? 1u << o : 0;
    for (int o = 0; it->multi && o < it->noptions; o++)
        if (it->options[o].exclusive && (chosen & 1u << o) && chosen != 1u << o)
            chosen &= ~(1u << o); /* "none of the above" goes alone */
    return chosen;
}

/* The POST body for these answers, in language l. */
static json_t *body_for(const sg_instrument *inst, const sg_answers *a, int l)
{
    json_t *answers = json_object(), *skipped = json_array();

    for (int i = 0; i < inst->nitems; i++) {
        const instrument_item *it = &inst->items[i];
        json_t *v;
        if (a->state[i] != ANSWER_GIVEN) {
            json_array_append_new(skipped, json_string(it->code));
            continue;
        }
        v = it->multi ? json_array() : NULL;
        for (int o = 0; o < it->noptions; o++)
            if (a->chosen[i] & 1u << o) {
                if (it->multi)
                    json_array_append_new(v, json_string(it->options[o].code));
                else
                    v = json_string(it->options[o].code);
            }
        json_object_set_new(answers, it->code, v);
    }
    return json_pack("{s:s, s:o, s:o}", "language", inst->langs[l].code, "answers",
                     answers, "skipped", skipped);
}

/* The index of the file's item with this code (codes are unique). */
static int file_item(const json_t *items, const char *code)
{
    const json_t *v;
    size_t i;

    json_array_foreach(items, i, v) {
        if (same(v, "code", code))
            return (int)i;
    }
    FUZZ_CHECK(0); /* the loader took a rule item the file does not have */
    return -1;
}

static int in_list(const json_t *list, const char *code)
{
    const json_t *v;
    size_t j;

    json_array_foreach(list, j, v) {
        if (json_is_string(v) && !strcmp(json_string_value(v), code))
            return 1;
    }
    return 0;
}

typedef struct {
    int positive, complete, sum, threshold;
} verdict;

/* Domain d's result for answers a, by its rule as the file words it. */
static verdict by_the_file(const sg_instrument *inst, const sg_answers *a, int d, int thr)
{
    const json_t *items = json_object_get(inst->root, "items");
    const json_t *dom = json_array_get(json_object_get(inst->root, "domains"), (size_t)d);
    const json_t *rule = json_object_get(dom, "rule"), *code;
    const json_t *list = json_object_get(rule, "answers");
    int points = same(rule, "kind", "points_at_least");
    int not_in = same(rule, "kind", "answer_not_in");
    verdict v = {0, 1, 0, 0};
    size_t k;

    json_array_foreach(json_object_get(rule, "items"), k, code) {
        int i = file_item(items, json_string_value(code));
        const json_t *opts = json_object_get(json_array_get(items, (size_t)i), "options");
        v.complete &= a->state[i] == ANSWER_GIVEN;
        for (size_t o = 0; o < json_array_size(opts); o++) {
            const json_t *opt = json_array_get(opts, o);
            const char *oc = json_string_value(json_object_get(opt, "code"));
            if (a->state[i] != ANSWER_GIVEN || !(a->chosen[i] & 1u << o))
                continue;
            v.sum += (int)json_integer_value(json_object_get(opt, "points"));
            v.positive |= in_list(list, oc) != not_in;
        }
    }
    if (!points)
        return v;
    v.threshold = thr > 0 && same(dom, "name", "safety")
                      ? thr
                      : (int)json_integer_value(json_object_get(rule, "threshold"));
    v.positive = v.complete && v.sum >= v.threshold;
    return v;
}

static void check_score(const sg_instrument *inst, const sg_answers *a, int thr,
                        const sg_score *sc)
{
    FUZZ_CHECK(memchr(sc->rule, '\0', sizeof sc->rule) != NULL);
    if (inst->ndomains < 32)
        FUZZ_CHECK(sc->positive >> inst->ndomains == 0);
    for (int d = 0; d < inst->ndomains; d++) {
        verdict v = by_the_file(inst, a, d, thr);
        FUZZ_CHECK(v.positive == (int)(sc->positive >> d & 1u));
        if (inst->domains[d].kind != RULE_POINTS_AT_LEAST)
            continue;
        FUZZ_CHECK(sc->complete[d] == v.complete && sc->threshold[d] == v.threshold);
        if (v.complete)
            FUZZ_CHECK(sc->points[d] == v.sum);
    }
}

/* Help for all needs, for each positive one, never for another. */
static void check_help(const sg_instrument *inst, const sg_score *sc)
{
    sg_submission sub;
    sg_field_error fe;

    memset(&sub, 0, sizeof sub);
    FUZZ_CHECK(screening_parse_help(inst, json_true(), NULL, sc, &sub, &fe) == SG_OK);
    FUZZ_CHECK(sub.wants_help == 1 && sub.help == sc->positive);
    for (int d = 0; d < inst->ndomains; d++) {
        json_t *list = json_pack("[s]", inst->domains[d].name);
        sg_rc rc = screening_parse_help(inst, json_true(), list, sc, &sub, &fe);
        if (sc->positive >> d & 1u)
            FUZZ_CHECK(rc == SG_OK && sub.help == 1u << d);
        else
            FUZZ_CHECK(rc == SG_EINVAL && !strcmp(fe.code, "domain_not_positive"));
        json_decref(list);
    }
}

/* One patient: answers drawn from s, posted, scored, asking for help. */
static void check_round(const sg_instrument *inst, uint64_t *s)
{
    int l = (int)(next(s) % (uint32_t)inst->nlangs);
    int thr = next(s) % 4 == 0 ? (int)(next(s) % 30) + 1 : 0;
    const char *code = inst->langs[l].code;
    sg_answers a;
    sg_submission sub;
    sg_field_error fe;
    sg_score sc;
    json_t *body;

    memset(&a, 0, sizeof a);
    for (int i = 0; i < inst->nitems; i++) {
        a.chosen[i] = draw(&inst->items[i], s);
        a.state[i] = a.chosen[i] ? ANSWER_GIVEN : ANSWER_SKIPPED;
    }
    FUZZ_CHECK((body = body_for(inst, &a, l)) != NULL);
    /* A code with a comma cannot be in [kiosk] languages: never offered. */
    if (!strchr(code, ',')) {
        FUZZ_CHECK(screening_parse(inst, body, code, &sub, &fe) == SG_OK);
        FUZZ_CHECK(sub.lang == l && memcmp(&sub.answers, &a, sizeof a) == 0);
    }
    json_decref(body);
    screening_score(inst, &a, thr, &sc);
    check_score(inst, &a, thr, &sc);
    check_help(inst, &sc);
}

static uint64_t seed_of(const uint8_t *data, size_t size)
{
    uint64_t h = 14695981039346656037u;

    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211u;
    return h ? h : 1;
}

static void check_loaded(const sg_instrument *inst, const char *path, uint64_t seed)
{
    sg_instrument *again;
    char err[512];

    check_langs(inst);
    FUZZ_CHECK(inst->nitems >= 1 && inst->nitems <= SG_MAX_ITEMS);
    for (int i = 0; i < inst->nitems; i++)
        check_item(inst, i);
    check_domains(inst);
    FUZZ_CHECK(instrument_load(path, &again, err, sizeof err) == SG_OK);
    for (int l = 0; l < SG_MAX_LANGS; l++) {
        FUZZ_CHECK((inst->public_json[l] != NULL) == (l < inst->nlangs));
        if (l < inst->nlangs) {
            check_public(inst, l);
            FUZZ_CHECK(!strcmp(inst->public_json[l], again->public_json[l]));
        }
    }
    instrument_free(again);
    for (int r = 0; r < ROUNDS; r++)
        check_round(inst, &seed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sg_instrument *inst = (sg_instrument *)&inst; /* must be cleared on failure */
    char path[300], err[512];
    sg_rc rc;

    if (size > 64 * 1024)
        return 0;
    fuzz_write("in.json", data, size, path, sizeof path);
    rc = instrument_load(path, &inst, err, sizeof err);
    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL);
    if (rc) {
        FUZZ_CHECK(inst == NULL && strncmp(err, path, strlen(path)) == 0);
        return 0;
    }
    FUZZ_CHECK(err[0] == '\0');
    check_loaded(inst, path, seed_of(data, size));
    instrument_free(inst);
    instrument_free(NULL);
    return 0;
}
