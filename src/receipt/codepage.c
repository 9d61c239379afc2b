/*
 * UTF-8 to printer code pages (see codepage.h).
 *
 * The upper halves of CP437 and CP850 are written out below from the IBM
 * code page definitions; CP858 is CP850 with the euro sign in place of the
 * dotless i at D5, and WPC1252 is Latin-1 in A0-FF with Microsoft's
 * additions in 80-9F.  Lookup is a scan of 128 entries: a receipt is a few
 * hundred characters, and a scan has no table to build or get wrong.
 *
 * Transliteration applies only when the page lacks a character, so it
 * never hides a letter the printer can print.  Its results are plain ASCII
 * of at most three bytes ("EUR", "..."), which is what the word-wrapper
 * counts as the character's width.
 */
#include <assert.h>
#include <string.h>

#include "signpost/codepage.h"
#include "receipt_internal.h"

#define REPLACEMENT 0xFFFDu

/* clang-format off */
static const uint16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, /* 80 */
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, /* 88 */
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, /* 90 */
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, /* 98 */
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, /* A0 */
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, /* A8 */
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, /* B0 */
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, /* B8 */
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, /* C0 */
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, /* C8 */
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, /* D0 */
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, /* D8 */
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, /* E0 */
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229, /* E8 */
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, /* F0 */
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0, /* F8 */
};

static const uint16_t cp850_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, /* 80 */
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, /* 88 */
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, /* 90 */
    0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192, /* 98 */
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, /* A0 */
    0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, /* A8 */
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0, /* B0 */
    0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510, /* B8 */
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3, /* C0 */
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4, /* C8 */
    0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE, /* D0 */
    0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580, /* D8 */
    0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE, /* E0 */
    0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4, /* E8 */
    0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8, /* F0 */
    0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0, /* F8 */
};

/* WPC1252 80-9F; zero marks the five unassigned positions. */
static const uint16_t wpc1252_80[32] = {
    0x20AC, 0x0000, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 80 */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x0000, 0x017D, 0x0000, /* 88 */
    0x0000, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90 */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x0000, 0x017E, 0x0178, /* 98 */
};

/* clang-format on */

#define CP858_EURO_AT 0xD5

static const struct {
    codepage page;
    const char *name;
} page_names[] = {
    {CODEPAGE_CP437, "CP437"},    {CODEPAGE_CP850, "CP850"},
    {CODEPAGE_CP858, "CP858"},    {CODEPAGE_WPC1252, "WPC1252"},
    {CODEPAGE_WPC1252, "CP1252"},
};

codepage codepage_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof page_names / sizeof page_names[0]; i++)
        if (strcmp(name, page_names[i].name) == 0)
            return page_names[i].page;
    return CODEPAGE_NONE;
}

const char *codepage_name(codepage page)
{
    for (size_t i = 0; i < sizeof page_names / sizeof page_names[0]; i++)
        if (page_names[i].page == page)
            return page_names[i].name;
    return "UTF-8";
}

/* The code point at byte b (0x80-0xFF) of page; 0 when unassigned. */
static uint32_t page_char(codepage page, unsigned b)
{
    assert(b >= 0x80 && b <= 0xFF);
    switch (page) {
    case CODEPAGE_CP437:
        return cp437_high[b - 0x80];
    case CODEPAGE_CP850:
        return cp850_high[b - 0x80];
    case CODEPAGE_CP858:
        return b == CP858_EURO_AT ? 0x20AC : cp850_high[b - 0x80];
    case CODEPAGE_WPC1252:
        return b < 0xA0 ? wpc1252_80[b - 0x80] : b;
    case CODEPAGE_NONE:
        break;
    }
    return 0;
}

unsigned char codepage_lookup(codepage page, uint32_t cp)
{
    if (page == CODEPAGE_NONE || cp < 0xA0 || cp == REPLACEMENT)
        return 0;
    for (unsigned b = 0x80; b <= 0xFF; b++)
        if (page_char(page, b) == cp)
            return (unsigned char)b;
    return 0;
}

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c, min;
    size_t len;

    assert(n > 0);
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        len = 2, c = u[0] & 0x1Fu, min = 0x80;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        len = 3, c = u[0] & 0x0Fu, min = 0x800;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        len = 4, c = u[0] & 0x07u, min = 0x10000;
    else
        goto bad;
    if (len > n)
        goto bad;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            goto bad;
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return len;
bad:
    *cp = REPLACEMENT;
    return 1;
}

