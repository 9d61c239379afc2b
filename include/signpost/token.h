/*
 * Short-lived bearer tokens that let the kiosk screen read back the one
 * screening it just created.  Tokens live only in memory: a restart or a
 * kiosk reset (DELETE .../token) ends them, and they expire after a TTL.
 * Only a keyed hash of each token is kept, compared in constant time.
 * The table has a fixed size; when full, the oldest entry is dropped.
 * Thread-safe.  token_table_free() accepts NULL.
 */
#ifndef SIGNPOST_TOKEN_H
#define SIGNPOST_TOKEN_H

#include <stddef.h>
#include "signpost/result.h"

#define SG_TOKEN_LEN 44 /* 43 base64url characters and a NUL */
#define SG_TOKEN_SLOTS 256

typedef struct sg_token_table sg_token_table;

sg_token_table *token_table_new(int ttl_s);
void token_table_free(sg_token_table *t);

/* Issues a new token for screening id into out. */
sg_rc token_issue(sg_token_table *t, const char *id, char out[SG_TOKEN_LEN]);
/* SG_OK when token is live for id; SG_EAUTH otherwise. */
sg_rc token_check(sg_token_table *t, const char *id, const char *token);
/* Ends every token of screening id. */
void token_revoke(sg_token_table *t, const char *id);

#endif
