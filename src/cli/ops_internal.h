/*
 * What the operations commands (doctor, backup, restore, maintain) share
 * and no other command needs: how they start (options and configuration),
 * the paths of the state files, and writing one backup set.
 */
#ifndef SIGNPOST_CLI_OPS_INTERNAL_H
#define SIGNPOST_CLI_OPS_INTERNAL_H

#include <stdio.h>
#include <time.h>
#include "signpost/cli.h"
#include "signpost/ops.h"

/* The options the operations commands take besides --config, --state-dir
 * and --help: --yes (only restore reads it; the others have always let it
 * pass, and scripts may give it) and the tests' --now. */
#define OPS_FLAGS (CLI_OPT_YES | CLI_OPT_NOW)

/* Loads the configuration (*cfg allocated; the caller frees it). */
int ops_load(const cli_opts *o, sg_config **cfg);

/* How an operations command starts: its options (OPS_FLAGS), exactly
 * nargs arguments (else usage and SG_EXIT_USAGE), and the configuration
 * (*cfg allocated; the caller frees it).  When *cfg is NULL the command
 * ends with the code returned: SG_EXIT_OK after --help, else the error's. */
int ops_start(int argc, char **argv, int nargs, cli_usage_fn usage, cli_opts *o,
              sg_config **cfg);

/* STATE/name into out; SG_ETOOBIG when it does not fit. */
sg_rc ops_state_path(const sg_config *cfg, const char *name, char *out, size_t outlen);
/* The SMS key file: [sms] key_file, else STATE/sms.key. */
sg_rc ops_key_path(const sg_config *cfg, char *out, size_t outlen);

/* Writes one backup set to p (signpost.db, and directory.db and the key
 * when they exist); refuses before writing anything when any target
 * exists.  Prints each file and its size unless quiet; *bytes (may be
 * NULL) gets the total. */
sg_rc ops_backup_set(const sg_config *cfg, const ops_backup_paths *p, int quiet,
                     long long *bytes);

/* ---- doctor: one probe per line of the report (doctor.c, doctor_probes.c) ---- */

typedef struct {
    sg_config *cfg;
    time_t now;
    int db_ready; /* signpost.db is sound and at this binary's schema */
} doc_ctx;

void doc_probe_printer(doc_ctx *c, doc_line *l);
void doc_probe_sms(doc_ctx *c, doc_line *l);
void doc_probe_tls(doc_ctx *c, doc_line *l);
void doc_probe_key(doc_ctx *c, doc_line *l);
void doc_probe_directory(doc_ctx *c, doc_line *l);

#endif
