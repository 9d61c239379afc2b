/*
 * Loading and checking an instrument file (see instrument.h).  The checks
 * are deliberately strict: every item needs text in every declared
 * language, codes must be unique, every rule must refer to real items and
 * options, and a points rule needs points on every option it sums.  Each
 * failure names the JSON path of the offending value.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/instrument.h"

#define FORMAT_NAME "signpost-instrument/1"

typedef struct {
    sg_instrument *inst;
    char *err;
    size_t errlen;
} loader;

static sg_rc fail(loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static sg_rc fail(loader *ld, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(ld->err);
    va_start(ap, fmt);
    vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
    va_end(ap);
    return SG_EINVAL;
}

static const char *get_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* Fills out[] with obj's text in each instrument language. */
static sg_rc get_texts(loader *ld, json_t *obj, const char *key, const char *path,
                       const char **out, int required)
{
    json_t *t = json_object_get(obj, key);
    if (!t) {
        if (!required)
            return SG_OK;
        return fail(ld, "%s.%s: missing", path, key);
    }
    if (!json_is_object(t))
        return fail(ld, "%s.%s: expected an object of texts by language", path, key);
    for (int l = 0; l < ld->inst->nlangs; l++) {
        out[l] = get_str(t, ld->inst->langs[l].code);
        if (!out[l])
            return fail(ld, "%s.%s.%s: missing text", path, key, ld->inst->langs[l].code);
    }
    return SG_OK;
}

static sg_rc load_languages(loader *ld, json_t *root)
{
    json_t *arr = json_object_get(root, "languages"), *v;
    size_t i;

    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(ld, "languages: expected a non-empty array");
    if (json_array_size(arr) > SG_MAX_LANGS)
        return fail(ld, "languages: more than %d", SG_MAX_LANGS);
    json_array_foreach(arr, i, v) {
        instrument_language *lang = &ld->inst->langs[i];
        lang->code = get_str(v, "code");
        lang->name = get_str(v, "name");
        lang->status = get_str(v, "status");
        lang->translated_by = get_str(v, "translated_by");
        lang->reviewed_by = get_str(v, "reviewed_by");
        lang->review_status = get_str(v, "review_status");
        /* ISO 639-1, lower case: what [kiosk] languages and ?lang= can name. */
        if (!lang->code || strlen(lang->code) != 2 || !islower((unsigned char)lang->code[0]) ||
            !islower((unsigned char)lang->code[1]))
            return fail(ld, "languages[%zu].code: expected a two-letter code such as \"es\"",
                        i);
        if (!lang->name || !lang->status)
            return fail(ld, "languages[%zu]: name and status are required", i);
        if (strcmp(lang->status, "original") && strcmp(lang->status, "translation"))
            return fail(ld, "languages[%zu].status: expected original or translation", i);
        if (!strcmp(lang->status, "translation") && (!lang->translated_by || !lang->review_status))
            return fail(ld, "languages[%zu]: a translation must say translated_by and review_status", i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(ld->inst->langs[j].code, lang->code))
                return fail(ld, "languages[%zu].code: \"%s\" listed twice", i, lang->code);
        ld->inst->nlangs = (int)i + 1;
    }
    return SG_OK;
}

static sg_rc load_option(loader *ld, json_t *o, instrument_item *item, size_t j,
                         const char *ipath)
{
    char path[96];
    instrument_option *opt = &item->options[j];
    json_t *pts = json_object_get(o, "points"), *ex = json_object_get(o, "exclusive");
    sg_rc rc;

    snprintf(path, sizeof path, "%s.options[%zu]", ipath, j);
    opt->code = get_str(o, "code");
    if (!opt->code)
        return fail(ld, "%s.code: missing", path);
    for (size_t k = 0; k < j; k++)
        if (!strcmp(item->options[k].code, opt->code))
            return fail(ld, "%s.code: \"%s\" listed twice", path, opt->code);
    if ((rc = get_texts(ld, o, "text", path, opt->text, 1)))
        return rc;
    if (pts) {
        if (!json_is_integer(pts) || json_integer_value(pts) < 0 ||
            json_integer_value(pts) > 1000)
            return fail(ld, "%s.points: expected a whole number from 0 to 1000", path);
        opt->points = (int)json_integer_value(pts);
        opt->has_points = 1;
    }
    if (ex && !json_is_boolean(ex))
        return fail(ld, "%s.exclusive: expected true or false", path);
    opt->exclusive = json_is_true(ex);
    if (opt->exclusive && !item->multi)
        return fail(ld, "%s.exclusive: only a multi item can have an exclusive option", path);
    return SG_OK;
}

