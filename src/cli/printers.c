/*
 * `signpost printers` and `signpost print-test`: the two commands the
 * person installing a kiosk runs to find the printer and prove it works.
 *
 * `printers` lists the serial ports libserialport finds, with what a USB
 * adapter says about itself (vendor and product ids, maker and product
 * names), because "which of ttyUSB0 and ttyACM0 is the printer" is the
 * first question of every install.  USB printer-class devices
 * (/dev/usb/lp*) are not serial ports; they are named too, with the way to
 * use them.
 *
 * `print-test` prints a page that checks what goes wrong in practice: the
 * profile (so a wrong one shows), a column ruler (wrong width or font), a
 * line of Spanish accents (wrong code page), and a QR code (a printer
 * without native QR prints junk where it should be).  It asks the printer
 * for its status before and after, refuses to send a job into a printer
 * that says it cannot print, and exits 1 when anything failed.
 */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/buf.h"
#include "signpost/cli.h"
#include "signpost/codepage.h"
#include "signpost/escpos.h"
#include "signpost/printer.h"
#include "signpost/receipt.h"

#define TEST_QR_PAYLOAD "https://example.org"
#define STATUS_TIMEOUT_MS 2000
#define WRITE_SLACK_MS 15000 /* beyond pacing: a slow printer, a busy network */
#define JOB_CAP (256 * 1024)

/* ---- signpost printers ---- */

static void printers_usage(FILE *out)
{
    fprintf(out, "usage: signpost printers\n"
                 "\n"
                 "Lists the serial ports a receipt printer could be on, with the USB\n"
                 "vendor and product of USB-serial adapters.  Put the right one in\n"
                 "[printer] device, then run 'signpost print-test'.\n");
}

static sg_rc show_port(void *ctx, const printer_port_info *i)
{
    (void)ctx;
    printf("%s\n", i->name);
    if (i->description && *i->description)
        printf("    %s\n", i->description);
    if (i->usb) {
        printf("    USB");
        if (i->usb_vid >= 0)
            printf(" %04x:%04x", (unsigned)i->usb_vid, (unsigned)i->usb_pid);
        if (i->usb_manufacturer)
            printf(", %s", i->usb_manufacturer);
        if (i->usb_product)
            printf(", %s", i->usb_product);
        if (i->usb_serial)
            printf(", serial %s", i->usb_serial);
        printf("\n");
    }
    if (i->alias)
        printf("    also %s\n", i->alias);
    return SG_OK;
}

/* USB printer-class devices: not serial, but usable through the file transport. */
static void show_usb_lp(void)
{
    DIR *d = opendir("/dev/usb");
    struct dirent *e;
    int header = 0;

    if (!d)
        return;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "lp", 2)) {
            if (!header++)
                printf("\nUSB printer-class devices (not serial ports; to use one set\n"
                       "[printer] transport = file and path = the device; no status):\n");
            printf("/dev/usb/%s\n", e->d_name);
        }
    closedir(d);
}

int cmd_printers(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char err[256];
    size_t count = 0;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            printers_usage(stdout);
            return SG_EXIT_OK;
        }
        printers_usage(stderr);
        return SG_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "signpost printers: unexpected argument \"%s\"\n", argv[optind]);
        return SG_EXIT_USAGE;
    }
    if (printer_list_ports(show_port, NULL, &count, err, sizeof err)) {
        fprintf(stderr, "signpost printers: %s\n", err);
        return SG_EXIT_FAIL;
    }
    if (count)
        printf("\n%zu serial port%s.  Set [printer] device to the printer's; a\n"
               "/dev/serial/by-id name stays the same when the adapter is re-plugged.\n",
               count, count == 1 ? "" : "s");
    else
        printf("No serial ports found.  Plug in the printer (or its USB-serial\n"
               "adapter) and run this again; 'dmesg' shows what the kernel saw.  A\n"
               "network printer needs no port: set [printer] transport = tcp and host.\n");
    show_usb_lp();
    return SG_EXIT_OK;
}

/* ---- signpost print-test: the page ---- */

