/*
 * What every background worker needs to sleep: a bounded wait that ends
 * early when work arrives (kick) or the daemon stops (stop), on the
 * monotonic clock so that a wall-clock jump (NTP after boot) neither
 * stalls a worker nor spins it.
 */
#ifndef SIGNPOST_WAITER_H
#define SIGNPOST_WAITER_H

#include <pthread.h>

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int kicked, stop; /* under lock */
} sg_waiter;

void waiter_init(sg_waiter *w);
void waiter_destroy(sg_waiter *w);
void waiter_kick(sg_waiter *w);
void waiter_stop(sg_waiter *w);
/* Sleeps up to ms, less when kicked or stopped; clears the kick.
 * Returns 1 when the worker should stop. */
int waiter_wait(sg_waiter *w, long ms);
/* 1 once waiter_stop() was called (checked between units of work). */
int waiter_stopping(sg_waiter *w);
/* Milliseconds on the monotonic clock the waits use: for deadlines and
 * ages that a wall-clock jump must not move.  Never 0. */
long long waiter_now_ms(void);

#endif
