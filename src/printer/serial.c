/*
 * The serial transport, through libserialport (see printer.h), and the
 * port listing behind `signpost printers`.
 *
 * Facts about libserialport 0.1.1 (what Debian 12 ships) that shape this
 * file: it does not follow symlinks, so the /dev/serial0 a Raspberry Pi
 * offers is resolved with realpath() first; a timeout of 0 means "wait
 * forever" to sp_blocking_write and sp_blocking_read, so every call gets
 * at least 1 ms; and sp_drain() (tcdrain) has no timeout at all, so it is
 * called only after sp_output_waiting() has seen the kernel's queue empty,
 * when all it can still wait for is the UART's own small FIFO.  A printer
 * holding RTS/CTS with the queue full therefore ends in SG_EBUSY at the
 * deadline instead of hanging the print worker.
 */
#include <dirent.h>
#include <errno.h>
#include <libserialport.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer_internal.h"

/* How often drain looks at the output queue. */
#define DRAIN_POLL_NS 5000000LL

/* A message for a libserialport failure; the text of SP_ERR_FAIL is errno's. */
static sg_rc sp_fail(printer *pr, enum sp_return r, const char *what)
{
    char *msg = NULL;
    const char *text = "unknown error", *hint = "";

    switch (r) {
    case SP_ERR_FAIL:
        if (errno == EACCES)
            hint = " (is the signpost user in the dialout group?)";
        msg = sp_last_error_message();
        text = msg ? msg : "failed";
        break;
    case SP_ERR_ARG: text = "invalid argument or not a serial port"; break;
    case SP_ERR_MEM: text = "out of memory"; break;
    case SP_ERR_SUPP: text = "not supported by this port or driver"; break;
    default: break;
    }
    printer_fail(pr, r == SP_ERR_MEM ? SG_ENOMEM : SG_EIO, "serial %s: %s: %s%s", pr->path,
                 what, text, hint);
    sp_free_error_message(msg);
    return r == SP_ERR_MEM ? SG_ENOMEM : SG_EIO;
}

static sg_rc serial_write(printer *pr, const unsigned char *buf, size_t n,
                          int64_t deadline)
{
    size_t sent = 0;
    int ms, r;

    while (sent < n) {
        if (!(ms = printer_ms_left(deadline)))
            return printer_fail(pr, SG_EBUSY,
                                "serial %s: the printer stopped taking data (%zu of %zu "
                                "bytes sent before the timeout; paper out, cover open, "
                                "or flow control miswired?)",
                                pr->path, sent, n);
        r = sp_blocking_write(pr->port, buf + sent, n - sent, (unsigned)ms);
        if (r < 0)
            return sp_fail(pr, (enum sp_return)r, "write");
        sent += (size_t)r;
    }
    return SG_OK;
}

static sg_rc serial_drain(printer *pr, int64_t deadline)
{
    int waiting;
    enum sp_return r;

    while ((waiting = sp_output_waiting(pr->port)) != 0) {
        if (waiting < 0)
            return sp_fail(pr, (enum sp_return)waiting, "output queue");
        if (!printer_ms_left(deadline))
            return printer_fail(pr, SG_EBUSY,
                                "serial %s: %d bytes still queued at the timeout (the "
                                "printer is holding flow control: paper out or cover "
                                "open?)",
                                pr->path, waiting);
        printer_sleep_until(printer_now_ns() + DRAIN_POLL_NS);
    }
    if ((r = sp_drain(pr->port)) != SP_OK)
        return sp_fail(pr, r, "drain");
    return SG_OK;
}

static sg_rc serial_discard_input(printer *pr)
{
    enum sp_return r = sp_flush(pr->port, SP_BUF_INPUT);

    return r == SP_OK ? SG_OK : sp_fail(pr, r, "flush input");
}

static sg_rc serial_read_byte(printer *pr, unsigned char *b, int *got, int64_t deadline)
{
    int ms = printer_ms_left(deadline), r;

    *got = 0;
    if (!ms)
        return SG_OK;
    r = sp_blocking_read(pr->port, b, 1, (unsigned)ms);
    if (r < 0)
        return sp_fail(pr, (enum sp_return)r, "read");
    *got = r == 1;
    return SG_OK;
}

static void serial_close(printer *pr)
{
    if (!pr->port)
        return;
    if (pr->port_open)
        sp_close(pr->port);
    sp_free_port(pr->port);
    pr->port = NULL;
}

static const printer_ops serial_ops = {
    serial_write, serial_drain, serial_discard_input, serial_read_byte, serial_close,
};

static enum sp_flowcontrol flow_from_name(const char *name)
{
    if (!strcmp(name, "rtscts"))
        return SP_FLOWCONTROL_RTSCTS;
    if (!strcmp(name, "xonxoff"))
        return SP_FLOWCONTROL_XONXOFF;
    return SP_FLOWCONTROL_NONE;
}

