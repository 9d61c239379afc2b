/*
 * The ESC/POS encoder (see escpos.h).  It walks the receipt model once and
 * remembers the print mode and alignment it last sent, so each costs bytes
 * only when it changes: on a 9600-baud serial line every byte is a
 * millisecond, and a receipt with native QR should be little more than its
 * own text.
 *
 * Raster QR: the symbol is scaled to whole dots per module (smaller modules
 * if the profile's size would not fit the paper with its quiet zone),
 * packed MSB-first with 1 = black as GS v 0 wants, and sent in bands of at
 * most max_raster_rows rows because some printers refuse taller images.
 * The quiet zone above and below is an ESC J paper feed, and the one at the
 * sides is the blank paper around the centred image: white dots sent as
 * bytes would cost seconds on a slow line and print nothing.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/codepage.h"
#include "signpost/escpos.h"
#include "receipt_internal.h"

#define ESC 0x1B
#define GS 0x1D
#define LF 0x0A

/* ESC ! bits. */
#define MODE_FONT_B 0x01
#define MODE_BOLD 0x08
#define MODE_TALL 0x10
#define MODE_WIDE 0x20

/* The widest raster row we build, as the profile loader allows. */
#define RASTER_MAX_DOTS 4096

/* Bytes a QR code can hold (version 40, level L) plus the 3 of the header. */
#define QR_MAX_STORE (2953 + 3)

typedef struct {
    sg_buf *out;
    const printer_profile *p;
    int mode;  /* last ESC ! sent (0 after ESC @) */
    int align; /* last ESC a sent (0 = left after ESC @) */
} encoder;

static sg_rc put(encoder *e, const unsigned char *bytes, size_t n)
{
    return sg_buf_add(e->out, bytes, n);
}

static sg_rc set_mode(encoder *e, unsigned style)
{
    int mode = 0;
    unsigned char cmd[3] = {ESC, '!', 0};

    if ((style & RECEIPT_SMALL) && e->p->columns_font_b)
        mode |= MODE_FONT_B;
    if (style & RECEIPT_BOLD)
        mode |= MODE_BOLD;
    if (style & RECEIPT_TALL)
        mode |= MODE_TALL;
    if (style & RECEIPT_WIDE)
        mode |= MODE_WIDE;
    if (mode == e->mode)
        return SG_OK;
    e->mode = mode;
    cmd[2] = (unsigned char)mode;
    return put(e, cmd, sizeof cmd);
}

static sg_rc set_align(encoder *e, unsigned style)
{
    int align = (style & RECEIPT_CENTER) ? 1 : 0;
    unsigned char cmd[3] = {ESC, 'a', (unsigned char)align};

    if (align == e->align)
        return SG_OK;
    e->align = align;
    return put(e, cmd, sizeof cmd);
}

static sg_rc text_line(encoder *e, const receipt_line *l)
{
    static const unsigned char lf = LF;
    sg_rc rc;

    /* A blank line has nothing to align or embolden; only double height
       would change the gap it leaves. */
    if (!l->text[0]) {
        if ((e->mode & MODE_TALL) && (rc = set_mode(e, l->style)))
            return rc;
        return put(e, &lf, 1);
    }
    if ((rc = set_align(e, l->style)) || (rc = set_mode(e, l->style)) ||
        (rc = codepage_encode(e->p->page, l->text, strlen(l->text), e->out)))
        return rc;
    return put(e, &lf, 1);
}

/* The low and high bytes of a 16-bit parameter (nL nH in Epson's notation). */
static unsigned char lo(int n)
{
    return (unsigned char)(n & 0xFF);
}

static unsigned char hi(int n)
{
    return (unsigned char)((n >> 8) & 0xFF);
}

static int clamp_module(int module)
{
    return module < 1 ? 1 : module > 16 ? 16 : module;
}

