/*
 * The outbox worker (see followup_worker.h).  The store is the source of
 * truth: the thread keeps no text in memory between steps, and the plain
 * number and body exist only while one attempt is in hand, then are wiped.
 * A restart at any point resumes from what the outbox says.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/followup.h"
#include "signpost/followup_worker.h"
#include "signpost/log.h"
#include "signpost/url.h"
#include "signpost/waiter.h"

#define IDLE_WAIT_S 60         /* look at the clock at least this often */
#define BURST 32               /* texts per pass before looking at the rest */
#define TWILIO_MAX_VALIDITY_S 36000

struct followup_worker {
    sg_app *app;
    sms_gateway *gw;
    pthread_t thread;
    sg_waiter waiter;
    atomic_int retrying;
    time_t next_reconcile, next_poll, poll_since;
    time_t pause_until; /* the gateway said 429: nothing goes out before this */
    int unrecorded;     /* an attempt's end could not be stored: still "sending" */
};

typedef struct {
    char to[SMS_E164_LEN + 8];
    char body[1700];
} plain_text;

static void end(followup_worker *w, const outbox_row *r, outbox_state to, time_t due,
                const char *outcome, const gw_result *g, const char *error)
{
    outbox_end e = {to, due, g ? g->message_id : NULL, outcome, g ? g->http_status : 0,
                    g ? g->error_code : 0, error};
    if (store_sms_end(w->app->store, r->id, &e)) {
        sg_error("sms: text %s: could not record the attempt", r->id);
        w->unrecorded = 1;
    }
}

/* Reminders only go out inside quiet hours and within the caps; returns
 * the time this one may go (now, or later). */
static time_t allowed_at(followup_worker *w, const outbox_row *r, time_t now)
{
    time_t taken[64];
    int n = 0, self = -1;

    if (r->kind != OUTK_REMINDER)
        return now; /* asked for by the patient just now, or an answer to them */
    if (store_sms_taken(w->app->store, r->phone_hash, now - 8 * 86400, now + 8 * 86400,
                        taken, 64, &n))
        return now + 60;
    for (int i = 0; i < n && self < 0; i++)
        if (taken[i] == r->due_at)
            self = i; /* this text is in the list: it must not count against itself */
    if (self >= 0)
        taken[self] = taken[--n];
    return sms_next_slot(&w->app->policy, now, taken, n);
}

static int open_text(followup_worker *w, const outbox_row *r, plain_text *p)
{
    const sms_vault *v = w->app->vault;
    return vault_unseal(v, r->phone_box, r->phone_box_len, p->to, sizeof p->to) == SG_OK &&
           vault_unseal(v, r->body_box, r->body_box_len, p->body, sizeof p->body) == SG_OK;
}

/* The delivery-report URL for this text, or "" when gateways cannot reach us. */
static void callback_url(followup_worker *w, const outbox_row *r, char *out, size_t outlen)
{
    const sg_config *cfg = w->app->cfg;
    char key[3 * sizeof w->app->hook_secret];
    int n = 0;

    out[0] = '\0';
    if (!cfg->sms_public_url[0])
        return;
    if (strcmp(cfg->sms_gateway, "twilio") == 0) {
        n = snprintf(out, outlen, "%s/hooks/twilio/status", cfg->sms_public_url);
    } else if (strcmp(cfg->sms_gateway, "kannel") == 0) {
        /* Kannel calls back with no signature: the shared secret proves it. */
        if (url_escape(w->app->hook_secret, key, sizeof key) == SG_OK)
            n = snprintf(out, outlen, "%s/hooks/kannel/dlr?key=%s&id=%s&type=%%d",
                         cfg->sms_public_url, key, r->id);
        sodium_memzero(key, sizeof key);
    }
    if (n < 0 || (size_t)n >= outlen)
        out[0] = '\0'; /* a cut URL would send reports nowhere: better none */
}

