/*
 * The screening result as JSON: positive domains, the safety score and the
 * matched resources in the patient's language (see DESIGN.md, Kiosk API).
 * Built once when the screening is stored and again when the patient says
 * which needs they want help with.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "http_internal.h"

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *resource_json(const sg_instrument *inst, const sg_resource *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "domain", json_string(inst->domains[r->domain].name));
    json_object_set_new(o, "service_id", json_string(r->service_id));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "organization", str_or_null(r->organization));
    json_object_set_new(o, "phone", str_or_null(r->phone));
    json_object_set_new(o, "address", str_or_null(r->address));
    json_object_set_new(o, "url", str_or_null(r->url));
    json_object_set_new(o, "hours", str_or_null(r->hours));
    json_object_set_new(o, "open_now", r->open_now < 0 ? json_null() : json_boolean(r->open_now));
    json_object_set_new(o, "contact", str_or_null(r->contact));
    json_object_set_new(o, "ask_for", str_or_null(r->ask_for));
    json_object_set_new(o, "distance_km", isnan(r->distance_km)
                                              ? json_null()
                                              : json_real(round(r->distance_km * 10) / 10));
    json_object_set_new(o, "why", json_string(r->why));
    json_object_set_new(o, "stale", json_boolean(r->stale));
    return o;
}

json_t *kiosk_domain_names(const sg_instrument *inst, uint32_t mask)
{
    json_t *a = json_array();
    for (int d = 0; d < inst->ndomains; d++)
        if (mask & (1u << d))
            json_array_append_new(a, json_string(inst->domains[d].name));
    return a;
}

json_t *kiosk_result(const sg_app *app, const char *id, const sg_submission *sub,
                     const sg_score *score, const sg_resource *res, size_t nres)
{
    const sg_instrument *inst = app->inst;
    int sd = instrument_domain_index(inst, "safety");
    int has_points = sd >= 0 && inst->domains[sd].kind == RULE_POINTS_AT_LEAST;
    json_t *o = json_object(), *list = json_array();

    for (size_t i = 0; i < nres; i++)
        json_array_append_new(list, resource_json(inst, &res[i]));
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "language", json_string(inst->langs[sub->lang].code));
    json_object_set_new(o, "positive_domains", kiosk_domain_names(inst, score->positive));
    json_object_set_new(o, "safety_score", has_points && score->complete[sd]
                                               ? json_integer(score->points[sd])
                                               : json_null());
    json_object_set_new(o, "safety_complete",
                        json_boolean(has_points && score->complete[sd]));
    json_object_set_new(o, "scoring_rule", json_string(score->rule));
    json_object_set_new(o, "wants_help",
                        sub->wants_help < 0 ? json_null() : json_boolean(sub->wants_help));
    json_object_set_new(o, "help_domains", kiosk_domain_names(inst, sub->help));
    json_object_set_new(o, "resources", list);
    return o;
}
