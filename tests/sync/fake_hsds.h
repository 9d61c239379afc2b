/*
 * A fake HSDS API for the sync tests: libmicrohttpd on 127.0.0.1, port
 * picked by the kernel, inside the test process.  It serves GET
 * /api/services as HSDS Page objects from the services the test puts in,
 * honouring page, per_page and modified_after ("on or after", by each
 * service's last_modified), ordered by id.  The test can make it misbehave
 * (503 with Retry-After, 429, a hang, malformed JSON, a 404) and can ask
 * what it was asked.
 */
#ifndef SIGNPOST_TEST_FAKE_HSDS_H
#define SIGNPOST_TEST_FAKE_HSDS_H

#include <stddef.h>

typedef struct fake_hsds fake_hsds;

typedef enum {
    FAKE_OK,
    FAKE_503,       /* 503 with Retry-After: 1 */
    FAKE_429,       /* 429 without Retry-After */
    FAKE_HANG,      /* answers only after hang_ms */
    FAKE_MALFORMED, /* 200 with a body that is not JSON */
    FAKE_404,
    FAKE_HUGE /* 200, chunked (no Content-Length), 17 MB of JSON */
} fake_mode;

fake_hsds *fake_hsds_start(void);
void fake_hsds_stop(fake_hsds *f);
/* "http://127.0.0.1:PORT/api" */
const char *fake_hsds_url(const fake_hsds *f);

/* Adds a service (JSON text with "id" and "last_modified"), replacing one
 * with the same id. */
void fake_hsds_put(fake_hsds *f, const char *service_json);
void fake_hsds_remove(fake_hsds *f, const char *id);

/*
 * The next `times` requests for page `page` (0: any page) answer as mode;
 * -1 times: every one until told otherwise.  FAKE_HANG waits hang_ms.
 */
void fake_hsds_misbehave(fake_hsds *f, fake_mode mode, int page, int times, long hang_ms);

typedef struct {
    int requests;            /* everything it was asked */
    int pages;               /* 200 answers with a Page */
    int items;               /* services in those pages */
    char modified_after[64]; /* of the last request; "" when absent */
    char user_agent[64];     /* of the last request */
    int full;                /* the last request said full=true */
    int last_page;           /* page number of the last request */
} fake_stats;

void fake_hsds_stats(fake_hsds *f, fake_stats *out);
void fake_hsds_reset_stats(fake_hsds *f);

#endif
