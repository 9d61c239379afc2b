/*
 * A submission as FHIR R4, shaped after the HL7 Gravity Project's SDOH
 * Clinical Care guide: a QuestionnaireResponse of the AHC HRSN panel, one
 * Observation per answered item (categories social-history, survey and the
 * SDOH domain), the panel Observation with hasMember, the safety score
 * when all four safety items were answered, and for every referral a
 * ServiceRequest with a Task carrying the closed loop.  The subject is a
 * Patient with nothing but an id: the kiosk knows no identity.
 * docs/exports.md lists every code and why it was chosen.
 *
 * Determinism: every fullUrl is urn:uuid: of a keyed-by-nothing BLAKE2b
 * hash of what the resource is ("obs:<submission>:<item>"), entries come
 * in a fixed order and no clock is read, so the same export is the same
 * bytes each time.
 *
 * The builders are pure: no I/O, no globals.  Ownership: fhir_submission()
 * returns a new JSON array the caller decrefs; the bundle functions append
 * to a caller-owned sg_buf.
 */
#ifndef SIGNPOST_FHIR_H
#define SIGNPOST_FHIR_H

#include "signpost/buf.h"
#include "signpost/export.h"
#include "signpost/instrument.h"
#include "signpost/result.h"

#define FHIR_MAX_SUBMISSIONS 500 /* per Bundle; a wider range is a 422 */
#define FHIR_UUID_URN_LEN 46     /* "urn:uuid:" + 36 + NUL */

#define FHIR_LOINC "http://loinc.org"
#define FHIR_SNOMED "http://snomed.info/sct"
#define FHIR_OBS_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"
#define FHIR_SDOHCC                                                                      \
    "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/"                               \
    "SDOHCC-CodeSystemTemporaryCodes"

typedef struct {
    const sg_instrument *inst; /* texts, domains and rules of the items */
    const char *clinic_name;   /* the requesting Organization */
} fhir_ctx;

/* urn:uuid: of the UUID named by the two parts (deterministic). */
void fhir_uuid_urn(const char *kind, const char *key, char out[FHIR_UUID_URN_LEN]);

/* The Task status for a referral status ("draft" ...). */
const char *fhir_task_status(export_ref_status s);
/* The ServiceRequest status for a referral status ("active" ...). */
const char *fhir_request_status(export_ref_status s);

/*
 * The Bundle entries ({"fullUrl","resource"}) of one submission, in order:
 * Patient, QuestionnaireResponse, the item Observations, the safety score,
 * the panel, then each referral's ServiceRequest and Task.  NULL when out
 * of memory.
 */
void *fhir_submission(const fhir_ctx *c, const export_sub *s); /* json_t * */

/* The entry of the clinic's Organization, which every Task names. */
void *fhir_organization(const fhir_ctx *c); /* json_t * */

/*
 * A Bundle of type collection, written as it goes so that a range never
 * holds more than one submission's JSON tree: begin (id from seed, e.g.
 * "from=2026-11-01&to=2026-11-29"), one add per submission, end.
 */
sg_rc fhir_bundle_begin(const fhir_ctx *c, const char *seed, sg_buf *b);
sg_rc fhir_bundle_add(const fhir_ctx *c, const export_sub *s, sg_buf *b);
sg_rc fhir_bundle_end(sg_buf *b);

#endif
