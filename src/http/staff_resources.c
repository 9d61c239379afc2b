/*
 * The staff console's directory upkeep (docs/api.md, "Resources"):
 *
 *   GET  /staff/api/v1/resources?q=&domain=&stale=&hidden=&limit=&offset=
 *   GET  /staff/api/v1/resources/{service_id}
 *   POST /staff/api/v1/resources/{service_id}          change the curation
 *   POST /staff/api/v1/resources/{service_id}/verify   checked today
 *
 * Reading needs a viewer; a change needs a navigator and the CSRF token,
 * and is written with its audit row in one transaction
 * (store_curation_update), so a refused audit row refuses the change.
 * The kiosk's matcher reads the curation table on every match, so a
 * change reaches the next patient without a restart.
 *
 * Nothing here logs notes or contact details: they are the clinic's
 * working notes, and belong in the database only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "signpost/log.h"
#include "signpost/reports.h"
#include "signpost/resources.h"

#define PREFIX "/staff/api/v1/resources"
#define ID_MAX 63

/* ---- small answers ------------------------------------------------ */

static MHD_RESULT no_service(http_ctx *h)
{
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found",
                      "no such service in the directory", NULL);
}

/* Today in the clinic's time zone, and the staleness cut-off for it. */
static int today(http_ctx *h, int *minute, char stale_before[11])
{
    int date, m;

    app_local_time(time(NULL), &date, &m);
    if (minute)
        *minute = m;
    res_stale_before(date, h->app->cfg->stale_days, stale_before);
    return date;
}

/* A comma list of domain names as a JSON array in instrument order. */
static json_t *domains_json(const sg_instrument *inst, const char *list)
{
    uint32_t mask = 0;
    char name[64];

    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1),
                 p);
        int d = instrument_domain_index(inst, name);
        if (d >= 0)
            mask |= 1u << d;
        p += n + (p[n] == ',');
    }
    return kiosk_domain_names(inst, mask);
}

static json_t *item_json(const sg_instrument *inst, const res_item *it)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:b, s:i, s:o, s:o, s:b}",
                     "service_id", it->service_id, "name", it->name, "organization",
                     http_json_text(it->organization), "domains",
                     domains_json(inst, it->domains), "phone", http_json_text(it->phone),
                     "address", http_json_text(it->address), "status", it->status, "hidden",
                     it->hidden, "pinned", it->pinned, "priority", it->priority,
                     "verified_on", http_json_text(it->verified_on), "assured_date",
                     http_json_text(it->assured_date), "stale", it->stale);
}

/* ---- the list ------------------------------------------------------ */

