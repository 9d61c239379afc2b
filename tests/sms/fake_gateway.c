/*
 * The fake SMS gateway (fake_gateway.h).  One thread per connection, so a
 * hanging answer holds up nobody else; all state behind one mutex; a
 * condition variable wakes hanging requests when the test stops the fake.
 * Each request gets its record from the URI log callback (which sees the
 * URI as sent), collects its body over the access handler's calls, and is
 * answered only once the whole body is in: that is what lets FGW_DROP close
 * the connection after the full request, as a real server crash would.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fake_gateway.h"
#include "signpost/sms.h"

#define BODY_MAX (256 * 1024)
#define HANG_MAX_S 120 /* a forgotten hang still ends */

typedef struct {
    time_t created, sent; /* sent -1: null */
    json_t *obj;
} stored_msg;

struct fake_gw {
    struct MHD_Daemon *d;
    char url[64];
    unsigned port;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    fgw_answer mode;
    int mode_times;
    int err_status, err_code;
    char retry_after[64];
    int rate, rate_count;
    time_t rate_second;
    char tw_auth[256 + 8], kn_user[64], kn_pass[64];
    int custom_status;
    char custom_type[128], *custom_body;
    stored_msg *msgs;
    size_t nmsgs, sid_seq;
    fgw_request **reqs;
    size_t nreqs;
};

/* Per request, from the URI callback to the completion callback. */
typedef struct {
    fgw_request *rec; /* owned by the fake once recorded */
    int started;
} conn_state;

void fgw_unescape(char *s, int plus)
{
    char *o = s;
    unsigned v;

    for (; *s; s++) {
        if (*s == '%' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1) {
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = plus && *s == '+' ? ' ' : *s;
        }
    }
    *o = '\0';
}

static void add_pair(fgw_kv **list, size_t *n, const char *name, const char *value)
{
    fgw_kv *l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        abort();
    *list = l;
    l[*n].name = strdup(name);
    l[*n].value = strdup(value ? value : "");
    (*n)++;
}

static void add_field(fgw_request *r, const char *name, const char *value)
{
    add_pair(&r->fields, &r->nfields, name, value);
}

/* a=b&c=d, each side percent-decoded. */
static void parse_form(fgw_request *r, const char *s)
{
    char *copy = strdup(s), *p = copy, *amp, *eq;

    for (; p && *p; p = amp) {
        if ((amp = strchr(p, '&')))
            *amp++ = '\0';
        if ((eq = strchr(p, '=')))
            *eq++ = '\0';
        fgw_unescape(p, 1);
        if (eq)
            fgw_unescape(eq, 1);
        add_field(r, p, eq ? eq : "");
    }
    free(copy);
}

static void free_request(fgw_request *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfields; i++) {
        free(r->fields[i].name);
        free(r->fields[i].value);
    }
    free(r->fields);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->uri);
    free(r->body);
    free(r);
}

const char *fgw_field(const fgw_request *r, const char *name)
{
    for (size_t i = 0; r && i < r->nfields; i++)
        if (strcmp(r->fields[i].name, name) == 0)
            return r->fields[i].value;
    return NULL;
}

