/*
 * The options the state commands share: --config FILE, --state-dir DIR and
 * --help, and those only some take (--limit N, --yes, the tests' --now
 * TIME), then positional arguments; and opening the store the
 * configuration names.  One parser, so that every command spells and
 * checks them the same way, and refuses the ones it does not take the way
 * getopt refuses any unknown option.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/cli.h"
#include "signpost/ops.h"

/* Every option, in the order getopt names them when a prefix is ambiguous;
 * need is the CLI_OPT_ flag a command gives to take it (0: all do). */
static const struct {
    struct option opt;
    const char *shortspec; /* its one-letter form for getopt; "" when none */
    unsigned need;
} all_opts[] = {
    {{"config", required_argument, NULL, 'c'}, "c:", 0},
    {{"state-dir", required_argument, NULL, 's'}, "s:", 0},
    {{"limit", required_argument, NULL, 'l'}, "l:", CLI_OPT_LIMIT},
    {{"yes", no_argument, NULL, 'y'}, "y", CLI_OPT_YES},
    {{"now", required_argument, NULL, 'n'}, "", CLI_OPT_NOW},
    {{"help", no_argument, NULL, 'h'}, "h", 0},
};
#define NOPTS (sizeof all_opts / sizeof all_opts[0])
#define SHORTS_LEN 16 /* "c:s:l:yh" and its NUL, with room */

/* The long and short options of a command that takes flags; an option
 * left out is unknown to getopt, which then prints the error itself. */
static void options_for(unsigned flags, struct option longs[NOPTS + 1], char *shorts)
{
    size_t n = 0, used = 0;

    for (size_t i = 0; i < NOPTS; i++) {
        if (all_opts[i].need & ~flags)
            continue;
        longs[n++] = all_opts[i].opt;
        for (const char *s = all_opts[i].shortspec; *s && used + 1 < SHORTS_LEN; s++)
            shorts[used++] = *s;
    }
    memset(&longs[n], 0, sizeof longs[n]);
    shorts[used] = '\0';
}

static int take_limit(const char *cmd, const char *arg, cli_opts *o)
{
    char *end;

    o->limit = (int)strtol(arg, &end, 10);
    if (*end || o->limit < 1 || o->limit > 100000) {
        fprintf(stderr, "signpost %s: --limit: a whole number from 1 to 100000\n", cmd);
        return SG_EXIT_USAGE;
    }
    return 0;
}

static int take_now(const char *cmd, const char *arg, cli_opts *o)
{
    if (ops_parse_time(arg, &o->now)) {
        fprintf(stderr, "signpost %s: --now: YYYY-MM-DDTHH:MM:SSZ or Unix seconds\n", cmd);
        return SG_EXIT_USAGE;
    }
    return 0;
}

/* One option getopt returned.  0: go on; -1: --help was answered; else
 * the exit code. */
static int take(int c, char **argv, cli_usage_fn usage, cli_opts *o)
{
    switch (c) {
    case 'c': o->config = optarg; return 0;
    case 's': o->state = optarg; return 0;
    case 'l': return take_limit(argv[0], optarg, o);
    case 'y': o->yes = 1; return 0;
    case 'n': return take_now(argv[0], optarg, o);
    case 'h': usage(stdout, argv[0]); return -1;
    default: usage(stderr, argv[0]); return SG_EXIT_USAGE;
    }
}

int cli_parse_opts(int argc, char **argv, int max_args, unsigned flags, cli_usage_fn usage,
                   cli_opts *o)
{
    struct option longs[NOPTS + 1];
    char shorts[SHORTS_LEN];
    int c, rc, limit = o->limit;

    memset(o, 0, sizeof *o);
    o->limit = limit;
    o->now = time(NULL);
    options_for(flags, longs, shorts);
    optind = 1;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1)
        if ((rc = take(c, argv, usage, o)))
            return rc;
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
