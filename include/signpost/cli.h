/*
 * The command line: `signpost <command> [options]`, like git.  Each command
 * returns the process exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef SIGNPOST_CLI_H
#define SIGNPOST_CLI_H

#include <stdio.h>
#include <time.h>
#include "signpost/config.h"
#include "signpost/store.h"

#define SG_EXIT_OK 0
#define SG_EXIT_FAIL 1
#define SG_EXIT_USAGE 2

int cli_main(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_directory(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_printers(int argc, char **argv);
int cmd_print_test(int argc, char **argv);
int cmd_print_jobs(int argc, char **argv);
int cmd_reprint(int argc, char **argv);
int cmd_sms(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_maintain(int argc, char **argv);
int cmd_user(int argc, char **argv);

/*
 * Common to every command that touches state: reads --config FILE (or
 * /etc/signpost/signpost.conf, or demo defaults) and applies --state-dir.
 * Returns SG_EXIT_OK or the exit code to leave with.
 */
int cli_load_config(sg_config *cfg, const char *config_path, const char *state_dir,
                    const char *listen);

/* The options state commands share (src/cli/options.c).  Every command
 * takes --config, --state-dir and --help; the flags below add the others a
 * command takes, and an option a command does not take stays unknown to
 * getopt, so it is refused the way any misspelling is. */
#define CLI_OPT_LIMIT 1u /* --limit N: 1 to 100000 */
#define CLI_OPT_YES 2u   /* --yes: do not ask */
#define CLI_OPT_NOW 4u   /* --now TIME, for tests: stands in for the clock */

typedef struct {
    const char *config, *state;
    int limit;         /* set the default before parsing */
    int yes;           /* --yes was given */
    time_t now;        /* --now, else the clock at parsing */
    char *const *args; /* what follows the options */
    int nargs;
} cli_opts;
typedef void (*cli_usage_fn)(FILE *out, const char *cmd);

/* Parses --config, --state-dir, --help and the options flags names, then at
 * most max_args arguments.  0: parsed; -1: --help was answered; else the
 * exit code. */
int cli_parse_opts(int argc, char **argv, int max_args, unsigned flags, cli_usage_fn usage,
                   cli_opts *o);
/* Loads the configuration the options name and opens its store. */
int cli_open_store(const cli_opts *o, sg_store **st);

#endif
