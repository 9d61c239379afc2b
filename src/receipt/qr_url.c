/*
 * What the receipt's QR code says (see receipt.h).  The patient scans it at
 * home, on their own data plan: it must point somewhere public, never at
 * the kiosk.  The clinic decides with a URL template; without one the code
 * opens the first resource's website or dials the clinic.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "signpost/buf.h"
#include "signpost/receipt.h"

/* Percent-encodes s into b, keeping RFC 3986 unreserved characters. */
static sg_rc add_encoded(sg_buf *b, const char *s)
{
    sg_rc rc = SG_OK;
    for (; *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("-._~", c))
            rc = sg_buf_add(b, s, 1);
        else
            rc = sg_buf_addf(b, "%%%02X", c);
    }
    return rc;
}

static void digits_of(const char *phone, char *out, size_t len)
{
    size_t n = 0;
    for (; *phone && n + 1 < len; phone++)
        if (isdigit((unsigned char)*phone))
            out[n++] = *phone;
    out[n] = '\0';
}

static sg_rc add_placeholder(sg_buf *b, const char *name, size_t len, const sg_resource *res,
                             size_t n, const char *clinic_phone, const char *lang)
{
    char digits[32];
    sg_rc rc = SG_OK;

    if (len == 11 && !strncmp(name, "service_ids", 11)) {
        for (size_t i = 0; i < n && !rc; i++) {
            if (i && (rc = sg_buf_adds(b, "%2C")))
                break;
            rc = add_encoded(b, res[i].service_id);
        }
        return rc;
    }
    if (len == 4 && !strncmp(name, "lang", 4))
        return add_encoded(b, lang ? lang : "en");
    if (len == 12 && !strncmp(name, "clinic_phone", 12)) {
        digits_of(clinic_phone ? clinic_phone : "", digits, sizeof digits);
        return add_encoded(b, digits);
    }
    return SG_EINVAL;
}

static sg_rc expand(const char *tmpl, const sg_resource *res, size_t n,
                    const char *clinic_phone, const char *lang, sg_buf *b, char *err,
                    size_t errlen)
{
    sg_rc rc = SG_OK;
    for (const char *p = tmpl; *p && !rc;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            rc = sg_buf_add(b, p++, 1);
            continue;
        }
        rc = add_placeholder(b, p + 1, (size_t)(close - p - 1), res, n, clinic_phone, lang);
        if (rc == SG_EINVAL)
            snprintf(err, errlen, "[receipt] qr_url: unknown placeholder %.*s (use "
                     "{service_ids}, {lang} or {clinic_phone})", (int)(close - p + 1), p);
        p = close + 1;
    }
    return rc;
}

sg_rc receipt_qr_payload(const char *tmpl, const sg_resource *res, size_t n,
                         const char *clinic_phone, const char *lang, char *out,
                         size_t outlen, char *err, size_t errlen)
{
    sg_buf b;
    char digits[32];
    sg_rc rc = SG_OK;

    sg_buf_init(&b, outlen ? outlen - 1 : 0);
    if (tmpl && *tmpl) {
        rc = expand(tmpl, res, n, clinic_phone, lang, &b, err, errlen);
    } else {
        for (size_t i = 0; i < n && !b.len && !rc; i++)
            if (res[i].url[0])
                rc = sg_buf_adds(&b, res[i].url);
        if (!b.len && !rc) {
            digits_of(clinic_phone ? clinic_phone : "", digits, sizeof digits);
            /* A ten-digit number is a NANP number: dial it with +1. */
            rc = sg_buf_addf(&b, "tel:%s%s", strlen(digits) == 10 ? "+1" : "", digits);
        }
    }
    if (!rc)
        snprintf(out, outlen, "%s", b.data ? b.data : "");
    if (rc == SG_ETOOBIG)
        snprintf(err, errlen, "[receipt] qr_url: the QR text would be too long");
    sg_buf_free(&b);
    return rc;
}
