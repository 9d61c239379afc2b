/*
 * The integration-test harness (see harness.h): process control for the real
 * daemon, HTTP through libcurl, and read-only database queries.  Kept free of
 * cmocka so the benchmark can reuse it; the tests do the asserting.
 *
 * Two checks serve the whole suite rather than one test.  When
 * SIGNPOST_TEST_LOG_DIR is set, each daemon's whole stderr is also copied to
 * its own file there, so a scan after the run (logs.no_patient_data) can read
 * every line any daemon wrote.  And in a sanitizer build each daemon is
 * stopped with SIGTERM, not killed, so LeakSanitizer gets to run at its exit;
 * a daemon whose stderr shows a sanitizer report makes the test program
 * fail at exit, even when the test itself passed.
 */
#define _GNU_SOURCE /* program_invocation_short_name, for the log copies' names */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#ifndef SIGNPOST_BIN
#error "SIGNPOST_BIN must name the daemon binary"
#endif

#define LISTEN_MARK "kiosk listening on http://"
#define POLL_MS 10

/* The build's own sanitizer flags reach the harness and the daemon alike. */
#if defined(__SANITIZE_ADDRESS__)
#define ITEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ITEST_SANITIZED 1
#endif
#endif
#ifndef ITEST_SANITIZED
#define ITEST_SANITIZED 0
#endif

/* What ASan, LSan and UBSan print when they find something. */
static const char *const sanitizer_marks[] = {
    "ERROR: LeakSanitizer", "ERROR: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer", "runtime error: "};

/* ---- time and files ---------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int itest_mkdtemp(char *out, size_t outlen)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(out, outlen, "%s/signpost-it-XXXXXX", tmp && *tmp ? tmp : "/tmp");

    if (n < 0 || (size_t)n >= outlen)
        return -1;
    return mkdtemp(out) ? 0 : -1;
}

static int make_fresh_dir(const char *parent, char *out, size_t outlen)
{
    int n;

    if (!parent)
        return itest_mkdtemp(out, outlen);
    n = snprintf(out, outlen, "%s/signpost-it-XXXXXX", parent);
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    return mkdtemp(out) ? 0 : -1;
}

static void rmtree_depth(const char *path, int depth)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    char child[ITEST_PATH * 2];
    struct stat st;

    if (!dir)
        return;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0)
            rmtree_depth(child, depth - 1);
        else
            unlink(child);
    }
    closedir(dir);
    rmdir(path);
}

void itest_rmtree(const char *path)
{
    if (path && *path && strncmp(path, "/", 2) != 0)
        rmtree_depth(path, 2);
}

int itest_write_file(const char *dir, const char *name, const char *text, char *out,
                     size_t outlen)
{
    FILE *f;
    int n = snprintf(out, outlen, "%s/%s", dir, name), rc = 0;

    if (n < 0 || (size_t)n >= outlen)
        return -1;
    f = fopen(out, "w");
    if (!f)
        return -1;
    if (fputs(text, f) == EOF)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

/* ---- the daemon's stderr --------------------------------------------- */

/* What the reader thread owns: the daemon it reads for and the copy's file. */
typedef struct {
    itest_daemon *d;
    int copy_fd;   /* -1: SIGNPOST_TEST_LOG_DIR is not set (or unusable) */
    char tail[64]; /* the end of the previous chunk: a mark may straddle two */
    size_t tail_len;
} log_reader;

/*
 * Daemons whose stderr showed a sanitizer mark, seen by the reader in every
 * byte, past the ITEST_LOG_CAP that d->log keeps (a benchmark's daemon
 * writes megabytes, and the report comes last).  Entries are removed when
 * the daemon is freed.
 */
static pthread_mutex_t marked_lock = PTHREAD_MUTEX_INITIALIZER;
static const itest_daemon *marked[64];

static void mark_daemon(const itest_daemon *d)
{
    pthread_mutex_lock(&marked_lock);
    for (size_t i = 0; i < sizeof marked / sizeof marked[0]; i++)
        if (marked[i] == d || !marked[i]) {
            marked[i] = d;
            break;
        }
    pthread_mutex_unlock(&marked_lock);
}

/* 1 when d was marked (and forgets it). */
static int take_mark(const itest_daemon *d)
{
    int found = 0;

    pthread_mutex_lock(&marked_lock);
    for (size_t i = 0; i < sizeof marked / sizeof marked[0]; i++)
        if (marked[i] == d) {
            marked[i] = NULL;
            found = 1;
        }
    pthread_mutex_unlock(&marked_lock);
    return found;
}

