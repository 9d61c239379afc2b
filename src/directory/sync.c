/*
 * One directory sync run (sync.h): pages from the HSDS API into the mirror,
 * then, when the mirror changed, a fresh directory.db built from the whole
 * mirror by the ordinary importer and installed atomically.
 *
 * The mirror (state_dir/sync.db) holds the raw JSON of every service the
 * API listed, and the pass state: which modified_after the pass asks with,
 * the next page to fetch, and whether the mirror changed since the last
 * install ("dirty").  Every page is kept in one transaction together with
 * that state, so whatever stops a run (a failure, the page budget, SIGTERM,
 * a power cut) the next run resumes at the first page not kept, and a
 * mirror that changed but was never installed is installed by the next run
 * even if the API has nothing new.
 *
 * The directory is only ever replaced from a mirror that holds at least
 * one complete listing, so a first sync that needs several runs does not
 * swap a working directory for half of one.  The mirror uses SQLite's
 * rollback journal with synchronous=FULL: only one connection ever opens it
 * (a lock file keeps `signpost sync` from racing the daemon's worker), so
 * WAL's concurrent readers would buy nothing.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "signpost/directory_db.h"
#include "signpost/hsds.h"
#include "signpost/log.h"
#include "sync_internal.h"

#define MIRROR_JSON "sync-mirror.json"
#define NEW_DB DIRECTORY_DB_FILE ".new-sync"
#define LOCK_FILE "sync.lock"
#define MAX_ID 255 /* longer service ids are not ids */
#define PATH_CAP 4200

static const char mirror_schema[] =
    "CREATE TABLE services("
    "  id TEXT PRIMARY KEY,"
    "  modified TEXT NOT NULL DEFAULT ''," /* last_modified as the API gave it */
    "  json TEXT NOT NULL,"                /* the service, as the API gave it */
    "  pass INTEGER NOT NULL DEFAULT 0);"  /* the last pass that listed it */
    "CREATE TABLE state(key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

/* Everything one run works with. */
typedef struct {
    const sync_opts *o;
    sync_summary *sum;
    char *err;
    size_t errlen;
    sqlite3 *db;
    sqlite3_stmt *same, *upsert, *put;
    sync_http *http;
    sg_buf url, body;
    /* The pass, as the state table has it between pages. */
    char pass_mark[SYNC_TIME_LEN]; /* "" for a full listing */
    int64_t pass_id, page, pass_started, pass_max;
    char prev_first[MAX_ID + 1]; /* first id of the previous page */
} sync_ctx;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static sg_rc init_rc = SG_OK;

static void global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0)
        init_rc = SG_ENOMEM;
}

sg_rc sync_global_init(void)
{
    pthread_once(&init_once, global_init);
    return init_rc;
}

