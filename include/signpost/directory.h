/*
 * The resource directory as the matcher sees it, and the matcher.
 *
 * A directory snapshot (sg_directory) is an immutable array of services with
 * their taxonomy codes and opening hours, loaded from an HSDS 3.0 tabular
 * package (CSV files).  The domain map says which taxonomy codes and
 * keywords serve each screening domain.  matching is a pure function over
 * these structs: given the positive domains, the kiosk's position and the
 * local time, it picks the best few services per need.  Keywords are only
 * for services that carry no taxonomy codes at all: a service that is
 * classified is trusted to be classified completely.
 *
 * Ownership: directory_free() and domain_map_free() release everything and
 * accept NULL; sg_resource values are plain data with no pointers.
 */
#ifndef SIGNPOST_DIRECTORY_H
#define SIGNPOST_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/instrument.h"
#include "signpost/result.h"
#include "signpost/schedule.h"

typedef struct {
    char *id, *name, *organization, *description, *status, *phone, *address, *url;
    char *languages;         /* comma-separated codes besides English */
    char *search;            /* name and description in ASCII lower case, for keywords */
    double latitude, longitude; /* NAN when unknown */
    char **terms;            /* taxonomy codes */
    size_t nterms;
    schedule_block *blocks;
    size_t nblocks;
} dir_service;

typedef struct {
    dir_service *services;
    size_t nservices;
} sg_directory;

/*
 * Loads an HSDS 3.0 tabular package from dir (services.csv and the tables
 * that hang off it).  Rows with problems are skipped and counted; err gets
 * the first problem as "file:row: why".
 */
sg_rc directory_load_csv(const char *dir, sg_directory **out, size_t *skipped,
                         char *err, size_t errlen);
void directory_free(sg_directory *d);

#define SG_MAP_MAX_TERMS 48
#define SG_MAP_MAX_KEYWORDS 32

typedef struct {
    char name[32];
    char terms[SG_MAP_MAX_TERMS][24];
    int nterms;
    char keywords[SG_MAP_MAX_KEYWORDS][32];
    int nkeywords;
} domain_terms;

typedef struct {
    domain_terms domains[SG_MAX_DOMAINS];
    int ndomains;
} sg_domain_map;

/* Loads the INI domain map; an unknown domain name is an error.  Keywords
 * are kept in ASCII lower case. */
sg_rc domain_map_load(const char *path, const sg_instrument *inst, sg_domain_map *out,
                      char *err, size_t errlen);

typedef struct {
    int domain; /* index into the instrument's domains */
    char service_id[64];
    char name[160];
    char organization[160];
    char phone[40];
    char address[200];
    char url[200];
    char hours[96];  /* "" when unknown */
    int open_now;    /* 1, 0, or -1 when unknown */
    double distance_km; /* NAN when unknown */
    char why[160];
} sg_resource;

typedef struct {
    uint32_t domains;  /* which domains to match, instrument order */
    const char *lang;  /* patient's language, for hours and reasons */
    double latitude, longitude; /* the kiosk; NAN when unknown */
    double radius_km;  /* 0: any distance */
    int per_domain;    /* results per domain */
    int weekday, minute; /* local time now (0 = Monday) */
    int today;           /* local date as YYYYMMDD, for seasonal schedules */
} match_query;

/*
 * Writes up to max resources into out, grouped by domain in instrument
 * order, best first; returns how many.
 */
size_t directory_match(const sg_directory *dir, const sg_domain_map *map,
                       const sg_instrument *inst, const match_query *q,
                       sg_resource *out, size_t max);

/* Great-circle distance in kilometres. */
double directory_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
