/*
 * Getting a directory in place before the kiosk opens (directory_db.h):
 * the first start of a demo or a fresh install imports the configured
 * package, and an edited domain map rebuilds the domain index so that the
 * clinic's change takes effect at the next start without a re-import.  A
 * file from before the per-domain spatial index gets it here, once.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "signpost/directory_db.h"
#include "signpost/hsds.h"
#include "signpost/log.h"

static sg_rc read_meta(sqlite3 *db, const char *key, char *out, size_t outlen)
{
    sqlite3_stmt *s = NULL;
    sg_rc rc = SG_ENOTFOUND;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL))
        rc = SG_EDB;
    else {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
            rc = SG_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

/*
 * A file imported before service_domain_geo existed: build it in place.  A
 * failure (a read-only or full disk) costs only the nearest-first speed, so
 * the kiosk starts anyway and the reader uses service_geo instead.
 */
static void add_geo(sqlite3 *db, const char *path)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
        directory_db_build_geo(db) == SG_OK &&
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        sg_info("directory: built the per-domain spatial index of %s", path);
        return;
    }
    sg_warn("directory: cannot build the per-domain spatial index of %s (%s); matching "
            "will be slower in crowded areas", path, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Rebuilds the domain index of the file at path when its map hash differs. */
static sg_rc remap_if_changed(const char *path, const sg_domain_map *map, int *remapped,
                              char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    char want[17], have[32];
    sg_rc rc = SG_EDB;

    *remapped = 0;
    directory_map_hash(map, want);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL)) {
        snprintf(err, errlen, "opening %s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    if (read_meta(db, "domain_map", have, sizeof have) == SG_EDB) {
        snprintf(err, errlen, "%s is not a signpost directory: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    rc = SG_OK;
    if (strcmp(want, have) != 0) {
        rc = directory_db_map_domains(db, map, err, errlen);
        *remapped = rc == SG_OK;
    } else if (!directory_db_has_geo(db))
        add_geo(db, path);
out:
    sqlite3_close(db);
    return rc;
}

static void count_problem(void *ctx, const hsds_problem *p)
{
    (void)p;
    (*(size_t *)ctx)++;
}

static sg_rc first_import(const char *dir, const char *src, const sg_domain_map *map,
                          size_t *problems, char *err, size_t errlen)
{
    char tmp[4200];
    hsds_import_opts o = {count_problem, problems, NULL, NULL, NULL};
    hsds_summary sum;
    sg_rc rc;

    snprintf(tmp, sizeof tmp, "%s/%s.new-%ld", dir, DIRECTORY_DB_FILE, (long)getpid());
    unlink(tmp);
    rc = hsds_import(src, tmp, &o, &sum, err, errlen);
    if (!rc)
        rc = directory_db_map_new(tmp, map, err, errlen);
    if (!rc)
        rc = directory_install(tmp, dir, err, errlen);
    if (rc) {
        unlink(tmp);
        return rc;
    }
    sg_info("directory: imported %zu services (HSDS %s) from %s", sum.services, sum.version,
            src);
    if (sum.problems)
        sg_warn("directory: the import reported %zu problems; run 'signpost import %s' to "
                "see them", sum.problems, src);
    return SG_OK;
}

sg_rc directory_prepare(const char *dir, const char *import_path, const sg_domain_map *map,
                        size_t *problems, char *err, size_t errlen)
{
    char path[4200];
    int remapped = 0;
    sg_rc rc;

    *problems = 0;
    snprintf(path, sizeof path, "%s/%s", dir, DIRECTORY_DB_FILE);
    if (access(path, F_OK) != 0) {
        if (!import_path || !*import_path)
            return SG_OK;
        return first_import(dir, import_path, map, problems, err, errlen);
    }
    rc = remap_if_changed(path, map, &remapped, err, errlen);
    if (!rc && remapped)
        sg_info("directory: the domain map changed; domain index rebuilt");
    return rc;
}
