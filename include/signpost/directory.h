/*
 * The resource directory as the matcher sees it, and the matcher.
 *
 * The imported directory lives in its own SQLite file (directory_db.h); the
 * clinic's curation of it (a direct contact, what to ask for, pins, hidden
 * services, when it was last verified) lives in the store, keyed by HSDS
 * service id.  Matching is split the usual way:
 *
 *   - directory_reader (the shell) asks the database, through its indexes,
 *     for a bounded set of candidates per positive domain: the services of
 *     that domain nearest the kiosk (R*Tree), those with no coordinates, and
 *     those the clinic pinned or raised, each with its schedule rules and
 *     curation;
 *   - match_rank() (the pure core) ranks one domain's candidates and fills
 *     the resources the patient sees, each with why it was chosen.
 *
 * The domain map says which taxonomy codes and keywords serve each screening
 * domain.  Keywords are only for services that carry no taxonomy codes at
 * all: a service that is classified is trusted to be classified completely.
 *
 * Ownership: every _free/_close accepts NULL; sg_resource and dir_curation
 * are plain data with no pointers.
 */
#ifndef SIGNPOST_DIRECTORY_H
#define SIGNPOST_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/instrument.h"
#include "signpost/result.h"
#include "signpost/schedule.h"

#define SG_ASK_FOR_LANGS 4

/* What the clinic says about one service; never touched by an import. */
typedef struct {
    char service_id[64];
    char contact_name[96];  /* a person or desk to ask for */
    char contact_phone[40]; /* their direct number */
    struct {
        char lang[8];
        char text[240];
    } ask_for[SG_ASK_FOR_LANGS]; /* "what to ask for", per language */
    int nask_for;
    int priority;          /* -9..9; 0 neutral, higher shown first */
    int pinned;            /* always offered first for its domains */
    int hidden;            /* never offered */
    char notes[600];       /* for staff only */
    char verified_on[11];  /* YYYY-MM-DD, or "" when never verified */
    char verified_by[64];
    char updated_at[21];   /* UTC ISO 8601 */
} dir_curation;

/* The text of what to ask for in lang, else English, else "". */
const char *curation_ask_for(const dir_curation *c, const char *lang);

/*
 * 1 when a service was not verified within stale_days of today (YYYYMMDD):
 * neither by the clinic (c->verified_on; c may be NULL) nor by the
 * directory's publisher (assured, HSDS assured_date "YYYY-MM-DD"; may be
 * NULL or "").
 */
int directory_is_stale(const dir_curation *c, const char *assured, int today, int stale_days);

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
    char contact[160];  /* curated contact: "Ana Ruiz, 217-555-0101", or "" */
    char ask_for[240];  /* curated, in the patient's language, or "" */
    int stale;          /* not verified by the clinic within stale_days */
    char why[200];      /* for staff: how it matched and why it ranks here */
} sg_resource;

/* One candidate service for one domain, as the reader found it. */
typedef struct {
    const char *id, *name, *organization, *phone, *address, *url, *status;
    const char *languages;   /* ISO 639-1 codes, comma-separated */
    double latitude, longitude; /* NAN when unknown */
    double min_age, max_age;    /* NAN when not stated */
    const char *assured_date; /* the publisher's last check, "YYYY-MM-DD" or "" */
    int how;                 /* 2 taxonomy term, 1 keyword */
    const char *matched;     /* the term or keyword that matched */
    const schedule_rule *rules;
    size_t nrules;
    const dir_curation *cur; /* NULL when the clinic has said nothing */
    int outcomes_connected;  /* patient-reported: reached it */
    int outcomes_total;      /* patient-reported: answered about it */
} match_candidate;

typedef struct {
    uint32_t domains;  /* which domains to match, instrument order */
    const char *lang;  /* patient's language, for hours and reasons */
    double latitude, longitude; /* the kiosk; NAN when unknown */
    double radius_km;  /* 0: any distance */
    int per_domain;    /* results per domain */
    int date, minute;  /* local date YYYYMMDD and minute of the day */
    int age;           /* the patient's age when known, else -1 */
    int stale_days;    /* curation older than this is flagged stale */
} match_query;

/*
 * The pure core: ranks one domain's candidates (dropping hidden, inactive,
 * out-of-radius and ineligible ones) and writes the best q->per_domain, at
 * most max, into out; returns how many.  Order: pinned first, then by a
 * score of match quality, clinic priority, open now or soon, the patient's
 * language, distance and reported outcomes; ties by distance, then name.
 */
size_t match_rank(const match_candidate *c, size_t n, const match_query *q, int domain,
                  sg_resource *out, size_t max);

typedef struct directory_reader directory_reader;

/*
 * Opens state_dir/directory.db for matching, with the store's curation
 * (state_dir/signpost.db) attached read-only.  A missing directory file is
 * not an error: the reader answers with no resources until one is
 * installed, and it reopens the file whenever an import replaces it.
 */
sg_rc directory_reader_open(const char *state_dir, directory_reader **out, char *err,
                            size_t errlen);
void directory_reader_close(directory_reader *r);

/* Services in the open directory file, 0 when there is none. */
size_t directory_reader_count(directory_reader *r);

/*
 * Matches every domain in q->domains: candidates from the indexes, ranked
 * by match_rank().  Writes up to max resources grouped by domain in
 * instrument order; returns how many.  Thread-safe.
 */
size_t directory_match(directory_reader *r, const sg_instrument *inst, const match_query *q,
                       sg_resource *out, size_t max);

/* The reader's queries, by index, with their names ("near", "raised", ...),
 * for tools that show their query plans; NULL past the last. */
const char *directory_reader_query(size_t i, const char **name);

/* Great-circle distance in kilometres. */
double directory_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
