/*
 * Both listeners: libmicrohttpd in thread-pool mode, the kiosk's on the
 * configured address (127.0.0.1 by default, since only the kiosk's own
 * browser should reach it) and the staff console's.  This file owns the
 * plumbing: collecting a capped request body, the deadline on receiving it
 * (deadline.c), dispatching to the static, kiosk or staff handlers, and a
 * graceful stop that finishes the requests already in flight.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_internal.h"
#include "signpost/http.h"
#include "signpost/log.h"

#define DRAIN_WAIT_MS 10000
#define STAFF_PER_IP 16 /* connections one address may hold on the staff listener */

struct sg_http {
    struct MHD_Daemon *daemon;
    http_deadline *deadline; /* cuts off clients too slow to send a request */
    login_queue *logins;     /* staff listener: password checks off its threads */
    sg_app *app;
    atomic_int in_flight; /* requests begun and not yet completed */
    atomic_int stopping;  /* set by http_stop(): refuse new requests, close connections */
    int staff;            /* 1: the staff listener (webhooks, console) */
    int hsts;             /* HTTPS with a certificate from [staff] tls_cert */
};

static MHD_RESULT dispatch(http_ctx *h, int staff)
{
    if (h->req->too_big)
        return http_error(h, 413, "body_too_large",
                          "the request body is larger than this kiosk accepts", NULL);
    /* The two listeners share no route: the kiosk can never reach staff ones. */
    if (staff)
        return http_staff(h);
    if (strcmp(h->url, "/healthz") == 0 || strncmp(h->url, "/api/", 5) == 0)
        return http_kiosk_api(h);
    return http_static(h);
}

/* True when the request's Content-Length is over cap bytes. */
static int declared_too_big(struct MHD_Connection *conn, size_t cap)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long n;
    char *end;

    if (!v)
        return 0;
    errno = 0;
    n = strtoull(v, &end, 10);
    return end != v && (errno == ERANGE || n > cap);
}

/* Collects the body in bounded pieces; answers once it is complete. */
static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version,
                             const char *upload_data, size_t *upload_data_size,
                             void **con_cls)
{
    sg_http *srv = cls;
    http_request *req = *con_cls;
    http_ctx h = {srv->app, conn, method, url, req, atomic_load(&srv->stopping), srv->hsts,
                  srv->logins};
    (void)version;

    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        sg_buf_init(&req->body, (size_t)srv->app->cfg->max_body_kb * 1024);
        *con_cls = req;
        atomic_fetch_add(&srv->in_flight, 1);
        /*
         * Once stopping, a kept-alive connection may still send a request:
         * refuse it before reading its body, so nothing new is stored that
         * the client might never hear about.
         */
        if (h.closing) {
            h.req = req;
            return http_error(&h, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting_down",
                              "the kiosk is restarting; try again in a moment", NULL);
        }
        if (declared_too_big(conn, req->body.cap)) {
            /* Said so up front: answer now and close, rather than read a
             * body we would throw away (or wait for one that never comes). */
            h.req = req;
            h.closing = 1;
            return http_error(&h, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large",
                              "the request body is larger than this kiosk accepts", NULL);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!req->too_big && sg_buf_add(&req->body, upload_data, *upload_data_size)) {
            req->too_big = 1;
            sg_buf_free(&req->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    http_deadline_received(conn);
    return dispatch(&h, srv->staff);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    sg_http *srv = cls;
    http_request *req = *con_cls;
    (void)toe;

    http_deadline_answered(conn);
    if (!req)
        return;
    if (req->pending_free)
        req->pending_free(req->pending);
    sg_buf_free(&req->body);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    sg_warn("http: %s", msg);
}

static sg_rc bind_address(const char *listen, const char *key, struct sockaddr_in *sa,
                          char *err, size_t errlen)
{
    char addr[64];
    int port;

    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (config_split_listen(listen, addr, sizeof addr, &port) ||
        inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
        snprintf(err, errlen, "%s: bad address \"%s\"", key, listen);
        return SG_EINVAL;
    }
    sa->sin_port = htons((uint16_t)port);
    return SG_OK;
}

/*
 * Staff browsers come from the LAN: there one host (a slow or hostile
 * client) may not hold every connection.  On loopback every client shares
 * one address (the kiosk's own browser, or a reverse proxy in front of the
 * staff listener), so the cap is the listener's whole limit.
 */
static unsigned per_ip_limit(const sg_http *srv, const struct sockaddr_in *sa)
{
    unsigned all = srv->app->cfg->max_connections;
    int loopback = (ntohl(sa->sin_addr.s_addr) >> 24) == 127;

    return srv->staff && !loopback && all > STAFF_PER_IP ? STAFF_PER_IP : all;
}

/* The options both listeners share, plus the certificate for TLS. */
static void fill_options(struct MHD_OptionItem *o, sg_http *srv, struct sockaddr_in *sa,
                         const tls_material *tls)
{
    const sg_config *cfg = srv->app->cfg;
    size_t n = 0;

#define OPT(opt, val, ptr) o[n++] = (struct MHD_OptionItem){opt, (intptr_t)(val), ptr}
    /* Two-argument options: the function goes in value, its closure in ptr. */
    OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL);
    OPT(MHD_OPTION_SOCK_ADDR, 0, sa);
    /* A pool on the staff listener too: a sign-in's Argon2id hash holds its
     * thread for a fraction of a second, and the console must go on. */
    OPT(MHD_OPTION_THREAD_POOL_SIZE, srv->staff ? cfg->staff_threads : cfg->threads, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL);
    OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit(srv, sa), NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, cfg->request_timeout_s, NULL);
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv);
    OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)http_deadline_notify, srv->deadline);
    if (tls) {
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key_pem);
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert_pem);
        /* GnuTLS's NORMAL still offers TLS 1.0 and 1.1 (deprecated, RFC 8996):
         * every browser a clinic runs speaks 1.2 or 1.3. */
        OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
}

