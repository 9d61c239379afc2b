/*
 * What the HTTP source files share: the per-request state, response helpers
 * and the route handlers.  Internal to src/http/.
 */
#ifndef SIGNPOST_HTTP_INTERNAL_H
#define SIGNPOST_HTTP_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include "signpost/app.h"
#include "signpost/buf.h"
#include "signpost/directory.h"
#include "signpost/screening.h"
#include "signpost/staff_auth.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* How every JSON answer is written: compact, and reals as people write them. */
#define SG_JSON_DUMP (JSON_COMPACT | JSON_REAL_PRECISION(6))

typedef struct {
    sg_buf body;  /* capped at [kiosk] max_body_kb */
    int too_big;  /* the body went over the cap: answer 413 */
    /* Work a handler left while its connection is suspended (a login's
     * password check), freed with pending_free when the request ends. */
    void *pending;
    void (*pending_free)(void *pending);
} http_request;

/*
 * A password check for the login queue (login_queue.c): one thread checks
 * queued jobs in order, then resumes the job's connection, whose handler
 * reads state.  The job is the queue's from submit until that resume.
 */
enum { LOGIN_JOB_QUEUED, LOGIN_JOB_OK, LOGIN_JOB_BAD, LOGIN_JOB_BUSY, LOGIN_JOB_CANCELLED };
typedef struct {
    struct MHD_Connection *conn;
    char hash[STAFF_HASH_MAX];   /* the account's, or the dummy for an unknown name */
    char pw[STAFF_PW_MAX + 1];
    int want_rehash;             /* on success, also hash pw with today's parameters */
    char fresh[STAFF_HASH_MAX];  /* out: that new hash, "" if it could not be made */
    long long queued_ms;
    atomic_int state;            /* LOGIN_JOB_* */
} login_job;
typedef struct login_queue login_queue;
sg_rc login_queue_start(size_t cap, login_queue **out);
void login_queue_stop(login_queue *q);
int login_queue_submit(login_queue *q, login_job *job);

typedef struct {
    sg_app *app;
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    http_request *req;
    int closing;  /* the daemon is stopping: ask the client to close */
    int hsts;     /* the staff listener with the clinic's own certificate */
    login_queue *logins; /* the staff listener's password checks; NULL on the kiosk's */
} http_ctx;

/* Responses.  Each queues one response and returns what MHD expects. */
MHD_RESULT http_json(http_ctx *h, unsigned status, const char *json);
MHD_RESULT http_error(http_ctx *h, unsigned status, const char *code, const char *message,
                      const char *field);
MHD_RESULT http_no_content(http_ctx *h);
/* Any other body, with its Content-Type (webhook answers, for example). */
MHD_RESULT http_text(http_ctx *h, unsigned status, const char *type, const char *body);
/* 303 See Other to path, a fixed path on this listener. */
MHD_RESULT http_redirect(http_ctx *h, const char *path);
/* 405 with the Allow header naming the methods the path takes. */
MHD_RESULT http_method_not_allowed(http_ctx *h, const char *allow);
/* Sends o as JSON and releases it (o may be NULL: MHD_NO). */
MHD_RESULT http_send_json(http_ctx *h, unsigned status, json_t *o);
/* 503 store_unavailable: the database refused or was busy. */
MHD_RESULT http_store_unavailable(http_ctx *h);
/* Queues a response built by the caller with the headers every answer
 * carries (security set, no-store, Connection: close when stopping);
 * destroys r. */
MHD_RESULT http_queue(http_ctx *h, unsigned status, struct MHD_Response *r);
/* Adds the headers every answer carries (CSP, nosniff, frame denial ...),
 * and HSTS when h->hsts. */
void http_security_headers(const http_ctx *h, struct MHD_Response *r);

/*
 * The result of one screening as the kiosk API returns it (caller decrefs).
 * Its text is stored, so GET answers exactly what POST answered.
 */
json_t *kiosk_result(const sg_app *app, const char *id, const sg_submission *sub,
                     const sg_score *score, const sg_resource *res, size_t nres);

/* The names of the domains in mask, in instrument order, as a new JSON array. */
json_t *kiosk_domain_names(const sg_instrument *inst, uint32_t mask);

/* JSON values the console's answers share: a string, or null for NULL, ""
 * or text that is not UTF-8; a Unix time as ISO 8601 UTC, null when <= 0. */
json_t *http_json_text(const char *s);
json_t *http_json_time(time_t t);
/* ?limit= as 1..max (dflt when absent); -1 when it is anything else. */
int http_query_limit(http_ctx *h, int dflt, int max);