const char *fgw_header(const fgw_request *r, const char *name)
{
    for (size_t i = 0; r && i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    conn_state *cs = calloc(1, sizeof *cs);
    const char *q;

    (void)cls, (void)conn;
    cs->rec = calloc(1, sizeof *cs->rec);
    cs->rec->uri = strdup(uri);
    cs->rec->body = calloc(1, 1);
    q = strchr(uri, '?');
    snprintf(cs->rec->path, sizeof cs->rec->path, "%.*s",
             (int)(q ? (size_t)(q - uri) : strlen(uri)), uri);
    if (q)
        parse_form(cs->rec, q + 1);
    return cs;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    conn_state *cs = *con_cls;

    (void)cls, (void)conn, (void)toe;
    if (!cs)
        return;
    free_request(cs->rec); /* NULL once the fake keeps it */
    free(cs);
    *con_cls = NULL;
}

/* ---- Answers ------------------------------------------------------------------ */

static enum MHD_Result answer(struct MHD_Connection *conn, fgw_request *rec, int status,
                              const char *type, const char *body, const char *retry_after)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    MHD_add_response_header(r, "Content-Type", type);
    if (retry_after && *retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    rec->status = status;
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer_json(struct MHD_Connection *conn, fgw_request *rec,
                                   int status, json_t *j, const char *retry_after)
{
    char *s = json_dumps(j, JSON_COMPACT);
    enum MHD_Result ret = answer(conn, rec, status, "application/json", s, retry_after);

    free(s);
    json_decref(j);
    return ret;
}

static enum MHD_Result twilio_error(struct MHD_Connection *conn, fgw_request *rec,
                                    int status, int code, const char *text,
                                    const char *retry_after)
{
    char more[96];

    snprintf(more, sizeof more, "https://www.twilio.com/docs/errors/%d", code);
    return answer_json(conn, rec, status,
                       json_pack("{s:i, s:s, s:s, s:i}", "code", code, "message", text,
                                 "more_info", more, "status", status),
                       retry_after);
}

static void rfc2822(time_t t, char *out, size_t len)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* Takes the misbehaviour for this request, if any (lock held). */
static fgw_answer take_mode(fake_gw *f)
{
    fgw_answer m = f->mode;

    if (m != FGW_OK && f->mode_times > 0 && --f->mode_times == 0)
        f->mode = FGW_OK;
    return m;
}

/* 1 when this send is over the rate limit (lock held). */
static int over_rate(fake_gw *f)
{
    time_t now = time(NULL);

    if (!f->rate)
        return 0;
    if (now != f->rate_second) {
        f->rate_second = now;
        f->rate_count = 0;
    }
    return ++f->rate_count > f->rate;
}

/* ---- Twilio ------------------------------------------------------------------- */

static json_t *message_json(const char *sid, const char *direction, const char *from,
                            const char *to, const char *body, time_t created, time_t sent)
{
    char dc[64], ds[64], uri[160], segs[8];
    sms_length len = {0, 0, 1};

    rfc2822(created, dc, sizeof dc);
    rfc2822(sent, ds, sizeof ds);
    sms_count(body, &len);
    snprintf(segs, sizeof segs, "%d", len.segments);
    snprintf(uri, sizeof uri, "/2010-04-01/Accounts/AC%032d/Messages/%s.json", 0, sid);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:n, s:n, s:s, s:s, s:s, s:s,"
        " s:s, s:s, s:n}",
        "sid", sid, "api_version", "2010-04-01", "body", body, "date_created", dc,
        "date_sent", sent < 0 ? json_null() : json_string(ds), "date_updated", dc,
        "direction", direction, "error_code", "error_message", "from", from, "to", to,
        "status", strcmp(direction, "inbound") == 0 ? "received" : "queued", "num_media",
        "0", "num_segments", segs, "uri", uri, "price");
}

/* Stores a message (lock held); sid gets its id. */
static json_t *store_message(fake_gw *f, const char *direction, const char *from,
                             const char *to, const char *body, time_t created,
                             time_t sent, char sid[35])
{
    stored_msg *n = realloc(f->msgs, (f->nmsgs + 1) * sizeof *n);

    if (!n)
        abort();
    f->msgs = n;
    snprintf(sid, 35, "SM%032zx", ++f->sid_seq);
    n[f->nmsgs].created = created;
    n[f->nmsgs].sent = sent;
    n[f->nmsgs].obj = message_json(sid, direction, from, to, body, created, sent);
    return n[f->nmsgs++].obj;
}

void fgw_add_message(fake_gw *f, const char *direction, const char *from, const char *to,
                     const char *body, time_t created, time_t sent, char *sid)
{
    char s[35];

    pthread_mutex_lock(&f->lock);
    store_message(f, direction, from, to, body, created, sent, s);
    pthread_mutex_unlock(&f->lock);
    if (sid)
        memcpy(sid, s, sizeof s);
}

int fgw_message_count(fake_gw *f)
{
    int n;

    pthread_mutex_lock(&f->lock);
    n = (int)f->nmsgs;
    pthread_mutex_unlock(&f->lock);
    return n;
}

static enum MHD_Result twilio_create(fake_gw *f, struct MHD_Connection *conn,
                                     fgw_request *rec)
{
    const char *to = fgw_field(rec, "To"), *body = fgw_field(rec, "Body");
    const char *from = fgw_field(rec, "From"),
               *svc = fgw_field(rec, "MessagingServiceSid");
    char sid[35];
    json_t *msg;

    if (!to || !*to)
        return twilio_error(conn, rec, 400, 21604, "A 'To' phone number is required.",
                            NULL);
    if (!body)
        return twilio_error(conn, rec, 400, 21602, "Message body is required.", NULL);
    if ((!from || !*from) && (!svc || !*svc))
        return twilio_error(conn, rec, 400, 21603, "A 'From' phone number is required.",
                            NULL);
    pthread_mutex_lock(&f->lock);
    msg = json_deep_copy(store_message(f, "outbound-api", from ? from : "+15550000000",
                                       to, body, time(NULL), -1, sid));
    pthread_mutex_unlock(&f->lock);
    if (svc && *svc)
        json_object_set_new(msg, "messaging_service_sid", json_string(svc));
    return answer_json(conn, rec, 201, msg, NULL);
}

static int by_newest(const void *a, const void *b)
{
    const stored_msg *x = *(const stored_msg *const *)a,
                     *y = *(const stored_msg *const *)b;
    return x->created > y->created ? -1 : x->created < y->created;
}

/* A message passes To, From and "DateSent>" (a day, UTC; a null
 * date_sent never passes, as at Twilio). */
static int listed(const stored_msg *m, const fgw_request *rec)
{
    const char *to = fgw_field(rec, "To"), *from = fgw_field(rec, "From");
    const char *day = fgw_field(rec, "DateSent>");
    int y, mo, d;
    struct tm tm;

    if (to && strcmp(to, json_string_value(json_object_get(m->obj, "to"))) != 0)
        return 0;
    if (from && strcmp(from, json_string_value(json_object_get(m->obj, "from"))) != 0)
        return 0;
    if (day) {
        memset(&tm, 0, sizeof tm);
        if (sscanf(day, "%4d-%2d-%2d", &y, &mo, &d) != 3)
            return 0;
        tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
        if (m->sent < 0 || m->sent < timegm(&tm))
            return 0;
    }
    return 1;
}

/* The filters and the page size again, for next_page_uri. */
static void next_uri(const fgw_request *rec, long page, char *out, size_t len)
{
    const char *q = strchr(rec->uri, '?');
    char *copy = strdup(q ? q + 1 : ""), *p = copy, *amp;
    int n = snprintf(out, len, "%s?", rec->path);

    for (; p && *p; p = amp) {
        if ((amp = strchr(p, '&')))
            *amp++ = '\0';
        if (strncmp(p, "Page=", 5) != 0 && n >= 0 && (size_t)n < len)
            n += snprintf(out + n, len - (size_t)n, "%s&", p);
    }
    if (n >= 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n, "Page=%ld", page);
    free(copy);
}

static enum MHD_Result twilio_list(fake_gw *f, struct MHD_Connection *conn,
                                   fgw_request *rec)
{
    const char *ps = fgw_field(rec, "PageSize"), *pg = fgw_field(rec, "Page");
    long size = ps ? strtol(ps, NULL, 10) : 50, page = pg ? strtol(pg, NULL, 10) : 0;
    json_t *list = json_array();
    const stored_msg **sel;
    size_t n = 0, i;
    char next[2048];

    if (size < 1 || size > 1000)
        return twilio_error(conn, rec, 400, 20001, "Invalid PageSize", NULL);
    pthread_mutex_lock(&f->lock);
    sel = calloc(f->nmsgs + 1, sizeof *sel);
    for (i = 0; i < f->nmsgs; i++)
        if (listed(&f->msgs[i], rec))
            sel[n++] = &f->msgs[i];
    qsort(sel, n, sizeof *sel, by_newest);
    for (i = (size_t)(page * size); i < n && i < (size_t)((page + 1) * size); i++)
        json_array_append(list, sel[i]->obj);
    pthread_mutex_unlock(&f->lock);
    free(sel);
    next_uri(rec, page + 1, next, sizeof next);
    return answer_json(
        conn, rec, 200,
        json_pack("{s:o, s:I, s:I, s:o, s:n, s:s}", "messages", list, "page",
                  (json_int_t)page, "page_size", (json_int_t)size, "next_page_uri",
                  (size_t)((page + 1) * size) < n ? json_string(next) : json_null(),
                  "previous_page_uri", "uri", rec->path),
        NULL);
}

static enum MHD_Result twilio_account(struct MHD_Connection *conn, fgw_request *rec,
                                      const char *sid)
{
    return answer_json(conn, rec, 200,
                       json_pack("{s:s, s:s, s:s, s:s}", "sid", sid, "friendly_name",
                                 "fake", "status", "active", "type", "Full"),
                       NULL);
}

/* /2010-04-01/Accounts/{sid}.json or .../{sid}/Messages.json; the rest 404. */
static enum MHD_Result twilio(fake_gw *f, struct MHD_Connection *conn, fgw_request *rec)
{
    const char *rest = rec->path + strlen("/2010-04-01/Accounts/");
    char sid[64] = "";
    size_t n = strcspn(rest, "/.");

    if (f->tw_auth[0] && strcmp(rec->auth, f->tw_auth) != 0)
        return twilio_error(conn, rec, 401, 20003, "Authenticate", NULL);
    snprintf(sid, sizeof sid, "%.*s", (int)(n < 63 ? n : 63), rest);
    if (strcmp(rest + n, ".json") == 0 && strcmp(rec->method, "GET") == 0)
        return twilio_account(conn, rec, sid);
    if (strcmp(rest + n, "/Messages.json") == 0 && strcmp(rec->method, "POST") == 0)
        return twilio_create(f, conn, rec);
    if (strcmp(rest + n, "/Messages.json") == 0 && strcmp(rec->method, "GET") == 0)
        return twilio_list(f, conn, rec);
    return twilio_error(conn, rec, 404, 20404, "The requested resource was not found",
                        NULL);
}

static enum MHD_Result kannel(fake_gw *f, struct MHD_Connection *conn, fgw_request *rec,
                              fgw_answer m)
{
    const char *user = fgw_field(rec, "username"), *pass = fgw_field(rec, "password");

    if (m == FGW_ERROR || (f->kn_user[0] && (!user || strcmp(user, f->kn_user) != 0 ||
                                             !pass || strcmp(pass, f->kn_pass) != 0)))
        return answer(conn, rec, 403, "text/html", "Authorization failed for sendsms",
                      NULL);
    if (!fgw_field(rec, "to"))
        return answer(conn, rec, 400, "text/html", "Missing receiver number, rejected",
                      NULL);
    if (m == FGW_QUEUED)
        return answer(conn, rec, 202, "text/html", "3: Queued for later delivery", NULL);
    return answer(conn, rec, 202, "text/html", "0: Accepted for delivery", NULL);
}

static int is_send(const fgw_request *rec)
{
    size_t n = strlen(rec->path);
    return strcmp(rec->path, "/cgi-bin/sendsms") == 0 ||
           (strcmp(rec->method, "POST") == 0 && n > 14 &&
            strcmp(rec->path + n - 14, "/Messages.json") == 0);
}

/* ---- Misbehaving -------------------------------------------------------------- */

/* Blocks until fgw_stop (or HANG_MAX_S, so a forgotten hang still ends). */
static void hang(fake_gw *f)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HANG_MAX_S;
    pthread_mutex_lock(&f->lock);
    while (!f->stopping)
        if (pthread_cond_timedwait(&f->wake, &f->lock, &until) != 0)
            break;
    pthread_mutex_unlock(&f->lock);
}

