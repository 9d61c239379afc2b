/*
 * The staff listener's certificate and key (see signpost/tls.h).  The staff
 * console is reached over the clinic LAN, where nobody can get a publicly
 * trusted certificate for a Raspberry Pi's name, so by default the daemon
 * makes its own: a self-signed ECDSA P-256 certificate kept in the state
 * directory and pinned by staff browsers by its SHA-256 fingerprint.  A
 * clinic with its own CA names its certificate and key in [staff] instead.
 * Either way everything is checked here, at start-up, so that a wrong or
 * mismatched file is a clear message naming the file rather than a TLS
 * handshake that silently fails on every staff machine.
 *
 * GnuTLS does the parsing and generation because libmicrohttpd is built on
 * it: the daemon then carries one TLS library, not two.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "signpost/tls.h"

#define CERT_NAME "staff-tls.crt"
#define KEY_NAME "staff-tls.key"
#define COMMON_NAME "signpost staff console"
/* The longest span Apple platforms accept for a TLS server certificate. */
#define VALID_DAYS 825
/*
 * Backdate the start an hour so that a staff machine whose clock is a little
 * behind the kiosk's does not see a certificate "not yet valid".  The hour
 * comes off the 825 days, which are a limit on the whole span.
 */
#define BACKDATE_S 3600
/*
 * A Raspberry Pi has no battery-backed clock: until NTP answers, time() may
 * say 1970 or whatever fake-hwclock saved.  A certificate made then would be
 * expired (or not yet valid) for its whole life, and it is never replaced
 * automatically, so refuse to make one before this date (2024-01-01 UTC).
 */
#define CLOCK_SANE_AFTER ((time_t)1704067200)

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Zeroes then frees a buffer that held key material. */
static void wipe_free(char *p, size_t len)
{
    if (!p)
        return;
    sodium_memzero(p, len);
    free(p);
}

/*
 * Reads a whole PEM file into a new NUL-terminated buffer.  The cap is
 * enforced while reading, not from st_size, so a file that grows between
 * fstat() and read() cannot push past it.  The caller frees *out (with
 * wipe_free() for a key).
 */
static sg_rc read_pem(const char *label, const char *path, char **out, size_t *outlen,
                      char *err, size_t errlen)
{
    sg_rc rc = SG_EIO;
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *out = NULL;
    *outlen = 0;
    if (fd < 0) {
        int e = errno;
        set_err(err, errlen, "%s %s: %s", label, path, strerror(e));
        return e == ENOENT ? SG_ENOTFOUND : SG_EIO;
    }
    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "%s %s: %s", label, path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errlen, "%s %s: not a regular file", label, path);
        rc = SG_EINVAL;
        goto out;
    }
    /*
     * Room for one byte past the cap: reading it tells "over the cap" from
     * "exactly at it", and when it is not read the byte holds the NUL.
     */
    buf = malloc(SG_TLS_PEM_MAX + 1);
    if (!buf) {
        rc = SG_ENOMEM;
        set_err(err, errlen, "%s %s: out of memory", label, path);
        goto out;
    }
    while (len <= SG_TLS_PEM_MAX) {
        ssize_t n = read(fd, buf + len, SG_TLS_PEM_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_err(err, errlen, "%s %s: %s", label, path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > SG_TLS_PEM_MAX) {
        set_err(err, errlen, "%s %s: larger than %d KiB; not a certificate or key file",
                label, path, SG_TLS_PEM_MAX / 1024);
        rc = SG_ETOOBIG;
        goto out;
    }
    buf[len] = '\0';
    /* libmicrohttpd takes C strings: a NUL inside would silently cut the PEM short. */
    if (len == 0 || memchr(buf, '\0', len)) {
        set_err(err, errlen, "%s %s: %s", label, path,
                len == 0 ? "empty file" : "contains a NUL byte; not a PEM file");
        rc = SG_EINVAL;
        goto out;
    }
    *out = buf;
    *outlen = len;
    buf = NULL;
    rc = SG_OK;
out:
    wipe_free(buf, len);
    close(fd);
    return rc;
}

/* "AB:CD:..." from a digest; out must hold 3 * n bytes. */
static void hex_pairs(const unsigned char *d, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (i)
            out[o++] = ':';
        out[o++] = hex[d[i] >> 4];
        out[o++] = hex[d[i] & 15];
    }
    out[o] = '\0';
}

/* Exports a public key as DER; the caller gnutls_free()s out->data. */
static int pubkey_der(gnutls_pubkey_t pub, gnutls_datum_t *out)
{
    return gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, out);
}