/* Appends a copy of text[0..len) as a line; the model owns the copy. */
static sg_rc add_line(receipt_model *m, receipt_kind kind, unsigned style, const char *text,
                      size_t len, int module)
{
    char *copy;

    if (m->nlines == RECEIPT_MAX_LINES)
        return SG_ETOOBIG;
    if (m->nlines == m->alloc) {
        size_t n = m->alloc ? m->alloc * 2 : 32;
        receipt_line *grown = realloc(m->lines, n * sizeof *grown);
        if (!grown)
            return SG_ENOMEM;
        m->lines = grown;
        m->alloc = n;
    }
    if (!(copy = malloc(len + 1)))
        return SG_ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    m->lines[m->nlines++] = (receipt_line){kind, style, copy, module};
    return SG_OK;
}

typedef struct {
    receipt_model *m;
    unsigned style;
} wrap_ctx;

static sg_rc wrapped_line(void *ctx, const char *s, size_t len)
{
    wrap_ctx *w = ctx;
    return add_line(w->m, RECEIPT_TEXT, w->style, s, len, 0);
}

/* text in style, wrapped to the columns the printer has for that style. */
static sg_rc say(receipt_model *m, const printer_profile *p, unsigned style,
                 const char *text)
{
    wrap_ctx w = {m, style};

    if (!*text)
        return add_line(m, RECEIPT_TEXT, style, "", 0, 0);
    return text_wrap(text, (size_t)receipt_columns(p, style), p->page, wrapped_line, &w);
}

/* Two lines that show where the columns are: tens above, units below. */
static sg_rc ruler(receipt_model *m, const printer_profile *p, unsigned style)
{
    char tens[256], units[256];
    int cols = receipt_columns(p, style);
    sg_rc rc;

    if (cols > (int)sizeof tens - 1)
        cols = (int)sizeof tens - 1;
    for (int i = 1; i <= cols; i++) {
        tens[i - 1] = (char)(i % 10 ? '.' : '0' + (i / 10) % 10);
        units[i - 1] = (char)('0' + i % 10);
    }
    if ((rc = add_line(m, RECEIPT_TEXT, style, tens, (size_t)cols, 0)))
        return rc;
    return add_line(m, RECEIPT_TEXT, style, units, (size_t)cols, 0);
}

static sg_rc build_page(const printer_profile *p, const char *link, receipt_model *m)
{
    char line[512], when[64];
    time_t now = time(NULL);
    struct tm tm;
    sg_rc rc;

    memset(m, 0, sizeof *m);
    m->columns = p->columns_font_a;
    m->cut = p->cutter;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
#define SAY(style, ...)                                                                \
    do {                                                                               \
        snprintf(line, sizeof line, __VA_ARGS__);                                      \
        if ((rc = say(m, p, (style), line)))                                           \
            goto out;                                                                  \
    } while (0)
    SAY(RECEIPT_BOLD | RECEIPT_TALL | RECEIPT_CENTER, "signpost test page");
    SAY(RECEIPT_CENTER, "signpost %s, %s", SIGNPOST_VERSION, when);
    SAY(0, "%s", "");
    SAY(RECEIPT_BOLD, "Profile: %s", p->name);
    SAY(0, "%s", p->description);
    SAY(0, "Printer: %s", link);
    SAY(0, "Code page: %s (ESC t %d)", codepage_name(p->page), p->codepage_esc_t);
    SAY(0, "Paper: %d dots, %d columns", p->dots_per_line, p->columns_font_a);
    SAY(0, "%s", "");
    SAY(RECEIPT_BOLD, "%s", "Font A columns:");
    if ((rc = ruler(m, p, 0)))
        goto out;
    if (p->columns_font_b) {
        SAY(RECEIPT_BOLD, "%s", "Font B columns:");
        if ((rc = ruler(m, p, RECEIPT_SMALL)))
            goto out;
    }
    SAY(0, "%s", "");
    SAY(RECEIPT_BOLD, "%s", "Spanish (each letter, no ?):");
    SAY(0, "%s", "áéíóú ñ ¿¡ ÁÉÍÓÚ Ñ €");
    SAY(0, "%s", "");
    SAY(RECEIPT_BOLD, "QR (%s, scan it):", p->native_qr ? "native" : "raster");
    SAY(0, "%s", TEST_QR_PAYLOAD);
    rc = add_line(m, RECEIPT_QR, 0, TEST_QR_PAYLOAD, strlen(TEST_QR_PAYLOAD),
                  p->qr_module_dots);
#undef SAY
out:
    if (rc)
        receipt_model_free(m);
    return rc;
}

