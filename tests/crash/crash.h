/*
 * What the crash-consistency and fault-injection tests share: a config that
 * points the daemon at a TCP printer and the fake SMS gateway on loopback,
 * HTTP calls that never block longer than a few seconds (the daemon may be
 * dead or dying at any moment), a screening body chosen from a small set so
 * receipts and results differ, and a tiny in-process printer on loopback
 * TCP that records each connection apart and can misbehave on purpose.
 *
 * Nothing here uses cmocka: functions return codes and the tests assert.
 * Every buffer is capped; every wait is bounded.
 *
 * Ownership: cr_call() fills a caller-owned cr_reply whose json the caller
 * releases with cr_reply_free(); cr_printer_start() returns a printer the
 * caller releases with cr_printer_stop() (accepts NULL).
 */
#ifndef SIGNPOST_CRASH_H
#define SIGNPOST_CRASH_H

#include <jansson.h>
#include <stddef.h>

#define CR_SID "AC0123456789abcdef0123456789abcdef"
#define CR_TOKEN "crash-test-auth-token-0123456789"
#define CR_PATH 600
#define CR_CONSENT_MAX 64

/*
 * Writes dir/signpost.conf (and the Twilio token file) for a daemon printing
 * to 127.0.0.1:printer_port (0: no printer) and texting through gw_url
 * (NULL: no gateway).  extra is appended verbatim (more sections or keys
 * for the last section, [sms.twilio]).  The config's path goes to out.
 */
int cr_write_config(const char *dir, int printer_port, const char *gw_url,
                    const char *sms_extra, const char *extra, char *out, size_t outlen);

typedef struct {
    long status;  /* HTTP status; 0 when no answer came (refused, reset, timeout) */
    json_t *json; /* the body parsed, or NULL */
    char raw[8192];
    int truncated; /* the body did not fit in raw */
} cr_reply;

/* One request to 127.0.0.1:port; method "GET" or "POST"; body NULL for none.
 * 0 when an HTTP answer came back. */
int cr_call(int port, const char *method, const char *path, const char *body,
            const char *bearer, long timeout_ms, cr_reply *out);
void cr_reply_free(cr_reply *r);

/* Screening request bodies: cr_body(i) for any i picks one of CR_BODIES. */
#define CR_BODIES 6
const char *cr_body(unsigned i);

/* The consent version the daemon offers (for POST .../sms). 0 on success. */
int cr_consent_version(int port, char *out, size_t outlen);

/* Milliseconds on the monotonic clock. */
long long cr_now_ms(void);
void cr_sleep_ms(long ms);

/* ---- the in-process printer ------------------------------------------------ */

typedef struct cr_printer cr_printer;

/*
 * Listens on 127.0.0.1, a port chosen by the kernel, answering every DLE EOT
 * status query "ready" (or never, when silent: a printer without status,
 * which the daemon waits 1.5 s for after each job).  With drop_after > 0 the
 * next `drops` connections are closed (with unread bytes, so the peer sees a
 * reset) once that many bytes arrived, and the socket's receive buffer is
 * kept small and read slowly so the sender is still writing when it happens.
 */
cr_printer *cr_printer_start(size_t drop_after, int drops, int silent);
void cr_printer_stop(cr_printer *p);
int cr_printer_port(const cr_printer *p);
int cr_printer_connections(cr_printer *p);
/* Total bytes connection i received (in the order accepted); -1 when none. */
long cr_printer_bytes(cr_printer *p, int i);
/* How many connections received needle[0..n) whole. */
int cr_printer_count(cr_printer *p, const unsigned char *needle, size_t n);

/* Occurrences of needle in hay, not overlapping. */
size_t cr_count(const unsigned char *hay, size_t n, const unsigned char *needle,
                size_t m);

#endif
