/*
 * The QR symbol as a plain matrix (see receipt_internal.h), made once by
 * libqrencode and drawn twice: as raster dots for printers without QR
 * commands and as SVG for the preview.  Level M, as for the native
 * symbol, so all three renderings hold the same code.
 */
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "receipt_internal.h"

sg_rc receipt_qr_make(const char *payload, receipt_qr **out)
{
    QRcode *code = NULL;
    receipt_qr *qr = NULL;
    sg_rc rc = SG_OK;
    size_t cells;

    *out = NULL;
    if (!payload || !*payload)
        return SG_EINVAL;
    errno = 0;
    code = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!code) {
        rc = errno == ENOMEM ? SG_ENOMEM : errno == ERANGE ? SG_ETOOBIG : SG_EINVAL;
        goto out;
    }
    cells = (size_t)code->width * (size_t)code->width;
    qr = calloc(1, sizeof *qr);
    if (!qr || !(qr->dark = malloc(cells))) {
        rc = SG_ENOMEM;
        goto out;
    }
    qr->size = code->width;
    /* libqrencode's bit 0 is "dark"; the other bits describe the module's role. */
    for (size_t i = 0; i < cells; i++)
        qr->dark[i] = code->data[i] & 1u;
    *out = qr;
    qr = NULL;
out:
    receipt_qr_free(qr);
    if (code)
        QRcode_free(code);
    return rc;
}

void receipt_qr_free(receipt_qr *qr)
{
    if (!qr)
        return;
    free(qr->dark);
    free(qr);
}
