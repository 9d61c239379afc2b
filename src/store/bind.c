/*
 * One call for the store's many one-statement writes: prepare, bind from
 * a short type string, step to the end, finalize.  It keeps each caller to
 * its SQL and its meaning instead of ten lines of binding ceremony, and
 * means every such statement is stepped and finalized the same way.
 * Its counterpart for reads, store_col_text(), is the one way a text
 * column comes back into a fixed buffer, so every such copy is cut the
 * same (safe) way.
 */
#include <stdarg.h>
#include <string.h>

#include "store_internal.h"

/* Binds one argument of type t ('t' text, 'i' int, 'I' time_t/int64,
 * 'b' blob as pointer then size_t). */
static void bind_one(sqlite3_stmt *s, int i, char t, va_list *ap)
{
    switch (t) {
    case 't':
        sqlite3_bind_text(s, i, va_arg(*ap, const char *), -1, SQLITE_STATIC);
        break;
    case 'i':
        sqlite3_bind_int(s, i, va_arg(*ap, int));
        break;
    case 'I':
        sqlite3_bind_int64(s, i, (sqlite3_int64)va_arg(*ap, time_t));
        break;
    case 'b': {
        const void *p = va_arg(*ap, const void *);
        size_t n = va_arg(*ap, size_t);
        sqlite3_bind_blob(s, i, p, (int)n, SQLITE_STATIC);
        break;
    }
    default:
        assert(!"unknown bind type");
    }
}

int store_run(sqlite3 *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *s = NULL;
    va_list ap;
    int changes = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    va_start(ap, types);
    for (int i = 0; types[i]; i++)
        bind_one(s, i + 1, types[i], &ap);
    va_end(ap);
    if (store_step_done(s) == 0)
        changes = sqlite3_changes(db);
    sqlite3_finalize(s);
    return changes;
}

void store_col_text(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    size_t n = v ? strlen(v) : 0;

    assert(outlen > 0);
    if (n >= outlen) {
        n = outlen - 1;
        /* A byte-count cut can land inside a multi-byte character; half a
         * character is invalid UTF-8 that a JSON encoder or a CSV reader
         * would refuse or mangle, so the cut steps back to its start. */
        while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(out, v, n);
    out[n] = '\0';
}