static enum MHD_Result misbehave(fake_gw *f, struct MHD_Connection *conn,
                                 fgw_request *rec, fgw_answer m, int tw)
{
    char ra[64];
    int st, code;

    pthread_mutex_lock(&f->lock);
    memcpy(ra, f->retry_after, sizeof ra);
    st = f->err_status, code = f->err_code;
    pthread_mutex_unlock(&f->lock);
    switch (m) {
    case FGW_429:
        return tw ? twilio_error(conn, rec, 429, 20429, "Too Many Requests", ra)
                  : answer(conn, rec, 429, "text/plain", "slow down", ra);
    case FGW_500:
        return answer(conn, rec, 500, "text/plain", "Internal Server Error", NULL);
    case FGW_503:
        return answer(conn, rec, 503, "text/plain", "Service Unavailable", ra);
    case FGW_HANG:
        hang(f);
        return MHD_NO;
    case FGW_DROP:
        return MHD_NO; /* MHD closes the connection without a word */
    default:
        /* Twilio's own messages quote the number: the adapter must not. */
        return tw ? twilio_error(
                        conn, rec, st, code,
                        "The 'To' number +15550100199 is not a valid phone number.", NULL)
                  : answer(conn, rec, 400, "text/plain", "bad request", NULL);
    }
}

