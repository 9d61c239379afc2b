/*
 * Fuzzes the RFC 4180 reader (src/util/csv.c) that every HSDS CSV import
 * goes through, both ways it is used: csv_next() over a buffer and
 * csv_stream_next() over a FILE (the importer's way, a record at a time).
 *
 * Invariants beyond "no crash":
 *  - reading always ends (each row consumes input);
 *  - a row has 1..CSV_MAX_FIELDS fields and line numbers only go forward;
 *  - an error names its line;
 *  - every row read, written back with every field quoted and read again,
 *    gives the same fields: a comma, quote or line break inside a field
 *    can never shift columns;
 *  - when both readers get through the whole text, they read the same
 *    rows: the importer (stream) sees what the buffer reader sees.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/csv.h"

typedef struct {
    size_t rows;
    uint64_t hash; /* FNV-1a over every field, with separators */
} csv_digest;

static void digest_row(csv_digest *d, const csv_reader *r)
{
    d->rows++;
    for (size_t i = 0; i < r->nfields; i++) {
        for (const char *p = r->fields[i];; p++) {
            d->hash = (d->hash ^ (unsigned char)*p) * 1099511628211u;
            if (!*p)
                break;
        }
    }
    d->hash = (d->hash ^ 0x1e) * 1099511628211u;
}

/* Quotes every field, doubling quotes, so the row re-reads as itself. */
static void write_row(const csv_reader *r, sg_buf *out)
{
    for (size_t i = 0; i < r->nfields; i++) {
        FUZZ_CHECK(sg_buf_adds(out, i ? ",\"" : "\"") == SG_OK);
        for (const char *p = r->fields[i]; *p; p++) {
            FUZZ_CHECK(sg_buf_add(out, p, 1) == SG_OK);
            if (*p == '"')
                FUZZ_CHECK(sg_buf_add(out, p, 1) == SG_OK);
        }
        FUZZ_CHECK(sg_buf_adds(out, "\"") == SG_OK);
    }
    FUZZ_CHECK(sg_buf_adds(out, "\r\n") == SG_OK);
}

static void check_round_trip(const csv_reader *r)
{
    sg_buf text;
    csv_reader again;

    sg_buf_init(&text, 4 * CSV_MAX_ROW);
    write_row(r, &text);
    csv_init(&again, text.data, text.len);
    FUZZ_CHECK(csv_next(&again) == SG_OK);
    FUZZ_CHECK(again.nfields == r->nfields);
    for (size_t i = 0; i < r->nfields; i++)
        FUZZ_CHECK(strcmp(again.fields[i], r->fields[i]) == 0);
    FUZZ_CHECK(csv_next(&again) == SG_ENOTFOUND);
    csv_free(&again);
    sg_buf_free(&text);
}

static void check_row(const csv_reader *r, size_t last_line)
{
    FUZZ_CHECK(r->nfields >= 1 && r->nfields <= CSV_MAX_FIELDS);
    FUZZ_CHECK(r->row_line >= 1 && r->row_line > last_line);
}

/* Reads the whole buffer; SG_ENOTFOUND when it got to the end cleanly. */
static sg_rc read_buffer(const uint8_t *data, size_t size, csv_digest *d)
{
    csv_reader r;
    size_t last_line = 0;
    sg_rc rc;

    csv_init(&r, (const char *)data, size);
    while ((rc = csv_next(&r)) == SG_OK) {
        check_row(&r, last_line);
        FUZZ_CHECK(r.line > r.row_line);
        last_line = r.row_line;
        digest_row(d, &r);
        check_round_trip(&r);
        FUZZ_CHECK(d->rows <= size); /* each row consumes at least one byte */
    }
    FUZZ_CHECK(rc == SG_ENOTFOUND || rc == SG_EINVAL);
    if (rc == SG_EINVAL)
        FUZZ_CHECK(strncmp(r.error, "line ", 5) == 0);
    csv_free(&r);
    return rc;
}

static sg_rc read_stream(const uint8_t *data, size_t size, csv_digest *d)
{
    FILE *f = size ? fmemopen((void *)data, size, "rb") : NULL;
    csv_stream s;
    sg_rc rc;

    if (!f)
        return SG_EIO; /* fmemopen refuses size 0 */
    csv_stream_init(&s, f);
    while ((rc = csv_stream_next(&s)) == SG_OK) {
        FUZZ_CHECK(s.r.nfields >= 1 && s.r.nfields <= CSV_MAX_FIELDS);
        digest_row(d, &s.r);
        FUZZ_CHECK(d->rows <= size);
    }
    FUZZ_CHECK(rc == SG_ENOTFOUND || rc == SG_EINVAL);
    if (rc == SG_EINVAL)
        FUZZ_CHECK(strncmp(s.r.error, "line ", 5) == 0);
    csv_stream_free(&s);
    fclose(f);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_digest buf = {0, 14695981039346656037u}, str = {0, 14695981039346656037u};
    sg_rc brc = read_buffer(data, size, &buf), src = read_stream(data, size, &str);

    if (brc == SG_ENOTFOUND && src == SG_ENOTFOUND) {
        FUZZ_CHECK(buf.rows == str.rows);
        FUZZ_CHECK(buf.hash == str.hash);
    }
    return 0;
}
