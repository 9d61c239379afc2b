/*
 * The printer tests' shared helpers (see fake.h).  fake_printer runs as a
 * child process so that it reads and answers concurrently with the code
 * under test, exactly as a printer on the other end of a cable would.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"

#define MAX_ARGS 40
#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 2000

long fake_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int fake_tmpdir(char *dir)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, 256, "%s/signpost-printer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void fake_rmtree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Reads the fake's first line ("pty /dev/pts/3" or "tcp 40123") within the timeout. */
static int read_hello(int fd, char *line, size_t cap)
{
    size_t len = 0;
    long end = fake_now_ms() + START_TIMEOUT_MS;

    while (len + 1 < cap && fake_now_ms() < end) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t r;
        if (poll(&p, 1, 100) <= 0)
            continue;
        r = read(fd, line + len, 1);
        if (r <= 0)
            return -1;
        if (line[len] == '\n') {
            line[len] = '\0';
            return 0;
        }
        len++;
    }
    return -1;
}

static pid_t spawn(const char *const *argv, int *out)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        /* Dies with the test, even when a failed assertion skips fake_stop(). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    *out = fds[0];
    return pid;
}

int fake_start(fake_printer *f, const char *mode, const char *const *extra)
{
    const char *argv[MAX_ARGS];
    char line[256];
    int n = 0, fd = -1, rc = -1;

    memset(f, 0, sizeof *f);
    f->pid = -1;
    if (fake_tmpdir(f->dir) < 0)
        return -1;
    snprintf(f->record, sizeof f->record, "%s/received.bin", f->dir);
    snprintf(f->qr, sizeof f->qr, "%s/qr.txt", f->dir);
    argv[n++] = FAKE_PRINTER;
    argv[n++] = !strcmp(mode, "pty") ? "--pty" : "--tcp";
    argv[n++] = "--record";
    argv[n++] = f->record;
    argv[n++] = "--qr";
    argv[n++] = f->qr;
    argv[n++] = "--lifetime";
    argv[n++] = "120";
    for (int i = 0; extra && extra[i] && n < MAX_ARGS - 1; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if ((f->pid = spawn(argv, &fd)) < 0)
        return -1;
    if (read_hello(fd, line, sizeof line) == 0) {
        if (!strncmp(line, "pty ", 4)) {
            snprintf(f->device, sizeof f->device, "%s", line + 4);
            setenv("SIGNPOST_TEST_PTY", f->device, 1);
            rc = 0;
        } else if (!strncmp(line, "tcp ", 4)) {
            f->port = (int)strtol(line + 4, NULL, 10);
            rc = f->port > 0 ? 0 : -1;
        }
    }
    close(fd);
    return rc;
}

void fake_stop(fake_printer *f)
{
    long end = fake_now_ms() + STOP_TIMEOUT_MS;
    int status;

    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        while (waitpid(f->pid, &status, WNOHANG) == 0) {
            if (fake_now_ms() > end) {
                kill(f->pid, SIGKILL);
                waitpid(f->pid, &status, 0);
                break;
            }
            sleep_ms(10);
        }
    }
    f->pid = -1;
    fake_rmtree(f->dir);
    f->dir[0] = '\0';
}

size_t fake_wait_bytes(const fake_printer *f, size_t n, int timeout_ms)
{
    long end = fake_now_ms() + timeout_ms;
    struct stat st;
    size_t have = 0;

    for (;;) {
        have = stat(f->record, &st) == 0 ? (size_t)st.st_size : 0;
        if (have >= n || fake_now_ms() > end)
            return have;
        sleep_ms(10);
    }
}

unsigned char *fake_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data = NULL;
    long size;

    *len = 0;
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
        fseek(fp, 0, SEEK_SET) == 0 && (data = malloc((size_t)size + 1))) {
        *len = fread(data, 1, (size_t)size, fp);
        data[*len] = '\0';
    }
    fclose(fp);
    return data;
}

int fake_contains(const unsigned char *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (!memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

void fake_config(sg_config *cfg, const char *const *sets)
{
    char section[32], key[32], err[256];

    config_defaults(cfg);
    for (int i = 0; sets && sets[i]; i++) {
        const char *dot = strchr(sets[i], '.'), *eq = strchr(sets[i], '=');
        assert_non_null(dot);
        assert_non_null(eq);
        snprintf(section, sizeof section, "%.*s", (int)(dot - sets[i]), sets[i]);
        snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
        if (config_set(cfg, section, key, eq + 1, err, sizeof err))
            fail_msg("config %s: %s", sets[i], err);
    }
}

printer_profile fake_profile(printer_flow flow, int pacing)
{
    printer_profile p;

    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "test-80");
    snprintf(p.description, sizeof p.description, "80 mm test printer");
    p.dots_per_line = 576;
    p.columns_font_a = 48;
    p.columns_font_b = 64;
    p.page = CODEPAGE_CP858;
    p.codepage_esc_t = 19;
    p.native_qr = 1;
    p.cutter = 1;
    p.max_raster_rows = 255;
    p.baud = 115200;
    p.flow = flow;
    p.pacing_bytes_per_s = pacing;
    p.qr_module_dots = 6;
    return p;
}