void sync_opts_from_config(sync_opts *o, const sg_config *cfg, const sg_domain_map *map)
{
    memset(o, 0, sizeof *o);
    o->base_url = cfg->directory_sync_url;
    o->state_dir = cfg->store_dir;
    o->map = map;
    o->max_pages = cfg->sync_max_pages;
    o->full_days = cfg->sync_full_days;
    o->timeout_ms = (long)cfg->sync_timeout_s * 1000;
    o->backoff_base_ms = 1000;
    o->backoff_cap_ms = 30000;
    o->max_wait_s = 120;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sg_rc db_fail(sync_ctx *c, const char *doing)
{
    snprintf(c->err, c->errlen, "sync.db: %s: %s", doing, sqlite3_errmsg(c->db));
    return SG_EDB;
}

static sg_rc path_in(const sync_ctx *c, const char *name, char out[PATH_CAP])
{
    int n = snprintf(out, PATH_CAP, "%s/%s", c->o->state_dir, name);
    if (n < 0 || n >= PATH_CAP) {
        snprintf(c->err, c->errlen, "state directory path too long");
        return SG_ETOOBIG;
    }
    return SG_OK;
}

/* ---- the state table ---- */

static int64_t state_int(sync_ctx *c, const char *key, int64_t def)
{
    sqlite3_stmt *s = NULL;
    int64_t v = def;

    if (sqlite3_prepare_v2(c->db, "SELECT value FROM state WHERE key = ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return v;
}

static void state_text(sync_ctx *c, const char *key, char *out, size_t outlen)
{
    sqlite3_stmt *s = NULL;

    out[0] = '\0';
    if (sqlite3_prepare_v2(c->db, "SELECT value FROM state WHERE key = ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
}

static sg_rc put_int(sync_ctx *c, const char *key, int64_t v)
{
    sqlite3_reset(c->put);
    sqlite3_bind_text(c->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->put, 2, v);
    return sqlite3_step(c->put) == SQLITE_DONE ? SG_OK : db_fail(c, "saving the state");
}

static sg_rc put_text(sync_ctx *c, const char *key, const char *v)
{
    sqlite3_reset(c->put);
    sqlite3_bind_text(c->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->put, 2, v, -1, SQLITE_STATIC);
    return sqlite3_step(c->put) == SQLITE_DONE ? SG_OK : db_fail(c, "saving the state");
}

/* ---- opening the mirror ---- */

static sg_rc migrate(sync_ctx *c)
{
    sqlite3_stmt *s = NULL;
    int version = -1;

    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version < 0)
        return db_fail(c, "reading the schema version");
    if (version > 1) {
        snprintf(c->err, c->errlen, "sync.db: made by a newer signpost (schema %d)",
                 version);
        return SG_EDB;
    }
    if (version == 1)
        return SG_OK;
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ||
        sqlite3_exec(c->db, mirror_schema, NULL, NULL, NULL) ||
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL)) {
        sg_rc rc = db_fail(c, "creating the mirror");
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return SG_OK;
}

static sg_rc prepare_statements(sync_ctx *c)
{
    if (sqlite3_prepare_v2(c->db,
                           "UPDATE services SET pass = ?3 WHERE id = ?1 AND json = ?2",
                           -1, &c->same, NULL) ||
        sqlite3_prepare_v2(c->db,
                           "INSERT INTO services(id, modified, json, pass)"
                           " VALUES(?1, ?4, ?2, ?3) ON CONFLICT(id) DO UPDATE SET"
                           " modified = excluded.modified, json = excluded.json,"
                           " pass = excluded.pass",
                           -1, &c->upsert, NULL) ||
        sqlite3_prepare_v2(c->db,
                           "INSERT OR REPLACE INTO state(key, value) VALUES(?1, ?2)", -1,
                           &c->put, NULL))
        return db_fail(c, "preparing statements");
    return SG_OK;
}

/* A mirror of another API (the URL changed) must not mix into this one. */
static sg_rc check_source(sync_ctx *c)
{
    char was[SG_CFG_LONG + 1];
    sg_rc rc;

    state_text(c, "source", was, sizeof was);
    if (strcmp(was, c->o->base_url) == 0)
        return SG_OK;
    if (was[0])
        sg_info("sync: the sync URL changed; starting a new mirror");
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE; DELETE FROM services; DELETE FROM state;",
                     NULL, NULL, NULL))
        rc = db_fail(c, "resetting the mirror");
    else if (!(rc = put_text(c, "source", c->o->base_url)) &&
             sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL))
        rc = db_fail(c, "resetting the mirror");
    if (rc)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static sg_rc open_mirror(sync_ctx *c)
{
    char path[PATH_CAP];
    sg_rc rc;

    if ((rc = path_in(c, SYNC_DB_FILE, path)))
        return rc;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL))
        return db_fail(c, "opening");
    sqlite3_busy_timeout(c->db, 5000);
    if (sqlite3_exec(c->db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;",
                     NULL, NULL, NULL))
        return db_fail(c, "setting it up");
    if ((rc = migrate(c)) || (rc = prepare_statements(c)))
        return rc;
    return check_source(c);
}

/* ---- the pass ---- */

