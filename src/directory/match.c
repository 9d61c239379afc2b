/*
 * Matching needs to services: the pure core.  For each positive domain,
 * every active service is scored: a taxonomy code the domain map lists beats
 * a keyword found in the name or description, which beats nothing (not a
 * match).  Ties go to services open now, then nearer ones, then by name, so
 * the same directory and time always give the same list.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/directory.h"

#define MATCH_TERM 2
#define MATCH_KEYWORD 1

typedef struct {
    const dir_service *s;
    int score;
    int keyword; /* index of the keyword that matched, or -1 */
    hours_status hours;
    double km;
} candidate;

double directory_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0, rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

static int active(const dir_service *s)
{
    return !*s->status || strcmp(s->status, "active") == 0;
}

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

/* Whole-word or whole-phrase search; both strings are already lower case. */
static int has_word(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        if ((p == hay || !word_char(p[-1])) && !word_char(p[n]))
            return 1;
    return 0;
}

static void score(candidate *c, const domain_terms *dt)
{
    c->score = 0;
    c->keyword = -1;
    for (size_t t = 0; t < c->s->nterms; t++)
        for (int k = 0; k < dt->nterms; k++)
            if (strcmp(c->s->terms[t], dt->terms[k]) == 0) {
                c->score = MATCH_TERM;
                return;
            }
    if (c->s->nterms)
        return;
    for (int k = 0; k < dt->nkeywords; k++)
        if (has_word(c->s->search, dt->keywords[k])) {
            c->score = MATCH_KEYWORD;
            c->keyword = k;
            return;
        }
}

/* Opening status from the blocks in force on the query's date. */
static hours_status hours_today(const dir_service *s, const match_query *q)
{
    schedule_block valid[32];
    size_t n = 0;

    for (size_t i = 0; i < s->nblocks && n < sizeof valid / sizeof valid[0]; i++)
        if (!q->today || schedule_valid_on(&s->blocks[i], q->today))
            valid[n++] = s->blocks[i];
    if (s->nblocks && !n) {
        hours_status closed = {HOURS_CLOSED, 0, 0, 0, 0};
        return closed; /* seasonal: not running now */
    }
    return schedule_status(valid, n, q->weekday, q->minute);
}

static int open_rank(const hours_status *h)
{
    switch (h->state) {
    case HOURS_OPEN:
    case HOURS_ALWAYS: return 0;
    case HOURS_LATER: return 1 + h->day_offset;
    case HOURS_UNKNOWN: return 9;
    case HOURS_CLOSED: return 10;
    }
    return 10;
}

static int compare(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    int ra = open_rank(&a->hours), rb = open_rank(&b->hours);

    if (a->score != b->score)
        return b->score - a->score;
    if (ra != rb)
        return ra - rb;
    if (isnan(a->km) != isnan(b->km))
        return isnan(a->km) ? 1 : -1;
    if (!isnan(a->km) && a->km != b->km)
        return a->km < b->km ? -1 : 1;
    return strcmp(a->s->name, b->s->name);
}

static const domain_terms *terms_for(const sg_domain_map *map, const char *domain)
{
    for (int i = 0; i < map->ndomains; i++)
        if (strcmp(map->domains[i].name, domain) == 0)
            return &map->domains[i];
    return NULL;
}

static void fill(const candidate *c, int domain, const sg_instrument *inst,
                 const match_query *q, const domain_terms *dt, sg_resource *r)
{
    int es = q->lang && strcmp(q->lang, "es") == 0;
    int lang = instrument_lang(inst, q->lang ? q->lang : "en");
    const char *label = instrument_domain_label(inst, domain, lang < 0 ? 0 : lang, 0);

    memset(r, 0, sizeof *r);
    r->domain = domain;
    snprintf(r->service_id, sizeof r->service_id, "%s", c->s->id);
    snprintf(r->name, sizeof r->name, "%s", c->s->name);
    snprintf(r->organization, sizeof r->organization, "%s", c->s->organization);
    snprintf(r->phone, sizeof r->phone, "%s", c->s->phone);
    snprintf(r->address, sizeof r->address, "%s", c->s->address);
    snprintf(r->url, sizeof r->url, "%s", c->s->url);
    schedule_describe(&c->hours, q->lang, r->hours, sizeof r->hours);
    r->open_now = c->hours.state == HOURS_UNKNOWN ? -1
                  : (c->hours.state == HOURS_OPEN || c->hours.state == HOURS_ALWAYS);
    r->distance_km = c->km;
    if (c->score == MATCH_TERM)
        snprintf(r->why, sizeof r->why, es ? "Ofrece ayuda con: %s" : "Offers help with: %s",
                 label);
    else
        snprintf(r->why, sizeof r->why,
                 es ? "Su descripción menciona \"%s\"" : "Its description mentions \"%s\"",
                 dt->keywords[c->keyword]);
}

size_t directory_match(const sg_directory *dir, const sg_domain_map *map,
                       const sg_instrument *inst, const match_query *q,
                       sg_resource *out, size_t max)
{
    candidate *cands;
    size_t n = 0;

    if (!dir || dir->nservices == 0 || max == 0)
        return 0;
    cands = malloc(dir->nservices * sizeof *cands);
    if (!cands)
        return 0;
    for (int d = 0; d < inst->ndomains && n < max; d++) {
        const domain_terms *dt = terms_for(map, inst->domains[d].name);
        size_t nc = 0;
        if (!(q->domains & (1u << d)) || !dt)
            continue;
        for (size_t i = 0; i < dir->nservices; i++) {
            candidate c = {&dir->services[i], 0, -1, {0}, NAN};
            if (!active(c.s))
                continue;
            score(&c, dt);
            if (!c.score)
                continue;
            if (!isnan(q->latitude) && !isnan(c.s->latitude))
                c.km = directory_distance_km(q->latitude, q->longitude, c.s->latitude,
                                             c.s->longitude);
            if (q->radius_km > 0 && !isnan(c.km) && c.km > q->radius_km)
                continue;
            c.hours = hours_today(c.s, q);
            cands[nc++] = c;
        }
        qsort(cands, nc, sizeof *cands, compare);
        for (size_t i = 0; i < nc && i < (size_t)q->per_domain && n < max; i++)
            fill(&cands[i], d, inst, q, dt, &out[n++]);
    }
    free(cands);
    return n;
}
