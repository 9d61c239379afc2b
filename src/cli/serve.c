/*
 * `signpost serve`: load everything, listen, and wait for SIGTERM or SIGINT.
 * The signals are blocked in every thread and taken synchronously by the
 * main thread with sigtimedwait(), so shutdown runs in ordinary code: stop
 * accepting, finish the requests in flight, close the store.  Under
 * systemd (Type=notify) it says READY=1 once the kiosk listens, pings the
 * watchdog while the store answers, and says STOPPING=1 on a signal.
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/app.h"
#include "signpost/cli.h"
#include "signpost/followup_worker.h"
#include "signpost/http.h"
#include "signpost/log.h"
#include "signpost/notify.h"
#include "signpost/print_worker.h"
#include "signpost/statelock.h"
#include "signpost/sync.h"

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: signpost serve [--config FILE] [--listen ADDR:PORT] [--state-dir DIR]\n"
            "\n"
            "Runs the kiosk daemon.  Without --config, reads /etc/signpost/signpost.conf\n"
            "if it exists, or else runs the demo: bundled directory, simulated printer\n"
            "and SMS, state in $XDG_STATE_HOME/signpost or ./var.\n"
            "  --config FILE       the INI configuration file\n"
            "  --listen ADDR:PORT  kiosk listener ([kiosk] listen); port 0 picks a free port\n"
            "  --state-dir DIR     where the database lives ([store] dir)\n"
            "  --staff-listen ADDR:PORT  staff listener ([staff] listen)\n");
}

/* Starts the print worker when there is a printer, and says so to the screen. */
static sg_rc start_printing(sg_app *app, print_worker **w, char *err, size_t errlen)
{
    char *kiosk;
    sg_rc rc;

    if (!app->printing)
        return SG_OK;
    if ((rc = print_worker_start(app, w, err, errlen)))
        return rc;
    app->print_ctx = *w;
    app->print_kick = print_worker_kick;
    kiosk = app_kiosk_json(app); /* now with receipts available */
    if (!kiosk)
        return SG_ENOMEM;
    free(app->kiosk_json);
    app->kiosk_json = kiosk;
    return SG_OK;
}

/* Starts directory sync when [directory] sync_url is set; off by default. */
static sg_rc start_sync(const sg_app *app, sync_worker **w, char *err, size_t errlen)
{
    sync_opts o;
    sync_schedule s;

    if (!app->cfg->directory_sync_url[0])
        return SG_OK;
    sync_opts_from_config(&o, app->cfg, &app->map);
    sync_schedule_from_config(&s, app->cfg);
    return sync_worker_start(&o, &s, w, err, errlen);
}

/* Starts the outbox worker when texting is on. */
static sg_rc start_sms(sg_app *app, followup_worker **w, char *err, size_t errlen)
{
    char *kiosk;
    sg_rc rc;

    if (!app->sms_on)
        return SG_OK;
    if ((rc = followup_worker_start(app, w, err, errlen)))
        return rc;
    app->sms_ctx = *w;
    app->sms_kick = followup_worker_kick;
    kiosk = app_kiosk_json(app); /* now offering texts */
    if (!kiosk)
        return SG_ENOMEM;
    free(app->kiosk_json);
    app->kiosk_json = kiosk;
    return SG_OK;
}

/*
 * The staff listener: the console and the gateways' webhooks.  HTTPS
 * unless [staff] tls = off (allowed on loopback only, behind a local
 * proxy).
 */
static sg_rc start_staff(sg_app *app, tls_material *tls, sg_http **http, char *err,
                         size_t errlen)
{
    const sg_config *cfg = app->cfg;
    int tls_on = strcmp(cfg->staff_tls, "off") != 0, port = 0, configured;
    char addr[64];
    sg_rc rc;

    if (tls_on && (rc = tls_load_or_create(cfg->staff_tls_cert, cfg->staff_tls_key,
                                           cfg->store_dir, tls, err, errlen)))
        return rc;
    if ((rc = http_start_staff(app, tls_on ? tls : NULL, http, &port, err, errlen)))
        return rc;
    config_split_listen(cfg->staff_listen, addr, sizeof addr, &configured);
    sg_info("staff listening on %s://%s:%d/", tls_on ? "https" : "http", addr, port);
    if (tls_on)
        sg_info("staff certificate SHA-256 fingerprint %s%s", tls->fingerprint,
                tls->generated ? " (self-signed, made now)" : "");
    return SG_OK;
}

typedef struct {
    sg_http *kiosk, *staff;
    print_worker *printing;
    sync_worker *syncing;
    followup_worker *texting;
    tls_material tls;
} services;