static sg_rc start(sg_app *app, int staff, const tls_material *tls, sg_http **out, int *port,
                   char *err, size_t errlen)
{
    const char *listen = staff ? app->cfg->staff_listen : app->cfg->kiosk_listen;
    const char *key = staff ? "[staff] listen" : "[kiosk] listen";
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_POLL |
                     MHD_USE_ITC | (tls ? MHD_USE_TLS : 0) |
                     (staff ? MHD_ALLOW_SUSPEND_RESUME : 0); /* logins wait suspended */
    struct MHD_OptionItem opts[16];
    const union MHD_DaemonInfo *info;
    struct sockaddr_in sa;
    sg_http *srv;
    sg_rc rc;

    if ((rc = bind_address(listen, key, &sa, err, errlen)))
        return rc;
    if (!(srv = calloc(1, sizeof *srv)))
        return SG_ENOMEM;
    srv->app = app;
    srv->staff = staff;
    srv->hsts = staff && tls && app->cfg->staff_tls_cert[0];
    if ((rc = http_deadline_start(app->cfg->request_deadline_s, staff ? "staff" : "kiosk",
                                  &srv->deadline)) ||
        (staff && (rc = login_queue_start((size_t)app->cfg->max_connections, &srv->logins)))) {
        snprintf(err, errlen, "%s: cannot start the listener's helper threads", key);
        http_deadline_stop(srv->deadline);
        free(srv);
        return rc;
    }
    fill_options(opts, srv, &sa, tls);
    srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY,
                                   opts, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "%s: cannot listen on %s (in use, or not allowed?)", key, listen);
        login_queue_stop(srv->logins);
        http_deadline_stop(srv->deadline);
        free(srv);
        return SG_EIO;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    *out = srv;
    return SG_OK;
}

sg_rc http_start(sg_app *app, sg_http **out, int *port, char *err, size_t errlen)
{
    return start(app, 0, NULL, out, port, err, errlen);
}

sg_rc http_start_staff(sg_app *app, const tls_material *tls, sg_http **out, int *port,
                       char *err, size_t errlen)
{
    return start(app, 1, tls, out, port, err, errlen);
}

void http_stop(sg_http *srv)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    int waited = 0;

    if (!srv)
        return;
    /* Stop accepting, then give requests already being served time to finish. */
    atomic_store(&srv->stopping, 1);
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    while (atomic_load(&srv->in_flight) > 0 && waited < DRAIN_WAIT_MS) {
        nanosleep(&pause, NULL);
        waited += 20;
    }
    if (atomic_load(&srv->in_flight) > 0)
        sg_warn("http: stopping with %d requests unfinished", atomic_load(&srv->in_flight));
    /* Resumes every login still waiting, so none is left suspended. */
    login_queue_stop(srv->logins);
    MHD_stop_daemon(srv->daemon);
    http_deadline_stop(srv->deadline); /* every connection is closed now */
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(srv);
}
