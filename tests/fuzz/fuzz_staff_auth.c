/*
 * Fuzzes what a browser (or anyone on the clinic network) sends the staff
 * listener before any session exists: the Cookie header read by
 * staff_cookie_session(), the CSRF token check staff_token_valid(), and the
 * id check of the kiosk router's /api/v1/screenings/{id} paths
 * (kiosk_valid_id), and the static handlers' path gate (http_safe_path).
 * Also the audit log's UTF-8-safe cut of a typed username
 * (staff_truncate_utf8), which takes raw network input.
 *
 * Invariants:
 *  - a session found in a header is a valid token, and appears in the
 *    header as "sg_session=<it>" at a pair boundary;
 *  - a header longer than STAFF_COOKIE_MAX, or with a control byte, is
 *    refused;
 *  - what staff_set_cookie() writes for a valid token reads back as it;
 *  - staff_token_valid() and kiosk_valid_id() agree with a plain reference;
 *  - a path the static handlers accept starts with "/", is at most 200
 *    bytes of [A-Za-z0-9/._-] and holds no "/." (so no ".." component);
 *  - the truncated username is a prefix of at most max bytes that does
 *    not end inside a UTF-8 sequence.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz_common.h"
#include "http/http_internal.h"
#include "signpost/staff_auth.h"
#include "signpost/store.h"

static int ref_token_valid(const char *s)
{
    size_t n = strlen(s);
    if (n != STAFF_TOKEN_LEN - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

static int ref_kiosk_id(const char *s, size_t len)
{
    if (len != SG_ID_LEN - 1)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789abcdef", s[i]) || !s[i])
            return 0;
    return 1;
}

static void check_cookie(const char *header, size_t len)
{
    char out[STAFF_TOKEN_LEN], set[STAFF_SET_COOKIE_MAX], again[STAFF_TOKEN_LEN];
    sg_rc rc = staff_cookie_session(header, out);
    int ctl = 0;

    for (size_t i = 0; i < len; i++)
        ctl |= ((unsigned char)header[i] < 0x20 && header[i] != '\t') ||
               (unsigned char)header[i] == 0x7F;
    FUZZ_CHECK(rc == SG_OK || rc == SG_ENOTFOUND || rc == SG_EINVAL);
    if (len > STAFF_COOKIE_MAX || ctl)
        FUZZ_CHECK(rc == SG_EINVAL);
    if (rc != SG_OK) {
        FUZZ_CHECK(out[0] == '\0');
        return;
    }
    FUZZ_CHECK(staff_token_valid(out));
    /* It is some pair's whole value: "sg_session=<it>" starting the header
     * or after a ';' and blanks. */
    int seen = 0;
    for (const char *at = strstr(header, out); at && !seen; at = strstr(at + 1, out)) {
        const char *name = at - 11;
        if (at - header < 11 || memcmp(name, "sg_session=", 11) != 0)
            continue;
        while (name > header && (name[-1] == ' ' || name[-1] == '\t'))
            name--;
        seen = name == header || name[-1] == ';';
    }
    FUZZ_CHECK(seen);
    /* Our own Set-Cookie, sent back by a browser, reads back as itself. */
    FUZZ_CHECK(staff_set_cookie(out, 0, set, sizeof set) == SG_OK);
    *strchr(set, ';') = '\0';
    FUZZ_CHECK(staff_cookie_session(set, again) == SG_OK && !strcmp(again, out));
}

static void check_path(const char *url)
{
    if (!http_safe_path(url))
        return;
    /* ".." can only climb as a whole component, which always follows a '/'. */
    FUZZ_CHECK(url[0] == '/' && strlen(url) <= 200 && !strstr(url, "/."));
    for (const char *p = url; *p; p++)
        FUZZ_CHECK(isalnum((unsigned char)*p) || strchr("/._-", *p));
}

static void check_truncate(const char *s, size_t max)
{
    char out[STAFF_USERNAME_MAX + 1];
    size_t n;

    staff_truncate_utf8(s, max, out, sizeof out);
    n = strlen(out);
    FUZZ_CHECK(n <= max && n < sizeof out && strncmp(out, s, n) == 0);
    /* Cut only at a character boundary: the next byte starts one. */
    if (s[n])
        FUZZ_CHECK(((unsigned char)s[n] & 0xC0) != 0x80 || n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    size_t len;

    if (size > 2 * STAFF_COOKIE_MAX)
        return 0;
    s = fuzz_cstr(data, size);
    len = strlen(s);
    check_cookie(s, len);
    FUZZ_CHECK(staff_token_valid(s) == ref_token_valid(s));
    FUZZ_CHECK(kiosk_valid_id((const char *)data, size) == ref_kiosk_id((const char *)data, size));
    check_path(s);
    check_truncate(s, size ? data[0] % (STAFF_USERNAME_MAX + 1) : 0);
    check_truncate(s, STAFF_USERNAME_MAX);
    free(s);
    return 0;
}