static sg_rc load_item(loader *ld, json_t *v, size_t i)
{
    char path[32];
    instrument_item *item = &ld->inst->items[i];
    const char *type = get_str(v, "type");
    json_t *opts = json_object_get(v, "options"), *o;
    size_t j;
    sg_rc rc;

    snprintf(path, sizeof path, "items[%zu]", i);
    item->code = get_str(v, "code");
    item->domain = get_str(v, "domain");
    if (!item->code)
        return fail(ld, "%s.code: missing", path);
    if (!item->domain)
        return fail(ld, "%s.domain: missing", path);
    if (!type || (strcmp(type, "single") && strcmp(type, "multi")))
        return fail(ld, "%s.type: expected \"single\" or \"multi\"", path);
    item->multi = !strcmp(type, "multi");
    for (size_t k = 0; k < i; k++)
        if (!strcmp(ld->inst->items[k].code, item->code))
            return fail(ld, "%s.code: \"%s\" listed twice", path, item->code);
    if ((rc = get_texts(ld, v, "text", path, item->text, 1)) ||
        (rc = get_texts(ld, v, "preamble", path, item->preamble, 0)))
        return rc;
    if (!json_is_array(opts) || json_array_size(opts) < 2 ||
        json_array_size(opts) > SG_MAX_OPTIONS)
        return fail(ld, "%s.options: expected 2 to %d options", path, SG_MAX_OPTIONS);
    json_array_foreach(opts, j, o) {
        if ((rc = load_option(ld, o, item, j, path)))
            return rc;
        item->noptions = (int)j + 1;
    }
    return SG_OK;
}

static sg_rc load_items(loader *ld, json_t *root)
{
    json_t *arr = json_object_get(root, "items"), *v;
    size_t i;
    sg_rc rc;

    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(ld, "items: expected a non-empty array");
    if (json_array_size(arr) > SG_MAX_ITEMS)
        return fail(ld, "items: more than %d", SG_MAX_ITEMS);
    json_array_foreach(arr, i, v) {
        if ((rc = load_item(ld, v, i)))
            return rc;
        ld->inst->nitems = (int)i + 1;
    }
    return SG_OK;
}

/* Marks the options of rule item k that count towards a positive screen. */
static sg_rc rule_answers(loader *ld, json_t *rule, instrument_domain *d,
                          const char *path)
{
    json_t *answers = json_object_get(rule, "answers"), *a;
    size_t j;

    if (!json_is_array(answers) || json_array_size(answers) == 0)
        return fail(ld, "%s.rule.answers: expected a non-empty array of LA codes", path);
    json_array_foreach(answers, j, a) {
        int found = 0;
        for (int k = 0; k < d->nitems; k++) {
            const instrument_item *item = &ld->inst->items[d->items[k]];
            int o = json_is_string(a) ? instrument_option_index(item, json_string_value(a)) : -1;
            if (o >= 0) {
                d->matching[k] |= 1u << o;
                found = 1;
            }
        }
        if (!found)
            return fail(ld, "%s.rule.answers[%zu]: not an option of the rule's items", path, j);
    }
    if (d->kind == RULE_ANSWER_NOT_IN)
        for (int k = 0; k < d->nitems; k++) {
            uint32_t all = (uint32_t)((1ull << ld->inst->items[d->items[k]].noptions) - 1);
            d->matching[k] = all & ~d->matching[k];
        }
    return SG_OK;
}

static sg_rc rule_points(loader *ld, json_t *rule, instrument_domain *d, const char *path)
{
    json_t *t = json_object_get(rule, "threshold");

    if (!json_is_integer(t) || json_integer_value(t) < 1 || json_integer_value(t) > 10000)
        return fail(ld, "%s.rule.threshold: expected a positive whole number", path);
    d->threshold = (int)json_integer_value(t);
    d->score_code = get_str(rule, "score_code");
    for (int k = 0; k < d->nitems; k++) {
        const instrument_item *item = &ld->inst->items[d->items[k]];
        if (item->multi)
            return fail(ld, "%s.rule: item %s is multi; points need single items", path, item->code);
        for (int o = 0; o < item->noptions; o++)
            if (!item->options[o].has_points)
                return fail(ld, "%s.rule: option %s of item %s has no points", path,
                            item->options[o].code, item->code);
    }
    return SG_OK;
}

