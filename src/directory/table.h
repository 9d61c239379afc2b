/*
 * A CSV file read whole into memory with its header, so the directory loader
 * can ask for "the name column of row 7".  Internal to src/directory/.
 */
#ifndef SIGNPOST_DIRECTORY_TABLE_H
#define SIGNPOST_DIRECTORY_TABLE_H

#include <stddef.h>
#include "signpost/result.h"

#define TABLE_MAX_BYTES (64u * 1024 * 1024)

typedef struct {
    char *name;    /* file name, for messages */
    char **header; /* column names */
    size_t ncols;
    char **cells;  /* nrows * ncols, row-major; never NULL ("" when absent) */
    size_t nrows;
    size_t caprows; /* rows allocated */
} dir_table;

/* Reads dir/file; a missing file yields an empty table when optional. */
sg_rc table_load(const char *dir, const char *file, int optional, dir_table *t,
                 char *err, size_t errlen);
void table_free(dir_table *t);
/* Column index of name, or -1. */
int table_col(const dir_table *t, const char *name);
/* The cell, or "" when the column is absent. */
const char *table_cell(const dir_table *t, size_t row, int col);

#endif
