/*
 * Directory sync: keeping the kiosk's directory up to date from a regional
 * HSDS API ([directory] sync_url), off unless a clinic configures it.
 *
 * A run pulls GET {base}/services?modified_after=MARK&page=N&per_page=100
 * &full=true pages with libcurl and keeps the raw JSON of every service in
 * a mirror of its own (state_dir/sync.db).  Each page goes into the mirror
 * in one transaction together with where the run got to, so a run that
 * fails, is stopped or runs out of its page budget ([directory]
 * sync_max_pages) resumes next time from the first page it did not keep.
 * When the mirror changed, the whole mirror is written out as one JSON
 * array and imported with hsds_import() into a new file that
 * directory_install() swaps in atomically: a failed run never touches the
 * live directory.db.
 *
 * The mark (modified_after) of the next pass is the server's own clock at
 * the start of this pass (its Date header) less a margin, so clock skew on
 * the kiosk (a Raspberry Pi has no real-time clock) cannot lose a change,
 * and a directory whose services all carry one bulk last_modified is not
 * fetched again every run.  Without a Date header the newest last_modified
 * seen is used.  A listing without modified_after (the first pass, a
 * --full pass, and one every [directory] sync_full_days) also drops from
 * the mirror the services the API no longer lists.
 *
 * The pure parts (URL building, Page parsing, Retry-After, backoff, times)
 * are exposed for unit tests; sync_run() is the shell.
 *
 * Ownership: sync_page_free() and sync_worker_stop() accept NULL; every
 * other struct here is plain data borrowed from the caller.
 */
#ifndef SIGNPOST_SYNC_H
#define SIGNPOST_SYNC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "signpost/buf.h"
#include "signpost/config.h"
#include "signpost/directory.h"
#include "signpost/result.h"

#define SYNC_DB_FILE "sync.db"
#define SYNC_PER_PAGE 100
#define SYNC_PAGE_CAP (16u * 1024u * 1024u) /* bytes of one page, decoded */
#define SYNC_URL_CAP 8192
#define SYNC_MAX_ATTEMPTS 4                 /* per page, the first included */
#define SYNC_MARK_MARGIN_MS (5 * 60 * 1000) /* the mark trails the server's clock */
#define SYNC_TIME_LEN 32                    /* "2024-05-01T12:00:00.000Z" and NUL */

typedef struct {
    const char *base_url;     /* the API's base URL; required */
    const char *state_dir;    /* sync.db, the temp files and directory.db */
    const sg_domain_map *map; /* for the domain index of the new directory */
    int max_pages;            /* pages per run, >= 1 */
    int per_page;             /* services per page; 0: SYNC_PER_PAGE */
    int full;                 /* 1: start a full listing (no modified_after) */
    int full_days;            /* a full listing when the last is this old; 0 never */
    long timeout_ms;          /* one request, connection included */
    long backoff_base_ms;     /* the first retry waits up to this */
    long backoff_cap_ms;      /* no retry waits longer, unless Retry-After says */
    long max_wait_s;          /* a longer Retry-After gives up the run */
    /* Waits up to ms (0: only looks) and returns nonzero when the run must
     * stop now; NULL sleeps and never stops.  Also polled during transfers. */
    int (*pause)(void *ctx, long ms);
    void *pause_ctx;
} sync_opts;

typedef struct {
    int pages;                /* pages fetched and kept this run */
    size_t fetched;           /* services received */
    size_t changed;           /* new or different from the mirror */
    size_t removed;           /* dropped by a full listing */
    size_t mirror;            /* services in the mirror after the run */
    int complete;             /* 1: the pass reached its last page */
    int full_pass;            /* 1: the pass was a full listing */
    int installed;            /* 1: a new directory.db was installed */
    size_t directory;         /* services in directory.db after the run */
    size_t problems;          /* what the importer reported, when it ran */
    char mark[SYNC_TIME_LEN]; /* modified_after of the next pass; "" none */
} sync_summary;

/* Once per process, before any thread starts a run (libcurl and libsodium). */
sg_rc sync_global_init(void);

/* Fills o from the configuration; pause stays NULL. */
void sync_opts_from_config(sync_opts *o, const sg_config *cfg, const sg_domain_map *map);

/*
 * One run as described above.  SG_OK also when nothing changed.  SG_EBUSY:
 * a transient failure (the API busy or unreachable after retries, or
 * another run holds the lock) or the run was stopped; SG_EINVAL: the API
 * answered something that is not an HSDS Page, or the importer found no
 * usable service; SG_ETOOBIG: a page over SYNC_PAGE_CAP; SG_EIO / SG_EAUTH:
 * a permanent HTTP or network failure (401/403 for SG_EAUTH); SG_EDB: the
 * mirror.  err says which, and never holds the URL's query (it may carry an
 * API key).  Whatever the result, the live directory.db is either
 * untouched or atomically replaced by a complete new one.
 */
