/*
 * The pure parts of directory sync (see sync.h): building request URLs,
 * reading HSDS Page objects, Retry-After, backoff and timestamps.  Nothing
 * here does I/O or keeps state, so each is unit-tested on its own
 * (tests/sync/test_sync_pure.c) and the shell in sync.c only glues them.
 */
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signpost/sync.h"

/* ---- URLs ---- */

static int has_scheme(const char *base)
{
    return strncasecmp(base, "https://", 8) == 0 || strncasecmp(base, "http://", 7) == 0;
}

/* Spaces, controls and non-ASCII have no place in a configured URL. */
static int url_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return 0;
    return 1;
}

/* Percent-encodes all but RFC 3986's unreserved characters, so a "+" in a
 * time zone offset is not read as a space by the server. */
static sg_rc add_escaped(sg_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    sg_rc rc = SG_OK;

    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rc = sg_buf_add(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = sg_buf_add(b, e, sizeof e);
        }
    }
    return rc;
}

sg_rc sync_build_url(const char *base, const char *modified_after, int page, int per_page,
                     sg_buf *out)
{
    size_t pathlen, qlen;
    const char *query, *hash;
    sg_rc rc;

    sg_buf_reset(out);
    if (!base || !has_scheme(base) || !url_chars_ok(base) || page < 1 || per_page < 1)
        return SG_EINVAL;
    hash = strchr(base, '#'); /* a fragment is never sent */
    query = strchr(base, '?');
    if (hash && (!query || hash < query))
        query = NULL;
    pathlen = query  ? (size_t)(query - base)
              : hash ? (size_t)(hash - base)
                     : strlen(base);
    qlen = !query ? 0 : hash ? (size_t)(hash - query - 1) : strlen(query + 1);
    while (pathlen > 0 && base[pathlen - 1] == '/')
        pathlen--;
    if ((rc = sg_buf_add(out, base, pathlen)) || (rc = sg_buf_adds(out, "/services?")))
        return rc;
    if (qlen && ((rc = sg_buf_add(out, query + 1, qlen)) || (rc = sg_buf_adds(out, "&"))))
        return rc;
    if (modified_after && *modified_after &&
        ((rc = sg_buf_adds(out, "modified_after=")) ||
         (rc = add_escaped(out, modified_after)) || (rc = sg_buf_adds(out, "&"))))
        return rc;
    /* full=true: without it the API lists services with their one-to-one
     * fields only, no locations, phones, schedules or taxonomy terms. */
    return sg_buf_addf(out, "page=%d&per_page=%d&full=true", page, per_page);
}

void sync_url_display(const char *base, char *out, size_t outlen)
{
    const char *host = strstr(base, "://");
    const char *start = host ? host + 3 : base;
    const char *end = start + strcspn(start, "?#");
    const char *at = memchr(start, '@', (size_t)(end - start));
    const char *slash = memchr(start, '/', (size_t)(end - start));

    assert(outlen > 0);
    if (at && (!slash || at < slash)) /* user:password@host */
        start = at + 1;
    snprintf(out, outlen, "%.*s%.*s", host ? (int)(host + 3 - base) : 0, base,
             (int)(end - start), start);
}

/* ---- Page objects ---- */

/* A non-negative integer field; -1 when absent, negative, or beyond a
 * long (32 bits on an armhf Pi, where a cast would wrap 2^32 + 2 to 2). */
static long int_field(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;

    return n >= 0 && n <= LONG_MAX ? (long)n : -1;
}

static int bool_field(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : -1;
}

sg_rc sync_page_parse(const char *body, size_t len, sync_page *out, char *err,
                      size_t errlen)
{
    json_error_t je;

    memset(out, 0, sizeof *out);
    out->page_number = out->total_pages = -1;
    out->last_page = out->empty = -1;
    out->root = json_loadb(body, len, 0, &je);
    if (!out->root) {
        snprintf(err, errlen, "the page is not JSON: line %d column %d: %s", je.line,
                 je.column, je.text);
        return SG_EINVAL;
    }
    if (json_is_array(out->root)) {
        out->contents = out->root;
        return SG_OK;
    }
    out->contents = json_object_get(out->root, "contents");
    if (!json_is_object(out->root) || !json_is_array(out->contents)) {
        snprintf(err, errlen, "the page is not an HSDS Page: no \"contents\" array");
        sync_page_free(out);
        return SG_EINVAL;
    }
    out->page_number = int_field(out->root, "page_number");
    out->total_pages = int_field(out->root, "total_pages");
    out->last_page = bool_field(out->root, "last_page");
    out->empty = bool_field(out->root, "empty");
    return SG_OK;
}

void sync_page_free(sync_page *p)
{
    if (!p)
        return;
    json_decref(p->root);
    p->root = p->contents = NULL;
}

int sync_page_is_last(const sync_page *p, int requested, int per_page)
{
    size_t n = json_array_size(p->contents);

    if (n == 0 || p->empty == 1 || p->last_page == 1)
        return 1;
    if (p->last_page == 0)
        return 0;
    if (p->total_pages >= 0)
        return (p->page_number >= 0 ? p->page_number : requested) >= p->total_pages;
    /* No paging fields: a short page is the end; a full one may have more. */
    return n < (size_t)per_page;
}

