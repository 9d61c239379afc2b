/*
 * Segment counting at its boundaries: 160/161 GSM-7 septets, 153 per part,
 * escapes that cost two septets exactly at the boundary, 70/71 UCS-2 units,
 * 67 per part, emoji as surrogate pairs, every character of the GSM 03.38
 * default table and its extension, the Spanish letters that are and are
 * not in it, and malformed UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "signpost/sms.h"

#define EURO "\xE2\x82\xAC"
#define A_ACUTE "\xC3\xA1"
#define GRIN "\xF0\x9F\x98\x80" /* U+1F600, two UTF-16 units */

/* n copies of piece, then tail, into buf. */
static const char *repeat(char *buf, size_t len, const char *piece, int n, const char *tail)
{
    size_t used = 0, plen = strlen(piece), tlen = strlen(tail);
    for (int i = 0; i < n; i++) {
        assert_true(used + plen < len);
        memcpy(buf + used, piece, plen);
        used += plen;
    }
    assert_true(used + tlen < len);
    memcpy(buf + used, tail, tlen + 1);
    return buf;
}

static sms_length count(const char *text)
{
    sms_length l = {-1, -1, -1};
    assert_int_equal(sms_count(text, &l), SG_OK);
    return l;
}

static void expect(const char *text, int ucs2, int units, int segments)
{
    sms_length l = count(text);
    if (l.ucs2 != ucs2 || l.units != units || l.segments != segments)
        fail_msg("got ucs2=%d units=%d segments=%d, want %d/%d/%d", l.ucs2, l.units,
                 l.segments, ucs2, units, segments);
}

static void gsm_single_segment_boundary(void **state)
{
    (void)state;
    char buf[2048];
    expect("", 0, 0, 1);
    expect("a", 0, 1, 1);
    expect(repeat(buf, sizeof buf, "a", 160, ""), 0, 160, 1);
    expect(repeat(buf, sizeof buf, "a", 161, ""), 0, 161, 2);
}

static void gsm_multipart_boundaries(void **state)
{
    (void)state;
    char buf[2048];
    expect(repeat(buf, sizeof buf, "a", 306, ""), 0, 306, 2);
    expect(repeat(buf, sizeof buf, "a", 307, ""), 0, 307, 3);
    expect(repeat(buf, sizeof buf, "a", 459, ""), 0, 459, 3);
    expect(repeat(buf, sizeof buf, "a", 460, ""), 0, 460, 4);
}

static void escapes_at_the_boundary(void **state)
{
    (void)state;
    char buf[2048];
    expect(repeat(buf, sizeof buf, "a", 158, EURO), 0, 160, 1);
    expect(repeat(buf, sizeof buf, "a", 159, EURO), 0, 161, 2);
    expect(repeat(buf, sizeof buf, "a", 158, "["), 0, 160, 1);
    expect(repeat(buf, sizeof buf, "a", 159, "]"), 0, 161, 2);
    expect(repeat(buf, sizeof buf, "{", 80, ""), 0, 160, 1);
    expect(repeat(buf, sizeof buf, "}", 81, ""), 0, 162, 2);
    expect(repeat(buf, sizeof buf, "a", 305, "~"), 0, 307, 3);
}

static void every_gsm_character_counts(void **state)
{
    (void)state;
    static const char *const basic[] = {
        "@", "\xC2\xA3", "$", "\xC2\xA5", "\xC3\xA8", "\xC3\xA9", "\xC3\xB9", "\xC3\xAC",
        "\xC3\xB2", "\xC3\x87", "\n", "\xC3\x98", "\xC3\xB8", "\r", "\xC3\x85", "\xC3\xA5",
        "\xCE\x94", "_", "\xCE\xA6", "\xCE\x93", "\xCE\x9B", "\xCE\xA9", "\xCE\xA0",
        "\xCE\xA8", "\xCE\xA3", "\xCE\x98", "\xCE\x9E", "\xC3\x86", "\xC3\xA6", "\xC3\x9F",
        "\xC3\x89", " ", "!", "\"", "#", "\xC2\xA4", "%", "&", "'", "(", ")", "*", "+", ",",
        "-", ".", "/", ":", ";", "<", "=", ">", "?", "\xC2\xA1", "\xC3\x84", "\xC3\x96",
        "\xC3\x91", "\xC3\x9C", "\xC2\xA7", "\xC2\xBF", "\xC3\xA4", "\xC3\xB6", "\xC3\xB1",
        "\xC3\xBC", "\xC3\xA0"};
    static const char *const ext[] = {"^", "{", "}", "\\", "[", "~", "]", "|", EURO, "\f"};

    for (size_t i = 0; i < sizeof basic / sizeof basic[0]; i++) {
        sms_length l = count(basic[i]);
        if (l.ucs2 || l.units != 1)
            fail_msg("basic #%zu: ucs2=%d units=%d", i, l.ucs2, l.units);
    }
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        sms_length l = count(ext[i]);
        if (l.ucs2 || l.units != 2)
            fail_msg("extension #%zu: ucs2=%d units=%d", i, l.ucs2, l.units);
    }
    char c[2] = {0, 0};
    for (c[0] = '0'; c[0] <= '9'; c[0]++)
        expect(c, 0, 1, 1);
    for (c[0] = 'A'; c[0] <= 'Z'; c[0]++)
        expect(c, 0, 1, 1);
    for (c[0] = 'a'; c[0] <= 'z'; c[0]++)
        expect(c, 0, 1, 1);
}