/* Looks for a sanitizer mark in the previous chunk's tail and this chunk. */
static void scan_chunk(log_reader *lr, const char *data, size_t len)
{
    char buf[sizeof lr->tail + 4096];
    size_t n = lr->tail_len, take = len < 4096 ? len : 4096;

    memcpy(buf, lr->tail, n);
    memcpy(buf + n, data, take);
    n += take;
    for (size_t i = 0; i < sizeof sanitizer_marks / sizeof sanitizer_marks[0]; i++)
        if (memmem(buf, n, sanitizer_marks[i], strlen(sanitizer_marks[i]))) {
            mark_daemon(lr->d);
            break;
        }
    lr->tail_len = n < sizeof lr->tail ? n : sizeof lr->tail;
    memcpy(lr->tail, buf + n - lr->tail_len, lr->tail_len);
}

/* Writes all of data to fd; a copy that cannot be written is given up on. */
static void copy_out(int *fd, const char *data, size_t len)
{
    while (*fd >= 0 && len > 0) {
        ssize_t w = write(*fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "itest: the daemon's log copy failed: %s\n", strerror(errno));
            close(*fd);
            *fd = -1;
            return;
        }
        data += w;
        len -= (size_t)w;
    }
}

/*
 * Opens a new file for one daemon's stderr in $SIGNPOST_TEST_LOG_DIR: named
 * after the test program, its pid and a counter, created exclusively so two
 * programs never share one.  -1 when the variable is unset or on failure
 * (said on stderr: a scan that misses a log must not pass silently).
 */
static int open_log_copy(void)
{
    static int counter;
    const char *dir = getenv("SIGNPOST_TEST_LOG_DIR");
    char path[ITEST_PATH];
    int fd = -1;

    if (!dir || !*dir)
        return -1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "itest: cannot make %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        int n = snprintf(path, sizeof path, "%s/%s-%ld-%d.log", dir,
                         program_invocation_short_name, (long)getpid(),
                         __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST));
        if (n < 0 || (size_t)n >= sizeof path)
            break;
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_APPEND, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        fprintf(stderr, "itest: no log copy in %s: %s\n", dir, strerror(errno));
    return fd;
}

static void *read_log(void *arg)
{
    log_reader *lr = arg;
    itest_daemon *d = lr->d;
    char chunk[4096];
    ssize_t n;

    for (;;) {
        n = read(d->err_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        copy_out(&lr->copy_fd, chunk, (size_t)n);
        scan_chunk(lr, chunk, (size_t)n);
        pthread_mutex_lock(&d->lock);
        size_t room = ITEST_LOG_CAP - d->log_len,
               take = (size_t)n < room ? (size_t)n : room;
        memcpy(d->log + d->log_len, chunk, take);
        d->log_len += take;
        d->log[d->log_len] = '\0';
        pthread_mutex_unlock(&d->lock);
    }
    if (lr->copy_fd >= 0)
        close(lr->copy_fd);
    free(lr);
    return NULL;
}

int itest_log_contains(itest_daemon *d, const char *needle)
{
    int found;

    pthread_mutex_lock(&d->lock);
    found = strstr(d->log, needle) != NULL;
    pthread_mutex_unlock(&d->lock);
    return found;
}

void itest_dump_log(itest_daemon *d, const char *why)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    fprintf(stderr, "---- %s; signpost (pid %ld) stderr so far:\n%s\n----\n", why,
            (long)d->pid, d->log);
    pthread_mutex_unlock(&d->lock);
}

/* ---- starting and stopping ------------------------------------------- */

static void build_argv(const itest_opts *o, const itest_daemon *d, const char **argv)
{
    int n = 0;

    argv[n++] = o->binary ? o->binary : SIGNPOST_BIN;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = o->listen ? o->listen : "127.0.0.1:0";
    argv[n++] = "--state-dir";
    argv[n++] = d->state_dir;
    /* Tests run side by side: never the fixed staff port of a real kiosk. */
    argv[n++] = "--staff-listen";
    argv[n++] = o->staff_listen ? o->staff_listen : "127.0.0.1:0";
    if (o->config) {
        argv[n++] = "--config";
        argv[n++] = o->config;
    }
    argv[n] = NULL;
}

/*
 * In the child: stderr to the pipe, stdin and stdout to /dev/null, exec.
 * The daemon dies with the test (PR_SET_PDEATHSIG), so a failed assertion
 * that skips itest_free() never leaves a daemon running.
 */
