/*
 * How long a receipt takes to cross a serial line through the kiosk's own
 * printer code, against the physical floor (bytes x 10 / baud, 8N1).
 *
 * For each shipped profile and each of 9600 and 19200 baud it builds the
 * typical receipt (receipt_visit.h: the bytes bench_receipt counts),
 * starts fake_printer on a pseudo-terminal taking bytes at exactly that
 * line rate (--baud), opens it through printer_open() with the serial
 * transport (libserialport, reaching the pty through the test shim), and
 * sends the job as the print worker does, on a thread of its own: status,
 * printer_write() (pacing, write, drain), status.  Flow control is the
 * profile's: RTS/CTS for the Epsons; none, and so the profile's pacing,
 * for the 58 mm printers.
 *
 * "measured" runs from just before printer_write() to the moment the fake
 * has recorded the job's last byte (its record file reaching the size),
 * which this thread watches; "writer" is when printer_write() returned.
 * The budget is "within 10% of the floor where there is flow control".
 *
 * The caveat, printed with the table: a pty has no baud rate, and its
 * kernel buffers hold about 20 KB, so the writer never waits and its
 * drain returns at once; the line rate is the fake's.  A real UART's
 * transmit buffer (4 KB) also holds a whole receipt, and there drain
 * returns about when "measured" ends.  A printer that holds CTS because
 * its own buffer is full is not modelled.
 *
 *   bench_print_wire [-n RUNS] [SOURCE_DIR]
 *
 * libserialport 0.1.1 cannot open a pty by itself, so the program re-runs
 * itself once with the test shim (tests/printer/pty_shim.c) preloaded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "fake.h" /* tests/printer: starting and stopping fake_printer */
#include "receipt_visit.h"
#include "signpost/printer.h"

#define STATUS_TIMEOUT_MS 1500 /* as src/daemon/print_worker.c */
#define WATCH_POLL_NS 100000L  /* how often the record's size is looked at */
#define BUDGET_RATIO 1.10
#define MAX_RUNS 20

