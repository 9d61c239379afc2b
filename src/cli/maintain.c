/*
 * `signpost maintain`: the nightly job (a systemd timer runs it while the
 * service runs).  Each step runs even when an earlier one failed, and the
 * exit code says whether any did:
 *   a. a backup set into STATE/backups, keeping the newest [store] backups;
 *   b. with [store] retention_days, visits older than that become daily
 *      counts and their answers, numbers and texts are deleted; the file
 *      is compacted when that freed a real share of it;
 *   c. integrity_check on signpost.db, quick_check on directory.db;
 *   d. one summary line for the journal (counts and names only).
 * --now TIME stands in for the clock (for tests: backup names, cut-off).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_internal.h"
#include "signpost/directory_db.h"
#include "signpost/maintain.h"

#define MAX_BACKUPS 1024 /* names looked at in STATE/backups */

static void usage(FILE *out, const char *cmd)
{
    fprintf(out,
            "usage: signpost %s [--config FILE] [--state-dir DIR]\n"
            "\n"
            "The nightly job: a backup into STATE/backups (keeping [store] backups),\n"
            "the [store] retention_days purge, integrity checks, and a summary line.\n"
            "Exits 1 when any step failed.  --now TIME replaces the clock (for tests).\n",
            cmd);
}

typedef struct {
    char backup[160], purge[200], check[200];
    int failed;
} summary;

/* Deletes the oldest backup sets beyond keep; *n gets how many went. */
static sg_rc prune(const char *dir, int keep, int *n)
{
    char *names[MAX_BACKUPS], path[4200];
    size_t count = 0, drop;
    ops_backup_paths p;
    struct dirent *e;
    DIR *d = opendir(dir);

    *n = 0;
    if (!d)
        return SG_EIO;
    while ((e = readdir(d)) && count < MAX_BACKUPS)
        if (ops_is_backup_name(e->d_name) && (names[count] = strdup(e->d_name)))
            count++;
    closedir(d);
    drop = ops_prune_plan(names, count, keep);
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (i < drop && ops_backup_paths_for(path, &p) == SG_OK) {
            unlink(p.db);
            unlink(p.directory);
            unlink(p.key);
            (*n)++;
        }
        free(names[i]);
    }
    return SG_OK;
}

static void step_backup(const sg_config *cfg, time_t now, summary *s)
{
    char dir[4096], name[OPS_BACKUP_NAME_LEN], path[4200];
    ops_backup_paths *p = malloc(sizeof *p);
    long long bytes = 0;
    int pruned = 0;

    if (cfg->store_backups == 0) {
        snprintf(s->backup, sizeof s->backup, "backup off ([store] backups = 0)");
        goto out;
    }
    ops_backup_name(now, name);
    if (!p || ops_state_path(cfg, "backups", dir, sizeof dir) ||
        (mkdir(dir, 0700) != 0 && errno != EEXIST) ||
        snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
        ops_backup_paths_for(path, p) || ops_backup_set(cfg, p, 1, &bytes) ||
        prune(dir, cfg->store_backups, &pruned)) {
        snprintf(s->backup, sizeof s->backup, "backup FAILED");
        s->failed = 1;
        goto out;
    }
    snprintf(s->backup, sizeof s->backup, "backup %s (%lld bytes), %d old removed", name, bytes,
             pruned);
out:
    free(p);
}

static void step_purge(const sg_config *cfg, time_t now, summary *s)
{
    char iso[21], err[512];
    maintain_purged r;
    sg_store *st = NULL;
    time_t cut;
    int compacted = 0;

    if (ops_retention_cutoff(now, cfg->retention_days, &cut, iso) == SG_ENOTFOUND) {
        snprintf(s->purge, sizeof s->purge, "retention off (visits kept)");
        return;
    }
    if (store_open(cfg->store_dir, 1, &st, err, sizeof err) ||
        store_purge_before(st, iso, cut, &r) || (r.screenings && store_compact(st, &compacted))) {
        fprintf(stderr, "signpost maintain: purge: %s\n", st ? "database error" : err);
        snprintf(s->purge, sizeof s->purge, "purge FAILED");
        s->failed = 1;
    } else {
        snprintf(s->purge, sizeof s->purge,
                 "purged before %s: %ld visits, %ld texts, %ld replies%s%s", iso, r.screenings,
                 r.texts, r.replies, r.kept ? " (some wait for their texts)" : "",
                 compacted ? ", compacted" : "");
    }
    store_close(st);
}

/* Appends "NAME ok" or "NAME FAILED: why" to s->check. */
static void check_one(const sg_config *cfg, const char *name, int quick, summary *s)
{
    char path[4096], first[120];
    size_t used = strlen(s->check);
    sg_rc rc;

    if (ops_state_path(cfg, name, path, sizeof path))
        return;
    rc = db_check(path, quick, 600, first, sizeof first);
    if (rc == SG_ENOTFOUND && quick)
        return; /* no directory imported yet */
    if (rc || strcmp(first, "ok") != 0)
        s->failed = 1;
    snprintf(s->check + used, sizeof s->check - used, "%s%s %s%s", used ? ", " : "", name,
             rc || strcmp(first, "ok") ? "FAILED: " : "", first);
}

int cmd_maintain(int argc, char **argv)
{
    cli_opts o = {0};
    sg_config *cfg;
    summary s;
    int rc = ops_start(argc, argv, 0, usage, &o, &cfg);

    if (!cfg)
        return rc;
    memset(&s, 0, sizeof s);
    /* daily_counts are per day of the clinic, as staff read reports */
    setenv("TZ", cfg->clinic_timezone, 1);
    tzset();
    step_backup(cfg, o.now, &s);
    step_purge(cfg, o.now, &s);
    check_one(cfg, SG_DB_FILE, 0, &s);
    check_one(cfg, DIRECTORY_DB_FILE, 1, &s);
    printf("maintain: %s; %s; %s\n", s.backup, s.purge, s.check);
    free(cfg);
    return s.failed ? SG_EXIT_FAIL : SG_EXIT_OK;
}