sg_rc sync_run(const sync_opts *o, sync_summary *sum, char *err, size_t errlen);

/* "sync: 3 pages, 250 services changed, directory now 10412 services". */
void sync_summary_line(const sync_summary *s, char *out, size_t outlen);

/* ---- the background worker ---- */

typedef struct {
    long first_delay_ms; /* the first run, after start */
    long interval_ms;    /* between runs ([directory] sync_interval_min) */
    long retry_ms;       /* after a failed run */
    long continue_ms;    /* after a run that ran out of its page budget */
} sync_schedule;

typedef struct {
    int runs;     /* runs finished */
    int failures; /* of which failed */
    sg_rc last_rc;
    sync_summary last; /* of the last run */
} sync_status;

typedef struct sync_worker sync_worker;

void sync_schedule_from_config(sync_schedule *s, const sg_config *cfg);

/*
 * Starts the thread.  o is copied, but the strings and the map it points to
 * must outlive the worker; o->pause is replaced by the worker's own, which
 * sync_worker_stop() wakes.
 */
sg_rc sync_worker_start(const sync_opts *o, const sync_schedule *s, sync_worker **out,
                        char *err, size_t errlen);
/* Stops promptly (an HTTP transfer or a backoff wait is abandoned, an
 * import in progress finishes) and frees w; accepts NULL. */
void sync_worker_stop(sync_worker *w);
/* A snapshot of the worker's counters, for /healthz and tests. */
void sync_worker_status(sync_worker *w, sync_status *out);

/* ---- the pure parts ---- */

/*
 * {base}/services?[base's query&]modified_after=M&page=N&per_page=P&full=true
 * (modified_after left out when M is NULL or "") into out, replacing what
 * it held.  The base must be http:// or https:// without spaces; a
 * trailing slash is dropped.  SG_EINVAL for a bad base, SG_ETOOBIG when
 * out's cap is too small.
 */
sg_rc sync_build_url(const char *base, const char *modified_after, int page, int per_page,
                     sg_buf *out);

/* The base URL without credentials or query, for logs and meta.source. */
void sync_url_display(const char *base, char *out, size_t outlen);

typedef struct {
    json_t *root;     /* the parsed page; owned */
    json_t *contents; /* the services array, borrowed from root */
    long page_number; /* -1 when absent, negative or too large */
    long total_pages; /* -1 when absent, negative or too large */
    int last_page;    /* 1 true, 0 false, -1 absent */
    int empty;        /* 1 true, 0 false, -1 absent */
} sync_page;

/*
 * Parses one answer: an HSDS Page object, or a bare array of services (as
 * some servers send).  SG_EINVAL with the reason (and JSON line and column)
 * in err when it is neither.
 */
sg_rc sync_page_parse(const char *body, size_t len, sync_page *out, char *err,
                      size_t errlen);
void sync_page_free(sync_page *p);

/*
 * Whether page (requested as number `requested` of per_page items) ends
 * the listing: an empty page; last_page; page_number >= total_pages; and,
 * with no paging fields at all, fewer items than per_page.
 */
int sync_page_is_last(const sync_page *p, int requested, int per_page);

/*
 * A Retry-After value (delta-seconds or an HTTP-date) as seconds from now;
 * a date in the past is 0.  -1 when it is neither.
 */
long sync_retry_after(const char *value, time_t now);

/*
 * Milliseconds to wait before attempt `failed + 1`, after `failed` (>= 1)
 * attempts failed: "full jitter", a uniform pick from [0, min(cap, base *
 * 2^(failed-1))] made from rnd, but never less than retry_after_ms when the
 * server gave one (pass -1 when it did not).
 */
long sync_backoff_ms(int failed, long base_ms, long cap_ms, long retry_after_ms,
                     uint32_t rnd);

typedef enum { SYNC_HTTP_OK, SYNC_HTTP_RETRY, SYNC_HTTP_FAIL } sync_http_class;
/* 2xx ok; 408, 429 and 5xx worth retrying; anything else permanent. */
sync_http_class sync_http_classify(long status);

/*
 * RFC 3339 / ISO 8601 date-times as HSDS writes them ("2023-03-15T10:30:45
 * .123Z", "+02:00" offsets, a bare date) to milliseconds since the epoch,
 * UTC; fractions beyond milliseconds are dropped.  -1 when not one.
 */
int sync_time_parse(const char *s, int64_t *ms);
/* Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void sync_time_format(int64_t ms, char out[SYNC_TIME_LEN]);

/*
 * The mark for the pass after one that just completed: the server's clock
 * at its start less margin_ms when known (pass_started_ms >= 0), else the
 * newest last_modified it saw, else the old mark.  -1 means none.
 */
int64_t sync_next_mark(int64_t pass_started_ms, int64_t pass_max_ms, int64_t old_mark_ms,
                       int64_t margin_ms);

#endif
