/*
 * Helpers shared by the files of the receipt module and by nothing else:
 * the glyph iterator the code page converter and the word-wrapper both use
 * (so that wrapping and printing agree on every character's width), and
 * the QR matrix that the raster encoder and the HTML preview both draw.
 */
#ifndef SIGNPOST_RECEIPT_INTERNAL_H
#define SIGNPOST_RECEIPT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/codepage.h"
#include "signpost/result.h"

/*
 * Reads the next glyph of s (n > 0 bytes): one code point, plus a combining
 * accent that composes with it.  Sets *cp to the (composed) code point and
 * returns the bytes used, at least 1.
 */
size_t receipt_next_glyph(const char *s, size_t n, uint32_t *cp);

/*
 * What cp becomes on page: writes up to 4 bytes to out and returns how
 * many (0 for characters that print as nothing: zero-width and combining
 * marks).  On CODEPAGE_NONE out is the UTF-8 encoding of cp.
 */
size_t receipt_map_char(codepage page, uint32_t cp, unsigned char out[4]);

/* Printed width of one mapped character (see codepage.h). */
size_t receipt_char_width(codepage page, uint32_t cp);

/*
 * A QR symbol as a square of modules, without the quiet zone: dark[y * size
 * + x] is 1 for a dark module.  Error correction level M, byte mode.  The
 * caller frees it with receipt_qr_free(), which accepts NULL.
 */
typedef struct {
    int size;
    unsigned char *dark;
} receipt_qr;

/* SG_EINVAL for an empty payload, SG_ETOOBIG when it cannot fit a QR code. */
sg_rc receipt_qr_make(const char *payload, receipt_qr **out);
void receipt_qr_free(receipt_qr *qr);

/* Modules of blank margin a reader needs around the symbol (ISO 18004). */
#define RECEIPT_QR_QUIET 4

#endif
