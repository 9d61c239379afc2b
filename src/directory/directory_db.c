/*
 * The directory database's schema, the domain index built from the domain
 * map, and the atomic install of a freshly imported file (directory_db.h).
 *
 * The domain index (service_domains) is what keeps matching cheap at any
 * directory size: the matcher never scans services, it asks for the services
 * of one domain near the kiosk through this table and the per-domain R*Tree
 * derived from it (domain_geo.c).  Both are rebuilt whenever the clinic
 * edits the domain map, in one transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "signpost/buf.h"
#include "signpost/directory_db.h"
#include "signpost/log.h"

static const char schema[] =
    "PRAGMA user_version = 1;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE services("
    "  sid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  organization TEXT NOT NULL DEFAULT '',"
    "  description TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL DEFAULT 'active',"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  address TEXT NOT NULL DEFAULT '',"
    "  url TEXT NOT NULL DEFAULT '',"
    "  email TEXT NOT NULL DEFAULT '',"
    "  languages TEXT NOT NULL DEFAULT '',"
    "  latitude REAL,"
    "  longitude REAL,"
    "  min_age REAL,"
    "  max_age REAL,"
    "  eligibility TEXT NOT NULL DEFAULT '',"
    "  keywords TEXT NOT NULL DEFAULT '',"
    "  last_modified TEXT NOT NULL DEFAULT '',"
    "  assured_date TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE TABLE service_terms("
    "  sid INTEGER NOT NULL REFERENCES services(sid),"
    "  code TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY(sid, code)) WITHOUT ROWID;"
    "CREATE INDEX service_terms_code ON service_terms(code, sid);"
    "CREATE TABLE schedules("
    "  sid INTEGER NOT NULL REFERENCES services(sid),"
    "  kind INTEGER NOT NULL DEFAULT 0,"
    "  freq INTEGER NOT NULL DEFAULT 0,"
    "  interval INTEGER NOT NULL DEFAULT 1,"
    "  byday TEXT NOT NULL DEFAULT '',"
    "  bymonthday TEXT NOT NULL DEFAULT '',"
    "  opens INTEGER NOT NULL,"
    "  closes INTEGER NOT NULL,"
    "  dtstart INTEGER NOT NULL DEFAULT 0,"
    "  until INTEGER NOT NULL DEFAULT 0,"
    "  valid_from INTEGER NOT NULL DEFAULT 0,"
    "  valid_to INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX schedules_sid ON schedules(sid);"
    "CREATE VIRTUAL TABLE service_geo USING rtree(sid, min_lat, max_lat, min_lon, max_lon);"
    "CREATE VIRTUAL TABLE service_fts USING fts5(name, description, keywords,"
    "  content='services', content_rowid='sid',"
    "  tokenize='unicode61 remove_diacritics 2');"
    "CREATE TABLE service_domains("
    "  domain TEXT NOT NULL,"
    "  sid INTEGER NOT NULL,"
    "  how INTEGER NOT NULL,"
    "  why TEXT NOT NULL DEFAULT '',"
    "  located INTEGER NOT NULL,"
    "  PRIMARY KEY(domain, sid)) WITHOUT ROWID;"
    "CREATE INDEX service_domains_unlocated ON service_domains(domain, located, sid);";

const char *directory_db_schema(void)
{
    return schema;
}

void directory_map_hash(const sg_domain_map *map, char out[17])
{
    crypto_generichash_state st;
    unsigned char h[8];

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    for (int d = 0; d < map->ndomains; d++) {
        const domain_terms *dt = &map->domains[d];
        crypto_generichash_update(&st, (const unsigned char *)dt->name, strlen(dt->name) + 1);
        for (int i = 0; i < dt->nterms; i++)
            crypto_generichash_update(&st, (const unsigned char *)dt->terms[i],
                                      strlen(dt->terms[i]) + 1);
        crypto_generichash_update(&st, (const unsigned char *)"|", 1);
        for (int i = 0; i < dt->nkeywords; i++)
            crypto_generichash_update(&st, (const unsigned char *)dt->keywords[i],
                                      strlen(dt->keywords[i]) + 1);
        crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    }
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 17, h, sizeof h);
}

static const char add_term_sql[] =
    "INSERT OR IGNORE INTO service_domains(domain, sid, how, why, located)"
    " SELECT ?1, t.sid, 2, CASE WHEN t.name = '' THEN t.code ELSE t.name END,"
    "        s.latitude IS NOT NULL"
    " FROM service_terms t JOIN services s ON s.sid = t.sid WHERE t.code = ?2";

/* Keywords reach only services with no taxonomy terms at all (see directory.h). */
static const char add_keyword_sql[] =
    "INSERT OR IGNORE INTO service_domains(domain, sid, how, why, located)"
    " SELECT ?1, s.sid, 1, ?3, s.latitude IS NOT NULL"
    " FROM service_fts f JOIN services s ON s.sid = f.rowid"
    " WHERE service_fts MATCH ?2"
    "   AND NOT EXISTS (SELECT 1 FROM service_terms t WHERE t.sid = s.sid)";

