/*
 * Text for a receipt printer: UTF-8 in, one byte per printed character out,
 * and word-wrapping that counts what the paper will show.
 *
 * A thermal printer prints single bytes through the code page chosen with
 * ESC t, and the most common fault of ESC/POS software is garbled accents
 * (UTF-8 sent raw, or no ESC t).  So every string the kiosk prints is
 * converted here from UTF-8 to the profile's page.  Characters the page
 * holds are mapped exactly (every Spanish letter is on CP850, CP858 and
 * WPC1252); characters it lacks are transliterated to ASCII (á->a, €->"EUR",
 * curly quotes->straight, dashes->'-', ellipsis->"..."); anything else
 * prints as '?'.  Control characters never reach the printer: a directory
 * entry could otherwise smuggle printer commands onto the paper.  Invalid
 * UTF-8 becomes '?'.  A base letter followed by a combining accent (the
 * decomposed form some sources use) is printed as the precomposed letter.
 *
 * The width of a string on a page is the number of bytes it becomes there,
 * so text_wrap() breaks lines where the paper will, even when a
 * transliteration is longer than the character it replaces.  With
 * CODEPAGE_NONE nothing is transliterated: width counts code points and
 * codepage_encode() yields clean UTF-8 (for previews and for cleaning
 * outside input before layout).
 *
 * Everything here is pure; output goes to a caller-owned sg_buf.
 */
#ifndef SIGNPOST_CODEPAGE_H
#define SIGNPOST_CODEPAGE_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/buf.h"
#include "signpost/result.h"

typedef enum {
    CODEPAGE_NONE = 0, /* stay in UTF-8: width counts code points */
    CODEPAGE_CP437,
    CODEPAGE_CP850,
    CODEPAGE_CP858, /* CP850 with € at D5 */
    CODEPAGE_WPC1252
} codepage;

/* "CP437", "CP850", "CP858", "WPC1252" (also "CP1252"); CODEPAGE_NONE if unknown. */
codepage codepage_from_name(const char *name);
const char *codepage_name(codepage page);

/*
 * Decodes one code point from s, which has n > 0 bytes.  Returns the bytes
 * used (1 to 4).  An invalid, overlong, surrogate or truncated sequence
 * yields U+FFFD and uses exactly one byte, so decoding always advances.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* The byte for cp on page (0x80-0xFF), or 0 when the page lacks it. */
unsigned char codepage_lookup(codepage page, uint32_t cp);

/* Printed width of utf8[0..len) on page (see above). */
size_t codepage_width(codepage page, const char *utf8, size_t len);

/*
 * Appends utf8[0..len) converted to page to out.  On CODEPAGE_NONE the
 * result is valid UTF-8 without control characters.  SG_ETOOBIG when out's
 * cap is reached (out then holds a truncated conversion).
 */
sg_rc codepage_encode(codepage page, const char *utf8, size_t len, sg_buf *out);

/*
 * Word-wraps utf8 to lines of at most cols printed cells on page and calls
 * emit for each line with a slice of the input (no copy; leading and
 * trailing blanks trimmed).  Breaks at spaces and tabs; '\n' forces a
 * break.  A word longer than a line is split between characters, never
 * inside a UTF-8 sequence or between a letter and its combining accent.
 * A phone number written with spaces ("(217) 555-0101") is kept on one
 * line when it fits on one.  emit's non-zero result stops the wrap and is
 * returned.
 */
typedef sg_rc (*text_line_fn)(void *ctx, const char *line, size_t len);
sg_rc text_wrap(const char *utf8, size_t cols, codepage page, text_line_fn emit,
                void *ctx);

#endif
