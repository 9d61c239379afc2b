/*
 * Percent-encoding (see url.h).  Decoding happens in place in one copy of
 * the body, so a form of any shape costs one allocation of its own size.
 */
#include <stdlib.h>
#include <string.h>

#include "signpost/url.h"

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

sg_rc url_escape(const char *in, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (o + 4 > outlen)
            return SG_ETOOBIG;
        if (unreserved(*p)) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (o + 1 > outlen)
        return SG_ETOOBIG;
    out[o] = '\0';
    return SG_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s in place; 0 on success, -1 on a bad escape or a NUL byte. */
static int decode(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '+') {
            *w++ = ' ';
        } else if (*r == '%') {
            int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
            if (lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return 0;
}

sg_rc form_parse(const char *body, size_t len, form_data *f)
{
    char *save = NULL, *pair;

    memset(f, 0, sizeof *f);
    if (memchr(body, '\0', len))
        return SG_EINVAL;
    f->text = malloc(len + 1);
    if (!f->text)
        return SG_ENOMEM;
    memcpy(f->text, body, len);
    f->text[len] = '\0';
    for (pair = strtok_r(f->text, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (f->n == FORM_MAX_PARAMS)
            goto bad;
        if (eq)
            *eq = '\0';
        if (decode(pair) || (eq && decode(eq + 1)))
            goto bad;
        f->p[f->n].name = pair;
        f->p[f->n].value = eq ? eq + 1 : "";
        f->n++;
    }
    return SG_OK;
bad:
    form_free(f);
    return SG_EINVAL;
}

void form_free(form_data *f)
{
    free(f->text);
    memset(f, 0, sizeof *f);
}

const char *form_get(const form_data *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->p[i].name, name) == 0)
            return f->p[i].value;
    return NULL;
}
