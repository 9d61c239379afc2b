/*
 * `signpost import PATH`: import an HSDS directory (a folder of CSV files, a
 * .zip of one, or HSDS 3.0 JSON) and install it as the kiosk's directory.
 *
 * The new directory is built beside the live one (STATE_DIR/
 * directory.db.new-PID), indexed for the configured domain map, and only
 * then renamed over directory.db, so a failed, refused or interrupted
 * import leaves the old directory exactly as it was.  Leftovers of an
 * import that died (its PID gone) are removed first.
 *
 * Output is for the person at the terminal and for scripts alike: every
 * problem as "FILE:ROW: COLUMN: message" on stderr (the first MAX_SHOWN),
 * a progress bar on stderr only when it is a terminal, and always one
 * summary line on stdout.  Exit 0 when a directory was imported (problems
 * or not), 1 when nothing usable was found or anything failed, 2 for usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signpost/cli.h"
#include "signpost/directory_db.h"
#include "signpost/hsds.h"
#include "signpost/app.h"

#define MAX_SHOWN 200
#define TMP_PREFIX DIRECTORY_DB_FILE ".new-"
#define BAR_WIDTH 30

static void import_usage(FILE *out)
{
    fprintf(
        out,
        "usage: signpost import [--config FILE] [--state-dir DIR] [--dry-run] [--quiet] "
        "PATH\n"
        "\n"
        "Imports an Open Referral HSDS directory and makes it the kiosk's directory.\n"
        "PATH is a folder of HSDS CSV files (3.0 or 1.x), a .zip of one, or an\n"
        "HSDS 3.0 JSON file (a service, an array of services, or an API page).\n"
        "Problems are listed as FILE:ROW: COLUMN: message; rows that are sound are\n"
        "imported.  The old directory stays in place until the new one is complete.\n"
        "  --config FILE     the INI configuration file\n"
        "  --state-dir DIR   where directory.db lives ([store] dir)\n"
        "  --dry-run         check and report, but do not install\n"
        "  --quiet           list no problems and show no progress; only the summary\n");
}

typedef struct {
    int quiet, tty;
    size_t shown, hidden;
    int bar; /* a progress bar is on the terminal line */
} import_ui;

static void clear_bar(import_ui *ui)
{
    if (ui->bar)
        fputs("\r\033[K", stderr);
    ui->bar = 0;
}

static void on_problem(void *ctx, const hsds_problem *p)
{
    import_ui *ui = ctx;

    if (ui->quiet)
        return;
    if (ui->shown >= MAX_SHOWN) {
        ui->hidden++;
        return;
    }
    ui->shown++;
    clear_bar(ui);
    if (p->row)
        fprintf(stderr, "%s:%zu: ", p->file, p->row);
    else
        fprintf(stderr, "%s: ", p->file);
    if (*p->column)
        fprintf(stderr, "%s: ", p->column);
    fprintf(stderr, "%s\n", p->message);
}

static void on_progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
    static const char hashes[BAR_WIDTH + 1] = "##############################";
    import_ui *ui = ctx;
    unsigned pct = total ? (unsigned)(done >= total ? 100 : done * 100 / total) : 0;
    int fill = (int)(pct * BAR_WIDTH / 100);

    if (ui->quiet || !ui->tty)
        return;
    fprintf(stderr, "\r%-15s [%.*s%*s] %3u%%", stage, fill, hashes, BAR_WIDTH - fill, "",
            pct);
    fflush(stderr);
    ui->bar = 1;
}

/* ---- the temporary file, and taking it away when interrupted ---- */

static char tmp_path[4096], stg_path[4200], journal_path[4200];

static void on_signal(int sig)
{
    static const char msg[] =
        "\nsignpost import: interrupted; the directory is unchanged\n";
    (void)sig;
    unlink(tmp_path); /* async-signal-safe, as is everything here */
    unlink(stg_path);
    unlink(journal_path);
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(SG_EXIT_FAIL);
}

/* on_signal while building; SIG_IGN for the moment of installing, which
 * is short and must not be cut in two. */
