/*
 * `signpost user`: staff accounts from a shell, the way the first admin is
 * made on a fresh install and the way an account is rescued.
 *
 *   signpost user add NAME --role admin|navigator|viewer
 *   signpost user passwd NAME      a new password; ends the account's sessions
 *   signpost user disable NAME     no more logins; ends the account's sessions
 *   signpost user enable NAME
 *   signpost user list
 * each with [--config FILE] [--state-dir DIR].
 *
 * A password is never an argument (it would sit in the shell history and
 * in ps): it is one line on standard input when that is not a terminal (for
 * scripts), or typed twice without echo at a terminal.  Every change is
 * written to the audit log as done by "cli", in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "signpost/cli.h"
#include "signpost/staff_auth.h"
#include "signpost/staff_store.h"

#define MAX_ARGS 32
#define PW_BUF (STAFF_PW_MAX + 2) /* the longest password, its newline, a NUL */

static void usage(FILE *out, const char *cmd)
{
    (void)cmd;
    fprintf(
        out,
        "usage: signpost user add NAME --role admin|navigator|viewer [--config FILE] "
        "[--state-dir DIR]\n"
        "       signpost user passwd|disable|enable NAME [--config FILE] [--state-dir "
        "DIR]\n"
        "       signpost user list [--config FILE] [--state-dir DIR]\n"
        "  add      a new staff account (the password is asked for)\n"
        "  passwd   set a new password; the account's sessions end\n"
        "  disable  refuse the account's logins; its sessions end\n"
        "  enable   allow a disabled account again\n"
        "  list     every account: name, role, state, created, last login\n"
        "The password is read from standard input when it is not a terminal (one\n"
        "line); at a terminal it is asked for twice, without echo.  Passwords are at\n"
        "least 12 characters and not the username.\n");
}

/* ---- passwords --------------------------------------------------- */

/* Reads one line into buf (PW_BUF bytes) without its line end; -1 when none
 * or when it is longer than a password may be. */
static int read_line(char *buf)
{
    size_t n;

    if (!fgets(buf, PW_BUF, stdin))
        return -1;
    n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == PW_BUF - 1)
        return -1; /* no line end within the cap: too long */
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Asks at the terminal with echo off; the terminal is restored either way. */
static int prompt(const char *text, char *buf)
{
    struct termios old, quiet;
    int rc;

    fputs(text, stderr);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return -1;
    rc = read_line(buf);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return rc;
}

