/*
 * The staff console's front door on the staff listener: login, logout,
 * "who am I", the audit log, and staff_require(), the check every later
 * console route starts with.  The rules themselves (hashing, throttling,
 * tokens, cookies) are the pure core in src/staff/auth.c; the records are
 * the store's (staff_store.h).  See docs/staff-accounts.md.
 *
 * What a client can learn: a failed login says only "wrong username or
 * password", whether the name exists, is disabled or the password is
 * wrong, and takes the same time (an unknown name is checked against a
 * dummy hash made with the same parameters).  Secrets: the session id
 * lives only in the cookie and, as a keyed hash, in the store; the key is
 * made at start-up and held in memory, so a restart ends every session.
 * Nothing here logs a password, a session id or a CSRF token.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "signpost/log.h"
#include "signpost/staff_store.h"

#define GENERIC_401 "wrong username or password"
#define AUDIT_LIMIT_DEFAULT 100
#define AUDIT_LIMIT_MAX 1000

/* Made once per process: the session-hash key and the dummy hash. */
static unsigned char session_key[STAFF_KEY_BYTES];
static char dummy_hash[STAFF_HASH_MAX];
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void make_keys(void)
{
    char pw[STAFF_TOKEN_LEN];

    /* Idempotent; makes libsodium's generator safe to share between threads. */
    if (sodium_init() < 0)
        sg_error("staff: libsodium cannot start");
    crypto_generichash_keygen(session_key);
    /* A hash of a random password that nobody knows, with today's
     * parameters, so an unknown name costs what a known one does. */
    staff_token_new(pw);
    if (staff_pw_hash(pw, dummy_hash))
        sg_warn("staff: cannot make the dummy password hash (out of memory?)");
    sodium_memzero(pw, sizeof pw);
}

/* ---- answers ----------------------------------------------------- */

/* Queues an answer with the staff headers: no caching, the security set,
 * and when given, a Set-Cookie and a Retry-After. */
static MHD_RESULT reply(http_ctx *h, unsigned status, const char *json,
                        const char *cookie, long retry_after)
{
    size_t len = json ? strlen(json) : 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)(json ? json : ""), MHD_RESPMEM_MUST_COPY);
    char num[24];

    if (!r)
        return MHD_NO;
    if (json)
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    if (retry_after > 0) {
        snprintf(num, sizeof num, "%ld", retry_after);
        MHD_add_response_header(r, "Retry-After", num);
    }
    return http_queue(h, status, r);
}

/* Sends obj (stolen) as JSON. */
static MHD_RESULT send_obj(http_ctx *h, unsigned status, json_t *obj, const char *cookie,
                           long retry_after)
{
    char *s = obj ? json_dumps(obj, SG_JSON_DUMP) : NULL;
    MHD_RESULT ret = s ? reply(h, status, s, cookie, retry_after) : MHD_NO;

    if (s) /* the login answer holds the CSRF token */
        sodium_memzero(s, strlen(s));
    free(s);
    json_decref(obj);
    return ret;
}

static MHD_RESULT fail(http_ctx *h, unsigned status, const char *code, const char *msg,
                       const char *cookie, long retry_after)
{
    json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);
    return send_obj(h, status, e, cookie, retry_after);
}

/* 1 when the listener is plain http, which the configuration allows on a
 * 127.x address only: the one case where the cookie is not Secure. */
static int plain_loopback(const http_ctx *h)
{
    return strcmp(h->app->cfg->staff_tls, "off") == 0;
}

/* 401 that also tells the browser to drop a cookie that no longer works. */
static MHD_RESULT unauthorised(http_ctx *h, const char *code, const char *msg)
{
    char clear[STAFF_SET_COOKIE_MAX];

    staff_set_cookie(NULL, plain_loopback(h), clear, sizeof clear);
    return fail(h, MHD_HTTP_UNAUTHORIZED, code, msg, clear, 0);
}

void staff_client_ip(http_ctx *h, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(h->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, outlen, "unknown");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)outlen);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  out, (socklen_t)outlen);
}

sg_rc staff_audit(http_ctx *h, const staff_session *s, const char *action,
                  const char *target, const char *detail)
{
    char ip[INET6_ADDRSTRLEN];
    audit_entry e = {s->user_id, s->username, action, target, detail, ip};

    staff_client_ip(h, ip, sizeof ip);
    return audit_append(h->app->store, &e);
}

