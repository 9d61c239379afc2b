/*
 * Fuzzes what happens to a patient's text message: the reply classifier
 * (STOP, HELP, 1/2/3 ...) and the segment counter.
 *
 * Invariants:
 *  - the answer is one of the kinds, and has a name;
 *  - ASCII case never changes the answer (STOP, Stop and stop are one);
 *  - spaces around the text never change it;
 *  - a STOP stays a STOP whether the number is opted out or not (a
 *    revocation must never depend on state), and only YES / START words
 *    may read differently with opted_out;
 *  - segment counts follow the GSM/UCS-2 rule: 1 segment up to 160 septets
 *    or 70 units, else ceil(units / 153 or 67).
 */
#include <ctype.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/sms.h"

/* The classifier reads 1600 bytes; keep the variants inside that. */
#define MAX_BODY 1500

static void check_length(const char *body)
{
    sms_length l;

    if (sms_count(body, &l) != SG_OK)
        return;
    FUZZ_CHECK(l.units >= 0 && (l.ucs2 == 0 || l.ucs2 == 1));
    int single = l.ucs2 ? 70 : 160, part = l.ucs2 ? 67 : 153;
    if (l.units == 0)
        return;
    if (l.units <= single)
        FUZZ_CHECK(l.segments == 1);
    else
        FUZZ_CHECK(l.segments == (l.units + part - 1) / part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char body[MAX_BODY + 3], upper[MAX_BODY + 3], spaced[MAX_BODY + 3];
    sms_reply in, out;

    if (size > MAX_BODY)
        size = MAX_BODY;
    memcpy(body, data, size);
    body[size] = '\0';
    in = sms_classify_reply(body, 1);
    out = sms_classify_reply(body, 0);
    FUZZ_CHECK(in >= REPLY_OTHER && in <= REPLY_NEED_HELP);
    FUZZ_CHECK(out >= REPLY_OTHER && out <= REPLY_NEED_HELP);
    FUZZ_CHECK(strcmp(sms_reply_name(in), "unknown") != 0);
    FUZZ_CHECK((in == REPLY_STOP) == (out == REPLY_STOP));
    if (in != out)
        FUZZ_CHECK(in == REPLY_START || out == REPLY_START);
    for (size_t i = 0; i <= size; i++)
        upper[i] = (char)toupper((unsigned char)body[i]);
    FUZZ_CHECK(sms_classify_reply(upper, 1) == in);
    FUZZ_CHECK(sms_classify_reply(upper, 0) == out);
    spaced[0] = ' ';
    memcpy(spaced + 1, body, size);
    spaced[size + 1] = ' ';
    spaced[size + 2] = '\0';
    FUZZ_CHECK(sms_classify_reply(spaced, 0) == out);
    check_length(body);
    return 0;
}
