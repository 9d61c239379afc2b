/*
 * The key file and libsodium boxes behind sms_vault.h.  The master key is
 * never used directly: crypto_kdf derives a box key and a hash key from it
 * (different contexts), so that the hash of a number can never be turned
 * into anything that opens a box.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/sms_vault.h"

#define KEY_CONTEXT "sgvault1" /* crypto_kdf contexts are 8 bytes */

struct sms_vault {
    unsigned char box_key[crypto_secretbox_KEYBYTES];
    unsigned char hash_key[crypto_generichash_KEYBYTES];
};

static sg_rc read_key(const char *path, unsigned char key[crypto_kdf_KEYBYTES], char *err,
                      size_t errlen)
{
    unsigned char buf[crypto_kdf_KEYBYTES + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? SG_ENOTFOUND : SG_EIO;
    }
    n = read(fd, buf, sizeof buf);
    close(fd);
    if (n != crypto_kdf_KEYBYTES) {
        snprintf(err, errlen, "%s: a key file holds exactly %d bytes", path,
                 crypto_kdf_KEYBYTES);
        sodium_memzero(buf, sizeof buf);
        return SG_EINVAL;
    }
    memcpy(key, buf, crypto_kdf_KEYBYTES);
    sodium_memzero(buf, sizeof buf);
    return SG_OK;
}

/* Writes a new random key: a temporary file, fsync, then rename, so a
 * power cut leaves either no key or a whole one. */
static sg_rc create_key(const char *path, unsigned char key[crypto_kdf_KEYBYTES], char *err,
                        size_t errlen)
{
    char tmp[512];
    int fd, ok;

    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "%s: path too long", path);
        return SG_EINVAL;
    }
    crypto_kdf_keygen(key);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return SG_EIO;
    }
    ok = write(fd, key, crypto_kdf_KEYBYTES) == crypto_kdf_KEYBYTES && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot write the key: %s", path, strerror(errno));
        unlink(tmp);
        return SG_EIO;
    }
    return SG_OK;
}

sg_rc vault_open(const char *path, int may_create, sms_vault **out, char *err, size_t errlen)
{
    unsigned char master[crypto_kdf_KEYBYTES];
    sms_vault *v = NULL;
    sg_rc rc;

    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not start");
        return SG_EIO;
    }
    rc = read_key(path, master, err, errlen);
    if (rc == SG_ENOTFOUND && may_create)
        rc = create_key(path, master, err, errlen);
    if (rc)
        goto out;
    v = sodium_malloc(sizeof *v); /* guarded and locked pages */
    if (!v) {
        rc = SG_ENOMEM;
        goto out;
    }
    crypto_kdf_derive_from_key(v->box_key, sizeof v->box_key, 1, KEY_CONTEXT, master);
    crypto_kdf_derive_from_key(v->hash_key, sizeof v->hash_key, 2, KEY_CONTEXT, master);
    sodium_mprotect_readonly(v);
    *out = v;
out:
    sodium_memzero(master, sizeof master);
    return rc;
}

void vault_close(sms_vault *v)
{
    if (v)
        sodium_free(v); /* wipes the pages */
}

size_t vault_box_len(size_t len)
{
    return crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
}

void vault_seal(const sms_vault *v, const void *plain, size_t len, unsigned char *box)
{
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, len, box, v->box_key);
}

sg_rc vault_unseal(const sms_vault *v, const unsigned char *box, size_t boxlen, char *plain,
                   size_t plainlen)
{
    size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (!box || boxlen < overhead || boxlen - overhead >= plainlen)
        return SG_EINVAL;
    if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
                                   boxlen - crypto_secretbox_NONCEBYTES, box, v->box_key))
        return SG_EINVAL;
    plain[boxlen - overhead] = '\0';
    return SG_OK;
}

void vault_hash(const sms_vault *v, const char *e164, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)e164, strlen(e164), v->hash_key,
                       sizeof v->hash_key);
    sodium_bin2hex(out, 65, h, sizeof h);
}
