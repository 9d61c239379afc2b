/*
 * Small helpers shared by the unit tests: load the shipped instrument, build
 * answers by code, write a temporary file.
 */
#ifndef SIGNPOST_TEST_HELPERS_H
#define SIGNPOST_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "signpost/instrument.h"
#include "signpost/screening.h"

#define INSTRUMENT_PATH SOURCE_DIR "/data/instruments/ahc-hrsn-core.json"

static inline sg_instrument *load_core(void)
{
    char err[256];
    sg_instrument *inst = NULL;
    if (instrument_load(INSTRUMENT_PATH, &inst, err, sizeof err) != SG_OK)
        fail_msg("loading the shipped instrument: %s", err);
    return inst;
}

/* The shipped instrument for a test group that uses setup_core/teardown_core. */
static sg_instrument *inst;

static inline int setup_core(void **state)
{
    (void)state;
    inst = load_core();
    return 0;
}

static inline int teardown_core(void **state)
{
    (void)state;
    instrument_free(inst);
    return 0;
}

/* Marks item `item` answered with option `answer` (adds to a multi item). */
static inline void answer(const sg_instrument *in, sg_answers *a, const char *item,
                          const char *ans)
{
    int i = instrument_item_index(in, item);
    assert_true(i >= 0);
    int o = instrument_option_index(&in->items[i], ans);
    assert_true(o >= 0);
    a->state[i] = ANSWER_GIVEN;
    a->chosen[i] |= 1u << o;
}

static inline int positive(const sg_instrument *in, const sg_score *s, const char *domain)
{
    int d = instrument_domain_index(in, domain);
    assert_true(d >= 0);
    return (s->positive >> d) & 1u;
}

/* Writes text to a new temporary file; returns its path (static buffer per call site). */
static inline void write_temp(char *path, size_t len, const char *text)
{
    snprintf(path, len, "/tmp/signpost-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

#endif
