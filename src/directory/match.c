/*
 * Ranking one domain's candidate services: the pure core of matching.
 *
 * The reader hands over a bounded set of candidates (the nearest services of
 * the domain, the unlocated ones, the ones the clinic pinned); this file
 * decides which few a patient sees and in what order.  It drops what must
 * never be offered (hidden by the clinic, not active, beyond the radius, an
 * age the service does not take), puts pinned services first, and orders the
 * rest by one additive score so that each signal can be read off in "why":
 *
 *   match      taxonomy term 40, keyword 20 (a term is a curated claim)
 *   priority   8 per step of the clinic's -9..9
 *   hours      open now 30, later today 20, tomorrow 12, this week 6,
 *              unknown 4, closed all week 0
 *   language   15 when the service lists the patient's (non-English) language
 *   distance   up to 25, falling linearly to 0 at 20 km; unknown 5
 *   outcomes   -10..10 from patients' replies (Laplace-smoothed success rate)
 *   verified   5 when the clinic or the publisher verified it within
 *              stale_days
 *
 * Ties go to the nearer service, then by name, so the same directory and
 * clock always give the same list.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/directory.h"

#define MAX_RANKED 512 /* candidates ranked per domain; the reader sends fewer */

typedef struct {
    const match_candidate *c;
    hours_status hours;
    double km;
    double score;
} ranked;

double directory_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0, rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

const char *curation_ask_for(const dir_curation *c, const char *lang)
{
    const char *english = "";
    if (!c)
        return "";
    for (int i = 0; i < c->nask_for && i < SG_ASK_FOR_LANGS; i++) {
        if (lang && strcmp(c->ask_for[i].lang, lang) == 0)
            return c->ask_for[i].text;
        if (strcmp(c->ask_for[i].lang, "en") == 0)
            english = c->ask_for[i].text;
    }
    return english;
}

int directory_is_stale(const dir_curation *c, const char *assured, int today, int stale_days)
{
    int clinic = c ? schedule_parse_date(c->verified_on) : 0;
    int publisher = assured ? schedule_parse_date(assured) : 0;
    int last = clinic > publisher ? clinic : publisher;
    if (last <= 0)
        return 1;
    return schedule_date_add(last, stale_days) < today;
}

/* 1 when the comma list has the code. */
static int lists(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, code, n) == 0 && (p[n] == ',' || p[n] == '\0' || p[n] == ' '))
            return 1;
    }
    return 0;
}

static int eligible(const match_candidate *c, const match_query *q, double km)
{
    if (c->cur && c->cur->hidden)
        return 0;
    if (c->status && *c->status && strcmp(c->status, "active") != 0)
        return 0;
    if (q->radius_km > 0 && !isnan(km) && km > q->radius_km)
        return 0;
    if (q->age >= 0 && ((!isnan(c->min_age) && q->age < c->min_age) ||
                        (!isnan(c->max_age) && q->age > c->max_age)))
        return 0;
    return 1;
}

static double hours_points(const hours_status *h)
{
    switch (h->state) {
    case HOURS_OPEN:
    case HOURS_ALWAYS: return 30;
    case HOURS_LATER: return h->day_offset == 0 ? 20 : h->day_offset == 1 ? 12 : 6;
    case HOURS_UNKNOWN: return 4;
    case HOURS_CLOSED: return 0;
    }
    return 0;
}

static int speaks(const match_candidate *c, const match_query *q)
{
    return q->lang && strcmp(q->lang, "en") != 0 && lists(c->languages, q->lang);
}

static double score(const ranked *r, const match_query *q)
{
    const match_candidate *c = r->c;
    double s = c->how >= 2 ? 40 : 20;

    s += 8.0 * (c->cur ? c->cur->priority : 0);
    s += hours_points(&r->hours);
    s += speaks(c, q) ? 15 : 0;
    s += isnan(r->km) ? 5 : 25.0 * fmax(0.0, 1.0 - r->km / 20.0);
    if (c->outcomes_total > 0)
        s += 20.0 * (c->outcomes_connected + 1) / (c->outcomes_total + 2) - 10.0;
    if (!directory_is_stale(c->cur, c->assured_date, q->date, q->stale_days))
        s += 5;
    return s;
}

static int compare(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    int pin_a = a->c->cur && a->c->cur->pinned, pin_b = b->c->cur && b->c->cur->pinned;

    if (pin_a != pin_b)
        return pin_b - pin_a;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (isnan(a->km) != isnan(b->km))
        return isnan(a->km) ? 1 : -1;
    if (!isnan(a->km) && a->km != b->km)
        return a->km < b->km ? -1 : 1;
    return strcmp(a->c->name, b->c->name);
}

