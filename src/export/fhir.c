/*
 * One submission as FHIR R4 resources, and the Bundle around many (see
 * fhir.h).  Each resource has its own small builder; fhir_submission()
 * lays them out in a fixed order.  References between them are the
 * urn:uuid: fullUrls, recomputed from the same names wherever they are
 * needed, so no builder has to hand another a pointer.
 *
 * What is left out on purpose: any identity of the patient (there is
 * none), meta.profile (an anonymous Patient cannot meet US Core, so the
 * resources follow the SDOH Clinical Care shapes without claiming its
 * profiles), staff notes (they stay in the console and the CSV), and any
 * timestamp of the export itself (it would break byte-identical output).
 */
#include <string.h>

#include "fhir_internal.h"

typedef struct {
    const fhir_ctx *c;
    const export_sub *s;
    char patient[FHIR_UUID_URN_LEN], qr[FHIR_UUID_URN_LEN], org[FHIR_UUID_URN_LEN];
} build;

static int answered(const export_item *it)
{
    return !it->skipped && it->nchosen > 0;
}

/* ---- Patient and QuestionnaireResponse -------------------------------- */

static json_t *patient(const build *b)
{
    return fhir_resource("Patient", b->patient);
}

static json_t *qr_item(const build *b, const export_item *it)
{
    json_t *item = json_pack("{s:s}", "linkId", it->code), *ans = json_array();

    if (!item || !ans || fhir_set_str(item, "text", fhir_item_text(b->c->inst, it->code)))
        goto fail;
    for (int k = 0; k < it->nchosen; k++) {
        const char *disp = fhir_option_text(b->c->inst, it->code, it->chosen[k]);
        json_t *v = fhir_coding(FHIR_LOINC, it->chosen[k], disp);
        if (json_array_append_new(ans, json_pack("{s:o}", "valueCoding", v)))
            goto fail;
    }
    if (json_object_set_new(item, "answer", ans) == 0)
        return item;
    ans = NULL;
fail:
    json_decref(ans);
    json_decref(item);
    return NULL;
}

static json_t *questionnaire_response(const build *b)
{
    char canonical[96];
    json_t *r = fhir_resource("QuestionnaireResponse", b->qr), *items = json_array();

    snprintf(canonical, sizeof canonical, "%s%s", FHIR_QUESTIONNAIRE,
             b->c->inst->loinc_panel ? b->c->inst->loinc_panel : "96777-8");
    if (!r || !items || fhir_set_str(r, "questionnaire", canonical) ||
        fhir_set_str(r, "status", "completed") ||
        json_object_set_new(r, "subject", fhir_ref(b->patient)) ||
        fhir_set_str(r, "authored", b->s->created_at) ||
        json_object_set_new(r, "source", fhir_ref(b->patient)))
        goto fail;
    /* A skipped item is left out: the patient gave no answer to record. */
    for (int i = 0; i < b->s->nitems; i++)
        if (answered(&b->s->items[i]) &&
            json_array_append_new(items, qr_item(b, &b->s->items[i])))
            goto fail;
    if (json_array_size(items) == 0) { /* everything skipped: FHIR has no empty lists */
        json_decref(items);
        return r;
    }
    if (json_object_set_new(r, "item", items) == 0) /* steals items, even on failure */
        return r;
    items = NULL;
fail:
    json_decref(items);
    json_decref(r);
    return NULL;
}

/* ---- item Observations -------------------------------------------------- */

/* 1 when the answer alone makes its domain positive (answer rules only). */
static int item_positive(const sg_instrument *inst, const export_item *it)
{
    int i = instrument_item_index(inst, it->code), d;

    if (i < 0 || (d = instrument_domain_index(inst, inst->items[i].domain)) < 0)
        return 0;
    const instrument_domain *dom = &inst->domains[d];
    if (dom->kind == RULE_POINTS_AT_LEAST)
        return 0; /* a points rule is judged on the sum: see the score */
    for (int k = 0; k < dom->nitems; k++) {
        if (dom->items[k] != i)
            continue;
        for (int n = 0; n < it->nchosen; n++) {
            int o = instrument_option_index(&inst->items[i], it->chosen[n]);
            if (o >= 0 && (dom->matching[k] & (1u << o)))
                return 1;
        }
    }
    return 0;
}

