/*
 * Placeholder for the staff console's subs routes, replaced as they are built.
 */
#include "http_internal.h"

MHD_RESULT staff_subs(http_ctx *h)
{
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route", NULL);
}
