/*
 * The options most state commands share: --config FILE, --state-dir DIR,
 * --limit N and --help, then positional arguments; and opening the store
 * the configuration names.  One parser, so that every command spells and
 * checks them the same way.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/cli.h"

int cli_parse_opts(int argc, char **argv, int max_args, cli_usage_fn usage, cli_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    int c, limit = o->limit;

    memset(o, 0, sizeof *o);
    o->limit = limit;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 's': o->state = optarg; break;
        case 'l':
            o->limit = (int)strtol(optarg, &end, 10);
            if (*end || o->limit < 1 || o->limit > 100000) {
                fprintf(stderr, "signpost %s: --limit: a whole number from 1 to 100000\n",
                        argv[0]);
                return SG_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout, argv[0]); return -1;
        default: usage(stderr, argv[0]); return SG_EXIT_USAGE;
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

int cli_open_store(const cli_opts *o, sg_store **st)
{
    sg_config *cfg = malloc(sizeof *cfg); /* large: keep it off the stack */
    char err[512];
    int rc = cfg ? cli_load_config(cfg, o->config, o->state, NULL) : SG_EXIT_FAIL;

    *st = NULL;
    if (!rc && store_open(cfg->store_dir, 1, st, err, sizeof err)) {
        fprintf(stderr, "signpost: %s\n", err);
        rc = SG_EXIT_FAIL;
    }
    free(cfg);
    return rc;
}