static enum MHD_Result keep_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    fgw_request *rec = cls;

    (void)kind;
    add_pair(&rec->headers, &rec->nheaders, key, value);
    return MHD_YES;
}

/* The first call of a request: what its headers say. */
static void start_request(struct MHD_Connection *conn, fgw_request *rec,
                          const char *method)
{
    const char *auth =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");

    snprintf(rec->method, sizeof rec->method, "%s", method);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, keep_header, rec);
    snprintf(rec->auth, sizeof rec->auth, "%s", auth ? auth : "");
    snprintf(rec->content_type, sizeof rec->content_type, "%s", ct ? ct : "");
}

static void add_body(fgw_request *rec, const char *data, size_t len)
{
    char *n;

    if (rec->body_len + len > BODY_MAX)
        len = BODY_MAX - rec->body_len;
    if (!(n = realloc(rec->body, rec->body_len + len + 1)))
        abort();
    memcpy(n + rec->body_len, data, len);
    rec->body = n;
    rec->body_len += len;
    rec->body[rec->body_len] = '\0';
}

/* Keeps the finished request; returns the mode that applies to it. */
static fgw_answer publish(fake_gw *f, fgw_request *rec)
{
    fgw_request **n;
    fgw_answer m;

    if (strncasecmp(rec->content_type, "application/x-www-form-urlencoded", 33) == 0)
        parse_form(rec, rec->body);
    pthread_mutex_lock(&f->lock);
    if (!(n = realloc(f->reqs, (f->nreqs + 1) * sizeof *n)))
        abort();
    f->reqs = n;
    n[f->nreqs++] = rec;
    m = take_mode(f);
    if (m == FGW_OK && is_send(rec) && over_rate(f))
        m = FGW_429;
    pthread_mutex_unlock(&f->lock);
    return m;
}

