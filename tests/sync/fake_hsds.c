/*
 * The fake HSDS API (fake_hsds.h).  One thread per connection, so a hanging
 * answer does not hold up the next request; all state behind one mutex.
 * Filtering uses the sync module's own time parser, which the pure tests
 * check separately.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_hsds.h"
#include "signpost/sync.h"

struct fake_hsds {
    struct MHD_Daemon *d;
    char url[64];
    pthread_mutex_t lock;
    json_t *services; /* id -> service */
    fake_mode mode;
    int mode_page, mode_times;
    long hang_ms;
    fake_stats stats;
};

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The services modified on or after since (all when NULL), by id. */
static json_t *listing(fake_hsds *f, const char *since)
{
    size_t n = json_object_size(f->services), k = 0;
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    json_t *out = json_array(), *svc;
    const char *id;
    int64_t from = 0, at;

    if (since && sync_time_parse(since, &from))
        from = INT64_MAX; /* a mark the server cannot read matches nothing */
    json_object_foreach(f->services, id, svc) {
        ids[k++] = id;
    }
    qsort(ids, n, sizeof *ids, by_string);
    for (k = 0; k < n; k++) {
        svc = json_object_get(f->services, ids[k]);
        const char *lm = json_string_value(json_object_get(svc, "last_modified"));
        if (since && (!lm || sync_time_parse(lm, &at) || at < from))
            continue;
        json_array_append(out, svc);
    }
    free(ids);
    return out;
}

static json_t *page_of(json_t *all, long page, long per_page)
{
    long total = (long)json_array_size(all);
    long pages = (total + per_page - 1) / per_page;
    json_t *contents = json_array();

    for (long i = (page - 1) * per_page; i >= 0 && i < total && i < page * per_page; i++)
        json_array_append(contents, json_array_get(all, (size_t)i));
    return json_pack("{s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:o}", "total_items",
                     (json_int_t)total, "total_pages", (json_int_t)pages, "page_number",
                     (json_int_t)page, "size", (json_int_t)json_array_size(contents),
                     "first_page", page == 1, "last_page", page >= pages, "empty",
                     total == 0, "contents", contents);
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status,
                              const char *body, const char *retry_after)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    MHD_add_response_header(r, "Content-Type", "application/json");
    if (retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

#define HUGE_BYTES (17L * 1024 * 1024)

/* Streams "[" and spaces: valid JSON if it ever ended, which it must not
 * need to.  Without a length, only the client's count can stop it. */
static ssize_t huge_chunk(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos >= (uint64_t)HUGE_BYTES)
        return MHD_CONTENT_READER_END_OF_STREAM;
    memset(buf, ' ', max);
    if (pos == 0)
        buf[0] = '[';
    return (ssize_t)max;
}

static enum MHD_Result answer_huge(struct MHD_Connection *conn)
{
    struct MHD_Response *r = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 64 * 1024, huge_chunk, NULL, NULL);
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static long arg_long(struct MHD_Connection *conn, const char *name, long def)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? strtol(v, NULL, 10) : def;
}

/* Takes the misbehaviour that applies to this request, if any. */
static fake_mode take_mode(fake_hsds *f, long page, long *hang_ms)
{
    fake_mode m = FAKE_OK;
    if (f->mode != FAKE_OK && f->mode_times != 0 &&
        (f->mode_page == 0 || f->mode_page == page)) {
        m = f->mode;
        *hang_ms = f->hang_ms;
        if (f->mode_times > 0 && --f->mode_times == 0)
            f->mode = FAKE_OK;
    }
    return m;
}

