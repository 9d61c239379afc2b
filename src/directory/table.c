/*
 * Whole-file CSV tables for the directory loader (see table.h).  Rows with
 * fewer cells than the header are padded with empty cells; rows with more
 * are an error, since the extra values would otherwise land nowhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/csv.h"
#include "table.h"

static sg_rc read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    sg_rc rc = SG_EIO;

    *data = NULL;
    if (!f)
        return errno == ENOENT ? SG_ENOTFOUND : SG_EIO;
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
        goto out;
    if ((unsigned long)size > TABLE_MAX_BYTES) {
        rc = SG_ETOOBIG;
        goto out;
    }
    *data = malloc((size_t)size + 1);
    if (!*data) {
        rc = SG_ENOMEM;
        goto out;
    }
    if (fread(*data, 1, (size_t)size, f) != (size_t)size) {
        free(*data);
        *data = NULL;
        goto out;
    }
    (*data)[size] = '\0';
    *len = (size_t)size;
    rc = SG_OK;
out:
    fclose(f);
    return rc;
}

static char **copy_fields(const csv_reader *r, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        out[i] = strdup(i < r->nfields ? r->fields[i] : "");
        if (!out[i]) {
            while (i--)
                free(out[i]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static sg_rc add_row(dir_table *t, const csv_reader *r)
{
    char **row = copy_fields(r, t->ncols);
    size_t want = t->caprows ? t->caprows * 2 : 64;
    char **cells = t->cells;

    if (row && t->nrows == t->caprows) {
        cells = realloc(t->cells, want * t->ncols * sizeof *cells);
        if (cells) {
            t->cells = cells;
            t->caprows = want;
        }
    }
    if (!row || !cells) {
        if (row)
            for (size_t i = 0; i < t->ncols; i++)
                free(row[i]);
        free(row);
        return SG_ENOMEM;
    }
    memcpy(cells + t->nrows * t->ncols, row, t->ncols * sizeof *row);
    free(row);
    t->nrows++;
    return SG_OK;
}

static sg_rc parse_rows(dir_table *t, csv_reader *r, char *err, size_t errlen)
{
    sg_rc rc;

    if ((rc = csv_next(r))) {
        snprintf(err, errlen, "%s: %s", t->name, rc == SG_ENOTFOUND ? "empty file" : r->error);
        return SG_EINVAL;
    }
    t->ncols = r->nfields;
    t->header = copy_fields(r, t->ncols);
    if (!t->header)
        return SG_ENOMEM;
    while ((rc = csv_next(r)) == SG_OK) {
        if (r->nfields > t->ncols) {
            snprintf(err, errlen, "%s:%zu: %zu values but %zu columns", t->name, r->row_line,
                     r->nfields, t->ncols);
            return SG_EINVAL;
        }
        if ((rc = add_row(t, r)))
            return rc;
    }
    if (rc != SG_ENOTFOUND) {
        snprintf(err, errlen, "%s: %s", t->name, r->error);
        return SG_EINVAL;
    }
    return SG_OK;
}

sg_rc table_load(const char *dir, const char *file, int optional, dir_table *t,
                 char *err, size_t errlen)
{
    char path[1024];
    char *data = NULL;
    size_t len = 0;
    csv_reader r;
    sg_rc rc;

    memset(t, 0, sizeof *t);
    t->name = strdup(file);
    if (!t->name)
        return SG_ENOMEM;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    rc = read_file(path, &data, &len);
    if (rc == SG_ENOTFOUND && optional)
        return SG_OK;
    if (rc) {
        snprintf(err, errlen, "%s: %s", path, rc == SG_ENOTFOUND ? "missing" : sg_strerror(rc));
        return rc;
    }
    csv_init(&r, data, len);
    rc = parse_rows(t, &r, err, errlen);
    csv_free(&r);
    free(data);
    return rc;
}

void table_free(dir_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (size_t i = 0; t->header && i < t->ncols; i++)
        free(t->header[i]);
    free(t->cells);
    free(t->header);
    free(t->name);
    memset(t, 0, sizeof *t);
}

int table_col(const dir_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0)
            return (int)i;
    return -1;
}

const char *table_cell(const dir_table *t, size_t row, int col)
{
    if (col < 0 || row >= t->nrows)
        return "";
    return t->cells[row * t->ncols + (size_t)col];
}