static sg_rc qr_native(encoder *e, const receipt_line *l)
{
    size_t k = strlen(l->text) + 3;
    const unsigned char model[] = {GS, '(', 'k', 4, 0, '1', 'A', '2', 0};
    const unsigned char size[] = {
        GS, '(', 'k', 3, 0, '1', 'C', (unsigned char)clamp_module(l->qr_module)};
    const unsigned char level_m[] = {GS, '(', 'k', 3, 0, '1', 'E', '1'};
    const unsigned char store[] = {GS, '(', 'k', lo((int)k), hi((int)k), '1', 'P', '0'};
    const unsigned char print[] = {GS, '(', 'k', 3, 0, '1', 'Q', '0'};
    sg_rc rc;

    if (k > QR_MAX_STORE)
        return SG_ETOOBIG;
    if ((rc = set_align(e, RECEIPT_CENTER)) || (rc = put(e, model, sizeof model)) ||
        (rc = put(e, size, sizeof size)) || (rc = put(e, level_m, sizeof level_m)) ||
        (rc = put(e, store, sizeof store)) ||
        (rc = put(e, (const unsigned char *)l->text, k - 3)))
        return rc;
    return put(e, print, sizeof print);
}

/* One GS v 0 band: rows [y0, y0 + h) of the symbol scaled by module. */
static sg_rc raster_band(encoder *e, const receipt_qr *qr, int module, int y0, int h)
{
    int dots = qr->size * module, width = (dots + 7) / 8;
    const unsigned char head[8] = {GS, 'v', '0', 0, lo(width), hi(width), lo(h), hi(h)};
    unsigned char row[RASTER_MAX_DOTS / 8];
    sg_rc rc;

    assert(width <= (int)sizeof row);
    if ((rc = put(e, head, sizeof head)))
        return rc;
    for (int y = y0; y < y0 + h; y++) {
        const unsigned char *dark = qr->dark + (size_t)(y / module) * (size_t)qr->size;
        memset(row, 0, (size_t)width);
        for (int x = 0; x < dots; x++)
            if (dark[x / module])
                row[x / 8] |= (unsigned char)(0x80u >> (x % 8));
        if ((rc = put(e, row, (size_t)width)))
            return rc;
    }
    return SG_OK;
}

static sg_rc qr_raster(encoder *e, const receipt_line *l)
{
    receipt_qr *qr = NULL;
    int module = clamp_module(l->qr_module), dots;
    /* A hand-made profile is not checked by the loader: stay in bounds. */
    int paper =
        e->p->dots_per_line < RASTER_MAX_DOTS ? e->p->dots_per_line : RASTER_MAX_DOTS;
    int band = e->p->max_raster_rows > 0 ? e->p->max_raster_rows : 1;
    unsigned char feed[3] = {ESC, 'J', 0};
    sg_rc rc;

    if ((rc = receipt_qr_make(l->text, &qr)))
        goto out;
    while (module > 1 && (qr->size + 2 * RECEIPT_QR_QUIET) * module > paper)
        module--;
    if ((qr->size + 2 * RECEIPT_QR_QUIET) * module > paper) {
        rc = SG_ETOOBIG;
        goto out;
    }
    dots = qr->size * module;
    feed[2] = (unsigned char)(RECEIPT_QR_QUIET * module);
    if ((rc = set_align(e, RECEIPT_CENTER)) || (rc = put(e, feed, sizeof feed)))
        goto out;
    for (int y = 0; y < dots; y += band)
        if ((rc = raster_band(e, qr, module, y, dots - y < band ? dots - y : band)))
            goto out;
    rc = put(e, feed, sizeof feed);
out:
    receipt_qr_free(qr);
    return rc;
}

static sg_rc finish(encoder *e, const receipt_model *m)
{
    const unsigned char cut[] = {GS, 'V', 66, 0};
    const unsigned char tear[] = {ESC, 'd', ESCPOS_TEAR_FEED_LINES};

    if (!m->cut)
        return SG_OK;
    return e->p->cutter ? put(e, cut, sizeof cut) : put(e, tear, sizeof tear);
}

sg_rc escpos_encode(const receipt_model *m, const printer_profile *p, sg_buf *out)
{
    encoder e = {out, p, 0, 0};
    size_t start = out->len;
    const unsigned char init[] = {ESC, '@', ESC, 't', (unsigned char)p->codepage_esc_t};
    sg_rc rc;

    if ((rc = put(&e, init, sizeof init)))
        goto out;
    for (size_t i = 0; i < m->nlines; i++) {
        const receipt_line *l = &m->lines[i];
        if (l->kind == RECEIPT_TEXT)
            rc = text_line(&e, l);
        else
            rc = p->native_qr ? qr_native(&e, l) : qr_raster(&e, l);
        if (rc)
            goto out;
    }
    rc = finish(&e, m);
out:
    if (rc && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
