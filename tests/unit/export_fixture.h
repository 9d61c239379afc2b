/*
 * One fixed submission for the export builders' tests: food and housing
 * needs, a "choose all that apply" answer, a skipped item, a complete
 * safety score, three resources given (one moved on by staff, one
 * declined) and one referral staff added.  Shared by test_csv_export.c
 * and test_fhir.c so both check the same record.
 */
#ifndef SIGNPOST_TEST_EXPORT_FIXTURE_H
#define SIGNPOST_TEST_EXPORT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "signpost/export.h"

#define FIX_ID "0123456789abcdef0123456789abcdef"

static inline void fix_item(export_sub *s, const char *code, const char *a1,
                            const char *a2)
{
    export_item *it = &s->items[s->nitems++];
    snprintf(it->code, sizeof it->code, "%s", code);
    it->skipped = a1 == NULL;
    if (a1)
        snprintf(it->chosen[it->nchosen++], EXPORT_CODE_MAX, "%s", a1);
    if (a2)
        snprintf(it->chosen[it->nchosen++], EXPORT_CODE_MAX, "%s", a2);
}

static inline void fix_domain(export_sub *s, const char *name, int positive, int score,
                              int help)
{
    export_domain *d = &s->domains[s->ndomains++];
    snprintf(d->name, sizeof d->name, "%s", name);
    d->positive = positive;
    d->score = score;
    d->wants_help = help;
}

static inline export_referral *fix_ref(export_sub *s, const char *domain, const char *sid,
                                       const char *name, int rank, export_ref_status st)
{
    export_referral *r = &s->refs[s->nrefs++];
    memset(r, 0, sizeof *r);
    snprintf(r->domain, sizeof r->domain, "%s", domain);
    snprintf(r->service_id, sizeof r->service_id, "%s", sid);
    snprintf(r->service_name, sizeof r->service_name, "%s", name);
    r->rank = rank;
    r->status = st;
    snprintf(r->updated_at, sizeof r->updated_at, "%s", s->created_at);
    snprintf(r->updated_by, sizeof r->updated_by, "kiosk");
    return r;
}

/* A new fixture (free() it). */
static inline export_sub *fixture(void)
{
    export_sub *s = calloc(1, sizeof *s);
    export_referral *r;

    snprintf(s->id, sizeof s->id, FIX_ID);
    snprintf(s->created_at, sizeof s->created_at, "2026-11-29T21:14:11Z");
    snprintf(s->local_date, sizeof s->local_date, "2026-11-29");
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "lobby-1");
    snprintf(s->language, sizeof s->language, "es");
    snprintf(s->instrument_id, sizeof s->instrument_id, "ahc-hrsn-core");
    snprintf(s->instrument_version, sizeof s->instrument_version, "2018-01");
    snprintf(s->scoring_rule, sizeof s->scoring_rule,
             "ahc-hrsn-core@2018-01; safety>=11 (CMS)");
    s->safety_score = 4;
    s->safety_complete = 1;
    s->wants_help = 1;
    fix_item(s, "71802-3", "LA31994-9", NULL);
    fix_item(s, "96778-6", "LA31996-4", "LA28580-1");
    fix_item(s, "88122-7", "LA28397-0", NULL);
    fix_item(s, "88123-5", "LA28398-8", NULL);
    fix_item(s, "93030-5", NULL, NULL); /* skipped */
    fix_item(s, "96779-4", "LA32-8", NULL);
    fix_item(s, "95618-5", "LA6270-8", NULL);
    fix_item(s, "95617-7", "LA6270-8", NULL);
    fix_item(s, "95616-9", "LA6270-8", NULL);
    fix_item(s, "95615-1", "LA6270-8", NULL);
    fix_domain(s, "housing_instability", 1, -1, 1);
    fix_domain(s, "housing_quality", 1, -1, 0);
    fix_domain(s, "food", 1, -1, 1);
    fix_domain(s, "transportation", 0, -1, 0);
    fix_domain(s, "utilities", 0, -1, 0);
    fix_domain(s, "safety", 0, 4, 0);
    r = fix_ref(s, "housing_instability", "svc-house", "Riverton Housing Authority", 1,
                REF_CONTACTED);
    r->id = 7;
    snprintf(r->assigned_to, sizeof r->assigned_to, "nora");
    snprintf(r->next_follow_up, sizeof r->next_follow_up, "2026-12-03");
    snprintf(r->updated_at, sizeof r->updated_at, "2026-11-30T15:02:00Z");
    snprintf(r->updated_by, sizeof r->updated_by, "nora");
    snprintf(r->last_note, sizeof r->last_note, "Left a message, \"call back\"\nTuesday");
    fix_ref(s, "food", "svc-pantry", "=HYPERLINK(\"http://x\")", 1, REF_SUGGESTED);
    r = fix_ref(s, "food", "svc-meals", "Meals, Hot & Free", 2, REF_DECLINED);
    r->id = 8;
    fix_ref(s, "transportation", "svc-ride", "Ride Line", 0, REF_CONNECTED)->id = 9;
    s->nresources = 3;
    s->receipt_printed = 1;
    s->sms_consent = 1;
    s->texts_sent = 2;
    s->replies = 1;
    snprintf(s->phone, sizeof s->phone, "+12175550123");
    return s;
}

#endif
