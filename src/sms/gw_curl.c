/*
 * The one libcurl shell the SMS gateway adapters use (gw_internal.h).  It
 * exists mainly to answer one question after a failure: could the gateway
 * have acted on the request?  Sending a text is not idempotent (Twilio has
 * no idempotency key), so "try again" is only safe when the request
 * certainly did not arrive.  The rule:
 *
 *   - A status line came back: the server's answer decides (a 201 whose
 *     body was then cut off is still a created message).
 *   - No status line, and libcurl did not write every byte of the request
 *     (headers and body) to the connection: the server cannot have the
 *     whole request, so it cannot have processed it -> GW_NET_NOT_SENT
 *     (DNS failure, connection refused, connect timeout, TLS handshake
 *     failure, a send error half-way).
 *   - No status line, and every byte was written: it may have arrived and
 *     been processed -> GW_NET_MAYBE (timeout waiting for the answer, the
 *     connection closed or reset before it).
 *
 * "Written" is counted from libcurl's debug callback, which reports the
 * header and body bytes of each successful write.  HTTP/1.1 is forced
 * (HTTP/2 reports headers when they are queued, not written), "Expect:
 * 100-continue" is off (so the body follows the headers at once), and
 * connections are never reused (libcurl silently re-sends a request on a
 * reused connection that died, which could send a text twice).  Only http
 * and https, no redirects, no proxy from the environment, no signals.
 */
#include <assert.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_internal.h"

#define RETRY_AFTER_MAX 64

struct gw_curl {
    CURL *curl;
    long timeout_ms;
    /* Per request. */
    gw_response *rs;
    size_t cap;
    char retry_after[RETRY_AFTER_MAX];
    /* What went out: a 4-byte window to find the blank line that ends the
     * headers, then the body bytes after it. */
    unsigned long window;
    int headers_done;
    size_t body_out, body_len;
    char errbuf[CURL_ERROR_SIZE];
};

sg_rc gw_curl_open(int timeout_s, gw_curl **out)
{
    gw_curl *c;

    assert(timeout_s > 0 && out);
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return SG_EIO;
    c = calloc(1, sizeof *c);
    if (!c || !(c->curl = curl_easy_init())) {
        free(c);
        return SG_ENOMEM;
    }
    c->timeout_ms = (long)timeout_s * 1000L;
    *out = c;
    return SG_OK;
}

void gw_curl_close(gw_curl *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

void gw_response_init(gw_response *rs)
{
    memset(rs, 0, sizeof *rs);
    sg_buf_init(&rs->body, GW_LISTING_CAP);
    rs->retry_after_s = -1;
}

void gw_response_free(gw_response *rs)
{
    sg_buf_free(&rs->body);
}

/* Keeps the answer up to the cap and swallows the rest, so that the
 * transfer still completes and the status line stays what decides. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    gw_curl *c = ctx;
    size_t len = size * n, room = c->cap - c->rs->body.len;

    if (len > room)
        c->rs->truncated = 1;
    if (sg_buf_add(&c->rs->body, data, len < room ? len : room))
        c->rs->truncated = 1;
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    gw_curl *c = ctx;
    size_t total = size * n, len = total, end;
    static const char name[] = "retry-after:";

    /* A new status line (a 100 Continue) starts a new answer. */
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
        c->retry_after[0] = '\0';
    if (len <= sizeof name - 1 || strncasecmp(data, name, sizeof name - 1) != 0)
        return total;
    data += sizeof name - 1, len -= sizeof name - 1;
    while (len && (*data == ' ' || *data == '\t'))
        data++, len--;
    for (end = len; end && (unsigned char)data[end - 1] <= ' '; end--)
        ;
    if (end >= RETRY_AFTER_MAX)
        end = RETRY_AFTER_MAX - 1;
    memcpy(c->retry_after, data, end);
    c->retry_after[end] = '\0';
    return total; /* anything else makes libcurl stop */
}

/* Counts what was written: every header byte up to the blank line, then
 * body bytes.  Headers and body arrive as HEADER_OUT and DATA_OUT, but a
 * write that was cut short may report the rest of the headers as data, so
 * both are one stream here. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t len, void *ctx)
{
    gw_curl *c = ctx;

    (void)h;
    if (type != CURLINFO_HEADER_OUT && type != CURLINFO_DATA_OUT)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (c->headers_done) {
            c->body_out += len - i;
            break;
        }
        c->window = ((c->window << 8) | (unsigned char)data[i]) & 0xffffffffUL;
        if (c->window == 0x0d0a0d0aUL) /* "\r\n\r\n" */
            c->headers_done = 1;
    }
    return 0;
}

static struct curl_slist *make_headers(const gw_request *rq)
{
    /* "Expect:" stops libcurl from waiting for 100 Continue before a body. */
    struct curl_slist *l = curl_slist_append(NULL, "Expect:"), *n;

    for (size_t i = 0; l && i < GW_MAX_HEADERS && rq->headers[i]; i++) {
        if (!(n = curl_slist_append(l, rq->headers[i]))) {
            curl_slist_free_all(l);
            return NULL;
        }
        l = n;
    }
    return l;
}

