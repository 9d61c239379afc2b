/*
 * A deadline on receiving each request, for both listeners.
 *
 * libmicrohttpd's own timeout ([kiosk] request_timeout_s) is an idle one:
 * every byte restarts it, so a client that sends a header byte every few
 * seconds (slowloris) or a body at a byte a second holds its connection,
 * and a thread's share of the listener, for as long as it likes.  This
 * file bounds the whole: a connection's clock starts when it opens, or
 * when its previous answer has gone, and stops when the request is whole
 * (headers and body).  A sweeper thread checks the clocks every second
 * and shuts down the socket of any connection past [kiosk]
 * request_deadline_s; libmicrohttpd then sees the connection end and
 * cleans it up in its own thread, as if the client had gone away.
 *
 * The clocks live in libmicrohttpd's per-connection socket context,
 * linked in one list so the sweeper can walk them.  A connection leaves
 * the list, under the list's lock, in libmicrohttpd's "closed" callback,
 * which runs before the library closes the socket; so the sweeper never
 * shuts down a descriptor that has since been reused.
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "http_internal.h"
#include "signpost/log.h"
#include "signpost/waiter.h"

#define SWEEP_MS 1000 /* how often the clocks are read: the deadline's grain */

typedef struct conn_clock {
    struct conn_clock *prev, *next; /* under http_deadline.lock */
    int fd;
    atomic_llong since_ms; /* when this request's clock started; 0: not receiving */
} conn_clock;

struct http_deadline {
    pthread_mutex_t lock; /* the list */
    conn_clock *head;
    long long limit_ms;
    const char *listener; /* for the log line: "kiosk" or "staff" */
    sg_waiter waiter;
    pthread_t sweeper;
};

/* Shuts down every connection past the deadline; how many. */
static int sweep(http_deadline *dl)
{
    long long now = waiter_now_ms();
    int cut = 0;

    pthread_mutex_lock(&dl->lock);
    for (conn_clock *c = dl->head; c; c = c->next) {
        long long since = atomic_load(&c->since_ms);
        if (since == 0 || now - since <= dl->limit_ms)
            continue;
        /* Once: the library closes it at its next look at the socket. */
        atomic_store(&c->since_ms, 0);
        shutdown(c->fd, SHUT_RDWR);
        cut++;
    }
    pthread_mutex_unlock(&dl->lock);
    return cut;
}

static void *sweeper_main(void *arg)
{
    http_deadline *dl = arg;
    int cut;

    while (!waiter_wait(&dl->waiter, SWEEP_MS))
        /* One line a sweep at most, however many a flood opens. */
        if ((cut = sweep(dl)) > 0)
            sg_warn("http: %s listener: closed %d connection(s) that took over %lld s "
                    "to send a request",
                    dl->listener, cut, dl->limit_ms / 1000);
    return NULL;
}

sg_rc http_deadline_start(int limit_s, const char *listener, http_deadline **out)
{
    http_deadline *dl = calloc(1, sizeof *dl);

    assert(limit_s > 0);
    if (!dl)
        return SG_ENOMEM;
    pthread_mutex_init(&dl->lock, NULL);
    waiter_init(&dl->waiter);
    dl->limit_ms = (long long)limit_s * 1000;
    dl->listener = listener;
    if (pthread_create(&dl->sweeper, NULL, sweeper_main, dl) != 0) {
        waiter_destroy(&dl->waiter);
        pthread_mutex_destroy(&dl->lock);
        free(dl);
        return SG_EIO;
    }
    *out = dl;
    return SG_OK;
}

/* After the listener has stopped: every connection is closed by then. */
void http_deadline_stop(http_deadline *dl)
{
    if (!dl)
        return;
    waiter_stop(&dl->waiter);
    pthread_join(dl->sweeper, NULL);
    assert(dl->head == NULL);
    waiter_destroy(&dl->waiter);
    pthread_mutex_destroy(&dl->lock);
    free(dl);
}

static void track(http_deadline *dl, struct MHD_Connection *conn, void **socket_context)
{
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    conn_clock *c;

    /* Untracked, the connection still has the idle timeout. */
    if (!fd || !(c = calloc(1, sizeof *c)))
        return;
    c->fd = fd->connect_fd;
    atomic_init(&c->since_ms, waiter_now_ms());
    pthread_mutex_lock(&dl->lock);
    c->next = dl->head;
    if (dl->head)
        dl->head->prev = c;
    dl->head = c;
    pthread_mutex_unlock(&dl->lock);
    *socket_context = c;
}

static void untrack(http_deadline *dl, conn_clock *c)
{
    /* The socket must still be open here (see the note atop the file). */
    assert(fcntl(c->fd, F_GETFD) != -1);
    pthread_mutex_lock(&dl->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        dl->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&dl->lock);
    free(c);
}

void http_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_deadline *dl = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        track(dl, conn, socket_context);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        untrack(dl, *socket_context);
        *socket_context = NULL;
    }
}

static conn_clock *clock_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

void http_deadline_received(struct MHD_Connection *conn)
{
    conn_clock *c = clock_of(conn);
    if (c)
        atomic_store(&c->since_ms, 0);
}

void http_deadline_answered(struct MHD_Connection *conn)
{
    conn_clock *c = clock_of(conn);
    if (c)
        atomic_store(&c->since_ms, waiter_now_ms());
}