static void exec_child(int err_w, pid_t parent, const char **argv)
{
    sigset_t none;
    int null;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(127);
    null = open("/dev/null", O_RDWR);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err_w, 2) < 0)
        _exit(127);
    execv(argv[0], (char *const *)argv);
    dprintf(2, "itest: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static int prepare_state_dir(itest_daemon *d, const itest_opts *o)
{
    int n;

    if (o->state_dir) {
        n = snprintf(d->state_dir, sizeof d->state_dir, "%s", o->state_dir);
        if (n < 0 || (size_t)n >= sizeof d->state_dir)
            return -1;
    } else {
        if (make_fresh_dir(o->parent_dir, d->state_dir, sizeof d->state_dir))
            return -1;
        d->owns_state_dir = 1;
    }
    snprintf(d->db_path, sizeof d->db_path, "%s/signpost.db", d->state_dir);
    return 0;
}

static itest_daemon *daemon_new(void)
{
    itest_daemon *d = calloc(1, sizeof *d);

    if (!d)
        return NULL;
    d->log = calloc(1, ITEST_LOG_CAP + 1);
    if (!d->log) {
        free(d);
        return NULL;
    }
    d->err_fd = -1;
    d->exit_code = -1;
    pthread_mutex_init(&d->lock, NULL);
    return d;
}

/* Starts the thread that reads d's stderr (and copies it, when asked). */
static int start_reader(itest_daemon *d)
{
    log_reader *lr = malloc(sizeof *lr);

    if (!lr)
        return -1;
    lr->d = d;
    lr->tail_len = 0;
    take_mark(d); /* a daemon freed without itest_free() may have left its address */
    lr->copy_fd = open_log_copy();
    if (pthread_create(&d->reader, NULL, read_log, lr) != 0) {
        if (lr->copy_fd >= 0)
            close(lr->copy_fd);
        free(lr);
        return -1;
    }
    return 0;
}

itest_daemon *itest_spawn(const itest_opts *o)
{
    static const itest_opts none = {0};
    const char *argv[12];
    int fds[2] = {-1, -1};
    pid_t parent;
    itest_daemon *d = daemon_new();

    o = o ? o : &none;
    if (!d || prepare_state_dir(d, o) || pipe(fds) != 0)
        goto fail;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    build_argv(o, d, argv);
    parent = getpid();
    d->pid = fork();
    if (d->pid < 0)
        goto fail;
    if (d->pid == 0)
        exec_child(fds[1], parent, argv);
    close(fds[1]);
    fds[1] = -1;
    d->err_fd = fds[0];
    if (start_reader(d) != 0)
        goto fail;
    d->reader_started = 1;
    return d;
fail:
    if (fds[1] >= 0)
        close(fds[1]);
    if (d && d->err_fd < 0 && fds[0] >= 0)
        close(fds[0]);
    itest_free(d);
    return NULL;
}

/* Reaps the child if it has ended; 1 when it has. */
static int reap(itest_daemon *d, int options)
{
    int status;
    pid_t r;

    if (d->pid <= 0)
        return 1;
    r = waitpid(d->pid, &status, options);
    if (r == 0 || (r < 0 && errno == EINTR))
        return 0;
    d->pid = 0;
    if (r < 0)
        d->exit_code = -1;
    else if (WIFEXITED(status))
        d->exit_code = WEXITSTATUS(status);
    else
        d->exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    return 1;
}

/* Finds the port in "kiosk listening on http://ADDR:PORT/"; 0 when absent. */
static int parse_port(itest_daemon *d)
{
    const char *p, *colon, *slash;
    long port = 0;

    pthread_mutex_lock(&d->lock);
    p = strstr(d->log, LISTEN_MARK);
    if (p) {
        p += strlen(LISTEN_MARK);
        slash = strchr(p, '/');
        colon = slash ? memchr(p, ':', (size_t)(slash - p)) : NULL;
        if (colon)
            port = strtol(colon + 1, NULL, 10);
    }
    pthread_mutex_unlock(&d->lock);
    return port > 0 && port < 65536 ? (int)port : 0;
}

int itest_wait_listening(itest_daemon *d, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;

    while (now_ms() < deadline) {
        if ((d->port = parse_port(d)) > 0)
            return 0;
        if (reap(d, WNOHANG))
            return -1;
        sleep_ms(POLL_MS);
    }
    return -1;
}

itest_daemon *itest_start(const itest_opts *o)
{
    itest_daemon *d = itest_spawn(o);

    if (!d)
        return NULL;
    if (itest_wait_listening(d, ITEST_WAIT_MS) != 0) {
        itest_dump_log(d, "the daemon did not start listening");
        itest_free(d);
        return NULL;
    }
    return d;
}

int itest_wait_exit(itest_daemon *d, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;

    for (;;) {
        if (reap(d, WNOHANG))
            break;
        if (now_ms() >= deadline)
            return -1;
        sleep_ms(POLL_MS);
    }
    if (d->reader_started) {
        pthread_join(d->reader, NULL); /* EOF follows the exit */
        d->reader_started = 0;
    }
    return d->exit_code;
}

int itest_stop(itest_daemon *d)
{
    int code;

    if (!d)
        return -1;
    if (d->pid > 0)
        kill(d->pid, SIGTERM);
    code = itest_wait_exit(d, ITEST_WAIT_MS);
    if (code < 0 && d->pid > 0) {
        itest_dump_log(d, "the daemon did not stop within 10 s of SIGTERM");
        kill(d->pid, SIGKILL);
        itest_wait_exit(d, ITEST_WAIT_MS);
        return -1;
    }
    return code;
}

/* Daemons whose exit showed a sanitizer report, in this test program. */
static int sanitizer_failures;

static void fail_on_sanitizer_reports(void)
{
    if (sanitizer_failures == 0)
        return;
    fprintf(stderr,
            "itest: FAILED: %d daemon(s) ended with a sanitizer report (printed above)\n",
            sanitizer_failures);
    fflush(NULL);
    _exit(1); /* from an atexit handler: the only way to change the status */
}

/*
 * After the daemon has ended and its stderr is all read: a sanitizer report
 * in it is a failure of the test program, whatever the test asserted.  The
 * test goes on (so every report is seen); the program's exit status is 1.
 */
static void check_sanitizer_report(itest_daemon *d)
{
    if (!take_mark(d))
        return;
    itest_dump_log(d, "the daemon's exit shows a sanitizer report");
    if (d->log_len >= ITEST_LOG_CAP)
        fprintf(stderr,
                "itest: (the report came after the %d bytes kept: see the "
                "daemon's log copy in SIGNPOST_TEST_LOG_DIR, or rerun alone)\n",
                ITEST_LOG_CAP);
    if (sanitizer_failures++ == 0)
        atexit(fail_on_sanitizer_reports);
}

void itest_free(itest_daemon *d)
{
    if (!d)
        return;
    /* LeakSanitizer only runs at a normal exit: ask first when it is built in. */
    if (d->pid > 0 && ITEST_SANITIZED) {
        kill(d->pid, SIGTERM);
        itest_wait_exit(d, ITEST_WAIT_MS);
    }
    if (d->pid > 0) {
        kill(d->pid, SIGKILL);
        itest_wait_exit(d, ITEST_WAIT_MS);
    }
    if (d->reader_started)
        pthread_join(d->reader, NULL);
    d->reader_started = 0;
    check_sanitizer_report(d);
    if (d->err_fd >= 0)
        close(d->err_fd);
    if (d->owns_state_dir)
        itest_rmtree(d->state_dir);
    pthread_mutex_destroy(&d->lock);
    free(d->log);
    free(d);
}

/* ---- HTTP ------------------------------------------------------------ */

int itest_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void itest_cleanup(void)
{
    curl_global_cleanup();
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    itest_resp *r = arg;
    size_t len = size * n, room = ITEST_BODY_CAP - r->len;
    size_t take = len < room ? len : room;

    if (take < len)
        r->truncated = 1;
    memcpy(r->body + r->len, data, take);
    r->len += take;
    r->body[r->len] = '\0';
    return len;
}

/* Keeps "Name: value" lines of the final response (a new status line resets). */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    itest_resp *r = arg;
    size_t len = size * n;
    const char *colon = memchr(data, ':', len);
    size_t nlen, vstart, vlen;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        r->nheaders = 0;
        return len;
    }
    if (!colon || r->nheaders >= ITEST_MAX_HEADERS)
        return len;
    nlen = (size_t)(colon - data);
    vstart = nlen + 1;
    while (vstart < len && data[vstart] == ' ')
        vstart++;
    vlen = len - vstart;
    while (vlen > 0 &&
           (data[vstart + vlen - 1] == '\r' || data[vstart + vlen - 1] == '\n'))
        vlen--;
    snprintf(r->names[r->nheaders], sizeof r->names[0], "%.*s", (int)nlen, data);
    snprintf(r->values[r->nheaders], sizeof r->values[0], "%.*s", (int)vlen,
             data + vstart);
    r->nheaders++;
    return len;
}

