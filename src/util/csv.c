/*
 * The CSV reader (see csv.h).  A small state machine over bytes: outside a
 * quoted field, a comma ends the field and a line break ends the row; inside
 * one, only a quote not followed by another quote ends it.  Offsets rather
 * than pointers are collected while the row buffer may still move.
 */
#include <stdio.h>
#include <string.h>

#include "signpost/csv.h"

void csv_init(csv_reader *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->line = 1;
    sg_buf_init(&r->row, CSV_MAX_ROW);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

void csv_free(csv_reader *r)
{
    if (r)
        sg_buf_free(&r->row);
}

static int is_delim(char c)
{
    return c == ',' || c == '\r' || c == '\n';
}

static sg_rc bad(csv_reader *r, const char *why)
{
    snprintf(r->error, sizeof r->error, "line %zu: %s", r->line, why);
    return SG_EINVAL;
}

/* Ends the current field: NUL-terminates it in the row buffer. */
static sg_rc end_field(csv_reader *r, size_t *starts, size_t start)
{
    if (r->nfields >= CSV_MAX_FIELDS)
        return bad(r, "too many fields");
    starts[r->nfields++] = start;
    return sg_buf_add(&r->row, "", 1) ? bad(r, "row too long") : SG_OK;
}

static sg_rc read_quoted(csv_reader *r, size_t *newlines)
{
    r->pos++; /* the opening quote */
    for (;;) {
        if (r->pos >= r->len)
            return bad(r, "a quoted field is never closed");
        char c = r->data[r->pos++];
        if (c == '"') {
            if (r->pos < r->len && r->data[r->pos] == '"')
                r->pos++;
            else
                break;
        }
        if (c == '\n')
            (*newlines)++;
        if (c == '\0')
            return bad(r, "a NUL byte");
        if (sg_buf_add(&r->row, &c, 1))
            return bad(r, "row too long");
    }
    if (r->pos < r->len && !is_delim(r->data[r->pos]))
        return bad(r, "text after a closing quote");
    return SG_OK;
}

sg_rc csv_next(csv_reader *r)
{
    size_t starts[CSV_MAX_FIELDS], newlines = 0;
    sg_rc rc;

    sg_buf_reset(&r->row);
    r->nfields = 0;
    /* Blank lines carry no record; skip them. */
    while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r')) {
        if (r->data[r->pos] == '\n')
            r->line++;
        r->pos++;
    }
    if (r->pos >= r->len)
        return SG_ENOTFOUND;
    r->row_line = r->line;
    for (;;) {
        size_t start = r->row.len;
        if (r->pos < r->len && r->data[r->pos] == '"') {
            if ((rc = read_quoted(r, &newlines)))
                return rc;
        } else {
            size_t from = r->pos;
            while (r->pos < r->len && !is_delim(r->data[r->pos])) {
                if (r->data[r->pos] == '"')
                    return bad(r, "a quote inside an unquoted field");
                if (r->data[r->pos] == '\0')
                    return bad(r, "a NUL byte");
                r->pos++;
            }
            if (sg_buf_add(&r->row, r->data + from, r->pos - from))
                return bad(r, "row too long");
        }
        if ((rc = end_field(r, starts, start)))
            return rc;
        if (r->pos < r->len && r->data[r->pos] == ',') {
            r->pos++;
            continue;
        }
        break;
    }
    if (r->pos < r->len && r->data[r->pos] == '\r')
        r->pos++;
    if (r->pos < r->len && r->data[r->pos] == '\n')
        r->pos++;
    for (size_t i = 0; i < r->nfields; i++)
        r->fields[i] = r->row.data + starts[i];
    r->line += 1 + newlines;
    return SG_OK;
}

void csv_stream_init(csv_stream *s, FILE *f)
{
    memset(s, 0, sizeof *s);
    s->f = f;
    s->line = 1;
    sg_buf_init(&s->rec, CSV_MAX_ROW);
    csv_init(&s->r, "", 0);
}

void csv_stream_free(csv_stream *s)
{
    if (!s)
        return;
    sg_buf_free(&s->rec);
    csv_free(&s->r);
}

/*
 * Appends one physical line (up to and including '\n', or a CR not followed
 * by '\n') to s->rec; returns 0 at end of file.  Reads byte by byte rather
 * than with fgets() so that a NUL byte, which fgets() would make invisible,
 * is seen: it is recorded in s->nul and the record refused, because a NUL
 * means a binary or UTF-16 file, never CSV text.
 */
static int read_line(csv_stream *s, sg_rc *rc)
{
    char chunk[4096];
    size_t n = 0, before = s->rec.len;
    int c, end = 0;

    while (!end && (c = getc_unlocked(s->f)) != EOF) {
        if (c == '\0') {
            s->nul = 1;
            c = ' ';
        }
        chunk[n++] = (char)c;
        if (c == '\n') {
            end = 1;
        } else if (c == '\r') {
            /* A lone CR ends a line too (old Mac exports), as it ends a row
             * for csv_next(): otherwise a CR-only file would be one "line"
             * and every row after the first would be dropped unread. */
            int next = getc_unlocked(s->f);
            if (next != EOF)
                ungetc(next, s->f);
            end = next != '\n';
        }
        if (n == sizeof chunk || end) {
            if ((*rc = sg_buf_add(&s->rec, chunk, n)))
                return 0;
            n = 0;
        }
    }
    if (n && (*rc = sg_buf_add(&s->rec, chunk, n)))
        return 0;
    return s->rec.len > before;
}

static int quotes_balanced(const sg_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '"';
    return n % 2 == 0;
}

/* One record; *blank set when the lines read held only a blank line. */
static sg_rc stream_record(csv_stream *s, int *blank)
{
    sg_rc rc = SG_OK;
    size_t lines = 0;
    size_t start = s->line;

    sg_buf_reset(&s->rec);
    s->nul = 0;
    do {
        if (!read_line(s, &rc)) {
            if (rc) {
                s->r.line = start;
                snprintf(s->r.error, sizeof s->r.error, "line %zu: record too long", start);
                return SG_EINVAL;
            }
            break;
        }
        lines++;
    } while (!quotes_balanced(&s->rec));
    s->line += lines;
    if (!s->rec.len)
        return SG_ENOTFOUND;
    if (s->nul) {
        s->r.line = start;
        snprintf(s->r.error, sizeof s->r.error,
                 "line %zu: a NUL byte (a binary or UTF-16 file, not CSV text)", start);
        return SG_EINVAL;
    }
    csv_free(&s->r);
    csv_init(&s->r, s->rec.data, s->rec.len);
    if (s->started && s->r.pos == 3)
        s->r.pos = 0; /* a byte-order mark counts only at the start of the file */
    s->started = 1;
    s->r.line = start;
    rc = csv_next(&s->r);
    s->r.line = s->line;
    *blank = rc == SG_ENOTFOUND;
    return *blank ? SG_OK : rc;
}

sg_rc csv_stream_next(csv_stream *s)
{
    sg_rc rc;
    int blank = 0;

    /* A loop, not recursion, over blank lines: a file of a million empty
     * lines must not use a million stack frames. */
    do
        rc = stream_record(s, &blank);
    while (!rc && blank);
    return rc;
}
