/*
 * Small JSON builders for the FHIR export: codings, concepts, references,
 * entries and the category lists every Observation repeats.  jansson keeps
 * keys in insertion order, so the order written here is the order in the
 * file, and the same input gives the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "fhir_internal.h"

int fhir_set_str(json_t *o, const char *key, const char *s)
{
    if (!s || !*s)
        return 0;
    return json_object_set_new(o, key, json_string(s));
}

json_t *fhir_coding(const char *system, const char *code, const char *display)
{
    json_t *c = json_object();

    if (c && (fhir_set_str(c, "system", system) || fhir_set_str(c, "code", code) ||
              fhir_set_str(c, "display", display))) {
        json_decref(c);
        return NULL;
    }
    return c;
}

json_t *fhir_concept(const char *system, const char *code, const char *display,
                     const char *text)
{
    json_t *cc = json_object(), *list = json_array();

    if (!cc || !list || json_array_append_new(list, fhir_coding(system, code, display)) ||
        json_object_set_new(cc, "coding", list) || fhir_set_str(cc, "text", text)) {
        json_decref(cc);
        return NULL;
    }
    return cc;
}

json_t *fhir_ref(const char *urn)
{
    return json_pack("{s:s}", "reference", urn);
}

json_t *fhir_resource(const char *type, const char *urn)
{
    /* The id is the UUID itself, so a server that keeps ids keeps these. */
    return json_pack("{s:s, s:s}", "resourceType", type, "id", urn + strlen("urn:uuid:"));
}

int fhir_add_entry(json_t *entries, const char *urn, json_t *res)
{
    json_t *e = res ? json_pack("{s:s, s:o}", "fullUrl", urn, "resource", res) : NULL;
    return e ? json_array_append_new(entries, e) : -1;
}

void fhir_urn(const char *kind, const char *sub_id, const char *part,
              char out[FHIR_UUID_URN_LEN])
{
    char key[256];

    snprintf(key, sizeof key, "%s%s%s", sub_id, part ? ":" : "", part ? part : "");
    fhir_uuid_urn(kind, key, out);
}

int fhir_add_sdoh_categories(json_t *arr, const char *domain)
{
    const fhir_domain_codes *m = fhir_domain_lookup(domain);
    const char *text = m->text ? m->text : m->domain ? NULL : domain;

    for (int i = 0; i < m->ncat; i++)
        if (json_array_append_new(
                arr, fhir_concept(FHIR_SDOHCC, m->cat[i].code, m->cat[i].display, text)))
            return -1;
    return 0;
}

json_t *fhir_obs_categories(const char *domain)
{
    json_t *a = json_array();

    if (!a ||
        json_array_append_new(a, fhir_concept(FHIR_OBS_CATEGORY, "social-history",
                                              "Social History", NULL)) ||
        json_array_append_new(
            a, fhir_concept(FHIR_OBS_CATEGORY, "survey", "Survey", NULL)) ||
        (domain && fhir_add_sdoh_categories(a, domain))) {
        json_decref(a);
        return NULL;
    }
    return a;
}

int fhir_english(const sg_instrument *inst)
{
    int l = instrument_lang(inst, "en");
    return l >= 0 ? l : 0;
}

const char *fhir_item_text(const sg_instrument *inst, const char *item)
{
    int i = instrument_item_index(inst, item);
    return i >= 0 ? inst->items[i].text[fhir_english(inst)] : NULL;
}

const char *fhir_option_text(const sg_instrument *inst, const char *item, const char *la)
{
    int i = instrument_item_index(inst, item), o;

    if (i < 0 || (o = instrument_option_index(&inst->items[i], la)) < 0)
        return NULL;
    return inst->items[i].options[o].text[fhir_english(inst)];
}
