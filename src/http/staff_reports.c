/*
 * The staff console's report (docs/api.md, "Reports"):
 *
 *   GET /staff/api/v1/reports?from=YYYY-MM-DD&to=YYYY-MM-DD
 *
 * The clinic's numbers over a range of its local days: screenings per
 * day, help wanted, positive screens per domain, the referral funnel, SMS
 * follow-up, languages and the community-referral quality measures.  The
 * counting is the store's (store_report_counts, which adds daily_counts
 * for days the retention purge emptied) and the arithmetic the pure
 * report_finish(); this file checks the range, records the view in the
 * audit log (no record, no report) and writes the JSON.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "signpost/reports.h"

#define PATH "/staff/api/v1/reports"

static json_t *rate_json(double r)
{
    return isnan(r) ? json_null() : json_real(r);
}

static json_t *per_day_json(const report_counts *c)
{
    json_t *a = json_array();
    char day[11];
    int date = c->from;

    for (int i = 0; a && i < c->ndays; i++, date = schedule_date_add(date, 1)) {
        report_date_text(date, day);
        json_array_append_new(
            a, json_pack("{s:s, s:I}", "day", day, "count", (json_int_t)c->per_day[i]));
    }
    return a;
}

static json_t *positive_json(const report_counts *c, const report_rates *r)
{
    json_t *a = json_array();

    for (int i = 0; a && i < c->ndomains; i++)
        json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:o}", "domain",
                                           c->domains[i].name, "positive",
                                           (json_int_t)c->domains[i].positive, "screened",
                                           (json_int_t)c->screenings, "rate",
                                           rate_json(r->positive_rate[i])));
    return a;
}

static json_t *languages_json(const report_counts *c)
{
    json_t *a = json_array();

    for (int i = 0; a && i < c->nlangs; i++)
        json_array_append_new(a, json_pack("{s:s, s:I}", "language", c->langs[i].code,
                                           "count", (json_int_t)c->langs[i].count));
    return a;
}

static json_t *funnel_json(const report_counts *c)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "suggested",
                     (json_int_t)c->suggested, "referred", (json_int_t)c->referred,
                     "contacted", (json_int_t)c->contacted, "connected",
                     (json_int_t)c->connected, "declined", (json_int_t)c->declined,
                     "unreachable", (json_int_t)c->unreachable);
}

static json_t *sms_json(const report_counts *c, const report_rates *r)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I}", "consents",
                     (json_int_t)c->consents, "sent", (json_int_t)c->sent, "delivered",
                     (json_int_t)c->delivered, "failed", (json_int_t)c->failed, "expired",
                     (json_int_t)c->expired, "replies", (json_int_t)c->replies,
                     "reply_rate", rate_json(r->reply_rate), "opt_outs",
                     (json_int_t)c->opt_outs);
}

static json_t *quality_json(const report_counts *c, const report_rates *r)
{
    return json_pack(
        "{s:I, s:I, s:o, s:I, s:o, s:I, s:o}", "screened", (json_int_t)c->screenings,
        "positive_any", (json_int_t)c->positive_any, "positive_any_rate",
        rate_json(r->positive_any_rate), "referred_any", (json_int_t)c->referred_any,
        "referred_rate", rate_json(r->referred_rate), "connected_any",
        (json_int_t)c->connected_any, "closed_loop_rate", rate_json(r->closed_loop_rate));
}

static json_t *report_json(const report_counts *c, const report_rates *r)
{
    char from[11], to[11];

    report_date_text(c->from, from);
    report_date_text(c->to, to);
    return json_pack(
        "{s:s, s:s, s:o, s:I, s:{s:I, s:I, s:I, s:o}, s:o, s:o, s:o, s:o, s:o}", "from",
        from, "to", to, "screenings_per_day", per_day_json(c), "screenings",
        (json_int_t)c->screenings, "wants_help", "yes", (json_int_t)c->wants_yes, "no",
        (json_int_t)c->wants_no, "unknown", (json_int_t)r->wants_unknown, "rate",
        rate_json(r->help_rate), "positive_rate", positive_json(c, r), "funnel",
        funnel_json(c), "sms", sms_json(c, r), "languages", languages_json(c), "quality",
        quality_json(c, r));
}

/* The range asked for, checked; 0, or -1 with the 400/422 in *ret. */
static int read_range(http_ctx *h, report_counts *c, MHD_RESULT *ret)
{
    const char *from =
        MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, "from");
    const char *to = MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, "to");
    const char *names[REPORT_MAX_DOMAINS], *field;
    const sg_instrument *inst = h->app->inst;
    int date, minute, f, t, n = 0;
    char msg[96];
    sg_rc rc;

    app_local_time(time(NULL), &date, &minute);
    rc = report_range(from, to, date, &f, &t, &field, msg, sizeof msg);
    if (rc) {
        *ret = rc == SG_EINVAL
                   ? http_error(h, MHD_HTTP_BAD_REQUEST, "invalid_query", msg, field)
                   : http_error(h, 422, "invalid_range", msg, field);
        return -1;
    }
    for (; n < inst->ndomains && n < REPORT_MAX_DOMAINS; n++)
        names[n] = inst->domains[n].name;
    report_init(c, f, t, names, n);
    return 0;
}

static MHD_RESULT report(http_ctx *h)
{
    staff_session *s;
    MHD_RESULT ret;
    report_counts *c = malloc(sizeof *c);
    report_rates r;
    char detail[40], from[11], to[11];

    if (!c)
        return MHD_NO;
    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "viewer", &ret)))
        goto done;
    if (read_range(h, c, &ret))
        goto out;
    report_date_text(c->from, from);
    report_date_text(c->to, to);
    snprintf(detail, sizeof detail, "from=%s to=%s", from, to);
    /* Recorded before anything is counted, or nothing is shown. */
    if (staff_audit(h, s, "report.view", NULL, detail) ||
        store_report_counts(h->app->store, c)) {
        ret = http_store_unavailable(h);
        goto out;
    }
    report_finish(c, &r);
    ret = http_send_json(h, MHD_HTTP_OK, report_json(c, &r));
out:
    staff_session_free(s);
done:
    free(c);
    return ret;
}

MHD_RESULT staff_reports(http_ctx *h)
{
    if (!strcmp(h->url, PATH))
        return report(h);
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route",
                      NULL);
}
