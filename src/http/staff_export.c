/*
 * The staff console's exports, /staff/api/v1/export/...: the submissions
 * and referrals CSVs, a FHIR R4 Bundle, and the audit log as CSV.  See
 * docs/api.md for the routes and docs/exports.md for the columns and the
 * FHIR mapping.
 *
 * Each route is the same few steps, thin around the pure builders
 * (src/export/) and the reader (src/store/export_rows.c): GET only; the
 * role (navigator, or admin for the audit log and for phone numbers); the
 * query checked, naming the field that is wrong; the size checked before
 * anything is read (a range over the cap is a 422, never a half file);
 * the audit row written, or nothing is exported (503); then the file is
 * built in one capped buffer and handed to libmicrohttpd, which frees it.
 * Nothing here logs a phone number or an answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "signpost/export.h"
#include "signpost/fhir.h"

#define EXPORT_PREFIX "/staff/api/v1/export/"

typedef struct {
    http_ctx *h;
    staff_session *s;
    export_range range;
    int have_range;
    char id[SG_ID_LEN]; /* FHIR of one submission, or "" */
    int phones;
    char detail[64]; /* for the audit row */
    sg_buf out;
    sg_rc rc; /* the first builder failure */
} job;

/* ---- answers ------------------------------------------------------------- */

static MHD_RESULT too_large(http_ctx *h, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s; choose a shorter range with from and to", what);
    return http_error(h, 422, "range_too_large", msg, "from");
}

/* Sends b's bytes as a download; libmicrohttpd frees them. */
static MHD_RESULT send_file(http_ctx *h, const char *type, const char *name, sg_buf *b)
{
    size_t len = b->len;
    char *data = sg_buf_take(b), disposition[160];
    struct MHD_Response *r;

    if (!data)
        data = calloc(1, 1);
    r = data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!r) {
        free(data);
        return MHD_NO;
    }
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", name);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Disposition", disposition);
    return http_queue(h, MHD_HTTP_OK, r);
}

/* ---- the query ------------------------------------------------------------ */