/* Maps the gateway's answer onto the outbox. */
static void record(followup_worker *w, const outbox_row *r, const gw_result *g, time_t now)
{
    const sg_config *cfg = w->app->cfg;
    char why[256];
    int wait;

    atomic_store(&w->retrying, g->outcome == GW_RETRY);
    switch (g->outcome) {
    case GW_SENT:
        end(w, r, OUT_SENT, 0, "sent", g, NULL);
        break;
    case GW_RETRY:
        if (g->http_status == 429) {
            /* "Too many requests": the text was fine, the pace was not.  It
             * keeps its attempts, and the whole queue waits, so a gateway's
             * rate limit slows the outbox instead of failing texts. */
            wait = g->retry_after_s > 0 ? g->retry_after_s : cfg->sms_retry_base_s;
            w->pause_until = now + wait;
            end(w, r, OUT_SCHEDULED, now + wait, "throttled", g, g->reason);
            break;
        }
        if (r->attempts >= cfg->sms_max_attempts) {
            snprintf(why, sizeof why, "gave up after %d attempts: %s", r->attempts, g->reason);
            end(w, r, OUT_FAILED, 0, "failed", g, why);
            break;
        }
        wait = sms_backoff_s(r->attempts, cfg->sms_retry_base_s, cfg->sms_retry_cap_s,
                             g->retry_after_s, randombytes_random());
        end(w, r, OUT_SCHEDULED, now + wait, "retry", g, g->reason);
        break;
    case GW_OPTED_OUT:
        store_sms_carrier_optout(w->app->store, r->phone_hash);
        end(w, r, OUT_FAILED, 0, "opted_out", g, "the number opted out with the carrier");
        break;
    case GW_FAILED:
        end(w, r, OUT_FAILED, 0, "failed", g, g->reason);
        break;
    case GW_UNKNOWN:
        snprintf(why, sizeof why, "may have been sent: %s", g->reason);
        end(w, r, OUT_UNKNOWN, 0, "unknown", g, why);
        break;
    }
    sg_info("sms: text %s (%s): %s", r->id, outbox_kind_name(r->kind),
            g->outcome == GW_SENT ? "sent" : g->reason);
}

static void send_one(followup_worker *w, const outbox_row *r, time_t now)
{
    char cb[SG_CFG_LONG + 128];
    plain_text p;
    gw_result g;
    time_t when = allowed_at(w, r, now);
    long left = (long)(r->expires_at - now);

    if (when == (time_t)-1) {
        end(w, r, OUT_FAILED, 0, "failed", NULL, "no time within the text caps");
        return;
    }
    if (when > now) {
        end(w, r, OUT_SCHEDULED, when, "deferred", NULL, NULL);
        return;
    }
    if (!open_text(w, r, &p)) {
        end(w, r, OUT_FAILED, 0, "failed", NULL, "cannot open the sealed text (wrong key file?)");
        return;
    }
    callback_url(w, r, cb, sizeof cb);
    gw_send(w->gw, &(gw_message){r->id, p.to, p.body,
                                 (int)(left > TWILIO_MAX_VALIDITY_S ? TWILIO_MAX_VALIDITY_S
                                                                    : left > 1 ? left : 1),
                                 cb[0] ? cb : NULL},
            &g);
    sodium_memzero(&p, sizeof p);
    record(w, r, &g, now);
}

/* After an unknown outcome: did it go out?  Only the gateway can say. */
static void reconcile_one(void *ctx, outbox_row *r)
{
    followup_worker *w = ctx;
    time_t now = time(NULL);
    plain_text p;
    gw_result g;
    int found;

    /* Give the gateway's own message list time to catch up first. */
    if (r->updated_at > now - w->app->cfg->sms_reconcile_after_s || !open_text(w, r, &p))
        return;
    memset(&g, 0, sizeof g);
    found = gw_reconcile(w->gw, &(gw_message){r->id, p.to, p.body, 0, NULL},
                         r->updated_at - 600, &g);
    sodium_memzero(&p, sizeof p);
    if (found == 1)
        end(w, r, OUT_SENT, 0, "reconciled", &g, NULL);
    else if (found == 0)
        end(w, r, OUT_SCHEDULED, now, "reconciled", NULL, "the gateway has no record of it");
    if (found >= 0)
        sg_info("sms: text %s reconciled: %s", r->id, found ? "it was sent" : "not sent, queued again");
}

static int on_inbound(void *ctx, const gw_inbound *in)
{
    followup_worker *w = ctx;
    int dup = 0;
    return followup_reply(w->app, in, &dup) == SG_OK ? 0 : 1;
}

