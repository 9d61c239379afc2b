/*
 * Percent-encoding both ways: escaping a value for a URL query or a form
 * body, and splitting an application/x-www-form-urlencoded body (webhooks)
 * into decoded name/value pairs.  Pure functions over caller buffers, with
 * hard caps, because webhook bodies come from the network.
 */
#ifndef SIGNPOST_URL_H
#define SIGNPOST_URL_H

#include <stddef.h>
#include "signpost/result.h"

/* Escapes every byte but A-Z a-z 0-9 - . _ ~ as %XX.  SG_ETOOBIG when out
 * is too small. */
sg_rc url_escape(const char *in, char *out, size_t outlen);

#define FORM_MAX_PARAMS 64

typedef struct {
    const char *name;  /* point into the decoded copy held by the form */
    const char *value;
} form_param;

typedef struct {
    char *text;        /* decoded copy of the body: owned, free with form_free */
    form_param p[FORM_MAX_PARAMS];
    size_t n;
} form_data;

/*
 * Splits and decodes body (len bytes; "+" is a space, %XX a byte).  A
 * malformed escape, a NUL byte or more than FORM_MAX_PARAMS pairs is
 * SG_EINVAL.  form_free() accepts a zeroed form.
 */
sg_rc form_parse(const char *body, size_t len, form_data *f);
void form_free(form_data *f);
/* The value of the first parameter called name, or NULL. */
const char *form_get(const form_data *f, const char *name);

#endif