static CURLcode set_method(gw_curl *c, const gw_request *rq)
{
    CURL *h = c->curl;
    CURLcode e = CURLE_OK;

#define SET(opt, val) (e = e != CURLE_OK ? e : curl_easy_setopt(h, opt, val))
    if (strcmp(rq->method, "GET") == 0) {
        SET(CURLOPT_HTTPGET, 1L);
    } else {
        /* POSTFIELDS with its size: a body of known length, sent with the
         * headers; PUT is the same request under another name. */
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->body_len : 0));
        SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        if (strcmp(rq->method, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, rq->method);
    }
    if (rq->user) {
        SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SET(CURLOPT_USERNAME, rq->user);
        SET(CURLOPT_PASSWORD, rq->pass ? rq->pass : "");
    }
#undef SET
    return e;
}

static CURLcode set_options(gw_curl *c, const gw_request *rq, struct curl_slist *hdrs)
{
    CURL *h = c->curl;
    long connect_ms = GW_CONNECT_TIMEOUT_S * 1000L;
    CURLcode e = CURLE_OK;

#define SET(opt, val) (e = e != CURLE_OK ? e : curl_easy_setopt(h, opt, val))
    SET(CURLOPT_URL, rq->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L); /* we run in a thread of a daemon */
    SET(CURLOPT_PROXY, "");    /* no proxy from the environment */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_FORBID_REUSE, 1L);
    SET(CURLOPT_FRESH_CONNECT, 1L);
    SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS,
        c->timeout_ms < connect_ms ? c->timeout_ms : connect_ms);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_USERAGENT, "signpost/" SIGNPOST_VERSION);
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, c);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, c);
    /* VERBOSE only turns the debug callback on; it prints nothing itself. */
    SET(CURLOPT_DEBUGFUNCTION, on_debug);
    SET(CURLOPT_DEBUGDATA, c);
    SET(CURLOPT_VERBOSE, 1L);
    SET(CURLOPT_ERRORBUFFER, c->errbuf);
#undef SET
    return e != CURLE_OK ? e : set_method(c, rq);
}

gw_net gw_curl_classify(int curl_code, int status, int fully_sent)
{
    if (status > 0)
        return GW_NET_ANSWERED;
    if (curl_code == CURLE_OK) /* no status line and no error: cannot be */
        return GW_NET_MAYBE;
    return fully_sent ? GW_NET_MAYBE : GW_NET_NOT_SENT;
}

static void reset_request(gw_curl *c, const gw_request *rq, gw_response *rs)
{
    sg_buf_reset(&rs->body);
    rs->net = GW_NET_NOT_SENT;
    rs->http_status = 0;
    rs->retry_after_s = -1;
    rs->truncated = 0;
    rs->error[0] = '\0';
    c->rs = rs;
    c->cap = rq->answer_cap ? rq->answer_cap : GW_ANSWER_CAP;
    if (c->cap > rs->body.cap)
        c->cap = rs->body.cap;
    c->retry_after[0] = c->errbuf[0] = '\0';
    c->window = 0;
    c->headers_done = 0;
    c->body_out = 0;
    c->body_len = rq->body ? rq->body_len : 0;
}

void gw_curl_perform(gw_curl *c, const gw_request *rq, gw_response *rs)
{
    struct curl_slist *hdrs = NULL;
    CURLcode e;
    long status = 0;

    assert(c && rq && rq->method && rq->url && rs);
    reset_request(c, rq, rs);
    curl_easy_reset(c->curl);
    if (!(hdrs = make_headers(rq))) {
        e = CURLE_OUT_OF_MEMORY;
        goto out;
    }
    if ((e = set_options(c, rq, hdrs)) != CURLE_OK)
        goto out;
    e = curl_easy_perform(c->curl);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
out:
    rs->http_status = (int)status;
    rs->net = gw_curl_classify((int)e, rs->http_status,
                               c->headers_done && c->body_out >= c->body_len);
    if (c->retry_after[0])
        rs->retry_after_s = gw_parse_retry_after(c->retry_after, time(NULL));
    if (e != CURLE_OK)
        /* The description, never errbuf: that may quote the URL, and a
         * Kannel URL carries the password, the number and the text. */
        snprintf(rs->error, sizeof rs->error, "%s", curl_easy_strerror(e));
    /* The handle keeps the password and the body pointer: drop them now. */
    curl_easy_reset(c->curl);
    curl_slist_free_all(hdrs);
    c->rs = NULL;
}

time_t gw_parse_date(const char *value)
{
    time_t t = value && *value ? curl_getdate(value, NULL) : (time_t)-1;
    return t < 0 ? (time_t)-1 : t;
}

int gw_parse_retry_after(const char *value, time_t now)
{
    const char *p = value;
    long n = 0;
    time_t t;

    while (*p == ' ')
        p++;
    if (*p >= '0' && *p <= '9') {
        for (; *p >= '0' && *p <= '9'; p++)
            if ((n = n * 10 + (*p - '0')) > 86400L * 7)
                return 86400 * 7; /* a week is as good as forever */
        while (*p == ' ')
            p++;
        return *p ? -1 : (int)n;
    }
    if ((t = gw_parse_date(p)) < 0)
        return -1;
    return t <= now ? 0 : (t - now > 86400L * 7 ? 86400 * 7 : (int)(t - now));
}