/* ---- sessions ---------------------------------------------------- */

void staff_session_free(staff_session *s)
{
    if (!s)
        return;
    sodium_memzero(s, sizeof *s);
    free(s);
}

/* The session the cookie names, live and of an enabled account; else the
 * 401 (or 503) in *ret. */
static int load_session(http_ctx *h, staff_session_row *row, MHD_RESULT *ret)
{
    const char *cookie = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "Cookie");
    char sid[STAFF_TOKEN_LEN], hash[STAFF_SESSION_HASH_LEN];
    long idle_s = (long)h->app->cfg->session_idle_min * 60;
    time_t now = time(NULL);
    sg_rc rc;

    pthread_once(&keys_once, make_keys);
    if (staff_cookie_session(cookie, sid)) {
        *ret = unauthorised(h, "not_logged_in", "log in first");
        return -1;
    }
    staff_session_hash(session_key, sid, hash);
    sodium_memzero(sid, sizeof sid);
    rc = staff_session_get(h->app->store, hash, row);
    if (rc == SG_EDB) {
        *ret = http_store_unavailable(h);
        return -1;
    }
    if (rc || !staff_secret_equal(row->id_hash, hash)) {
        *ret = unauthorised(h, "not_logged_in", "log in first");
        return -1;
    }
    if (row->disabled || staff_session_check(row->last_seen_at, row->expires_at, now,
                                             idle_s) != STAFF_SESSION_LIVE) {
        staff_session_end(h->app->store, hash, NULL);
        *ret = unauthorised(h, "session_expired", "your session has ended; log in again");
        return -1;
    }
    if (staff_session_needs_touch(row->last_seen_at, now))
        staff_session_touch(h->app->store, hash, now);
    return 0;
}

/* 1 when the request carries the session's CSRF token. */
static int csrf_ok(http_ctx *h, const staff_session_row *row)
{
    const char *t = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    return staff_token_valid(t) && staff_secret_equal(t, row->csrf);
}

staff_session *staff_require(http_ctx *h, int needs_csrf, const char *min_role,
                             MHD_RESULT *ret)
{
    staff_session_row row;
    staff_session *s = NULL;

    if (load_session(h, &row, ret))
        goto out;
    if (needs_csrf && !csrf_ok(h, &row)) {
        *ret = fail(h, MHD_HTTP_FORBIDDEN, "csrf",
                    "missing or wrong X-CSRF-Token header; reload the console", NULL, 0);
        goto out;
    }
    if (!(s = calloc(1, sizeof *s))) {
        *ret = MHD_NO;
        goto out;
    }
    s->user_id = row.user_id;
    memcpy(s->username, row.username, sizeof s->username);
    s->role = row.role;
    memcpy(s->id_hash, row.id_hash, sizeof s->id_hash);
    memcpy(s->csrf, row.csrf, sizeof s->csrf);
    s->expires_at = row.expires_at;
    if (min_role && s->role < staff_role_parse(min_role)) {
        staff_audit(h, s, "denied", h->url, min_role);
        *ret = fail(h, MHD_HTTP_FORBIDDEN, "forbidden", "your role may not do this", NULL,
                    0);
        staff_session_free(s);
        s = NULL;
    }
out:
    sodium_memzero(&row, sizeof row);
    return s;
}

/* ---- login ------------------------------------------------------- */

typedef struct {
    char typed[STAFF_USERNAME_MAX + 1]; /* the name as typed, cut for the audit log */
    char ip[INET6_ADDRSTRLEN];
    char user_key[STAFF_THROTTLE_KEY_MAX];
    char ip_key[STAFF_THROTTLE_KEY_MAX];
    int ip_throttled; /* 0 on loopback: see throttle_keys() */
    time_t now;
} login_try;

/*
 * The throttling keys of a try.  The address rule does not apply to
 * loopback clients: with [staff] tls = off every request comes through a
 * reverse proxy on this machine, so one person's typos would lock the
 * whole clinic out.  The account rule applies everywhere.
 */
