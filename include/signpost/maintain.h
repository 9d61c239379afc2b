/*
 * Keeping a kiosk's state healthy over the years (docs/operations.md): the
 * retention purge that turns old visits into daily counts, compaction, and
 * the database-file tools `backup`, `restore`, `maintain` and `doctor`
 * share (a bounded integrity check, an online copy that never leaves half
 * a file, a secret copied with its mode).
 *
 * Store side (src/store/maintain.c) works through an open sg_store and is
 * safe while the daemon runs: one transaction on the writer connection.
 * File side (src/ops/dbfile.c) works on paths with connections of its own.
 */
#ifndef SIGNPOST_MAINTAIN_H
#define SIGNPOST_MAINTAIN_H

#include <stddef.h>
#include <time.h>
#include "signpost/result.h"
#include "signpost/store.h"

typedef struct {
    long screenings; /* visits deleted (answers, results, receipts with them) */
    long texts;      /* outbox rows deleted (sealed numbers and texts) */
    long replies;    /* inbound replies deleted */
    long kept;       /* old visits kept because a text is still to be sent */
} maintain_purged;

/*
 * Deletes the visits created before cut_iso ("YYYY-MM-DDTHH:MM:SSZ", the
 * store's created_at) and, with them, their consents, texts, attempts,
 * receipts and replies; also texts and replies with no visit older than
 * cut (Unix seconds).  First adds what it deletes to daily_counts, per
 * local day (the TZ the process runs in).  One transaction: all or
 * nothing.  A visit with a text still scheduled or being sent waits for
 * the next run.
 */
sg_rc store_purge_before(sg_store *st, const char *cut_iso, time_t cut, maintain_purged *out);

/* VACUUM when at least a quarter of the file, and 1 MiB, is free pages
 * (incremental_vacuum instead when the file was made with
 * auto_vacuum = incremental).  *done: 1 when it ran. */
sg_rc store_compact(sg_store *st, int *done);

/*
 * PRAGMA integrity_check (quick_check when quick) on path, read-only, for
 * at most max_s seconds and 20 problems.  first gets the first row ("ok"
 * when sound) or SQLite's complaint when the file does not open as a
 * database.  SG_ENOTFOUND when there is no file; SG_EBUSY when the time
 * ran out; SG_EDB when it is not a database.
 */
sg_rc db_check(const char *path, int quick, int max_s, char *first, size_t firstlen);

/* Runs a one-value query on path, read-only: *out gets column 0 of row 0. */
sg_rc db_query_long(const char *path, const char *sql, long long *out);

/*
 * An online, consistent copy of the SQLite database at src into dest
 * (SQLite's backup API, a bounded number of pages per step; the daemon may
 * keep writing).  Written to a temporary name beside dest, made a
 * rollback-journal file, fsynced, then moved in: with replace 0 by link(),
 * which refuses an existing dest (SG_EBUSY, err says so); with replace 1
 * by rename().  *size (may be NULL) gets the copy's bytes.
 */
sg_rc db_copy(const char *src, const char *dest, int replace, long long *size, char *err,
              size_t errlen);

/* The same for a small file such as the SMS key: mode 0600. */
sg_rc file_copy_secret(const char *src, const char *dest, int replace, long long *size,
                       char *err, size_t errlen);

/*
 * Folds a WAL-mode database's log back into the file and switches it to a
 * rollback journal, so that the file alone is the whole database (before a
 * restore moves it aside).  Needs every other connection closed: SG_EBUSY
 * otherwise.  A missing file is SG_ENOTFOUND.
 */
sg_rc db_fold_wal(const char *path, char *err, size_t errlen);

#endif
