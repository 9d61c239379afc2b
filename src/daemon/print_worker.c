/*
 * The print worker (see print_worker.h).  The queue is the source of truth:
 * the thread holds no job in memory between steps, so a restart at any
 * point resumes from what the store says.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/log.h"
#include "signpost/print_worker.h"
#include "signpost/waiter.h"

#define POLL_MS 3000        /* how often a waiting queue re-checks the printer */
#define STATUS_TIMEOUT_MS 1500

struct print_worker {
    sg_app *app;
    pthread_t thread;
    sg_waiter waiter;
    atomic_int state;              /* printer_state, or -1 before the first look */
    /* A job whose outcome could not be stored (a full disk): retried before
       anything else prints, so it never stays "printing" until a restart. */
    int unrecorded;
    char unrecorded_id[SG_ID_LEN];
    char unrecorded_error[320];
    int unrecorded_failed; /* unrecorded_error holds the reason */
};

typedef enum { JOB_ENDED, PRINTER_NOT_READY } job_outcome;

static void set_state(print_worker *w, printer_state s)
{
    int old = atomic_exchange(&w->state, (int)s);
    if (old != (int)s)
        sg_info("printer: %s", printer_state_name(s));
}

static job_outcome not_ready(print_worker *w, const print_job *job, printer_state s,
                             const char *why)
{
    set_state(w, s);
    store_print_requeue(w->app->store, job->id, why);
    return PRINTER_NOT_READY;
}

/* Stores a job's end; on failure keeps it to store again on the next pass. */
static void finish(print_worker *w, const char *id, const char *error)
{
    if (store_print_finish(w->app->store, id, error) == SG_OK) {
        w->unrecorded = 0;
        return;
    }
    if (!w->unrecorded)
        sg_error("print job %s: could not record that it %s; will try again", id,
                 error ? "failed" : "printed");
    w->unrecorded = 1;
    w->unrecorded_failed = error != NULL;
    if (id != w->unrecorded_id)
        snprintf(w->unrecorded_id, sizeof w->unrecorded_id, "%s", id);
    if (error != w->unrecorded_error)
        snprintf(w->unrecorded_error, sizeof w->unrecorded_error, "%s", error ? error : "");
}

/* Sends one claimed job; bytes that went out are never sent again unasked. */
static job_outcome print_one(print_worker *w, const print_job *job)
{
    const sg_config *cfg = w->app->cfg;
    printer *pr = NULL;
    printer_state st = PRINTER_NO_ANSWER;
    char err[256], why[320];
    int timeout;
    sg_rc rc;

    if (printer_open(cfg, &w->app->profile, &pr, err, sizeof err))
        return not_ready(w, job, PRINTER_OFFLINE, err);
    if (printer_status(pr, &st, STATUS_TIMEOUT_MS) == SG_OK && !printer_state_can_print(st)) {
        printer_close(pr);
        return not_ready(w, job, st, printer_state_name(st));
    }
    set_state(w, st);
    timeout = (int)printer_write_floor_ms(pr, job->len) + cfg->printer_timeout_s * 1000;
    rc = printer_write(pr, job->payload, job->len, timeout);
    if (rc) {
        snprintf(why, sizeof why, "the printer stopped during printing (%s); reprint it",
                 printer_errmsg(pr));
        finish(w, job->id, why);
    } else if (printer_status(pr, &st, STATUS_TIMEOUT_MS) == SG_OK &&
               st == PRINTER_PAPER_OUT) {
        set_state(w, st);
        finish(w, job->id, "the paper ran out while printing; reprint it");
    } else {
        finish(w, job->id, NULL);
    }
    if (rc)
        sg_warn("print job %s: failed: %s", job->id, printer_errmsg(pr));
    else
        sg_info("print job %s: sent", job->id);
    printer_close(pr);
    return JOB_ENDED;
}

/* Prints queued jobs in order until the queue is empty or the printer balks. */
static void drain(print_worker *w)
{
    print_job job;
    int expired = 0;

    if (w->unrecorded) {
        finish(w, w->unrecorded_id, w->unrecorded_failed ? w->unrecorded_error : NULL);
        if (w->unrecorded)
            return; /* the disk is still full: nothing else can be recorded either */
        sg_info("print job %s: outcome recorded", w->unrecorded_id);
    }
    store_print_expire(w->app->store, w->app->cfg->printer_expire_min * 60, &expired);
    if (expired)
        sg_warn("print queue: %d receipts expired unprinted", expired);
    while (store_print_claim(w->app->store, &job) == SG_OK) {
        job_outcome out = print_one(w, &job);
        free(job.payload);
        if (out == PRINTER_NOT_READY || waiter_stopping(&w->waiter))
            break;
    }
}

static void *run(void *arg)
{
    print_worker *w = arg;
    while (!waiter_wait(&w->waiter, POLL_MS))
        drain(w);
    return NULL;
}

sg_rc print_worker_start(sg_app *app, print_worker **out, char *err, size_t errlen)
{
    print_worker *w = calloc(1, sizeof *w);
    int recovered = 0;

    *out = NULL;
    if (!w)
        return SG_ENOMEM;
    w->app = app;
    atomic_init(&w->state, -1);
    if (store_print_recover(app->store, &recovered)) {
        snprintf(err, errlen, "print queue: cannot recover interrupted jobs");
        free(w);
        return SG_EDB;
    }
    if (recovered)
        sg_warn("print queue: %d receipts were interrupted by a restart; marked failed",
                recovered);
    waiter_init(&w->waiter);
    waiter_kick(&w->waiter); /* jobs left queued by the last run print straight away */
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(err, errlen, "print queue: cannot start the worker thread");
        waiter_destroy(&w->waiter);
        free(w);
        return SG_ENOMEM;
    }
    *out = w;
    return SG_OK;
}

void print_worker_kick(void *ctx)
{
    waiter_kick(&((print_worker *)ctx)->waiter);
}

void print_worker_stop(print_worker *w)
{
    if (!w)
        return;
    waiter_stop(&w->waiter);
    pthread_join(w->thread, NULL);
    waiter_destroy(&w->waiter);
    free(w);
}

const char *print_worker_state(print_worker *w)
{
    int s = w ? atomic_load(&w->state) : -1;
    return s < 0 ? "unknown" : printer_state_name((printer_state)s);
}
