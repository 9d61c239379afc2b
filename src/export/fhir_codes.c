/*
 * The vocabulary of the FHIR export in one place: which SDOH Clinical Care
 * category each screening domain gets, how referral statuses map onto
 * ServiceRequest and Task statuses, and the deterministic resource ids.
 * docs/exports.md explains each choice; a clinic whose EHR wants other
 * codes changes the tables here, nowhere else.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "fhir_internal.h"

/*
 * Categories follow the Gravity guidance for the AHC HRSN tool: 71802-3
 * is both housing instability and homelessness whatever the answer; the
 * interpersonal-safety items ask about anyone, not only a partner, so they
 * are "unspecified" with a text rather than intimate-partner-violence; a
 * referral for safety carries contacting-subject-prohibited, since the
 * kiosk never asked whether contact is safe.
 */
static const fhir_domain_codes table[] = {
    {"housing_instability",
     {{"housing-instability", "Housing Instability"}, {"homelessness", "Homelessness"}},
     2,
     NULL,
     0},
    {"housing_quality", {{"inadequate-housing", "Inadequate Housing"}}, 1, NULL, 0},
    {"food", {{"food-insecurity", "Food Insecurity"}}, 1, NULL, 0},
    {"transportation",
     {{"transportation-insecurity", "Transportation Insecurity"}},
     1,
     NULL,
     0},
    {"utilities", {{"utility-insecurity", "Utility Insecurity"}}, 1, NULL, 0},
    {"safety",
     {{"sdoh-category-unspecified", "SDOH Category Unspecified"}},
     1,
     "Interpersonal safety",
     1},
};

static const fhir_domain_codes unspecified = {
    NULL, {{"sdoh-category-unspecified", "SDOH Category Unspecified"}}, 1, NULL, 0};

const fhir_domain_codes *fhir_domain_lookup(const char *domain)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].domain, domain))
            return &table[i];
    return &unspecified; /* another instrument's domain: its name is the text */
}

const char *fhir_task_status(export_ref_status s)
{
    static const char *const map[REF_NSTATUS] = {
        "draft", "requested", "in-progress", "completed", "rejected", "failed",
    };
    return (unsigned)s < REF_NSTATUS ? map[s] : "draft";
}

const char *fhir_request_status(export_ref_status s)
{
    /* The request stays active while the loop is open; the Task says where. */
    static const char *const map[REF_NSTATUS] = {
        "active", "active", "active", "completed", "revoked", "revoked",
    };
    return (unsigned)s < REF_NSTATUS ? map[s] : "active";
}

const char *fhir_task_reason(export_ref_status s)
{
    if (s == REF_DECLINED)
        return "The patient declined this referral.";
    if (s == REF_UNREACHABLE)
        return "The patient could not be reached about this referral.";
    return NULL;
}

void fhir_uuid_urn(const char *kind, const char *key, char out[FHIR_UUID_URN_LEN])
{
    unsigned char h[16];
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind));
    crypto_generichash_update(&st, (const unsigned char *)":", 1);
    crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
    crypto_generichash_final(&st, h, sizeof h);
    /* RFC 9562 version 8 (custom) and variant 10, so tools accept it as a UUID. */
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x80);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    snprintf(
        out, FHIR_UUID_URN_LEN,
        "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
        h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
        h[13], h[14], h[15]);
}