static sg_rc load_rule(loader *ld, json_t *rule, instrument_domain *d, const char *path)
{
    const char *kind = get_str(rule, "kind");
    json_t *items = json_object_get(rule, "items"), *v;
    size_t j;

    if (!kind)
        return fail(ld, "%s.rule.kind: missing", path);
    if (!strcmp(kind, "answer_in"))
        d->kind = RULE_ANSWER_IN;
    else if (!strcmp(kind, "answer_not_in"))
        d->kind = RULE_ANSWER_NOT_IN;
    else if (!strcmp(kind, "points_at_least"))
        d->kind = RULE_POINTS_AT_LEAST;
    else
        return fail(ld, "%s.rule.kind: unknown rule \"%s\"", path, kind);
    if (!json_is_array(items) || json_array_size(items) == 0 ||
        json_array_size(items) > SG_MAX_RULE_ITEMS)
        return fail(ld, "%s.rule.items: expected 1 to %d item codes", path, SG_MAX_RULE_ITEMS);
    json_array_foreach(items, j, v) {
        int idx = json_is_string(v) ? instrument_item_index(ld->inst, json_string_value(v)) : -1;
        if (idx < 0)
            return fail(ld, "%s.rule.items[%zu]: no such item", path, j);
        d->items[j] = idx;
        d->nitems = (int)j + 1;
    }
    return d->kind == RULE_POINTS_AT_LEAST ? rule_points(ld, rule, d, path)
                                           : rule_answers(ld, rule, d, path);
}

static sg_rc load_domains(loader *ld, json_t *root)
{
    json_t *arr = json_object_get(root, "domains"), *v;
    size_t i;
    sg_rc rc;
    char path[32];

    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(ld, "domains: expected a non-empty array");
    if (json_array_size(arr) > SG_MAX_DOMAINS)
        return fail(ld, "domains: more than %d", SG_MAX_DOMAINS);
    json_array_foreach(arr, i, v) {
        instrument_domain *d = &ld->inst->domains[i];
        snprintf(path, sizeof path, "domains[%zu]", i);
        d->name = get_str(v, "name");
        if (!d->name)
            return fail(ld, "%s.name: missing", path);
        if (instrument_domain_index(ld->inst, d->name) >= 0)
            return fail(ld, "%s.name: \"%s\" listed twice", path, d->name);
        if ((rc = get_texts(ld, v, "label", path, d->label, 1)) ||
            (rc = get_texts(ld, v, "discreet_label", path, d->discreet_label, 0)) ||
            (rc = load_rule(ld, json_object_get(v, "rule"), d, path)))
            return rc;
        ld->inst->ndomains = (int)i + 1;
    }
    for (int k = 0; k < ld->inst->nitems; k++)
        if (instrument_domain_index(ld->inst, ld->inst->items[k].domain) < 0)
            return fail(ld, "items[%d].domain: no domain named \"%s\"", k,
                        ld->inst->items[k].domain);
    return SG_OK;
}

