/*
 * The staff console client of the integration tests (staff_client.h):
 * libcurl with the cookie and CSRF headers a browser would send, and the
 * `signpost user` command run as an installer would, its password on
 * standard input.  Bodies land in the response's fixed buffer, so most
 * tests need no frees; exports, which can be megabytes, ask for the whole
 * body as well.
 */
#include <errno.h>
#include <stddef.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>

#include "staff_client.h"

#ifndef SIGNPOST_BIN
#error "SIGNPOST_BIN must name the daemon binary"
#endif

/* Where a body goes: always r's capped buffer; with keep_all, all of it
 * too, for sc_request_all. */
typedef struct {
    sc_resp *r;
    int keep_all;
    char *all;
    size_t all_len;
} body_sink;

/* Appends len bytes to k->all; 0 when it would pass SC_ALL_MAX or memory
 * ran out, which ends the transfer (status 0) rather than cut an export. */
static int keep_all(body_sink *k, const char *p, size_t len)
{
    char *grown;

    if (k->all_len + len > SC_ALL_MAX || !(grown = realloc(k->all, k->all_len + len + 1)))
        return 0;
    k->all = grown;
    memcpy(k->all + k->all_len, p, len);
    k->all_len += len;
    k->all[k->all_len] = '\0';
    return 1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    body_sink *k = ctx;
    sc_resp *r = k->r;
    size_t len = size * n, room = sizeof r->body - 1 - r->len;
    size_t take = len < room ? len : room;

    if (k->keep_all && !keep_all(k, p, len))
        return 0;
    if (take < len)
        r->truncated = 1;
    memcpy(r->body + r->len, p, take);
    r->len += take;
    r->body[r->len] = '\0';
    return len;
}

/* Copies the value of a header line (after skip bytes) without its CRLF. */
static void keep_header(char *dst, size_t dstlen, const char *line, size_t len, size_t skip)
{
    size_t v = len - skip;
    while (v && (line[skip + v - 1] == '\r' || line[skip + v - 1] == '\n'))
        v--;
    snprintf(dst, dstlen, "%.*s", (int)v, line + skip);
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    static const struct {
        const char *name;
        size_t off;
        size_t cap;
    } kept[] = {
        {"Set-Cookie: ", offsetof(sc_resp, set_cookie), sizeof ((sc_resp *)0)->set_cookie},
        {"Retry-After: ", offsetof(sc_resp, retry_after), sizeof ((sc_resp *)0)->retry_after},
        {"Content-Type: ", offsetof(sc_resp, content_type),
         sizeof ((sc_resp *)0)->content_type},
        {"Content-Disposition: ", offsetof(sc_resp, disposition),
         sizeof ((sc_resp *)0)->disposition},
        {"Cache-Control: ", offsetof(sc_resp, cache_control),
         sizeof ((sc_resp *)0)->cache_control},
        {"Strict-Transport-Security: ", offsetof(sc_resp, hsts), sizeof ((sc_resp *)0)->hsts},
    };
    size_t len = size * n;

    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        size_t k = strlen(kept[i].name);
        if (len > k && !strncasecmp(p, kept[i].name, k))
            keep_header((char *)ctx + kept[i].off, kept[i].cap, p, len, k);
    }
    return len;
}

static struct curl_slist *headers(const char *json, const char *cookie, const char *csrf)
{
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    char line[256];

    if (json)
        h = curl_slist_append(h, "Content-Type: application/json");
    if (cookie) {
        snprintf(line, sizeof line, "Cookie: %s", cookie);
        h = curl_slist_append(h, line);
    }
    if (csrf) {
        snprintf(line, sizeof line, "X-CSRF-Token: %s", csrf);
        h = curl_slist_append(h, line);
    }
    return h;
}

/* Empties r without touching all of its body buffer. */
static void reset(sc_resp *r)
{
    r->status = 0;
    r->body[0] = '\0';
    r->len = 0;
    r->truncated = 0;
    r->set_cookie[0] = r->retry_after[0] = r->content_type[0] = '\0';
    r->disposition[0] = r->cache_control[0] = r->hsts[0] = '\0';
}

static long perform(const sc_target *t, const char *method, const char *path,
                    const char *json, const char *cookie, const char *csrf, long timeout,
                    body_sink *k)
{
    char url[1024];
    CURL *c = curl_easy_init();
    struct curl_slist *h = headers(json, cookie, csrf);
    sc_resp *r = k->r;

    reset(r);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d%s", t->cafile ? "https" : "http", t->port,
             path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (json)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    else if (!strcmp(method, "POST"))
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    if (t->cafile)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->cafile);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r->status;
}

long sc_request(const sc_target *t, const char *method, const char *path, const char *json,
                const char *cookie, const char *csrf, sc_resp *r)
{
    body_sink k = {r, 0, NULL, 0};
    return perform(t, method, path, json, cookie, csrf, 30L, &k);
}

