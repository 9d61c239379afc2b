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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/cli.h"
#include "signpost/sms_store.h"

static void usage(FILE *out, const char *cmd)
{
    (void)cmd;
    fprintf(out,
            "usage: signpost sms outbox|replies|optouts|resend [--config FILE] "
            "[--state-dir DIR] [--limit N] [ID]\n"
            "  outbox [SCREENING_ID]  texts, newest first: id, kind, state, due, attempts, reason\n"
            "  replies                replies, newest first: time, screening, kind of reply\n"
            "  optouts                numbers that asked for no more texts\n"
            "  resend TEXT_ID         queue a failed, unknown or expired text again (check\n"
            "                         first that an unknown one did not reach the patient)\n");
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

static int run(sg_store *st, const char *what, const char *arg, int limit)
{
    sg_rc rc;

    if (!strcmp(what, "outbox"))
        rc = store_sms_list(st, arg, limit, show_text, NULL);
    else if (!strcmp(what, "replies") && !arg)
        rc = store_sms_replies(st, limit, show_reply, NULL);
    else if (!strcmp(what, "optouts") && !arg)
        rc = store_sms_optouts(st, limit, show_optout, NULL);
    else if (!strcmp(what, "resend") && arg) {
        rc = store_sms_resend(st, arg, time(NULL));
        if (rc == SG_ENOTFOUND)
            fprintf(stderr, "signpost sms resend: no failed, unknown or expired text %s\n", arg);
        else if (!rc)
            printf("text %s queued again\n", arg);
    } else {
        usage(stderr, "sms");
        return SG_EXIT_USAGE;
    }
    return rc ? SG_EXIT_FAIL : SG_EXIT_OK;
}

int cmd_sms(int argc, char **argv)
{
    cli_opts a = {.limit = 50};
    sg_store *st = NULL;
    int rc = cli_parse_opts(argc, argv, 2, CLI_OPT_LIMIT, usage, &a);

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if (a.nargs < 1) {
        usage(stderr, "sms");
        return SG_EXIT_USAGE;
    }
    if ((rc = cli_open_store(&a, &st)))
        return rc;
    rc = run(st, a.args[0], a.nargs > 1 ? a.args[1] : NULL, a.limit);
    store_close(st);
    return rc;
}
