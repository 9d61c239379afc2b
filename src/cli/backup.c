/*
 * `signpost backup DEST`: a consistent copy of the state that matters,
 * taken while the daemon runs: signpost.db (SQLite's online backup, never
 * a plain file copy, which can catch a page half-written), directory.db,
 * and the SMS key, without which the sealed phone numbers in the copy are
 * useless.  DEST is a file path for the database copy, or a folder, in
 * which the copy is named signpost-YYYYMMDD-HHMMSS.db (UTC).  The other
 * two files go beside it (NAME.directory.db, NAME.sms.key).  Nothing is
 * ever overwritten.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops_internal.h"

static void usage(FILE *out, const char *cmd)
{
    fprintf(out,
            "usage: signpost %s DEST [--config FILE] [--state-dir DIR]\n"
            "\n"
            "Copies signpost.db, directory.db and the SMS key while the service runs.\n"
            "DEST is the database copy's file name, or a folder to put\n"
            "signpost-YYYYMMDD-HHMMSS.db in; the directory and key go beside it as\n"
            "NAME.directory.db and NAME.sms.key (mode 0600).  Existing files are never\n"
            "overwritten.  Keep the copies off the SD card, and keep them private: they\n"
            "hold the screenings and the key to the phone numbers.\n",
            cmd);
}

/* The database copy's path: DEST itself, or a dated name inside it. */
static sg_rc target(const char *dest, time_t now, char *out, size_t outlen)
{
    char name[OPS_BACKUP_NAME_LEN];
    struct stat st;
    int n;

    if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode)) {
        ops_backup_name(now, name);
        n = snprintf(out, outlen, "%s/%s", dest, name);
    } else {
        n = snprintf(out, outlen, "%s", dest);
    }
    return n < 0 || (size_t)n >= outlen ? SG_ETOOBIG : SG_OK;
}

int cmd_backup(int argc, char **argv)
{
    cli_opts o = {0};
    sg_config *cfg;
    ops_backup_paths *p = NULL;
    char path[4096];
    long long bytes = 0;
    int rc = ops_start(argc, argv, 1, usage, &o, &cfg);

    if (!cfg)
        return rc;
    rc = SG_EXIT_FAIL;
    if (!(p = malloc(sizeof *p)))
        goto out;
    if (target(o.args[0], o.now, path, sizeof path) || ops_backup_paths_for(path, p)) {
        fprintf(stderr, "signpost backup: %s: path too long\n", o.args[0]);
        goto out;
    }
    if (ops_backup_set(cfg, p, 0, &bytes))
        goto out;
    printf("backup of %s complete: %lld bytes\n", cfg->store_dir, bytes);
    rc = SG_EXIT_OK;
out:
    free(p);
    free(cfg);
    return rc;
}
