/*
 * Shared by doctor, backup, restore and maintain (see ops_internal.h): one
 * option parser, the state paths, and writing a backup set, which both
 * `signpost backup` and the nightly `signpost maintain` do.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_internal.h"
#include "signpost/directory_db.h"
#include "signpost/maintain.h"

int ops_parse(int argc, char **argv, int max_args, void (*usage)(FILE *out), ops_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 's'},
        {"yes", no_argument, NULL, 'y'},          {"now", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof *o);
    o->now = time(NULL);
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:yh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 's': o->state = optarg; break;
        case 'y': o->yes = 1; break;
        case 'n':
            if (ops_parse_time(optarg, &o->now)) {
                fprintf(stderr, "signpost %s: --now: YYYY-MM-DDTHH:MM:SSZ or Unix seconds\n",
                        argv[0]);
                return SG_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return SG_EXIT_USAGE;
        }
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    if (o->nargs > max_args) {
        fprintf(stderr, "signpost %s: unexpected argument \"%s\"\n", argv[0],
                argv[optind + max_args]);
        return SG_EXIT_USAGE;
    }
    return 0;
}

int ops_load(const ops_opts *o, sg_config **cfg)
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
