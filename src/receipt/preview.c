/*
 * The receipt preview (see receipt.h): the same model the printer gets,
 * drawn as HTML for the staff console and demo mode.  Styles are class
 * names and the look lives in one stylesheet (receipt_preview_css()), so
 * the fragment needs no style attribute and no script and fits a strict
 * Content-Security-Policy.  The QR code is an SVG path drawn from the same
 * libqrencode matrix the raster printer path uses: one horizontal run of
 * dark modules per subpath keeps it a few hundred bytes.
 */
#include <string.h>

#include "signpost/codepage.h"
#include "signpost/receipt.h"
#include "receipt_internal.h"

#define LINE_CAP 4096

static const char preview_css[] =
    ".sg-receipt{display:inline-block;box-sizing:content-box;background:#fff;color:#000;"
    "font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;font-size:14px;"
    "line-height:1.3;padding:12px 10px;box-shadow:0 1px 4px rgba(0,0,0,.35)}\n"
    /* pre-wrap on the lines only: the newlines between them are markup */
    ".sg-receipt p{margin:0;min-height:1.3em;"
    "white-space:pre-wrap;overflow-wrap:anywhere}\n"
    ".sg-cols-32{width:32ch}.sg-cols-42{width:42ch}.sg-cols-48{width:48ch}\n"
    ".sg-bold{font-weight:bold}\n"
    ".sg-center{text-align:center}\n"
    ".sg-receipt .sg-tall{transform:scaleY(2);transform-origin:top;margin-bottom:1.3em}\n"
    ".sg-wide{letter-spacing:1ch}\n"
    ".sg-small{font-size:.76em;line-height:1.7}\n"
    ".sg-qr{text-align:center;margin:.4em 0}\n"
    ".sg-qr svg{width:11em;height:11em}\n"
    ".sg-cut{border:0;border-top:1px dashed #888;margin:1em 0 0}\n";

const char *receipt_preview_css(void)
{
    return preview_css;
}

/* Appends s as HTML text: cleaned to valid UTF-8, then escaped. */
static sg_rc add_escaped(sg_buf *out, const char *s)
{
    sg_buf clean;
    sg_rc rc;

    sg_buf_init(&clean, LINE_CAP);
    rc = codepage_encode(CODEPAGE_NONE, s, strlen(s), &clean);
    for (size_t i = 0; !rc && i < clean.len; i++) {
        switch (clean.data[i]) {
        case '&':
            rc = sg_buf_adds(out, "&amp;");
            break;
        case '<':
            rc = sg_buf_adds(out, "&lt;");
            break;
        case '>':
            rc = sg_buf_adds(out, "&gt;");
            break;
        case '"':
            rc = sg_buf_adds(out, "&quot;");
            break;
        case '\'':
            rc = sg_buf_adds(out, "&#39;");
            break;
        default:
            rc = sg_buf_add(out, &clean.data[i], 1);
            break;
        }
    }
    sg_buf_free(&clean);
    return rc;
}

static sg_rc add_classes(sg_buf *out, const char *base, unsigned style)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{RECEIPT_BOLD, " sg-bold"},
                 {RECEIPT_TALL, " sg-tall"},
                 {RECEIPT_WIDE, " sg-wide"},
                 {RECEIPT_CENTER, " sg-center"},
                 {RECEIPT_SMALL, " sg-small"}};
    sg_rc rc = sg_buf_adds(out, base);

    for (size_t i = 0; !rc && i < sizeof names / sizeof names[0]; i++)
        if (style & names[i].bit)
            rc = sg_buf_adds(out, names[i].name);
    return rc;
}

static sg_rc text_line(sg_buf *out, const receipt_line *l)
{
    sg_rc rc;

    if ((rc = sg_buf_adds(out, "<p class=\"")) ||
        (rc = add_classes(out, l->text[0] ? "sg-line" : "sg-line sg-blank", l->style)) ||
        (rc = sg_buf_adds(out, "\">")) || (rc = add_escaped(out, l->text)))
        return rc;
    return sg_buf_adds(out, "</p>\n");
}

static sg_rc qr_svg(sg_buf *out, const receipt_line *l)
{
    receipt_qr *qr = NULL;
    int side;
    sg_rc rc;

    if ((rc = receipt_qr_make(l->text, &qr)))
        goto out;
    side = qr->size + 2 * RECEIPT_QR_QUIET;
    if ((rc = sg_buf_addf(
             out,
             "<div class=\"sg-qr\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"QR code\" "
             "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
             "fill=\"#fff\"/><path fill=\"#000\" d=\"",
             side, side, side, side)))
        goto out;
    for (int y = 0; y < qr->size; y++)
        for (int x = 0; x < qr->size;) {
            int run = 0;
            while (x + run < qr->size && qr->dark[y * qr->size + x + run])
                run++;
            if (run && (rc = sg_buf_addf(out, "M%d %dh%dv1h-%dz", x + RECEIPT_QR_QUIET,
                                         y + RECEIPT_QR_QUIET, run, run)))
                goto out;
            x += run ? run : 1;
        }
    rc = sg_buf_adds(out, "\"/></svg></div>\n");
out:
    receipt_qr_free(qr);
    return rc;
}

sg_rc receipt_preview_html(const receipt_model *m, sg_buf *out)
{
    size_t start = out->len;
    sg_rc rc;

    if ((rc = sg_buf_addf(out, "<div class=\"sg-receipt sg-cols-%d\">\n", m->columns)))
        goto out;
    for (size_t i = 0; i < m->nlines; i++) {
        const receipt_line *l = &m->lines[i];
        rc = l->kind == RECEIPT_TEXT ? text_line(out, l) : qr_svg(out, l);
        if (rc)
            goto out;
    }
    if (m->cut && (rc = sg_buf_adds(out, "<hr class=\"sg-cut\">\n")))
        goto out;
    rc = sg_buf_adds(out, "</div>\n");
out:
    if (rc && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
