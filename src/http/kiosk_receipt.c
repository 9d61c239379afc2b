/*
 * Kiosk receipt routes: queue a receipt for the screening on this screen,
 * and follow its progress.  Both need the screening's bearer token, so a
 * screen can only print, and watch, its own patient's list.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

static MHD_RESULT job_json(http_ctx *h, unsigned status, const print_job *job)
{
    json_t *o = json_pack("{s:s, s:s, s:i}", "job_id", job->id, "status",
                          print_status_name(job->status), "attempts", job->attempts);
    char *s;
    MHD_RESULT ret;

    json_object_set_new(o, "error", job->error[0] ? json_string(job->error) : json_null());
    s = json_dumps(o, SG_JSON_DUMP);
    json_decref(o);
    if (!s)
        return MHD_NO;
    ret = http_json(h, status, s);
    free(s);
    return ret;
}

/* POST /api/v1/screenings/{id}/receipt (the caller checked the token) */
MHD_RESULT kiosk_receipt(http_ctx *h, const char *screening_id)
{
    print_job job = {0};
    sg_rc rc = app_queue_receipt(h->app, screening_id, job.id);

    switch (rc) {
    case SG_OK:
        job.status = PRINT_QUEUED;
        return job_json(h, MHD_HTTP_ACCEPTED, &job);
    case SG_EINVAL:
        return http_error(h, 503, "printing_unavailable", "this kiosk has no printer", NULL);
    case SG_EBUSY:
        return http_error(h, 503, "print_queue_full",
                          "too many receipts are waiting for the printer; ask the front desk",
                          NULL);
    case SG_ENOTFOUND:
        return kiosk_unauthorised(h);
    default:
        return http_error(h, 503, "store_unavailable", "the receipt could not be queued", NULL);
    }
}

/* GET /api/v1/print-jobs/{job_id}, with the token of the job's screening. */
MHD_RESULT kiosk_print_job(http_ctx *h, const char *job_id)
{
    print_job job;
    sg_rc rc;

    if (!kiosk_valid_id(job_id, strlen(job_id)))
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such print job", NULL);
    rc = store_print_get(h->app->store, job_id, &job);
    if (rc == SG_ENOTFOUND)
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such print job", NULL);
    if (rc)
        return http_error(h, 503, "store_unavailable", "please try again", NULL);
    if (!kiosk_authorised(h, job.screening_id))
        return kiosk_unauthorised(h);
    return job_json(h, MHD_HTTP_OK, &job);
}