static const char *arg(http_ctx *h, const char *name)
{
    return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ?name= as lo..hi (def when absent); -1 when present and wrong. */
static int int_arg(http_ctx *h, const char *name, long lo, long hi, int def, int *out)
{
    const char *v = arg(h, name);
    char *end;
    long n;

    if (!v) {
        *out = def;
        return 0;
    }
    n = strtol(v, &end, 10);
    if (end == v || *end || n < lo || n > hi)
        return -1;
    *out = (int)n;
    return 0;
}

static MHD_RESULT bad_query(http_ctx *h, const char *field, const char *msg)
{
    return http_error(h, MHD_HTTP_BAD_REQUEST, "invalid_query", msg, field);
}

static int refused(MHD_RESULT *ret, MHD_RESULT answer)
{
    *ret = answer;
    return -1;
}

/* Reads the query string into q; 0, or -1 with the 400/422 in *ret. */
static int read_query(http_ctx *h, res_query *q, MHD_RESULT *ret)
{
    memset(q, 0, sizeof *q);
    q->text = arg(h, "q");
    q->domain = arg(h, "domain");
    if (q->text && strlen(q->text) > RES_TEXT_MAX)
        return refused(ret, bad_query(h, "q", "q: at most 200 characters"));
    if (q->domain && instrument_domain_index(h->app->inst, q->domain) < 0)
        return refused(ret,
                       http_error(h, 422, "unknown_domain",
                                  "domain: not a domain of the screening", "domain"));
    if (int_arg(h, "stale", 0, 1, -1, &q->stale))
        return refused(ret,
                       bad_query(h, "stale", "stale: 1 (only stale) or 0 (only fresh)"));
    if (int_arg(h, "hidden", 0, 1, -1, &q->hidden))
        return refused(
            ret, bad_query(h, "hidden", "hidden: 1 (only hidden) or 0 (only shown)"));
    if (int_arg(h, "limit", 1, RES_LIMIT_MAX, RES_LIMIT_DEFAULT, &q->limit))
        return refused(ret, bad_query(h, "limit", "limit: a whole number from 1 to 200"));
    if (int_arg(h, "offset", 0, RES_OFFSET_MAX, 0, &q->offset))
        return refused(
            ret, bad_query(h, "offset", "offset: a whole number from 0 to 1000000"));
    today(h, NULL, q->stale_before);
    return 0;
}

typedef struct {
    const sg_instrument *inst;
    json_t *items;
} list_ctx;

static int add_item(void *ctx, const res_item *it)
{
    list_ctx *l = ctx;
    json_t *o = item_json(l->inst, it);
    return !o || json_array_append_new(l->items, o);
}

static MHD_RESULT list(http_ctx *h)
{
    staff_session *s;
    MHD_RESULT ret;
    res_query q;
    list_ctx l = {h->app->inst, NULL};
    long total = 0;
    sg_rc rc;

    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "viewer", &ret)))
        return ret;
    if (read_query(h, &q, &ret))
        goto out;
    if (!(l.items = json_array())) {
        ret = MHD_NO;
        goto out;
    }
    rc = res_search(h->app->cfg->store_dir, &q, add_item, &l, &total);
    if (rc == SG_ETOOBIG)
        ret = bad_query(h, "q", "q: at most 16 words");
    else if (rc)
        ret = http_store_unavailable(h);
    else
        ret = http_send_json(h, MHD_HTTP_OK,
                             json_pack("{s:O, s:I, s:i, s:i}", "items", l.items, "total",
                                       (json_int_t)total, "limit", q.limit, "offset",
                                       q.offset));
out:
    json_decref(l.items);
    staff_session_free(s);
    return ret;
}

/* ---- one service ------------------------------------------------- */

static json_t *ask_for_json(const dir_curation *c)
{
    json_t *o = json_object();
    for (int i = 0; o && i < c->nask_for && i < SG_ASK_FOR_LANGS; i++)
        json_object_set_new(o, c->ask_for[i].lang, json_string(c->ask_for[i].text));
    return o;
}

/* The clinic's record; a service never curated shows the defaults. */
static json_t *curation_json(const dir_curation *c)
{
    return json_pack("{s:o, s:o, s:o, s:i, s:b, s:b, s:s, s:o, s:o, s:o}", "contact_name",
                     http_json_text(c->contact_name), "contact_phone",
                     http_json_text(c->contact_phone), "ask_for", ask_for_json(c),
                     "priority", c->priority, "pinned", c->pinned, "hidden", c->hidden,
                     "notes", c->notes, "verified_on", http_json_text(c->verified_on),
                     "verified_by", http_json_text(c->verified_by), "updated_at",
                     http_json_text(c->updated_at));
}

/* A comma list as a JSON array of its non-empty parts. */
static json_t *list_json(const char *list)
{
    json_t *a = json_array();
    char part[32];

    for (const char *p = list; a && p && *p;) {
        size_t n = strcspn(p, ",");
        size_t k = n < sizeof part ? n : sizeof part - 1;
        snprintf(part, sizeof part, "%.*s", (int)k, p);
        if (*part)
            json_array_append_new(a, json_string(part));
        p += n + (p[n] == ',');
    }
    return a;
}