static enum MHD_Result custom(fake_gw *f, struct MHD_Connection *conn, fgw_request *rec)
{
    char type[128], *body;
    int status;
    enum MHD_Result ret;

    pthread_mutex_lock(&f->lock);
    status = f->custom_status;
    memcpy(type, f->custom_type, sizeof type);
    body = strdup(f->custom_body);
    pthread_mutex_unlock(&f->lock);
    ret = answer(conn, rec, status, type, body, NULL);
    free(body);
    return ret;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **con_cls)
{
    fake_gw *f = cls;
    conn_state *cs = *con_cls;
    fgw_request *rec = cs->rec;
    fgw_answer m;
    int tw;

    (void)url, (void)version;
    if (!cs->started) {
        start_request(conn, rec, method);
        cs->started = 1;
        return MHD_YES;
    }
    if (*upload_size) {
        add_body(rec, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    cs->rec = NULL; /* the fake owns it now */
    m = publish(f, rec);
    tw = strncmp(rec->path, "/2010-04-01/Accounts/", 21) == 0;
    if (m != FGW_OK && m != FGW_QUEUED && !(m == FGW_ERROR && !tw))
        return misbehave(f, conn, rec, m, tw);
    if (tw)
        return twilio(f, conn, rec);
    if (strcmp(rec->path, "/cgi-bin/sendsms") == 0)
        return kannel(f, conn, rec, m);
    if (m == FGW_ERROR)
        return misbehave(f, conn, rec, m, 0);
    return custom(f, conn, rec);
}

/* ---- Life and settings ---------------------------------------------------------- */

fake_gw *fgw_start(void)
{
    fake_gw *f = calloc(1, sizeof *f);
    const union MHD_DaemonInfo *info;
    struct sockaddr_in addr;

    if (!f)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->wake, NULL);
    f->err_status = 400;
    f->err_code = 21211;
    snprintf(f->retry_after, sizeof f->retry_after, "2");
    fgw_custom(f, 200, "application/json", "{\"ok\":true}");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* No MHD_USE_ERROR_LOG: FGW_DROP's refusal would be logged each time. */
    f->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        serve, f, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, f,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, f, MHD_OPTION_END);
    if (!f->d || !(info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT))) {
        fgw_stop(f);
        return NULL;
    }
    f->port = info->port;
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", f->port);
    return f;
}

