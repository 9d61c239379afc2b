/*
 * Staff accounts, their sessions, login throttling and the audit log, in
 * the store (tables in src/store/migrations.c).
 *
 * Every change to an account, every login and logout is one transaction
 * together with its audit_log row: a change is never without its record,
 * and a record never describes a change that did not happen.  The audit
 * log is append-only (SQLite triggers refuse UPDATE and DELETE); it is
 * never purged by signpost (retention of the audit log is out of scope:
 * the clinic decides with its records policy, and a purge would need its
 * own, audited, path).
 *
 * Secrets: a session id is stored only as its keyed hash (staff_auth.h);
 * passwords only as Argon2id hashes; nothing here logs either.
 * Ownership: every struct is filled in place; nothing is allocated for the
 * caller.
 */
#ifndef SIGNPOST_STAFF_STORE_H
#define SIGNPOST_STAFF_STORE_H

#include <time.h>

#include "signpost/staff_auth.h"
#include "signpost/store.h"

/* Who did it and what: one row of the audit log.  NULL strings are stored
 * as NULL; user_id 0 as NULL (the CLI, an unknown name). */
typedef struct {
    long long user_id;
    const char *username; /* "cli", a staff username, or a failed login's name as typed */
    const char
        *action; /* "login", "login_failed", "logout", "audit_read", "user_add" ... */
    const char *target; /* what it was done to: a username, a screening id ... */
    const char *detail; /* a short note; never a password, token or patient answer */
    const char *ip;     /* the client's address, or NULL */
} audit_entry;

/* The name in audit rows written by `signpost user ...`. */
#define AUDIT_BY_CLI "cli"

/* Appends one row on its own. */
sg_rc audit_append(sg_store *st, const audit_entry *e);

typedef struct {
    long long id;
    char at[32];
    long long user_id; /* 0 when NULL */
    char username[STAFF_USERNAME_MAX + 1];
    char action[32];
    char target[128];
    char detail[256];
    char ip[48];
} audit_row;

/* Calls fn for the newest rows first, at most limit, until it returns non-zero. */
sg_rc audit_list(sg_store *st, int limit, int (*fn)(void *ctx, const audit_row *r),
                 void *ctx);

/* ---- accounts ---------------------------------------------------- */

typedef struct {
    long long id;
    char username[STAFF_USERNAME_MAX + 1];
    staff_role role;
    char pw_hash[STAFF_HASH_MAX];
    int disabled;
    char created_at[32], updated_at[32], last_login_at[32]; /* "" when never */
} staff_user;

/* Adds an account; SG_EBUSY when the name (in any case) is taken. */
sg_rc staff_user_add(sg_store *st, const char *username, staff_role role,
                     const char *pw_hash, const audit_entry *why);
/* SG_ENOTFOUND when there is no such account (names match in any case). */
sg_rc staff_user_get(sg_store *st, const char *username, staff_user *out);
/* Sets a new hash, ends the account's sessions and lifts its login lock;
 * SG_ENOTFOUND. */
sg_rc staff_user_set_password(sg_store *st, const char *username, const char *pw_hash,
                              const audit_entry *why);
/* Disables (disabled 1) or enables (0) the account; disabling ends its
 * sessions; either lifts its login lock.  SG_ENOTFOUND. */
sg_rc staff_user_set_disabled(sg_store *st, const char *username, int disabled,
                              const audit_entry *why);
/* Every account in name order (pw_hash left empty). */
sg_rc staff_user_list(sg_store *st, int (*fn)(void *ctx, const staff_user *u), void *ctx);
/* Stores a hash made with today's parameters after a login proved the
 * password (no audit row of its own: the login's row says so). */
sg_rc staff_user_rehash(sg_store *st, long long user_id, const char *pw_hash);

/* ---- sessions ---------------------------------------------------- */

typedef struct {
    char id_hash[STAFF_SESSION_HASH_LEN];
    char csrf[STAFF_TOKEN_LEN];
    time_t created_at, last_seen_at, expires_at;
    char ip[48];
    /* the account, read with the session */
    long long user_id;
    char username[STAFF_USERNAME_MAX + 1];
    staff_role role;
    int disabled;
} staff_session_row;

/*
 * A successful login, all in one transaction: the new session row, the
 * account's last_login_at, the audit row, the end of the account's
 * throttling state (throttle_key), the end of a session the browser held
 * before (old_hash, may be NULL: a login never keeps a session id it was
 * handed), and the purge of sessions that ended before now.
 */
sg_rc staff_login_ok(sg_store *st, const staff_session_row *s, const char *throttle_key,
                     const char *old_hash, long idle_s, const audit_entry *why);
/* The session and its account; SG_ENOTFOUND. */
sg_rc staff_session_get(sg_store *st, const char *id_hash, staff_session_row *out);
sg_rc staff_session_touch(sg_store *st, const char *id_hash, time_t now);
/* Ends one session; with why (may be NULL) the audit row goes in the same
 * transaction. */
sg_rc staff_session_end(sg_store *st, const char *id_hash, const audit_entry *why);

/* ---- throttling -------------------------------------------------- */

#define STAFF_THROTTLE_KEY_MAX 96 /* "user:" or "ip:" and the name or address */

/* The state of key (zeroed when the store knows nothing of it). */
sg_rc staff_throttle_get(sg_store *st, const char *key, staff_throttle *out);
/*
 * One failed login at now: every key's state (nkeys at most 4; NULL
 * entries skipped) moves on by staff_throttle_fail() and the audit row is
 * written, in one transaction.  Rows that no longer say anything are purged.
 */
sg_rc staff_login_failed(sg_store *st, const char *const *keys, int nkeys, time_t now,
                         const audit_entry *why);

#endif
