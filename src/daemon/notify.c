/*
 * The sd_notify protocol, reimplemented (see notify.h): systemd documents
 * it as stable for exactly this, and linking libsystemd for one datagram
 * would add a library and its dependencies to a daemon that must idle in
 * a few MB.  A fresh socket per message, as sd_notify() itself does: the
 * daemon sends one message at start, one at stop and one every 15 s, so
 * keeping a descriptor open would save nothing worth its state.
 */
#include "signpost/notify.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

sg_rc notify_parse_socket(const char *name, struct sockaddr_un *sa, socklen_t *len)
{
    size_t n;

    if (!name || (name[0] != '/' && name[0] != '@'))
        return SG_EINVAL; /* relative paths and vsock: (systemd 253+) are not ours */
    n = strlen(name);
    if (n < 2 || n >= sizeof sa->sun_path)
        return SG_EINVAL; /* a file name needs its NUL inside sun_path */
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, name, n);
    if (name[0] == '@')
        sa->sun_path[0] = '\0';
    /* For a path the terminating NUL is counted too, as sd_notify does;
     * for an abstract name every byte counts, so no trailing NUL. */
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/'));
    return SG_OK;
}

/* A whole decimal number without sign or spaces; 0 when it is not one. */
static uint64_t parse_decimal(const char *s)
{
    uint64_t v = 0;

    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (v > (UINT64_MAX - 9) / 10)
            return 0; /* overflow: nonsense, not a long interval */
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

long notify_watchdog_parse(const char *usec, const char *pid, long self)
{
    uint64_t us = parse_decimal(usec), ms;

    if (us == 0)
        return 0;
    /* Set but not ours (or unparsable): a parent's watchdog, not ours. */
    if (pid && parse_decimal(pid) != (uint64_t)self)
        return 0;
    ms = us / 2000; /* half the interval, in ms */
    if (ms == 0)
        return 1;
    return ms > (uint64_t)LONG_MAX ? LONG_MAX : (long)ms;
}

sg_rc notify_format(char *out, size_t outlen, const char *state, const char *status)
{
    static const char key[] = "\nSTATUS=";
    size_t n = strlen(state), i;

    if (n + 1 > outlen)
        return SG_ETOOBIG;
    memcpy(out, state, n);
    if (status && *status && n + sizeof key < outlen) {
        memcpy(out + n, key, sizeof key - 1);
        n += sizeof key - 1;
        for (i = 0; status[i] && n + 1 < outlen; i++) {
            unsigned char c = (unsigned char)status[i];
            out[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        }
    }
    out[n] = '\0';
    return SG_OK;
}

/* One sendmsg to sa; retried on EINTR only (a datagram is all or nothing). */
static sg_rc send_datagram(const struct sockaddr_un *sa, socklen_t salen, const char *msg)
{
    struct iovec iov = {.iov_base = (void *)(uintptr_t)msg, .iov_len = strlen(msg)};
    struct msghdr mh;
    ssize_t sent;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return SG_EIO;
    memset(&mh, 0, sizeof mh);
    mh.msg_name = (void *)(uintptr_t)sa;
    mh.msg_namelen = salen;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    do
        sent = sendmsg(fd, &mh, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    close(fd);
    return sent >= 0 && (size_t)sent == iov.iov_len ? SG_OK : SG_EIO;
}

sg_rc notify_send_to(const char *name, const char *msg)
{
    struct sockaddr_un sa;
    socklen_t len;

    if (notify_parse_socket(name, &sa, &len))
        return SG_EINVAL;
    return send_datagram(&sa, len, msg);
}

sg_rc notify_send(const char *msg)
{
    const char *name = getenv("NOTIFY_SOCKET");

    return name ? notify_send_to(name, msg) : SG_OK;
}

/* Formats state and status and sends them; a no-op without systemd. */
static sg_rc send_state(const char *state, const char *status)
{
    char msg[NOTIFY_MSG_MAX];

    if (!getenv("NOTIFY_SOCKET"))
        return SG_OK;
    if (notify_format(msg, sizeof msg, state, status))
        return SG_ETOOBIG;
    return notify_send(msg);
}

sg_rc notify_ready(const char *status)
{
    return send_state("READY=1", status);
}

sg_rc notify_watchdog(void)
{
    return send_state("WATCHDOG=1", NULL);
}

sg_rc notify_stopping(void)
{
    return send_state("STOPPING=1", "stopping");
}

sg_rc notify_status(const char *status)
{
    /* STATUS= alone: the format helper puts it after an empty state line,
     * so the message starts one byte in, past that newline. */
    char msg[NOTIFY_MSG_MAX];

    if (!getenv("NOTIFY_SOCKET") || !status || !*status)
        return SG_OK;
    if (notify_format(msg, sizeof msg, "", status))
        return SG_ETOOBIG;
    return notify_send(msg + 1); /* skip the newline after the empty state */
}

long notify_watchdog_interval_ms(void)
{
    return notify_watchdog_parse(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
                                 (long)getpid());
}
