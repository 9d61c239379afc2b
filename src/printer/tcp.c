/*
 * The TCP transport (see printer.h): raw ESC/POS on a socket, usually port
 * 9100, as Epson's and most network receipt printers take it.  Status
 * queries and their answers share the socket with the job.
 *
 * The socket is non-blocking from the start so that every wait is a poll()
 * with the caller's deadline: a connect to a printer that was unplugged
 * would otherwise wait for the kernel's SYN retries, minutes on Linux.
 * A finished write waits until the printer's TCP stack has acknowledged
 * every byte (SIOCOUTQ reaches 0), which is the closest the protocol
 * comes to "the printer has the job"; and Nagle's algorithm is off so a
 * three-byte status query is not held back behind an unacknowledged job.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "printer_internal.h"

#define DRAIN_POLL_NS 5000000LL

/* Waits for events on pr->fd until deadline; *ready = 0 when time ran out. */
static sg_rc wait_fd(printer *pr, short events, int64_t deadline, int *ready)
{
    struct pollfd p = {pr->fd, events, 0};
    int ms, r;

    *ready = 0;
    while ((ms = printer_ms_left(deadline)) > 0) {
        r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return printer_fail(pr, SG_EIO, "%s: poll: %s", pr->describe, strerror(errno));
        *ready = r > 0;
        break;
    }
    return SG_OK;
}

