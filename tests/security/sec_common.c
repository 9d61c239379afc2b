/*
 * The security tests' shared set-up and tools (sec_common.h).  No cmocka:
 * functions report, the tests assert.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sec_common.h"

static const char base_conf[] =
    "[kiosk]\nrequest_timeout_s = 2\nrequest_deadline_s = 5\n"
    "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
    "[directory]\nimport = " SOURCE_DIR "/data/demo-directory\n"
    "[sms]\ngateway = log\n"
    "[printer]\ntransport = file\npath = %s/receipts.bin\n";

static int add_and_login(sec_env *e, const char *name, const char *role, sc_session *s)
{
    sc_resp *r = malloc(sizeof *r);
    int rc = -1;

    if (!r)
        return -1;
    if (sc_user(e->dir, e->conf, SEC_PASSWORD "\n", NULL, 0, "add", name, "--role",
                role) != 0)
        fprintf(stderr, "sec: cannot add %s\n", name);
    else if (sc_login(&e->staff, name, SEC_PASSWORD, NULL, s, r) != 200)
        fprintf(stderr, "sec: cannot sign in as %s: %ld %s\n", name, r->status, r->body);
    else
        rc = 0;
    free(r);
    return rc;
}

static int start(sec_env *e, const char *extra_conf)
{
    char text[2048];
    json_t *v;

    memset(e, 0, sizeof *e);
    if (itest_init() || itest_mkdtemp(e->dir, sizeof e->dir))
        return -1;
    snprintf(text, sizeof text, base_conf, e->dir);
    if (extra_conf && strlen(text) + strlen(extra_conf) < sizeof text)
        memcpy(text + strlen(text), extra_conf, strlen(extra_conf) + 1);
    if (itest_write_file(e->dir, "signpost.conf", text, e->conf, sizeof e->conf))
        return -1;
    e->d = sc_start(e->conf, e->dir, &e->staff.port);
    if (!e->d)
        return -1;
    if (add_and_login(e, "ada", "admin", &e->admin) ||
        add_and_login(e, "nat", "navigator", &e->navigator))
        return -1;
    v = sc_new_visit(e->d, SC_VISIT_NEEDS_HELP, &e->visit);
    if (!v)
        return -1;
    json_decref(v);
    return 0;
}

int sec_start(sec_env *e, const char *extra_conf)
{
    if (start(e, extra_conf) == 0)
        return 0;
    sec_stop(e);
    return -1;
}

void sec_stop(sec_env *e)
{
    if (!e->d && !e->dir[0])
        return;
    sc_stop(e->d, e->dir);
    e->d = NULL;
    e->dir[0] = '\0';
}

/* ---- raw HTTP ------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sec_connect(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads into out until EOF, the cap, or the deadline; bytes read, or -1 on timeout. */
static long read_until_close(int fd, char *out, size_t outlen, long long deadline)
{
    size_t got = 0;
    struct pollfd p = {fd, POLLIN, 0};

    while (got + 1 < outlen) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return -1;
        ssize_t n = recv(fd, out + got, outlen - 1 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* closed (or reset): what came is the answer */
        got += (size_t)n;
    }
    out[got] = '\0';
    return (long)got;
}

int sec_raw(int port, const char *req, size_t len, char *out, size_t outlen,
            int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    int fd = sec_connect(port), status = -1;
    long got;

    out[0] = '\0';
    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t w = send(fd, req, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the daemon may close early (413): read what it said */
        req += w;
        len -= (size_t)w;
    }
    got = read_until_close(fd, out, outlen, deadline);
    close(fd);
    if (got < 0)
        return -1;
    if (got == 0)
        return 0;
    if (strncmp(out, "HTTP/1.", 7) == 0 && strlen(out) > 12)
        status = (int)strtol(out + 9, NULL, 10);
    return status < 0 ? 0 : status;
}

/* ---- the database's fingerprint ---------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_table(sqlite3 *db, const char *table, uint64_t h)
{
    sqlite3_stmt *st = NULL;
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", table);

    if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_free(sql);
        /* WITHOUT ROWID tables: their primary key orders them anyway. */
        sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);
        if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            sqlite3_free(sql);
            return h ^ 0xbadULL;
        }
    }
    h = fnv(h, table, strlen(table));
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const void *b = sqlite3_column_blob(st, i);
            int n = sqlite3_column_bytes(st, i);
            h = fnv(h, b ? b : "", b ? (size_t)n : 0);
            h = fnv(h, "|", 1);
        }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return h;
}

uint64_t sec_db_fingerprint(const itest_daemon *d)
{
    static const char list[] =
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN"
        " ('audit_log', 'staff_sessions', 'login_failures') ORDER BY name";
    uint64_t h = 14695981039346656037ULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int tables = 0;

    if (sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        goto out;
    sqlite3_busy_timeout(db, ITEST_WAIT_MS);
    if (sqlite3_prepare_v2(db, list, -1, &st, NULL) != SQLITE_OK)
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW && ++tables)
        h = hash_table(db, (const char *)sqlite3_column_text(st, 0), h);
    /* The schema too: a DROP or an ALTER is a change. */
    h = hash_table(db, "sqlite_schema", h);
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return tables > 0 ? h : 0; /* 0: no database to compare */
}
