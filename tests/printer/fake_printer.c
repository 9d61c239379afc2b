/*
 * A fake ESC/POS receipt printer for the printer tests.
 *
 *   fake_printer (--pty | --tcp) --record FILE [--qr FILE] [--script FILE]
 *                [--state NAME]... [--slow MS | --baud N] [--lifetime S]
 *
 * It listens on a pseudo-terminal (the tests reach it through the real
 * libserialport with pty_shim.so preloaded) or on a TCP port on 127.0.0.1
 * picked by the kernel, and prints one line saying where: "pty /dev/pts/7"
 * or "tcp 40123".  Every byte received is appended to the record file as
 * it arrives, so a test can compare the bytes exactly.
 *
 * It understands just enough ESC/POS to behave like a printer: DLE EOT n
 * (real-time status) is answered with the byte the current state calls
 * for; GS ( k and GS v 0 are skipped by their declared length, so bytes
 * inside QR data or a raster image are never taken for a status query;
 * and the QR store command (GS ( k ... 1 P 0 data) has its payload written
 * to the --qr file, which is how a test checks a native QR code.
 *
 * States (from --state, repeatable, or a --script file with one per line,
 * '#' comments): ready, near-end, paper-out, cover-open, offline, error,
 * garbled (answers a byte that is not a status byte) and silent (answers
 * nothing).  Each DLE EOT 1 moves to the next state, the last one
 * repeating, so a script plays one state per printer_status() call.
 * --slow MS reads 16 bytes at a time with MS milliseconds between reads,
 * like a printer whose buffer drains at the speed of its print head.
 *
 * --baud N takes bytes at exactly the rate of an 8N1 line at N baud, N/10
 * bytes a second, so a benchmark can time a job against the wire (see
 * bench/bench_print_wire.c).  It takes at most about 4 ms of bytes from
 * the kernel at a time and records each byte only when it would have
 * arrived, on a schedule computed from the start of the burst on the
 * monotonic clock, so sleeping late never adds up to a slower rate.  A
 * burst ends when the fake finds nothing waiting: an idle line banks no
 * credit, so the next byte after a pause is not taken early.  Bytes the
 * fake has not taken stay in the kernel, which is the back-pressure a
 * printer holding RTS/CTS (or a UART at that speed) gives the writer, with
 * one difference: a pty's kernel buffers hold about 20 KB (Linux 6.x), far
 * more than a receipt, so the writer's write() and drain return long
 * before the bytes have "arrived"; time a job by the record file, not by
 * the writer.  Status replies go back at once, not at line rate (1 ms a
 * byte at 9600).
 *
 * It stops on SIGTERM, SIGINT, or after --lifetime seconds (default 60),
 * so a crashed test never leaves it running.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_STATES 64
#define ACC_CAP (1 << 20) /* unparsed bytes kept; far above any test job */
#define SLOW_CHUNK 16
#define NS_PER_S 1000000000LL
#define LINE_CHUNK_PER_S 250 /* --baud reads about 4 ms of bytes at a time */
#define LINE_CHUNK_MAX 64

typedef enum {
    ST_READY,
    ST_NEAR_END,
    ST_PAPER_OUT,
    ST_COVER_OPEN,
    ST_OFFLINE,
    ST_ERROR,
    ST_GARBLED,
    ST_SILENT
} state;

static const char *const state_names[] = {"ready",   "near-end", "paper-out", "cover-open",
                                          "offline", "error",    "garbled",   "silent"};

/* Answers to DLE EOT 1, 2, 3, 4 in each state (Epson's bit layouts). */
static const unsigned char answers[][4] = {
    [ST_READY] = {0x12, 0x12, 0x12, 0x12},
    [ST_NEAR_END] = {0x12, 0x12, 0x12, 0x1E},
    [ST_PAPER_OUT] = {0x1A, 0x32, 0x12, 0x72},
    [ST_COVER_OPEN] = {0x1A, 0x16, 0x12, 0x12},
    [ST_OFFLINE] = {0x1A, 0x12, 0x12, 0x12},
    [ST_ERROR] = {0x1A, 0x52, 0x52, 0x12},
    [ST_GARBLED] = {0xFF, 0xFF, 0xFF, 0xFF},
};

static volatile sig_atomic_t stop;

