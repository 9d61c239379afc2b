/*
 * The bounded, kickable sleep of background workers (see waiter.h).
 */
#include <time.h>

#include "signpost/waiter.h"

void waiter_init(sg_waiter *w)
{
    pthread_condattr_t attr;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    w->kicked = w->stop = 0;
}

void waiter_destroy(sg_waiter *w)
{
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
}

static void set_flag(sg_waiter *w, int *flag)
{
    pthread_mutex_lock(&w->lock);
    *flag = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void waiter_kick(sg_waiter *w)
{
    set_flag(w, &w->kicked);
}

void waiter_stop(sg_waiter *w)
{
    set_flag(w, &w->stop);
}

int waiter_wait(sg_waiter *w, long ms)
{
    struct timespec until;
    int stop;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->lock);
    while (!w->kicked && !w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
        ;
    stop = w->stop;
    w->kicked = 0;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

int waiter_stopping(sg_waiter *w)
{
    pthread_mutex_lock(&w->lock);
    int stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

long long waiter_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* + 1: callers may use 0 for "not started". */
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 1;
}
