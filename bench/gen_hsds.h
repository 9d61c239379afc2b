/*
 * A synthetic Open Referral HSDS 3.0 directory of any size, for benchmarks.
 *
 * gen_hsds_write() writes a Tabular Data Package folder (the CSV files of
 * data/demo-directory, same columns, plus a datapackage.json) holding n
 * services of a made-up metro area around the demo kiosk.  The output is a
 * pure function of (n, seed): the PRNG is our own, never rand(), and every
 * draw is its own statement, so runs and compilers agree byte for byte (the
 * coordinates go through libm's log, cos and atan2; another C library could
 * round a last digit differently).  Memory does not depend on n: rows are
 * written as they are made.
 *
 * The mix is meant to look like a real 211 export to the importer and the
 * matcher, not to be pretty; gen_hsds.c says what it holds and why.
 */
#ifndef SIGNPOST_BENCH_GEN_HSDS_H
#define SIGNPOST_BENCH_GEN_HSDS_H

#include <stddef.h>
#include <stdint.h>

#define GEN_HSDS_SEED 0x5167a0d5e11e2026ULL
#define GEN_HSDS_MAX_SERVICES 10000000u

/* What was written, for the report. */
typedef struct {
    size_t services, organizations, locations, schedules, languages, phones;
    size_t term_links;  /* attributes rows: service to taxonomy term */
    size_t classified;  /* services with 1-2 terms from the domain map */
    size_t keyword_only; /* no terms; a domain keyword in name/description */
    size_t unrelated;   /* terms outside the domain map (work, legal, ...) */
    size_t unlocated;   /* every location of the service lacks coordinates */
    size_t inactive;
    uint64_t bytes;     /* total size of the files */
} gen_hsds_stats;

/*
 * Writes the package for n services (1..GEN_HSDS_MAX_SERVICES) into dir,
 * which must exist; files of the same names are replaced.  Returns 0, or -1
 * with err saying what failed.  stats may be NULL.
 */
int gen_hsds_write(size_t n, const char *dir, uint64_t seed, gen_hsds_stats *stats,
                   char *err, size_t errlen);

#endif