/* Resumes the pass in progress, or starts one: full or from the mark. */
static void plan_pass(sync_ctx *c)
{
    int64_t next = state_int(c, "pass_page", 0);
    int64_t last_full = state_int(c, "last_full", -1);
    int baseline = state_int(c, "baseline", 0) != 0;
    int full;

    state_text(c, "pass_mark", c->pass_mark, sizeof c->pass_mark);
    if (next > 0 && !(c->o->full && c->pass_mark[0])) {
        c->page = next;
        c->pass_id = state_int(c, "pass_id", 1);
        c->pass_started = state_int(c, "pass_started", -1);
        c->pass_max = state_int(c, "pass_max", -1);
        sg_info("sync: resuming the %s listing at page %lld",
                c->pass_mark[0] ? "incremental" : "full", (long long)c->page);
        return;
    }
    full = c->o->full || !baseline ||
           (c->o->full_days > 0 &&
            now_ms() - last_full >= (int64_t)c->o->full_days * 86400000);
    if (full)
        c->pass_mark[0] = '\0';
    else
        state_text(c, "mark", c->pass_mark, sizeof c->pass_mark);
    c->page = 1;
    c->pass_id = state_int(c, "pass_id", 0) + 1;
    c->pass_started = c->pass_max = -1;
    assert(c->pass_id >= 1);
}

static void note_modified(sync_ctx *c, const char *modified)
{
    int64_t ms;
    if (modified[0] && sync_time_parse(modified, &ms) == 0 && ms > c->pass_max)
        c->pass_max = ms;
}

/* Puts one service in the mirror; *changed when it is new or different. */
static sg_rc keep_service(sync_ctx *c, json_t *svc, int *changed)
{
    const char *id = json_string_value(json_object_get(svc, "id"));
    const char *modified = json_string_value(json_object_get(svc, "last_modified"));
    char *text;
    sg_rc rc = SG_OK;

    *changed = 0;
    if (!modified)
        modified = "";
    note_modified(c, modified);
    if (!(text = json_dumps(svc, JSON_COMPACT)))
        return SG_ENOMEM;
    sqlite3_reset(c->same);
    sqlite3_bind_text(c->same, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->same, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->same, 3, c->pass_id);
    if (sqlite3_step(c->same) != SQLITE_DONE) {
        rc = db_fail(c, "updating a service");
        goto out;
    }
    if (sqlite3_changes(c->db) == 1)
        goto out; /* the same as before: only its pass moved */
    sqlite3_reset(c->upsert);
    sqlite3_bind_text(c->upsert, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->upsert, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->upsert, 3, c->pass_id);
    sqlite3_bind_text(c->upsert, 4, modified, -1, SQLITE_STATIC);
    if (sqlite3_step(c->upsert) != SQLITE_DONE)
        rc = db_fail(c, "storing a service");
    *changed = rc == SG_OK;
out:
    free(text);
    return rc;
}

static int usable(json_t *svc)
{
    const char *id = json_string_value(json_object_get(svc, "id"));
    return json_is_object(svc) && id && *id && strlen(id) <= MAX_ID;
}

/* Services a full listing did not list are gone from the API. */
static sg_rc drop_unlisted(sync_ctx *c, size_t *removed)
{
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_OK;

    if (sqlite3_prepare_v2(c->db, "DELETE FROM services WHERE pass != ?1", -1, &s,
                           NULL) ||
        sqlite3_bind_int64(s, 1, c->pass_id) || sqlite3_step(s) != SQLITE_DONE)
        rc = db_fail(c, "dropping services the API no longer lists");
    else
        *removed = (size_t)sqlite3_changes(c->db);
    sqlite3_finalize(s);
    return rc;
}

/* The end of a pass: drop what a full listing no longer has, set the mark. */
static sg_rc finish_pass(sync_ctx *c, size_t *removed)
{
    sqlite3_stmt *s = NULL;
    int64_t seen = 0, mark;
    char text[SYNC_TIME_LEN] = "";
    sg_rc rc;

    *removed = 0;
    if (!c->pass_mark[0]) {
        if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM services WHERE pass = ?1", -1,
                               &s, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(s, 1, c->pass_id);
            if (sqlite3_step(s) == SQLITE_ROW)
                seen = sqlite3_column_int64(s, 0);
        }
        sqlite3_finalize(s);
        if (seen == 0) /* an API glitch must not empty the mirror */
            sg_warn(
                "sync: the full listing had no services; keeping the mirror as it is");
        else if ((rc = drop_unlisted(c, removed)))
            return rc;
        if ((rc = put_int(c, "baseline", 1)) || (rc = put_int(c, "last_full", now_ms())))
            return rc;
    }
    mark = sync_next_mark(c->pass_started, c->pass_max, -1, SYNC_MARK_MARGIN_MS);
    if (mark < 0) /* nothing to go by: keep the pass's own mark */
        return put_text(c, "mark", c->pass_mark);
    sync_time_format(mark, text);
    return put_text(c, "mark", text);
}

