/*
 * What the sync tests share besides the fake API: service JSON shaped like
 * HSDS 3.0's service_full.json example (organization, phone, schedule, a
 * located service_at_location with its address, a taxonomy term in
 * attributes), a scratch state folder, the shipped domain map, and
 * questions to the directory.db a run installed.
 */
#ifndef SIGNPOST_TEST_SYNC_HELPERS_H
#define SIGNPOST_TEST_SYNC_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "signpost/directory.h"
#include "signpost/sync.h"

/* The service as JSON text (caller frees); term is an Open Eligibility code
 * ("1129" food pantry) or NULL; status NULL means "active". */
char *test_service(const char *id, const char *name, const char *modified,
                   const char *term, const char *status);

/* Now plus offset_s seconds, as an HSDS last_modified. */
void test_time(long offset_s, char out[SYNC_TIME_LEN]);

/* A fresh state folder (the path is static storage); test_rmrf removes it. */
const char *test_state_dir(void);
void test_rmrf(const char *dir);

/* The shipped instrument's domain map (loaded once). */
const sg_domain_map *test_map(void);

/* Options for a test run against url: fast backoff, short timeout. */
void test_opts(sync_opts *o, const char *url, const char *state, int per_page,
               int max_pages);

/* directory.db in state: services, one service's name ("" when absent),
 * services in one domain of the index; -1 when there is no directory. */
long test_dir_count(const char *state);
void test_dir_name(const char *state, const char *id, char *out, size_t outlen);
long test_dir_domain_count(const char *state, const char *domain);

/* The whole file, for byte-for-byte comparisons (caller frees). */
char *test_slurp(const char *path, size_t *len);

int64_t test_now_ms(void);

#endif