/* ---- signpost print-test: the command ---- */

static void print_test_usage(FILE *out)
{
    fprintf(out,
            "usage: signpost print-test [--config FILE] [--state-dir DIR]\n"
            "\n"
            "Prints a test page (profile, column rulers, Spanish accents, a QR code)\n"
            "on the printer in [printer], and reports its status before and after.\n"
            "  --config FILE    the INI configuration file\n"
            "  --state-dir DIR  [store] dir (the file transport's default output)\n");
}

/* Asks for the status and prints it; -1 when the link failed. */
static int report_status(printer *pr, const char *when, printer_state *st)
{
    if (printer_status(pr, st, STATUS_TIMEOUT_MS)) {
        fprintf(stderr, "signpost print-test: %s\n", printer_errmsg(pr));
        return -1;
    }
    printf("status %s: %s\n", when, printer_state_name(*st));
    if (*st == PRINTER_NO_ANSWER)
        printf("  (no answer to DLE EOT: some printers do not implement status)\n");
    return 0;
}

/* Builds and encodes the page for p into job. */
static int make_job(const printer_profile *p, const char *link, sg_buf *job)
{
    receipt_model m;
    sg_rc rc;

    if ((rc = build_page(p, link, &m))) {
        fprintf(stderr, "signpost print-test: test page: %s\n", sg_strerror(rc));
        return -1;
    }
    rc = escpos_encode(&m, p, job);
    receipt_model_free(&m);
    if (rc) {
        fprintf(stderr, "signpost print-test: encoding: %s\n", sg_strerror(rc));
        return -1;
    }
    return 0;
}

static int print_test(const sg_config *cfg)
{
    char path[SG_CFG_PATH + 32], err[1024];
    printer_profile p;
    printer *pr = NULL;
    printer_state st;
    sg_buf job;
    struct timespec t0, t1;
    int rc = SG_EXIT_FAIL;

    sg_buf_init(&job, JOB_CAP);
    snprintf(path, sizeof path, "%s/printers/profiles.json", cfg->data_dir);
    if (printer_profile_load(path, cfg->printer_profile, &p, err, sizeof err) ||
        printer_open(cfg, &p, &pr, err, sizeof err)) {
        fprintf(stderr, "signpost print-test: %s\n", err);
        goto out;
    }
    printf("printer: %s, profile %s\n", printer_describe(pr), p.name);
    if (report_status(pr, "before", &st) < 0)
        goto out;
    if (!printer_state_can_print(st)) {
        fprintf(stderr, "signpost print-test: the printer reports %s; not printing\n",
                printer_state_name(st));
        goto out;
    }
    if (make_job(&p, printer_describe(pr), &job) < 0)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (printer_write(pr, job.data, job.len,
                      (int)(printer_write_floor_ms(pr, job.len) + WRITE_SLACK_MS))) {
        fprintf(stderr, "signpost print-test: %s\n", printer_errmsg(pr));
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("sent %zu bytes in %.2f s\n", job.len,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (report_status(pr, "after", &st) == 0 && printer_state_can_print(st))
        rc = SG_EXIT_OK;
    if (rc == SG_EXIT_OK)
        printf("Now look at the paper: the rulers should end at the edge, the Spanish\n"
               "line should show every letter (no '?'), and the QR code should scan.\n");
out:
    printer_close(pr);
    sg_buf_free(&job);
    return rc;
}

int cmd_print_test(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *state = NULL;
    sg_config *cfg;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': state = optarg; break;
        case 'h': print_test_usage(stdout); return SG_EXIT_OK;
        default: print_test_usage(stderr); return SG_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "signpost print-test: unexpected argument \"%s\"\n", argv[optind]);
        return SG_EXIT_USAGE;
    }
    cfg = malloc(sizeof *cfg); /* large: keep it off the stack */
    if (!cfg)
        return SG_EXIT_FAIL;
    rc = cli_load_config(cfg, config, state, NULL);
    if (rc == SG_EXIT_OK) {
        setenv("TZ", cfg->clinic_timezone, 1);
        tzset();
        signal(SIGPIPE, SIG_IGN);
        rc = print_test(cfg);
    }
    free(cfg);
    return rc;
}