static sg_rc save_pass(sync_ctx *c, int last, int changed)
{
    sg_rc rc;

    if ((rc = put_int(c, "pass_page", last ? 0 : c->page + 1)) ||
        (rc = put_text(c, "pass_mark", c->pass_mark)) ||
        (rc = put_int(c, "pass_id", c->pass_id)) ||
        (rc = put_int(c, "pass_started", c->pass_started)) ||
        (rc = put_int(c, "pass_max", c->pass_max)))
        return rc;
    return changed ? put_int(c, "dirty", 1) : SG_OK;
}

/* One page into the mirror, with the pass state, in one transaction. */
static sg_rc keep_page(sync_ctx *c, const sync_page *pg, int last)
{
    size_t i, fetched = 0, changed = 0, skipped = 0, removed = 0;
    json_t *svc;
    int ch;
    sg_rc rc = SG_OK;

    assert(c->page >= 1 && c->pass_id >= 1);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
        return db_fail(c, "starting a page");
    json_array_foreach(pg->contents, i, svc) {
        if (!usable(svc)) {
            skipped++;
            continue;
        }
        if ((rc = keep_service(c, svc, &ch)))
            goto out;
        fetched++;
        changed += (size_t)ch;
    }
    if ((rc = save_pass(c, last, changed > 0)) ||
        (last && (rc = finish_pass(c, &removed))) ||
        (removed && (rc = put_int(c, "dirty", 1))))
        goto out;
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL))
        rc = db_fail(c, "saving a page");
out:
    if (rc) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (skipped)
        sg_warn("sync: page %lld: %zu entries without an id left out", (long long)c->page,
                skipped);
    c->sum->pages++;
    c->sum->fetched += fetched;
    c->sum->changed += changed;
    c->sum->removed += removed;
    return SG_OK;
}

/* A server that ignores ?page= sends page 1 again and again. */
static int repeats_previous(sync_ctx *c, const sync_page *pg)
{
    const char *first =
        json_string_value(json_object_get(json_array_get(pg->contents, 0), "id"));
    int same = first && c->prev_first[0] && strcmp(first, c->prev_first) == 0;

    snprintf(c->prev_first, sizeof c->prev_first, "%s", first ? first : "");
    if (same)
        sg_warn("sync: page %lld repeats the previous page; taking it as the end",
                (long long)c->page);
    return same;
}

static int per_page(const sync_ctx *c)
{
    return c->o->per_page > 0 ? c->o->per_page : SYNC_PER_PAGE;
}

static sg_rc fetch_page(sync_ctx *c, sync_page *pg, int64_t *date)
{
    sg_rc rc;

    if ((rc = sync_build_url(c->o->base_url, c->pass_mark, (int)c->page, per_page(c),
                             &c->url))) {
        snprintf(c->err, c->errlen, "[directory] sync_url: not a usable http(s) URL");
        return rc;
    }
    sg_debug("sync: page %lld%s%s", (long long)c->page,
             c->pass_mark[0] ? " modified after " : "", c->pass_mark);
    if ((rc = sync_http_get(c->http, c->url.data, &c->body, date, c->err, c->errlen)))
        return rc;
    if ((rc = sync_page_parse(c->body.data ? c->body.data : "", c->body.len, pg, c->err,
                              c->errlen)))
        return rc;
    if (pg->page_number >= 0 && pg->page_number != c->page) {
        snprintf(c->err, c->errlen, "asked for page %lld, the API answered page %ld",
                 (long long)c->page, pg->page_number);
        sync_page_free(pg);
        return SG_EINVAL;
    }
    return SG_OK;
}

