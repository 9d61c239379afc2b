/*
 * HSDS 3.0 JSON, as the HSDS API serves it and as publishers dump it: one
 * service object, an array of them, or a Page object ({"total_items",
 * "page", "contents": [...]}).  Each service carries its organization, its
 * service_at_locations (each with its location and that location's
 * addresses, phones, schedules and languages), phones, schedules,
 * attributes (with their taxonomy_term) and languages, all nested.
 *
 * Flattening turns the nesting into the links the CSV form spells out (a
 * phone inside a location gets that location's id), then every object goes
 * through the same per-record checks and staging tables as a CSV row, so one
 * body of SQL assembles both.  The same location or organization nested in
 * many services is staged once; its own children only the first time.
 * Nested leaf objects (phones, schedules, ...) repeat legitimately (the spec
 * example nests one phone under the service, its location and its contact),
 * so their ids are not kept and never reported as duplicates.
 *
 * Problems are reported with the file, the record number (1 for the first
 * service) and the path of the field inside the record
 * ("service_at_locations[0].location.latitude").
 *
 * jansson reads the whole document (its errors carry line and column); the
 * document is capped at HSDS_JSON_MAX bytes.  Large directories should come
 * as CSV packages, which stream.
 */
#include <jansson.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>

#include "hsds_internal.h"

#define HSDS_JSON_MAX (256ull * 1024 * 1024)
#define ID_MAX 512
#define PATH_LEN 256

typedef struct {
    hsds_ctx *c;
    int src;
    size_t row;
} walk;

/* Scalar JSON as text; objects, arrays and null as "". */
static sg_rc set_value(hsds_ctx *c, hsds_rec *r, int i, json_t *v)
{
    char num[64];

    if (json_is_string(v))
        return hsds_rec_set(c, r, i, json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : "false");
    else
        return SG_OK;
    return hsds_rec_set(c, r, i, num, strlen(num));
}

/* A link the nesting implies, written only where the object names none;
 * a name starting with '!' is written always. */
typedef struct {
    const char *name, *value;
} json_link;

/*
 * Stages obj as a record of kind k.  links: implied links (NULL-terminated
 * by name).  id_out (may be NULL) gets the staged id; *is_new whether it was
 * new.  leaf: the id is dropped (see the file comment).
 */
static sg_rc stage_object(walk *w, hsds_kind k, json_t *obj, const char *path,
                          const json_link *links, int leaf, char *id_out, int *is_new)
{
    const hsds_kind_spec *spec = hsds_kind_get(k);
    hsds_rec r;
    sg_rc rc;

    if (is_new)
        *is_new = 0;
    if (!json_is_object(obj)) {
        size_t n = strlen(path);
        char where[PATH_LEN];
        if (n && path[n - 1] == '.')
            n--; /* "phones[0]." names the object "phones[0]" */
        snprintf(where, sizeof where, "%.*s", (int)n, path);
        hsds_report(w->c, HSDS_PROBLEM_FORMAT, w->c->src[w->src].label, w->row, where, 1,
                    "%s is not an object", spec->what);
        w->c->sum->skipped++;
        return SG_OK;
    }
    if ((rc = hsds_rec_begin(w->c, &r, k, w->src, w->row, path)))
        return rc;
    r.json = 1;
    r.quiet_dup = k != HSDS_K_SERVICE;
    for (size_t i = leaf ? 1 : 0; i < spec->nfields; i++)
        if ((rc =
                 set_value(w->c, &r, (int)i, json_object_get(obj, spec->fields[i].name))))
            return rc;
    for (const json_link *l = links; l && l->name; l++) {
        int force = l->name[0] == '!';
        int i = hsds_field_index(k, l->name + force);
        if (i >= 0 && (force || r.off[i] == 0) &&
            (rc = hsds_rec_set(w->c, &r, i, l->value, strlen(l->value))))
            return rc;
    }
    hsds_rec_end(w->c, &r);
    if (id_out)
        snprintf(id_out, ID_MAX, "%s", r.v[0]);
    if ((rc = hsds_stage(w->c, &r)))
        return rc;
    if (is_new)
        *is_new = r.staged;
    return SG_OK;
}

