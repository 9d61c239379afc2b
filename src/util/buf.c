/*
 * The capped growable buffer (see buf.h).  Growth doubles, so appending n
 * bytes one at a time costs O(n); the cap turns a runaway input into
 * SG_ETOOBIG instead of an out-of-memory kill on a small Pi.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/buf.h"

void sg_buf_init(sg_buf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
}

void sg_buf_free(sg_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void sg_buf_reset(sg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static sg_rc buf_reserve(sg_buf *b, size_t extra)
{
    size_t need, n;
    char *p;

    if (extra > b->cap || b->len > b->cap - extra)
        return SG_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->alloc)
        return SG_OK;
    n = b->alloc ? b->alloc : 64;
    while (n < need)
        n *= 2;
    if (n > b->cap + 1)
        n = b->cap + 1;
    p = realloc(b->data, n);
    if (!p)
        return SG_ENOMEM;
    b->data = p;
    b->alloc = n;
    return SG_OK;
}

sg_rc sg_buf_add(sg_buf *b, const void *data, size_t len)
{
    sg_rc rc = buf_reserve(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SG_OK;
}

sg_rc sg_buf_adds(sg_buf *b, const char *s)
{
    return sg_buf_add(b, s, strlen(s));
}

sg_rc sg_buf_addf(sg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    sg_rc rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SG_EINVAL;
    rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    assert(b->data[b->len] == '\0');
    return SG_OK;
}

sg_rc sg_buf_add_json_string(sg_buf *b, const char *s)
{
    sg_rc rc = sg_buf_add(b, "\"", 1);
    for (const char *run = s; !rc && *s; s = run) {
        while (*run && (unsigned char)*run >= 0x20 && *run != '"' && *run != '\\')
            run++;
        if (run > s && (rc = sg_buf_add(b, s, (size_t)(run - s))))
            break;
        if (*run == '"' || *run == '\\')
            rc = sg_buf_addf(b, "\\%c", *run++);
        else if (*run)
            rc = sg_buf_addf(b, "\\u%04x", (unsigned char)*run++);
    }
    return rc ? rc : sg_buf_add(b, "\"", 1);
}

char *sg_buf_take(sg_buf *b)
{
    char *p = b->data;
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
