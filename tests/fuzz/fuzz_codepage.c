/*
 * Fuzzes the UTF-8 -> printer code page conversion and the word wrap
 * (src/receipt/codepage.c, wrap.c) that every string on a receipt goes
 * through.  Directory text comes from outside the clinic, so it can hold
 * anything: invalid UTF-8, control characters, printer commands.
 *
 * The first byte picks the code page and the column count; the rest is the
 * text.  Invariants:
 *  - utf8_decode() always advances 1..4 bytes and yields a scalar value;
 *  - on a printer page no control byte (below 0x20, or 0x7F) is ever
 *    emitted, and the width of a string is exactly the bytes it becomes;
 *  - on CODEPAGE_NONE the result is valid UTF-8 without control characters,
 *    and cleaning the cleaned text twice over changes nothing;
 *  - a capped buffer is never overrun, and a cut conversion says so;
 *  - wrapped lines are slices of the input, in order, each no wider than
 *    the columns (a single character wider than a line excepted).
 */
#include <string.h>

#include "fuzz_common.h"
#include "signpost/codepage.h"

typedef struct {
    const char *text;
    size_t len, cols, last_end;
    codepage page;
} wrap_check;

static void check_decode(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t used = utf8_decode((const char *)data + i, size - i, &cp);
        FUZZ_CHECK(used >= 1 && used <= 4 && used <= size - i);
        FUZZ_CHECK(cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF));
        i += used;
    }
}

static void check_printer_page(codepage page, const char *s, size_t len)
{
    sg_buf out;

    sg_buf_init(&out, 16 * len + 16);
    FUZZ_CHECK(codepage_encode(page, s, len, &out) == SG_OK);
    for (size_t i = 0; i < out.len; i++) {
        unsigned char c = (unsigned char)out.data[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    }
    FUZZ_CHECK(codepage_width(page, s, len) == out.len);
    sg_buf_free(&out);
}

static void check_utf8_page(const char *s, size_t len)
{
    sg_buf out, again;

    sg_buf_init(&out, 16 * len + 16);
    sg_buf_init(&again, 16 * len + 16);
    FUZZ_CHECK(codepage_encode(CODEPAGE_NONE, s, len, &out) == SG_OK);
    for (size_t i = 0; i < out.len;) {
        uint32_t cp;
        size_t used = utf8_decode(out.data + i, out.len - i, &cp);
        /* U+FFFD from one byte would mean the output is not valid UTF-8. */
        FUZZ_CHECK(cp != 0xFFFD || used == 3);
        FUZZ_CHECK(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0));
        i += used;
    }
    /* Cleaning drops invisible characters, which can bring a letter and a
     * combining accent together ("o", U+200F, U+0302): the next pass then
     * composes them ("ô").  So the second pass is the fixed point, and
     * composition never chains, so a third changes nothing. */
    FUZZ_CHECK(codepage_encode(CODEPAGE_NONE, out.data ? out.data : "", out.len, &again) ==
               SG_OK);
    sg_buf_reset(&out);
    FUZZ_CHECK(codepage_encode(CODEPAGE_NONE, again.data ? again.data : "", again.len,
                               &out) == SG_OK);
    FUZZ_CHECK(again.len == out.len && (!out.len || !memcmp(again.data, out.data, out.len)));
    sg_buf_free(&again);
    sg_buf_free(&out);
}

static void check_cap(codepage page, const char *s, size_t len, size_t cap)
{
    sg_buf out;
    sg_rc rc;

    sg_buf_init(&out, cap);
    rc = codepage_encode(page, s, len, &out);
    FUZZ_CHECK(rc == SG_OK || rc == SG_ETOOBIG);
    FUZZ_CHECK(out.len <= cap);
    sg_buf_free(&out);
}

static sg_rc on_line(void *ctx, const char *line, size_t len)
{
    wrap_check *w = ctx;
    size_t width = codepage_width(w->page, line, len);
    uint32_t cp;

    FUZZ_CHECK(line >= w->text + w->last_end && line + len <= w->text + w->len);
    w->last_end = (size_t)(line - w->text) + len;
    if (width > w->cols) {
        /* Only one character that is itself wider than the line. */
        size_t used = len ? utf8_decode(line, len, &cp) : 0;
        FUZZ_CHECK(used > 0 && codepage_width(w->page, line, used) > w->cols);
    }
    return SG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const codepage pages[] = {CODEPAGE_CP437, CODEPAGE_CP850, CODEPAGE_CP858,
                                     CODEPAGE_WPC1252};
    codepage page;
    char *s;
    size_t len;

    if (size < 1 || size > 8192)
        return 0;
    page = pages[data[0] & 3];
    check_decode(data + 1, size - 1);
    s = fuzz_cstr(data + 1, size - 1);
    len = strlen(s);
    check_printer_page(page, s, len);
    check_utf8_page(s, len);
    check_cap(page, s, len, data[0] % 17);
    wrap_check w = {s, len, 1 + (size_t)(data[0] >> 2) % 48, 0, page};
    FUZZ_CHECK(text_wrap(s, w.cols, page, on_line, &w) == SG_OK);
    w.page = CODEPAGE_NONE;
    w.last_end = 0;
    FUZZ_CHECK(text_wrap(s, w.cols, CODEPAGE_NONE, on_line, &w) == SG_OK);
    free(s);
    return 0;
}
