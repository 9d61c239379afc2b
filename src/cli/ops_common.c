/*
 * Shared by doctor, backup, restore and maintain (see ops_internal.h): how
 * they start (the options, through cli_parse_opts, and the configuration),
 * the state paths, and writing a backup set, which both
 * `signpost backup` and the nightly `signpost maintain` do.
 */
#include <stdlib.h>
#include <unistd.h>

#include "ops_internal.h"
#include "signpost/directory_db.h"
#include "signpost/maintain.h"

int ops_load(const cli_opts *o, sg_config **cfg)
{
    int rc;

    *cfg = malloc(sizeof **cfg); /* large: keep it off the stack */
    if (!*cfg)
        return SG_EXIT_FAIL;
    rc = cli_load_config(*cfg, o->config, o->state, NULL);
    if (rc) {
        free(*cfg);
        *cfg = NULL;
    }
    return rc;
}

int ops_start(int argc, char **argv, int nargs, cli_usage_fn usage, cli_opts *o,
              sg_config **cfg)
{
    int rc = cli_parse_opts(argc, argv, nargs, OPS_FLAGS, usage, o);

    *cfg = NULL;
    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if (o->nargs != nargs) {
        usage(stderr, argv[0]);
        return SG_EXIT_USAGE;
    }
    return ops_load(o, cfg);
}

sg_rc ops_state_path(const sg_config *cfg, const char *name, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/%s", cfg->store_dir, name);
    return n < 0 || (size_t)n >= outlen ? SG_ETOOBIG : SG_OK;
}

sg_rc ops_key_path(const sg_config *cfg, char *out, size_t outlen)
{
    int n;

    if (!cfg->sms_key_file[0])
        return ops_state_path(cfg, "sms.key", out, outlen);
    n = snprintf(out, outlen, "%s", cfg->sms_key_file);
    return n < 0 || (size_t)n >= outlen ? SG_ETOOBIG : SG_OK;
}

static void say(int quiet, const char *path, long long size)
{
    if (!quiet)
        printf("wrote %s (%lld bytes)\n", path, size);
}

/* Every target must be free before the first byte goes out. */
static sg_rc targets_free(const ops_backup_paths *p)
{
    const char *const all[] = {p->db, p->directory, p->key};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (access(all[i], F_OK) == 0) {
            fprintf(stderr, "signpost: %s exists already; not overwritten\n", all[i]);
            return SG_EBUSY;
        }
    return SG_OK;
}

/* Copies src (when it exists, or always when required) to dest. */
static sg_rc one(const char *src, const char *dest, int secret, int required, int quiet,
                 long long *bytes)
{
    char err[8400];
    long long size = 0;
    sg_rc rc;

    if (!required && access(src, F_OK) != 0)
        return SG_OK;
    rc = secret ? file_copy_secret(src, dest, 0, &size, err, sizeof err)
                : db_copy(src, dest, 0, &size, err, sizeof err);
    if (rc) {
        fprintf(stderr, "signpost: backup: %s\n", err);
        return rc;
    }
    say(quiet, dest, size);
    *bytes += size;
    return SG_OK;
}

sg_rc ops_backup_set(const sg_config *cfg, const ops_backup_paths *p, int quiet,
                     long long *bytes)
{
    char db[4096], dir[4096], key[4096];
    long long total = 0;
    sg_rc rc;

    if (ops_state_path(cfg, SG_DB_FILE, db, sizeof db) ||
        ops_state_path(cfg, DIRECTORY_DB_FILE, dir, sizeof dir) ||
        ops_key_path(cfg, key, sizeof key))
        return SG_ETOOBIG;
    if (!(rc = targets_free(p)) && !(rc = one(db, p->db, 0, 1, quiet, &total)) &&
        !(rc = one(dir, p->directory, 0, 0, quiet, &total)))
        rc = one(key, p->key, 1, 0, quiet, &total);
    if (bytes)
        *bytes = total;
    return rc;
}
