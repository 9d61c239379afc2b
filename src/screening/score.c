/*
 * The CMS AHC HRSN scoring rules, applied as the instrument file states them
 * (see ../shared reference: housing, food, transportation and utilities are
 * positive on listed answers; safety sums the four HITS-style items and is
 * positive at 11 or more).  A skipped item never makes a domain positive, and
 * a points rule with any skipped item is marked incomplete and not positive,
 * because a partial sum cannot honestly be compared with the threshold.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "signpost/screening.h"

static int rule_hits(const instrument_domain *d, const sg_answers *ans)
{
    for (int k = 0; k < d->nitems; k++) {
        int i = d->items[k];
        if (ans->state[i] == ANSWER_GIVEN && (ans->chosen[i] & d->matching[k]))
            return 1;
    }
    return 0;
}

/* Sums the points of the rule's items; returns 0 when any was skipped. */
static int rule_points(const sg_instrument *inst, const instrument_domain *d,
                       const sg_answers *ans, int *sum)
{
    *sum = 0;
    for (int k = 0; k < d->nitems; k++) {
        int i = d->items[k];
        const instrument_item *item = &inst->items[i];
        if (ans->state[i] != ANSWER_GIVEN || ans->chosen[i] == 0)
            return 0;
        for (int o = 0; o < item->noptions; o++)
            if (ans->chosen[i] & (1u << o))
                *sum += item->options[o].points;
    }
    return 1;
}

void screening_score(const sg_instrument *inst, const sg_answers *ans,
                     int safety_threshold, sg_score *out)
{
    size_t used;

    memset(out, 0, sizeof *out);
    used = (size_t)snprintf(out->rule, sizeof out->rule, "%s@%s", inst->id, inst->version);
    for (int d = 0; d < inst->ndomains; d++) {
        const instrument_domain *dom = &inst->domains[d];
        int positive;

        if (dom->kind != RULE_POINTS_AT_LEAST) {
            positive = rule_hits(dom, ans);
        } else {
            int t = dom->threshold;
            if (safety_threshold > 0 && !strcmp(dom->name, "safety"))
                t = safety_threshold;
            out->threshold[d] = t;
            out->complete[d] = rule_points(inst, dom, ans, &out->points[d]);
            positive = out->complete[d] && out->points[d] >= t;
            if (used < sizeof out->rule)
                used += (size_t)snprintf(out->rule + used, sizeof out->rule - used,
                                         "; %s>=%d%s", dom->name, t,
                                         t == dom->threshold ? " (instrument)" : " (local)");
        }
        if (positive)
            out->positive |= 1u << d;
    }
    assert(inst->ndomains <= 32);
}