static void record(fake_hsds *f, struct MHD_Connection *conn, long page)
{
    const char *since =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "modified_after");
    const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
    const char *full = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "full");

    f->stats.requests++;
    f->stats.last_page = (int)page;
    snprintf(f->stats.modified_after, sizeof f->stats.modified_after, "%s",
             since ? since : "");
    snprintf(f->stats.user_agent, sizeof f->stats.user_agent, "%s", ua ? ua : "");
    f->stats.full = full && strcmp(full, "true") == 0;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **con_cls)
{
    fake_hsds *f = cls;
    long page = arg_long(conn, "page", 1), per_page = arg_long(conn, "per_page", 10),
         hang = 0;
    const char *since =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "modified_after");
    fake_mode m;
    json_t *all, *pg;
    char *body;
    enum MHD_Result ret;
    struct timespec ts;

    (void)version, (void)upload, (void)upload_size, (void)con_cls;
    if (strcmp(method, "GET") != 0 || strcmp(url, "/api/services") != 0)
        return answer(conn, 404, "{\"error\":\"no such route\"}", NULL);
    pthread_mutex_lock(&f->lock);
    record(f, conn, page);
    m = take_mode(f, page, &hang);
    pthread_mutex_unlock(&f->lock);
    switch (m) {
    case FAKE_503:
        return answer(conn, 503, "{\"error\":\"busy\"}", "1");
    case FAKE_429:
        return answer(conn, 429, "{\"error\":\"slow down\"}", NULL);
    case FAKE_404:
        return answer(conn, 404, "{\"error\":\"gone\"}", NULL);
    case FAKE_HUGE:
        return answer_huge(conn);
    case FAKE_MALFORMED:
        return answer(conn, 200, "{\"total_pages\": 3, \"contents\": [{", NULL);
    case FAKE_HANG:
        ts.tv_sec = hang / 1000;
        ts.tv_nsec = (hang % 1000) * 1000000L;
        nanosleep(&ts, NULL);
        break;
    default:
        break;
    }
    if (per_page < 1 || page < 1)
        return answer(conn, 400, "{\"error\":\"bad paging\"}", NULL);
    pthread_mutex_lock(&f->lock);
    all = listing(f, since);
    pg = page_of(all, page, per_page);
    f->stats.pages++;
    f->stats.items += (int)json_array_size(json_object_get(pg, "contents"));
    pthread_mutex_unlock(&f->lock);
    body = json_dumps(pg, JSON_COMPACT);
    ret = answer(conn, 200, body, NULL);
    free(body);
    json_decref(pg);
    json_decref(all);
    return ret;
}

fake_hsds *fake_hsds_start(void)
{
    fake_hsds *f = calloc(1, sizeof *f);
    const union MHD_DaemonInfo *info;
    struct sockaddr_in addr;

    if (!f)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    f->services = json_object();
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
                            0, NULL, NULL, serve, f, MHD_OPTION_SOCK_ADDR, &addr,
                            MHD_OPTION_END);
    if (!f->d || !(info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT))) {
        fake_hsds_stop(f);
        return NULL;
    }
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u/api", (unsigned)info->port);
    return f;
}

void fake_hsds_stop(fake_hsds *f)
{
    if (!f)
        return;
    if (f->d)
        MHD_stop_daemon(f->d);
    json_decref(f->services);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

const char *fake_hsds_url(const fake_hsds *f)
{
    return f->url;
}

void fake_hsds_put(fake_hsds *f, const char *service_json)
{
    json_t *svc = json_loads(service_json, 0, NULL);
    const char *id = json_string_value(json_object_get(svc, "id"));

    if (!id) {
        fprintf(stderr, "fake_hsds_put: not a service: %s\n", service_json);
        abort();
    }
    pthread_mutex_lock(&f->lock);
    json_object_set(f->services, id, svc);
    pthread_mutex_unlock(&f->lock);
    json_decref(svc);
}

void fake_hsds_remove(fake_hsds *f, const char *id)
{
    pthread_mutex_lock(&f->lock);
    json_object_del(f->services, id);
    pthread_mutex_unlock(&f->lock);
}

void fake_hsds_misbehave(fake_hsds *f, fake_mode mode, int page, int times, long hang_ms)
{
    pthread_mutex_lock(&f->lock);
    f->mode = mode;
    f->mode_page = page;
    f->mode_times = times;
    f->hang_ms = hang_ms;
    pthread_mutex_unlock(&f->lock);
}

void fake_hsds_stats(fake_hsds *f, fake_stats *out)
{
    pthread_mutex_lock(&f->lock);
    *out = f->stats;
    pthread_mutex_unlock(&f->lock);
}

void fake_hsds_reset_stats(fake_hsds *f)
{
    pthread_mutex_lock(&f->lock);
    memset(&f->stats, 0, sizeof f->stats);
    pthread_mutex_unlock(&f->lock);
}