static struct curl_slist *request_headers(const itest_req *rq)
{
    struct curl_slist *h = NULL, *t;
    char line[700];

    /* No "Expect: 100-continue" round trip, and no Content-Type curl invents. */
    h = curl_slist_append(h, "Expect:");
    if (rq->content_type)
        snprintf(line, sizeof line, "Content-Type: %s", rq->content_type);
    else
        snprintf(line, sizeof line, "Content-Type:");
    if (h && (t = curl_slist_append(h, line)))
        h = t;
    if (rq->bearer) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", rq->bearer);
        if (h && (t = curl_slist_append(h, line)))
            h = t;
    }
    return h;
}

static void set_method(CURL *c, const itest_req *rq)
{
    if (rq->body || !strcmp(rq->method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(rq->body ? rq->body_len : 0));
    }
    if (!strcmp(rq->method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(rq->method, "GET") && strcmp(rq->method, "POST"))
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
}

int itest_http(const itest_daemon *d, const itest_req *rq, itest_resp *out)
{
    char url[ITEST_PATH + 64];
    struct curl_slist *hdrs = NULL;
    CURL *c = NULL;
    CURLcode cc = CURLE_FAILED_INIT;

    memset(out, 0, sizeof *out);
    out->body = malloc(ITEST_BODY_CAP + 1);
    if (!out->body)
        return -1;
    out->body[0] = '\0';
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", d->port, rq->path);
    c = curl_easy_init();
    hdrs = request_headers(rq);
    if (!c || !hdrs)
        goto out;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ITEST_WAIT_MS);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    set_method(c, rq);
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    else
        fprintf(stderr, "itest: %s %s: %s\n", rq->method, rq->path,
                curl_easy_strerror(cc));
out:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return cc == CURLE_OK ? 0 : -1;
}

