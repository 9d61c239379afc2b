/*
 * What a receipt costs on the wire, per printer profile.
 *
 * Builds the receipt for a typical visit (three needs, the demo directory's
 * best three places for each, in Spanish, matched at a fixed time; see
 * receipt_visit.h) exactly as the kiosk does, encodes it for every shipped
 * profile and prints its size and the physical floor of its transfer time
 * at 9600 and 19200 baud (8N1: bytes x 10 / baud), plus the time pacing
 * adds on printers without flow control.  Pure computation: run it
 * anywhere.  bench_print_wire sends the same bytes through the real
 * serial code and times them.
 *
 *   bench_receipt [SOURCE_DIR]
 */
#include <stdio.h>
#include <stdlib.h>

#include "receipt_visit.h"

static const char *const profiles[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : BENCH_SOURCE_DIR;
    char path[512], err[512];
    bench_visit *v = NULL;
    int rc = 1;

    if (bench_visit_open(src, &v, err, sizeof err)) {
        fprintf(stderr, "bench_receipt: %s\n", err);
        goto out;
    }
    snprintf(path, sizeof path, "%s/data/printers/profiles.json", src);
    printf("receipt: 3 needs, %zu places, Spanish\n\n", bench_visit_places(v));
    printf("  %-11s %-7s %7s %11s %12s %12s\n", "profile", "QR", "bytes", "floor 9600",
           "floor 19200", "paced");
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        printer_profile p;
        sg_buf b;
        sg_buf_init(&b, 1 << 20);
        if (printer_profile_load(path, profiles[i], &p, err, sizeof err) ||
            bench_visit_encode(v, &p, &b)) {
            fprintf(stderr, "bench_receipt: %s: %s\n", profiles[i], err);
            sg_buf_free(&b);
            goto out;
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
    rc = 0;
out:
    bench_visit_close(v);
    return rc;
}