static const char *const profiles[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
static const int bauds[] = {9600, 19200};

/* One job through the printer, as the print worker sends it. */
typedef struct {
    printer *pr;
    const sg_buf *job;
    int write_timeout_ms;
    const char *record;
    atomic_int started;  /* base and t0 are set */
    atomic_int finished; /* everything below is set */
    size_t base;         /* bytes the fake had recorded before the job */
    double t0;           /* seconds: just before printer_write() */
    double t_written;    /* printer_write() returned */
    sg_rc rc;
    printer_state before, after;
    char err[512];
} job_run;

/* One cell of the table: the worst of its runs. */
typedef struct {
    double measured, writer;
    printer_state after;
} cell;

static size_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* The print worker's sequence (print_one() in src/daemon/print_worker.c). */
static void *send_job(void *arg)
{
    job_run *j = arg;

    if (printer_status(j->pr, &j->before, STATUS_TIMEOUT_MS) != SG_OK)
        j->before = PRINTER_NO_ANSWER;
    /* The status queries are in the record before their answers came back. */
    j->base = file_size(j->record);
    j->t0 = bench_now_s();
    atomic_store(&j->started, 1);
    if (!printer_state_can_print(j->before)) { /* the worker would requeue the job */
        j->rc = SG_EBUSY;
        snprintf(j->err, sizeof j->err, "printer %s", printer_state_name(j->before));
        goto out;
    }
    j->rc = printer_write(j->pr, j->job->data, j->job->len, j->write_timeout_ms);
    j->t_written = bench_now_s();
    if (j->rc)
        snprintf(j->err, sizeof j->err, "%s", printer_errmsg(j->pr));
    else if (printer_status(j->pr, &j->after, STATUS_TIMEOUT_MS) != SG_OK)
        j->after = PRINTER_NO_ANSWER;
out:
    atomic_store(&j->finished, 1);
    return NULL;
}

static void nap(void)
{
    struct timespec ts = {0, WATCH_POLL_NS};
    nanosleep(&ts, NULL);
}

/* Seconds from j->t0 until the record holds the whole job; -1 if it never did. */
static double watch(job_run *j)
{
    size_t want;

    while (!atomic_load(&j->started))
        nap();
    want = j->base + j->job->len;
    for (;;) {
        int done = atomic_load(&j->finished);
        if (file_size(j->record) >= want)
            return bench_now_s() - j->t0;
        if (done) /* the writer gave up; nothing more is coming */
            return -1;
        nap();
    }
}

/* 0 when the record holds exactly the job after the status queries. */
static int check_record(const job_run *j)
{
    size_t len;
    unsigned char *got = fake_read_file(j->record, &len);
    int rc = -1;

    if (got && len >= j->base + j->job->len &&
        !memcmp(got + j->base, j->job->data, j->job->len))
        rc = 0;
    free(got);
    return rc;
}

/* Opens the fake's pty as the daemon would; *timeout_ms is [printer] timeout_s. */
static int open_printer(const fake_printer *f, const printer_profile *p, int baud,
                        printer **pr, int *timeout_ms, char *err, size_t errlen)
{
    char num[16];
    sg_config cfg;

    config_defaults(&cfg);
    snprintf(num, sizeof num, "%d", baud);
    if (config_set(&cfg, "printer", "transport", "serial", err, errlen) ||
        config_set(&cfg, "printer", "device", f->device, err, errlen) ||
        config_set(&cfg, "printer", "baud", num, err, errlen) ||
        config_set(&cfg, "printer", "flow", printer_flow_name(p->flow), err, errlen))
        return -1;
    *timeout_ms = cfg.printer_timeout_s * 1000;
    return printer_open(&cfg, p, pr, err, errlen) ? -1 : 0;
}

/* Sends job once at baud to a fresh fake; fills c.  0 on success. */
static int run_once(const printer_profile *p, const sg_buf *job, int baud, cell *c)
{
    char num[16], err[512];
    const char *args[] = {"--baud", num, NULL};
    fake_printer f;
    job_run j;
    pthread_t t;
    int timeout, rc = -1;

    memset(&j, 0, sizeof j);
    snprintf(num, sizeof num, "%d", baud);
    if (fake_start(&f, "pty", args)) {
        fprintf(stderr, "bench_print_wire: cannot start fake_printer\n");
        goto out;
    }
    if (open_printer(&f, p, baud, &j.pr, &timeout, err, sizeof err)) {
        fprintf(stderr, "bench_print_wire: %s: %s\n", p->name, err);
        goto out;
    }
    j.job = job;
    j.record = f.record;
    /* As print_one(): the pacing floor plus the configured timeout. */
    j.write_timeout_ms = (int)printer_write_floor_ms(j.pr, job->len) + timeout;
    if (pthread_create(&t, NULL, send_job, &j)) {
        fprintf(stderr, "bench_print_wire: cannot start a thread\n");
        goto out;
    }
    c->measured = watch(&j);
    pthread_join(t, NULL);
    c->writer = j.t_written - j.t0;
    c->after = j.after;
    if (j.rc || c->measured < 0) {
        fprintf(stderr, "bench_print_wire: %s at %d: %s\n", p->name, baud,
                j.rc ? j.err : "the fake never received the whole job");
        goto out;
    }
    if (check_record(&j)) {
        fprintf(stderr, "bench_print_wire: %s at %d: the fake received other bytes\n",
                p->name, baud);
        goto out;
    }
    rc = 0;
out:
    printer_close(j.pr);
    fake_stop(&f);
    return rc;
}

/* The worst of runs sends: the budget is about the slow case. */
static int run_cell(const printer_profile *p, const sg_buf *job, int baud, int runs,
                    cell *worst)
{
    memset(worst, 0, sizeof *worst);
    for (int i = 0; i < runs; i++) {
        cell c;
        if (run_once(p, job, baud, &c))
            return -1;
        if (c.measured > worst->measured)
            *worst = c;
        if (c.after != PRINTER_READY) /* a status that did not come back is news */
            worst->after = c.after;
    }
    return 0;
}

static void print_row(const printer_profile *p, size_t bytes, int baud, const cell *c)
{
    double floor_s = (double)bytes * 10 / baud, ratio = c->measured / floor_s;
    char flow[32];
    const char *verdict = "n/a (no flow control)";

    if (p->flow == PRINTER_FLOW_NONE)
        snprintf(flow, sizeof flow, "none, paced %d B/s", p->pacing_bytes_per_s);
    else {
        snprintf(flow, sizeof flow, "%s", printer_flow_name(p->flow));
        verdict = ratio <= BUDGET_RATIO ? "met" : "NOT met";
    }
    printf("  %-10s %-6s %5zu %5d %-20s %6.3f %8.3f %6.3f %7.3f  %-10s %s\n", p->name,
           p->native_qr ? "native" : "raster", bytes, baud, flow, floor_s, c->measured,
           ratio, c->writer, printer_state_name(c->after), verdict);
}

static void print_notes(int runs)
{
    static const char *const caveat[] = {
        "caveat: the line is a pseudo-terminal, and fake_printer --baud takes bytes at",
        "the line rate.  A pty's kernel buffers hold about 20 KB, more than a receipt,",
        "so the writer never blocks and its drain returns at once ('writer'); the wire",
        "time is the fake's schedule.  On a real UART the 4 KB transmit buffer also",
        "holds a whole receipt and drain returns when the last byte is out, about",
        "'measured'.  So this shows what the code path (status exchange, libserialport,",
        "pacing) adds to the wire; a printer holding CTS because its own buffer is",
        "full, a USB adapter's latency and status replies at line rate are not modelled.",
        "And on a pty the worker's status check after the job queues behind all of it",
        "(at 9600, most of its 1.5 s timeout); 'after' shows whether it still answered.",
    };

    printf(
        "\n  measured: from the first byte written until the fake had recorded the last\n"
        "  (the worst of %d run%s); writer: until printer_write() (pacing, write,\n"
        "  drain) returned; after: the worker's status check after the job;\n"
        "  floor: bytes x 10 / baud.  Budget: within 10%% of the floor where there is\n"
        "  flow control.\n\n",
        runs, runs == 1 ? "" : "s");
    for (size_t i = 0; i < sizeof caveat / sizeof caveat[0]; i++)
        printf("  %s\n", caveat[i]);
}

/* libserialport needs the shim to open a pty: run again with it preloaded. */
static void preload_shim(char **argv)
{
    const char *pre = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
    char buf[1024];

    if (pre && strstr(pre, BENCH_PTY_SHIM))
        return;
    snprintf(buf, sizeof buf, "%s%s%s", BENCH_PTY_SHIM, pre && *pre ? ":" : "",
             pre ? pre : "");
    setenv("LD_PRELOAD", buf, 1);
    /* The shim comes before a sanitizer runtime; tell it not to mind. */
    snprintf(buf, sizeof buf, "%s%sverify_asan_link_order=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", buf, 1);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "bench_print_wire: re-running with the pty shim: %s\n",
            strerror(errno));
    exit(1);
}

