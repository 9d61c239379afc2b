/*
 * The daemon's directory sync thread (sync.h).  It sleeps on a condition
 * variable between runs, so sync_worker_stop() wakes it at once, and the
 * same wait serves the run's backoff and its transfers' stop checks.  It
 * shares nothing with request threads but the atomic rename of
 * directory.db, which the directory reader follows on its own; it lowers
 * its own CPU priority so that an import on a small Pi never slows the
 * kiosk.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "signpost/log.h"
#include "signpost/waiter.h"
#include "sync_internal.h"

#define NICE 10

struct sync_worker {
    sync_opts opts; /* with pause = wait_or_stop */
    sync_schedule sched;
    pthread_t thread;
    sg_waiter waiter;
    pthread_mutex_t lock; /* guards status */
    sync_status status;
};

void sync_schedule_from_config(sync_schedule *s, const sg_config *cfg)
{
    long interval = (long)cfg->sync_interval_min * 60000L;

    s->first_delay_ms = 20000; /* let the kiosk come up first */
    s->interval_ms = interval;
    s->retry_ms = interval < 900000L ? interval : 900000L; /* 15 min at most */
    s->continue_ms = 60000; /* the rest of a long listing, soon */
}

/* The pause hook: waits up to ms unless told to stop; 1 when stopping. */
static int wait_or_stop(void *ctx, long ms)
{
    sync_worker *w = ctx;
    return ms > 0 ? waiter_wait(&w->waiter, ms) : waiter_stopping(&w->waiter);
}

/* One run; returns how long to wait before the next. */
static long run_once(sync_worker *w)
{
    sync_summary sum;
    char err[512], line[256];
    sg_rc rc = sync_run(&w->opts, &sum, err, sizeof err);

    pthread_mutex_lock(&w->lock);
    w->status.runs++;
    w->status.failures += rc != SG_OK;
    w->status.last_rc = rc;
    w->status.last = sum;
    pthread_mutex_unlock(&w->lock);
    if (rc) {
        if (strcmp(err, "stopped") != 0)
            sg_warn("sync: %s (%s); the live directory is unchanged", err,
                    sg_strerror(rc));
        return w->sched.retry_ms;
    }
    sync_summary_line(&sum, line, sizeof line);
    sg_info("%s", line);
    return sum.complete ? w->sched.interval_ms : w->sched.continue_ms;
}

static void *run(void *arg)
{
    sync_worker *w = arg;
    long wait = w->sched.first_delay_ms;

#ifdef SYS_gettid
    /* Linux: a thread's nice value is its own, so this leaves requests be. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), NICE) != 0)
        sg_debug("sync: cannot lower the worker's priority");
#endif
    while (!wait_or_stop(w, wait))
        wait = run_once(w);
    return NULL;
}

sg_rc sync_worker_start(const sync_opts *o, const sync_schedule *s, sync_worker **out,
                        char *err, size_t errlen)
{
    sync_worker *w;
    char shown[512];
    sg_rc rc;

    *out = NULL;
    if ((rc = sync_global_init())) {
        snprintf(err, errlen, "sync: cannot initialise libcurl");
        return rc;
    }
    if (!(w = calloc(1, sizeof *w)))
        return SG_ENOMEM;
    w->opts = *o;
    w->opts.pause = wait_or_stop;
    w->opts.pause_ctx = w;
    w->sched = *s;
    pthread_mutex_init(&w->lock, NULL);
    waiter_init(&w->waiter);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(err, errlen, "sync: cannot start the worker thread");
        waiter_destroy(&w->waiter);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return SG_ENOMEM;
    }
    sync_url_display(o->base_url, shown, sizeof shown);
    sg_info("sync: from %s every %ld min", shown, s->interval_ms / 60000);
    *out = w;
    return SG_OK;
}

void sync_worker_stop(sync_worker *w)
{
    if (!w)
        return;
    waiter_stop(&w->waiter);
    pthread_join(w->thread, NULL);
    waiter_destroy(&w->waiter);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void sync_worker_status(sync_worker *w, sync_status *out)
{
    memset(out, 0, sizeof *out);
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    *out = w->status;
    pthread_mutex_unlock(&w->lock);
}