static sg_rc tcp_write(printer *pr, const unsigned char *buf, size_t n, int64_t deadline)
{
    size_t sent = 0;
    ssize_t w;
    int ready;
    sg_rc rc;

    while (sent < n) {
        w = send(pr->fd, buf + sent, n - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            sent += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return printer_fail(pr, SG_EIO, "%s: send: %s", pr->describe, strerror(errno));
        if ((rc = wait_fd(pr, POLLOUT, deadline, &ready)))
            return rc;
        if (!ready)
            return printer_fail(pr, SG_EBUSY,
                                "%s: the printer stopped taking data (%zu of %zu bytes "
                                "sent before the timeout)",
                                pr->describe, sent, n);
    }
    return SG_OK;
}

/* The connection's pending error (a reset, say), as a failure. */
static sg_rc socket_error(printer *pr)
{
    int e = 0;
    socklen_t len = sizeof e;

    if (getsockopt(pr->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
        e = errno;
    if (!e)
        return SG_OK;
    return printer_fail(pr, SG_EIO, "%s: %s", pr->describe, strerror(e));
}

static sg_rc tcp_drain(printer *pr, int64_t deadline)
{
    int queued = 0;
    sg_rc rc;

    for (;;) {
        if (ioctl(pr->fd, SIOCOUTQ, &queued) < 0)
            return printer_fail(pr, SG_EIO, "%s: SIOCOUTQ: %s", pr->describe,
                                strerror(errno));
        if (queued == 0)
            break;
        /* After a reset Linux keeps counting the unacknowledged bytes, so
           the queue never empties: a printer that went away mid-job must
           fail now, not at the timeout as "not acknowledged". */
        if ((rc = socket_error(pr)))
            return rc;
        if (!printer_ms_left(deadline))
            return printer_fail(pr, SG_EBUSY,
                                "%s: %d bytes not acknowledged by the printer at the "
                                "timeout",
                                pr->describe, queued);
        printer_sleep_until(printer_now_ns() + DRAIN_POLL_NS);
    }
    /* A reset empties the queue too: make sure that is not why it is empty. */
    return socket_error(pr);
}

static sg_rc tcp_discard_input(printer *pr)
{
    unsigned char junk[256];
    ssize_t r;

    for (;;) {
        r = recv(pr->fd, junk, sizeof junk, MSG_DONTWAIT);
        if (r > 0 || (r < 0 && errno == EINTR))
            continue;
        if (r == 0)
            return printer_fail(pr, SG_EIO, "%s: the printer closed the connection",
                                pr->describe);
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return SG_OK;
        return printer_fail(pr, SG_EIO, "%s: recv: %s", pr->describe, strerror(errno));
    }
}

static sg_rc tcp_read_byte(printer *pr, unsigned char *b, int *got, int64_t deadline)
{
    ssize_t r;
    int ready;
    sg_rc rc;

    *got = 0;
    for (;;) {
        if ((rc = wait_fd(pr, POLLIN, deadline, &ready)) || !ready)
            return rc;
        r = recv(pr->fd, b, 1, MSG_DONTWAIT);
        if (r == 1) {
            *got = 1;
            return SG_OK;
        }
        if (r == 0)
            return printer_fail(pr, SG_EIO, "%s: the printer closed the connection",
                                pr->describe);
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return printer_fail(pr, SG_EIO, "%s: recv: %s", pr->describe, strerror(errno));
    }
}

static void tcp_close(printer *pr)
{
    if (pr->fd < 0)
        return;
    /* Unread input would make close() send a reset, which can cost the
       printer the end of the job still in its receive buffer. */
    tcp_discard_input(pr);
    close(pr->fd);
    pr->fd = -1;
}

static const printer_ops tcp_ops = {
    tcp_write, tcp_drain, tcp_discard_input, tcp_read_byte, tcp_close,
};

/* What an admin can do about a failed connect. */
static const char *connect_hint(int e)
{
    if (e == ECONNREFUSED)
        return " (the host is up but nothing listens on that port; raw printing is "
               "usually 9100)";
    if (e == EHOSTUNREACH || e == ENETUNREACH)
        return " (check the address and the network cable)";
    return "";
}

/* One address; on success pr->fd is the connected socket. */
static sg_rc connect_one(printer *pr, const struct addrinfo *ai, int64_t deadline)
{
    int fd, e = 0, ready = 1, one = 1;
    socklen_t len = sizeof e;
    sg_rc rc = SG_OK;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0)
        return printer_fail(pr, SG_EIO, "%s: socket: %s", pr->describe, strerror(errno));
    pr->fd = fd;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS)
            e = errno;
        else if (!(rc = wait_fd(pr, POLLOUT, deadline, &ready)) && ready &&
                 getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
            e = errno;
    }
    if (!rc && !ready)
        rc = printer_fail(pr, SG_EIO,
                          "%s: no answer within %d ms (is the printer on, and is the "
                          "address right?)",
                          pr->describe, PRINTER_OPEN_TIMEOUT_MS);
    if (!rc && e)
        rc = printer_fail(pr, SG_EIO, "%s: connect: %s%s", pr->describe, strerror(e),
                          connect_hint(e));
    if (!rc)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (rc) {
        close(fd);
        pr->fd = -1;
    }
    return rc;
}

sg_rc printer_tcp_open(printer *pr, const sg_config *cfg)
{
    struct addrinfo hints, *res = NULL;
    int64_t deadline = printer_deadline(PRINTER_OPEN_TIMEOUT_MS);
    char port[16];
    int gai;
    sg_rc rc = SG_EIO;

    pr->ops = &tcp_ops;
    snprintf(pr->describe, sizeof pr->describe, "tcp %s:%d", cfg->printer_host,
             cfg->printer_port);
    if (!cfg->printer_host[0])
        return printer_fail(pr, SG_EINVAL, "[printer] host: required when transport = tcp");
    snprintf(port, sizeof port, "%d", cfg->printer_port);
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    /* A numeric address needs no resolver, whose waits are not ours to bound. */
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    gai = getaddrinfo(cfg->printer_host, port, &hints, &res);
    if (gai == EAI_NONAME) {
        hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
        gai = getaddrinfo(cfg->printer_host, port, &hints, &res);
    }
    if (gai)
        return printer_fail(pr, SG_ENOTFOUND, "%s: %s", pr->describe, gai_strerror(gai));
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        if (!(rc = connect_one(pr, ai, deadline)))
            break;
    freeaddrinfo(res);
    return rc;
}
