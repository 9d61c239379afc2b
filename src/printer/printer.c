/*
 * The transport-independent half of the printer module (see printer.h):
 * choosing a transport, pacing writes, the real-time status exchange, and
 * the clock every wait is measured on.
 *
 * Pacing exists because a printer without flow control has a receive
 * buffer of a few kilobytes and no way to say "wait": a raster QR sent at
 * line speed overruns it and the rest of the image prints as junk text.
 * Bytes go out in chunks of about 20 ms worth, each released when the
 * budget since the start allows it, so the average rate is the profile's
 * and no burst is larger than one chunk.  The schedule is computed from
 * the start time rather than by sleeping a fixed time per chunk, so the
 * time spent writing does not add up into a slower rate.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/log.h"
#include "printer_internal.h"

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* Pacing chunks: about 20 ms of bytes, within these bounds. */
#define PACE_CHUNKS_PER_S 50
#define PACE_CHUNK_MAX 64

/* ESC/POS real-time status: DLE EOT n. */
#define DLE 0x10
#define EOT 0x04

int64_t printer_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int64_t printer_deadline(int timeout_ms)
{
    return printer_now_ns() + (int64_t)timeout_ms * NS_PER_MS;
}

int printer_ms_left(int64_t deadline)
{
    int64_t left = deadline - printer_now_ns();

    if (left <= 0)
        return 0;
    left = (left + NS_PER_MS - 1) / NS_PER_MS;
    return left > 86400000 ? 86400000 : (int)left;
}