int itest_get(const itest_daemon *d, const char *path, const char *bearer,
              itest_resp *out)
{
    itest_req rq = {"GET", path, NULL, NULL, 0, bearer};
    return itest_http(d, &rq, out);
}

int itest_post_json(const itest_daemon *d, const char *path, const char *json,
                    const char *bearer, itest_resp *out)
{
    itest_req rq = {"POST", path, "application/json", json, json ? strlen(json) : 0,
                    bearer};
    return itest_http(d, &rq, out);
}

int itest_delete(const itest_daemon *d, const char *path, const char *bearer,
                 itest_resp *out)
{
    itest_req rq = {"DELETE", path, NULL, NULL, 0, bearer};
    return itest_http(d, &rq, out);
}

const char *itest_header(const itest_resp *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->names[i], name) == 0)
            return r->values[i];
    return NULL;
}

json_t *itest_resp_json(const itest_resp *r)
{
    return r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
}

void itest_resp_free(itest_resp *r)
{
    if (!r)
        return;
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

/* ---- the database ---------------------------------------------------- */

/* Opens read-only, prepares sql and steps to the first row; -1 on failure. */
static int db_first_row(const itest_daemon *d, const char *sql, const char *arg,
                        sqlite3 **db, sqlite3_stmt **st)
{
    *db = NULL;
    *st = NULL;
    if (sqlite3_open_v2(d->db_path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(*db, ITEST_WAIT_MS);
    if (sqlite3_prepare_v2(*db, sql, -1, st, NULL) != SQLITE_OK) {
        fprintf(stderr, "itest: %s: %s\n", sql, sqlite3_errmsg(*db));
        return -1;
    }
    if (arg)
        sqlite3_bind_text(*st, 1, arg, -1, SQLITE_TRANSIENT);
    return sqlite3_step(*st) == SQLITE_ROW ? 0 : -1;
}

int itest_db_int(const itest_daemon *d, const char *sql, const char *arg, long long *out)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = db_first_row(d, sql, arg, &db, &st);

    *out = 0;
    if (rc == 0) {
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            rc = 1;
        else
            *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int itest_db_text(const itest_daemon *d, const char *sql, const char *arg, char *out,
                  size_t outlen)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = db_first_row(d, sql, arg, &db, &st);

    out[0] = '\0';
    if (rc == 0) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (!t)
            rc = 1;
        else
            snprintf(out, outlen, "%s", (const char *)t);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
