/*
 * What the operations commands (doctor, backup, restore, maintain) share
 * and no other command needs: their options, loading the configuration,
 * the paths of the state files, and writing one backup set.
 */
#ifndef SIGNPOST_CLI_OPS_INTERNAL_H
#define SIGNPOST_CLI_OPS_INTERNAL_H

#include <stdio.h>
#include <time.h>
#include "signpost/cli.h"
#include "signpost/ops.h"

typedef struct {
    const char *config, *state;
    int yes;     /* restore: --yes */
    time_t now;  /* --now (for tests), else the clock */
    char *const *args;
    int nargs;
} ops_opts;

/* Parses --config, --state-dir, --yes, --now and --help, then at most
 * max_args arguments.  0: parsed; -1: --help was answered; else the exit
 * code. */
int ops_parse(int argc, char **argv, int max_args, void (*usage)(FILE *out), ops_opts *o);

/* Loads the configuration (*cfg allocated; the caller frees it). */
int ops_load(const ops_opts *o, sg_config **cfg);

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
