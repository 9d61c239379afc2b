/*
 * An RFC 4180 CSV reader over a buffer in memory.  Handles quoted fields
 * with embedded commas, doubled quotes and line breaks, CRLF or LF line
 * ends and a UTF-8 byte-order mark.  Every field and row has a cap, and a
 * malformed row (a stray quote, an unterminated field) is an error that
 * names the line, never a silent misread.  The reader borrows the input;
 * row fields point into the reader's own buffer and live until the next
 * csv_next() call.  csv_free() accepts NULL.
 */
#ifndef SIGNPOST_CSV_H
#define SIGNPOST_CSV_H

#include <stddef.h>
#include <stdio.h>
#include "signpost/buf.h"
#include "signpost/result.h"

#define CSV_MAX_FIELDS 128
#define CSV_MAX_ROW (256 * 1024)

typedef struct {
    const char *data;
    size_t len, pos;
    size_t line;       /* 1-based line where the next row starts */
    size_t row_line;   /* 1-based line where the current row started */
    sg_buf row;        /* the fields of the current row, NUL-separated */
    const char *fields[CSV_MAX_FIELDS];
    size_t nfields;
    char error[96];
} csv_reader;

void csv_init(csv_reader *r, const char *data, size_t len);
void csv_free(csv_reader *r);
/* SG_OK with a row in r->fields; SG_ENOTFOUND at the end; SG_EINVAL on bad input. */
sg_rc csv_next(csv_reader *r);

/*
 * Reading a CSV file a record at a time, so memory stays bounded however
 * large the file: lines are gathered until the quotes balance (a quoted
 * field may hold line breaks), then that record is parsed as above.
 * r.fields holds the record after csv_stream_next() returns SG_OK.
 */
typedef struct {
    FILE *f;
    sg_buf rec;      /* the raw text of the current record */
    csv_reader r;    /* parses rec */
    size_t line;     /* line where the next record starts */
    int started;
    int nul;         /* the current record held a NUL byte */
} csv_stream;

/* Borrows f (the caller closes it). */
void csv_stream_init(csv_stream *s, FILE *f);
void csv_stream_free(csv_stream *s);
/* SG_OK with a record in s->r; SG_ENOTFOUND at the end; SG_EINVAL (s->r.error) on bad input. */
sg_rc csv_stream_next(csv_stream *s);

#endif
