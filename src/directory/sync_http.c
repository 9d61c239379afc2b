/*
 * One page of the HSDS API over HTTP (sync_internal.h).  Everything a
 * regional server or the clinic's network can do wrong is bounded here: a
 * timeout on every request, a cap on every body (enforced in the write
 * callback, because a chunked answer has no Content-Length to check), TLS
 * verification always on, and a fixed number of attempts whose waits
 * follow "full jitter" backoff and the server's Retry-After.  A stop
 * request aborts a transfer through the progress callback and cuts a
 * backoff wait short, so the daemon never waits on the network to exit.
 */
#include <assert.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "signpost/log.h"
#include "sync_internal.h"

#define CONNECT_TIMEOUT_MS 15000L
#define HEADER_VALUE 96

struct sync_http {
    CURL *curl;
    const sync_opts *o;
    struct curl_slist *headers;
    sg_buf *body; /* where the current answer goes */
    int too_big;  /* the write callback hit the cap */
    char retry_after[HEADER_VALUE];
    char date[HEADER_VALUE];
    char errbuf[CURL_ERROR_SIZE];
};

typedef enum { TRY_OK, TRY_RETRY, TRY_FAIL, TRY_STOP } try_result;

int sync_pause(const sync_opts *o, long ms)
{
    struct timespec ts;

    if (o->pause)
        return o->pause(o->pause_ctx, ms);
    if (ms <= 0)
        return 0;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    sync_http *h = ctx;
    size_t len = size * n;

    if (sg_buf_add(h->body, data, len)) {
        h->too_big = 1;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    return len;
}

/* Keeps name's value when line is "name: value" (any case), trimmed. */
static void keep_header(const char *line, size_t len, const char *name, char *out)
{
    size_t nl = strlen(name), end;

    if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    line += nl + 1;
    len -= nl + 1;
    while (len && (*line == ' ' || *line == '\t'))
        line++, len--;
    for (end = len;
         end && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ');
         end--)
        ;
    if (end >= HEADER_VALUE)
        end = HEADER_VALUE - 1;
    memcpy(out, line, end);
    out[end] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    sync_http *h = ctx;
    size_t len = size * n;

    /* A new status line (a redirect, a 100 Continue) starts a new answer. */
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
        h->retry_after[0] = h->date[0] = '\0';
    keep_header(data, len, "retry-after", h->retry_after);
    keep_header(data, len, "date", h->date);
    return len;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un)
{
    sync_http *h = ctx;
    (void)dt, (void)dn, (void)ut, (void)un;
    return sync_pause(h->o, 0); /* nonzero aborts the transfer */
}

static sg_rc set_options(sync_http *h)
{
    CURL *c = h->curl;
    CURLcode e = CURLE_OK;

    h->headers = curl_slist_append(NULL, "Accept: application/json");
    if (!h->headers)
        return SG_ENOMEM;
/* The first failure sticks; the rest are skipped. */
#define SET(opt, val) (e = e != CURLE_OK ? e : curl_easy_setopt(c, opt, val))
    SET(CURLOPT_HTTPHEADER, h->headers);
    SET(CURLOPT_USERAGENT, "signpost/" SIGNPOST_VERSION);
    SET(CURLOPT_NOSIGNAL, 1L); /* we run in a thread of a daemon */
    SET(CURLOPT_TIMEOUT_MS, h->o->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS,
        h->o->timeout_ms < CONNECT_TIMEOUT_MS ? h->o->timeout_ms : CONNECT_TIMEOUT_MS);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* the cap applies to the decoded body */
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SYNC_PAGE_CAP);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, h);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, h);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, h);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_ERRORBUFFER, h->errbuf);
#undef SET
    return e ? SG_EINVAL : SG_OK;
}

sg_rc sync_http_open(const sync_opts *o, sync_http **out, char *err, size_t errlen)
{
    sync_http *h = calloc(1, sizeof *h);
    sg_rc rc = SG_ENOMEM;

    *out = NULL;
    if (!h || !(h->curl = curl_easy_init()))
        goto out;
    h->o = o;
    if ((rc = set_options(h)))
        goto out;
    *out = h;
    h = NULL;
out:
    if (rc)
        snprintf(err, errlen, "cannot set up libcurl");
    sync_http_close(h);
    return rc;
}

