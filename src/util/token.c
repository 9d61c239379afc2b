/*
 * The kiosk's bearer-token table (see token.h).  Expiry uses the monotonic
 * clock so that an NTP step after boot can neither extend nor cut short a
 * token's life.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/store.h"
#include "signpost/token.h"

typedef struct {
    char id[SG_ID_LEN];
    unsigned char hash[crypto_generichash_BYTES];
    double expires; /* monotonic seconds; 0: free slot */
    double issued;
} token_slot;

struct sg_token_table {
    pthread_mutex_t lock;
    unsigned char key[crypto_generichash_KEYBYTES];
    int ttl_s;
    token_slot slots[SG_TOKEN_SLOTS];
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

sg_token_table *token_table_new(int ttl_s)
{
    sg_token_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    crypto_generichash_keygen(t->key);
    t->ttl_s = ttl_s;
    return t;
}

void token_table_free(sg_token_table *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    sodium_memzero(t, sizeof *t);
    free(t);
}

static void hash_token(const sg_token_table *t, const char *token, unsigned char *out)
{
    crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)token,
                       strlen(token), t->key, sizeof t->key);
}

/* A free or expired slot, else the oldest. Caller holds the lock. */
static token_slot *free_slot(sg_token_table *t, double now)
{
    token_slot *oldest = &t->slots[0];
    for (int i = 0; i < SG_TOKEN_SLOTS; i++) {
        token_slot *s = &t->slots[i];
        if (s->expires <= now)
            return s;
        if (s->issued < oldest->issued)
            oldest = s;
    }
    return oldest;
}

sg_rc token_issue(sg_token_table *t, const char *id, char out[SG_TOKEN_LEN])
{
    unsigned char raw[32];
    double now = now_mono();
    token_slot *s;

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SG_TOKEN_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    pthread_mutex_lock(&t->lock);
    s = free_slot(t, now);
    snprintf(s->id, sizeof s->id, "%s", id);
    hash_token(t, out, s->hash);
    s->issued = now;
    s->expires = now + t->ttl_s;
    pthread_mutex_unlock(&t->lock);
    return SG_OK;
}

sg_rc token_check(sg_token_table *t, const char *id, const char *token)
{
    unsigned char h[crypto_generichash_BYTES];
    double now = now_mono();
    sg_rc rc = SG_EAUTH;

    if (!token || strlen(token) != SG_TOKEN_LEN - 1)
        return SG_EAUTH;
    hash_token(t, token, h);
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < SG_TOKEN_SLOTS; i++) {
        token_slot *s = &t->slots[i];
        if (s->expires > now && sodium_memcmp(s->hash, h, sizeof h) == 0 &&
            strcmp(s->id, id) == 0)
            rc = SG_OK;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void token_revoke(sg_token_table *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < SG_TOKEN_SLOTS; i++)
        if (strcmp(t->slots[i].id, id) == 0)
            memset(&t->slots[i], 0, sizeof t->slots[i]);
    pthread_mutex_unlock(&t->lock);
}
