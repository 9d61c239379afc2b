/*
 * Fuzzes the phone number check the kiosk runs as the patient types
 * (sms_phone_parse) and the masking the demo gateway logs with.
 *
 * Invariants:
 *  - an accepted number is "+1" and ten digits, and re-parses to itself;
 *  - a refusal always comes with a reason, and every prefix of an accepted
 *    number is "keep typing" or accepted, never "invalid" (the kiosk
 *    refuses a number at the digit that breaks it, so a valid number must
 *    never be refused half-typed);
 *  - once a prefix is invalid, no longer input becomes valid again;
 *  - the mask never shows more than the last two digits.
 */
#include <string.h>

#include "fuzz_common.h"
#include "signpost/sms.h"

/* Inputs longer than a person could type add nothing but time. */
#define MAX_TYPED 64

static void check_e164(const char *e164)
{
    char again[SMS_E164_LEN], masked[SMS_E164_LEN + 8];
    const char *why = "unset";

    FUZZ_CHECK(strlen(e164) == 12 && e164[0] == '+' && e164[1] == '1');
    for (int i = 2; i < 12; i++)
        FUZZ_CHECK(e164[i] >= '0' && e164[i] <= '9');
    FUZZ_CHECK(sms_phone_parse(e164, again, &why) == PHONE_OK);
    FUZZ_CHECK(why == NULL && strcmp(again, e164) == 0);
    sms_phone_mask(e164, masked);
    FUZZ_CHECK(memcmp(masked, "(***) ***-**", 12) == 0);
    FUZZ_CHECK(masked[12] == e164[10] && masked[13] == e164[11]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char typed[MAX_TYPED + 1], e164[SMS_E164_LEN], masked[SMS_E164_LEN + 8];
    const char *why = NULL;
    phone_check rc, prefix;
    size_t len;

    if (size > MAX_TYPED)
        size = MAX_TYPED;
    memcpy(typed, data, size);
    typed[size] = '\0';
    len = strlen(typed);
    rc = sms_phone_parse(typed, e164, &why);
    FUZZ_CHECK(rc == PHONE_OK || rc == PHONE_INCOMPLETE || rc == PHONE_INVALID);
    if (rc == PHONE_OK)
        check_e164(e164);
    else
        FUZZ_CHECK(why != NULL && why[0] != '\0' && e164[0] == '\0');
    /* Typing it character by character. */
    for (size_t n = 0; n <= len; n++) {
        char saved = typed[n];
        typed[n] = '\0';
        prefix = sms_phone_parse(typed, NULL, NULL);
        typed[n] = saved;
        if (rc == PHONE_OK)
            FUZZ_CHECK(prefix != PHONE_INVALID);
        if (prefix == PHONE_INVALID)
            FUZZ_CHECK(rc == PHONE_INVALID);
    }
    /* Whatever the input, masking it must not echo it. */
    sms_phone_mask(typed, masked);
    if (strcmp(masked, "(invalid)") != 0)
        FUZZ_CHECK(memcmp(masked, "(***) ***-**", 12) == 0 && strlen(masked) == 14);
    return 0;
}