static const char *item_domain(const sg_instrument *inst, const char *code)
{
    int i = instrument_item_index(inst, code);
    return i >= 0 ? inst->items[i].domain : NULL;
}

/* Observation fields every item, score and panel Observation shares. */
static int obs_common(const build *b, json_t *o, const char *domain, const char *code,
                      const char *text)
{
    return fhir_set_str(o, "status", "final") ||
           json_object_set_new(o, "category", fhir_obs_categories(domain)) ||
           json_object_set_new(o, "code", fhir_concept(FHIR_LOINC, code, NULL, text)) ||
           json_object_set_new(o, "subject", fhir_ref(b->patient)) ||
           fhir_set_str(o, "effectiveDateTime", b->s->created_at);
}

static int positive_flag(json_t *o)
{
    json_t *a = json_array();
    return !a ||
           json_array_append_new(
               a, fhir_concept(FHIR_INTERPRETATION, "POS", "Positive", NULL)) ||
           json_object_set_new(o, "interpretation", a);
}

/* One answer: valueCodeableConcept; several ("choose all"): one component each. */
static int obs_value(const build *b, json_t *o, const export_item *it, int multi)
{
    json_t *comps;

    if (!multi)
        return json_object_set_new(
            o, "valueCodeableConcept",
            fhir_concept(FHIR_LOINC, it->chosen[0],
                         fhir_option_text(b->c->inst, it->code, it->chosen[0]), NULL));
    if (!(comps = json_array()) || json_object_set_new(o, "component", comps))
        return -1;
    for (int k = 0; k < it->nchosen; k++) {
        json_t *v =
            fhir_concept(FHIR_LOINC, it->chosen[k],
                         fhir_option_text(b->c->inst, it->code, it->chosen[k]), NULL);
        if (json_array_append_new(
                comps, json_pack("{s:o, s:o}", "code",
                                 fhir_concept(FHIR_LOINC, it->code, NULL, NULL),
                                 "valueCodeableConcept", v)))
            return -1;
    }
    return 0;
}

