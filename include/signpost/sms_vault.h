/*
 * Sealing phone numbers and texts at rest.  A vault holds one 32-byte key,
 * read from a file outside the database ([sms] key_file, or STATE/sms.key,
 * or a systemd credential); from it, two sub-keys are derived: one for
 * XSalsa20-Poly1305 boxes (libsodium secretbox: a random nonce per box,
 * stored in front of it) and one for the keyed BLAKE2b hash that lets the
 * store find a number (opt-outs, caps, replies) without opening anything.
 * A stolen database without the key file gives up no phone number.
 *
 * The key lives in memory locked with sodium_mlock and is wiped by
 * vault_close(), which accepts NULL.  A vault is read-only after opening
 * and safe to share between threads.
 */
#ifndef SIGNPOST_SMS_VAULT_H
#define SIGNPOST_SMS_VAULT_H

#include <stddef.h>
#include "signpost/result.h"

typedef struct sms_vault sms_vault;

/*
 * Opens the key at path.  When the file does not exist and may_create is
 * set, a new random key is written there (mode 0600, atomically); the
 * caller allows that only while the store holds nothing sealed, since a
 * new key cannot open old boxes.  err names the file on failure.
 */
sg_rc vault_open(const char *path, int may_create, sms_vault **out, char *err, size_t errlen);
void vault_close(sms_vault *v);

/* The size of the box for len bytes of plain text. */
size_t vault_box_len(size_t len);
/* Seals len bytes into box (vault_box_len(len) bytes). */
void vault_seal(const sms_vault *v, const void *plain, size_t len, unsigned char *box);
/* Opens a box into plain (boxlen - overhead bytes, NUL added: plain must
 * hold one more).  SG_EINVAL for a forged, damaged or foreign box. */
sg_rc vault_unseal(const sms_vault *v, const unsigned char *box, size_t boxlen, char *plain,
                   size_t plainlen);
/* Keyed hash of an E.164 number: 64 hex digits and a NUL. */
void vault_hash(const sms_vault *v, const char *e164, char out[65]);

#endif
