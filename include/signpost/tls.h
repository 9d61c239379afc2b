/*
 * TLS material for the staff listener: the certificate and private key that
 * libmicrohttpd serves (MHD_OPTION_HTTPS_MEM_CERT / MHD_OPTION_HTTPS_MEM_KEY).
 * Either the operator names both files in [staff] tls_cert and tls_key, or
 * the daemon keeps a self-signed certificate of its own in the state
 * directory, made on first start.  Staff check the SHA-256 fingerprint shown
 * in the log and on the console against the one their browser shows.
 *
 * Ownership: a tls_material filled by tls_load_or_create() owns its two
 * strings; tls_material_free() wipes the key, frees both and zeroes the
 * struct.  It accepts NULL, a zeroed struct and an already-freed one.
 */
#ifndef SIGNPOST_TLS_H
#define SIGNPOST_TLS_H

#include <stddef.h>
#include <time.h>

#include "signpost/result.h"

/* Each PEM file may be at most this big: a key plus a chain of a few certificates. */
#define SG_TLS_PEM_MAX (64 * 1024)

typedef struct {
    char *cert_pem;       /* NUL-terminated PEM: the certificate, then any chain */
    char *key_pem;        /* NUL-terminated PEM private key; wiped on free */
    char fingerprint[96]; /* SHA-256 of the leaf's DER, "AB:CD:...", 95 chars */
    time_t not_after;     /* the leaf certificate's expiry */
    int generated;        /* 1: this call just made the self-signed pair */
} tls_material;

/*
 * Fills *out (zeroed first; left zeroed on failure).
 *
 * cert_path and key_path both set (non-empty): reads both PEM files, checks
 * that the certificate (and any chain after it) parses, that the key parses
 * and that the key belongs to the first certificate.
 *
 * Both NULL or empty: uses state_dir/staff-tls.crt and state_dir/staff-tls.key.
 * When the certificate file does not exist, makes a new ECDSA P-256 key and a
 * self-signed certificate for this host, "localhost" and 127.0.0.1, valid for
 * 825 days, writes both atomically (the key first, mode 0600; the certificate
 * last, so an existing certificate means a complete pair) and sets
 * out->generated.  An existing certificate is never replaced, even once
 * expired: staff browsers have pinned it, so renewal is the operator's call
 * (delete both files).
 *
 * Returns SG_EINVAL when only one of the paths is set, or a file is not the
 * PEM it should be, or the key does not match; SG_ENOTFOUND when a named file
 * (or a generated certificate's key) is missing; SG_ETOOBIG past
 * SG_TLS_PEM_MAX; SG_EIO on a read or write error; SG_EBUSY when a pair
 * must be made but the clock is plainly not set yet (before 2024, as on a
 * Raspberry Pi before NTP answers); SG_ENOMEM.  err (may be
 * NULL) then says which file and what is wrong.  An expired certificate is
 * not an error here: see tls_days_left().
 */
sg_rc tls_load_or_create(const char *cert_path, const char *key_path,
                         const char *state_dir, tls_material *out, char *err,
                         size_t errlen);

/* Wipes and frees what *m owns and zeroes it.  Accepts NULL. */
void tls_material_free(tls_material *m);

/*
 * Whole days from now until the certificate expires, rounded down: 0 on the
 * last day, negative once expired.  NULL or zeroed material counts as long
 * expired (INT_MIN).
 */
int tls_days_left(const tls_material *m, time_t now);

#endif
