/*
 * A fake SMS gateway for tests: libmicrohttpd on 127.0.0.1, a port picked
 * by the kernel, inside the test process.  It answers like Twilio's API
 * (CreateMessage, the Messages list, the Account resource), like Kannel's
 * smsbox (/cgi-bin/sendsms) and, on any other path, like a generic
 * gateway with a configurable answer.  The test makes it misbehave (an
 * error code, 429 with Retry-After, 500/503, a hang, a dropped connection,
 * a rate limit) and reads back every request it got.
 *
 * Library target sms_fake_gateway: later tests drive the whole daemon
 * against it.  Thread-safe: the server runs a thread per connection.
 */
#ifndef SIGNPOST_TEST_FAKE_GATEWAY_H
#define SIGNPOST_TEST_FAKE_GATEWAY_H

#include <stddef.h>
#include <time.h>

typedef struct fake_gw fake_gw;

typedef enum {
    FGW_OK,     /* Twilio 201 + message; Kannel 202 "0: Accepted for delivery";
                   other paths: the custom answer (200 {"ok":true} by default) */
    FGW_QUEUED, /* Kannel 202 "3: Queued for later delivery"; otherwise as FGW_OK */
    FGW_ERROR,  /* Twilio: error JSON with fgw_error's status and code;
                   Kannel: 403 "Authorization failed for sendsms"; other: 400 */
    FGW_429,    /* 429 (Twilio code 20429) with Retry-After (fgw_retry_after) */
    FGW_500,
    FGW_503,  /* with Retry-After too */
    FGW_HANG, /* reads the request, never answers until fgw_stop */
    FGW_DROP  /* reads the whole request, closes the connection, no answer */
} fgw_answer;

fake_gw *fgw_start(void);
/* Wakes hanging requests, stops the server, frees everything.  NULL ok. */
void fgw_stop(fake_gw *f);
const char *fgw_url(const fake_gw *f); /* "http://127.0.0.1:PORT", no slash */
unsigned fgw_port(const fake_gw *f);

/* The next `times` requests (-1: all until changed) answer as mode. */
void fgw_mode(fake_gw *f, fgw_answer mode, int times);
/* For FGW_ERROR on Twilio paths: HTTP status and Twilio code (400, 21211). */
void fgw_error(fake_gw *f, int http_status, int code);
/* The Retry-After value of 429 and 503 answers ("2" by default). */
void fgw_retry_after(fake_gw *f, const char *value);
/* At most n sends a second (Twilio and Kannel), 429 beyond; 0: no limit. */
void fgw_rate_limit(fake_gw *f, int n);
/* Twilio paths then require this Basic auth (401, code 20003 otherwise). */
void fgw_twilio_auth(fake_gw *f, const char *account_sid, const char *token);
/* /cgi-bin/sendsms then requires this username and password. */
void fgw_kannel_auth(fake_gw *f, const char *user, const char *pass);
/* The FGW_OK answer on other paths. */
void fgw_custom(fake_gw *f, int status, const char *content_type, const char *body);

/* Puts a message in the list Twilio's Messages.json serves (direction
 * "inbound" or "outbound-api"; sent -1 for a null date_sent).  Texts the
 * fake accepted through CreateMessage are in it too.  Returns its sid in
 * sid (35 bytes) when sid is not NULL. */
void fgw_add_message(fake_gw *f, const char *direction, const char *from, const char *to,
                     const char *body, time_t created, time_t sent, char *sid);
int fgw_message_count(fake_gw *f);

typedef struct {
    char *name, *value;
} fgw_kv;

typedef struct {
    char method[8];
    char path[256]; /* without the query */
    char *uri;      /* as sent, query included, still escaped */
    char auth[256]; /* the Authorization header, "" when none */
    char content_type[128];
    char *body; /* raw, NUL-terminated ("" when none) */
    size_t body_len;
    fgw_kv *fields; /* query arguments, then a form body's fields, decoded */
    size_t nfields;
    fgw_kv *headers; /* every request header, as sent */
    size_t nheaders;
    int status; /* what the fake answered; 0: hang or drop */
} fgw_request;

int fgw_request_count(fake_gw *f);
/* Request i (negative: from the end, -1 the last); NULL when none.  Valid
 * until fgw_reset or fgw_stop. */
const fgw_request *fgw_request_at(fake_gw *f, int i);
const char *fgw_field(const fgw_request *r, const char *name);
/* A request header's value (name in any case), NULL when absent. */
const char *fgw_header(const fgw_request *r, const char *name);
/* Forgets requests and messages; the mode goes back to FGW_OK. */
void fgw_reset(fake_gw *f);

/* Percent-decodes s in place ('+' is a space when plus is 1). */
void fgw_unescape(char *s, int plus);

#endif
