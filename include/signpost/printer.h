/*
 * Printer transports: how ESC/POS bytes (escpos.h) reach the paper, and how
 * the kiosk asks a printer whether it can print.
 *
 * One opaque handle, four transports chosen by [printer] transport:
 *
 *   serial  libserialport on [printer] device (a /dev/serial0-style symlink
 *           is resolved first), 8N1 at [printer] baud, [printer] flow.
 *           Without flow control the printer's small buffer overruns on a
 *           fast line, so writes are paced to the profile's
 *           pacing_bytes_per_s.
 *   tcp     a raw socket to [printer] host:port (9100), as network ESC/POS
 *           printers expect; status queries go over the same socket.
 *   file    the demo's simulated printer: each open..close session is one
 *           job, appended to [printer] path, or written to a new file named
 *           by the time when path is a directory ("" means the directory
 *           receipts/ under [store] dir, created on demand).
 *   none    printing is switched off: printer_open() refuses, saying so.
 *
 * Status is ESC/POS real-time status (DLE EOT 1, 2 and 4), which printers
 * answer even while busy or offline; the input is drained before asking,
 * so a stray byte from an earlier exchange is not taken for the answer.
 * Printers that do not implement it (many cheap 58 mm models) give
 * PRINTER_NO_ANSWER, which means "unknown", not "broken".
 *
 * Every call that waits takes a timeout and keeps it on the monotonic
 * clock; printer_open() waits at most PRINTER_OPEN_TIMEOUT_MS (a TCP
 * connect).  A host name other than a numeric address is looked up with
 * the system resolver, whose own timeout (resolv.conf) applies.
 *
 * Errors: SG_EINVAL for a configuration that cannot work (transport none,
 * no device, a timeout too short for the pacing), SG_ENOTFOUND for a device
 * or host that does not exist, SG_EIO when the link fails or the printer
 * hangs up, SG_EBUSY when the printer did not take the bytes in time (flow
 * control held: usually paper out or cover open), SG_ENOMEM.  The message
 * for the last failure names the device or address: printer_errmsg().
 *
 * Ownership: printer_open() gives the caller a printer that it releases
 * with printer_close() (which accepts NULL).  The config and profile are
 * copied; nothing else is kept.  A printer is used by one thread at a time.
 */
#ifndef SIGNPOST_PRINTER_H
#define SIGNPOST_PRINTER_H

#include <stddef.h>
#include "signpost/config.h"
#include "signpost/printer_profile.h"
#include "signpost/result.h"

/* The longest printer_open() waits (the TCP connect). */
#define PRINTER_OPEN_TIMEOUT_MS 3000

typedef struct printer printer;

typedef enum {
    PRINTER_READY = 0,
    PRINTER_PAPER_NEAR_END, /* prints, but the roll will run out soon */
    PRINTER_PAPER_OUT,
    PRINTER_COVER_OPEN,
    PRINTER_OFFLINE, /* offline for a reason the printer did not give */
    PRINTER_ERROR,   /* cutter jam, head overheated, or a garbled reply */
    PRINTER_NO_ANSWER
} printer_state;

/*
 * Opens the printer that cfg's [printer] section names, for profile p.  On
 * failure *out is NULL and err says what and where ("serial /dev/ttyUSB0:
 * Permission denied ...").
 */
sg_rc printer_open(const sg_config *cfg, const printer_profile *p, printer **out,
                   char *err, size_t errlen);

/*
 * Sends all n bytes, or fails.  timeout_ms (> 0) bounds the whole call,
 * pacing included, so a paced write needs at least printer_write_floor_ms();
 * a shorter timeout is refused up front (SG_EINVAL) without sending
 * anything.  On a later failure some bytes may have gone out: a caller
 * retrying a job resends the whole job.  Serial writes return once the
 * kernel has put the bytes on the line; TCP writes once the printer's
 * network stack has acknowledged them.
 */
sg_rc printer_write(printer *pr, const void *buf, size_t n, int timeout_ms);

/* The least time printer_write() of n bytes takes: its pacing, or 0. */
long printer_write_floor_ms(const printer *pr, size_t n);

/*
 * Asks the printer for its state within timeout_ms (> 0).  A printer that
 * stays silent is PRINTER_NO_ANSWER with SG_OK; an error return means the
 * link itself failed.  The file transport is always PRINTER_READY.
 */
sg_rc printer_status(printer *pr, printer_state *out, int timeout_ms);

void printer_close(printer *pr);

/* The message for the last failure on pr ("" when none). */
const char *printer_errmsg(const printer *pr);

/* What pr is, for logs: "serial /dev/ttyUSB0 19200 8N1 rtscts". */
const char *printer_describe(const printer *pr);

/* "ready", "paper near end", "paper out", "cover open", ... */
const char *printer_state_name(printer_state s);

/* 1 when a job may be sent in this state (ready, near end, no answer). */
int printer_state_can_print(printer_state s);

/*
 * Pure: the state for the answers to DLE EOT 1, 2 and 4 (reply[0..2]: the
 * byte, or -1 when that query got no answer).  When why is not NULL it is
 * set to a static English phrase explaining the state.
 */
printer_state printer_status_decode(const int reply[3], const char **why);

/* One serial port, as printer_list_ports() reports it. */
typedef struct {
    const char *name;        /* "/dev/ttyUSB0" */
    const char *description; /* what the driver or USB device calls itself */
    const char *alias;       /* "/dev/serial0" when that symlink points here, or NULL */
    int usb;                 /* 1: the fields below are set */
    int usb_vid, usb_pid;    /* -1 when unknown */
    const char *usb_manufacturer, *usb_product, *usb_serial; /* NULL when unknown */
} printer_port_info;

/* Called once per port; a non-zero result stops the listing and is returned. */
typedef sg_rc (*printer_port_fn)(void *ctx, const printer_port_info *info);

/*
 * Lists the serial ports libserialport finds (*count of them).  The strings
 * in info live only during the callback.
 */
sg_rc printer_list_ports(printer_port_fn fn, void *ctx, size_t *count, char *err,
                         size_t errlen);

#endif
