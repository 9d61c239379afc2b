/*
 * `signpost print-jobs` and `signpost reprint`: the print queue from a
 * shell.  Front-desk staff reprint a receipt that failed (paper out, cover
 * open, a restart mid-job) or that a patient lost; the running daemon's
 * print worker picks the new job up at its next look at the queue.  The
 * staff console uses the same store calls.
 *
 *   signpost print-jobs [--config FILE] [--state-dir DIR] [--limit N]
 *   signpost reprint [--config FILE] [--state-dir DIR] JOB_ID
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/cli.h"
#include "signpost/store.h"

typedef struct {
    const char *config, *state, *arg;
    int limit;
} jobs_args;

static void usage(FILE *out, const char *cmd)
{
    if (!strcmp(cmd, "reprint"))
        fprintf(out, "usage: signpost reprint [--config FILE] [--state-dir DIR] JOB_ID\n"
                     "Queues a new copy of a printed or failed receipt.\n");
    else
        fprintf(out, "usage: signpost print-jobs [--config FILE] [--state-dir DIR] [--limit N]\n"
                     "Lists the newest receipts: job id, time, status, attempts, reason.\n");
}

/* -1: --help was answered; 0: parsed; else the exit code. */
static int parse(int argc, char **argv, jobs_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    int c;

    memset(a, 0, sizeof *a);
    a->limit = 20;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case 's': a->state = optarg; break;
        case 'l':
            a->limit = (int)strtol(optarg, &end, 10);
            if (*end || a->limit < 1 || a->limit > 10000) {
                fprintf(stderr, "signpost %s: --limit: a whole number from 1 to 10000\n",
                        argv[0]);
                return SG_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout, argv[0]); return -1;
        default: usage(stderr, argv[0]); return SG_EXIT_USAGE;
        }
    }
    a->arg = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        fprintf(stderr, "signpost %s: unexpected argument \"%s\"\n", argv[0], argv[optind]);
        return SG_EXIT_USAGE;
    }
    return 0;
}

static int open_store(const jobs_args *a, sg_store **st)
{
    sg_config *cfg = malloc(sizeof *cfg); /* large: keep it off the stack */
    char err[512];
    int rc = cfg ? cli_load_config(cfg, a->config, a->state, NULL) : SG_EXIT_FAIL;

    if (!rc && store_open(cfg->store_dir, 1, st, err, sizeof err)) {
        fprintf(stderr, "signpost: %s\n", err);
        rc = SG_EXIT_FAIL;
    }
    free(cfg);
    return rc;
}

static int show_job(void *ctx, const print_job *job, const char *created_at)
{
    (*(int *)ctx)++;
    printf("%s  %s  %-8s  %d  %s\n", job->id, created_at ? created_at : "",
           print_status_name(job->status), job->attempts, job->error);
    return 0;
}

int cmd_print_jobs(int argc, char **argv)
{
    jobs_args a;
    sg_store *st = NULL;
    int n = 0, rc = parse(argc, argv, &a);

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if (a.arg) {
        fprintf(stderr, "signpost print-jobs: unexpected argument \"%s\"\n", a.arg);
        return SG_EXIT_USAGE;
    }
    if ((rc = open_store(&a, &st)))
        return rc;
    rc = store_print_list(st, a.limit, show_job, &n) ? SG_EXIT_FAIL : SG_EXIT_OK;
    if (!rc)
        printf("%d receipts\n", n);
    store_close(st);
    return rc;
}

int cmd_reprint(int argc, char **argv)
{
    jobs_args a;
    sg_store *st = NULL;
    char id[SG_ID_LEN];
    int rc = parse(argc, argv, &a);
    sg_rc src;

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if (!a.arg) {
        usage(stderr, "reprint");
        return SG_EXIT_USAGE;
    }
    if ((rc = open_store(&a, &st)))
        return rc;
    src = store_print_reprint(st, a.arg, id);
    if (src == SG_ENOTFOUND)
        fprintf(stderr, "signpost reprint: no printed or failed receipt \"%s\" "
                        "(see 'signpost print-jobs')\n", a.arg);
    else if (!src)
        printf("queued reprint %s of %s\n", id, a.arg);
    store_close(st);
    return src ? SG_EXIT_FAIL : SG_EXIT_OK;
}