static struct {
    state states[MAX_STATES];
    int nstates, current, started;
    int slow_ms;
    long baud;                /* --baud: 0 means "as fast as it comes" */
    int line_busy;            /* --baud: bytes were waiting after the last chunk */
    long long burst_start_ns; /* --baud: when the current burst began */
    long long burst_bytes;    /* --baud: bytes taken since then */
    const char *record, *qr;
    int recfd;
    unsigned char *acc;
    size_t len;
} fp;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int parse_state(const char *name, state *out)
{
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (!strcmp(name, state_names[i])) {
            *out = (state)i;
            return 0;
        }
    fprintf(stderr, "fake_printer: unknown state \"%s\"\n", name);
    return -1;
}

static int add_state(const char *name)
{
    if (fp.nstates == MAX_STATES) {
        fprintf(stderr, "fake_printer: more than %d states\n", MAX_STATES);
        return -1;
    }
    return parse_state(name, &fp.states[fp.nstates++]);
}

static int load_script(const char *path)
{
    char line[128];
    FILE *f = fopen(path, "r");
    int rc = 0;

    if (!f) {
        fprintf(stderr, "fake_printer: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (!rc && fgets(line, sizeof line, f)) {
        char *p = line, *end;
        while (*p == ' ' || *p == '\t')
            p++;
        end = p + strcspn(p, " \t\r\n#");
        *end = '\0';
        if (*p)
            rc = add_state(p);
    }
    fclose(f);
    return rc;
}

static void write_all(int fd, const unsigned char *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        b += w;
        n -= (size_t)w;
    }
}

static void answer_status(int fd, unsigned char n)
{
    state s;

    if (n < 1 || n > 4)
        return;
    if (n == 1 && fp.started && fp.current + 1 < fp.nstates)
        fp.current++;
    if (n == 1)
        fp.started = 1;
    s = fp.states[fp.current];
    if (s != ST_SILENT)
        write_all(fd, &answers[s][n - 1], 1);
}

static void save_qr(const unsigned char *data, size_t n)
{
    int fd;

    fprintf(stderr, "fake_printer: QR payload: %.*s\n", (int)n, (const char *)data);
    if (!fp.qr)
        return;
    fd = open(fp.qr, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    write_all(fd, data, n);
    close(fd);
}

/* Bytes the command at a[0..n) spans: 0 when incomplete, 1 for "not one we know". */
static size_t command_length(int fd, const unsigned char *a, size_t n)
{
    size_t len;

    if (a[0] == 0x10) { /* DLE EOT n */
        if (n < 3)
            return 0;
        if (a[1] != 0x04)
            return 1;
        answer_status(fd, a[2]);
        return 3;
    }
    if (a[0] != 0x1D)
        return 1;
    if (n < 3)
        return 0;
    if (a[1] == '(') { /* GS ( fn pL pH data */
        if (n < 5)
            return 0;
        len = 5 + (size_t)a[3] + 256 * (size_t)a[4];
        if (n < len)
            return 0;
        if (a[2] == 'k' && len >= 8 && a[5] == '1' && a[6] == 'P' && a[7] == '0')
            save_qr(a + 8, len - 8);
        return len;
    }
    if (a[1] == 'v' && a[2] == '0') { /* GS v 0 m xL xH yL yH data */
        if (n < 8)
            return 0;
        len = 8 + ((size_t)a[4] + 256 * (size_t)a[5]) * ((size_t)a[6] + 256 * (size_t)a[7]);
        return n < len ? 0 : len;
    }
    return 1;
}

/* Records buf and interprets whatever complete commands it finishes. */
static void take(int fd, const unsigned char *buf, size_t n)
{
    size_t pos = 0, step;

    write_all(fp.recfd, buf, n);
    if (fp.len + n > ACC_CAP) { /* cannot happen in the tests; never overflow */
        fprintf(stderr, "fake_printer: command larger than %d bytes\n", ACC_CAP);
        fp.len = 0;
        return;
    }
    memcpy(fp.acc + fp.len, buf, n);
    fp.len += n;
    while (pos < fp.len && (step = command_length(fd, fp.acc + pos, fp.len - pos)))
        pos += step;
    memmove(fp.acc, fp.acc + pos, fp.len - pos);
    fp.len -= pos;
}

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void sleep_until_ns(long long at)
{
    struct timespec ts = {(time_t)(at / NS_PER_S), (long)(at % NS_PER_S)};

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop)
        ;
}

/* 1 when fd has bytes waiting right now. */
static int readable_now(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};

    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/*
 * --baud: takes one chunk from the kernel and records each of its bytes
 * when it would have crossed an 8N1 line (10 bits a byte).  Byte by byte,
 * so that a job's last byte is not recorded late because the writer's
 * next bytes shared its chunk.  Due times count from the start of the
 * burst, not from the previous byte, so the rate is exact however late
 * each sleep wakes.
 */
