/*
 * From a stored screening to a queued print job.  The receipt is rebuilt
 * from the result the patient saw (the same resources, in their language),
 * laid out for the configured printer, encoded to ESC/POS and stored as one
 * job; the print worker is then woken.  Never the answers: only the result.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/app.h"
#include "signpost/escpos.h"
#include "signpost/log.h"
#include "signpost/receipt.h"

#define RECEIPT_MAX_RESOURCES 64
#define RECEIPT_MAX_BYTES (256 * 1024)

typedef struct {
    const sg_instrument *inst;
    char lang[8];
    int needs[SG_MAX_DOMAINS];
    size_t nneeds;
    int safety_positive;
    sg_resource res[RECEIPT_MAX_RESOURCES];
    size_t nres;
} stored_result;

static void copy_str(json_t *o, const char *key, char *out, size_t len)
{
    const char *v = json_string_value(json_object_get(o, key));
    snprintf(out, len, "%s", v ? v : "");
}

static void read_resources(stored_result *r, json_t *list)
{
    json_t *o;
    size_t i;

    json_array_foreach(list, i, o) {
        int d = instrument_domain_index(r->inst, json_string_value(json_object_get(o, "domain"))
                                                     ? json_string_value(json_object_get(o, "domain"))
                                                     : "");
        if (d < 0 || r->nres == RECEIPT_MAX_RESOURCES)
            continue;
        sg_resource *res = &r->res[r->nres++];
        memset(res, 0, sizeof *res);
        res->domain = d;
        copy_str(o, "service_id", res->service_id, sizeof res->service_id);
        copy_str(o, "name", res->name, sizeof res->name);
        copy_str(o, "organization", res->organization, sizeof res->organization);
        copy_str(o, "phone", res->phone, sizeof res->phone);
        copy_str(o, "address", res->address, sizeof res->address);
        copy_str(o, "url", res->url, sizeof res->url);
        copy_str(o, "hours", res->hours, sizeof res->hours);
        copy_str(o, "contact", res->contact, sizeof res->contact);
        copy_str(o, "ask_for", res->ask_for, sizeof res->ask_for);
        res->distance_km = NAN;
        res->open_now = -1;
    }
}

static sg_rc parse_result(const char *json, stored_result *r)
{
    json_t *root = json_loads(json, 0, NULL), *v;
    size_t i;

    if (!root)
        return SG_EINVAL;
    copy_str(root, "language", r->lang, sizeof r->lang);
    json_array_foreach(json_object_get(root, "positive_domains"), i, v) {
        int d = instrument_domain_index(r->inst, json_string_value(v) ? json_string_value(v) : "");
        if (d >= 0 && r->nneeds < SG_MAX_DOMAINS) {
            r->needs[r->nneeds++] = d;
            r->safety_positive |= r->inst->domains[d].discreet_label[0] != NULL;
        }
    }
    read_resources(r, json_object_get(root, "resources"));
    json_decref(root);
    return SG_OK;
}

static void receipt_date(const char *lang, char *out, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, len, strcmp(lang, "es") == 0 ? "%d/%m/%Y %H:%M" : "%m/%d/%Y %I:%M %p", &tm);
}

/* Lays out and encodes r; out gets the ESC/POS bytes. */
static sg_rc render(const sg_app *app, const stored_result *r, sg_buf *out)
{
    const sg_config *cfg = app->cfg;
    char date[40], qr[RECEIPT_MAX_PAYLOAD + 1], err[200];
    receipt_model model = {0};
    sg_rc rc;

    receipt_date(r->lang, date, sizeof date);
    rc = receipt_qr_payload(cfg->receipt_qr_url, r->res, r->nres, cfg->clinic_phone, r->lang,
                            qr, sizeof qr, err, sizeof err);
    if (rc) {
        sg_warn("receipt: %s; printing without a QR code", err);
        qr[0] = '\0';
    }
    receipt_input in = {cfg->clinic_name, cfg->clinic_phone, date, r->lang, app->inst,
                        r->needs, r->nneeds, r->res, r->nres, NULL, r->safety_positive,
                        cfg->receipt_print_safety, qr, cfg->receipt_footer};
    if (!(rc = receipt_layout(&in, &app->profile, &model)))
        rc = escpos_encode(&model, &app->profile, out);
    receipt_model_free(&model);
    return rc;
}

sg_rc app_queue_receipt(sg_app *app, const char *screening_id, char job_id[SG_ID_LEN])
{
    stored_result *r = NULL;
    char *json = NULL;
    sg_buf bytes;
    sg_rc rc;

    sg_buf_init(&bytes, RECEIPT_MAX_BYTES);
    if (!app->printing)
        return SG_EINVAL;
    if ((rc = store_load_result(app->store, screening_id, &json)))
        return rc;
    r = calloc(1, sizeof *r);
    if (!r) {
        rc = SG_ENOMEM;
        goto out;
    }
    r->inst = app->inst;
    if ((rc = parse_result(json, r)) || (rc = render(app, r, &bytes)))
        goto out;
    store_new_id(job_id);
    rc = store_print_enqueue(app->store, job_id, screening_id, app->profile.name, bytes.data,
                             bytes.len, app->cfg->printer_max_queued);
    if (!rc && app->print_kick)
        app->print_kick(app->print_ctx);
out:
    if (rc && rc != SG_EBUSY && rc != SG_ENOTFOUND)
        sg_error("receipt for screening %s: %s", screening_id, sg_strerror(rc));
    free(json);
    free(r);
    sg_buf_free(&bytes);
    return rc;
}