/* Stages every object of array key in parent as kind k, with links. */
static sg_rc stage_array(walk *w, hsds_kind k, json_t *parent, const char *key,
                         const char *path, const json_link *links)
{
    json_t *arr = json_object_get(parent, key), *item;
    char sub[PATH_LEN];
    size_t i;
    sg_rc rc;

    json_array_foreach(arr, i, item) {
        snprintf(sub, sizeof sub, "%.200s%.20s[%zu].", path, key, i);
        if ((rc = stage_object(w, k, item, sub, links, 1, NULL, NULL)))
            return rc;
    }
    return SG_OK;
}

/* A location and, the first time it is seen, what hangs off it. */
static sg_rc walk_location(walk *w, json_t *loc, const char *path, char *loc_id)
{
    char sub[PATH_LEN];
    int is_new;
    sg_rc rc;

    snprintf(sub, sizeof sub, "%.200slocation.", path);
    if ((rc = stage_object(w, HSDS_K_LOCATION, loc, sub, NULL, 0, loc_id, &is_new)) ||
        !is_new)
        return rc;
    json_link up[] = {{"location_id", loc_id}, {NULL, NULL}};
    if ((rc = stage_array(w, HSDS_K_ADDRESS, loc, "addresses", sub, up)) ||
        (rc = stage_array(w, HSDS_K_PHONE, loc, "phones", sub, up)) ||
        (rc = stage_array(w, HSDS_K_SCHEDULE, loc, "schedules", sub, up)))
        return rc;
    return stage_array(w, HSDS_K_LANGUAGE, loc, "languages", sub, up);
}

static sg_rc walk_sal(walk *w, json_t *sal, const char *path, const char *svc_id)
{
    json_t *loc = json_is_object(sal) ? json_object_get(sal, "location") : NULL;
    char loc_id[ID_MAX] = "", sal_id[ID_MAX];
    int is_new;
    sg_rc rc;

    if (json_is_object(loc) && (rc = walk_location(w, loc, path, loc_id)))
        return rc;
    /* A service_at_location without an id still ties its hours to the pair. */
    char synth[2 * ID_MAX + 2];
    snprintf(synth, sizeof synth, "%s@%s", svc_id, loc_id);
    json_link links[] = {
        {"service_id", svc_id}, {"location_id", loc_id}, {"id", synth}, {NULL, NULL}};
    if ((rc = stage_object(w, HSDS_K_SAL, sal, path, links, 0, sal_id, &is_new)) ||
        !is_new)
        return rc;
    json_link up[] = {{"service_at_location_id", sal_id}, {NULL, NULL}};
    if ((rc = stage_array(w, HSDS_K_PHONE, sal, "phones", path, up)))
        return rc;
    return stage_array(w, HSDS_K_SCHEDULE, sal, "schedules", path, up);
}

/* attributes[]: each belongs to the service it is nested in; its
 * taxonomy_term object is staged as a term. */
static sg_rc walk_attributes(walk *w, json_t *svc, const char *svc_id)
{
    json_t *arr = json_object_get(svc, "attributes"), *a;
    char path[PATH_LEN], term_id[ID_MAX];
    size_t i;
    sg_rc rc;

    json_array_foreach(arr, i, a) {
        json_t *term = json_is_object(a) ? json_object_get(a, "taxonomy_term") : NULL;
        term_id[0] = '\0';
        snprintf(path, sizeof path, "attributes[%zu].", i);
        if (json_is_object(term)) {
            char tpath[PATH_LEN];
            snprintf(tpath, sizeof tpath, "%.200staxonomy_term.", path);
            if ((rc = stage_object(w, HSDS_K_TERM, term, tpath, NULL, 0, term_id, NULL)))
                return rc;
        }
        /* "!" names override: nesting says which service, whatever
         * link_id and link_entity say. */
        json_link links[] = {{"!link_id", svc_id},
                             {"!link_entity", "service"},
                             {"taxonomy_term_id", term_id},
                             {NULL, NULL}};
        if ((rc = stage_object(w, HSDS_K_ATTRIBUTE, a, path, links, 1, NULL, NULL)))
            return rc;
    }
    return SG_OK;
}

