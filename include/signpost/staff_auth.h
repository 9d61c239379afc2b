/*
 * The staff console's authentication core: password hashing and policy,
 * the login-throttling rule, session and CSRF tokens, and the session
 * cookie.  Pure apart from libsodium's CSPRNG and its password hash: no
 * I/O, no globals, no clock (every time is an argument), so each rule is
 * unit-tested over simulated time.  The shells (src/http/staff_auth.c,
 * src/cli/user.c, src/store/staff_users.c) call into it.
 *
 * Secrets: nothing here logs anything.  Callers must never log a
 * password, a session id or a CSRF token; only usernames, roles and ids.
 */
#ifndef SIGNPOST_STAFF_AUTH_H
#define SIGNPOST_STAFF_AUTH_H

#include <sodium.h>
#include <stddef.h>
#include <time.h>

#include "signpost/result.h"

/* ---- roles ------------------------------------------------------- */

/* Ordered: a role may do everything the roles below it may. */
typedef enum {
    STAFF_ROLE_NONE = 0,
    STAFF_ROLE_VIEWER = 1,
    STAFF_ROLE_NAVIGATOR = 2,
    STAFF_ROLE_ADMIN = 3
} staff_role;

/* "admin", "navigator" or "viewer" (exact, lower case); STAFF_ROLE_NONE otherwise. */
staff_role staff_role_parse(const char *s);
/* The name of r, or "none". */
const char *staff_role_name(staff_role r);

/* ---- usernames and passwords ------------------------------------- */

#define STAFF_USERNAME_MAX 64 /* bytes; also how much of a typed name is audited */
#define STAFF_PW_MIN 12       /* characters (UTF-8 code points) */
#define STAFF_PW_MAX 1024     /* bytes */
#define STAFF_HASH_MAX crypto_pwhash_STRBYTES /* an encoded hash and its NUL */

/*
 * Argon2id cost, chosen for a Raspberry Pi 4 that also runs the kiosk's
 * Chromium.  OPSLIMIT_INTERACTIVE (2 passes) over 64 MiB takes roughly half
 * a second there (tens of milliseconds on a PC), which staff do not notice
 * at login and which makes each offline guess cost 64 MiB of memory, above
 * OWASP's Argon2id floor (19 MiB, 2 passes).  MODERATE (256 MiB, 3 passes)
 * takes several seconds on a Pi 4 and would squeeze a 1 or 2 GB board
 * while the browser is up; SENSITIVE (1 GiB) does not fit at all.  The
 * staff listener runs one thread, so the daemon hashes one login at a time
 * and never holds more than one 64 MiB buffer (libsodium maps and unmaps it,
 * so it does not stay in the idle RSS).  Stored hashes carry their own
 * parameters: when these constants change, staff_pw_needs_rehash() says so
 * and the login that proves the password stores a new hash.
 */
#define STAFF_PW_OPSLIMIT ((unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE)
#define STAFF_PW_MEMLIMIT ((size_t)64 * 1024 * 1024)

/* 1..64 bytes of letters, digits and . _ - @; why says what is wrong. */
sg_rc staff_username_check(const char *name, char *why, size_t whylen);

/*
 * The password policy: at least STAFF_PW_MIN characters, at most
 * STAFF_PW_MAX bytes, valid UTF-8 without control characters, and not the
 * username (compared without regard to ASCII case).  SG_EINVAL with a
 * sentence for the person choosing it in why.
 */
sg_rc staff_pw_policy(const char *username, const char *pw, char *why, size_t whylen);

/* Hashes pw (Argon2id, the parameters above) into out.  SG_ENOMEM when
 * the memory for the hash cannot be had; SG_EINVAL past STAFF_PW_MAX. */
sg_rc staff_pw_hash(const char *pw, char out[STAFF_HASH_MAX]);
/* SG_OK when pw matches hash; SG_EAUTH otherwise (also for a malformed hash). */
sg_rc staff_pw_verify(const char *hash, const char *pw);
/* 1 when hash was made with other parameters than today's (or is not ours). */
int staff_pw_needs_rehash(const char *hash);

/* ---- login throttling -------------------------------------------- */