static void throttle_keys(http_ctx *h, const char *name, login_try *t)
{
    size_t n;

    staff_truncate_utf8(name, STAFF_USERNAME_MAX, t->typed, sizeof t->typed);
    staff_client_ip(h, t->ip, sizeof t->ip);
    n = (size_t)snprintf(t->user_key, sizeof t->user_key, "user:%s", t->typed);
    for (size_t i = 5; i < n && i < sizeof t->user_key;
         i++) /* NOCASE is ASCII-only too */
        t->user_key[i] = (char)tolower((unsigned char)t->user_key[i]);
    snprintf(t->ip_key, sizeof t->ip_key, "ip:%s", t->ip);
    t->ip_throttled = strncmp(t->ip, "127.", 4) != 0 && strcmp(t->ip, "::1") != 0;
    t->now = time(NULL);
}

/* Seconds the try must wait (0: go on); -1 when the store cannot say. */
static long throttled(http_ctx *h, const login_try *t)
{
    staff_throttle a, b;
    long wa, wb;

    memset(&b, 0, sizeof b);
    if (staff_throttle_get(h->app->store, t->user_key, &a) ||
        (t->ip_throttled && staff_throttle_get(h->app->store, t->ip_key, &b)))
        return -1;
    wa = staff_throttle_wait(&a, t->now);
    wb = staff_throttle_wait(&b, t->now);
    return wa > wb ? wa : wb;
}

static MHD_RESULT refuse_throttled(http_ctx *h, const login_try *t, long wait)
{
    audit_entry e = {0, t->typed, "login_throttled", NULL, NULL, t->ip};
    char detail[64];

    snprintf(detail, sizeof detail, "locked for %ld more s", wait);
    e.detail = detail;
    audit_append(h->app->store, &e);
    sg_info("staff: login refused while locked (%ld s left)", wait);
    return fail(h, MHD_HTTP_TOO_MANY_REQUESTS, "too_many_attempts",
                "too many failed logins; try again later", NULL, wait);
}

static MHD_RESULT failed(http_ctx *h, const login_try *t, long long user_id,
                         const char *why)
{
    const char *keys[2] = {t->user_key, t->ip_throttled ? t->ip_key : NULL};
    audit_entry e = {user_id, t->typed, "login_failed", NULL, why, t->ip};

    if (staff_login_failed(h->app->store, keys, 2, t->now, &e))
        return http_store_unavailable(h);
    sg_info("staff: failed login (%s)", why);
    return fail(h, MHD_HTTP_UNAUTHORIZED, "unauthorized", GENERIC_401, NULL, 0);
}

/* The hash of the session the browser already held, if its cookie parses:
 * that session ends at login (a login never keeps an id it was handed). */
static const char *old_session(http_ctx *h, char hash[STAFF_SESSION_HASH_LEN])
{
    const char *cookie = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "Cookie");
    char sid[STAFF_TOKEN_LEN];

    if (staff_cookie_session(cookie, sid))
        return NULL;
    staff_session_hash(session_key, sid, hash);
    sodium_memzero(sid, sizeof sid);
    return hash;
}

static json_t *user_json(const char *username, staff_role role)
{
    return json_pack("{s:s, s:s}", "username", username, "role", staff_role_name(role));
}

/* A fresh session for u: the row, the audit record, the cookie, the answer. */
static MHD_RESULT open_session(http_ctx *h, const login_try *t, const staff_user *u,
                               const char *detail)
{
    const sg_config *cfg = h->app->cfg;
    char sid[STAFF_TOKEN_LEN], cookie[STAFF_SET_COOKIE_MAX], old[STAFF_SESSION_HASH_LEN];
    audit_entry e = {u->id, u->username, "login", NULL, detail, t->ip};
    staff_session_row row;
    MHD_RESULT ret;

    memset(&row, 0, sizeof row);
    staff_token_new(sid);
    staff_token_new(row.csrf);
    staff_session_hash(session_key, sid, row.id_hash);
    row.user_id = u->id;
    row.created_at = row.last_seen_at = t->now;
    row.expires_at = t->now + (time_t)cfg->session_max_h * 3600;
    snprintf(row.ip, sizeof row.ip, "%s", t->ip);
    if (staff_login_ok(h->app->store, &row, t->user_key, old_session(h, old),
                       (long)cfg->session_idle_min * 60, &e) ||
        staff_set_cookie(sid, plain_loopback(h), cookie, sizeof cookie)) {
        ret = http_store_unavailable(h);
        goto out;
    }
    sg_info("staff: %s logged in (%s)", u->username, staff_role_name(u->role));
    ret = send_obj(h, MHD_HTTP_OK,
                   json_pack("{s:s, s:o, s:i}", "csrf_token", row.csrf, "user",
                             user_json(u->username, u->role), "idle_timeout_s",
                             cfg->session_idle_min * 60),
                   cookie, 0);
out:
    sodium_memzero(sid, sizeof sid);
    sodium_memzero(cookie, sizeof cookie);
    sodium_memzero(&row, sizeof row);
    return ret;
}

