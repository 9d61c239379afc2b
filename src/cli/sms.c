/*
 * `signpost sms`: the text outbox from a shell, for installers and for
 * front-desk staff until they use the console.  It shows states, reasons
 * and reply kinds; never a phone number or a text (those are sealed, and
 * a shell history is no place for them).
 *
 *   signpost sms outbox [SCREENING_ID]   newest texts first
 *   signpost sms replies                 newest replies first
 *   signpost sms optouts                 opted-out numbers (as hash prefixes)
 *   signpost sms resend TEXT_ID          queue again a failed, unknown or expired text
 * each with [--config FILE] [--state-dir DIR] [--limit N]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/cli.h"
#include "signpost/sms_store.h"

typedef struct {
    const char *config, *state, *what, *arg;
    int limit;
} sms_args;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: signpost sms outbox|replies|optouts|resend [--config FILE] "
            "[--state-dir DIR] [--limit N] [ID]\n"
            "  outbox [SCREENING_ID]  texts, newest first: id, kind, state, due, attempts, reason\n"
            "  replies                replies, newest first: time, screening, kind of reply\n"
            "  optouts                numbers that asked for no more texts\n"
            "  resend TEXT_ID         queue a failed, unknown or expired text again (check\n"
            "                         first that an unknown one did not reach the patient)\n");
}

static int parse(int argc, char **argv, sms_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    int c;

    memset(a, 0, sizeof *a);
    a->limit = 50;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case 's': a->state = optarg; break;
        case 'l':
            a->limit = (int)strtol(optarg, &end, 10);
            if (*end || a->limit < 1 || a->limit > 100000) {
                fprintf(stderr, "signpost sms: --limit: a whole number from 1 to 100000\n");
                return SG_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return SG_EXIT_USAGE;
        }
    }
    a->what = optind < argc ? argv[optind++] : NULL;
    a->arg = optind < argc ? argv[optind++] : NULL;
    if (!a->what || optind < argc) {
        usage(stderr);
        return SG_EXIT_USAGE;
    }
    return 0;
}

static void iso(time_t t, char out[32])
{
    struct tm tm;
    if (!t) {
        snprintf(out, 32, "-");
        return;
    }
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int show_text(void *ctx, const outbox_row *r)
{
    char due[32];
    (void)ctx;
    iso(r->due_at, due);
    printf("%s  %-13s  %-9s  %s  %d  %s\n", r->id, outbox_kind_name(r->kind),
           outbox_state_name(r->state), due, r->attempts, r->error);
    return 0;
}

static int show_reply(void *ctx, const sms_reply_row *r)
{
    char at[32];
    (void)ctx;
    iso(r->received_at, at);
    printf("%s  %s  %s\n", at, r->screening_id[0] ? r->screening_id : "-",
           sms_reply_name(r->reply));
    return 0;
}

static int show_optout(void *ctx, const char *hash, time_t at, const char *via)
{
    char when[32];
    (void)ctx;
    iso(at, when);
    printf("%s  number %.12s...  via %s\n", when, hash, via);
    return 0;
}

static int run(sg_store *st, const sms_args *a)
{
    sg_rc rc;

    if (!strcmp(a->what, "outbox"))
        rc = store_sms_list(st, a->arg, a->limit, show_text, NULL);
    else if (!strcmp(a->what, "replies") && !a->arg)
        rc = store_sms_replies(st, a->limit, show_reply, NULL);
    else if (!strcmp(a->what, "optouts") && !a->arg)
        rc = store_sms_optouts(st, a->limit, show_optout, NULL);
    else if (!strcmp(a->what, "resend") && a->arg) {
        rc = store_sms_resend(st, a->arg, time(NULL));
        if (rc == SG_ENOTFOUND)
            fprintf(stderr, "signpost sms resend: no failed, unknown or expired text %s\n",
                    a->arg);
        else if (!rc)
            printf("text %s queued again\n", a->arg);
    } else {
        usage(stderr);
        return SG_EXIT_USAGE;
    }
    return rc ? SG_EXIT_FAIL : SG_EXIT_OK;
}

int cmd_sms(int argc, char **argv)
{
    sg_config *cfg;
    sg_store *st = NULL;
    sms_args a;
    char err[512];
    int rc = parse(argc, argv, &a);

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    cfg = malloc(sizeof *cfg); /* large: keep it off the stack */
    rc = cfg ? cli_load_config(cfg, a.config, a.state, NULL) : SG_EXIT_FAIL;
    if (!rc && store_open(cfg->store_dir, 1, &st, err, sizeof err)) {
        fprintf(stderr, "signpost: %s\n", err);
        rc = SG_EXIT_FAIL;
    }
    if (!rc)
        rc = run(st, &a);
    store_close(st);
    free(cfg);
    return rc;
}
