/*
 * `signpost import`, run as the built binary the way an installer or a
 * person at a terminal would: the summary line and the problem lines, the
 * exit codes 0, 1 and 2, and the promise that matters most: a failed,
 * refused, dry-run or interrupted import leaves the installed directory.db
 * byte for byte as it was, and leaves no temporary files behind (an
 * import killed outright leaves its file for the next one to remove).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "import_helpers.h"

#define RUN_TIMEOUT_MS 60000

typedef struct {
    int status; /* exit code; -1 when killed by a signal or timed out */
    char *out, *err;
} run_result;

typedef struct {
    char dir[128];   /* scratch for this test */
    char state[160]; /* --state-dir */
    char conf[160];  /* an empty config: defaults, never /etc/signpost */
} cli_env;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void env_setup(cli_env *e)
{
    FILE *f;

    snprintf(e->dir, sizeof e->dir, "/tmp/signpost-import-cli-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->state, sizeof e->state, "%s/state", e->dir);
    snprintf(e->conf, sizeof e->conf, "%s/signpost.conf", e->dir);
    assert_non_null(f = fopen(e->conf, "w"));
    fclose(f);
}

/* Starts signpost with args, its output going to files in e->dir. */
static pid_t start(const cli_env *e, const char *const *args)
{
    const char *argv[24] = {SIGNPOST_BIN};
    char outp[200], errp[200];
    int n = 1;
    pid_t pid;

    for (int i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    snprintf(outp, sizeof outp, "%s/stdout", e->dir);
    snprintf(errp, sizeof errp, "%s/stderr", e->dir);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static run_result finish(const cli_env *e, pid_t pid)
{
    run_result r = {-1, NULL, NULL};
    long end = now_ms() + RUN_TIMEOUT_MS;
    char path[200];
    size_t len;
    int st = 0;

    while (waitpid(pid, &st, WNOHANG) == 0) {
        if (now_ms() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        usleep(5 * 1000);
    }
    if (WIFEXITED(st))
        r.status = WEXITSTATUS(st);
    snprintf(path, sizeof path, "%s/stdout", e->dir);
    assert_non_null(r.out = read_file(path, &len));
    snprintf(path, sizeof path, "%s/stderr", e->dir);
    assert_non_null(r.err = read_file(path, &len));
    return r;
}

static run_result run(const cli_env *e, const char *const *args)
{
    return finish(e, start(e, args));
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

/* signpost import --config C --state-dir S [extra] PATH */
static run_result import(const cli_env *e, const char *extra, const char *path)
{
    const char *args[] = {"import",
                          "--config",
                          e->conf,
                          "--state-dir",
                          e->state,
                          extra ? extra : path,
                          extra ? path : NULL,
                          NULL};
    return run(e, args);
}

static char *installed(const cli_env *e, size_t *len)
{
    char path[200];
    snprintf(path, sizeof path, "%s/%s", e->state, "directory.db");
    return read_file(path, len);
}

/* Names in the state folder that start with directory.db.new-. */
static int leftovers(const cli_env *e)
{
    DIR *d = opendir(e->state);
    struct dirent *ent;
    int n = 0;

    while (d && (ent = readdir(d)))
        n += !strncmp(ent->d_name, "directory.db.new-", 17);
    if (d)
        closedir(d);
    return n;
}

static void rm_rf(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Installs the demo directory and returns its bytes. */
static char *install_demo(const cli_env *e, size_t *len)
{
    run_result r = import(e, NULL, DEMO_DIRECTORY);
    char *bytes;

    if (r.status != 0)
        fail_msg("demo import exited %d:\n%s%s", r.status, r.out, r.err);
    run_free(&r);
    assert_non_null(bytes = installed(e, len));
    return bytes;
}

static void expect_unchanged(const cli_env *e, const char *before, size_t len)
{
    size_t now_len;
    char *now = installed(e, &now_len);

    assert_non_null(now);
    assert_int_equal(now_len, len);
    assert_memory_equal(now, before, len);
    free(now);
    assert_int_equal(leftovers(e), 0);
}

static void usage_and_help(void **state)
{
    cli_env e;
    run_result r;
    (void)state;

    env_setup(&e);
    r = run(&e, (const char *const[]){"import", NULL});
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "usage: signpost import"));
    run_free(&r);
    r = run(&e, (const char *const[]){"import", "--help", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out,
                           "usage: signpost import [--config FILE] [--state-dir DIR]"
                           " [--dry-run] [--quiet] PATH"));
    run_free(&r);
    r = run(&e, (const char *const[]){"import", "--bogus", DEMO_DIRECTORY, NULL});
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = run(&e, (const char *const[]){"import", DEMO_DIRECTORY, DEMO_DIRECTORY, NULL});
    assert_int_equal(r.status, 2);
    run_free(&r);
    rm_rf(e.dir);
}

static void installs_the_demo(void **state)
{
    char expect[512], path[200];
    sqlite3 *db;
    sqlite3_stmt *st;
    cli_env e;
    run_result r;
    (void)state;

    env_setup(&e);
    r = import(&e, NULL, DEMO_DIRECTORY);
    assert_int_equal(r.status, 0);
    snprintf(expect, sizeof expect,
             "imported 69 services (HSDS 3.0) from %s: no problems\n", DEMO_DIRECTORY);
    assert_string_equal(r.out, expect);
    assert_string_equal(r.err, ""); /* no progress bar when stderr is not a terminal */
    run_free(&r);
    assert_int_equal(leftovers(&e), 0);
    /* Installed, with the domain index built for the configured map. */
    snprintf(path, sizeof path, "%s/directory.db", e.state);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT count(*) FROM services),"
                           " (SELECT count(*) FROM meta WHERE key = 'domain_map'),"
                           " (SELECT count(DISTINCT domain) FROM service_domains)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 69);
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    assert_true(sqlite3_column_int(st, 2) >= 6);
    sqlite3_finalize(st);
    sqlite3_close(db);
    rm_rf(e.dir);
}

static void lists_problems(void **state)
{
    char expect[512];
    cli_env e;
    run_result r;
    (void)state;

    env_setup(&e);
    r = import(&e, NULL, FIXTURE("problems/dangling"));
    assert_int_equal(r.status, 0); /* imported, problems or not */
    snprintf(expect, sizeof expect,
             "imported 2 services (HSDS 3.0) from %s: 9 problems, 7 rows skipped\n",
             FIXTURE("problems/dangling"));
    assert_string_equal(r.out, expect);
    assert_non_null(strstr(r.err,
                           "services.csv:3: organization_id: organization_id \"org-x\""
                           " names no organization\n"));
    assert_non_null(strstr(r.err,
                           "phones.csv:3: service_id: service_id \"svc-9\" names no"
                           " service; the row is left out\n"));
    run_free(&r);
    /* --quiet: the summary only. */
    r = import(&e, "--quiet", FIXTURE("problems/dangling"));
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, expect);
    assert_string_equal(r.err, "");
    run_free(&r);
    /* JSON: the record number and the path inside it. */
    r = import(&e, NULL, FIXTURE("problems/problems.json"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err,
                           "problems.json:4: schedules[0].opens_at: opens_at \"noon\" is"
                           " not a time\n"));
    assert_non_null(strstr(r.out, "imported 3 services (HSDS 3.0 JSON)"));
    run_free(&r);
    rm_rf(e.dir);
}

/* More problems than a screen holds: the first 200, then a count. */
static void caps_the_list(void **state)
{
    char pkg[200], path[260];
    cli_env e;
    run_result r;
    FILE *f;
    int lines = 0;
    (void)state;

    env_setup(&e);
    snprintf(pkg, sizeof pkg, "%s/many", e.dir);
    assert_int_equal(mkdir(pkg, 0700), 0);
    snprintf(path, sizeof path, "%s/organizations.csv", pkg);
    assert_non_null(f = fopen(path, "w"));
    fputs("id,name\no1,Helpers\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/services.csv", pkg);
    assert_non_null(f = fopen(path, "w"));
    fputs("id,organization_id,name\ns0,o1,The Only Good One\n", f);
    for (int i = 1; i <= 250; i++)
        fprintf(f, "s%d,o1,\n", i);
    fclose(f);
    r = import(&e, NULL, pkg);
    assert_int_equal(r.status, 0);
    for (const char *p = r.err; (p = strstr(p, "services.csv:")); p++)
        lines++;
    assert_int_equal(lines, 200);
    assert_non_null(strstr(r.err, "\n... and 50 more problems\n"));
    assert_non_null(strstr(r.out, "imported 1 service (HSDS 3.0)"));
    assert_non_null(strstr(r.out, ": 250 problems, 250 rows skipped\n"));
    run_free(&r);
    rm_rf(e.dir);
}

static void failures_keep_the_old_directory(void **state)
{
    size_t len;
    cli_env e;
    run_result r;
    char *before;
    (void)state;

    env_setup(&e);
    before = install_demo(&e, &len);

    r = import(&e, NULL, FIXTURE("problems/no-services"));
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "import failed: nothing imported from"));
    assert_non_null(strstr(r.err, "has no services.csv"));
    run_free(&r);
    expect_unchanged(&e, before, len);

    r = import(&e, NULL, FIXTURE("problems/bad.json"));
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "bad.json:2: column 38: not valid JSON"));
    run_free(&r);
    expect_unchanged(&e, before, len);

    r = import(&e, NULL, "/nonexistent/hsds");
    assert_int_equal(r.status, 1);
    run_free(&r);
    expect_unchanged(&e, before, len);

    /* A dry run checks and reports, and installs nothing. */
    r = import(&e, "--dry-run", FIXTURE("example-city-1.1"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "checked 13 services (HSDS 1.x) from"));
    assert_non_null(strstr(r.out, "(dry run: the directory is unchanged)\n"));
    run_free(&r);
    expect_unchanged(&e, before, len);
    free(before);
    rm_rf(e.dir);
}