/* Stops in the reverse order of starting; every stop accepts NULL. */
static void stop_all(services *sv)
{
    http_stop(sv->kiosk);
    http_stop(sv->staff);
    followup_worker_stop(sv->texting);
    sync_worker_stop(sv->syncing); /* before app_close: it uses the app's domain map */
    print_worker_stop(sv->printing);
    tls_material_free(&sv->tls);
}

/* Tells the log, the demo's user and systemd that the kiosk is up. */
static void announce(const sg_config *cfg, int port)
{
    char addr[64], status[128];
    int bind_port;

    config_split_listen(cfg->kiosk_listen, addr, sizeof addr, &bind_port);
    sg_info("signpost %s: %s; state in %s", SIGNPOST_VERSION,
            cfg->demo ? "demo defaults" : cfg->source, cfg->store_dir);
    sg_info("kiosk listening on http://%s:%d/", addr, port);
    if (cfg->demo)
        fprintf(stderr, "\n  signpost demo is running: open http://%s:%d/ in a browser."
                        "\n  Ctrl-C stops it.\n\n", addr, port);
    snprintf(status, sizeof status, "kiosk listening on http://%s:%d/", addr, port);
    notify_ready(status);
}

/*
 * One watchdog ping, sent only while the store answers a trivial query: a
 * daemon whose database is gone (a failing card, a lost mount) falls
 * silent, and systemd kills and restarts it after WatchdogSec.
 */
static void watchdog_ping(sg_app *app)
{
    int version;

    if (store_user_version(app->store, &version) == SG_OK)
        notify_watchdog();
    else
        sg_warn("store not answering: watchdog ping withheld");
}

/* Waits for SIGTERM or SIGINT; meanwhile pings systemd's watchdog every
 * half WatchdogSec when one is configured. */
static int wait_for_stop(sg_app *app, const sigset_t *stop)
{
    long ms = notify_watchdog_interval_ms();
    struct timespec ts;
    int sig = 0;

    if (ms <= 0) {
        sigwait(stop, &sig);
        return sig;
    }
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while ((sig = sigtimedwait(stop, NULL, &ts)) < 0)
        watchdog_ping(app); /* timed out (or EINTR): one early ping is harmless */
    return sig;
}

static int run(const sg_config *cfg)
{
    char err[512];
    sg_app *app = NULL;
    services sv;
    sigset_t stop;
    int sig, port = 0;

    memset(&sv, 0, sizeof sv);
    /* Held for the process's life: `signpost restore` refuses while it is,
     * and a second daemon on the same state cannot start. */
    if (statelock_acquire(cfg->store_dir, NULL, err, sizeof err) ||
        app_open(cfg, &app, err, sizeof err)) {
        sg_error("%s", err);
        return SG_EXIT_FAIL;
    }
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread starts */
    if (start_printing(app, &sv.printing, err, sizeof err) ||
        start_sync(app, &sv.syncing, err, sizeof err) ||
        start_sms(app, &sv.texting, err, sizeof err) ||
        start_staff(app, &sv.tls, &sv.staff, err, sizeof err) ||
        http_start(app, &sv.kiosk, &port, err, sizeof err)) {
        sg_error("%s", err);
        stop_all(&sv);
        app_close(app);
        return SG_EXIT_FAIL;
    }
    /* Start-up (a first import above all) leaves freed heap behind that
     * glibc would keep for good: give it back before the kiosk idles. */
    malloc_trim(0);
    announce(cfg, port);
    sig = wait_for_stop(app, &stop);
    notify_stopping();
    sg_info("%s received: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    stop_all(&sv);
    app_close(app);
    sg_info("stopped");
    return SG_EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"state-dir", required_argument, NULL, 's'},
        {"staff-listen", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *listen = NULL, *state = NULL, *staff = NULL;
    char err[256];
    sg_config *cfg;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:s:S:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'l': listen = optarg; break;
        case 's': state = optarg; break;
        case 'S': staff = optarg; break;
        case 'h': serve_usage(stdout); return SG_EXIT_OK;
        default: serve_usage(stderr); return SG_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "signpost serve: unexpected argument \"%s\"\n", argv[optind]);
        return SG_EXIT_USAGE;
    }
    cfg = malloc(sizeof *cfg); /* large: keep it off the stack */
    if (!cfg)
        return SG_EXIT_FAIL;
    rc = cli_load_config(cfg, config, state, listen);
    if (rc == SG_EXIT_OK && staff && config_set(cfg, "staff", "listen", staff, err, sizeof err)) {
        fprintf(stderr, "signpost serve: --staff-listen: %s\n", err);
        rc = SG_EXIT_USAGE;
    }
    if (rc == SG_EXIT_OK) {
        setenv("TZ", cfg->clinic_timezone, 1);
        tzset();
        signal(SIGPIPE, SIG_IGN);
        rc = run(cfg);
    }
    free(cfg);
    return rc;
}