/* 8N1 at cfg's baud and flow control, set in one tcsetattr. */
static sg_rc configure(printer *pr, const sg_config *cfg)
{
    struct sp_port_config *conf = NULL;
    enum sp_return r;

    if ((r = sp_new_config(&conf)) != SP_OK)
        return sp_fail(pr, r, "new config");
    if ((r = sp_get_config(pr->port, conf)) == SP_OK &&
        (r = sp_set_config_baudrate(conf, cfg->printer_baud)) == SP_OK &&
        (r = sp_set_config_bits(conf, 8)) == SP_OK &&
        (r = sp_set_config_parity(conf, SP_PARITY_NONE)) == SP_OK &&
        (r = sp_set_config_stopbits(conf, 1)) == SP_OK &&
        (r = sp_set_config_flowcontrol(conf, flow_from_name(cfg->printer_flow))) == SP_OK)
        r = sp_set_config(pr->port, conf);
    sp_free_config(conf);
    return r == SP_OK ? SG_OK : sp_fail(pr, r, "setting 8N1, baud rate and flow control");
}

sg_rc printer_serial_open(printer *pr, const sg_config *cfg)
{
    char resolved[PATH_MAX];
    const char *dev = cfg->printer_device;
    enum sp_return r;
    int n;

    pr->ops = &serial_ops;
    snprintf(pr->path, sizeof pr->path, "%s", dev);
    if (!dev[0])
        return printer_fail(pr, SG_EINVAL, "[printer] device: required when transport = "
                                           "serial (`signpost printers` lists the ports)");
    if (!realpath(dev, resolved))
        return printer_fail(pr, errno == ENOENT ? SG_ENOTFOUND : SG_EIO,
                            "serial %s: %s (is the printer plugged in and switched on? "
                            "`signpost printers` lists the ports)",
                            dev, strerror(errno));
    n = snprintf(pr->path, sizeof pr->path, "%s", resolved);
    if (n < 0 || (size_t)n >= sizeof pr->path)
        return printer_fail(pr, SG_EINVAL, "serial %s: resolved path too long", dev);
    snprintf(pr->describe, sizeof pr->describe, "serial %s%s%s%s %d 8N1 flow %s", pr->path,
             strcmp(dev, pr->path) ? " (" : "", strcmp(dev, pr->path) ? dev : "",
             strcmp(dev, pr->path) ? ")" : "", cfg->printer_baud, cfg->printer_flow);
    if ((r = sp_get_port_by_name(pr->path, &pr->port)) != SP_OK) {
        pr->port = NULL;
        return r == SP_ERR_ARG
                   ? printer_fail(pr, SG_ENOTFOUND,
                                  "serial %s: not a serial port (no /sys/class/tty entry)",
                                  pr->path)
                   : sp_fail(pr, r, "looking up the port");
    }
    if ((r = sp_open(pr->port, SP_MODE_READ_WRITE)) != SP_OK)
        return sp_fail(pr, r, "open");
    pr->port_open = 1;
    return configure(pr, cfg);
}

/* Another name for port: /dev/serial0-style and /dev/serial/by-id links. */
static void find_alias(const char *port, char *alias, size_t len)
{
    static const char *const fixed[] = {"/dev/serial0", "/dev/serial1"};
    char target[PATH_MAX], link[PATH_MAX];
    struct dirent *e;
    DIR *d;

    alias[0] = '\0';
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (realpath(fixed[i], target) && !strcmp(target, port)) {
            snprintf(alias, len, "%s", fixed[i]);
            return;
        }
    if (!(d = opendir("/dev/serial/by-id")))
        return;
    while ((e = readdir(d)) && !alias[0]) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(link, sizeof link, "/dev/serial/by-id/%s", e->d_name);
        if (realpath(link, target) && !strcmp(target, port))
            snprintf(alias, len, "%s", link);
    }
    closedir(d);
}

static sg_rc report_port(struct sp_port *port, printer_port_fn fn, void *ctx)
{
    char alias[PATH_MAX];
    printer_port_info info;

    memset(&info, 0, sizeof info);
    info.name = sp_get_port_name(port);
    info.description = sp_get_port_description(port);
    info.usb_vid = info.usb_pid = -1;
    find_alias(info.name, alias, sizeof alias);
    info.alias = alias[0] ? alias : NULL;
    if (sp_get_port_transport(port) == SP_TRANSPORT_USB) {
        info.usb = 1;
        if (sp_get_port_usb_vid_pid(port, &info.usb_vid, &info.usb_pid) != SP_OK)
            info.usb_vid = info.usb_pid = -1;
        info.usb_manufacturer = sp_get_port_usb_manufacturer(port);
        info.usb_product = sp_get_port_usb_product(port);
        info.usb_serial = sp_get_port_usb_serial(port);
    }
    return fn(ctx, &info);
}

sg_rc printer_list_ports(printer_port_fn fn, void *ctx, size_t *count, char *err,
                         size_t errlen)
{
    struct sp_port **list = NULL;
    enum sp_return r;
    char *msg;
    sg_rc rc = SG_OK;

    *count = 0;
    if ((r = sp_list_ports(&list)) != SP_OK) {
        msg = sp_last_error_message();
        snprintf(err, errlen, "listing serial ports: %s", msg ? msg : "failed");
        sp_free_error_message(msg);
        return SG_EIO;
    }
    for (size_t i = 0; list[i] && !rc; i++, (*count)++)
        rc = report_port(list[i], fn, ctx);
    sp_free_port_list(list);
    return rc;
}
