/*
 * The command line: `signpost <command> [options]`, like git.  Each command
 * returns the process exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef SIGNPOST_CLI_H
#define SIGNPOST_CLI_H

#include "signpost/config.h"

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

/*
 * Common to every command that touches state: reads --config FILE (or
 * /etc/signpost/signpost.conf, or demo defaults) and applies --state-dir.
 * Returns SG_EXIT_OK or the exit code to leave with.
 */
int cli_load_config(sg_config *cfg, const char *config_path, const char *state_dir,
                    const char *listen);

#endif
