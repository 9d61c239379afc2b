/*
 * What the files of the printer module share and nothing else sees: the
 * printer struct, the table of operations each transport fills in, and the
 * monotonic-clock helpers every wait is measured with.
 *
 * printer.c owns the parts that are the same for every transport (pacing,
 * the status exchange, messages); a transport only moves bytes.  Each
 * operation takes an absolute deadline on CLOCK_MONOTONIC in nanoseconds
 * and, on failure, leaves its message in pr->errmsg through printer_fail().
 */
#ifndef SIGNPOST_PRINTER_INTERNAL_H
#define SIGNPOST_PRINTER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/config.h"
#include "signpost/printer.h"

struct sp_port;

typedef struct {
    /* Sends all n bytes before deadline: SG_EBUSY when time runs out. */
    sg_rc (*write)(printer *pr, const unsigned char *buf, size_t n, int64_t deadline);
    /* Waits until what was written has left this machine (or was acknowledged). */
    sg_rc (*drain)(printer *pr, int64_t deadline);
    /* Throws away whatever the printer sent that nobody asked for. */
    sg_rc (*discard_input)(printer *pr);
    /* Reads one byte; *got = 0 when none came before deadline.  NULL: no
       back channel (the file transport). */
    sg_rc (*read_byte)(printer *pr, unsigned char *b, int *got, int64_t deadline);
    void (*close)(printer *pr);
} printer_ops;

struct printer {
    const printer_ops *ops;
    printer_profile profile;
    int pace_bytes_per_s; /* 0: no pacing */
    char describe[3 * SG_CFG_PATH];
    char errmsg[4 * SG_CFG_PATH];
    /* serial */
    struct sp_port *port;
    int port_open; /* sp_open() succeeded: sp_close() it */
    /* tcp and file */
    int fd;
    /* file: where the job goes; a directory means a new file per session */
    char path[SG_CFG_PATH];
    int path_is_dir;
};

/* Now on CLOCK_MONOTONIC, in nanoseconds. */
int64_t printer_now_ns(void);

/* deadline for timeout_ms from now. */
int64_t printer_deadline(int timeout_ms);

/* Milliseconds left before deadline, at least 1 (0 means "forever" to
   libserialport and poll must not block forever), or 0 when it has passed. */
int printer_ms_left(int64_t deadline);

/* Sleeps until the monotonic time at (restarting after signals). */
void printer_sleep_until(int64_t at);

/* Sets pr->errmsg (printf-style) and returns rc. */
sg_rc printer_fail(printer *pr, sg_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The transports' open functions: fill pr's transport fields and ops. */
sg_rc printer_serial_open(printer *pr, const sg_config *cfg);
sg_rc printer_tcp_open(printer *pr, const sg_config *cfg);
sg_rc printer_file_open(printer *pr, const sg_config *cfg);

#endif