static const char *hours_word(const hours_status *h)
{
    switch (h->state) {
    case HOURS_OPEN:
    case HOURS_ALWAYS: return "open now";
    case HOURS_LATER: return h->day_offset == 0 ? "opens later today" : "opens this week";
    case HOURS_UNKNOWN: return "hours unknown";
    case HOURS_CLOSED: return "closed all week";
    }
    return "";
}

/* The staff-facing reason, in English: every signal that moved the rank. */
static void explain(const ranked *r, const match_query *q, sg_resource *out)
{
    const match_candidate *c = r->c;
    char dist[32] = "distance unknown";
    int n;

    if (!isnan(r->km))
        snprintf(dist, sizeof dist, "%.1f km", r->km);
    n = snprintf(out->why, sizeof out->why, "%s%s \"%s\"; %s; %s",
                 c->cur && c->cur->pinned ? "pinned; " : "",
                 c->how >= 2 ? "taxonomy" : "keyword", c->matched ? c->matched : "",
                 hours_word(&r->hours), dist);
    if (n > 0 && (size_t)n < sizeof out->why && speaks(c, q))
        n += snprintf(out->why + n, sizeof out->why - (size_t)n, "; speaks %s", q->lang);
    if (n > 0 && (size_t)n < sizeof out->why && c->cur && c->cur->priority)
        n += snprintf(out->why + n, sizeof out->why - (size_t)n, "; priority %+d",
                      c->cur->priority);
    if (n > 0 && (size_t)n < sizeof out->why && c->outcomes_total)
        n += snprintf(out->why + n, sizeof out->why - (size_t)n, "; %d of %d reached it",
                      c->outcomes_connected, c->outcomes_total);
    if (n > 0 && (size_t)n < sizeof out->why && out->stale)
        snprintf(out->why + n, sizeof out->why - (size_t)n, "; not verified in %d days",
                 q->stale_days);
}

static void contact_line(const dir_curation *cur, char *out, size_t outlen)
{
    if (!cur || (!cur->contact_name[0] && !cur->contact_phone[0]))
        return;
    snprintf(out, outlen, "%s%s%s", cur->contact_name,
             cur->contact_name[0] && cur->contact_phone[0] ? ", " : "", cur->contact_phone);
}

static void fill(const ranked *r, int domain, const match_query *q, sg_resource *out)
{
    const match_candidate *c = r->c;

    memset(out, 0, sizeof *out);
    out->domain = domain;
    snprintf(out->service_id, sizeof out->service_id, "%s", c->id);
    snprintf(out->name, sizeof out->name, "%s", c->name);
    snprintf(out->organization, sizeof out->organization, "%s", c->organization ? c->organization : "");
    snprintf(out->phone, sizeof out->phone, "%s", c->phone ? c->phone : "");
    snprintf(out->address, sizeof out->address, "%s", c->address ? c->address : "");
    snprintf(out->url, sizeof out->url, "%s", c->url ? c->url : "");
    schedule_describe(&r->hours, q->lang, out->hours, sizeof out->hours);
    out->open_now = r->hours.state == HOURS_UNKNOWN
                        ? -1
                        : (r->hours.state == HOURS_OPEN || r->hours.state == HOURS_ALWAYS);
    out->distance_km = r->km;
    contact_line(c->cur, out->contact, sizeof out->contact);
    snprintf(out->ask_for, sizeof out->ask_for, "%s", curation_ask_for(c->cur, q->lang));
    out->stale = directory_is_stale(c->cur, c->assured_date, q->date, q->stale_days);
    explain(r, q, out);
}

size_t match_rank(const match_candidate *c, size_t n, const match_query *q, int domain,
                  sg_resource *out, size_t max)
{
    ranked *rs;
    size_t nr = 0, w = 0;

    if (n == 0 || max == 0 || q->per_domain <= 0)
        return 0;
    if (n > MAX_RANKED)
        n = MAX_RANKED;
    rs = malloc(n * sizeof *rs);
    if (!rs)
        return 0;
    for (size_t i = 0; i < n; i++) {
        ranked r = {&c[i], {HOURS_UNKNOWN, 0, 0, 0, 0}, NAN, 0};
        if (!isnan(q->latitude) && !isnan(c[i].latitude))
            r.km = directory_distance_km(q->latitude, q->longitude, c[i].latitude,
                                         c[i].longitude);
        if (!eligible(&c[i], q, r.km))
            continue;
        r.hours = schedule_status(c[i].rules, c[i].nrules, q->date, q->minute);
        r.score = score(&r, q);
        rs[nr++] = r;
    }
    qsort(rs, nr, sizeof *rs, compare);
    for (size_t i = 0; i < nr && w < (size_t)q->per_domain && w < max; i++)
        fill(&rs[i], domain, q, &out[w++]);
    free(rs);
    return w;
}