/*
 * Checks a certificate PEM (the leaf first, then any chain) and a key PEM:
 * both parse and the key's public half is the leaf's.  On success fills
 * out->fingerprint and out->not_after only; the caller hands over the
 * strings.  The labels and paths are for the messages.
 */
static sg_rc check_pair(const char *cert_label, const char *cert_path,
                        const char *cert_pem, size_t cert_len, const char *key_label,
                        const char *key_path, const char *key_pem, size_t key_len,
                        tls_material *out, char *err, size_t errlen)
{
    sg_rc rc = SG_EINVAL;
    gnutls_x509_crt_t *chain = NULL;
    unsigned int nchain = 0;
    gnutls_x509_privkey_t xkey = NULL;
    gnutls_privkey_t key = NULL;
    gnutls_pubkey_t cert_pub = NULL, key_pub = NULL;
    gnutls_datum_t der = {NULL, 0}, cert_spki = {NULL, 0}, key_spki = {NULL, 0};
    unsigned char digest[32];
    time_t not_after;
    int g;
    /* Both lengths are capped at SG_TLS_PEM_MAX by the readers, so they fit. */
    gnutls_datum_t cd = {(unsigned char *)(uintptr_t)cert_pem, (unsigned int)cert_len};
    gnutls_datum_t kd = {(unsigned char *)(uintptr_t)key_pem, (unsigned int)key_len};

    /*
     * The whole list, not just the first certificate: libmicrohttpd hands the
     * file to GnuTLS as a chain, so a broken intermediate would fail there.
     */
    g = gnutls_x509_crt_list_import2(&chain, &nchain, &cd, GNUTLS_X509_FMT_PEM, 0);
    if (g < 0) {
        chain = NULL; /* nothing is allocated on failure */
        nchain = 0;
    }
    if (g < 0 || nchain == 0) {
        set_err(err, errlen, "%s %s: not a PEM X.509 certificate (%s)", cert_label,
                cert_path, g < 0 ? gnutls_strerror(g) : "no certificate found");
        goto out;
    }
    g = gnutls_x509_crt_export2(chain[0], GNUTLS_X509_FMT_DER, &der);
    if (g >= 0)
        g = gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, digest);
    if (g < 0) {
        set_err(err, errlen, "%s %s: cannot fingerprint the certificate (%s)", cert_label,
                cert_path, gnutls_strerror(g));
        goto out;
    }
    not_after = gnutls_x509_crt_get_expiration_time(chain[0]);
    if (not_after == (time_t)-1) {
        set_err(err, errlen, "%s %s: cannot read the certificate's expiry date",
                cert_label, cert_path);
        goto out;
    }

    /* No password: the daemon starts unattended, so an encrypted key cannot work. */
    if ((g = gnutls_x509_privkey_init(&xkey)) < 0 ||
        (g = gnutls_x509_privkey_import2(xkey, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        set_err(err, errlen, "%s %s: not an unencrypted PEM private key (%s)", key_label,
                key_path, gnutls_strerror(g));
        goto out;
    }
    if ((g = gnutls_privkey_init(&key)) < 0 ||
        (g = gnutls_privkey_import_x509(key, xkey, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) <
            0) {
        set_err(err, errlen, "%s %s: unusable private key (%s)", key_label, key_path,
                gnutls_strerror(g));
        goto out;
    }
    xkey = NULL; /* key owns it now (AUTO_RELEASE) */

    /*
     * Compare the public keys as DER SubjectPublicKeyInfo: a key that is not
     * the certificate's would load fine and only fail at the first handshake.
     */
    if ((g = gnutls_pubkey_init(&cert_pub)) < 0 ||
        (g = gnutls_pubkey_import_x509(cert_pub, chain[0], 0)) < 0 ||
        (g = pubkey_der(cert_pub, &cert_spki)) < 0) {
        set_err(err, errlen, "%s %s: cannot read the certificate's public key (%s)",
                cert_label, cert_path, gnutls_strerror(g));
        goto out;
    }
    if ((g = gnutls_pubkey_init(&key_pub)) < 0 ||
        (g = gnutls_pubkey_import_privkey(key_pub, key, 0, 0)) < 0 ||
        (g = pubkey_der(key_pub, &key_spki)) < 0) {
        set_err(err, errlen, "%s %s: cannot derive the public key (%s)", key_label,
                key_path, gnutls_strerror(g));
        goto out;
    }
    if (cert_spki.size != key_spki.size ||
        memcmp(cert_spki.data, key_spki.data, cert_spki.size) != 0) {
        set_err(err, errlen, "%s %s: the key does not match the certificate in %s",
                key_label, key_path, cert_path);
        goto out;
    }

    hex_pairs(digest, sizeof digest, out->fingerprint);
    out->not_after = not_after;
    rc = SG_OK;
out:
    gnutls_free(der.data);
    gnutls_free(cert_spki.data);
    gnutls_free(key_spki.data);
    gnutls_pubkey_deinit(cert_pub);
    gnutls_pubkey_deinit(key_pub);
    gnutls_privkey_deinit(key);
    gnutls_x509_privkey_deinit(xkey);
    for (unsigned int i = 0; i < nchain; i++)
        gnutls_x509_crt_deinit(chain[i]);
    gnutls_free(chain);
    return rc;
}

/*
 * Writes data to path so that path is either the old file or the whole new
 * one, even across a power cut: a temporary file beside it, fsync, rename,
 * fsync of the directory.  mkstemp() creates the file 0600, so a key is
 * never readable by others even for a moment; mode is applied before any
 * data is written.
 */
static sg_rc write_atomic(const char *dir, const char *path, const char *data, size_t len,
                          mode_t mode, char *err, size_t errlen)
{
    sg_rc rc = SG_EIO;
    char tmp[PATH_MAX];
    const char *what = "create", *subject = path;
    int fd = -1, dfd = -1, made = 0, e = 0;
    size_t done = 0;
    int n = snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);

    if (n < 0 || (size_t)n >= sizeof tmp) {
        set_err(err, errlen, "%s: path too long", path);
        return SG_EINVAL;
    }
    fd = mkstemp(tmp);
    if (fd < 0)
        goto fail;
    made = 1;
    subject = tmp;
    what = "chmod";
    if (fchmod(fd, mode) != 0)
        goto fail;
    what = "write";
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        done += (size_t)w;
    }
    what = "fsync";
    if (fsync(fd) != 0)
        goto fail;
    what = "close";
    e = close(fd);
    fd = -1;
    if (e != 0)
        goto fail;
    what = "rename";
    if (rename(tmp, path) != 0)
        goto fail;
    made = 0;
    /* The rename is durable only once the directory entry is. */
    subject = dir;
    what = "fsync";
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0)
        goto fail;
    rc = SG_OK;
    goto out;