/*
 * A login waiting for its password check (login_queue.c), kept with its
 * request while the connection is suspended.  The job comes first: the
 * queue sees only that.
 */
typedef struct {
    login_job job;
    login_try t;
    staff_user u;
    sg_rc found; /* SG_OK: u is the account named; else there is none */
} login_wait;

static void login_wait_free(void *p)
{
    sodium_memzero(p, sizeof(login_wait));
    free(p);
}

/* The "busy" answer: the check could not be made in time, or at all. */
static MHD_RESULT busy(http_ctx *h)
{
    return fail(h, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
                "the console is busy; try again in a moment", NULL, 5);
}

/* The second half, once the password has been checked. */
static MHD_RESULT login_checked(http_ctx *h, login_wait *w)
{
    int state = atomic_load(&w->job.state);
    const char *detail = NULL;
    int ok = state == LOGIN_JOB_OK && w->found == SG_OK;

    assert(state != LOGIN_JOB_QUEUED);
    if (state == LOGIN_JOB_BUSY || state == LOGIN_JOB_CANCELLED)
        return busy(h);
    w->t.now = time(NULL);
    if (!ok || w->u.disabled)
        return failed(h, &w->t, w->found ? 0 : w->u.id,
                      w->found ? "no such account"
                      : !ok    ? "wrong password"
                               : "account disabled");
    /* Upgraded a hash made with older parameters, now that pw is proven. */
    if (w->job.want_rehash)
        detail = w->job.fresh[0] && !staff_user_rehash(h->app->store, w->u.id, w->job.fresh)
                     ? "password hash upgraded"
                     : "password hash upgrade failed";
    return open_session(h, &w->t, &w->u, detail);
}

/* The first half: throttling, the account, then the check is queued and
 * the connection suspended until it is done. */
static MHD_RESULT login_with(http_ctx *h, const char *name, const char *pw)
{
    login_wait *w;
    MHD_RESULT ret;
    long wait;

    assert(h->logins);
    if (!(w = calloc(1, sizeof *w)))
        return MHD_NO;
    throttle_keys(h, name, &w->t);
    if ((wait = throttled(h, &w->t)) != 0) {
        ret = wait < 0 ? http_store_unavailable(h) : refuse_throttled(h, &w->t, wait);
        login_wait_free(w);
        return ret;
    }
    pthread_once(&keys_once, make_keys);
    w->found = staff_username_check(name, NULL, 0) ? SG_ENOTFOUND
                                                   : staff_user_get(h->app->store, name, &w->u);
    if (w->found == SG_EDB) {
        login_wait_free(w);
        return http_store_unavailable(h);
    }
    /* The same work whether or not the name exists, or is disabled. */
    w->job.conn = h->conn;
    snprintf(w->job.hash, sizeof w->job.hash, "%s", w->found ? dummy_hash : w->u.pw_hash);
    if (snprintf(w->job.pw, sizeof w->job.pw, "%s", pw) >= (int)sizeof w->job.pw)
        w->job.pw[0] = '\0'; /* over STAFF_PW_MAX: no password of ours */
    w->job.want_rehash = !w->found && staff_pw_needs_rehash(w->u.pw_hash);
    h->req->pending = w;
    h->req->pending_free = login_wait_free;
    if (login_queue_submit(h->logins, &w->job) != 0) {
        sg_warn("staff: too many logins waiting for their password check");
        return busy(h);
    }
    return MHD_YES;
}

static MHD_RESULT login(http_ctx *h)
{
    MHD_RESULT ret;
    json_t *body, *pw;
    const char *name;

    if (!http_method_is(h, "POST", &ret))
        return ret;
    if (h->req->pending) /* resumed: the password has been checked */
        return login_checked(h, h->req->pending);
    if (!(body = http_json_body(h, &ret)))
        goto out;
    name = json_string_value(json_object_get(body, "username"));
    pw = json_object_get(body, "password");
    if (!name)
        ret = fail(h, MHD_HTTP_BAD_REQUEST, "invalid_body", "username: expected a string",
                   NULL, 0);
    else if (!json_is_string(pw))
        ret = fail(h, MHD_HTTP_BAD_REQUEST, "invalid_body", "password: expected a string",
                   NULL, 0);
    else
        ret = login_with(h, name, json_string_value(pw));
    /* jansson keeps its own copy of the string: wipe it before it is freed. */
    if (json_is_string(pw))
        sodium_memzero((void *)json_string_value(pw), json_string_length(pw));
    json_decref(body);
out:
    if (h->req->body.data)
        sodium_memzero(h->req->body.data, h->req->body.len);
    return ret;
}

