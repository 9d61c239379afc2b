/*
 * The staff listener's router.  It shares no route with the kiosk
 * listener: the patient screen can never reach what is served here.  For
 * now it carries the gateway webhooks and a health check; the console's
 * routes join it under /staff/.
 */
#include <string.h>

#include "http_internal.h"

MHD_RESULT http_staff(http_ctx *h)
{
    MHD_RESULT ret;

    if (!strncmp(h->url, "/hooks/", 7))
        return staff_hooks(h);
    if (!strncmp(h->url, "/staff/api/", 11))
        return staff_api(h);
    if (!strcmp(h->url, "/healthz"))
        return http_method_is(h, "GET", &ret)
                   ? http_json(h, MHD_HTTP_OK, "{\"status\":\"ok\",\"listener\":\"staff\"}")
                   : ret;
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL);
}
