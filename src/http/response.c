/*
 * Building responses.  Every answer carries the same strict security headers:
 * the kiosk page loads nothing but its own files, cannot be framed, and API
 * answers are never cached, since they hold a patient's result.
 */
#include <jansson.h>
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'; object-src 'none'";

void http_security_headers(const http_ctx *h, struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=(), payment=()");
    /* Only with the clinic's own certificate: with the self-signed default
     * it would leave a browser no way past the certificate warning. */
    if (h->hsts)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

/* Queues r with the headers every answer needs (and destroys r), so the
 * routes that build their own response (a download, a Set-Cookie) still
 * carry the same security and no-cache headers as the rest. */
MHD_RESULT http_queue(http_ctx *h, unsigned status, struct MHD_Response *r)
{
    MHD_RESULT ret;

    http_security_headers(h, r);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (h->closing)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(h->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static MHD_RESULT send_json(http_ctx *h, unsigned status, const char *json, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), (void *)json,
                                                             MHD_RESPMEM_MUST_COPY);

    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    if (allow)
        MHD_add_response_header(r, "Allow", allow);
    return http_queue(h, status, r);
}

MHD_RESULT http_json(http_ctx *h, unsigned status, const char *json)
{
    return send_json(h, status, json, NULL);
}

/* One JSON encoding for every route that answers with an object. */
MHD_RESULT http_send_json(http_ctx *h, unsigned status, json_t *o)
{
    char *s = o ? json_dumps(o, SG_JSON_DUMP) : NULL;
    MHD_RESULT ret = s ? http_json(h, status, s) : MHD_NO;

    free(s);
    json_decref(o);
    return ret;
}

/* The console's routes all say the same when the database refuses, so a
 * client (and its retry logic) sees one code and one message. */
MHD_RESULT http_store_unavailable(http_ctx *h)
{
    return http_error(h, MHD_HTTP_SERVICE_UNAVAILABLE, "store_unavailable",
                      "the database is busy; try again", NULL);
}

static char *error_json(const char *code, const char *message, const char *field)
{
    json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    char *s;

    if (e && field && *field)
        json_object_set_new(json_object_get(e, "error"), "field", json_string(field));
    s = e ? json_dumps(e, SG_JSON_DUMP) : NULL;
    json_decref(e);
    return s;
}

MHD_RESULT http_error(http_ctx *h, unsigned status, const char *code, const char *message,
                      const char *field)
{
    char *s = error_json(code, message, field);
    MHD_RESULT ret = s ? send_json(h, status, s, NULL) : MHD_NO;
    free(s);
    return ret;
}

MHD_RESULT http_method_not_allowed(http_ctx *h, const char *allow)
{
    char *s = error_json("method_not_allowed", "that method is not allowed on this path", NULL);
    MHD_RESULT ret = s ? send_json(h, MHD_HTTP_METHOD_NOT_ALLOWED, s, allow) : MHD_NO;
    free(s);
    return ret;
}

MHD_RESULT http_no_content(http_ctx *h)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    return r ? http_queue(h, MHD_HTTP_NO_CONTENT, r) : MHD_NO;
}

MHD_RESULT http_text(http_ctx *h, unsigned status, const char *type, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    return http_queue(h, status, r);
}

/* 303 to a path on this listener (never a URL taken from the request). */
MHD_RESULT http_redirect(http_ctx *h, const char *path)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Location", path);
    return http_queue(h, MHD_HTTP_SEE_OTHER, r);
}

json_t *http_json_text(const char *s)
{
    json_t *v = s && *s ? json_string(s) : NULL;
    return v ? v : json_null();
}

json_t *http_json_time(time_t t)
{
    char out[32];
    struct tm tm;

    if (t <= 0)
        return json_null();
    gmtime_r(&t, &tm);
    strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(out);
}

int http_query_limit(http_ctx *h, int dflt, int max)
{
    const char *v = MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, "limit");
    char *end;
    long n;

    if (!v)
        return dflt;
    n = strtol(v, &end, 10);
    return end == v || *end || n < 1 || n > max ? -1 : (int)n;
}