static int parse_args(int argc, char **argv, int *runs, const char **src)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            if (bench_parse_int(argv[++i], 1, MAX_RUNS, runs, NULL))
                return -1;
        } else if (argv[i][0] != '-')
            *src = argv[i];
        else
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *src = BENCH_SOURCE_DIR;
    char path[512], err[512];
    bench_visit *v = NULL;
    int runs = 1, rc = 1;

    if (parse_args(argc, argv, &runs, &src)) {
        fprintf(stderr, "usage: bench_print_wire [-n RUNS (1-%d)] [SOURCE_DIR]\n",
                MAX_RUNS);
        return 2;
    }
    preload_shim(argv);
    if (bench_visit_open(src, &v, err, sizeof err)) {
        fprintf(stderr, "bench_print_wire: %s\n", err);
        goto out;
    }
    snprintf(path, sizeof path, "%s/data/printers/profiles.json", src);
    printf("receipt: 3 needs, %zu places, Spanish; serial through libserialport to "
           "fake_printer --baud on a pty\n\n",
           bench_visit_places(v));
    printf("  %-10s %-6s %5s %5s %-20s %6s %8s %6s %7s  %-10s %s\n", "profile", "QR",
           "bytes", "baud", "flow", "floor", "measured", "ratio", "writer", "after",
           "verdict");
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        printer_profile p;
        sg_buf job;
        sg_buf_init(&job, 1 << 20);
        if (printer_profile_load(path, profiles[i], &p, err, sizeof err) ||
            bench_visit_encode(v, &p, &job)) {
            fprintf(stderr, "bench_print_wire: %s: %s\n", profiles[i], err);
            sg_buf_free(&job);
            goto out;
        }
        for (size_t b = 0; b < sizeof bauds / sizeof bauds[0]; b++) {
            cell c;
            if (run_cell(&p, &job, bauds[b], runs, &c)) {
                sg_buf_free(&job);
                goto out;
            }
            print_row(&p, job.len, bauds[b], &c);
            fflush(stdout);
        }
        sg_buf_free(&job);
    }
    print_notes(runs);
    rc = 0;
out:
    bench_visit_close(v);
    return rc;
}