/* The instrument in one language, as GET /api/v1/instrument serves it. */
static char *public_json(const sg_instrument *inst, int l)
{
    json_t *o = json_object(), *items = json_array(), *domains = json_array();
    const instrument_language *lang = &inst->langs[l];
    char *s;

    json_object_set_new(o, "id", json_string(inst->id));
    json_object_set_new(o, "version", json_string(inst->version));
    json_object_set_new(o, "language", json_string(lang->code));
    json_object_set_new(o, "title", json_string(inst->title[l]));
    json_object_set_new(o, "translation",
        json_pack("{s:s, s:s?, s:s?, s:s?}", "status", lang->status, "translated_by",
                  lang->translated_by, "reviewed_by", lang->reviewed_by,
                  "review_status", lang->review_status));
    for (int i = 0; i < inst->nitems; i++) {
        const instrument_item *it = &inst->items[i];
        json_t *opts = json_array();
        for (int j = 0; j < it->noptions; j++) {
            json_t *opt = json_pack("{s:s, s:s}", "code", it->options[j].code, "text",
                                    it->options[j].text[l]);
            if (it->options[j].exclusive)
                json_object_set_new(opt, "exclusive", json_true());
            json_array_append_new(opts, opt);
        }
        json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:o}", "code", it->code, "domain",
                                 it->domain, "type", it->multi ? "multi" : "single",
                                 "text", it->text[l], "options", opts);
        if (it->preamble[l])
            json_object_set_new(item, "preamble", json_string(it->preamble[l]));
        json_array_append_new(items, item);
    }
    for (int d = 0; d < inst->ndomains; d++) {
        json_t *dom = json_pack("{s:s, s:s}", "name", inst->domains[d].name, "label",
                                inst->domains[d].label[l]);
        if (inst->domains[d].discreet_label[l])
            json_object_set_new(dom, "discreet_label",
                                json_string(inst->domains[d].discreet_label[l]));
        json_array_append_new(domains, dom);
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "domains", domains);
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static sg_rc load_header(loader *ld, json_t *root)
{
    sg_instrument *inst = ld->inst;
    const char *format = get_str(root, "format");

    if (!format || strcmp(format, FORMAT_NAME))
        return fail(ld, "format: expected \"%s\"", FORMAT_NAME);
    inst->id = get_str(root, "id");
    inst->version = get_str(root, "version");
    inst->loinc_panel = get_str(root, "loinc_panel");
    inst->source = get_str(root, "source");
    if (!inst->id || !inst->version)
        return fail(ld, "id and version are required");
    return SG_OK;
}

sg_rc instrument_load(const char *path, sg_instrument **out, char *err, size_t errlen)
{
    loader ld = {NULL, err, errlen};
    json_error_t jerr;
    json_t *root;
    sg_rc rc;

    *out = NULL;
    snprintf(err, errlen, "%s: ", path);
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return SG_EINVAL;
    }
    ld.inst = calloc(1, sizeof *ld.inst);
    if (!ld.inst) {
        json_decref(root);
        return SG_ENOMEM;
    }
    ld.inst->root = root;
    if ((rc = load_header(&ld, root)) || (rc = load_languages(&ld, root)) ||
        (rc = get_texts(&ld, root, "title", "instrument", ld.inst->title, 1)) ||
        (rc = load_items(&ld, root)) || (rc = load_domains(&ld, root)))
        goto out;
    for (int l = 0; l < ld.inst->nlangs; l++) {
        ld.inst->public_json[l] = public_json(ld.inst, l);
        if (!ld.inst->public_json[l]) {
            rc = SG_ENOMEM;
            goto out;
        }
    }
    err[0] = '\0';
    *out = ld.inst;
    ld.inst = NULL;
out:
    instrument_free(ld.inst);
    return rc;
}

void instrument_free(sg_instrument *inst)
{
    if (!inst)
        return;
    for (int l = 0; l < SG_MAX_LANGS; l++)
        free(inst->public_json[l]);
    json_decref(inst->root);
    free(inst);
}

int instrument_lang(const sg_instrument *inst, const char *code)
{
    for (int l = 0; l < inst->nlangs; l++)
        if (!strcmp(inst->langs[l].code, code))
            return l;
    return -1;
}

int instrument_item_index(const sg_instrument *inst, const char *code)
{
    for (int i = 0; i < inst->nitems; i++)
        if (!strcmp(inst->items[i].code, code))
            return i;
    return -1;
}

int instrument_option_index(const instrument_item *item, const char *code)
{
    for (int o = 0; o < item->noptions; o++)
        if (!strcmp(item->options[o].code, code))
            return o;
    return -1;
}

int instrument_domain_index(const sg_instrument *inst, const char *name)
{
    for (int d = 0; d < inst->ndomains; d++)
        if (inst->domains[d].name && !strcmp(inst->domains[d].name, name))
            return d;
    return -1;
}

const char *instrument_domain_label(const sg_instrument *inst, int d, int lang,
                                    int discreet)
{
    const instrument_domain *dom = &inst->domains[d];
    return discreet && dom->discreet_label[lang] ? dom->discreet_label[lang]
                                                  : dom->label[lang];
}