/*
 * Per key (an account, or an address): after STAFF_THROTTLE_FAILS failures
 * within STAFF_THROTTLE_WINDOW_S, the key is locked for STAFF_THROTTLE_LOCK_S;
 * each further lock in the same streak doubles, up to STAFF_THROTTLE_LOCK_MAX_S.
 * A streak ends when STAFF_THROTTLE_LOCK_MAX_S passes after the last lock
 * ended with no new lock; a successful login clears the account's state.
 * While locked, a try is refused before the password is looked at and does
 * not count (so the lock cannot be stretched by hammering it).
 */
#define STAFF_THROTTLE_FAILS 5
#define STAFF_THROTTLE_WINDOW_S (15 * 60)
#define STAFF_THROTTLE_LOCK_S (15 * 60)
#define STAFF_THROTTLE_LOCK_MAX_S (24 * 60 * 60)

typedef struct {
    int count;           /* failures in the current window */
    time_t first_at;     /* the window's first failure; 0: no window */
    time_t locked_until; /* 0: never locked in this streak */
    int locks;           /* locks in the current streak */
} staff_throttle;

/* Seconds until a try is allowed again: 0 when allowed now. */
long staff_throttle_wait(const staff_throttle *t, time_t now);
/* The state after one more failure at now. */
void staff_throttle_fail(staff_throttle *t, time_t now);
/* 1 when the state says nothing any more (a row that can be deleted). */
int staff_throttle_idle(const staff_throttle *t, time_t now);

/* ---- sessions and CSRF ------------------------------------------- */

#define STAFF_TOKEN_BYTES 32
#define STAFF_TOKEN_LEN 44        /* 43 base64url characters (no padding) and a NUL */
#define STAFF_SESSION_HASH_LEN 65 /* 64 hex digits and a NUL */
#define STAFF_KEY_BYTES crypto_generichash_KEYBYTES
#define STAFF_COOKIE_NAME "sg_session"
#define STAFF_COOKIE_MAX 4096 /* a longer Cookie header is refused unread */
#define STAFF_SET_COOKIE_MAX 160

/* 32 CSPRNG bytes as base64url without padding: a session id or a CSRF token. */
void staff_token_new(char out[STAFF_TOKEN_LEN]);
/* 1 when s is exactly STAFF_TOKEN_LEN-1 base64url characters. */
int staff_token_valid(const char *s);
/* The keyed hash (BLAKE2b, key held only in memory) of a session id, in hex:
 * the only form in which a session id is ever stored. */
void staff_session_hash(const unsigned char key[STAFF_KEY_BYTES], const char *id,
                        char out[STAFF_SESSION_HASH_LEN]);
/* Constant-time equality of two tokens or hashes of the same expected length;
 * 0 for NULL, or when the lengths differ. */
int staff_secret_equal(const char *a, const char *b);

typedef enum {
    STAFF_SESSION_LIVE = 0,
    STAFF_SESSION_IDLE,   /* no request for idle_s */
    STAFF_SESSION_EXPIRED /* past its absolute lifetime */
} staff_session_state;

/* Whether a session is usable at now.  A clock that went back counts as
 * activity now rather than as a negative idle time. */
staff_session_state staff_session_check(time_t last_seen, time_t expires_at, time_t now,
                                        long idle_s);
/* 1 when last_seen is old enough to be worth a write: the SD card takes one
 * write a minute per session, not one per request. */
int staff_session_needs_touch(time_t last_seen, time_t now);
#define STAFF_TOUCH_EVERY_S 60

/* ---- cookies ----------------------------------------------------- */

/*
 * Finds the sg_session value in a Cookie header.  SG_ENOTFOUND when there
 * is none; SG_EINVAL when the header is longer than STAFF_COOKIE_MAX, is
 * not "name=value; name=value", carries sg_session twice (cookie tossing
 * from a sibling host), or the value is not a well-formed token.
 */
sg_rc staff_cookie_session(const char *header, char out[STAFF_TOKEN_LEN]);

/*
 * The Set-Cookie value: the session (value non-NULL) or its removal (NULL:
 * empty value, Max-Age=0).  Always Path=/, HttpOnly and SameSite=Strict;
 * Secure unless plain_loopback.  No Max-Age on a live session: it ends with
 * the browser, and the server enforces idle and absolute limits anyway.
 */
sg_rc staff_set_cookie(const char *value, int plain_loopback, char *out, size_t outlen);

/* Copies at most max bytes of s into out (outlen > max), never cutting a
 * UTF-8 sequence in half: how a typed username is kept in the audit log. */
void staff_truncate_utf8(const char *s, size_t max, char *out, size_t outlen);

#endif