/* A package big enough that the import is still running when stopped. */
static void write_big_package(const char *pkg, int n)
{
    char path[260];
    FILE *f;

    assert_int_equal(mkdir(pkg, 0700), 0);
    snprintf(path, sizeof path, "%s/organizations.csv", pkg);
    assert_non_null(f = fopen(path, "w"));
    fputs("id,name\no1,Helpers\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/services.csv", pkg);
    assert_non_null(f = fopen(path, "w"));
    fputs("id,organization_id,name,description\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "svc-%08d,o1,Service %d,A service that helps with need %d\n", i, i, i);
    fclose(f);
}

/* Starts an import of pkg and waits until its temporary file exists. */
static pid_t start_and_wait_for_tmp(const cli_env *e, const char *pkg)
{
    const char *args[] = {"import", "--config", e->conf, "--state-dir",
                          e->state, pkg,        NULL};
    pid_t pid = start(e, args);
    char tmp[260];
    long end = now_ms() + 20000;

    snprintf(tmp, sizeof tmp, "%s/directory.db.new-%ld", e->state, (long)pid);
    while (access(tmp, F_OK) != 0) {
        if (now_ms() > end)
            fail_msg("the import never created %s", tmp);
        usleep(1000);
    }
    return pid;
}

static void interrupted_import(void **state)
{
    char pkg[200];
    size_t len;
    cli_env e;
    run_result r;
    char *before;
    pid_t pid;
    (void)state;

    env_setup(&e);
    before = install_demo(&e, &len);
    snprintf(pkg, sizeof pkg, "%s/big", e.dir);
    write_big_package(pkg, 200000);

    /* Ctrl-C or systemd stopping it: it cleans up after itself. */
    pid = start_and_wait_for_tmp(&e, pkg);
    kill(pid, SIGTERM);
    r = finish(&e, pid);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "interrupted; the directory is unchanged"));
    run_free(&r);
    expect_unchanged(&e, before, len);

    /* Killed outright (power cut, OOM killer): the old file still serves,
     * and the next import clears away what the dead one left. */
    pid = start_and_wait_for_tmp(&e, pkg);
    kill(pid, SIGKILL);
    r = finish(&e, pid);
    assert_int_equal(r.status, -1);
    run_free(&r);
    assert_true(leftovers(&e) >= 1);
    r = import(&e, "--dry-run", FIXTURE("example-city-1.1"));
    assert_int_equal(r.status, 0);
    run_free(&r);
    expect_unchanged(&e, before, len);
    free(before);
    rm_rf(e.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usage_and_help),
        cmocka_unit_test(installs_the_demo),
        cmocka_unit_test(lists_problems),
        cmocka_unit_test(caps_the_list),
        cmocka_unit_test(failures_keep_the_old_directory),
        cmocka_unit_test(interrupted_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