static sg_rc walk_service(walk *w, json_t *svc)
{
    json_t *org = json_object_get(svc, "organization"), *sal;
    char org_id[ID_MAX] = "", svc_id[ID_MAX], path[PATH_LEN];
    int org_new = 0, svc_new;
    size_t i;
    sg_rc rc;

    if (json_is_object(org) && (rc = stage_object(w, HSDS_K_ORG, org, "organization.",
                                                  NULL, 0, org_id, &org_new)))
        return rc;
    json_link to_org[] = {{"organization_id", org_id}, {NULL, NULL}};
    if ((rc = stage_object(w, HSDS_K_SERVICE, svc, "", to_org, 0, svc_id, &svc_new)) ||
        !svc_new)
        return rc; /* a service left out takes what hangs off it along */
    if (org_new &&
        (rc = stage_array(w, HSDS_K_PHONE, org, "phones", "organization.", to_org)))
        return rc;
    json_link up[] = {{"service_id", svc_id}, {NULL, NULL}};
    if ((rc = stage_array(w, HSDS_K_PHONE, svc, "phones", "", up)) ||
        (rc = stage_array(w, HSDS_K_SCHEDULE, svc, "schedules", "", up)) ||
        (rc = stage_array(w, HSDS_K_LANGUAGE, svc, "languages", "", up)) ||
        (rc = walk_attributes(w, svc, svc_id)))
        return rc;
    json_array_foreach(json_object_get(svc, "service_at_locations"), i, sal) {
        snprintf(path, sizeof path, "service_at_locations[%zu].", i);
        if ((rc = walk_sal(w, sal, path, svc_id)))
            return rc;
    }
    return SG_OK;
}

/* The services in the document: an array, a Page's contents, or one. */
static json_t *service_list(json_t *root, json_t **single)
{
    json_t *contents;

    *single = NULL;
    if (json_is_array(root))
        return root;
    if (!json_is_object(root))
        return NULL;
    contents = json_object_get(root, "contents");
    if (json_is_array(contents))
        return contents;
    if (json_object_get(root, "id") || json_object_get(root, "name")) {
        *single = root;
        return root;
    }
    return NULL;
}

static sg_rc load(hsds_ctx *c, const char *path, int src, json_t **root)
{
    struct stat st;
    json_error_t e;

    c->total = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (c->total > HSDS_JSON_MAX) {
        snprintf(c->err, c->errlen,
                 "%s is larger than %llu MB; give the directory as a CSV package instead",
                 path, HSDS_JSON_MAX >> 20);
        return SG_EINVAL;
    }
    *root = json_load_file(path, 0, &e);
    if (*root)
        return SG_OK;
    hsds_report(c, HSDS_PROBLEM_FORMAT, c->src[src].label,
                (size_t)(e.line > 0 ? e.line : 0), "", 0, "column %d: not valid JSON: %s",
                e.column, e.text);
    snprintf(c->err, c->errlen, "%s:%d:%d: not valid JSON: %s", path, e.line, e.column,
             e.text);
    return SG_EINVAL;
}

sg_rc hsds_read_json(hsds_ctx *c, const char *path)
{
    char copy[4096];
    json_t *root = NULL, *list, *single, *svc;
    walk w = {c, 0, 0};
    size_t i, n;
    sg_rc rc;

    snprintf(copy, sizeof copy, "%s", path);
    if ((w.src = hsds_add_source(c, basename(copy), HSDS_K_SERVICE)) < 0)
        return SG_EINVAL;
    snprintf(c->sum->version, sizeof c->sum->version, "3.0-json");
    if ((rc = load(c, path, w.src, &root)))
        return rc;
    if (!(list = service_list(root, &single))) {
        snprintf(c->err, c->errlen,
                 "%s is not HSDS JSON: expected a service, an array of "
                 "services or a page of them (\"contents\")",
                 path);
        rc = SG_EINVAL;
        goto out;
    }
    n = single ? 1 : json_array_size(list);
    for (i = 0; i < n && !rc; i++) {
        svc = single ? single : json_array_get(list, i);
        w.row = i + 1;
        if (!json_is_object(svc)) {
            hsds_report(c, HSDS_PROBLEM_FORMAT, c->src[w.src].label, w.row, "", 1,
                        "record %zu is not a service object", w.row);
            c->sum->skipped++;
            continue;
        }
        rc = walk_service(&w, svc);
        hsds_progress(c, c->total * (i + 1) / n, 0);
    }
    c->done = c->total;
out:
    json_decref(root);
    return rc;
}
