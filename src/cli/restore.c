/*
 * `signpost restore SRC`: puts a backup (signpost backup, or one of the
 * nightly ones in STATE/backups) back in place.  Only with the service
 * stopped: it takes the state lock that `signpost serve` holds, so it
 * cannot run under a live daemon and a daemon cannot start half-way.
 * SRC is checked first (a sound SQLite file, a signpost database, a schema
 * this binary knows).  The current files stay as
 * NAME.before-restore-YYYYMMDD-HHMMSS (hard links, so there is never a
 * moment without a database), and each new file goes in by rename.  The
 * directory and the SMS key beside SRC (SRC.directory.db, SRC.sms.key)
 * come back too when they are there.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops_internal.h"
#include "signpost/directory_db.h"
#include "signpost/maintain.h"
#include "signpost/statelock.h"

static void usage(FILE *out, const char *cmd)
{
    fprintf(out,
            "usage: signpost %s SRC [--config FILE] [--state-dir DIR] [--yes]\n"
            "\n"
            "Replaces signpost.db with the backup SRC (and directory.db and the SMS key\n"
            "with SRC's NAME.directory.db and NAME.sms.key when they exist).  Stop the\n"
            "service first.  The current files are kept as NAME.before-restore-STAMP.\n"
            "  --yes   do not ask (required when not on a terminal)\n",
            cmd);
}

/* A sound signpost database at a schema this binary knows, and a sound
 * directory beside it when there is one; *n its visits. */
static int check_source(const char *src, const ops_backup_paths *p, long long *n)
{
    char first[256];
    long long version = -1;

    if (access(p->directory, F_OK) == 0 &&
        (db_check(p->directory, 1, 300, first, sizeof first) || strcmp(first, "ok") != 0)) {
        fprintf(stderr, "signpost restore: %s: damaged (%s); nothing restored\n", p->directory,
                first);
        return -1;
    }

    if (db_check(src, 0, 300, first, sizeof first) || strcmp(first, "ok") != 0) {
        fprintf(stderr, "signpost restore: %s: not a sound SQLite database: %s\n", src, first);
        return -1;
    }
    if (db_query_long(src, "PRAGMA user_version", &version) || version < 1 ||
        db_query_long(src, "SELECT count(*) FROM screenings", n)) {
        fprintf(stderr, "signpost restore: %s: not a signpost database\n", src);
        return -1;
    }
    if (version > store_schema_version()) {
        fprintf(stderr, "signpost restore: %s: made by a newer signpost (schema %lld; this one"
                        " knows up to %d)\n", src, version, store_schema_version());
        return -1;
    }
    return 0;
}

static int confirm(const cli_opts *o, const char *state, const char *src, long long n)
{
    char line[16];

    if (o->yes)
        return 1;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "signpost restore: not on a terminal: add --yes to go ahead\n");
        return 0;
    }
    printf("Replace the databases in %s with %s (%lld screenings)?\n"
           "The current files are kept as *.before-restore-STAMP. [y/N] ", state, src, n);
    fflush(stdout);
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

/* Keeps cur as cur.before-restore-STAMP (a hard link) when it exists. */
static int keep_current(const char *cur, const char *stamp)
{
    char keep[4200];

    if (access(cur, F_OK) != 0)
        return 0;
    snprintf(keep, sizeof keep, "%s.before-restore-%s", cur, stamp);
    if (link(cur, keep) != 0) {
        perror(keep);
        return -1;
    }
    printf("kept %s\n", keep);
    return 0;
}

/* Moves the current database aside whole (its WAL folded in), then src in. */
static int swap_db(const char *cur, const char *src, const char *stamp, int secret)
{
    char err[8400], aux[4200];
    long long size = 0;
    sg_rc rc;

    if (!secret && (rc = db_fold_wal(cur, err, sizeof err)) && rc != SG_ENOTFOUND) {
        fprintf(stderr, "signpost restore: %s\n", err);
        return -1;
    }
    if (!secret) { /* folded: the log and its index are empty; none may outlive the file */
        snprintf(aux, sizeof aux, "%s-wal", cur);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s-shm", cur);
        unlink(aux);
    }
    if (keep_current(cur, stamp))
        return -1;
    rc = secret ? file_copy_secret(src, cur, 1, &size, err, sizeof err)
                : db_copy(src, cur, 1, &size, err, sizeof err);
    if (rc) {
        fprintf(stderr, "signpost restore: %s\n", err);
        return -1;
    }
    printf("restored %s from %s (%lld bytes)\n", cur, src, size);
    return 0;
}

/* The directory and the key beside the backup, when they are there. */
static int swap_rest(const sg_config *cfg, const ops_backup_paths *p, const char *stamp)
{
    char cur[4096];

    if (access(p->directory, F_OK) == 0 &&
        (ops_state_path(cfg, DIRECTORY_DB_FILE, cur, sizeof cur) ||
         swap_db(cur, p->directory, stamp, 0)))
        return -1;
    if (access(p->key, F_OK) == 0 &&
        (ops_key_path(cfg, cur, sizeof cur) || swap_db(cur, p->key, stamp, 1)))
        return -1;
    return 0;
}

static int restore(const cli_opts *o, const sg_config *cfg, const ops_backup_paths *p)
{
    char cur[4096], stamp[16];
    long long n = 0;
    struct tm tm;

    if (check_source(o->args[0], p, &n) || !confirm(o, cfg->store_dir, o->args[0], n))
        return SG_EXIT_FAIL;
    gmtime_r(&o->now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    if (ops_state_path(cfg, SG_DB_FILE, cur, sizeof cur) || swap_db(cur, o->args[0], stamp, 0) ||
        swap_rest(cfg, p, stamp))
        return SG_EXIT_FAIL;
    printf("restore complete: %lld screenings; start the service again\n", n);
    return SG_EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
    cli_opts o = {0};
    sg_config *cfg;
    ops_backup_paths *p = NULL;
    char err[4200];
    int lock = -1, rc = ops_start(argc, argv, 1, usage, &o, &cfg);

    if (!cfg)
        return rc;
    rc = SG_EXIT_FAIL;
    if (!(p = malloc(sizeof *p)) || ops_backup_paths_for(o.args[0], p))
        goto out;
    if (statelock_acquire(cfg->store_dir, &lock, err, sizeof err)) {
        fprintf(stderr, "signpost restore: %s\nStop the service first "
                        "(systemctl stop signpost), then run the restore again.\n", err);
        goto out;
    }
    rc = restore(&o, cfg, p);
out:
    statelock_release(lock);
    free(p);
    free(cfg);
    return rc;
}
