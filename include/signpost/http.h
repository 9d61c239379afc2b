/*
 * The kiosk HTTP listener (libmicrohttpd): static files from kiosk-ui/ and
 * the kiosk API v1.  Connection count, request body size and idle time are
 * all capped from the configuration.  http_stop() stops accepting, lets the
 * requests in flight finish (bounded wait) and then shuts the daemon down.
 */
#ifndef SIGNPOST_HTTP_H
#define SIGNPOST_HTTP_H

#include "signpost/app.h"
#include "signpost/result.h"
#include "signpost/tls.h"

typedef struct sg_http sg_http;

/* Starts listening on cfg->kiosk_listen; *port gets the port actually bound. */
sg_rc http_start(sg_app *app, sg_http **out, int *port, char *err, size_t errlen);
/* Starts the staff listener on cfg->staff_listen: HTTPS with tls, or plain
 * HTTP when tls is NULL ([staff] tls = off, loopback only). */
sg_rc http_start_staff(sg_app *app, const tls_material *tls, sg_http **out, int *port,
                       char *err, size_t errlen);
void http_stop(sg_http *h);

#endif
