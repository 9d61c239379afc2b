/*
 * What the security tests share: one daemon set up the way an attacker
 * would meet it (the demo directory, a file printer, the log SMS gateway,
 * the staff listener in plain HTTP on loopback so that raw bytes reach it
 * unchanged, a short request timeout), accounts for each role, raw HTTP
 * on a socket for requests libcurl would refuse to send (NUL bytes, bare
 * CR/LF, backslashes, unfinished headers), and a fingerprint of every row
 * the database holds, so "nothing changed" is a comparison of two numbers.
 */
#ifndef SIGNPOST_SEC_COMMON_H
#define SIGNPOST_SEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "staff_client.h"

#define SEC_PASSWORD "a long enough passphrase 42"
#define SEC_RAW_CAP (64 * 1024)

typedef struct {
    char dir[ITEST_PATH];
    char conf[ITEST_PATH + 32];
    itest_daemon *d;
    sc_target staff; /* plain http on 127.0.0.1 */
    sc_session admin, navigator;
    sc_visit visit; /* a visit that wants help, made at start */
} sec_env;

/* Starts the daemon with extra_conf (may be NULL) appended to the common
 * configuration, with an admin ("ada") and a navigator ("nat") signed in and
 * one visit stored.  0, or -1 with the reason printed and everything it
 * started stopped again. */
int sec_start(sec_env *e, const char *extra_conf);
/* Stops the daemon and removes its state directory. */
void sec_stop(sec_env *e);
/* A new TCP connection to 127.0.0.1:port, or -1. */
int sec_connect(int port);

/*
 * Sends len bytes of req to 127.0.0.1:port on a new connection, then reads
 * until the peer closes, SEC_RAW_CAP bytes, or timeout_ms passes.  The
 * answer (NUL-terminated) goes to out (outlen bytes).  The HTTP status of
 * the first status line; 0 when the connection closed with no answer; -1
 * when no connection could be made or nothing came back in time.
 */
int sec_raw(int port, const char *req, size_t len, char *out, size_t outlen,
            int timeout_ms);

/* A hash of every row of every table except the ones a read may touch
 * (audit_log, staff_sessions, login_failures): equal before and after
 * means nothing was stored, changed or dropped.  0 when it cannot be read. */
uint64_t sec_db_fingerprint(const itest_daemon *d);

#endif
