/*
 * A growable byte buffer with a hard cap.  Everything the daemon builds from
 * outside input (request bodies, JSON answers, CSV fields) goes through one of
 * these so that no input can make a buffer grow without bound.  The contents
 * are always NUL-terminated.  The caller owns the sg_buf and frees it with
 * sg_buf_free(), which accepts a zeroed or already-freed buffer.
 */
#ifndef SIGNPOST_BUF_H
#define SIGNPOST_BUF_H

#include <stddef.h>
#include "signpost/result.h"

typedef struct {
    char *data;   /* NUL-terminated, or NULL while empty */
    size_t len;   /* bytes used, not counting the NUL */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* the most len may ever be */
} sg_buf;

void sg_buf_init(sg_buf *b, size_t cap);
void sg_buf_free(sg_buf *b);
void sg_buf_reset(sg_buf *b);
sg_rc sg_buf_add(sg_buf *b, const void *data, size_t len);
sg_rc sg_buf_adds(sg_buf *b, const char *s);
sg_rc sg_buf_addf(sg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a quoted JSON string, escaping what JSON requires. */
sg_rc sg_buf_add_json_string(sg_buf *b, const char *s);
/* Hands the data to the caller (free() it); leaves b empty. */
char *sg_buf_take(sg_buf *b);

#endif
