/*
 * A staff console client for the integration tests: HTTP(S) requests to
 * the staff listener with the session cookie and the X-CSRF-Token header,
 * sign-in that keeps both, accounts made with the real `signpost user`
 * command (the password on its standard input), the listener's port read
 * off the daemon's log, and SQL run on the daemon's database as an
 * operator's sqlite3 shell would, and the kiosk's own POST of a screening
 * that gives staff something to work on.  Shared by every staff test (and
 * the SMS test's start-up) so each one is about its routes, not about curl.
 */
#ifndef SIGNPOST_STAFF_CLIENT_H
#define SIGNPOST_STAFF_CLIENT_H

#include <stddef.h>
#include "harness.h"

#define SC_BODY_MAX (256 * 1024)

typedef struct {
    int port;
    const char *cafile; /* non-NULL: https, trusting this certificate */
} sc_target;

typedef struct {
    long status;            /* 0 when the request failed below HTTP */
    char body[SC_BODY_MAX]; /* NUL-terminated; cut at SC_BODY_MAX - 1 */
    size_t len;
    int truncated;
    char set_cookie[512];
    char retry_after[32];
    char content_type[128];
    char disposition[256];  /* Content-Disposition */
    char cache_control[128];
    char hsts[128];         /* Strict-Transport-Security */
} sc_resp;

typedef struct {
    char cookie[128]; /* "sg_session=..." as a browser sends it back */
    char csrf[64];
} sc_session;

/* One request; json (may be NULL) is sent as application/json; cookie and
 * csrf may be NULL.  Returns r->status. */
long sc_request(const sc_target *t, const char *method, const char *path, const char *json,
                const char *cookie, const char *csrf, sc_resp *r);

/* Like sc_request, but the whole body, however long (up to SC_ALL_MAX), is
 * also kept in *all (malloc'ed, NUL-terminated, *all_len bytes; "" when
 * there was none; the caller frees it): exports outgrow SC_BODY_MAX, and
 * get 60 seconds rather than 30.  r holds the status, the headers and the
 * body's start as usual. */
#define SC_ALL_MAX (64u * 1024 * 1024)
long sc_request_all(const sc_target *t, const char *method, const char *path,
                    const char *json, const char *cookie, const char *csrf, sc_resp *r,
                    char **all, size_t *all_len);

/* POST /staff/api/v1/login; on 200 fills s (may be NULL) with the cookie
 * and the CSRF token.  old_cookie (may be NULL) is sent along, as a
 * browser would.  Returns the status. */
long sc_login(const sc_target *t, const char *name, const char *pw, const char *old_cookie,
              sc_session *s, sc_resp *r);

/* Runs `signpost user ARGS... --config cfg --state-dir dir` (up to four
 * arguments; NULL ends them) with input on stdin; the tail of its stdout
 * goes to out (may be NULL).  The exit code, or -1. */
int sc_user(const char *dir, const char *cfg, const char *input, char *out, size_t outlen,
            const char *a1, const char *a2, const char *a3, const char *a4);

/* The port that follows mark ("staff listening on http://127.0.0.1:") in
 * the daemon's log, or 0. */
int sc_find_port(itest_daemon *d, const char *mark);

/* The mark sc_start looks for in the daemon's log. */
#define SC_STAFF_MARK "staff listening on http://127.0.0.1:"

/* Starts the daemon (itest_start) on conf with state as its state
 * directory and reads its plain-http staff port into *port.  NULL when it
 * did not start or never named the port (the log printed, the daemon
 * freed), so a setup needs one assertion. */
itest_daemon *sc_start(const char *conf, const char *state, int *port);

/* A staff test's teardown: frees d (stopping it), removes its state
 * directory and ends libcurl (itest_cleanup). */
void sc_stop(itest_daemon *d, const char *state);

typedef struct {
    char id[40];    /* the screening's id */
    char token[64]; /* the kiosk's bearer token for it */
} sc_visit;

/* POSTs a screening (json) to the kiosk API as the kiosk does.  The parsed
 * 201 answer (the caller decrefs), with its id and token copied into v
 * (may be NULL); NULL otherwise, with the status and body (or the log)
 * printed. */
json_t *sc_new_visit(itest_daemon *d, const char *json, sc_visit *v);

/* A screening in English with food and housing needs that wants help:
 * the visit most tests only need to exist. */
#define SC_VISIT_NEEDS_HELP                                                              \
    "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\","                       \
    "\"88122-7\":\"LA28397-0\",\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA32-8\","        \
    "\"96779-4\":\"LA32-8\"},\"wants_help\":true}"

/* Runs sql read-write on the daemon's database file; SQLITE_OK or the
 * error, whose message goes to msg (may be NULL). */
int sc_db_exec(const itest_daemon *d, const char *sql, char *msg, size_t msglen);

#endif
