/*
 * Directory sync's insides, shared by its files (see sync.h for the public
 * face):
 *
 *   sync.c         a run: the mirror (sync.db), the pass state, the import
 *   sync_http.c    one page over HTTP with libcurl: timeouts, caps, retries
 *   sync_parse.c   the pure parts: URLs, Page objects, backoff, times
 *   sync_worker.c  the daemon's background thread
 */
#ifndef SIGNPOST_SYNC_INTERNAL_H
#define SIGNPOST_SYNC_INTERNAL_H

#include <stdint.h>

#include "signpost/buf.h"
#include "signpost/sync.h"

typedef struct sync_http sync_http;

/* A libcurl handle set up from o (kept by reference: it must outlive h). */
sg_rc sync_http_open(const sync_opts *o, sync_http **out, char *err, size_t errlen);
void sync_http_close(sync_http *h);

/*
 * GETs url into body (capped at SYNC_PAGE_CAP), retrying transient failures
 * with backoff.  *date_ms gets the server's Date header, -1 when it sent
 * none.  SG_EBUSY: still failing after SYNC_MAX_ATTEMPTS, a Retry-After
 * longer than o->max_wait_s, or stopped; SG_ETOOBIG: over the cap; SG_EAUTH
 * for 401/403; SG_EIO for other permanent failures.  err never holds the
 * URL's query.
 */
sg_rc sync_http_get(sync_http *h, const char *url, sg_buf *body, int64_t *date_ms,
                    char *err, size_t errlen);

/* Calls o->pause (or sleeps); nonzero when the run must stop. */
int sync_pause(const sync_opts *o, long ms);

#endif
