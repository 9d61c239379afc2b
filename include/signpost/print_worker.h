/*
 * The print worker: one thread that takes receipts from the durable print
 * queue (store.h) and sends them to the printer (printer.h), in order.
 *
 * Before each job it asks the printer whether it can print; when it cannot
 * (paper out, cover open, unplugged) the job goes back to the queue with the
 * reason, and the worker looks again every few seconds, so nothing is lost
 * and a refilled printer catches up by itself.  Once bytes have gone out,
 * a job is never sent again automatically: it ends done, or failed with the
 * reason for staff (who can reprint).  Jobs nobody printed within
 * [printer] expire_min are dropped as expired, so a receipt never prints
 * long after its patient has left the waiting room.
 */
#ifndef SIGNPOST_PRINT_WORKER_H
#define SIGNPOST_PRINT_WORKER_H

#include "signpost/app.h"
#include "signpost/printer.h"
#include "signpost/result.h"

typedef struct print_worker print_worker;

/* Recovers jobs a crash left "printing", then starts the thread. */
sg_rc print_worker_start(sg_app *app, print_worker **out, char *err, size_t errlen);
/* Stops the thread after the job in hand; accepts NULL. */
void print_worker_stop(print_worker *w);
/* Wakes the worker: a job was queued.  ctx is the print_worker. */
void print_worker_kick(void *ctx);
/* The printer's last known state, for /healthz ("ready", "paper out", ...). */
const char *print_worker_state(print_worker *w);

#endif
