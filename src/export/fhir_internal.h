/*
 * What the FHIR export's source files share: the code tables
 * (fhir_codes.c) and the small JSON builders (fhir_json.c).  Internal to
 * src/export/.
 */
#ifndef SIGNPOST_FHIR_INTERNAL_H
#define SIGNPOST_FHIR_INTERNAL_H

#include <jansson.h>

#include "signpost/fhir.h"

#define FHIR_TASK_CODE "http://hl7.org/fhir/CodeSystem/task-code"
#define FHIR_INTERPRETATION                                                              \
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#define FHIR_QUESTIONNAIRE "http://loinc.org/q/" /* + the panel's LOINC code */
#define FHIR_REFERRAL_CODE "306206005"           /* SNOMED CT: Referral to service */
#define FHIR_SOCIAL_SERVICE "410606002"          /* SNOMED CT: Social service procedure */

/* The SDOH Clinical Care categories of one screening domain. */
typedef struct {
    const char *domain;
    struct {
        const char *code, *display;
    } cat[2];
    int ncat;
    const char *text; /* category text, or NULL to use the codes' own */
    int no_contact;   /* referrals carry contacting-subject-prohibited */
} fhir_domain_codes;

/* The entry for domain; "unspecified" for a domain the table does not know. */
const fhir_domain_codes *fhir_domain_lookup(const char *domain);
/* Task.statusReason text for a closed status, else NULL. */
const char *fhir_task_reason(export_ref_status s);

/* ---- JSON helpers (fhir_json.c); each returns NULL when out of memory ---- */

/* Sets key to the string s only when s is not NULL or empty (FHIR has no
 * empty strings); returns 0, or -1 when out of memory. */
int fhir_set_str(json_t *o, const char *key, const char *s);
/* {"system","code","display"?} */
json_t *fhir_coding(const char *system, const char *code, const char *display);
/* {"coding":[coding], "text"?} */
json_t *fhir_concept(const char *system, const char *code, const char *display,
                     const char *text);
/* {"reference": urn} */
json_t *fhir_ref(const char *urn);
/* A new resource {"resourceType", "id"} whose id is the UUID of urn. */
json_t *fhir_resource(const char *type, const char *urn);
/* Appends {"fullUrl": urn, "resource": res (stolen)} to entries; 0 or -1. */
int fhir_add_entry(json_t *entries, const char *urn, json_t *res);
/* The urn of kind for the submission, with an optional part ("item code"). */
void fhir_urn(const char *kind, const char *sub_id, const char *part,
              char out[FHIR_UUID_URN_LEN]);
/* The Observation categories social-history, survey and those of domain. */
json_t *fhir_obs_categories(const char *domain);
/* The SDOH categories alone, one CodeableConcept each. */
int fhir_add_sdoh_categories(json_t *arr, const char *domain);
/* The index of English among inst's languages, else 0 (the first). */
int fhir_english(const sg_instrument *inst);
/* The text of an item or an option in English (else the first language). */
const char *fhir_item_text(const sg_instrument *inst, const char *item);
const char *fhir_option_text(const sg_instrument *inst, const char *item, const char *la);

#endif