static sg_rc pull(sync_ctx *c)
{
    sync_page pg;
    int64_t date;
    int last;
    sg_rc rc;

    for (int n = 0; n < c->o->max_pages; n++) {
        if (sync_pause(c->o, 0)) {
            snprintf(c->err, c->errlen, "stopped");
            return SG_EBUSY;
        }
        if ((rc = fetch_page(c, &pg, &date))) {
            if (rc == SG_EINVAL)
                snprintf(c->err + strlen(c->err), c->errlen - strlen(c->err),
                         " (page %lld)", (long long)c->page);
            return rc;
        }
        if (c->page == 1)
            c->pass_started = date; /* the server's clock when the listing began */
        last =
            sync_page_is_last(&pg, (int)c->page, per_page(c)) || repeats_previous(c, &pg);
        rc = keep_page(c, &pg, last);
        sync_page_free(&pg);
        if (rc)
            return rc;
        if (last) {
            c->sum->complete = 1;
            return SG_OK;
        }
        c->page++;
    }
    return SG_OK;
}

/* ---- building and installing the directory ---- */

/* The whole mirror as one JSON array, streamed: memory stays flat. */
static sg_rc write_mirror(sync_ctx *c, const char *path, size_t *n)
{
    sqlite3_stmt *s = NULL;
    FILE *f = NULL;
    int fd, step;
    sg_rc rc = SG_EIO;

    *n = 0;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        if (fd >= 0)
            close(fd);
        snprintf(c->err, c->errlen, "%s: %s", path, strerror(errno));
        return SG_EIO;
    }
    if (sqlite3_prepare_v2(c->db, "SELECT json FROM services ORDER BY id", -1, &s,
                           NULL)) {
        rc = db_fail(c, "reading the mirror");
        goto out;
    }
    fputs("[\n", f);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        fputs(*n ? ",\n" : "", f);
        fwrite(sqlite3_column_text(s, 0), 1, (size_t)sqlite3_column_bytes(s, 0), f);
        (*n)++;
    }
    fputs("\n]\n", f);
    if (step != SQLITE_DONE) {
        rc = db_fail(c, "reading the mirror");
        goto out;
    }
    rc = SG_OK;
out:
    sqlite3_finalize(s);
    if ((ferror(f) | fclose(f)) != 0 && !rc) {
        snprintf(c->err, c->errlen, "%s: %s", path, strerror(errno));
        rc = SG_EIO;
    }
    return rc;
}

static void count_problem(void *ctx, const hsds_problem *p)
{
    sync_ctx *c = ctx;
    /* The first few say what kind of trouble the API's data is in. */
    if (c->sum->problems++ < 5)
        sg_debug("sync: import: %s: record %zu %s: %s", hsds_problem_name(p->kind),
                 p->row, p->column, p->message);
}

static sg_rc import_mirror(sync_ctx *c, const char *json, const char *out)
{
    char label[512];
    hsds_import_opts io = {count_problem, c, NULL, NULL, label};
    hsds_summary hs;
    sg_rc rc;

    sync_url_display(c->o->base_url, label, sizeof label);
    c->sum->problems = 0;
    memset(&hs, 0, sizeof hs);
    if ((rc = hsds_import(json, out, &io, &hs, c->err, c->errlen)) ||
        (rc = directory_db_map_new(out, c->o->map, c->err, c->errlen)) ||
        (rc = directory_install(out, c->o->state_dir, c->err, c->errlen)))
        return rc;
    c->sum->directory = hs.services;
    return SG_OK;
}

static sg_rc rebuild(sync_ctx *c)
{
    char json[PATH_CAP], out[PATH_CAP];
    size_t n = 0;
    sg_rc rc;

    if ((rc = path_in(c, MIRROR_JSON, json)) || (rc = path_in(c, NEW_DB, out)))
        return rc;
    unlink(out); /* a crashed run's leftovers: the importer wants a new file */
    if ((rc = write_mirror(c, json, &n)))
        goto out;
    if (n == 0) {
        sg_warn("sync: the mirror is empty; keeping the current directory");
        goto out;
    }
    if ((rc = import_mirror(c, json, out)))
        goto out;
    c->sum->installed = 1;
    rc = put_int(c, "dirty", 0);
out:
    unlink(json);
    if (rc)
        unlink(out);
    return rc;
}

/* ---- the run ---- */