void sync_http_close(sync_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    curl_slist_free_all(h->headers);
    free(h);
}

/* Network failures that may well be gone in a few seconds. */
static int curl_transient(CURLcode e)
{
    switch (e) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* One request.  *rc_out says how a TRY_FAIL failed. */
static try_result try_once(sync_http *h, const char *shown, long *retry_after_s,
                           sg_rc *rc_out, char *err, size_t errlen)
{
    CURLcode e;
    long status = 0;

    sg_buf_reset(h->body);
    h->too_big = 0;
    h->errbuf[0] = h->retry_after[0] = h->date[0] = '\0';
    *retry_after_s = -1;
    e = curl_easy_perform(h->curl);
    if (e == CURLE_ABORTED_BY_CALLBACK)
        return TRY_STOP;
    if (h->too_big || e == CURLE_FILESIZE_EXCEEDED) {
        snprintf(err, errlen, "%s: the page is larger than %u MB", shown,
                 SYNC_PAGE_CAP >> 20);
        *rc_out = SG_ETOOBIG;
        return TRY_FAIL;
    }
    if (e != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", shown,
                 h->errbuf[0] ? h->errbuf : curl_easy_strerror(e));
        *rc_out = SG_EIO;
        return curl_transient(e) ? TRY_RETRY : TRY_FAIL;
    }
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    switch (sync_http_classify(status)) {
    case SYNC_HTTP_OK:
        return TRY_OK;
    case SYNC_HTTP_RETRY:
        snprintf(err, errlen, "%s: HTTP %ld", shown, status);
        if (h->retry_after[0])
            *retry_after_s = sync_retry_after(h->retry_after, time(NULL));
        return TRY_RETRY;
    default:
        snprintf(err, errlen, "%s: HTTP %ld (not retried)", shown, status);
        *rc_out = status == 401 || status == 403 ? SG_EAUTH : SG_EIO;
        return TRY_FAIL;
    }
}

static int64_t date_ms(const char *date)
{
    time_t t = date[0] ? curl_getdate(date, NULL) : (time_t)-1;
    return t == (time_t)-1 ? -1 : (int64_t)t * 1000;
}

sg_rc sync_http_get(sync_http *h, const char *url, sg_buf *body, int64_t *date, char *err,
                    size_t errlen)
{
    char shown[512];
    long retry_after_s = -1, wait_ms;
    sg_rc rc = SG_EBUSY;
    try_result r = TRY_RETRY;

    assert(h && url && body && errlen > 0);
    *date = -1;
    h->body = body;
    sync_url_display(url, shown, sizeof shown);
    if (curl_easy_setopt(h->curl, CURLOPT_URL, url) != CURLE_OK) {
        snprintf(err, errlen, "%s: libcurl refused the URL", shown);
        return SG_EINVAL;
    }
    for (int attempt = 1; attempt <= SYNC_MAX_ATTEMPTS; attempt++) {
        r = try_once(h, shown, &retry_after_s, &rc, err, errlen);
        if (r != TRY_RETRY)
            break;
        if (attempt == SYNC_MAX_ATTEMPTS)
            break;
        if (retry_after_s > h->o->max_wait_s) {
            snprintf(err + strlen(err), errlen - strlen(err),
                     "; the server asks to wait %ld s: giving up until the next run",
                     retry_after_s);
            return SG_EBUSY;
        }
        wait_ms = sync_backoff_ms(attempt, h->o->backoff_base_ms, h->o->backoff_cap_ms,
                                  retry_after_s >= 0 ? retry_after_s * 1000 : -1,
                                  randombytes_random());
        sg_warn("sync: %s; retrying in %ld ms (attempt %d of %d)", err, wait_ms,
                attempt + 1, SYNC_MAX_ATTEMPTS);
        if (sync_pause(h->o, wait_ms)) {
            r = TRY_STOP;
            break;
        }
    }
    switch (r) {
    case TRY_OK:
        *date = date_ms(h->date);
        return SG_OK;
    case TRY_STOP:
        snprintf(err, errlen, "stopped");
        return SG_EBUSY;
    case TRY_RETRY:
        snprintf(err + strlen(err), errlen - strlen(err), " (after %d attempts)",
                 SYNC_MAX_ATTEMPTS);
        return SG_EBUSY;
    default:
        return rc;
    }
}