/*
 * Latin-1 A0-FF without its accents.  The accent each letter carries is in
 * latin1_marks, so a letter followed by a combining accent can be composed.
 */
/* clang-format off */
static const char *const latin1_fold[96] = {
    " ", "!", "c", "GBP", "?", "JPY", "|", "?", /* A0 */
    "\"", "(c)", "a", "<<", "-", "", "(R)", "-", /* A8 */
    "o", "+/-", "2", "3", "'", "u", "?", ".", /* B0 */
    ",", "1", "o", ">>", "1/4", "1/2", "3/4", "?", /* B8 */
    "A", "A", "A", "A", "A", "A", "AE", "C", /* C0 */
    "E", "E", "E", "E", "I", "I", "I", "I", /* C8 */
    "D", "N", "O", "O", "O", "O", "O", "x", /* D0 */
    "O", "U", "U", "U", "U", "Y", "Th", "ss", /* D8 */
    "a", "a", "a", "a", "a", "a", "ae", "c", /* E0 */
    "e", "e", "e", "e", "i", "i", "i", "i", /* E8 */
    "d", "n", "o", "o", "o", "o", "o", "/", /* F0 */
    "o", "u", "u", "u", "u", "y", "th", "y", /* F8 */
};

/* C0-FF: ` grave, ' acute, ^ circumflex, ~ tilde, : diaeresis, o ring, , cedilla. */
static const char latin1_marks[] = "`'^~:o-,`'^:`'^:-~`'^~:--`'^:'--"
                                   "`'^~:o-,`'^:`'^:-~`'^~:--`'^:'-:";

/* Latin Extended-A 0100-017F without accents; ligatures are handled apart. */
static const char ext_a_fold[] = "AaAaAaCcCcCcCcDd" "DdEeEeEeEeEeGgGg" "GgGgHhHhIiIiIiIi"
                                 "IiJjJjKkkLlLlLlL" "lLlNnNnNnnNnOoOo" "OoOoRrRrRrSsSsSs"
                                 "SsTtTtTtUuUuUuUu" "UuUuWwYyYZzZzZzs";
_Static_assert(sizeof ext_a_fold == 0x80 + 1, "one letter per code point 0100-017F");
_Static_assert(sizeof latin1_marks == 0x40 + 1, "one mark per code point C0-FF");

/* clang-format on */

/* Transliterations outside the two Latin blocks, sorted by code point. */
static const struct {
    uint32_t cp;
    const char *ascii;
} translit_table[] = {
    {0x0192, "f"},  {0x02C6, "^"},   {0x02DC, "~"},   {0x2010, "-"},   {0x2011, "-"},
    {0x2012, "-"},  {0x2013, "-"},   {0x2014, "-"},   {0x2015, "-"},   {0x2017, "_"},
    {0x2018, "'"},  {0x2019, "'"},   {0x201A, "'"},   {0x201B, "'"},   {0x201C, "\""},
    {0x201D, "\""}, {0x201E, "\""},  {0x201F, "\""},  {0x2020, "+"},   {0x2022, "*"},
    {0x2024, "."},  {0x2026, "..."}, {0x2032, "'"},   {0x2033, "\""},  {0x2039, "<"},
    {0x203A, ">"},  {0x2044, "/"},   {0x20A7, "Pts"}, {0x20AC, "EUR"}, {0x2122, "TM"},
    {0x2190, "<-"}, {0x2192, "->"},  {0x2212, "-"},   {0x2219, "."},   {0x2248, "~"},
    {0x2264, "<="}, {0x2265, ">="},  {0x2500, "-"},   {0x2502, "|"},   {0x25A0, "#"},
};