/* A keyword or phrase as an FTS5 phrase query: quoted, quotes doubled. */
static sg_rc fts_phrase(const char *kw, char *out, size_t outlen)
{
    size_t w = 0;
    if (outlen < 3)
        return SG_ETOOBIG;
    out[w++] = '"';
    for (const char *p = kw; *p; p++) {
        if (w + 4 > outlen)
            return SG_ETOOBIG;
        if (*p == '"')
            out[w++] = '"';
        out[w++] = *p;
    }
    out[w++] = '"';
    out[w] = '\0';
    return SG_OK;
}

static sg_rc run(sqlite3_stmt *st, const char *domain, const char *what, const char *why)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, what, -1, SQLITE_STATIC);
    if (why)
        sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? SG_OK : SG_EDB;
}

static sg_rc map_one(sqlite3_stmt *term, sqlite3_stmt *kw, const domain_terms *dt)
{
    char phrase[2 * sizeof dt->keywords[0] + 4];
    sg_rc rc = SG_OK;

    for (int i = 0; i < dt->nterms && !rc; i++)
        rc = run(term, dt->name, dt->terms[i], NULL);
    for (int i = 0; i < dt->nkeywords && !rc; i++)
        if (!(rc = fts_phrase(dt->keywords[i], phrase, sizeof phrase)))
            rc = run(kw, dt->name, phrase, dt->keywords[i]);
    return rc;
}

sg_rc directory_db_map_domains(sqlite3 *db, const sg_domain_map *map, char *err,
                               size_t errlen)
{
    sqlite3_stmt *term = NULL, *kw = NULL, *meta = NULL;
    char hash[17];
    sg_rc rc = SG_EDB;

    directory_map_hash(map, hash);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE; DELETE FROM service_domains;", NULL, NULL, NULL) ||
        sqlite3_prepare_v2(db, add_term_sql, -1, &term, NULL) ||
        sqlite3_prepare_v2(db, add_keyword_sql, -1, &kw, NULL) ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta VALUES('domain_map', ?1)", -1,
                           &meta, NULL))
        goto out;
    for (int d = 0; d < map->ndomains; d++)
        if ((rc = map_one(term, kw, &map->domains[d])))
            goto out;
    rc = SG_EDB;
    sqlite3_bind_text(meta, 1, hash, -1, SQLITE_STATIC);
    if (directory_db_build_geo(db) || sqlite3_step(meta) != SQLITE_DONE ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL))
        goto out;
    rc = SG_OK;
out:
    if (rc) {
        snprintf(err, errlen, "building the domain index: %s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(term);
    sqlite3_finalize(kw);
    sqlite3_finalize(meta);
    return rc;
}

sg_rc directory_db_map_new(const char *path, const sg_domain_map *map, char *err,
                           size_t errlen)
{
    sqlite3 *db = NULL;
    sg_rc rc = SG_EDB;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    /* Not live yet: a failure throws the file away, and directory_install()
       syncs it before anyone reads it, so no journal and no syncs here. */
    sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL,
                 NULL);
    rc = directory_db_map_domains(db, map, err, errlen);
out:
    if (sqlite3_close(db) != SQLITE_OK && !rc) {
        snprintf(err, errlen, "%s: cannot close", path);
        rc = SG_EDB;
    }
    return rc;
}

static sg_rc sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    sg_rc rc = SG_OK;
    if (fd < 0)
        return SG_EIO;
    if (fsync(fd) != 0)
        rc = SG_EIO;
    close(fd);
    return rc;
}

sg_rc directory_install(const char *tmp_path, const char *dir, char *err, size_t errlen)
{
    char live[4096];
    int n = snprintf(live, sizeof live, "%s/%s", dir, DIRECTORY_DB_FILE);

    if (n < 0 || (size_t)n >= sizeof live) {
        snprintf(err, errlen, "state directory path too long");
        return SG_ETOOBIG;
    }
    /* The new file's pages must be on disk before its name is. */
    if (sync_path(tmp_path, O_RDONLY)) {
        snprintf(err, errlen, "syncing %s: %s", tmp_path, strerror(errno));
        return SG_EIO;
    }
    if (rename(tmp_path, live) != 0) {
        snprintf(err, errlen, "installing %s as %s: %s", tmp_path, live, strerror(errno));
        return SG_EIO;
    }
    /* And the rename itself must survive a power cut. */
    if (sync_path(dir, O_RDONLY | O_DIRECTORY)) {
        snprintf(err, errlen, "syncing %s: %s", dir, strerror(errno));
        return SG_EIO;
    }
    return SG_OK;
}

sg_rc directory_db_open_ro(const char *state_dir, sqlite3 **out)
{
    char path[4200];
    struct stat sb;
    int n = snprintf(path, sizeof path, "%s/%s", state_dir, DIRECTORY_DB_FILE);

    *out = NULL;
    if (n < 0 || (size_t)n >= sizeof path)
        return SG_ETOOBIG;
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? SG_ENOTFOUND : SG_EIO;
    if (sqlite3_open_v2(path, out, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sg_warn("directory: cannot open %s: %s", path, sqlite3_errmsg(*out));
        sqlite3_close(*out);
        *out = NULL;
        return SG_EDB;
    }
    /* An import's rename is atomic; the timeout covers a sync's checkpoint. */
    sqlite3_busy_timeout(*out, 2000);
    return SG_OK;
}