static void forget(fake_gw *f)
{
    for (size_t i = 0; i < f->nreqs; i++)
        free_request(f->reqs[i]);
    free(f->reqs);
    f->reqs = NULL;
    f->nreqs = 0;
    for (size_t i = 0; i < f->nmsgs; i++)
        json_decref(f->msgs[i].obj);
    free(f->msgs);
    f->msgs = NULL;
    f->nmsgs = 0;
}

void fgw_stop(fake_gw *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->stopping = 1;
    pthread_cond_broadcast(&f->wake);
    pthread_mutex_unlock(&f->lock);
    if (f->d)
        MHD_stop_daemon(f->d);
    forget(f);
    free(f->custom_body);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

const char *fgw_url(const fake_gw *f)
{
    return f->url;
}

unsigned fgw_port(const fake_gw *f)
{
    return f->port;
}

void fgw_mode(fake_gw *f, fgw_answer mode, int times)
{
    pthread_mutex_lock(&f->lock);
    f->mode = mode;
    f->mode_times = times;
    pthread_mutex_unlock(&f->lock);
}

void fgw_error(fake_gw *f, int http_status, int code)
{
    pthread_mutex_lock(&f->lock);
    f->err_status = http_status;
    f->err_code = code;
    pthread_mutex_unlock(&f->lock);
}

void fgw_retry_after(fake_gw *f, const char *value)
{
    pthread_mutex_lock(&f->lock);
    snprintf(f->retry_after, sizeof f->retry_after, "%s", value ? value : "");
    pthread_mutex_unlock(&f->lock);
}

void fgw_rate_limit(fake_gw *f, int n)
{
    pthread_mutex_lock(&f->lock);
    f->rate = n;
    f->rate_count = 0;
    pthread_mutex_unlock(&f->lock);
}

void fgw_twilio_auth(fake_gw *f, const char *account_sid, const char *token)
{
    char plain[192], b64[200];
    int n = snprintf(plain, sizeof plain, "%s:%s", account_sid, token);

    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)plain, (size_t)n,
                      sodium_base64_VARIANT_ORIGINAL);
    pthread_mutex_lock(&f->lock);
    snprintf(f->tw_auth, sizeof f->tw_auth, "Basic %s", b64);
    pthread_mutex_unlock(&f->lock);
}

void fgw_kannel_auth(fake_gw *f, const char *user, const char *pass)
{
    pthread_mutex_lock(&f->lock);
    snprintf(f->kn_user, sizeof f->kn_user, "%s", user);
    snprintf(f->kn_pass, sizeof f->kn_pass, "%s", pass);
    pthread_mutex_unlock(&f->lock);
}

void fgw_custom(fake_gw *f, int status, const char *content_type, const char *body)
{
    char *copy = strdup(body);

    pthread_mutex_lock(&f->lock);
    f->custom_status = status;
    snprintf(f->custom_type, sizeof f->custom_type, "%s", content_type);
    free(f->custom_body);
    f->custom_body = copy;
    pthread_mutex_unlock(&f->lock);
}

int fgw_request_count(fake_gw *f)
{
    int n;

    pthread_mutex_lock(&f->lock);
    n = (int)f->nreqs;
    pthread_mutex_unlock(&f->lock);
    return n;
}

const fgw_request *fgw_request_at(fake_gw *f, int i)
{
    const fgw_request *r = NULL;

    pthread_mutex_lock(&f->lock);
    if (i < 0)
        i += (int)f->nreqs;
    if (i >= 0 && (size_t)i < f->nreqs)
        r = f->reqs[i];
    pthread_mutex_unlock(&f->lock);
    return r;
}

void fgw_reset(fake_gw *f)
{
    pthread_mutex_lock(&f->lock);
    forget(f);
    f->mode = FGW_OK;
    f->mode_times = 0;
    f->rate = 0;
    pthread_mutex_unlock(&f->lock);
}