fail:
    e = errno;
    set_err(err, errlen, "%s: cannot %s: %s", subject, what, strerror(e));
out:
    if (fd >= 0)
        close(fd);
    if (made)
        unlink(tmp);
    if (dfd >= 0)
        close(dfd);
    return rc;
}

/*
 * True for a name a certificate can carry as a DNS SAN: ASCII letters,
 * digits and inner hyphens, labels of 1-63, at most 253 in all.  A host
 * name that is not (an underscore, say) is left out of the certificate
 * rather than making generation fail.
 */
static int valid_dns_name(const char *s)
{
    size_t n = strlen(s), label = 0;

    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || (c == '-' && label > 0);
        if (!ok || ++label > 63)
            return 0;
    }
    return label > 0 && s[n - 1] != '-';
}

/* A NUL-terminated malloc()ed copy of a GnuTLS PEM export, capped like a read file. */
static char *dup_pem(const gnutls_datum_t *d, size_t *len)
{
    size_t n = strnlen((const char *)d->data, d->size);
    char *s;

    if (n == 0 || n > SG_TLS_PEM_MAX || !(s = malloc(n + 1)))
        return NULL;
    memcpy(s, d->data, n);
    s[n] = '\0';
    *len = n;
    return s;
}

/*
 * Makes a new key and self-signed certificate and writes them: the key
 * first, the certificate last, so the certificate's presence is what says
 * "a complete pair is here" (an interrupted run leaves at most a key, which
 * the next run replaces).  On success *cert and *key are new strings.
 */
