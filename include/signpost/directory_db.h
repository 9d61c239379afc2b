/*
 * The directory database: the imported HSDS directory as the kiosk keeps it,
 * one SQLite file (state_dir/directory.db) that is written once by an import
 * and then only read.
 *
 * Replacing the directory is atomic: an import writes a new file beside the
 * live one, syncs it, and renames it over directory.db; the daemon notices
 * the new file and reopens it.  A failed or interrupted import leaves the old
 * file serving.  Staff curation lives in the store (signpost.db), keyed by
 * HSDS service ids, so an import never touches it.
 *
 * Schema (format 1; PRAGMA user_version):
 *
 *   meta(key, value)          format, hsds_version, source, imported_at,
 *                             services, problems, domain_map (its hash)
 *   services(sid, id, ...)    one row per imported service, with its
 *                             organisation, first physical address, voice
 *                             phone, coordinates (NULL when unknown),
 *                             languages (ISO 639-1, comma-separated), ages,
 *                             eligibility, keywords, status, and the
 *                             publisher's assured_date (YYYY-MM-DD or '')
 *   service_terms(sid, code, name)   taxonomy terms (code as the map uses it)
 *   schedules(sid, kind, freq, interval, byday, bymonthday, opens, closes,
 *             dtstart, until, valid_from, valid_to)
 *                             the winning level only (service_at_location
 *                             rows, else service rows, else location rows);
 *                             kind and times as in schedule.h
 *   service_geo               R*Tree over (latitude, longitude)
 *   service_fts               FTS5 over name, description, keywords
 *   service_domains(domain, sid, how, why, located)
 *                             which services serve which screening domain,
 *                             from the domain map: how 2 = taxonomy term,
 *                             1 = keyword (FTS, only for services with no
 *                             terms); rebuilt when the map changes
 *   service_domain_codes(domain, code)
 *                             a small number per domain (1, 2, ... in name
 *                             order), for the index below
 *   service_domain_geo        R*Tree over (code, latitude, longitude): one
 *                             entry per domain of each located, active
 *                             service, id = sid * DIRECTORY_GEO_IDS + code,
 *                             filled in (code, Hilbert key) order; rebuilt
 *                             with service_domains, and at start-up when a
 *                             file older than it lacks it (the reader falls
 *                             back to service_geo while it is missing)
 *
 * Ownership: every handle here is freed by its _close/_free, which accepts
 * NULL.
 */
#ifndef SIGNPOST_DIRECTORY_DB_H
#define SIGNPOST_DIRECTORY_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include "signpost/directory.h"
#include "signpost/result.h"

#define DIRECTORY_DB_FILE "directory.db"
#define DIRECTORY_DB_FORMAT 1

/* The multiplier of service_domain_geo ids: above any domain code. */
#define DIRECTORY_GEO_IDS 64

/* The schema above as SQL, for the importer to create a new file with. */
const char *directory_db_schema(void);

/*
 * Fills service_domains, and from it service_domain_geo, from the domain
 * map (in one transaction) and records the map's hash in meta.  Used by the importer and by the daemon
 * when the configured map differs from the one the file was built with.
 */
sg_rc directory_db_map_domains(sqlite3 *db, const sg_domain_map *map, char *err,
                               size_t errlen);

/*
 * Rebuilds service_domain_codes and service_domain_geo from service_domains,
 * inside the caller's transaction (directory_db_map_domains does it).
 */
sg_rc directory_db_build_geo(sqlite3 *db);

/* 1 when the file has service_domain_geo (files imported before it lack it). */
int directory_db_has_geo(sqlite3 *db);

/* The same for a freshly imported file at path that is not installed yet
 * (import, sync, first start): opens it, builds the index, closes it. */
sg_rc directory_db_map_new(const char *path, const sg_domain_map *map, char *err,
                           size_t errlen);

/* A hash of the map's contents, as recorded in meta.domain_map. */
void directory_map_hash(const sg_domain_map *map, char out[17]);

/*
 * Moves the finished database at tmp_path over dir/directory.db: fsync the
 * file, rename, fsync the folder.  Atomic: readers see the old file or the
 * new one.
 */
sg_rc directory_install(const char *tmp_path, const char *dir, char *err, size_t errlen);

/*
 * Start-up: makes sure dir/directory.db exists and that its domain index was
 * built from this map.  With no directory yet and import_path set (the demo,
 * or [directory] import), imports it; when the map changed since the file
 * was built, rebuilds the index in place (one transaction); when only
 * service_domain_geo is missing (a file from an older version), builds it,
 * and if that fails warns and goes on (the reader does without it).
 * *problems gets the number of import problems (0 when nothing was
 * imported).
 */
sg_rc directory_prepare(const char *dir, const char *import_path, const sg_domain_map *map,
                        size_t *problems, char *err, size_t errlen);

/*
 * Opens state_dir's installed directory read-only for one short use (staff
 * pages, exports): a fresh open always sees the file an import last
 * renamed into place.  SG_ENOTFOUND when none is installed; SG_EDB (logged)
 * when it cannot be opened.  *out is NULL unless SG_OK; close it with
 * sqlite3_close().
 */
sg_rc directory_db_open_ro(const char *state_dir, sqlite3 **out);

#endif