static const char *arg(http_ctx *h, const char *name)
{
    return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* from and to (defaults: the 30 days up to today); 0 with *ret set when wrong. */
static int get_range(job *j, MHD_RESULT *ret)
{
    const char *field = NULL;

    if (export_range_default(arg(j->h, "from"), arg(j->h, "to"), time(NULL), &j->range,
                             &field)) {
        *ret = http_error(j->h, MHD_HTTP_BAD_REQUEST, "invalid_query",
                          !strcmp(field, "to")
                              ? "to: a date YYYY-MM-DD (clinic time), not before from"
                              : "from: a date YYYY-MM-DD (clinic time)",
                          field);
        return 0;
    }
    j->have_range = 1;
    snprintf(j->detail, sizeof j->detail, "from=%s to=%s", j->range.from, j->range.to);
    return 1;
}

/* phones=1 (admin only) or phones=0/absent. */
static int get_phones(job *j, MHD_RESULT *ret)
{
    const char *v = arg(j->h, "phones");

    if (!v || !strcmp(v, "0"))
        return 1;
    if (strcmp(v, "1")) {
        *ret = http_error(j->h, MHD_HTTP_BAD_REQUEST, "invalid_query", "phones: 0 or 1",
                          "phones");
        return 0;
    }
    if (j->s->role < STAFF_ROLE_ADMIN) {
        staff_audit(j->h, j->s, "denied", j->h->url, "phones=1");
        *ret = http_error(j->h, MHD_HTTP_FORBIDDEN, "forbidden",
                          "only an admin may export phone numbers", "phones");
        return 0;
    }
    j->phones = 1;
    return 1;
}

/* The range holds at most cap rows (counted by count); else *ret is the 422. */
static int within(job *j, sg_rc (*count)(sg_store *, const export_range *, long *),
                  long cap, const char *what, MHD_RESULT *ret)
{
    char msg[96];
    long n;

    if (count(j->h->app->store, &j->range, &n)) {
        *ret = http_store_unavailable(j->h);
        return 0;
    }
    if (n > cap) {
        snprintf(msg, sizeof msg, "the range holds %ld %s, more than %ld", n, what, cap);
        *ret = too_large(j->h, msg);
        return 0;
    }
    return 1;
}

/* The export is recorded before anything is read, or nothing is exported. */
static int audited(job *j, const char *action, const char *target, MHD_RESULT *ret)
{
    if (staff_audit(j->h, j->s, action, target, j->detail) == SG_OK)
        return 1;
    *ret = http_store_unavailable(j->h);
    return 0;
}

/* ---- building ------------------------------------------------------------------ */

static int add_submission(void *ctx, const export_sub *s)
{
    job *j = ctx;
    j->rc = export_csv_submission(j->h->app->inst, s, j->phones, &j->out);
    return j->rc != SG_OK;
}

static int add_referrals(void *ctx, const export_sub *s)
{
    job *j = ctx;
    j->rc = export_csv_referrals(s, &j->out);
    return j->rc != SG_OK;
}

static int add_fhir(void *ctx, const export_sub *s)
{
    job *j = ctx;
    fhir_ctx fc = {j->h->app->inst, j->h->app->cfg->clinic_name};
    j->rc = fhir_bundle_add(&fc, s, &j->out);
    return j->rc != SG_OK;
}

static int add_audit(void *ctx, const audit_row *r)
{
    job *j = ctx;
    j->rc = export_csv_audit_row(r, &j->out);
    return j->rc != SG_OK;
}

/* Reads every submission of the job through fn; the answer on failure. */
static int read_all(job *j, int (*fn)(void *, const export_sub *), MHD_RESULT *ret)
{
    const sg_app *app = j->h->app;
    export_read_opts o = {j->phones ? app->vault : NULL, app->cfg->store_dir};
    export_sub *scratch = malloc(sizeof *scratch);
    sg_rc rc = scratch ? export_each(app->store, j->have_range ? &j->range : NULL,
                                     j->id[0] ? j->id : NULL, &o, scratch, fn, j)
                       : SG_ENOMEM;

    free(scratch);
    if (rc == SG_ENOTFOUND)
        *ret =
            http_error(j->h, MHD_HTTP_NOT_FOUND, "not_found", "no such submission", "id");
    else if (rc || j->rc == SG_ENOMEM)
        *ret = http_store_unavailable(j->h);
    else if (j->rc)
        *ret = too_large(j->h, "the export is larger than the daemon will build at once");
    return rc == SG_OK && j->rc == SG_OK;
}

/* "signpost-KIND-FROM-to-TO.EXT" or "signpost-KIND-ID.EXT" */
static void file_name(const job *j, const char *kind, const char *ext, char *out,
                      size_t outlen)
{
    if (j->id[0])
        snprintf(out, outlen, "signpost-%s-%s.%s", kind, j->id, ext);
    else
        snprintf(out, outlen, "signpost-%s-%s-to-%s.%s", kind, j->range.from, j->range.to,
                 ext);
}

/* ---- the routes ------------------------------------------------------------------- */

static MHD_RESULT submissions_csv(job *j)
{
    MHD_RESULT ret;
    char name[96];

    if (!get_phones(j, &ret) || !get_range(j, &ret) ||
        !within(j, export_count, EXPORT_MAX_SUBMISSIONS, "submissions", &ret) ||
        !audited(j, j->phones ? "export.csv.phones" : "export.csv", NULL, &ret))
        return ret;
    if ((j->rc = export_csv_submissions_header(j->h->app->inst, j->phones, &j->out)))
        return http_store_unavailable(j->h);
    if (!read_all(j, add_submission, &ret))
        return ret;
    file_name(j, "submissions", "csv", name, sizeof name);
    return send_file(j->h, "text/csv; charset=utf-8; header=present", name, &j->out);
}

static MHD_RESULT referrals_csv(job *j)
{
    MHD_RESULT ret;
    char name[96];

    if (!get_range(j, &ret) ||
        !within(j, export_count, EXPORT_MAX_SUBMISSIONS, "submissions", &ret) ||
        !audited(j, "export.referrals", NULL, &ret))
        return ret;
    if ((j->rc = export_csv_referrals_header(&j->out)))
        return http_store_unavailable(j->h);
    if (!read_all(j, add_referrals, &ret))
        return ret;
    file_name(j, "referrals", "csv", name, sizeof name);
    return send_file(j->h, "text/csv; charset=utf-8; header=present", name, &j->out);
}

/* ?id=SUBMISSION, or ?from&to; not both. */
static int fhir_target(job *j, MHD_RESULT *ret)
{
    const char *id = arg(j->h, "id");

    if (!id)
        return get_range(j, ret) &&
               within(j, export_count, FHIR_MAX_SUBMISSIONS, "submissions", ret);
    if (arg(j->h, "from") || arg(j->h, "to") || !kiosk_valid_id(id, strlen(id))) {
        *ret =
            http_error(j->h, MHD_HTTP_BAD_REQUEST, "invalid_query",
                       "id: a submission id (32 hex digits), without from and to", "id");
        return 0;
    }
    memcpy(j->id, id, SG_ID_LEN);
    snprintf(j->detail, sizeof j->detail, "id=%s", j->id);
    return 1;
}

static MHD_RESULT fhir(job *j)
{
    fhir_ctx fc = {j->h->app->inst, j->h->app->cfg->clinic_name};
    char seed[80], name[96];
    MHD_RESULT ret;

    if (!fhir_target(j, &ret) ||
        !audited(j, "export.fhir", j->id[0] ? j->id : NULL, &ret))
        return ret;
    snprintf(seed, sizeof seed, "%s", j->detail);
    if ((j->rc = fhir_bundle_begin(&fc, seed, &j->out)))
        return http_store_unavailable(j->h);
    if (!read_all(j, add_fhir, &ret))
        return ret;
    if (fhir_bundle_end(&j->out))
        return too_large(j->h, "the Bundle is larger than the daemon will build at once");
    file_name(j, "fhir", "json", name, sizeof name);
    return send_file(j->h, "application/fhir+json; charset=utf-8", name, &j->out);
}

static MHD_RESULT audit_csv(job *j)
{
    MHD_RESULT ret;
    char name[96];

    /* Its own row falls in today's range, so the file shows this export too. */
    if (!get_range(j, &ret) ||
        !within(j, export_audit_count, EXPORT_MAX_AUDIT_ROWS, "audit rows", &ret) ||
        !audited(j, "export.audit", NULL, &ret))
        return ret;
    if ((j->rc = export_csv_audit_header(&j->out)) ||
        export_audit_each(j->h->app->store, &j->range, add_audit, j) || j->rc)
        return j->rc == SG_ETOOBIG
                   ? too_large(j->h, "the audit log in that range is too large")
                   : http_store_unavailable(j->h);
    file_name(j, "audit", "csv", name, sizeof name);
    return send_file(j->h, "text/csv; charset=utf-8; header=present", name, &j->out);
}

MHD_RESULT staff_export(http_ctx *h)
{
    static const struct {
        const char *name;
        const char *role;
        MHD_RESULT (*fn)(job *j);
    } routes[] = {
        {"submissions.csv", "navigator", submissions_csv},
        {"referrals.csv", "navigator", referrals_csv},
        {"fhir", "navigator", fhir},
        {"audit.csv", "admin", audit_csv},
    };
    size_t n = strlen(EXPORT_PREFIX);
    MHD_RESULT ret;
    job j;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strncmp(h->url, EXPORT_PREFIX, n) || strcmp(h->url + n, routes[i].name))
            continue;
        if (!http_method_is(h, "GET", &ret))
            return ret;
        memset(&j, 0, sizeof j);
        j.h = h;
        if (!(j.s = staff_require(h, 0, routes[i].role, &ret)))
            return ret;
        sg_buf_init(&j.out, EXPORT_MAX_BYTES);
        ret = routes[i].fn(&j);
        sg_buf_free(&j.out);
        staff_session_free(j.s);
        return ret;
    }
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route",
                      NULL);
}