/* The periodic chores: expiry, reconciliation, polling for replies. */
static void chores(followup_worker *w, time_t now)
{
    int n = 0;

    /* This thread is the only sender and sends nothing now, so a row still
     * "sending" is one whose end could not be stored (a full disk, say):
     * settle it as a restart would, by asking the gateway, never by
     * sending it again blindly. */
    if (w->unrecorded && store_sms_recover(w->app->store, &n) == SG_OK) {
        w->unrecorded = 0;
        if (n)
            sg_warn("sms: %d texts whose outcome could not be stored are now unknown; "
                    "they will be checked with the gateway", n);
        n = 0;
    }

    if (store_sms_expire(w->app->store, now, &n) == SG_OK && n)
        sg_warn("sms: %d texts expired unsent (shown to staff)", n);
    if (now >= w->next_reconcile) {
        store_sms_unknown(w->app->store, now, 16, reconcile_one, w);
        w->next_reconcile = now + w->app->cfg->sms_reconcile_after_s;
    }
    if (w->app->cfg->twilio_poll_s && now >= w->next_poll) {
        sg_rc rc = gw_poll_inbound(w->gw, &w->poll_since, on_inbound, w);
        if (rc && rc != SG_ENOTFOUND)
            sg_warn("sms: polling for replies failed: %s", sg_strerror(rc));
        w->next_poll = now + w->app->cfg->twilio_poll_s;
    }
}

/* Sends what is due, BURST at most, then says how long to sleep (ms). */
static long pass(followup_worker *w)
{
    time_t now = time(NULL), due;
    outbox_row r;
    long wait;

    chores(w, now);
    for (int i = 0; i < BURST && !waiter_stopping(&w->waiter); i++) {
        if (time(NULL) < w->pause_until ||
            store_sms_claim(w->app->store, time(NULL), &r) != SG_OK)
            break;
        send_one(w, &r, time(NULL));
        outbox_row_clear(&r);
    }
    now = time(NULL);
    wait = IDLE_WAIT_S;
    if (store_sms_next_due(w->app->store, &due) == SG_OK)
        wait = due <= now ? 0 : due - now < wait ? (long)(due - now) : wait;
    if (w->next_reconcile - now < wait)
        wait = w->next_reconcile > now ? (long)(w->next_reconcile - now) : 0;
    if (w->pause_until > now && w->pause_until - now > wait)
        wait = (long)(w->pause_until - now);
    return wait * 1000 + (wait == 0 ? 50 : 0); /* never spin on a row that keeps failing */
}

static void *run(void *arg)
{
    followup_worker *w = arg;
    long ms = 0;
    while (!waiter_wait(&w->waiter, ms))
        ms = pass(w);
    return NULL;
}

static time_t poll_start(const sg_app *app)
{
    return time(NULL) - (time_t)app->cfg->twilio_poll_s * 2; /* overlap: replies are de-duplicated */
}

sg_rc followup_worker_start(sg_app *app, followup_worker **out, char *err, size_t errlen)
{
    followup_worker *w = calloc(1, sizeof *w);
    int recovered = 0;
    sg_rc rc;

    *out = NULL;
    if (!w)
        return SG_ENOMEM;
    w->app = app;
    w->poll_since = poll_start(app);
    if ((rc = gw_open(app->cfg, &w->gw, err, errlen)))
        goto fail;
    if ((rc = store_sms_recover(app->store, &recovered))) {
        snprintf(err, errlen, "sms outbox: cannot recover interrupted texts");
        goto fail;
    }
    if (recovered)
        sg_warn("sms: %d texts were being sent when the kiosk stopped; they will be "
                "checked with the gateway, not sent again blindly", recovered);
    waiter_init(&w->waiter);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(err, errlen, "sms outbox: cannot start the worker thread");
        waiter_destroy(&w->waiter);
        rc = SG_ENOMEM;
        goto fail;
    }
    sg_info("sms: outbox worker started (gateway %s)", gw_name(w->gw));
    *out = w;
    return SG_OK;
fail:
    gw_close(w->gw);
    free(w);
    return rc;
}

void followup_worker_kick(void *ctx)
{
    waiter_kick(&((followup_worker *)ctx)->waiter);
}

void followup_worker_stop(followup_worker *w)
{
    if (!w)
        return;
    waiter_stop(&w->waiter);
    pthread_join(w->thread, NULL);
    waiter_destroy(&w->waiter);
    gw_close(w->gw);
    free(w);
}

const char *followup_worker_state(followup_worker *w)
{
    if (!w)
        return "off";
    return atomic_load(&w->retrying) ? "retrying" : "ok";
}
