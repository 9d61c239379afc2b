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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/cli.h"
#include "signpost/store.h"

static void usage(FILE *out, const char *cmd)
{
    if (!strcmp(cmd, "reprint"))
        fprintf(out, "usage: signpost reprint [--config FILE] [--state-dir DIR] JOB_ID\n"
                     "Queues a new copy of a printed or failed receipt.\n");
    else
        fprintf(out, "usage: signpost print-jobs [--config FILE] [--state-dir DIR] [--limit N]\n"
                     "Lists the newest receipts: job id, time, status, attempts, reason.\n");
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
    cli_opts a = {.limit = 20};
    sg_store *st = NULL;
    int n = 0, rc = cli_parse_opts(argc, argv, 0, CLI_OPT_LIMIT, usage, &a);

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if ((rc = cli_open_store(&a, &st)))
        return rc;
    rc = store_print_list(st, a.limit, show_job, &n) ? SG_EXIT_FAIL : SG_EXIT_OK;
    if (!rc)
        printf("%d receipts\n", n);
    store_close(st);
    return rc;
}

int cmd_reprint(int argc, char **argv)
{
    cli_opts a = {.limit = 20};
    sg_store *st = NULL;
    char id[SG_ID_LEN];
    int rc = cli_parse_opts(argc, argv, 1, CLI_OPT_LIMIT, usage, &a);
    const char *job;
    sg_rc src;

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if (a.nargs != 1) {
        usage(stderr, "reprint");
        return SG_EXIT_USAGE;
    }
    job = a.args[0];
    if ((rc = cli_open_store(&a, &st)))
        return rc;
    src = store_print_reprint(st, job, id);
    if (src == SG_ENOTFOUND)
        fprintf(stderr, "signpost reprint: no printed or failed receipt \"%s\" "
                        "(see 'signpost print-jobs')\n", job);
    else if (!src)
        printf("queued reprint %s of %s\n", id, job);
    store_close(st);
    return src ? SG_EXIT_FAIL : SG_EXIT_OK;
}
