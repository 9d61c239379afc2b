/*
 * The Bundle around the export, written into a capped buffer as it goes:
 * the opening and the clinic's Organization, then each submission's
 * entries dumped and freed before the next is built, then the closing.
 * Only one submission's JSON tree exists at a time, so a range of hundreds
 * costs the size of its text, not hundreds of trees.
 */
#include <string.h>

#include "fhir_internal.h"

static int to_buf(const char *data, size_t len, void *ctx)
{
    return sg_buf_add(ctx, data, len) == SG_OK ? 0 : -1;
}

/* Appends ",entry" (or "entry" after the opening bracket) for each entry. */
static sg_rc dump_entries(json_t *entries, sg_buf *b)
{
    size_t i;
    json_t *e;

    json_array_foreach(entries, i, e)
    {
        if (b->len && b->data[b->len - 1] != '[' && sg_buf_add(b, ",", 1))
            return SG_ETOOBIG;
        if (json_dump_callback(e, to_buf, b, JSON_COMPACT))
            return SG_ETOOBIG;
    }
    return SG_OK;
}

sg_rc fhir_bundle_begin(const fhir_ctx *c, const char *seed, sg_buf *b)
{
    char urn[FHIR_UUID_URN_LEN];
    json_t *org, *one;
    sg_rc rc;

    fhir_uuid_urn("bundle", seed, urn);
    rc = sg_buf_addf(b,
                     "{\"resourceType\":\"Bundle\",\"id\":\"%s\",\"type\":\"collection\","
                     "\"entry\":[",
                     urn + strlen("urn:uuid:"));
    if (rc)
        return rc;
    org = fhir_organization(c);
    one = org ? json_pack("[o]", org) : NULL;
    rc = one ? dump_entries(one, b) : SG_ENOMEM;
    json_decref(one);
    return rc;
}

sg_rc fhir_bundle_add(const fhir_ctx *c, const export_sub *s, sg_buf *b)
{
    json_t *entries = fhir_submission(c, s);
    sg_rc rc = entries ? dump_entries(entries, b) : SG_ENOMEM;

    json_decref(entries);
    return rc;
}

sg_rc fhir_bundle_end(sg_buf *b)
{
    return sg_buf_adds(b, "]}");
}
