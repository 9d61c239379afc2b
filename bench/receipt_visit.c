/*
 * The benchmarks' typical visit (see receipt_visit.h), built exactly as the
 * kiosk builds a receipt: the real instrument, domain map and demo
 * directory, the real matcher and layout, and the real ESC/POS encoder, so
 * the bytes measured are the bytes a patient's receipt would be.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "receipt_visit.h"
#include "signpost/directory_db.h"
#include "signpost/escpos.h"
#include "signpost/receipt.h"
#include "signpost/store.h"

#define NEEDS 3
#define PLACES 9

static const char *const needs[NEEDS] = {"housing_instability", "food", "transportation"};

struct bench_visit {
    sg_instrument *inst;
    directory_reader *dir;
    sg_store *store;
    char state[64]; /* the scratch state folder; "" until made */
    sg_domain_map map;
    sg_resource res[PLACES];
    size_t nres;
    int need_idx[NEEDS];
};

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* The instrument and map, then the demo directory imported into a scratch
   state folder, as on a kiosk's first start. */
static int load(const char *src, bench_visit *v, char *err, size_t errlen)
{
    char path[512];
    size_t problems;

    snprintf(path, sizeof path, "%s/data/instruments/ahc-hrsn-core.json", src);
    if (instrument_load(path, &v->inst, err, errlen))
        return -1;
    snprintf(path, sizeof path, "%s/data/taxonomy/domain-map.ini", src);
    if (domain_map_load(path, v->inst, &v->map, err, errlen))
        return -1;
    snprintf(v->state, sizeof v->state, "/tmp/signpost-bench-visit.XXXXXX");
    if (!mkdtemp(v->state)) {
        v->state[0] = '\0';
        snprintf(err, errlen, "cannot make a scratch folder under /tmp");
        return -1;
    }
    snprintf(path, sizeof path, "%s/data/demo-directory", src);
    if (store_open(v->state, 1, &v->store, err, errlen) ||
        directory_prepare(v->state, path, &v->map, &problems, err, errlen) ||
        directory_reader_open(v->state, &v->dir, err, errlen))
        return -1;
    return 0;
}

/* The kiosk's own matching, Tuesday 10:00, for the three needs. */
static void match(bench_visit *v)
{
    match_query q = {0, "es", 39.7990, -89.6440, 0, 3, 20261124, 600, -1, 180};

    for (int i = 0; i < NEEDS; i++) {
        v->need_idx[i] = instrument_domain_index(v->inst, needs[i]);
        q.domains |= 1u << v->need_idx[i];
    }
    v->nres = directory_match(v->dir, v->inst, &q, v->res, PLACES);
}

int bench_visit_open(const char *src, bench_visit **out, char *err, size_t errlen)
{
    bench_visit *v = calloc(1, sizeof *v);

    *out = NULL;
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (load(src, v, err, errlen)) {
        bench_visit_close(v);
        return -1;
    }
    match(v);
    *out = v;
    return 0;
}

size_t bench_visit_places(const bench_visit *v)
{
    return v->nres;
}

int bench_visit_encode(const bench_visit *v, const printer_profile *p, sg_buf *out)
{
    receipt_model m = {0};
    receipt_input in = {"Riverton Community Clinic", "(217) 555-0100", "24/11/2026 10:15",
                        "es", v->inst, v->need_idx, NEEDS, v->res, v->nres, NULL, 0, 1,
                        "https://clinic.example.org/r?s=abcdef0123456789", "Gracias"};
    int rc = receipt_layout(&in, p, &m) || escpos_encode(&m, p, out);

    receipt_model_free(&m);
    return rc;
}

void bench_visit_close(bench_visit *v)
{
    if (!v)
        return;
    directory_reader_close(v->dir);
    store_close(v->store);
    instrument_free(v->inst);
    if (v->state[0] && nftw(v->state, remove_one, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "bench: could not remove %s\n", v->state);
    free(v);
}
