/*
 * The staff listener's router.  It shares no route with the kiosk
 * listener: the patient screen can never reach what is served here.  It
 * carries the gateway webhooks, a health check, the console's files under
 * /staff/ and its API under /staff/api/v1/, split into route groups by
 * prefix so each group's file owns its paths.
 */
#include <string.h>

#include "http_internal.h"

#define API "/staff/api/v1/"

/* True when url is prefix itself or continues it with '/' or '?'. */
static int under(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(url, prefix, n) && (url[n] == '\0' || url[n] == '/');
}

static MHD_RESULT staff_api_group(http_ctx *h)
{
    static const struct {
        const char *prefix;
        MHD_RESULT (*fn)(http_ctx *h);
    } groups[] = {
        {API "submissions", staff_subs}, {API "referrals", staff_subs},
        {API "follow-up", staff_follow_up}, {API "staff", staff_accounts},
        {API "resources", staff_resources}, {API "reports", staff_reports},
        {API "export", staff_export},
    };

    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (under(h->url, groups[i].prefix))
            return groups[i].fn(h);
    return staff_api(h); /* login, logout, me, audit; 404 for the rest */
}

MHD_RESULT http_staff(http_ctx *h)
{
    MHD_RESULT ret;

    if (!strncmp(h->url, "/hooks/", 7))
        return staff_hooks(h);
    if (!strncmp(h->url, "/staff/api/", 11))
        return staff_api_group(h);
    if (!strcmp(h->url, "/healthz"))
        return http_method_is(h, "GET", &ret)
                   ? http_json(h, MHD_HTTP_OK, "{\"status\":\"ok\",\"listener\":\"staff\"}")
                   : ret;
    return http_static_staff(h);
}
