/*
 * Talking to systemd as a Type=notify service, without libsystemd: READY=1
 * once the kiosk listens, WATCHDOG=1 while the daemon is healthy,
 * STOPPING=1 on shutdown.  The protocol (sd_notify(3), "Interface
 * Portability and Stability") is one datagram of newline-separated
 * KEY=VALUE lines to the AF_UNIX socket named in $NOTIFY_SOCKET; a leading
 * '@' names the abstract namespace.  Every call is a no-op returning SG_OK
 * when $NOTIFY_SOCKET is unset (a terminal, the tests, another init), so
 * callers never need to know whether systemd runs them.
 *
 * The parsing helpers are pure and take their input as arguments, so the
 * unit tests need neither the environment nor systemd.
 */
#ifndef SIGNPOST_NOTIFY_H
#define SIGNPOST_NOTIFY_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "signpost/result.h"

/* Longest message sent: a few fixed lines and a one-line STATUS. */
#define NOTIFY_MSG_MAX 512

/*
 * Turns a $NOTIFY_SOCKET value into an address: "/abs/path" (a file
 * socket) or "@name" (abstract namespace; the '@' becomes the leading NUL).
 * *len is the address length to pass to sendmsg: an abstract name counts
 * no trailing NUL, since every byte of it is part of the name.
 * SG_EINVAL for NULL, empty, relative, "@" alone, or too long for sun_path.
 */
sg_rc notify_parse_socket(const char *name, struct sockaddr_un *sa, socklen_t *len);

/*
 * The watchdog ping period in ms from $WATCHDOG_USEC and $WATCHDOG_PID:
 * half the interval (systemd's advice, so one late ping is not fatal), at
 * least 1 ms; 0 when usec is unset or not a positive decimal number, or
 * when pid is set and is not self (the variables were meant for another
 * process, e.g. inherited from a parent).
 */
long notify_watchdog_parse(const char *usec, const char *pid, long self);

/*
 * Builds "STATE\nSTATUS=status" into out (STATUS only when status is
 * non-NULL and non-empty).  A newline in status would start a new
 * assignment, so control characters become spaces; a long status is cut
 * to fit.  SG_ETOOBIG when even state does not fit.
 */
sg_rc notify_format(char *out, size_t outlen, const char *state, const char *status);

/* Sends msg as one datagram to the socket named by name (as in
 * $NOTIFY_SOCKET).  SG_EINVAL for a bad name, SG_EIO when sending fails. */
sg_rc notify_send_to(const char *name, const char *msg);

/* The same to $NOTIFY_SOCKET; SG_OK and nothing sent when it is unset. */
sg_rc notify_send(const char *msg);

/* READY=1 with an optional one-line status ("kiosk listening on ..."). */
sg_rc notify_ready(const char *status);
/* WATCHDOG=1: "still healthy"; call every notify_watchdog_interval_ms(). */
sg_rc notify_watchdog(void);
/* STOPPING=1: shutdown has begun (systemd then shows "deactivating"). */
sg_rc notify_stopping(void);
/* STATUS=...: what `systemctl status` shows as "Status:". */
sg_rc notify_status(const char *status);

/* notify_watchdog_parse() on this process's environment and pid. */
long notify_watchdog_interval_ms(void);

#endif