/* ---- logout, me, audit ------------------------------------------- */

static MHD_RESULT logout(http_ctx *h)
{
    char clear[STAFF_SET_COOKIE_MAX];
    staff_session *s;
    MHD_RESULT ret;
    audit_entry e = {0, NULL, "logout", NULL, NULL, NULL};
    char ip[INET6_ADDRSTRLEN];

    if (!http_method_is(h, "POST", &ret) || !(s = staff_require(h, 1, NULL, &ret)))
        return ret;
    staff_client_ip(h, ip, sizeof ip);
    e.user_id = s->user_id;
    e.username = s->username;
    e.ip = ip;
    if (staff_session_end(h->app->store, s->id_hash, &e)) {
        ret = http_store_unavailable(h);
    } else {
        staff_set_cookie(NULL, plain_loopback(h), clear, sizeof clear);
        ret = reply(h, MHD_HTTP_NO_CONTENT, NULL, clear, 0);
    }
    staff_session_free(s);
    return ret;
}

static MHD_RESULT me(http_ctx *h)
{
    staff_session *s;
    MHD_RESULT ret;

    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, NULL, &ret)))
        return ret;
    /* The token again, so a reloaded console page can carry on: only a
     * same-origin request with the HttpOnly cookie can read this answer. */
    ret = send_obj(h, MHD_HTTP_OK,
                   json_pack("{s:o, s:s, s:i, s:I}", "user",
                             user_json(s->username, s->role), "csrf_token", s->csrf,
                             "idle_timeout_s", h->app->cfg->session_idle_min * 60,
                             "expires_at", (json_int_t)s->expires_at),
                   NULL, 0);
    staff_session_free(s);
    return ret;
}

static int add_row(void *ctx, const audit_row *r)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->id, "at", r->at,
                          "username", r->username, "action", r->action);

    if (!o)
        return 1;
    if (r->user_id)
        json_object_set_new(o, "user_id", json_integer(r->user_id));
    if (r->target[0])
        json_object_set_new(o, "target", json_string(r->target));
    if (r->detail[0])
        json_object_set_new(o, "detail", json_string(r->detail));
    if (r->ip[0])
        json_object_set_new(o, "ip", json_string(r->ip));
    return json_array_append_new(ctx, o) != 0;
}

static MHD_RESULT audit(http_ctx *h)
{
    staff_session *s;
    MHD_RESULT ret;
    json_t *rows = NULL;
    char detail[32];
    int limit;

    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "admin", &ret)))
        return ret;
    if ((limit = http_query_limit(h, AUDIT_LIMIT_DEFAULT, AUDIT_LIMIT_MAX)) < 0) {
        ret = fail(h, MHD_HTTP_BAD_REQUEST, "invalid_query",
                   "limit: a whole number from 1 "
                   "to 1000",
                   NULL, 0);
        goto out;
    }
    /* The read is recorded before anything is shown, or nothing is shown. */
    snprintf(detail, sizeof detail, "limit=%d", limit);
    rows = json_array();
    if (!rows || staff_audit(h, s, "audit_read", NULL, detail) ||
        audit_list(h->app->store, limit, add_row, rows)) {
        ret = http_store_unavailable(h);
        goto out;
    }
    ret = send_obj(h, MHD_HTTP_OK, json_pack("{s:O}", "entries", rows), NULL, 0);
out:
    json_decref(rows);
    staff_session_free(s);
    return ret;
}

MHD_RESULT staff_api(http_ctx *h)
{
    static const struct {
        const char *path;
        MHD_RESULT (*fn)(http_ctx *h);
    } routes[] = {
        {"/staff/api/v1/login", login},
        {"/staff/api/v1/logout", logout},
        {"/staff/api/v1/me", me},
        {"/staff/api/v1/audit", audit},
    };

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (!strcmp(h->url, routes[i].path))
            return routes[i].fn(h);
    return fail(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route", NULL, 0);
}