static sg_rc generate(const char *state_dir, const char *cert_path, const char *key_path,
                      char **cert, size_t *cert_len, char **key, size_t *key_len,
                      char *err, size_t errlen)
{
    sg_rc rc = SG_EINVAL;
    gnutls_x509_privkey_t xkey = NULL;
    gnutls_privkey_t signer = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t cd = {NULL, 0}, kd = {NULL, 0};
    unsigned char serial[16], keyid[64];
    size_t keyid_len = sizeof keyid;
    static const unsigned char loopback[4] = {127, 0, 0, 1};
    char host[256];
    const char *step = NULL;
    time_t now = time(NULL), not_before;
    long long not_after;
    int g;

    *cert = *key = NULL;
    if (now < CLOCK_SANE_AFTER) {
        set_err(err, errlen,
                "staff TLS certificate %s: not made yet because the clock is not set "
                "(before 2024); start again once the time is right",
                cert_path);
        return SG_EBUSY;
    }
    not_before = now - BACKDATE_S;
    not_after = (long long)not_before + (long long)VALID_DAYS * 86400;
    if ((long long)(time_t)not_after != not_after) {
        set_err(err, errlen, "staff TLS certificate %s: expiry does not fit in time_t",
                cert_path);
        return SG_EINVAL;
    }

    /*
     * A random serial, as RFC 5280 recommends: a browser that pinned an
     * earlier certificate of this host must not see two certificates with
     * the same issuer and serial.  The top bit is cleared so the DER INTEGER
     * is positive and the next one set so it has no leading zero byte.
     */
    if ((g = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0) {
        step = "random serial";
        goto gnutls_fail;
    }
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);

    /* gethostname() need not terminate a truncated name. */
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';

/* One GnuTLS call; on failure says which step failed.  Keeps the sequence readable. */
#define GT(what, call)                                                                   \
    do {                                                                                 \
        step = (what);                                                                   \
        if ((g = (call)) < 0)                                                            \
            goto gnutls_fail;                                                            \
    } while (0)

    GT("key init", gnutls_x509_privkey_init(&xkey));
    GT("ECDSA P-256 key generation",
       gnutls_x509_privkey_generate(xkey, GNUTLS_PK_ECDSA,
                                    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
    GT("certificate init", gnutls_x509_crt_init(&crt));
    GT("version", gnutls_x509_crt_set_version(crt, 3));
    GT("serial", gnutls_x509_crt_set_serial(crt, serial, sizeof serial));
    GT("common name", gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                    COMMON_NAME, sizeof COMMON_NAME - 1));
    GT("activation time", gnutls_x509_crt_set_activation_time(crt, not_before));
    GT("expiration time", gnutls_x509_crt_set_expiration_time(crt, (time_t)not_after));
    GT("public key", gnutls_x509_crt_set_key(crt, xkey));
    /*
     * Browsers ignore the CN and match only the SAN.  The host name is what
     * a staff machine on the LAN may use; localhost and 127.0.0.1 are for
     * an SSH tunnel and for the kiosk itself.
     */
    if (valid_dns_name(host) && strcasecmp(host, "localhost") != 0)
        GT("host name SAN", gnutls_x509_crt_set_subject_alt_name(
                                crt, GNUTLS_SAN_DNSNAME, host, (unsigned int)strlen(host),
                                GNUTLS_FSAN_APPEND));
    GT("localhost SAN", gnutls_x509_crt_set_subject_alt_name(
                            crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND));
    GT("127.0.0.1 SAN",
       gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback,
                                            sizeof loopback, GNUTLS_FSAN_APPEND));
    /* A server leaf and nothing more: it must not sign other certificates. */
    GT("key usage", gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
    GT("extended key usage",
       gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
    GT("basic constraints", gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
    GT("key id", gnutls_x509_crt_get_key_id(crt, 0, keyid, &keyid_len));
    GT("subject key id", gnutls_x509_crt_set_subject_key_id(crt, keyid, keyid_len));
    GT("signer init", gnutls_privkey_init(&signer));
    GT("signer import", gnutls_privkey_import_x509(signer, xkey, 0));
    GT("signature", gnutls_x509_crt_privkey_sign(crt, crt, signer, GNUTLS_DIG_SHA256, 0));
    GT("certificate export", gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd));
    /* PKCS#8 ("BEGIN PRIVATE KEY"): the form every TLS tool reads. */
    GT("key export", gnutls_x509_privkey_export2_pkcs8(xkey, GNUTLS_X509_FMT_PEM, NULL,
                                                       GNUTLS_PKCS_PLAIN, &kd));
#undef GT

    *cert = dup_pem(&cd, cert_len);
    *key = dup_pem(&kd, key_len);
    if (!*cert || !*key) {
        rc = SG_ENOMEM;
        set_err(err, errlen, "staff TLS certificate %s: out of memory", cert_path);
        goto out;
    }
    rc = write_atomic(state_dir, key_path, *key, *key_len, 0600, err, errlen);
    if (rc == SG_OK)
        rc = write_atomic(state_dir, cert_path, *cert, *cert_len, 0644, err, errlen);
    goto out;

gnutls_fail:
    rc = g == GNUTLS_E_MEMORY_ERROR ? SG_ENOMEM : SG_EINVAL;
    set_err(err, errlen, "staff TLS certificate %s: %s failed (%s)", cert_path, step,
            gnutls_strerror(g));
out:
    if (rc != SG_OK) {
        free(*cert);
        wipe_free(*key, *key ? *key_len : 0);
        *cert = *key = NULL;
    }
    if (kd.data)
        gnutls_memset(kd.data, 0, kd.size);
    gnutls_free(kd.data);
    gnutls_free(cd.data);
    gnutls_privkey_deinit(signer); /* imported without AUTO_RELEASE: xkey is still ours */
    gnutls_x509_privkey_deinit(xkey);
    gnutls_x509_crt_deinit(crt);
    return rc;
}

sg_rc tls_load_or_create(const char *cert_path, const char *key_path,
                         const char *state_dir, tls_material *out, char *err,
                         size_t errlen)
{
    sg_rc rc;
    char cbuf[PATH_MAX], kbuf[PATH_MAX];
    const char *cpath, *kpath, *clabel, *klabel;
    char *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    int have_cert = cert_path && *cert_path, have_key = key_path && *key_path;
    int generated = 0;

    set_err(err, errlen, "%s", "");
    if (!out)
        return SG_EINVAL;
    memset(out, 0, sizeof *out);

    /* Half a configuration is a mistake, not a request for a self-signed pair. */
    if (have_cert != have_key) {
        set_err(err, errlen,
                "%s is empty but %s is set: set both, or neither for a "
                "self-signed certificate",
                have_cert ? "[staff] tls_key" : "[staff] tls_cert",
                have_cert ? "[staff] tls_cert" : "[staff] tls_key");
        return SG_EINVAL;
    }
    if (have_cert) {
        cpath = cert_path;
        kpath = key_path;
        clabel = "[staff] tls_cert";
        klabel = "[staff] tls_key";
    } else {
        int nc, nk;
        if (!state_dir || !*state_dir) {
            set_err(err, errlen,
                    "staff TLS: no [staff] tls_cert/tls_key and no state "
                    "directory to keep a self-signed pair in");
            return SG_EINVAL;
        }
        nc = snprintf(cbuf, sizeof cbuf, "%s/%s", state_dir, CERT_NAME);
        nk = snprintf(kbuf, sizeof kbuf, "%s/%s", state_dir, KEY_NAME);
        if (nc < 0 || nk < 0 || (size_t)nc >= sizeof cbuf || (size_t)nk >= sizeof kbuf) {
            set_err(err, errlen, "staff TLS: state directory path too long: %s",
                    state_dir);
            return SG_EINVAL;
        }
        cpath = cbuf;
        kpath = kbuf;
        clabel = "staff TLS certificate";
        klabel = "staff TLS key";
    }

    rc = read_pem(clabel, cpath, &cert, &cert_len, err, errlen);
    if (rc == SG_ENOTFOUND && !have_cert) {
        /* First start (or an interrupted first start): make the pair. */
        rc = generate(state_dir, cpath, kpath, &cert, &cert_len, &key, &key_len, err,
                      errlen);
        generated = 1;
    } else if (rc == SG_OK) {
        rc = read_pem(klabel, kpath, &key, &key_len, err, errlen);
        /*
         * A certificate without its key cannot be served, but quietly making
         * a new pair would change the fingerprint staff have pinned: say so
         * and let the operator decide.
         */
        if (rc == SG_ENOTFOUND && !have_cert)
            set_err(err, errlen,
                    "%s %s is missing but the certificate %s exists; restore the key, or "
                    "delete the certificate to make a new pair",
                    klabel, kpath, cpath);
    }
    if (rc != SG_OK)
        goto out;

    rc = check_pair(clabel, cpath, cert, cert_len, klabel, kpath, key, key_len, out, err,
                    errlen);
    if (rc != SG_OK)
        goto out;
    out->cert_pem = cert;
    out->key_pem = key;
    out->generated = generated;
    cert = key = NULL;
    set_err(err, errlen, "%s",
            ""); /* the "not found" that led to generating is no error */
out:
    free(cert);
    wipe_free(key, key_len);
    if (rc != SG_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

void tls_material_free(tls_material *m)
{
    if (!m)
        return;
    if (m->key_pem)
        wipe_free(m->key_pem, strlen(m->key_pem));
    free(m->cert_pem);
    memset(m, 0, sizeof *m);
}

int tls_days_left(const tls_material *m, time_t now)
{
    long long s, days;

    if (!m || !m->cert_pem)
        return INT_MIN;
    s = (long long)m->not_after - (long long)now;
    /* Round toward minus infinity: one second past expiry is day -1, not day 0. */
    days = s / 86400 - (s % 86400 < 0);
    if (days > INT_MAX)
        return INT_MAX;
    if (days < INT_MIN)
        return INT_MIN;
    return (int)days;
}