long sc_request_all(const sc_target *t, const char *method, const char *path,
                    const char *json, const char *cookie, const char *csrf, sc_resp *r,
                    char **all, size_t *all_len)
{
    body_sink k = {r, 1, NULL, 0};

    perform(t, method, path, json, cookie, csrf, 60L, &k); /* a large export is slow */
    if (!k.all) /* no body at all: "" keeps the caller's checks simple */
        k.all = calloc(1, 1);
    *all = k.all;
    *all_len = k.all ? k.all_len : 0;
    return r->status;
}

long sc_login(const sc_target *t, const char *name, const char *pw, const char *old_cookie,
              sc_session *s, sc_resp *r)
{
    json_t *body = json_pack("{s:s, s:s}", "username", name, "password", pw), *j;
    char *text = json_dumps(body, JSON_COMPACT);

    sc_request(t, "POST", "/staff/api/v1/login", text, old_cookie, NULL, r);
    free(text);
    json_decref(body);
    if (r->status == 200 && s) {
        snprintf(s->cookie, sizeof s->cookie, "%.*s", (int)strcspn(r->set_cookie, ";"),
                 r->set_cookie);
        j = json_loads(r->body, 0, NULL);
        snprintf(s->csrf, sizeof s->csrf, "%s",
                 json_string_value(json_object_get(j, "csrf_token")));
        json_decref(j);
    }
    return r->status;
}

/* Reads all of fd into out (keeping the tail of a long output). */
static void drain(int fd, char *out, size_t outlen)
{
    size_t used = 0;
    ssize_t got;

    while ((got = read(fd, out + used, outlen - used - 1)) > 0)
        if ((used += (size_t)got) + 1 >= outlen)
            used = 0;
    out[used] = '\0';
}

int sc_user(const char *dir, const char *cfg, const char *input, char *out, size_t outlen,
            const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *argv[16] = {SIGNPOST_BIN, "user", a1};
    const char *more[] = {a2, a3, a4};
    char discard[1024];
    int in[2], o[2], n = 3, status;
    pid_t pid;

    for (size_t i = 0; i < 3 && more[i]; i++)
        argv[n++] = more[i];
    argv[n++] = "--config";
    argv[n++] = cfg;
    argv[n++] = "--state-dir";
    argv[n++] = dir;
    argv[n] = NULL;
    if (pipe(in) || pipe(o))
        return -1;
    if ((pid = fork()) == 0) {
        dup2(in[0], 0);
        dup2(o[1], 1);
        close(in[1]);
        close(o[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(o[1]);
    if (input && write(in[1], input, strlen(input)) < 0)
        perror("write");
    close(in[1]);
    drain(o[0], out ? out : discard, out ? outlen : sizeof discard);
    close(o[0]);
    while (waitpid(pid, &status, 0) != pid)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int sc_find_port(itest_daemon *d, const char *mark)
{
    const char *p;
    int port = 0;

    pthread_mutex_lock(&d->lock);
    p = strstr(d->log, mark);
    if (p)
        port = (int)strtol(p + strlen(mark), NULL, 10);
    pthread_mutex_unlock(&d->lock);
    return port;
}

itest_daemon *sc_start(const char *conf, const char *state, int *port)
{
    itest_opts o = {.config = conf, .state_dir = state};
    itest_daemon *d = itest_start(&o);

    *port = d ? sc_find_port(d, SC_STAFF_MARK) : 0;
    if (d && *port <= 0) {
        itest_dump_log(d, "the staff listener never said its port");
        itest_free(d);
        d = NULL;
    }
    return d;
}

void sc_stop(itest_daemon *d, const char *state)
{
    itest_free(d);
    itest_rmtree(state);
    itest_cleanup();
}

json_t *sc_new_visit(itest_daemon *d, const char *json, sc_visit *v)
{
    itest_resp r;
    json_t *j = NULL;

    if (itest_post_json(d, "/api/v1/screenings", json, NULL, &r) != 0)
        itest_dump_log(d, "no answer to POST /api/v1/screenings");
    else if (r.status == 201)
        j = itest_resp_json(&r);
    else
        fprintf(stderr, "POST /api/v1/screenings: %ld %.300s\n", r.status, r.body);
    if (j && v) {
        snprintf(v->id, sizeof v->id, "%s", json_string_value(json_object_get(j, "id")));
        snprintf(v->token, sizeof v->token, "%s",
                 json_string_value(json_object_get(j, "token")));
    }
    itest_resp_free(&r);
    return j;
}

int sc_db_exec(const itest_daemon *d, const char *sql, char *msg, size_t msglen)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    int rc = sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READWRITE, NULL);

    sqlite3_busy_timeout(db, 5000);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (msg)
        snprintf(msg, msglen, "%s", err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}
