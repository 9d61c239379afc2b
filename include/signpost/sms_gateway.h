/*
 * SMS gateways: how one text leaves the kiosk, and how replies and delivery
 * reports come back.  One interface, four adapters chosen by [sms] gateway:
 *
 *   twilio  Programmable Messaging (form POST, Basic auth, JSON answers)
 *   http    a generic template gateway (URL, method, body, headers, success)
 *   kannel  Kannel's smsbox sendsms interface
 *   log     the demo: writes a line per text, the number masked, no body
 *
 * Each adapter is a pure part (build the request, classify the answer,
 * parse webhooks: tested without a network) and a thin libcurl shell with
 * connect and total timeouts.  Secrets are read from files named in the
 * config (or $CREDENTIALS_DIRECTORY/NAME under systemd) when the gateway is
 * opened; they never appear in logs or error messages.
 *
 * A gateway is used by one thread at a time (the outbox worker, or the
 * inbound poller with its own gateway).  gw_close() accepts NULL.
 */
#ifndef SIGNPOST_SMS_GATEWAY_H
#define SIGNPOST_SMS_GATEWAY_H

#include <stddef.h>
#include <time.h>
#include "signpost/config.h"
#include "signpost/result.h"
#include "signpost/sms.h"

typedef struct sms_gateway sms_gateway;

typedef struct {
    const char *id;              /* our outbox id (Kannel dlr-url, http {{id}}) */
    const char *to;              /* E.164 */
    const char *body;            /* UTF-8 */
    int validity_s;              /* drop if not delivered in time; 0 = none */
    const char *status_callback; /* URL for delivery reports, or NULL */
} gw_message;

typedef enum {
    GW_SENT,      /* the gateway took it: message_id (when it gives one) */
    GW_RETRY,     /* certainly not processed (429, 5xx, refused, DNS): try later */
    GW_FAILED,    /* the gateway refused it for good: reason says why */
    GW_OPTED_OUT, /* the recipient opted out at the carrier (Twilio 21610) */
    GW_UNKNOWN    /* the request may have been processed (timeout after
                     sending, connection lost before the answer) */
} gw_outcome;

typedef struct {
    gw_outcome outcome;
    char message_id[72];  /* "SM..." or the adapter's id, "" when none */
    char status[24];      /* the gateway's status word ("queued"), or "" */
    int http_status;      /* 0 when no HTTP answer came */
    int error_code;       /* the gateway's error code (Twilio 21211), or 0 */
    int retry_after_s;    /* from Retry-After, -1 when absent */
    char reason[200];     /* for staff and logs: no number, no body */
} gw_result;

/* Opens the adapter [sms] gateway names; SG_EINVAL with err naming the key
 * for a missing or bad setting (an unreadable secret file included).
 * "none" is SG_ENOTFOUND. */
sg_rc gw_open(const sg_config *cfg, sms_gateway **out, char *err, size_t errlen);
void gw_close(sms_gateway *gw);
const char *gw_name(const sms_gateway *gw);

/* Sends one text; always fills r (never blocks past the configured timeout). */
void gw_send(sms_gateway *gw, const gw_message *m, gw_result *r);

/*
 * After GW_UNKNOWN (or a crash mid-send): asks the gateway whether m went
 * out since `since`.  1 = it did (r->message_id filled), 0 = the gateway
 * says certainly not (safe to send again), -1 = cannot tell (the adapter
 * has no way to ask, or asking failed).  Only Twilio can answer 0 or 1.
 */
int gw_reconcile(sms_gateway *gw, const gw_message *m, time_t since, gw_result *r);

/* ---- Inbound -------------------------------------------------------------- */

typedef struct {
    char message_id[72]; /* the gateway's id: duplicates are dropped by it */
    char from[SMS_E164_LEN + 8];
    char to[SMS_E164_LEN + 8];
    char body[1601];
    time_t received;     /* 0 when the gateway did not say */
} gw_inbound;

typedef struct {
    char message_id[72]; /* the gateway's id of an outbound text ("SM...") */
    char outbox_id[40];  /* ours, when the report carries it (Kannel dlr-url) */
    char status[24];     /* queued/sent/delivered/undelivered/failed ... */
    int error_code;
    int final;           /* 1 when the status can no longer change */
} gw_status;

/* One decoded form or query parameter. */
typedef struct {
    const char *name;
    const char *value;
} gw_param;

/*
 * Twilio's X-Twilio-Signature: base64(HMAC-SHA1(auth token, url + each
 * parameter name immediately followed by its value, sorted by name)).
 * Returns 1 when signature matches (compared in constant time), 0 otherwise
 * (a missing signature included).
 */
int gw_twilio_signature_ok(const char *auth_token, const char *url, const gw_param *p,
                           size_t np, const char *signature);
/* The signature for url and params, base64 into out (for tests and fakes). */
sg_rc gw_twilio_sign(const char *auth_token, const char *url, const gw_param *p, size_t np,
                     char *out, size_t outlen);

/* Reads Twilio's inbound-message webhook (From, To, Body, MessageSid).
 * SG_EINVAL naming the missing parameter in err. */
sg_rc gw_twilio_parse_inbound(const gw_param *p, size_t np, gw_inbound *in, char *err,
                              size_t errlen);
/* Reads Twilio's status callback (MessageSid, MessageStatus, ErrorCode). */
sg_rc gw_twilio_parse_status(const gw_param *p, size_t np, gw_status *st, char *err,
                             size_t errlen);
/* Reads the query Kannel's get-url sends (from, to, text, id, time: see
 * docs/sms.md for the sms-service line) and its dlr-url (id, type). */
sg_rc gw_kannel_parse_inbound(const gw_param *p, size_t np, gw_inbound *in, char *err,
                              size_t errlen);
sg_rc gw_kannel_parse_dlr(const gw_param *p, size_t np, gw_status *st, char *err,
                          size_t errlen);

/*
 * Polling for kiosks with no public URL (Twilio only): lists messages sent
 * to the clinic number after *since and calls fn for each, oldest first;
 * *since advances to the newest seen.  SG_ENOTFOUND for adapters that
 * cannot poll.
 */
sg_rc gw_poll_inbound(sms_gateway *gw, time_t *since,
                      int (*fn)(void *ctx, const gw_inbound *in), void *ctx);

/* Checks the gateway answers and accepts the credentials, sending nothing
 * (for `signpost doctor`).  reason says what is wrong. */
sg_rc gw_check(sms_gateway *gw, char *reason, size_t reasonlen);

/* Reads a secret: path as given, or, when path has no slash and
 * $CREDENTIALS_DIRECTORY is set, that directory's file of that name.
 * Trailing newlines are dropped.  SG_EIO names the file (never the secret). */
sg_rc gw_read_secret(const char *path, char *out, size_t outlen, char *err, size_t errlen);

#endif
