/*
 * The pure rules behind `signpost doctor`, `backup`, `restore` and
 * `maintain` (docs/operations.md): what counts as OK, WARN or FAIL, how a
 * line reads, what a backup is called, which backups to delete, and where
 * retention cuts.  No I/O here, so the tests can check every decision
 * without a machine in the state the decision is about.
 */
#ifndef SIGNPOST_OPS_H
#define SIGNPOST_OPS_H

#include <stddef.h>
#include <time.h>
#include "signpost/printer.h"
#include "signpost/result.h"

/* ---- doctor ------------------------------------------------------------------ */

typedef enum { DOC_OK, DOC_WARN, DOC_FAIL } doc_level;

/* One line of the report: the check, what was found, what to do ("" when
 * nothing).  Never a phone number, an answer or a secret. */
typedef struct {
    doc_level level;
    char check[16];
    char finding[320];
    char todo[200];
} doc_line;

/* Disk space (WARN under 15 % or 200 MB free, FAIL under 5 % or 50 MB). */
#define DOC_DISK_WARN_PCT 15
#define DOC_DISK_FAIL_PCT 5
#define DOC_DISK_WARN_BYTES (200ULL * 1024 * 1024)
#define DOC_DISK_FAIL_BYTES (50ULL * 1024 * 1024)
/* Certificates: WARN inside 30 days, FAIL once expired. */
#define DOC_CERT_WARN_DAYS 30

const char *doc_level_name(doc_level l);
doc_level doc_disk_level(unsigned long long avail, unsigned long long total);
doc_level doc_cert_level(int days_left);
/* PRAGMA integrity_check's first row: "ok" is OK, anything else FAIL. */
doc_level doc_integrity_level(const char *first_row);
/* The directory: none or empty WARN; imported longer than stale_days ago
 * WARN when nothing keeps it up to date (syncing 0). */
doc_level doc_directory_level(long services, int age_days, int stale_days, int syncing);
/* Ready, or no status answer (many 58 mm printers never give one): OK;
 * paper near its end: WARN; paper out, cover open, offline, error: FAIL. */
doc_level doc_printer_level(printer_state s);
/* Fills l (check and finding printf-free: copied, cut to fit). */
void doc_set(doc_line *l, doc_level level, const char *check, const char *finding,
             const char *todo);
/* "WARN  clock      not synchronised -> reminders wait ..." into out. */
void doc_format(const doc_line *l, char *out, size_t outlen);
/* 0 when no line is FAIL, else 1 (the process exit code). */
int doc_exit_code(const doc_line *lines, size_t n);

/* ---- backups ------------------------------------------------------------------ */

#define OPS_BACKUP_PREFIX "signpost-"
#define OPS_BACKUP_NAME_LEN 32 /* "signpost-YYYYMMDD-HHMMSS.db" and a NUL */

/* "signpost-YYYYMMDD-HHMMSS.db" for t in UTC. */
void ops_backup_name(time_t t, char out[OPS_BACKUP_NAME_LEN]);
/* 1 when name is one that ops_backup_name() makes. */
int ops_is_backup_name(const char *name);

/* The three files of one backup, from the path of its signpost.db copy:
 * X.db -> X.db, X.directory.db, X.sms.key (X.db's ".db" is dropped first
 * when present).  SG_ETOOBIG when a path does not fit. */
typedef struct {
    char db[4096], directory[4096], key[4096];
} ops_backup_paths;
sg_rc ops_backup_paths_for(const char *db_path, ops_backup_paths *out);

/* Sorts names (backup names, oldest first) and returns how many of the
 * oldest to delete so that keep remain; names that are not backup names are
 * ignored (moved to the end, never counted). */
size_t ops_prune_plan(char **names, size_t n, int keep);

/* ---- retention ------------------------------------------------------------------ */

/* The moment before which visits are purged: now - days whole days; iso
 * gets it as the store writes created_at ("YYYY-MM-DDTHH:MM:SSZ").  days
 * 0 means keep forever: SG_ENOTFOUND. */
sg_rc ops_retention_cutoff(time_t now, int days, time_t *cut, char iso[21]);

/* Parses --now ("YYYY-MM-DDTHH:MM:SSZ" or Unix seconds); -1 when bad. */
int ops_parse_time(const char *s, time_t *out);

#endif