static void catch_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Removes directory.db.new-PID files whose import is no longer running. */
static void remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char *end, path[4352];
        long pid;
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
            continue;
        pid = strtol(e->d_name + strlen(TMP_PREFIX), &end, 10);
        if (pid <= 0 || (*end && strcmp(end, "-staging") && strcmp(end, "-journal")) ||
            (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
}

/* ---- the import ---- */

static int load_map(const sg_config *cfg, sg_domain_map *map)
{
    char err[512];

    if (!app_load_domain_map(cfg, map, err, sizeof err))
        return SG_EXIT_OK;
    fprintf(stderr, "signpost import: %s\n", err);
    return SG_EXIT_FAIL;
}

/* Builds the domain index in the new file, then installs it (or not). */
static sg_rc finish(const sg_config *cfg, const sg_domain_map *map, int dry_run,
                    char *err, size_t errlen)
{
    sg_rc rc = directory_db_map_new(tmp_path, map, err, errlen);

    if (rc || dry_run)
        return rc;
    catch_signals(SIG_IGN);
    return directory_install(tmp_path, cfg->store_dir, err, errlen);
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void summary(const char *path, const hsds_summary *s, int dry_run)
{
    const char *v = !strcmp(s->version, "3.0-json") ? "3.0 JSON" : s->version;

    printf("%s %zu %s (HSDS %s) from %s: ", dry_run ? "checked" : "imported", s->services,
           plural(s->services, "service", "services"), v, path);
    if (!s->problems)
        printf("no problems");
    else
        printf("%zu %s, %zu %s skipped", s->problems,
               plural(s->problems, "problem", "problems"), s->skipped,
               plural(s->skipped, "row", "rows"));
    printf("%s\n", dry_run ? " (dry run: the directory is unchanged)" : "");
}

static int run(const sg_config *cfg, const char *path, int dry_run, int quiet)
{
    import_ui ui = {quiet, isatty(STDERR_FILENO), 0, 0, 0};
    char source[4096];
    /* meta.source: where it came from, wherever the command was run. */
    hsds_import_opts o = {on_problem, &ui, on_progress, &ui,
                          realpath(path, source) ? source : path};
    hsds_summary sum;
    sg_domain_map map;
    char err[1024];
    sg_rc rc;

    if (load_map(cfg, &map))
        return SG_EXIT_FAIL;
    if (mkdir(cfg->store_dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "signpost import: %s: %s\n", cfg->store_dir, strerror(errno));
        return SG_EXIT_FAIL;
    }
    remove_stale(cfg->store_dir);
    snprintf(tmp_path, sizeof tmp_path, "%s/%s%ld", cfg->store_dir, TMP_PREFIX,
             (long)getpid());
    snprintf(stg_path, sizeof stg_path, "%s-staging", tmp_path);
    snprintf(journal_path, sizeof journal_path, "%s-journal", tmp_path);
    catch_signals(on_signal);
    rc = hsds_import(path, tmp_path, &o, &sum, err, sizeof err);
    if (!rc)
        rc = finish(cfg, &map, dry_run, err, sizeof err);
    clear_bar(&ui);
    unlink(tmp_path); /* gone already when installed */
    if (ui.hidden)
        fprintf(stderr, "... and %zu more %s\n", ui.hidden,
                plural(ui.hidden, "problem", "problems"));
    if (rc) {
        fprintf(stderr, "signpost import: %s\n", err);
        printf("import failed: nothing imported from %s (%zu %s); the directory is "
               "unchanged\n",
               path, sum.problems, plural(sum.problems, "problem", "problems"));
        return SG_EXIT_FAIL;
    }
    summary(path, &sum, dry_run);
    return SG_EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, 's'},
        {"dry-run", no_argument, NULL, 'n'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *state = NULL;
    int c, rc, dry_run = 0, quiet = 0;
    sg_config *cfg;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:nqh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 's':
            state = optarg;
            break;
        case 'n':
            dry_run = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            import_usage(stdout);
            return SG_EXIT_OK;
        default:
            import_usage(stderr);
            return SG_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "signpost import: %s\n",
                optind < argc ? "give one PATH"
                              : "missing PATH (a folder, .zip or JSON file)");
        import_usage(stderr);
        return SG_EXIT_USAGE;
    }
    cfg = malloc(sizeof *cfg); /* large: keep it off the stack */
    if (!cfg)
        return SG_EXIT_FAIL;
    rc = cli_load_config(cfg, config, state, NULL);
    if (rc == SG_EXIT_OK)
        rc = run(cfg, argv[optind], dry_run, quiet);
    free(cfg);
    return rc;
}
