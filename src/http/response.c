/*
 * Building responses.  Every answer carries the same strict security headers:
 * the kiosk page loads nothing but its own files, cannot be framed, and API
 * answers are never cached, since they hold a patient's result.
 */
#include <jansson.h>
#include <string.h>

#include "http_internal.h"

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'; object-src 'none'";

void http_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=(), payment=()");
}

MHD_RESULT http_json(http_ctx *h, unsigned status, const char *json)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), (void *)json,
                                                             MHD_RESPMEM_MUST_COPY);
    MHD_RESULT ret;

    if (!r)
        return MHD_NO;
    http_security_headers(r);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    ret = MHD_queue_response(h->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

MHD_RESULT http_error(http_ctx *h, unsigned status, const char *code, const char *message,
                      const char *field)
{
    json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    char *s;
    MHD_RESULT ret;

    if (e && field && *field)
        json_object_set_new(json_object_get(e, "error"), "field", json_string(field));
    s = e ? json_dumps(e, JSON_COMPACT) : NULL;
    json_decref(e);
    if (!s)
        return MHD_NO;
    ret = http_json(h, status, s);
    free(s);
    return ret;
}

MHD_RESULT http_no_content(http_ctx *h)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_RESULT ret;

    if (!r)
        return MHD_NO;
    http_security_headers(r);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    ret = MHD_queue_response(h->conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}
