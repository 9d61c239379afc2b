/*
 * Scoring a screening: the pure core.  Given an instrument and the patient's
 * answers, decide which domains are positive, sum the points of any points
 * rule (the AHC safety items) and record which rule was used.  No I/O, no
 * globals, no allocation: every input and output is a plain struct.
 *
 * Also here: turning a POST /api/v1/screenings body into an sg_submission,
 * checking every code against the instrument.  A bad body yields an
 * sg_field_error naming the field, the way the API reports it.
 */
#ifndef SIGNPOST_SCREENING_H
#define SIGNPOST_SCREENING_H

#include <stdint.h>
#include "signpost/instrument.h"
#include "signpost/result.h"

typedef enum {
    ANSWER_SKIPPED = 0, /* not answered, or "I'd rather not answer" */
    ANSWER_GIVEN
} answer_state;

typedef struct {
    answer_state state[SG_MAX_ITEMS];
    uint32_t chosen[SG_MAX_ITEMS]; /* bit o set: option o selected */
} sg_answers;

typedef struct {
    uint32_t positive;              /* bit d set: domain d is positive */
    int points[SG_MAX_DOMAINS];     /* sum, for points rules */
    int complete[SG_MAX_DOMAINS];   /* 1 when every item of the rule was answered */
    int threshold[SG_MAX_DOMAINS];  /* threshold used, for points rules */
    char rule[96];                  /* e.g. "ahc-hrsn-core@2018-01; safety>=11 (CMS)" */
} sg_score;

/*
 * Scores answers.  safety_threshold replaces the threshold of the "safety"
 * domain's points rule when it is positive (0 keeps the instrument's).
 */
void screening_score(const sg_instrument *inst, const sg_answers *ans,
                     int safety_threshold, sg_score *out);

typedef struct {
    int status;         /* HTTP status to answer: 400 or 422 */
    char code[32];      /* machine-readable, e.g. "unknown_answer" */
    char field[64];     /* JSON path of the field, e.g. "answers.71802-3" */
    char message[160];  /* plain English for the developer or the log */
} sg_field_error;

typedef struct {
    int lang;            /* index into the instrument's languages */
    sg_answers answers;
    int wants_help;      /* -1 not asked yet, 0 no, 1 yes */
    uint32_t help;       /* domains the patient wants help with */
} sg_submission;

/*
 * Parses and validates a screening request body (already parsed JSON, passed
 * as void * to keep jansson out of this header).  allowed_langs is the
 * kiosk's comma-separated language list.
 */
sg_rc screening_parse(const sg_instrument *inst, const void *json_body,
                      const char *allowed_langs, sg_submission *out,
                      sg_field_error *err);

/*
 * Parses {"wants_help":bool,"domains":[...]} (also accepted inside the POST
 * body as "wants_help" and "help_domains").  Every named domain must be
 * positive in score.
 */
sg_rc screening_parse_help(const sg_instrument *inst, const void *json_wants,
                           const void *json_domains, const sg_score *score,
                           sg_submission *sub, sg_field_error *err);

#endif
