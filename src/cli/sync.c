/*
 * `signpost sync`: one directory sync run now, from a shell (sync.h), the
 * same run the daemon's worker makes every [directory] sync_interval_min.
 * Safe while the daemon runs: a lock file lets only one run at a time touch
 * the mirror, and the daemon picks up the installed directory by itself.
 *
 *   signpost sync [--config FILE] [--state-dir DIR] [--url URL] [--full]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/cli.h"
#include "signpost/directory.h"
#include "signpost/app.h"
#include "signpost/log.h"
#include "signpost/sync.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: signpost sync [--config FILE] [--state-dir DIR] [--url URL] [--full]\n"
        "\n"
        "Pulls the services changed since the last sync from the HSDS API at\n"
        "[directory] sync_url and installs the updated directory.\n"
        "  --config FILE     the INI configuration file\n"
        "  --state-dir DIR   where the databases live ([store] dir)\n"
        "  --url URL         the API's base URL, instead of [directory] sync_url\n"
        "  --full            list every service again, dropping those the API no\n"
        "                    longer has (otherwise only changes are fetched)\n");
}

static int run(sg_config *cfg, const char *url, int full)
{
    sg_domain_map *map = calloc(1, sizeof *map); /* large: keep it off the stack */
    sync_opts o;
    sync_summary sum;
    char err[512], line[256];
    int rc = SG_EXIT_FAIL;

    if (!map)
        return SG_EXIT_FAIL;
    if (url && config_set(cfg, "directory", "sync_url", url, err, sizeof err)) {
        fprintf(stderr, "signpost sync: --url: %s\n", err);
        rc = SG_EXIT_USAGE;
        goto out;
    }
    if (!cfg->directory_sync_url[0]) {
        fprintf(stderr, "signpost sync: no API to sync from: set [directory] sync_url "
                        "or give --url\n");
        goto out;
    }
    if (app_load_domain_map(cfg, map, err, sizeof err)) {
        fprintf(stderr, "signpost sync: %s\n", err);
        goto out;
    }
    sync_opts_from_config(&o, cfg, map);
    o.full = full;
    if (sync_run(&o, &sum, err, sizeof err)) {
        fprintf(stderr, "signpost sync: %s; the directory is unchanged\n", err);
        goto out;
    }
    sync_summary_line(&sum, line, sizeof line);
    printf("%s\n", line);
    rc = SG_EXIT_OK;
out:
    free(map);
    return rc;
}

int cmd_sync(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, 's'},
        {"url", required_argument, NULL, 'u'},
        {"full", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *state = NULL, *url = NULL;
    sg_config *cfg;
    int c, full = 0, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:u:fh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 's':
            state = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 'f':
            full = 1;
            break;
        case 'h':
            usage(stdout);
            return SG_EXIT_OK;
        default:
            usage(stderr);
            return SG_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "signpost sync: unexpected argument \"%s\"\n", argv[optind]);
        return SG_EXIT_USAGE;
    }
    cfg = malloc(sizeof *cfg);
    if (!cfg)
        return SG_EXIT_FAIL;
    rc = cli_load_config(cfg, config, state, NULL);
    if (rc == SG_EXIT_OK)
        rc = run(cfg, url, full);
    free(cfg);
    return rc;
}
