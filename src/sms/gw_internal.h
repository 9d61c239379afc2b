/*
 * What the SMS gateway adapters share (sms_gateway.h is the contract):
 * the ops table gateway.c dispatches through, the one libcurl shell
 * (gw_curl.c) and the small escaping and copying helpers every adapter
 * needs.  Nothing here is used outside src/sms and its tests.
 */
#ifndef SIGNPOST_SMS_GW_INTERNAL_H
#define SIGNPOST_SMS_GW_INTERNAL_H

#include <stddef.h>
#include <time.h>
#include "signpost/buf.h"
#include "signpost/config.h"
#include "signpost/result.h"
#include "signpost/sms_gateway.h"

/* ---- The libcurl shell (gw_curl.c) ---------------------------------------- */

#define GW_CONNECT_TIMEOUT_S 5
#define GW_ANSWER_CAP (64u * 1024)    /* a send's or a check's answer */
#define GW_LISTING_CAP (1024u * 1024) /* a page of Twilio's message list */
#define GW_MAX_HEADERS 16

typedef struct gw_curl gw_curl;

typedef struct {
    const char *method;                  /* "GET", "POST" or "PUT" */
    const char *url;                     /* http or https only */
    const char *headers[GW_MAX_HEADERS]; /* "Name: value", NULL-terminated */
    const char *body;                    /* NULL: none */
    size_t body_len;
    const char *user, *pass; /* Basic auth, or NULL */
    size_t answer_cap;       /* 0: GW_ANSWER_CAP */
} gw_request;

/*
 * How far a request got.  The rule (see gw_curl.c): a server can act on a
 * request only once it has all of it, and it cannot have all of it before
 * libcurl wrote all of it to the connection.
 */
typedef enum {
    GW_NET_ANSWERED, /* a status line came back: http_status says the rest */
    GW_NET_NOT_SENT, /* no answer, and not all of the request left: not processed */
    GW_NET_MAYBE     /* all of it left, then no answer (timeout, drop) */
} gw_net;

typedef struct {
    gw_net net;
    int http_status;   /* 0 when no status line came */
    int retry_after_s; /* Retry-After in seconds, -1 when absent or unreadable */
    int truncated;     /* the answer was longer than the cap: body is its start */
    sg_buf body;       /* the answer, NUL-terminated (gw_response_free) */
    char error[128];   /* libcurl's description when no answer came; no URL */
} gw_response;

sg_rc gw_curl_open(int timeout_s, gw_curl **out);
void gw_curl_close(gw_curl *c);
/* Performs one request; never fails: rs says what happened.  rs must have
 * been through gw_response_init. */
void gw_curl_perform(gw_curl *c, const gw_request *rq, gw_response *rs);
void gw_response_init(gw_response *rs);
void gw_response_free(gw_response *rs);

/* The pure rule: curl_code is a CURLcode, status the status line's code or
 * 0, fully_sent whether every byte of the request was written. */
gw_net gw_curl_classify(int curl_code, int status, int fully_sent);
/* Retry-After: delta seconds or an HTTP-date; -1 when unreadable. */
int gw_parse_retry_after(const char *value, time_t now);
/* An RFC 2822 / HTTP date ("Wed, 18 Aug 2010 20:01:40 +0000"); -1 if bad. */
time_t gw_parse_date(const char *value);

/* ---- Helpers (gateway.c) -------------------------------------------------- */

/* Appends s percent-encoded: everything but A-Z a-z 0-9 - . _ ~ becomes
 * %XX, which is right both in a URL query and in a form body. */
sg_rc gw_add_escaped(sg_buf *b, const char *s);
/* "&name=value" (no "&" when b is empty), both escaped. */
sg_rc gw_add_param(sg_buf *b, const char *name, const char *value);
/* Copies s into out; 1 when it had to be cut (at a UTF-8 boundary). */
int gw_copy(char *out, size_t outlen, const char *s);
/* The value of name among p[0..np), NULL when absent. */
const char *gw_param_get(const gw_param *p, size_t np, const char *name);
/* A required parameter into out: SG_EINVAL naming it (never its value)
 * when it is missing or too long for out. */
sg_rc gw_take_param(const gw_param *p, size_t np, const char *name, char *out,
                    size_t outlen, char *err, size_t errlen);
/* 1 when url starts with http:// or https:// and has a host. */
int gw_url_ok(const char *url);
/* A gw_result with nothing in it: outcome GW_FAILED until set. */
void gw_result_clear(gw_result *r);
/* Fills r for an answer that never came (rs->net is not ANSWERED). */
void gw_result_from_net(const gw_response *rs, const char *gateway, gw_result *r);
/* 1 when s is prefix followed by exactly 32 hex digits. */
int gw_sid_ok(const char *s, const char *prefix);
/* A whole decimal number in [min, max] (an optional leading '-'). */
sg_rc gw_parse_int(const char *s, long min, long max, long *out);

/* ---- The adapters ----------------------------------------------------------- */

typedef struct {
    const char *name;
    sg_rc (*open)(sms_gateway *gw, char *err, size_t errlen);
    void (*close)(sms_gateway *gw);
    void (*send)(sms_gateway *gw, const gw_message *m, gw_result *r);
    /* NULL: gw_reconcile answers -1, gw_poll_inbound SG_ENOTFOUND. */
    int (*reconcile)(sms_gateway *gw, const gw_message *m, time_t since, gw_result *r);
    sg_rc (*poll)(sms_gateway *gw, time_t *since,
                  int (*fn)(void *ctx, const gw_inbound *in), void *ctx);
    sg_rc (*check)(sms_gateway *gw, char *reason, size_t reasonlen);
} gw_ops;

struct sms_gateway {
    const gw_ops *ops;
    sg_config cfg; /* a copy: the caller's may change or go */
    gw_curl *curl; /* NULL for the log gateway */
    void *impl;    /* the adapter's own state */
};

extern const gw_ops gw_twilio_ops;
extern const gw_ops gw_kannel_ops;
extern const gw_ops gw_http_ops;
extern const gw_ops gw_log_ops;

/* Twilio's answer to CreateMessage (pure: tested without a network). */
void gw_twilio_classify(int http_status, const char *body, int retry_after_s,
                        gw_result *r);

/* ---- The generic template gateway's pure part (gw_http.c) ------------------ */

typedef enum { GW_TPL_FORM, GW_TPL_JSON, GW_TPL_URL } gw_tpl_kind;

typedef struct {
    const char *to, *from, *text, *id;
} gw_tpl_vars;

/*
 * Expands {{to}} {{from}} {{text}} {{id}} in tpl, each escaped for kind.
 * In JSON a placeholder between double quotes ("{{text}}") gets the
 * escaped characters only; anywhere else a whole quoted JSON string.
 * SG_EINVAL for an unknown or unclosed placeholder.  vars NULL: only checks.
 */
sg_rc gw_tpl_expand(const char *tpl, gw_tpl_kind kind, const gw_tpl_vars *vars,
                    sg_buf *out);

#endif