static json_t *directory_json(const sg_instrument *inst, const res_record *r)
{
    json_t *phones = json_array();

    if (phones && r->item.phone[0])
        json_array_append_new(phones, json_string(r->item.phone));
    return json_pack(
        "{s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
        r->item.name, "organization", http_json_text(r->item.organization), "description",
        http_json_text(r->description), "status", r->item.status, "phones", phones,
        "address", http_json_text(r->item.address), "hours", http_json_text(r->hours),
        "open_now", http_json_text(r->open_now), "languages", list_json(r->languages),
        "url", http_json_text(r->url), "email", http_json_text(r->email), "domains",
        domains_json(inst, r->item.domains), "assured_date",
        http_json_text(r->item.assured_date));
}

static json_t *outcomes_json(const report_outcomes *o)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "given", (json_int_t)o->given,
                     "referred", (json_int_t)o->referred, "contacted",
                     (json_int_t)o->contacted, "connected", (json_int_t)o->connected,
                     "declined", (json_int_t)o->declined, "unreachable",
                     (json_int_t)o->unreachable);
}

/* The curation, or an empty one when the clinic has said nothing. */
static sg_rc load_curation(http_ctx *h, const char *id, dir_curation *c)
{
    sg_rc rc = store_curation_get(h->app->store, id, c);

    if (rc == SG_ENOTFOUND) {
        memset(c, 0, sizeof *c);
        snprintf(c->service_id, sizeof c->service_id, "%s", id);
        rc = SG_OK;
    }
    return rc;
}

static MHD_RESULT show(http_ctx *h, const char *id)
{
    staff_session *s;
    MHD_RESULT ret;
    res_record *r = NULL;
    dir_curation c;
    report_outcomes o;
    char before[11];
    int date, minute;
    sg_rc rc;

    if (!(s = staff_require(h, 0, "viewer", &ret)))
        return ret;
    if (!(r = malloc(sizeof *r))) {
        ret = MHD_NO;
        goto out;
    }
    date = today(h, &minute, before);
    rc = res_get(h->app->cfg->store_dir, id, before, date, minute, r);
    if (rc == SG_ENOTFOUND) {
        ret = no_service(h);
        goto out;
    }
    if (rc || load_curation(h, id, &c) || store_service_outcomes(h->app->store, id, &o)) {
        ret = http_store_unavailable(h);
        goto out;
    }
    ret = http_send_json(h, MHD_HTTP_OK,
                         json_pack("{s:s, s:o, s:o, s:b, s:o}", "service_id", id,
                                   "directory", directory_json(h->app->inst, r),
                                   "curation", curation_json(&c), "stale", r->item.stale,
                                   "outcomes", outcomes_json(&o)));
out:
    free(r);
    staff_session_free(s);
    return ret;
}

/* ---- changes ----------------------------------------------------- */

/* The names of the fields a patch changes, for the audit row's detail
 * (never their values: notes may say anything). */
static void changed_fields(const curation_patch *p, char *out, size_t outlen)
{
    static const char *const names[] = {"contact_name", "contact_phone", "ask_for",
                                        "priority",     "pinned",        "hidden",
                                        "notes",        "verified"};
    size_t used = (size_t)snprintf(out, outlen, "fields=");

    for (size_t i = 0; i < sizeof names / sizeof names[0] && used < outlen; i++)
        if (p->set & (1u << i))
            used += (size_t)snprintf(out + used, outlen - used, "%s%s",
                                     used > 7 ? "," : "", names[i]);
}

