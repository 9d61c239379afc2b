/*
 * The typical visit the receipt benchmarks print: three needs (housing
 * instability, food, transportation), the demo directory's best three
 * places for each, in Spanish, matched on a Tuesday at 10:00.  Shared by
 * bench_receipt (bytes per profile) and bench_print_wire (those bytes
 * through the real serial code) so that both measure the same receipt.
 *
 * Ownership: bench_visit_open() gives the caller a visit, backed by the
 * demo directory imported into a scratch state folder under /tmp, that
 * bench_visit_close() releases, removing the folder (it accepts NULL).
 */
#ifndef SIGNPOST_BENCH_RECEIPT_VISIT_H
#define SIGNPOST_BENCH_RECEIPT_VISIT_H

#include <stddef.h>

#include "signpost/buf.h"
#include "signpost/printer_profile.h"

typedef struct bench_visit bench_visit;

/* Loads the instrument, map and demo directory under src and matches the
   three needs.  0 on success; otherwise err says why. */
int bench_visit_open(const char *src, bench_visit **out, char *err, size_t errlen);

/* How many places the receipt lists. */
size_t bench_visit_places(const bench_visit *v);

/* Lays out the receipt for profile p and appends its ESC/POS bytes to out. */
int bench_visit_encode(const bench_visit *v, const printer_profile *p, sg_buf *out);

void bench_visit_close(bench_visit *v);

#endif