/* The new password for name, checked against the policy; 0 when pw holds it. */
static int get_password(const char *name, char *pw)
{
    char again[PW_BUF], why[160];
    int rc = -1;

    if (!isatty(STDIN_FILENO)) {
        if (read_line(pw)) {
            fprintf(stderr,
                    "signpost user: expected the password as one line on standard "
                    "input (at most %d bytes)\n",
                    STAFF_PW_MAX);
            goto out;
        }
    } else if (prompt("New password: ", pw) || prompt("Again: ", again)) {
        fprintf(stderr, "signpost user: no password read\n");
        goto out;
    } else if (strcmp(pw, again) != 0) {
        fprintf(stderr, "signpost user: the two passwords differ; nothing changed\n");
        goto out;
    }
    if (staff_pw_policy(name, pw, why, sizeof why)) {
        fprintf(stderr, "signpost user: %s\n", why);
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(again, sizeof again);
    return rc;
}

/* Reads, checks and hashes a new password for name into hash. */
static int new_hash(const char *name, char hash[STAFF_HASH_MAX])
{
    char pw[PW_BUF];
    int rc = -1;

    if (get_password(name, pw))
        goto out;
    if (staff_pw_hash(pw, hash)) {
        fprintf(stderr,
                "signpost user: not enough memory to hash the password (64 MiB)\n");
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(pw, sizeof pw);
    return rc;
}

/* ---- commands ---------------------------------------------------- */

static int report(sg_rc rc, const char *name, const char *done)
{
    if (rc == SG_ENOTFOUND)
        fprintf(stderr, "signpost user: no account \"%s\"\n", name);
    else if (rc == SG_EBUSY)
        fprintf(stderr, "signpost user: an account \"%s\" already exists\n", name);
    else if (rc)
        fprintf(stderr, "signpost user: the database refused the change (%s)\n",
                sg_strerror(rc));
    else
        printf("%s %s\n", name, done);
    return rc ? SG_EXIT_FAIL : SG_EXIT_OK;
}

static int add(sg_store *st, const char *name, staff_role role)
{
    char hash[STAFF_HASH_MAX];
    audit_entry e = {0, AUDIT_BY_CLI, "user_add", name, staff_role_name(role), NULL};

    if (new_hash(name, hash))
        return SG_EXIT_FAIL;
    return report(staff_user_add(st, name, role, hash, &e), name, "added");
}

static int passwd(sg_store *st, const char *name)
{
    char hash[STAFF_HASH_MAX];
    audit_entry e = {0, AUDIT_BY_CLI, "user_passwd", name, NULL, NULL};
    staff_user u;
    sg_rc rc = staff_user_get(st, name, &u);

    /* Ask for the password only once the account is known to exist. */
    if (rc)
        return report(rc, name, "");
    if (new_hash(u.username, hash))
        return SG_EXIT_FAIL;
    return report(staff_user_set_password(st, name, hash, &e), name,
                  "has a new password; its sessions have ended");
}

static int set_disabled(sg_store *st, const char *name, int disabled)
{
    audit_entry e = {0,    AUDIT_BY_CLI, disabled ? "user_disable" : "user_enable",
                     name, NULL,         NULL};
    return report(staff_user_set_disabled(st, name, disabled, &e), name,
                  disabled ? "disabled; its sessions have ended" : "enabled");
}

static int show(void *ctx, const staff_user *u)
{
    (void)ctx;
    printf("%-24s %-9s %-8s created %s  last login %s\n", u->username,
           staff_role_name(u->role), u->disabled ? "disabled" : "active", u->created_at,
           u->last_login_at[0] ? u->last_login_at : "never");
    return 0;
}

static int run(sg_store *st, const char *what, const char *name, staff_role role)
{
    if (!strcmp(what, "add"))
        return add(st, name, role);
    if (!strcmp(what, "passwd"))
        return passwd(st, name);
    if (!strcmp(what, "disable") || !strcmp(what, "enable"))
        return set_disabled(st, name, !strcmp(what, "disable"));
    return staff_user_list(st, show, NULL) ? SG_EXIT_FAIL : SG_EXIT_OK;
}

/* ---- arguments --------------------------------------------------- */

/* Copies argv to out without --role VALUE / --role=VALUE (the shared parser
 * knows only the shared options); *n gets the count.  SG_EXIT_USAGE on a
 * --role without a value or too many arguments. */
static int take_role(int argc, char **argv, char **out, int *n, const char **role)
{
    *n = 0;
    if (argc >= MAX_ARGS)
        return SG_EXIT_USAGE;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--role")) {
            if (i + 1 >= argc)
                return SG_EXIT_USAGE;
            *role = argv[++i];
        } else if (!strncmp(argv[i], "--role=", 7)) {
            *role = argv[i] + 7;
        } else {
            out[(*n)++] = argv[i];
        }
    }
    out[*n] = NULL;
    return 0;
}

/* Checks the command's shape; the role for add. */
static int check_args(const cli_opts *o, const char *role_name, staff_role *role)
{
    const char *what = o->nargs ? o->args[0] : "";
    int named = !strcmp(what, "add") || !strcmp(what, "passwd") ||
                !strcmp(what, "disable") || !strcmp(what, "enable");
    char why[160];

    if (!named && strcmp(what, "list") != 0)
        return SG_EXIT_USAGE;
    if (named != (o->nargs == 2) || (role_name && strcmp(what, "add") != 0))
        return SG_EXIT_USAGE;
    if (!strcmp(what, "add") &&
        (*role = staff_role_parse(role_name)) == STAFF_ROLE_NONE) {
        fprintf(stderr, "signpost user add: --role: admin, navigator or viewer\n");
        return SG_EXIT_USAGE;
    }
    if (named && staff_username_check(o->args[1], why, sizeof why)) {
        fprintf(stderr, "signpost user: %s\n", why);
        return SG_EXIT_USAGE;
    }
    return 0;
}

int cmd_user(int argc, char **argv)
{
    char *args[MAX_ARGS + 1];
    const char *role_name = NULL;
    staff_role role = STAFF_ROLE_NONE;
    cli_opts o = {.limit = 1};
    sg_store *st = NULL;
    int n, rc;

    if (take_role(argc, argv, args, &n, &role_name)) {
        usage(stderr, "user");
        return SG_EXIT_USAGE;
    }
    if ((rc = cli_parse_opts(n, args, 2, CLI_OPT_LIMIT, usage, &o)))
        return rc < 0 ? SG_EXIT_OK : rc;
    if ((rc = check_args(&o, role_name, &role))) {
        usage(stderr, "user");
        return rc;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "signpost user: libsodium cannot start\n");
        return SG_EXIT_FAIL;
    }
    if ((rc = cli_open_store(&o, &st)))
        return rc;
    rc = run(st, o.args[0], o.nargs > 1 ? o.args[1] : NULL, role);
    store_close(st);
    return rc;
}
