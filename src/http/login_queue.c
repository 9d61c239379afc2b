/*
 * The staff listener's password checks, one at a time, off the listener's
 * threads.
 *
 * An Argon2id check takes 64 MiB and a quarter to half a second.  Done in
 * the request handler it held a listener thread all that time: every other
 * connection of that thread waited, and under a burst of sign-ins
 * libmicrohttpd's idle timeout could close connections whose only fault
 * was the server's delay.  Done on several threads at once, each check
 * would take its own 64 MiB.  So the login handler suspends its
 * connection and queues a job here; one thread checks the jobs in order
 * and resumes each connection, whose handler then finishes the login.
 * A suspended connection is not timed out by libmicrohttpd, and the
 * listener's threads serve everyone else meanwhile.
 *
 * Bounds: the queue holds at most cap jobs (the listener's connection
 * limit, so a full queue means a flood); a job that waited longer than
 * LOGIN_WAIT_MAX_S is answered "busy" without a check, because its client
 * has most likely given up.  login_queue_stop() answers every job still
 * queued with "cancelled", so no connection stays suspended at shutdown.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "signpost/waiter.h"

#define LOGIN_WAIT_MAX_S 30

struct login_queue {
    pthread_mutex_t lock; /* ring, n, head, stop */
    pthread_cond_t more;
    login_job **ring;
    size_t cap, head, n;
    int stop;
    pthread_t worker;
};

/* Publishes the outcome, then hands the connection back: after the
 * resume the job belongs to the request again and must not be touched. */
static void finish(login_job *job, int state)
{
    atomic_store(&job->state, state);
    MHD_resume_connection(job->conn);
}

static void check(login_job *job)
{
    if (waiter_now_ms() - job->queued_ms > LOGIN_WAIT_MAX_S * 1000LL) {
        finish(job, LOGIN_JOB_BUSY);
        return;
    }
    if (staff_pw_verify(job->hash, job->pw) != SG_OK) {
        finish(job, LOGIN_JOB_BAD);
        return;
    }
    /* Proven: upgrade a hash made with older parameters while we are here. */
    if (job->want_rehash && staff_pw_hash(job->pw, job->fresh) != SG_OK)
        job->fresh[0] = '\0';
    finish(job, LOGIN_JOB_OK);
}

/* The next job, or NULL once stopping. */
static login_job *take(login_queue *q)
{
    login_job *job = NULL;

    pthread_mutex_lock(&q->lock);
    while (q->n == 0 && !q->stop)
        pthread_cond_wait(&q->more, &q->lock);
    if (!q->stop) {
        job = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
    pthread_mutex_unlock(&q->lock);
    return job;
}

static void *worker_main(void *arg)
{
    login_queue *q = arg;
    login_job *job;

    while ((job = take(q)) != NULL)
        check(job);
    return NULL;
}

sg_rc login_queue_start(size_t cap, login_queue **out)
{
    login_queue *q = calloc(1, sizeof *q);

    assert(cap > 0);
    if (!q || !(q->ring = calloc(cap, sizeof *q->ring))) {
        free(q);
        return SG_ENOMEM;
    }
    q->cap = cap;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->more, NULL);
    if (pthread_create(&q->worker, NULL, worker_main, q) != 0) {
        pthread_cond_destroy(&q->more);
        pthread_mutex_destroy(&q->lock);
        free(q->ring);
        free(q);
        return SG_EIO;
    }
    *out = q;
    return SG_OK;
}

/* Queues job and suspends its connection; -1 (nothing done) when full or
 * stopping.  Called from the connection's access handler. */
int login_queue_submit(login_queue *q, login_job *job)
{
    int ok;

    atomic_store(&job->state, LOGIN_JOB_QUEUED);
    job->queued_ms = waiter_now_ms();
    pthread_mutex_lock(&q->lock);
    ok = !q->stop && q->n < q->cap;
    if (ok) {
        /* Before the worker can see it: it may resume at once. */
        MHD_suspend_connection(job->conn);
        q->ring[(q->head + q->n) % q->cap] = job;
        q->n++;
        pthread_cond_signal(&q->more);
    }
    pthread_mutex_unlock(&q->lock);
    return ok ? 0 : -1;
}

/* Stops the worker after its current check and cancels what is queued. */
void login_queue_stop(login_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_signal(&q->more);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->worker, NULL);
    for (; q->n > 0; q->n--) {
        finish(q->ring[q->head], LOGIN_JOB_CANCELLED);
        q->head = (q->head + 1) % q->cap;
    }
    pthread_cond_destroy(&q->more);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}
