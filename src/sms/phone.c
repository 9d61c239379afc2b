/*
 * Phone numbers as a patient types them on the kiosk (see sms.h).  The
 * kiosk checks the number digit by digit while it is typed, so the answer
 * has three values: valid, "keep typing" and "this can never be a number",
 * and the last one must be reported as soon as the offending digit appears
 * (an area code of 911 is wrong at its third digit, not at the tenth).
 *
 * Only North American numbers are accepted (country code 1), with the NANP
 * shape NPA-NXX-XXXX: the area code and the exchange start with 2-9 and are
 * not N11 service codes, and an area code's second digit is not 9 (reserved
 * for expansion).  The 555-01XX numbers set aside for fiction pass, because
 * demos and tests use them.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "signpost/sms.h"

#define NATIONAL_DIGITS 10

/* Characters people use to group digits; they carry no meaning. */
static int is_separator(char c)
{
    return c == ' ' || c == '(' || c == ')' || c == '-' || c == '.';
}

/*
 * Checks the national digit just added at position pos (0-based) against
 * the NANP rules that it completes; returns a reason or NULL when fine.
 */
static const char *check_digit(const char *nat, int pos)
{
    switch (pos) {
    case 0:
        return nat[0] < '2' ? "area code cannot start with 0 or 1" : NULL;
    case 1:
        return nat[1] == '9' ? "area code cannot have 9 as its second digit" : NULL;
    case 2:
        return nat[1] == '1' && nat[2] == '1' ? "area code cannot be a service code like 911"
                                              : NULL;
    case 3:
        return nat[3] < '2' ? "exchange cannot start with 0 or 1" : NULL;
    case 5:
        return nat[4] == '1' && nat[5] == '1' ? "exchange cannot be a service code like 411"
                                              : NULL;
    default:
        return NULL;
    }
}

/*
 * The scan's state: the national digits so far, whether a leading 1
 * (country code) or '+' was seen, and whether any digit or '+' came yet.
 */
typedef struct {
    char nat[NATIONAL_DIGITS + 1];
    int n;
    int plus;
    int country;
    int started;
} phone_scan;

/* Feeds one digit; returns a reason when the number can no longer be valid. */
static const char *feed_digit(phone_scan *s, char c)
{
    /* The first digit may be the country code: after "+" it must be, and
     * without "+" a 1 can only be one, since no area code starts with 1. */
    if (s->n == 0 && !s->country && (s->plus || c == '1')) {
        if (c != '1')
            return "only US and Canada numbers (+1) are accepted";
        s->country = 1;
        return NULL;
    }
    if (s->n == NATIONAL_DIGITS)
        return "too many digits";
    s->nat[s->n++] = c;
    return check_digit(s->nat, s->n - 1);
}

static const char *feed_char(phone_scan *s, char c)
{
    if (c >= '0' && c <= '9') {
        s->started = 1;
        return feed_digit(s, c);
    }
    if (c == '+') {
        if (s->started)
            return "+ can only come first";
        s->plus = s->started = 1;
        return NULL;
    }
    if (is_separator(c))
        return NULL;
    return "only digits, spaces and ( ) - . + are allowed";
}

phone_check sms_phone_parse(const char *typed, char e164[SMS_E164_LEN], const char **why)
{
    phone_scan s;
    const char *reason = NULL;
    phone_check rc = PHONE_INCOMPLETE;

    memset(&s, 0, sizeof s);
    if (e164)
        e164[0] = '\0';
    if (!typed)
        reason = "no number";
    for (const char *p = typed; !reason && *p; p++)
        reason = feed_char(&s, *p);
    if (reason)
        rc = PHONE_INVALID;
    else if (s.n < NATIONAL_DIGITS)
        reason = "fewer than 10 digits";
    else
        rc = PHONE_OK;
    if (rc == PHONE_OK && e164) {
        static_assert(SMS_E164_LEN >= 2 + NATIONAL_DIGITS + 1, "e164 buffer too small");
        e164[0] = '+';
        e164[1] = '1';
        memcpy(e164 + 2, s.nat, NATIONAL_DIGITS);
        e164[2 + NATIONAL_DIGITS] = '\0';
    }
    if (why)
        *why = reason;
    return rc;
}

/* True for exactly "+1" and ten digits: the only thing sms_phone_parse makes. */
static int is_e164_nanp(const char *e164)
{
    if (!e164 || e164[0] != '+' || e164[1] != '1')
        return 0;
    for (int i = 0; i < NATIONAL_DIGITS; i++)
        if (e164[2 + i] < '0' || e164[2 + i] > '9')
            return 0;
    return e164[2 + NATIONAL_DIGITS] == '\0';
}

void sms_phone_mask(const char *e164, char out[SMS_E164_LEN + 8])
{
    static const char masked[] = "(***) ***-**";
    static_assert(sizeof masked + 2 <= SMS_E164_LEN + 8, "mask buffer too small");

    assert(out);
    if (!is_e164_nanp(e164)) {
        memcpy(out, "(invalid)", sizeof "(invalid)");
        return;
    }
    memcpy(out, masked, sizeof masked - 1);
    out[sizeof masked - 1] = e164[2 + NATIONAL_DIGITS - 2];
    out[sizeof masked] = e164[2 + NATIONAL_DIGITS - 1];
    out[sizeof masked + 1] = '\0';
}
