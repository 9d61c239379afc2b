/*
 * How many SMS segments a text costs (see sms.h).  A text goes out in the
 * GSM 03.38 7-bit default alphabet when every character is in it (the
 * extension table's characters cost an escape septet more), and otherwise
 * in UCS-2, where each UTF-16 code unit counts and a character outside the
 * Basic Multilingual Plane (most emoji) takes two.  One segment holds 160
 * septets or 70 units; a longer text is split into parts that each lose
 * room to the concatenation header: 153 septets or 67 units.
 *
 * The part count is ceil(units / 153 or 67), what a handset shows while a
 * message is typed.  A phone that splits a text never cuts an escape pair
 * or a surrogate pair in two, so a rare long text needs one part more than
 * that; the one-segment question everything here asks is exact either way.
 */
#include <assert.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "signpost/sms.h"

#define GSM_SINGLE 160
#define GSM_PART 153
#define UCS2_SINGLE 70
#define UCS2_PART 67

/* The basic table's characters outside ASCII, as Unicode code points. */
static const uint16_t gsm_basic_extra[] = {
    0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, /* £ ¥ è é ù ì ò Ç */
    0x00D8, 0x00F8, 0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, /* Ø ø Å å Δ Φ Γ Λ */
    0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6, /* Ω Π Ψ Σ Θ Ξ Æ æ */
    0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6, 0x00D1, 0x00DC, /* ß É ¤ ¡ Ä Ö Ñ Ü */
    0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,         /* § ¿ ä ö ñ ü à */
};

/*
 * Septets for code point c in GSM-7: 1 in the basic table, 2 in the
 * extension table (escape + code), 0 when GSM-7 cannot carry it.
 */
static int gsm_septets(uint32_t c)
{
    if (c == '\n' || c == '\r')
        return 1;
    if (c >= 0x20 && c < 0x7F) {
        /* ASCII printables are all basic except the extension ones and ` */
        switch (c) {
        case '^': case '{': case '}': case '\\': case '[': case ']': case '~': case '|':
            return 2;
        case '`':
            return 0;
        default:
            return 1;
        }
    }
    if (c == 0x20AC || c == 0x0C) /* € and form feed live in the extension table */
        return 2;
    for (size_t i = 0; i < sizeof gsm_basic_extra / sizeof gsm_basic_extra[0]; i++)
        if (gsm_basic_extra[i] == c)
            return 1;
    return 0;
}

/*
 * Decodes one UTF-8 character at s into *cp; returns its byte length, or 0
 * for anything that is not well-formed UTF-8 (stray or missing continuation
 * bytes, overlong forms, surrogates, code points above U+10FFFF).
 */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    int len;
    uint32_t c = s[0];

    /* The lead byte gives the length; C0, C1 and F5..FF never lead. */
    if (c < 0x80)
        len = 1;
    else if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    c &= 0x7Fu >> (len - 1 + (len > 1));
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min_for_len[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static int segments_for(int units, int single, int part)
{
    assert(units >= 0 && part > 0);
    if (units <= single)
        return 1;
    return units / part + (units % part != 0);
}

sg_rc sms_count(const char *utf8, sms_length *out)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t septets = 0, utf16 = 0;
    int ucs2 = 0;

    assert(out);
    if (!utf8)
        return SG_EINVAL;
    while (*s) {
        uint32_t c = 0;
        int len = utf8_next(s, &c);
        if (!len)
            return SG_EINVAL;
        int g = gsm_septets(c);
        ucs2 |= g == 0;
        septets += (size_t)g;
        utf16 += c >= 0x10000 ? 2 : 1;
        /* A real text is at most a few kilobytes; refuse what could wrap an int. */
        if (utf16 > INT_MAX / 2)
            return SG_ETOOBIG;
        s += len;
    }
    out->ucs2 = ucs2;
    out->units = (int)(ucs2 ? utf16 : septets);
    out->segments = ucs2 ? segments_for(out->units, UCS2_SINGLE, UCS2_PART)
                         : segments_for(out->units, GSM_SINGLE, GSM_PART);
    return SG_OK;
}
