/*
 * A screening instrument loaded from a JSON file (format
 * "signpost-instrument/1"; data/instruments/ahc-hrsn-core.json is the CMS
 * AHC HRSN core).  The file is the instrument: items keyed by LOINC code,
 * options keyed by LOINC answer (LA) codes, text in each language, answer
 * points and the rule that makes each domain positive.  Loading checks all
 * of it and names the first problem with its JSON path, so a malformed file
 * stops start-up instead of scoring patients wrongly.
 *
 * An sg_instrument is immutable after loading and shared by all threads.
 * Its strings point into the parsed JSON it owns; instrument_free() releases
 * everything and accepts NULL.
 */
#ifndef SIGNPOST_INSTRUMENT_H
#define SIGNPOST_INSTRUMENT_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/result.h"

#define SG_MAX_LANGS 8
#define SG_MAX_ITEMS 48
#define SG_MAX_OPTIONS 32 /* options are a bit mask in a uint32_t */
#define SG_MAX_DOMAINS 16
#define SG_MAX_RULE_ITEMS 8

typedef struct {
    const char *code;                /* LA code */
    const char *text[SG_MAX_LANGS];  /* per instrument language */
    int points;                      /* valid when has_points */
    int has_points;
    int exclusive;                   /* "None of the above": clears the rest */
} instrument_option;

typedef struct {
    const char *code;   /* LOINC question code */
    const char *domain; /* domain name this item belongs to */
    int multi;          /* 1: choose all that apply */
    const char *text[SG_MAX_LANGS];
    const char *preamble[SG_MAX_LANGS]; /* NULL when the item has none */
    instrument_option options[SG_MAX_OPTIONS];
    int noptions;
} instrument_item;

typedef enum {
    RULE_ANSWER_IN,     /* positive when any listed item has a listed answer */
    RULE_ANSWER_NOT_IN, /* positive when any listed item has another answer */
    RULE_POINTS_AT_LEAST /* positive when the items' points sum to threshold */
} instrument_rule_kind;

typedef struct {
    const char *name;
    const char *label[SG_MAX_LANGS];
    const char *discreet_label[SG_MAX_LANGS]; /* NULL unless sensitive */
    instrument_rule_kind kind;
    int items[SG_MAX_RULE_ITEMS];      /* indexes into items[] */
    uint32_t matching[SG_MAX_RULE_ITEMS]; /* options that count, per item */
    int nitems;
    int threshold;          /* RULE_POINTS_AT_LEAST */
    const char *score_code; /* LOINC code of the score, or NULL */
} instrument_domain;

typedef struct {
    const char *code; /* "en" */
    const char *name; /* "English", in its own language */
    const char *status; /* "original" or "translation" */
    const char *translated_by;
    const char *reviewed_by;
    const char *review_status;
} instrument_language;

typedef struct sg_instrument sg_instrument;
struct sg_instrument {
    void *root; /* the parsed json_t that owns every string below */
    const char *id, *version, *loinc_panel, *source;
    const char *title[SG_MAX_LANGS];
    instrument_language langs[SG_MAX_LANGS];
    int nlangs;
    instrument_item items[SG_MAX_ITEMS];
    int nitems;
    instrument_domain domains[SG_MAX_DOMAINS];
    int ndomains;
    char *public_json[SG_MAX_LANGS]; /* GET /api/v1/instrument answers */
};

/* Loads and checks path; on failure err names the file and the problem. */
sg_rc instrument_load(const char *path, sg_instrument **out, char *err, size_t errlen);
void instrument_free(sg_instrument *inst);

/* Index of a language, item, option or domain by code; -1 when absent. */
int instrument_lang(const sg_instrument *inst, const char *code);
int instrument_item_index(const sg_instrument *inst, const char *code);
int instrument_option_index(const instrument_item *item, const char *code);
int instrument_domain_index(const sg_instrument *inst, const char *name);

/* The label to show for domain d in language lang (discreet if asked and set). */
const char *instrument_domain_label(const sg_instrument *inst, int d, int lang,
                                    int discreet);

#endif
