/*
 * What a receipt costs on the wire, per printer profile.
 *
 * Builds the receipt for a typical visit (three needs, the demo directory's
 * best three places for each, in Spanish, matched at a fixed time) exactly as
 * the kiosk does, encodes it for every shipped profile and prints its size
 * and the physical floor of its transfer time at 9600 and 19200 baud
 * (8N1: bytes x 10 / baud), plus the time pacing adds on printers without
 * flow control.  Pure computation: run it anywhere.
 *
 *   bench_receipt [SOURCE_DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signpost/directory_db.h"
#include "signpost/escpos.h"
#include "signpost/receipt.h"
#include "signpost/store.h"

static const char *const profiles[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
static const char *const needs[] = {"housing_instability", "food", "transportation"};

typedef struct {
    sg_instrument *inst;
    directory_reader *dir;
    sg_store *store;
    char state[64];
    sg_domain_map map;
    sg_resource res[9];
    size_t nres;
    int need_idx[3];
} visit;

static int load(const char *src, visit *v)
{
    char path[512], err[512];
    size_t problems;

    snprintf(path, sizeof path, "%s/data/instruments/ahc-hrsn-core.json", src);
    if (instrument_load(path, &v->inst, err, sizeof err))
        goto fail;
    snprintf(path, sizeof path, "%s/data/taxonomy/domain-map.ini", src);
    if (domain_map_load(path, v->inst, &v->map, err, sizeof err))
        goto fail;
    /* The demo directory imported into a scratch state folder, as on a
       kiosk's first start. */
    snprintf(v->state, sizeof v->state, "/tmp/bench_receipt.XXXXXX");
    snprintf(path, sizeof path, "%s/data/demo-directory", src);
    if (!mkdtemp(v->state) || store_open(v->state, 1, &v->store, err, sizeof err) ||
        directory_prepare(v->state, path, &v->map, &problems, err, sizeof err) ||
        directory_reader_open(v->state, &v->dir, err, sizeof err))
        goto fail;
    return 0;
fail:
    fprintf(stderr, "bench_receipt: %s\n", err);
    return -1;
}

/* The kiosk's own matching, Tuesday 10:00, for the three needs. */
static void match(visit *v)
{
    match_query q = {0, "es", 39.7990, -89.6440, 0, 3, 20261124, 600, -1, 180};
    for (int i = 0; i < 3; i++) {
        v->need_idx[i] = instrument_domain_index(v->inst, needs[i]);
        q.domains |= 1u << v->need_idx[i];
    }
    v->nres = directory_match(v->dir, v->inst, &q, v->res, 9);
}

static int encode(const visit *v, const printer_profile *p, sg_buf *out)
{
    receipt_model m = {0};
    receipt_input in = {"Riverton Community Clinic", "(217) 555-0100", "24/11/2026 10:15",
                        "es", v->inst, v->need_idx, 3, v->res, v->nres, NULL, 0, 1,
                        "https://clinic.example.org/r?s=abcdef0123456789", "Gracias"};
    int rc = receipt_layout(&in, p, &m) || escpos_encode(&m, p, out);
    receipt_model_free(&m);
    return rc;
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : BENCH_SOURCE_DIR;
    char path[512], err[256];
    visit v = {0};

    if (load(src, &v))
        return 1;
    match(&v);
    snprintf(path, sizeof path, "%s/data/printers/profiles.json", src);
    printf("receipt: 3 needs, %zu places, Spanish\n\n", v.nres);
    printf("  %-11s %-7s %7s %11s %12s %12s\n", "profile", "QR", "bytes", "floor 9600",
           "floor 19200", "paced");
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        printer_profile p;
        sg_buf b;
        sg_buf_init(&b, 1 << 20);
        if (printer_profile_load(path, profiles[i], &p, err, sizeof err) || encode(&v, &p, &b)) {
            fprintf(stderr, "bench_receipt: %s: %s\n", profiles[i], err);
            return 1;
        }
        char paced[16] = "-";
        if (p.pacing_bytes_per_s)
            snprintf(paced, sizeof paced, "%.2fs", (double)b.len / p.pacing_bytes_per_s);
        printf("  %-11s %-7s %7zu %10.2fs %11.2fs %12s\n", p.name,
               p.native_qr ? "native" : "raster", b.len, (double)b.len * 10 / 9600,
               (double)b.len * 10 / 19200, paced);
        sg_buf_free(&b);
    }
    printf("\n  budget: a native-QR receipt under 1536 bytes\n");
    directory_reader_close(v.dir);
    store_close(v.store);
    instrument_free(v.inst);
    snprintf(path, sizeof path, "rm -rf -- '%s'", v.state);
    if (system(path) != 0)
        fprintf(stderr, "bench_receipt: could not remove %s\n", v.state);
    return 0;
}