static int pump_line(int fd)
{
    unsigned char buf[LINE_CHUNK_MAX];
    size_t want = (size_t)(fp.baud / 10 / LINE_CHUNK_PER_S);
    ssize_t r;

    want = want < 1 ? 1 : want > sizeof buf ? sizeof buf : want;
    r = read(fd, buf, want);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (r <= 0)
        return -1;
    if (!fp.line_busy) {
        fp.burst_start_ns = now_ns();
        fp.burst_bytes = 0;
    }
    for (ssize_t i = 0; i < r && !stop; i++) {
        fp.burst_bytes++;
        sleep_until_ns(fp.burst_start_ns + fp.burst_bytes * 10 * NS_PER_S / fp.baud);
        take(fd, buf + i, 1);
    }
    fp.line_busy = readable_now(fd);
    return 0;
}

/* Reads what fd has; returns -1 at end of stream. */
static int pump(int fd)
{
    unsigned char buf[4096];
    size_t want = fp.slow_ms ? SLOW_CHUNK : sizeof buf;
    ssize_t r;

    if (fp.baud)
        return pump_line(fd);
    r = read(fd, buf, want);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (r <= 0)
        return -1;
    take(fd, buf, (size_t)r);
    if (fp.slow_ms) {
        struct timespec ts = {fp.slow_ms / 1000, (long)(fp.slow_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int run_pty(time_t end)
{
    struct termios tio;
    char name[128];
    int master, slave;

    if (openpty(&master, &slave, name, NULL, NULL) < 0) {
        perror("fake_printer: openpty");
        return 1;
    }
    /* Raw, like a printer's serial port: no echo, no line editing. */
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    printf("pty %s\n", name);
    fflush(stdout);
    /* The slave stays open here so the master never sees a hang-up while
       the client closes and reopens the port between tests. */
    while (!stop && time(NULL) < end) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN))
            pump(master);
    }
    close(slave);
    close(master);
    return 0;
}

static int run_tcp(time_t end)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int lfd, cfd = -1, one = 1;

    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        perror("fake_printer: listen");
        return 1;
    }
    printf("tcp %d\n", ntohs(a.sin_port));
    fflush(stdout);
    while (!stop && time(NULL) < end) {
        /* One connection at a time, as a printer's port 9100 takes them. */
        struct pollfd p = {cfd >= 0 ? cfd : lfd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (cfd < 0)
            cfd = accept(lfd, NULL, NULL);
        else if (pump(cfd) < 0) {
            close(cfd);
            cfd = -1;
        }
    }
    if (cfd >= 0)
        close(cfd);
    close(lfd);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: fake_printer (--pty | --tcp) --record FILE [--qr FILE] "
                    "[--script FILE] [--state NAME]... [--slow MS | --baud N] "
                    "[--lifetime S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    const char *mode = NULL;
    long lifetime = 60;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--pty") || !strcmp(arg, "--tcp")) {
            mode = arg + 2;
            continue;
        }
        if (!val)
            return usage();
        i++;
        if (!strcmp(arg, "--record"))
            fp.record = val;
        else if (!strcmp(arg, "--qr"))
            fp.qr = val;
        else if (!strcmp(arg, "--script")) {
            if (load_script(val) < 0)
                return 2;
        } else if (!strcmp(arg, "--state")) {
            if (add_state(val) < 0)
                return 2;
        } else if (!strcmp(arg, "--slow"))
            fp.slow_ms = (int)strtol(val, NULL, 10);
        else if (!strcmp(arg, "--baud"))
            fp.baud = strtol(val, NULL, 10);
        else if (!strcmp(arg, "--lifetime"))
            lifetime = strtol(val, NULL, 10);
        else
            return usage();
    }
    if (!mode || !fp.record)
        return usage();
    /* Two models of a slow printer at once would measure neither. */
    if (fp.baud < 0 || fp.baud > 4000000 || (fp.baud && fp.slow_ms)) {
        fprintf(stderr, "fake_printer: --baud takes 1..4000000 and excludes --slow\n");
        return 2;
    }
    if (!fp.nstates)
        fp.states[fp.nstates++] = ST_READY;
    fp.recfd = open(fp.record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    fp.acc = malloc(ACC_CAP);
    if (fp.recfd < 0 || !fp.acc) {
        fprintf(stderr, "fake_printer: %s: %s\n", fp.record, strerror(errno));
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns at once */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = !strcmp(mode, "pty") ? run_pty(time(NULL) + lifetime) : run_tcp(time(NULL) + lifetime);
    close(fp.recfd);
    free(fp.acc);
    return rc;
}