/* Stores p for service id as s, audited as action; answers the record. */
static MHD_RESULT apply(http_ctx *h, const staff_session *s, const char *id,
                        const curation_patch *p, const char *action, const char *detail)
{
    char ip[INET6_ADDRSTRLEN], before[11];
    audit_entry why = {s->user_id, s->username, action, id, detail, ip};
    res_record *r = malloc(sizeof *r);
    dir_curation c;
    sg_field_error err;
    int date;
    MHD_RESULT ret;
    sg_rc rc;

    if (!r)
        return MHD_NO;
    staff_client_ip(h, ip, sizeof ip);
    date = today(h, NULL, before);
    rc = res_get(h->app->cfg->store_dir, id, before, date, 0, r);
    if (rc == SG_ENOTFOUND) {
        ret = no_service(h);
        goto out;
    }
    if (!rc)
        rc = store_curation_update(h->app->store, id, p, &why, &c, &err);
    if (rc == SG_EINVAL)
        ret = http_error(h, (unsigned)err.status, err.code, err.message, err.field);
    else if (rc)
        ret = http_store_unavailable(h);
    else
        ret = http_send_json(h, MHD_HTTP_OK,
                             json_pack("{s:s, s:o, s:b}", "service_id", id, "curation",
                                       curation_json(&c), "stale",
                                       directory_is_stale(&c, r->item.assured_date, date,
                                                          h->app->cfg->stale_days)));
    if (!rc)
        sg_info("staff: %s: %s %s", s->username, action, id);
out:
    free(r);
    return ret;
}

static MHD_RESULT update(http_ctx *h, const char *id)
{
    staff_session *s;
    MHD_RESULT ret;
    json_t *body = NULL;
    curation_patch p;
    sg_field_error err;
    char detail[160];

    if (!(s = staff_require(h, 1, "navigator", &ret)))
        return ret;
    if (!(body = http_json_body(h, &ret)))
        goto out;
    if (curation_patch_parse(body, &p, &err)) {
        ret = http_error(h, (unsigned)err.status, err.code, err.message, err.field);
        goto out;
    }
    changed_fields(&p, detail, sizeof detail);
    ret = apply(h, s, id, &p, "resource.update", detail);
out:
    json_decref(body);
    staff_session_free(s);
    return ret;
}

static MHD_RESULT verify(http_ctx *h, const char *id)
{
    staff_session *s;
    MHD_RESULT ret;
    curation_patch p;
    char detail[32], before[11];

    if (!http_method_is(h, "POST", &ret) || !(s = staff_require(h, 1, "navigator", &ret)))
        return ret;
    memset(&p, 0, sizeof p);
    p.set = CUR_VERIFIED;
    report_date_text(today(h, NULL, before), p.verified_on);
    /* A 64-byte name keeps 63 in the record (dir_curation's field). */
    staff_truncate_utf8(s->username, sizeof p.verified_by - 1, p.verified_by,
                        sizeof p.verified_by);
    snprintf(detail, sizeof detail, "on=%s", p.verified_on);
    ret = apply(h, s, id, &p, "resource.verify", detail);
    staff_session_free(s);
    return ret;
}

/* ---- routing ----------------------------------------------------- */

/* Service ids as HSDS publishers write them (UUIDs, slugs); anything
 * else cannot be in the directory, so it is simply not found. */
static int valid_id(const char *s, size_t n)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789-_.:~";
    if (n == 0 || n > ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(ok, s[i]))
            return 0;
    return 1;
}

MHD_RESULT staff_resources(http_ctx *h)
{
    const char *rest = h->url + strlen(PREFIX), *tail;
    char id[ID_MAX + 1];
    size_t n;

    if (!*rest)
        return list(h);
    n = strcspn(rest + 1, "/");
    tail = rest + 1 + n;
    if (*rest != '/' || !valid_id(rest + 1, n) || (*tail && strcmp(tail, "/verify")))
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route",
                          NULL);
    snprintf(id, sizeof id, "%.*s", (int)n, rest + 1);
    if (*tail)
        return verify(h, id);
    if (!strcmp(h->method, "GET"))
        return show(h, id);
    if (!strcmp(h->method, "POST"))
        return update(h, id);
    return http_method_not_allowed(h, "GET, POST");
}