/* ---- Retry-After and backoff ---- */

long sync_retry_after(const char *value, time_t now)
{
    char v[96];
    size_t n;
    time_t t;

    while (*value == ' ' || *value == '\t')
        value++;
    n = strlen(value);
    while (n > 0 && isspace((unsigned char)value[n - 1]))
        n--;
    if (n == 0 || n >= sizeof v)
        return -1;
    memcpy(v, value, n);
    v[n] = '\0';
    if (strspn(v, "0123456789") == n) {
        /* Delta-seconds; nine digits is already 31 years. */
        return n > 9 ? 999999999L : strtol(v, NULL, 10);
    }
    t = curl_getdate(v, NULL); /* IMF-fixdate, RFC 850 and asctime forms */
    if (t == (time_t)-1)
        return -1;
    return t > now ? (long)(t - now) : 0;
}

long sync_backoff_ms(int failed, long base_ms, long cap_ms, long retry_after_ms,
                     uint32_t rnd)
{
    long ceiling = base_ms > 0 ? base_ms : 0;
    long delay;

    assert(failed >= 1);
    for (int i = 1; i < failed && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms > 0 ? cap_ms : 0;
    delay = ceiling > 0 ? (long)(rnd % ((uint32_t)ceiling + 1u)) : 0;
    return retry_after_ms > delay ? retry_after_ms : delay;
}

sync_http_class sync_http_classify(long status)
{
    if (status >= 200 && status <= 299)
        return SYNC_HTTP_OK;
    if (status == 408 || status == 429 || (status >= 500 && status <= 599))
        return SYNC_HTTP_RETRY;
    return SYNC_HTTP_FAIL;
}

/* ---- timestamps ---- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly n digits at *p into *v and advances *p. */
static int digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

/* [T|t| ]HH:MM[:SS[.fff...]] into ms of the day. */
static int parse_clock(const char **p, int64_t *ms)
{
    int hh, mm, ss = 0, frac = 0, scale = 100;

    if (digits(p, 2, &hh) || *(*p)++ != ':' || digits(p, 2, &mm) || hh > 23 || mm > 59)
        return -1;
    if (**p == ':') {
        (*p)++;
        if (digits(p, 2, &ss) || ss > 60)
            return -1;
        if (**p == '.' || **p == ',') {
            (*p)++;
            if (!isdigit((unsigned char)**p))
                return -1;
            for (; isdigit((unsigned char)**p); (*p)++, scale /= 10)
                frac += (**p - '0') * scale;
        }
    }
    *ms = ((int64_t)hh * 3600 + mm * 60 + ss) * 1000 + frac;
    return 0;
}

/* Z, or +HH:MM / -HHMM / +HH, into ms east of UTC; nothing means UTC. */
static int parse_zone(const char **p, int64_t *offset)
{
    int sign, hh, mm = 0;

    *offset = 0;
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return 0;
    sign = *(*p)++ == '-' ? -1 : 1;
    if (digits(p, 2, &hh) || hh > 23)
        return -1;
    if (**p == ':')
        (*p)++;
    if (isdigit((unsigned char)**p) && (digits(p, 2, &mm) || mm > 59))
        return -1;
    *offset = sign * ((int64_t)hh * 60 + mm) * 60000;
    return 0;
}

/* Days in month m of year y (proleptic Gregorian): 2023-02-31 is no date. */
static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return days[m - 1] + (m == 2 && leap);
}

int sync_time_parse(const char *s, int64_t *ms)
{
    const char *p = s;
    int y, m, d;
    int64_t clock = 0, offset = 0;

    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &m) || *p++ != '-' ||
        digits(&p, 2, &d) || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return -1;
    if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
        p++;
        if (parse_clock(&p, &clock) || parse_zone(&p, &offset))
            return -1;
    }
    if (*p)
        return -1;
    *ms = days_from_civil(y, m, d) * 86400000 + clock - offset;
    return 0;
}

void sync_time_format(int64_t ms, char out[SYNC_TIME_LEN])
{
    int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    int64_t rem = ms - days * 86400000;
    /* civil_from_days, the inverse of days_from_civil */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);

    /* The moduli only tell the compiler the ranges it cannot see. */
    snprintf(out, SYNC_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
             (unsigned)(y < 0      ? 0
                        : y > 9999 ? 9999
                                   : y),
             (unsigned)m % 13u, (unsigned)d % 32u, (unsigned)(rem / 3600000) % 24u,
             (unsigned)(rem / 60000) % 60u, (unsigned)(rem / 1000) % 60u,
             (unsigned)rem % 1000u);
}

int64_t sync_next_mark(int64_t pass_started_ms, int64_t pass_max_ms, int64_t old_mark_ms,
                       int64_t margin_ms)
{
    if (pass_started_ms >= 0)
        return pass_started_ms > margin_ms ? pass_started_ms - margin_ms : 0;
    if (pass_max_ms >= 0)
        return pass_max_ms;
    return old_mark_ms;
}
