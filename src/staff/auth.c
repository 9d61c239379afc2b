/*
 * The staff authentication core (see staff_auth.h): what a password must
 * be and how it is hashed, when a login is throttled, what a session or
 * CSRF token looks like and how its stored form is made, when a session
 * has ended, and the session cookie in both directions.  Everything here
 * is a decision on its arguments; the shells do the I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "signpost/staff_auth.h"

static const char *const role_names[] = {"none", "viewer", "navigator", "admin"};

staff_role staff_role_parse(const char *s)
{
    for (int r = STAFF_ROLE_VIEWER; s && r <= STAFF_ROLE_ADMIN; r++)
        if (!strcmp(s, role_names[r]))
            return (staff_role)r;
    return STAFF_ROLE_NONE;
}

const char *staff_role_name(staff_role r)
{
    return r >= STAFF_ROLE_VIEWER && r <= STAFF_ROLE_ADMIN ? role_names[r]
                                                           : role_names[0];
}

/* ---- usernames and passwords ------------------------------------- */

static void say(char *why, size_t whylen, const char *msg)
{
    if (why && whylen)
        snprintf(why, whylen, "%s", msg);
}

sg_rc staff_username_check(const char *name, char *why, size_t whylen)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > STAFF_USERNAME_MAX) {
        say(why, whylen, "a username is 1 to 64 characters");
        return SG_EINVAL;
    }
    /* A small alphabet: names appear in logs, the audit trail and shells. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@') {
            say(why, whylen, "a username may hold only letters, digits and . _ - @");
            return SG_EINVAL;
        }
    }
    return SG_OK;
}

/* Code points in s when it is valid UTF-8 without control characters; -1 otherwise. */
static long utf8_chars(const unsigned char *s)
{
    long n = 0;

    while (*s) {
        unsigned char c = *s;
        int more = c < 0x80             ? 0
                   : (c & 0xE0) == 0xC0 ? 1
                   : (c & 0xF0) == 0xE0 ? 2
                   : (c & 0xF8) == 0xF0 ? 3
                                        : -1;
        if (more < 0 || (more == 1 && c < 0xC2) || c < 0x20 || c == 0x7F)
            return -1;
        s++;
        for (int i = 0; i < more; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return -1;
        n++;
    }
    return n;
}

sg_rc staff_pw_policy(const char *username, const char *pw, char *why, size_t whylen)
{
    long chars;

    if (!pw || strlen(pw) > STAFF_PW_MAX) {
        say(why, whylen, "the password is too long (at most 1024 bytes)");
        return SG_EINVAL;
    }
    if ((chars = utf8_chars((const unsigned char *)pw)) < 0) {
        say(why, whylen, "the password must be text without control characters");
        return SG_EINVAL;
    }
    if (chars < STAFF_PW_MIN) {
        say(why, whylen,
            "the password is too short: use at least 12 characters "
            "(a few unrelated words are easy to remember)");
        return SG_EINVAL;
    }
    if (username && !strcasecmp(username, pw)) {
        say(why, whylen, "the password must not be the username");
        return SG_EINVAL;
    }
    return SG_OK;
}

sg_rc staff_pw_hash(const char *pw, char out[STAFF_HASH_MAX])
{
    size_t n = strlen(pw);

    if (n > STAFF_PW_MAX)
        return SG_EINVAL;
    /* The only failure libsodium reports here is running out of memory. */
    if (crypto_pwhash_str_alg(out, pw, n, STAFF_PW_OPSLIMIT, STAFF_PW_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return SG_ENOMEM;
    return SG_OK;
}

sg_rc staff_pw_verify(const char *hash, const char *pw)
{
    if (!hash || !pw || strlen(pw) > STAFF_PW_MAX ||
        crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
        return SG_EAUTH;
    return SG_OK;
}

int staff_pw_needs_rehash(const char *hash)
{
    /* -1 (not a hash libsodium knows) also asks for a new one. */
    return crypto_pwhash_str_needs_rehash(hash, STAFF_PW_OPSLIMIT, STAFF_PW_MEMLIMIT) !=
           0;
}

/* ---- throttling -------------------------------------------------- */

long staff_throttle_wait(const staff_throttle *t, time_t now)
{
    return t->locked_until > now ? (long)(t->locked_until - now) : 0;
}

/* A window with nothing left in it: no failures, or its 15 minutes are over
 * (or the clock went back past its start). */
static int window_over(const staff_throttle *t, time_t now)
{
    return !t->count || now < t->first_at || now - t->first_at >= STAFF_THROTTLE_WINDOW_S;
}

static int streak_over(const staff_throttle *t, time_t now)
{
    return !t->locked_until || now - t->locked_until >= STAFF_THROTTLE_LOCK_MAX_S;
}

static long lock_seconds(int earlier_locks)
{
    long s = STAFF_THROTTLE_LOCK_S;
    for (int i = 0; i < earlier_locks && s < STAFF_THROTTLE_LOCK_MAX_S; i++)
        s *= 2;
    return s < STAFF_THROTTLE_LOCK_MAX_S ? s : STAFF_THROTTLE_LOCK_MAX_S;
}

void staff_throttle_fail(staff_throttle *t, time_t now)
{
    if (streak_over(t, now)) {
        t->locks = 0;
        t->locked_until = 0;
    }
    if (window_over(t, now)) {
        t->count = 0;
        t->first_at = now;
    }
    if (++t->count < STAFF_THROTTLE_FAILS)
        return;
    t->locked_until = now + lock_seconds(t->locks);
    t->locks++;
    t->count = 0; /* a fresh window of five after the lock */
    t->first_at = 0;
}

int staff_throttle_idle(const staff_throttle *t, time_t now)
{
    return window_over(t, now) && streak_over(t, now);
}

/* ---- tokens and sessions ----------------------------------------- */

void staff_token_new(char out[STAFF_TOKEN_LEN])
{
    unsigned char raw[STAFF_TOKEN_BYTES];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, STAFF_TOKEN_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

static int b64url_char(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_';
}

int staff_token_valid(const char *s)
{
    size_t i = 0;

    if (!s)
        return 0;
    for (; i < STAFF_TOKEN_LEN && s[i]; i++)
        if (!b64url_char((unsigned char)s[i]))
            return 0;
    return i == STAFF_TOKEN_LEN - 1 && !s[i];
}

void staff_session_hash(const unsigned char key[STAFF_KEY_BYTES], const char *id,
                        char out[STAFF_SESSION_HASH_LEN])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof h, (const unsigned char *)id, strlen(id), key,
                       STAFF_KEY_BYTES);
    sodium_bin2hex(out, STAFF_SESSION_HASH_LEN, h, sizeof h);
}

int staff_secret_equal(const char *a, const char *b)
{
    size_t n;

    if (!a || !b || (n = strlen(a)) != strlen(b) || n == 0)
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}

staff_session_state staff_session_check(time_t last_seen, time_t expires_at, time_t now,
                                        long idle_s)
{
    if (now >= expires_at)
        return STAFF_SESSION_EXPIRED;
    if (now > last_seen && now - last_seen >= idle_s)
        return STAFF_SESSION_IDLE;
    return STAFF_SESSION_LIVE;
}

int staff_session_needs_touch(time_t last_seen, time_t now)
{
    return now < last_seen || now - last_seen >= STAFF_TOUCH_EVERY_S;
}

/* ---- cookies ----------------------------------------------------- */

static int ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* Checks one "name=value" pair (without its separators) and, when it is
 * ours, copies its value.  -1: malformed or a second sg_session. */
static int cookie_pair(const char *p, size_t len, char out[STAFF_TOKEN_LEN], int *found)
{
    static const char name[] = STAFF_COOKIE_NAME "=";
    const size_t nlen = sizeof name - 1;

    /* Other applications' cookies on the same host are theirs to shape;
     * only ours must be exactly what this daemon sets. */
    if (len < nlen || memcmp(p, name, nlen) != 0)
        return 0;
    if (*found || len - nlen != STAFF_TOKEN_LEN - 1)
        return -1;
    memcpy(out, p + nlen, STAFF_TOKEN_LEN - 1);
    out[STAFF_TOKEN_LEN - 1] = '\0';
    *found = 1;
    return staff_token_valid(out) ? 0 : -1;
}

sg_rc staff_cookie_session(const char *header, char out[STAFF_TOKEN_LEN])
{
    size_t len = header ? strnlen(header, STAFF_COOKIE_MAX + 1) : 0;
    int found = 0;

    out[0] = '\0';
    if (!header)
        return SG_ENOTFOUND;
    if (len > STAFF_COOKIE_MAX)
        return SG_EINVAL;
    for (size_t i = 0; i < len; i++)
        if (ctl((unsigned char)header[i]))
            return SG_EINVAL;
    for (const char *p = header; *p;) {
        const char *end = strchr(p, ';');
        size_t n;
        while (*p == ' ' || *p == '\t')
            p++;
        n = end ? (size_t)(end - p) : strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (cookie_pair(p, n, out, &found)) {
            out[0] = '\0';
            return SG_EINVAL;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return found ? SG_OK : SG_ENOTFOUND;
}

sg_rc staff_set_cookie(const char *value, int plain_loopback, char *out, size_t outlen)
{
    /*
     * Secure is left off only for [staff] tls = off, which the configuration
     * allows on a 127.x address alone: the tests, and a reverse proxy on the
     * same machine that terminates TLS itself.  A browser would not send a
     * Secure cookie back over plain http, so the console could not work
     * there with it; the browser-facing hop is still HTTPS (the proxy's).
     */
    const char *secure = plain_loopback ? "" : "; Secure";
    int n;

    if (value && !staff_token_valid(value))
        return SG_EINVAL;
    n = snprintf(out, outlen, "%s=%s; Path=/%s; HttpOnly; SameSite=Strict%s",
                 STAFF_COOKIE_NAME, value ? value : "", secure,
                 value ? "" : "; Max-Age=0");
    return n < 0 || (size_t)n >= outlen ? SG_ETOOBIG : SG_OK;
}

void staff_truncate_utf8(const char *s, size_t max, char *out, size_t outlen)
{
    size_t n = s ? strnlen(s, max) : 0;

    if (n >= outlen)
        n = outlen - 1;
    /* Step back over continuation bytes when the cut fell inside a sequence. */
    if (s && s[n] && n > 0) {
        size_t k = n;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        n = k;
    }
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}
