/*
 * The integration-test harness: runs the real signpost binary on a loopback
 * port chosen by the kernel, with a fresh state directory, and talks to it
 * the way the kiosk's browser does (HTTP through libcurl).  It also opens the
 * daemon's SQLite database read-only so a test can check what was stored.
 *
 * Every wait is bounded (ITEST_WAIT_MS unless stated), every buffer is
 * capped, and every request goes to 127.0.0.1 only.  The daemon's stderr is
 * read continuously by a thread, so a chatty daemon can never block on a
 * full pipe; a test can search it or print it when something fails.
 *
 * Ownership: itest_start()/itest_spawn() return a daemon the caller releases
 * with itest_free() (accepts NULL; kills a daemon still running and removes a
 * state directory the harness created).  itest_resp bodies are released with
 * itest_resp_free().  No cmocka here: functions return codes, tests assert.
 */
#ifndef SIGNPOST_ITEST_HARNESS_H
#define SIGNPOST_ITEST_HARNESS_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#define ITEST_WAIT_MS 10000          /* start-up, shutdown and request limits */
#define ITEST_BODY_CAP (1024 * 1024) /* response bodies are cut at 1 MB */
#define ITEST_LOG_CAP (256 * 1024)   /* stderr kept per daemon */
#define ITEST_MAX_HEADERS 32
#define ITEST_PATH 512

typedef struct {
    const char *binary;    /* NULL: SIGNPOST_BIN from the build */
    const char *config;    /* --config FILE, or NULL for demo defaults */
    const char *listen;    /* --listen value; NULL: 127.0.0.1:0 */
    const char *staff_listen; /* --staff-listen value; NULL: 127.0.0.1:0 */
    const char *state_dir; /* reuse this directory (kept); NULL: a fresh one */
    const char
        *parent_dir; /* where a fresh state directory goes; NULL: $TMPDIR or /tmp */
} itest_opts;

typedef struct {
    pid_t pid;          /* 0 once reaped */
    int port;           /* from the "kiosk listening on" line */
    int exit_code;      /* set once reaped: exit status, or 128 + signal */
    int owns_state_dir; /* 1: itest_free() removes state_dir */
    char state_dir[ITEST_PATH];
    char db_path[ITEST_PATH + 16];
    int err_fd; /* read end of the daemon's stderr */
    pthread_t reader;
    int reader_started;
    pthread_mutex_t lock; /* guards log and log_len */
    char *log;            /* ITEST_LOG_CAP + 1 bytes, NUL-terminated */
    size_t log_len;
} itest_daemon;

/* Makes a fresh directory under $TMPDIR (or /tmp); out must hold ITEST_PATH. */
int itest_mkdtemp(char *out, size_t outlen);
/* Removes a directory tree made by the harness (two levels deep at most). */
void itest_rmtree(const char *path);
/* Writes text to dir/name; the full path goes to out. 0 on success. */
int itest_write_file(const char *dir, const char *name, const char *text, char *out,
                     size_t outlen);

/* Starts the daemon without waiting for it; NULL on failure. */
itest_daemon *itest_spawn(const itest_opts *o);
/* Waits (bounded) for the listening line; 0 with d->port set, -1 otherwise. */
int itest_wait_listening(itest_daemon *d, int timeout_ms);
/* itest_spawn() then itest_wait_listening(); on failure prints the log. */
itest_daemon *itest_start(const itest_opts *o);
/* Waits (bounded) for the process to end; its exit code, or -1 on timeout. */
int itest_wait_exit(itest_daemon *d, int timeout_ms);
/* SIGTERM, then itest_wait_exit(ITEST_WAIT_MS); SIGKILL and -1 on timeout. */
int itest_stop(itest_daemon *d);
void itest_free(itest_daemon *d);

/* 1 when the daemon's stderr so far contains needle. */
int itest_log_contains(itest_daemon *d, const char *needle);
/* Prints the daemon's stderr so far, for a failing test. */
void itest_dump_log(itest_daemon *d, const char *why);

typedef struct {
    const char *method;       /* GET, POST, DELETE, PUT, HEAD ... */
    const char *path;         /* sent as is (no dot-segment squashing) */
    const char *content_type; /* NULL: no Content-Type at all */
    const char *body;         /* NULL: no body */
    size_t body_len;
    const char *bearer; /* NULL: no Authorization header */
} itest_req;

typedef struct {
    long status;
    char *body; /* NUL-terminated; "" when empty */
    size_t len;
    int truncated; /* the body was longer than ITEST_BODY_CAP */
    int nheaders;
    char names[ITEST_MAX_HEADERS][64];
    char values[ITEST_MAX_HEADERS][512];
} itest_resp;

/* Call once per process before any request (and itest_cleanup at the end). */
int itest_init(void);
void itest_cleanup(void);

/* One request on a new connection; 0 when an HTTP answer came back. */
int itest_http(const itest_daemon *d, const itest_req *rq, itest_resp *out);
int itest_get(const itest_daemon *d, const char *path, const char *bearer,
              itest_resp *out);
int itest_post_json(const itest_daemon *d, const char *path, const char *json,
                    const char *bearer, itest_resp *out);
int itest_delete(const itest_daemon *d, const char *path, const char *bearer,
                 itest_resp *out);
/* A response header's value (case-insensitive name), or NULL. */
const char *itest_header(const itest_resp *r, const char *name);
/* The body parsed as JSON (caller decrefs), or NULL. */
json_t *itest_resp_json(const itest_resp *r);
void itest_resp_free(itest_resp *r);

/*
 * Read-only queries on the daemon's database.  itest_db_int() runs sql with
 * arg bound to ?1 (when not NULL) and reads column 0 of the first row:
 * 0 with *out set, 1 when the value is NULL, -1 on error or no row.
 */
int itest_db_int(const itest_daemon *d, const char *sql, const char *arg, long long *out);
/* Like itest_db_int for text; NULL values give 1 and an empty out. */
int itest_db_text(const itest_daemon *d, const char *sql, const char *arg, char *out,
                  size_t outlen);

#endif