void printer_sleep_until(int64_t at)
{
    struct timespec ts = {(time_t)(at / NS_PER_S), (long)(at % NS_PER_S)};

    if (at <= 0)
        return;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

sg_rc printer_fail(printer *pr, sg_rc rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(pr->errmsg, sizeof pr->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

static int flow_is_none(const sg_config *cfg)
{
    return strcmp(cfg->printer_flow, "none") == 0;
}

sg_rc printer_open(const sg_config *cfg, const printer_profile *p, printer **out,
                   char *err, size_t errlen)
{
    const char *t = cfg->printer_transport;
    printer *pr;
    sg_rc rc;

    *out = NULL;
    if (!strcmp(t, "none")) {
        snprintf(err, errlen, "[printer] transport = none: printing is switched off "
                              "(set it to serial, tcp or file)");
        return SG_EINVAL;
    }
    pr = calloc(1, sizeof *pr);
    if (!pr) {
        snprintf(err, errlen, "printer: out of memory");
        return SG_ENOMEM;
    }
    pr->fd = -1;
    pr->profile = *p;
    if (!strcmp(t, "serial")) {
        rc = printer_serial_open(pr, cfg);
        /* Only a serial line without flow control needs pacing: TCP has its
           own, and a file has no printer behind it. */
        if (flow_is_none(cfg))
            pr->pace_bytes_per_s = p->pacing_bytes_per_s > 0 ? p->pacing_bytes_per_s : 0;
        if (!rc && flow_is_none(cfg) && p->flow != PRINTER_FLOW_NONE)
            sg_warn("printer: profile %s expects %s flow control but [printer] flow = "
                    "none: long jobs may overrun the printer",
                    p->name, printer_flow_name(p->flow));
    } else if (!strcmp(t, "tcp")) {
        rc = printer_tcp_open(pr, cfg);
    } else if (!strcmp(t, "file")) {
        rc = printer_file_open(pr, cfg);
    } else {
        rc = printer_fail(pr, SG_EINVAL, "[printer] transport = %s: expected serial, tcp, "
                                         "file or none", t);
    }
    if (rc) {
        snprintf(err, errlen, "%s", pr->errmsg);
        printer_close(pr);
        return rc;
    }
    *out = pr;
    return SG_OK;
}

long printer_write_floor_ms(const printer *pr, size_t n)
{
    if (!pr->pace_bytes_per_s)
        return 0;
    return (long)((n * 1000 + (size_t)pr->pace_bytes_per_s - 1) /
                  (size_t)pr->pace_bytes_per_s);
}

/* Sends buf in chunks released on a schedule of pace bytes per second. */
static sg_rc write_paced(printer *pr, const unsigned char *buf, size_t n, int64_t deadline)
{
    size_t pace = (size_t)pr->pace_bytes_per_s;
    size_t chunk = pace / PACE_CHUNKS_PER_S, sent = 0, len;
    int64_t start = printer_now_ns();
    sg_rc rc;

    chunk = chunk < 1 ? 1 : chunk > PACE_CHUNK_MAX ? PACE_CHUNK_MAX : chunk;
    while (sent < n) {
        printer_sleep_until(start + (int64_t)(sent * (size_t)NS_PER_S / pace));
        len = n - sent < chunk ? n - sent : chunk;
        if ((rc = pr->ops->write(pr, buf + sent, len, deadline)))
            return rc;
        sent += len;
    }
    return SG_OK;
}

sg_rc printer_write(printer *pr, const void *buf, size_t n, int timeout_ms)
{
    int64_t deadline = printer_deadline(timeout_ms);
    long floor_ms = printer_write_floor_ms(pr, n);
    sg_rc rc;

    assert(pr && (buf || !n));
    pr->errmsg[0] = '\0';
    if (timeout_ms <= 0)
        return printer_fail(pr, SG_EINVAL, "%s: write timeout must be above 0",
                            pr->describe);
    if (floor_ms > timeout_ms)
        return printer_fail(pr, SG_EINVAL,
                            "%s: %zu bytes at %d bytes/s need %ld ms; timeout is %d ms",
                            pr->describe, n, pr->pace_bytes_per_s, floor_ms, timeout_ms);
    if (!n)
        return SG_OK;
    if (pr->pace_bytes_per_s)
        rc = write_paced(pr, buf, n, deadline);
    else
        rc = pr->ops->write(pr, buf, n, deadline);
    if (!rc && pr->ops->drain)
        rc = pr->ops->drain(pr, deadline);
    return rc;
}

/* Sends DLE EOT n and reads the one-byte answer; -1 in *reply when none came. */
static sg_rc ask(printer *pr, unsigned char n, int *reply, int64_t deadline)
{
    const unsigned char query[3] = {DLE, EOT, n};
    unsigned char b = 0;
    int got = 0;
    sg_rc rc;

    *reply = -1;
    if ((rc = pr->ops->write(pr, query, sizeof query, deadline)))
        return rc;
    if ((rc = pr->ops->read_byte(pr, &b, &got, deadline)))
        return rc;
    if (got)
        *reply = b;
    return SG_OK;
}

sg_rc printer_status(printer *pr, printer_state *out, int timeout_ms)
{
    static const unsigned char queries[3] = {1, 2, 4};
    int64_t deadline = printer_deadline(timeout_ms);
    int reply[3] = {-1, -1, -1};
    const char *why = NULL;
    sg_rc rc = SG_OK;

    assert(pr && out && timeout_ms > 0);
    pr->errmsg[0] = '\0';
    *out = PRINTER_READY;
    if (!pr->ops->read_byte)
        return SG_OK;
    if ((rc = pr->ops->discard_input(pr)))
        goto out;
    for (int i = 0; i < 3; i++) {
        /* A query that times out on the way out means the printer is
           holding flow control: it is not going to answer either. */
        rc = ask(pr, queries[i], &reply[i], deadline);
        if (rc == SG_EBUSY)
            rc = SG_OK;
        if (rc || reply[i] < 0)
            break;
    }
    *out = printer_status_decode(reply, &why);
    if (*out != PRINTER_READY)
        sg_debug("printer: %s: %s (status bytes %d %d %d)", pr->describe, why, reply[0],
                 reply[1], reply[2]);
out:
    return rc;
}

void printer_close(printer *pr)
{
    if (!pr)
        return;
    if (pr->ops && pr->ops->close)
        pr->ops->close(pr);
    free(pr);
}

const char *printer_errmsg(const printer *pr)
{
    return pr ? pr->errmsg : "";
}

const char *printer_describe(const printer *pr)
{
    return pr ? pr->describe : "";
}