static json_t *item_obs(const build *b, const export_item *it, const char *urn)
{
    const sg_instrument *inst = b->c->inst;
    int i = instrument_item_index(inst, it->code);
    int multi = i >= 0 ? inst->items[i].multi : it->nchosen > 1;
    json_t *o = fhir_resource("Observation", urn), *derived = json_array();

    if (!o || !derived ||
        obs_common(b, o, item_domain(inst, it->code), it->code,
                   fhir_item_text(inst, it->code)) ||
        json_object_set_new(o, "performer", json_pack("[o]", fhir_ref(b->patient))) ||
        obs_value(b, o, it, multi) || (item_positive(inst, it) && positive_flag(o)) ||
        json_array_append_new(derived, fhir_ref(b->qr)) ||
        json_object_set_new(o, "derivedFrom", derived)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- scores and the panel -------------------------------------------------- */

static json_t *score_obs(const build *b, int d, const export_domain *dom, const char *urn)
{
    const instrument_domain *id = &b->c->inst->domains[d];
    json_t *o = fhir_resource("Observation", urn), *derived = json_array();
    char item_urn[FHIR_UUID_URN_LEN];

    if (!o || !derived || obs_common(b, o, id->name, id->score_code, NULL) ||
        json_object_set_new(o, "valueInteger", json_integer(dom->score)) ||
        (dom->positive && positive_flag(o)) ||
        json_array_append_new(derived, fhir_ref(b->qr)))
        goto fail;
    for (int k = 0; k < id->nitems; k++) {
        fhir_urn("obs", b->s->id, b->c->inst->items[id->items[k]].code, item_urn);
        if (json_array_append_new(derived, fhir_ref(item_urn)))
            goto fail;
    }
    if (json_object_set_new(o, "derivedFrom", derived) == 0)
        return o;
    derived = NULL;
fail:
    json_decref(derived);
    json_decref(o);
    return NULL;
}

static const export_domain *sub_domain(const export_sub *s, const char *name)
{
    for (int d = 0; d < s->ndomains; d++)
        if (!strcmp(s->domains[d].name, name))
            return &s->domains[d];
    return NULL;
}

/* The instrument domain d's score, when it has one and it is complete. */
static const export_domain *scored(const build *b, int d)
{
    const instrument_domain *id = &b->c->inst->domains[d];
    const export_domain *dom = sub_domain(b->s, id->name);

    if (id->kind != RULE_POINTS_AT_LEAST || !id->score_code || !dom || dom->score < 0)
        return NULL;
    return dom;
}

static json_t *panel_obs(const build *b, const char *urn)
{
    const sg_instrument *inst = b->c->inst;
    json_t *o = fhir_resource("Observation", urn), *members = json_array();
    char m[FHIR_UUID_URN_LEN];

    if (!o || !members ||
        obs_common(b, o, NULL, inst->loinc_panel, inst->title[fhir_english(inst)]))
        goto fail;
    for (int i = 0; i < b->s->nitems; i++) {
        if (!answered(&b->s->items[i]))
            continue;
        fhir_urn("obs", b->s->id, b->s->items[i].code, m);
        if (json_array_append_new(members, fhir_ref(m)))
            goto fail;
    }
    for (int d = 0; d < inst->ndomains; d++) {
        if (!scored(b, d))
            continue;
        fhir_urn("score", b->s->id, inst->domains[d].name, m);
        if (json_array_append_new(members, fhir_ref(m)))
            goto fail;
    }
    if (json_array_size(members) == 0)
        json_decref(members); /* nothing answered: no members to list */
    else if (json_object_set_new(o, "hasMember", members))
        goto stolen;
    if (json_object_set_new(o, "derivedFrom", json_pack("[o]", fhir_ref(b->qr))) == 0)
        return o;
stolen:
    members = NULL;
fail:
    json_decref(members);
    json_decref(o);
    return NULL;
}

/* ---- referrals ----------------------------------------------------------------- */

static json_t *sr_categories(const char *domain)
{
    json_t *a = json_array();

    if (!a ||
        json_array_append_new(a, fhir_concept(FHIR_SNOMED, FHIR_SOCIAL_SERVICE,
                                              "Social service procedure", NULL)) ||
        fhir_add_sdoh_categories(a, domain)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The answered items of the referral's domain: why it was made. */
static json_t *sr_reasons(const build *b, const char *domain)
{
    json_t *a = json_array();
    char urn[FHIR_UUID_URN_LEN];

    for (int i = 0; a && i < b->s->nitems; i++) {
        const char *d = item_domain(b->c->inst, b->s->items[i].code);
        if (!answered(&b->s->items[i]) || !d || strcmp(d, domain))
            continue;
        fhir_urn("obs", b->s->id, b->s->items[i].code, urn);
        if (json_array_append_new(a, fhir_ref(urn))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static int sr_details(const build *b, json_t *o, const export_referral *r)
{
    int d = instrument_domain_index(b->c->inst, r->domain);
    const char *label =
        d >= 0 ? instrument_domain_label(b->c->inst, d, fhir_english(b->c->inst), 0)
               : r->domain;
    json_t *reasons;

    if (fhir_domain_lookup(r->domain)->no_contact &&
        json_object_set_new(
            o, "orderDetail",
            json_pack("[o]", fhir_concept(FHIR_SDOHCC, "contacting-subject-prohibited",
                                          "Contacting subject prohibited", NULL))))
        return -1;
    if (json_object_set_new(
            o, "code",
            fhir_concept(FHIR_SNOMED, FHIR_REFERRAL_CODE, "Referral to service", label)))
        return -1;
    if (!(reasons = sr_reasons(b, r->domain)))
        return -1;
    return json_array_size(reasons) ? json_object_set_new(o, "reasonReference", reasons)
                                    : (json_decref(reasons), 0);
}

static json_t *service_request(const build *b, const export_referral *r, const char *urn)
{
    const char *who = r->service_name[0] ? r->service_name
                      : r->service_id[0] ? r->service_id
                                         : "unnamed service";
    json_t *o = fhir_resource("ServiceRequest", urn);

    if (!o || fhir_set_str(o, "status", fhir_request_status(r->status)) ||
        fhir_set_str(o, "intent", "order") ||
        json_object_set_new(o, "category", sr_categories(r->domain)) ||
        sr_details(b, o, r) || json_object_set_new(o, "subject", fhir_ref(b->patient)) ||
        fhir_set_str(o, "authoredOn", b->s->created_at) ||
        json_object_set_new(o, "requester", fhir_ref(b->org)) ||
        json_object_set_new(o, "performer", json_pack("[{s:s}]", "display", who))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *task(const build *b, const export_referral *r, const char *sr,
                    const char *urn)
{
    const char *why = fhir_task_reason(r->status);
    json_t *o = fhir_resource("Task", urn);

    if (!o || fhir_set_str(o, "status", fhir_task_status(r->status)) ||
        (why &&
         json_object_set_new(o, "statusReason", json_pack("{s:s}", "text", why))) ||
        json_object_set_new(
            o, "businessStatus",
            json_pack("{s:s}", "text", export_ref_status_name(r->status))) ||
        fhir_set_str(o, "intent", "order") ||
        json_object_set_new(
            o, "code",
            fhir_concept(FHIR_TASK_CODE, "fulfill", "Fulfill the focal request", NULL)) ||
        json_object_set_new(o, "focus", fhir_ref(sr)) ||
        json_object_set_new(o, "for", fhir_ref(b->patient)) ||
        fhir_set_str(o, "authoredOn", b->s->created_at) ||
        fhir_set_str(o, "lastModified", r->updated_at) ||
        json_object_set_new(o, "requester", fhir_ref(b->org))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- the whole submission ----------------------------------------------------- */

static int add_observations(const build *b, json_t *entries)
{
    char urn[FHIR_UUID_URN_LEN];
    const export_domain *dom;

    for (int i = 0; i < b->s->nitems; i++) {
        if (!answered(&b->s->items[i]))
            continue;
        fhir_urn("obs", b->s->id, b->s->items[i].code, urn);
        if (fhir_add_entry(entries, urn, item_obs(b, &b->s->items[i], urn)))
            return -1;
    }
    for (int d = 0; d < b->c->inst->ndomains; d++) {
        if (!(dom = scored(b, d)))
            continue;
        fhir_urn("score", b->s->id, b->c->inst->domains[d].name, urn);
        if (fhir_add_entry(entries, urn, score_obs(b, d, dom, urn)))
            return -1;
    }
    fhir_urn("panel", b->s->id, NULL, urn);
    return fhir_add_entry(entries, urn, panel_obs(b, urn));
}

static int add_referrals(const build *b, json_t *entries)
{
    char key[160], sr[FHIR_UUID_URN_LEN], tk[FHIR_UUID_URN_LEN];

    for (int i = 0; i < b->s->nrefs; i++) {
        const export_referral *r = &b->s->refs[i];
        snprintf(key, sizeof key, "%s:%s", r->domain, r->service_id);
        fhir_urn("sr", b->s->id, key, sr);
        fhir_urn("task", b->s->id, key, tk);
        if (fhir_add_entry(entries, sr, service_request(b, r, sr)) ||
            fhir_add_entry(entries, tk, task(b, r, sr, tk)))
            return -1;
    }
    return 0;
}

static void start(build *b, const fhir_ctx *c, const export_sub *s)
{
    b->c = c;
    b->s = s;
    fhir_urn("patient", s->id, NULL, b->patient);
    fhir_urn("qr", s->id, NULL, b->qr);
    fhir_uuid_urn("org", c->clinic_name ? c->clinic_name : "", b->org);
}

void *fhir_submission(const fhir_ctx *c, const export_sub *s)
{
    json_t *entries = json_array();
    build b;

    start(&b, c, s);
    if (!entries || fhir_add_entry(entries, b.patient, patient(&b)) ||
        fhir_add_entry(entries, b.qr, questionnaire_response(&b)) ||
        add_observations(&b, entries) || add_referrals(&b, entries)) {
        json_decref(entries);
        return NULL;
    }
    return entries;
}

void *fhir_organization(const fhir_ctx *c)
{
    char urn[FHIR_UUID_URN_LEN];
    json_t *o;

    fhir_uuid_urn("org", c->clinic_name ? c->clinic_name : "", urn);
    o = fhir_resource("Organization", urn);
    if (!o || json_object_set_new(o, "active", json_true()) ||
        fhir_set_str(o, "name", c->clinic_name)) {
        json_decref(o);
        return NULL;
    }
    return json_pack("{s:s, s:o}", "fullUrl", urn, "resource", o);
}