static int zero_width(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || cp == 0x00AD ||
           (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 || cp == 0xFEFF;
}

static int wide_space(uint32_t cp)
{
    return (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* ASCII stand-in for cp (1 to 3 bytes, or 0 for zero-width); "?" when none. */
static size_t translit(uint32_t cp, unsigned char out[4])
{
    const char *s = "?";
    size_t lo = 0, hi = sizeof translit_table / sizeof translit_table[0];

    if (zero_width(cp))
        return 0;
    if (cp >= 0xA0 && cp <= 0xFF)
        s = latin1_fold[cp - 0xA0];
    else if (cp == 0x0132 || cp == 0x0133 || cp == 0x0152 || cp == 0x0153)
        s = cp == 0x0132 ? "IJ" : cp == 0x0133 ? "ij" : cp == 0x0152 ? "OE" : "oe";
    else if (cp >= 0x0100 && cp <= 0x017F) {
        out[0] = (unsigned char)ext_a_fold[cp - 0x100];
        return 1;
    } else if (wide_space(cp))
        s = " ";
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (translit_table[mid].cp == cp) {
            s = translit_table[mid].ascii;
            break;
        }
        if (translit_table[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(strlen(s) <= 3);
    memcpy(out, s, strlen(s));
    return strlen(s);
}

static size_t utf8_encode(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t receipt_map_char(codepage page, uint32_t cp, unsigned char out[4])
{
    unsigned char b;

    /* Controls would be commands to the printer: never pass one through. */
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
        out[0] = cp == '\t' || cp == '\n' || cp == '\r' ? ' ' : '?';
        return 1;
    }
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp == REPLACEMENT) {
        out[0] = '?';
        return 1;
    }
    if (page == CODEPAGE_NONE)
        return zero_width(cp) && !(cp >= 0x0300 && cp <= 0x036F) ? 0
                                                                 : utf8_encode(cp, out);
    if (zero_width(cp))
        return 0;
    b = codepage_lookup(page, cp);
    if (b) {
        out[0] = b;
        return 1;
    }
    return translit(cp, out);
}

size_t receipt_char_width(codepage page, uint32_t cp)
{
    unsigned char tmp[4];
    size_t n = receipt_map_char(page, cp, tmp);

    if (page == CODEPAGE_NONE)
        return n && !(cp >= 0x0300 && cp <= 0x036F) ? 1 : 0;
    return n;
}

static char mark_symbol(uint32_t mark)
{
    switch (mark) {
    case 0x0300:
        return '`';
    case 0x0301:
        return '\'';
    case 0x0302:
        return '^';
    case 0x0303:
        return '~';
    case 0x0308:
        return ':';
    case 0x030A:
        return 'o';
    case 0x0327:
        return ',';
    default:
        return 0;
    }
}

/* The Latin-1 letter that is base plus mark, or 0. */
static uint32_t compose(uint32_t base, uint32_t mark)
{
    char sym = mark_symbol(mark);

    if (!sym || base >= 0x80 || !((base | 0x20) >= 'a' && (base | 0x20) <= 'z'))
        return 0;
    for (uint32_t c = 0xC0; c <= 0xFF; c++)
        if (latin1_marks[c - 0xC0] == sym && latin1_fold[c - 0xA0][0] == (char)base &&
            latin1_fold[c - 0xA0][1] == '\0')
            return c;
    return 0;
}

size_t receipt_next_glyph(const char *s, size_t n, uint32_t *cp)
{
    uint32_t mark, composed;
    size_t used = utf8_decode(s, n, cp);

    if (used < n) {
        size_t more = utf8_decode(s + used, n - used, &mark);
        composed = compose(*cp, mark);
        if (composed) {
            *cp = composed;
            used += more;
        }
    }
    return used;
}

size_t codepage_width(codepage page, const char *utf8, size_t len)
{
    size_t w = 0, i = 0;
    uint32_t cp;

    while (i < len) {
        i += receipt_next_glyph(utf8 + i, len - i, &cp);
        w += receipt_char_width(page, cp);
    }
    return w;
}

sg_rc codepage_encode(codepage page, const char *utf8, size_t len, sg_buf *out)
{
    unsigned char bytes[4];
    size_t i = 0, n;
    uint32_t cp;
    sg_rc rc = SG_OK;

    while (i < len) {
        i += receipt_next_glyph(utf8 + i, len - i, &cp);
        n = receipt_map_char(page, cp, bytes);
        if (n && (rc = sg_buf_add(out, bytes, n)))
            break;
    }
    return rc;
}
