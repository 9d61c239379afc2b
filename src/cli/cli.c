/*
 * Command dispatch and the configuration steps every command shares.
 * Configuration is layered: built-in defaults, then the file, then the
 * command line (--listen, --state-dir), then cross-key checks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signpost/cli.h"
#include "signpost/log.h"

#define SYSTEM_CONFIG "/etc/signpost/signpost.conf"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: signpost <command> [options]\n"
            "\n"
            "commands:\n"
            "  serve      run the kiosk daemon\n"
            "  import     import an HSDS directory (CSV package, .zip or JSON)\n"
            "  directory  show and curate the imported directory\n"
            "  sync       pull directory changes from the HSDS API now\n"
            "  printers   list the serial ports a printer could be on\n"
            "  print-test print a test page and report the printer's status\n"
            "  print-jobs list the newest receipts and why any failed\n"
            "  reprint    queue a new copy of a printed or failed receipt\n"
            "  sms        the text outbox, replies and opt-outs; resend a text\n"
            "  doctor     check that this kiosk is fit to run: one line per check\n"
            "  backup     copy the databases and the SMS key, while the service runs\n"
            "  restore    put a backup back (the service stopped)\n"
            "  maintain   the nightly job: backup, retention purge, integrity checks\n"
            "  user       staff accounts: add, passwd, disable, enable, list\n"
            "  version    print the version\n"
            "\n"
            "Run 'signpost <command> --help' for a command's options.\n");
}

/* Demo defaults: state beside the user, the fictional city's centre. */
static int apply_demo_defaults(sg_config *cfg, int keep_state_dir)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    char err[256];
    char dir[SG_CFG_PATH];

    if (isnan(cfg->kiosk_latitude)) {
        cfg->kiosk_latitude = 39.7990;
        cfg->kiosk_longitude = -89.6440;
    }
    if (keep_state_dir)
        return SG_EXIT_OK;
    if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/signpost", xdg);
    else
        snprintf(dir, sizeof dir, "./var");
    if (config_set(cfg, "store", "dir", dir, err, sizeof err)) {
        fprintf(stderr, "signpost: %s\n", err);
        return SG_EXIT_FAIL;
    }
    return SG_EXIT_OK;
}

int cli_load_config(sg_config *cfg, const char *config_path, const char *state_dir,
                    const char *listen)
{
    char err[512];

    config_defaults(cfg);
    if (!config_path && access(SYSTEM_CONFIG, F_OK) == 0)
        config_path = SYSTEM_CONFIG;
    if (config_path && config_load(cfg, config_path, err, sizeof err)) {
        fprintf(stderr, "signpost: %s\n", err);
        return SG_EXIT_FAIL;
    }
    if (!config_path && apply_demo_defaults(cfg, state_dir != NULL))
        return SG_EXIT_FAIL;
    if ((state_dir && config_set(cfg, "store", "dir", state_dir, err, sizeof err)) ||
        (listen && config_set(cfg, "kiosk", "listen", listen, err, sizeof err))) {
        fprintf(stderr, "signpost: command line: %s\n", err);
        return SG_EXIT_USAGE;
    }
    if (config_finish(cfg, err, sizeof err)) {
        fprintf(stderr, "signpost: %s\n", err);
        return SG_EXIT_FAIL;
    }
    sg_log_set_level((sg_log_level)sg_log_parse_level(cfg->log_level));
    return SG_EXIT_OK;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SG_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "serve"))
        return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(argv[1], "import"))
        return cmd_import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "directory"))
        return cmd_directory(argc - 1, argv + 1);
    if (!strcmp(argv[1], "sync"))
        return cmd_sync(argc - 1, argv + 1);
    if (!strcmp(argv[1], "printers"))
        return cmd_printers(argc - 1, argv + 1);
    if (!strcmp(argv[1], "print-jobs"))
        return cmd_print_jobs(argc - 1, argv + 1);
    if (!strcmp(argv[1], "reprint"))
        return cmd_reprint(argc - 1, argv + 1);
    if (!strcmp(argv[1], "sms"))
        return cmd_sms(argc - 1, argv + 1);
    if (!strcmp(argv[1], "doctor"))
        return cmd_doctor(argc - 1, argv + 1);
    if (!strcmp(argv[1], "backup"))
        return cmd_backup(argc - 1, argv + 1);
    if (!strcmp(argv[1], "restore"))
        return cmd_restore(argc - 1, argv + 1);
    if (!strcmp(argv[1], "maintain"))
        return cmd_maintain(argc - 1, argv + 1);
    if (!strcmp(argv[1], "user"))
        return cmd_user(argc - 1, argv + 1);
    if (!strcmp(argv[1], "print-test"))
        return cmd_print_test(argc - 1, argv + 1);
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("signpost %s\n", SIGNPOST_VERSION);
        return SG_EXIT_OK;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return SG_EXIT_OK;
    }
    fprintf(stderr, "signpost: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return SG_EXIT_USAGE;
}