static void outside_gsm_goes_ucs2(void **state)
{
    (void)state;
    /* Spanish: á í ó ú Á and the backtick and tab are not in GSM-7 */
    static const char *const out[] = {A_ACUTE, "\xC3\xAD", "\xC3\xB3", "\xC3\xBA",
                                      "\xC3\x81", "`", "\t", "\xC3\xAA", "\xE2\x80\x99"};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        sms_length l = count(out[i]);
        if (!l.ucs2 || l.units != 1)
            fail_msg("#%zu: ucs2=%d units=%d", i, l.ucs2, l.units);
    }
    /* é ñ ü ¿ ¡ are GSM-7 */
    expect("\xC2\xBFPudo? \xC3\xB1 \xC3\xA9 \xC3\xBC \xC2\xA1", 0, 14, 1);
    /* one UCS-2 character makes the whole text UCS-2: escapes count 1 unit */
    expect("a" A_ACUTE EURO "[", 1, 4, 1);
}

static void ucs2_boundaries(void **state)
{
    (void)state;
    char buf[4096];
    expect(repeat(buf, sizeof buf, A_ACUTE, 70, ""), 1, 70, 1);
    expect(repeat(buf, sizeof buf, A_ACUTE, 71, ""), 1, 71, 2);
    expect(repeat(buf, sizeof buf, "a", 69, A_ACUTE), 1, 70, 1);
    expect(repeat(buf, sizeof buf, "a", 70, A_ACUTE), 1, 71, 2);
    expect(repeat(buf, sizeof buf, A_ACUTE, 134, ""), 1, 134, 2);
    expect(repeat(buf, sizeof buf, A_ACUTE, 135, ""), 1, 135, 3);
    expect(repeat(buf, sizeof buf, A_ACUTE, 201, ""), 1, 201, 3);
    expect(repeat(buf, sizeof buf, A_ACUTE, 202, ""), 1, 202, 4);
}

static void emoji_are_two_units(void **state)
{
    (void)state;
    char buf[4096];
    expect(GRIN, 1, 2, 1);
    expect(repeat(buf, sizeof buf, "a", 68, GRIN), 1, 70, 1);
    expect(repeat(buf, sizeof buf, "a", 69, GRIN), 1, 71, 2);
    expect(repeat(buf, sizeof buf, GRIN, 35, ""), 1, 70, 1);
    expect(repeat(buf, sizeof buf, GRIN, 36, ""), 1, 72, 2);
    /* a BMP symbol outside GSM is one unit */
    expect("\xE2\x9C\x93", 1, 1, 1); /* U+2713 check mark */
    expect("\xEF\xBF\xBD", 1, 1, 1); /* U+FFFD */
    expect("\xF4\x8F\xBF\xBF", 1, 2, 1); /* U+10FFFF, the last code point */
}

static void invalid_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\x80",             /* stray continuation */
        "a\xC3",            /* truncated at the end */
        "\xC3(",            /* continuation missing */
        "\xC0\xAF",         /* overlong '/' */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\xAF",     /* overlong 3-byte */
        "\xF0\x80\x80\xAF", /* overlong 4-byte */
        "\xED\xA0\x80",     /* a surrogate */
        "\xED\xBF\xBF",     /* a surrogate */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "\xF5\x80\x80\x80", /* never a lead byte */
        "\xFE", "\xFF",
        "\xE2\x82",         /* truncated euro */
        "\xF0\x9F\x98",     /* truncated emoji */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sms_length l;
        if (sms_count(bad[i], &l) != SG_EINVAL)
            fail_msg("bad #%zu was accepted", i);
    }
    sms_length l;
    assert_int_equal(sms_count(NULL, &l), SG_EINVAL);
}

static void a_realistic_text(void **state)
{
    (void)state;
    expect("Hi, this is Riverton Community Clinic. Did you reach the help from your visit? "
           "Reply 1 yes, 2 not yet, 3 need more help. STOP to stop",
           0, 133, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gsm_single_segment_boundary),
        cmocka_unit_test(gsm_multipart_boundaries),
        cmocka_unit_test(escapes_at_the_boundary),
        cmocka_unit_test(every_gsm_character_counts),
        cmocka_unit_test(outside_gsm_goes_ucs2),
        cmocka_unit_test(ucs2_boundaries),
        cmocka_unit_test(emoji_are_two_units),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(a_realistic_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