static sg_rc take_lock(sync_ctx *c, int *fd)
{
    char path[PATH_CAP];
    sg_rc rc;

    if ((rc = path_in(c, LOCK_FILE, path)))
        return rc;
    if (mkdir(c->o->state_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(c->err, c->errlen, "%s: %s", c->o->state_dir, strerror(errno));
        return SG_EIO;
    }
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0) {
        snprintf(c->err, c->errlen, "%s: %s", path, strerror(errno));
        return SG_EIO;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(c->err, c->errlen, "another sync is running");
        return SG_EBUSY;
    }
    return SG_OK;
}

static size_t count_rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    size_t n = 0;

    if (access(path, F_OK) == 0 &&
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void finish_summary(sync_ctx *c)
{
    char path[PATH_CAP];
    sqlite3_stmt *s = NULL;

    state_text(c, "mark", c->sum->mark, sizeof c->sum->mark);
    if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM services", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        c->sum->mirror = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (!c->sum->installed && path_in(c, DIRECTORY_DB_FILE, path) == SG_OK)
        c->sum->directory = count_rows(path, "SELECT count(*) FROM services");
}

/* A directory.db deleted by hand is rebuilt from the mirror. */
static int have_directory(const sync_ctx *c)
{
    char path[PATH_CAP];
    return path_in(c, DIRECTORY_DB_FILE, path) != SG_OK || access(path, F_OK) == 0;
}

static sg_rc check_opts(const sync_opts *o, char *err, size_t errlen)
{
    if (!o->base_url || !o->base_url[0] || !o->state_dir || !o->map || o->max_pages < 1 ||
        o->timeout_ms < 1) {
        snprintf(err, errlen, "sync: incomplete options (no sync_url?)");
        return SG_EINVAL;
    }
    return SG_OK;
}

static sg_rc run(sync_ctx *c)
{
    sg_rc rc;

    if ((rc = open_mirror(c)) || (rc = sync_http_open(c->o, &c->http, c->err, c->errlen)))
        return rc;
    plan_pass(c);
    c->sum->full_pass = !c->pass_mark[0];
    rc = pull(c);
    /* Pages kept before a failure stay kept; install only after success. */
    if (!rc && state_int(c, "baseline", 0) &&
        (state_int(c, "dirty", 0) || !have_directory(c)))
        rc = rebuild(c);
    finish_summary(c);
    return rc;
}

sg_rc sync_run(const sync_opts *o, sync_summary *sum, char *err, size_t errlen)
{
    sync_ctx c;
    int lock = -1;
    sg_rc rc;

    memset(sum, 0, sizeof *sum);
    memset(&c, 0, sizeof c);
    err[0] = '\0';
    if ((rc = check_opts(o, err, errlen)))
        return rc;
    if ((rc = sync_global_init())) {
        snprintf(err, errlen, "cannot initialise libcurl (is libcurl4 installed?)");
        return rc;
    }
    c.o = o;
    c.sum = sum;
    c.err = err;
    c.errlen = errlen;
    sg_buf_init(&c.url, SYNC_URL_CAP);
    sg_buf_init(&c.body, SYNC_PAGE_CAP);
    if (!(rc = take_lock(&c, &lock)))
        rc = run(&c);
    sync_http_close(c.http);
    sqlite3_finalize(c.same);
    sqlite3_finalize(c.upsert);
    sqlite3_finalize(c.put);
    sqlite3_close(c.db);
    sg_buf_free(&c.url);
    sg_buf_free(&c.body);
    if (lock >= 0)
        close(lock); /* releases the flock */
    return rc;
}

void sync_summary_line(const sync_summary *s, char *out, size_t outlen)
{
    char removed[48] = "";

    if (s->removed)
        snprintf(removed, sizeof removed, " (%zu removed)", s->removed);
    snprintf(out, outlen,
             "sync: %d page%s, %zu service%s changed%s, directory now %zu service%s%s",
             s->pages, s->pages == 1 ? "" : "s", s->changed + s->removed,
             s->changed + s->removed == 1 ? "" : "s", removed, s->directory,
             s->directory == 1 ? "" : "s",
             s->complete ? "" : "; the listing continues next run");
}