/* True when the request's method is m; otherwise *ret holds the 405 answer. */
int http_method_is(http_ctx *h, const char *m, MHD_RESULT *ret);
/* The request body as a JSON object (caller decrefs); NULL with *ret set
 * to the 415/400 answer when it is not application/json or not JSON. */
json_t *http_json_body(http_ctx *h, MHD_RESULT *ret);

/* Kiosk token checks shared by the kiosk routes. */
int kiosk_valid_id(const char *s, size_t len);
int kiosk_authorised(http_ctx *h, const char *screening_id);
MHD_RESULT kiosk_unauthorised(http_ctx *h);

/* 1 when url may be mapped onto a file under ui_dir: "/" then at most 200
 * bytes of letters, digits and "/._-", and no "/." (so no "..", no hidden
 * files).  The static handlers' only gate to the file system. */
int http_safe_path(const char *url);

/* Route handlers. */
MHD_RESULT http_static(http_ctx *h);
MHD_RESULT http_kiosk_api(http_ctx *h);
MHD_RESULT kiosk_receipt(http_ctx *h, const char *screening_id);
MHD_RESULT kiosk_print_job(http_ctx *h, const char *job_id);
MHD_RESULT kiosk_sms(http_ctx *h, const char *screening_id);
MHD_RESULT kiosk_sms_consent(http_ctx *h);
/* The staff listener's routes (webhooks now; the console later). */
MHD_RESULT http_staff(http_ctx *h);
MHD_RESULT staff_hooks(http_ctx *h);

/*
 * The staff console's sessions (src/http/staff_auth.c).  staff_api()
 * answers /staff/api/...; every console route begins with staff_require(),
 * which checks the session cookie, idle and absolute expiry (sliding the
 * idle clock), the X-CSRF-Token header when needs_csrf (every request that
 * changes something), and that the role is at least min_role ("viewer",
 * "navigator", "admin"; NULL: any).  It returns the session (the caller
 * frees it with staff_session_free, which accepts NULL), or NULL with *ret
 * holding the 401/403/503 answer already queued.
 */
typedef struct {
    long long user_id;
    char username[STAFF_USERNAME_MAX + 1];
    staff_role role;
    char id_hash[STAFF_SESSION_HASH_LEN];
    char csrf[STAFF_TOKEN_LEN];
    time_t expires_at;
} staff_session;

MHD_RESULT staff_api(http_ctx *h);
/*
 * The console's route groups, each answering every path under its prefix
 * (404 for the rest of it); http_staff() picks the group:
 *   staff_subs:      /staff/api/v1/submissions..., /referrals...
 *   staff_resources: /staff/api/v1/resources...
 *   staff_reports:   /staff/api/v1/reports...
 *   staff_export:    /staff/api/v1/export/...
 */
MHD_RESULT staff_subs(http_ctx *h);
/* /staff/api/v1/follow-up and /staff/api/v1/staff (staff_followup.c). */
MHD_RESULT staff_follow_up(http_ctx *h);
MHD_RESULT staff_accounts(http_ctx *h);
MHD_RESULT staff_resources(http_ctx *h);
MHD_RESULT staff_reports(http_ctx *h);
MHD_RESULT staff_export(http_ctx *h);
/* The console's own files, kiosk-ui/staff/, on the staff listener only. */
MHD_RESULT http_static_staff(http_ctx *h);
staff_session *staff_require(http_ctx *h, int needs_csrf, const char *min_role,
                             MHD_RESULT *ret);
void staff_session_free(staff_session *s);
/* The client's address as text ("unknown" when MHD cannot say), for the
 * audit log and throttling. */
void staff_client_ip(http_ctx *h, char *out, size_t outlen);
/* Appends an audit row for what s did from this request's address;
 * a route that shows or changes something refuses when this fails. */
sg_rc staff_audit(http_ctx *h, const staff_session *s, const char *action,
                  const char *target, const char *detail);

/*
 * The deadline on receiving a whole request (deadline.c): a sweeper thread
 * shuts down connections whose request takes over limit_s to arrive.
 * http_deadline_notify is the listener's MHD_OPTION_NOTIFY_CONNECTION;
 * the request handler calls received() once a request is whole and
 * answered() once its answer has gone, which restarts the clock.
 */
typedef struct http_deadline http_deadline;
sg_rc http_deadline_start(int limit_s, const char *listener, http_deadline **out);
void http_deadline_stop(http_deadline *dl);
void http_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code);
void http_deadline_received(struct MHD_Connection *conn);
void http_deadline_answered(struct MHD_Connection *conn);

#endif
