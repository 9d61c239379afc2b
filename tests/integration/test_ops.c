/*
 * The operations commands through the real binary, on the state folder of
 * a real daemon: `doctor` passes a fresh demo and FAILs naming a damaged
 * directory.db; `backup` makes a sound copy while the daemon runs, with the
 * same visits, and never overwrites; `restore` refuses under a running
 * daemon and brings back exactly what the backup held; `maintain` keeps
 * [store] backups copies and turns visits older than retention_days into
 * daily counts, their texts and numbers gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "signpost/statelock.h"

#define OUT_CAP 16384

static char state[ITEST_PATH], spare[ITEST_PATH], conf[ITEST_PATH + 32];

/* Runs `signpost ARGS... --state-dir STATE`, stdin from /dev/null, stdout
 * and stderr into out; returns the exit code. */
static int run_cli(const char *const *args, char *out, size_t outlen)
{
    const char *argv[20];
    int n = 0, status = 0, fds[2];
    size_t used = 0;
    ssize_t got;
    pid_t pid;

    argv[n++] = SIGNPOST_BIN;
    for (; *args && n < 16; args++)
        argv[n++] = *args;
    argv[n++] = "--state-dir";
    argv[n++] = state;
    argv[n] = NULL;
    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    while (used + 1 < outlen && (got = read(fds[0], out + used, outlen - used - 1)) > 0)
        used += (size_t)got;
    out[used] = '\0';
    close(fds[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static long long q(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long v = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static void path_in(const char *dir, const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", dir, name);
}

static itest_daemon *start(void)
{
    itest_opts o = {.state_dir = state};
    itest_daemon *d = itest_start(&o);
    assert_non_null(d);
    return d;
}

static void stop(itest_daemon *d)
{
    assert_int_equal(itest_stop(d), 0);
    itest_free(d);
}

/* Posts a screening; its id goes to id. */
static void screening(itest_daemon *d, char id[64])
{
    static const char body[] =
        "{\"language\":\"es\",\"answers\":{\"88122-7\":\"LA28397-0\"},\"wants_help\":true}";
    itest_resp r;
    json_t *o;

    assert_int_equal(itest_post_json(d, "/api/v1/screenings", body, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    o = itest_resp_json(&r);
    snprintf(id, 64, "%s", json_string_value(json_object_get(o, "id")));
    json_decref(o);
    itest_resp_free(&r);
}

static long long has_screening(const char *id)
{
    char db[ITEST_PATH + 32], sql[160];
    path_in(state, "signpost.db", db, sizeof db);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM screenings WHERE id = '%s'", id);
    return q(db, sql);
}

/* Files in dir whose names start with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(dp);
    while ((e = readdir(dp)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(dp);
    return n;
}

static int setup(void **ctx)
{
    char text[] = "[store]\nretention_days = 30\nbackups = 2\n";
    (void)ctx;
    assert_int_equal(itest_init(), 0);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    assert_int_equal(itest_mkdtemp(spare, sizeof spare), 0);
    assert_int_equal(itest_write_file(spare, "ops.conf", text, conf, sizeof conf), 0);
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    itest_rmtree(state);
    itest_rmtree(spare);
    itest_cleanup();
    return 0;
}

/* ---- doctor ------------------------------------------------------------------ */

static void doctor_passes_a_fresh_demo(void **ctx)
{
    static const char *const args[] = {"doctor", NULL};
    char out[OUT_CAP], id[64];
    itest_daemon *d = start();
    (void)ctx;

    screening(d, id);
    stop(d);
    if (run_cli(args, out, sizeof out) != 0 || strstr(out, "FAIL"))
        fail_msg("doctor on a fresh demo:\n%s", out);
    assert_non_null(strstr(out, "OK    signpost.db"));
    assert_non_null(strstr(out, "OK    directory.db"));
    assert_non_null(strstr(out, "OK    directory    69 services"));
    assert_non_null(strstr(out, "demo gateway"));
    assert_non_null(strstr(out, "SHA-256"));
}

static void doctor_fails_naming_a_damaged_directory(void **ctx)
{
    static const char *const args[] = {"doctor", NULL};
    static const char *const imp[] = {"import", "--quiet", SOURCE_DIR "/data/demo-directory",
                                      NULL};
    char out[OUT_CAP], path[ITEST_PATH + 32], junk[8192];
    const char *line;
    FILE *f;
    (void)ctx;

    path_in(state, "directory.db", path, sizeof path);
    memset(junk, 0x5a, sizeof junk);
    f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 4096 * 2, SEEK_SET), 0); /* pages 3 and 4: b-tree pages */
    assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    fclose(f);
    assert_int_equal(run_cli(args, out, sizeof out), 1);
    line = strstr(out, "FAIL  directory.db");
    if (!line)
        fail_msg("no FAIL line for directory.db:\n%s", out);
    assert_non_null(strstr(line, path)); /* the line names the file */
    /* A new import mends it. */
    assert_int_equal(run_cli(imp, out, sizeof out), 0);
    assert_int_equal(run_cli(args, out, sizeof out), 0);
}

/* ---- backup and restore ---------------------------------------------------------- */

/* The one signpost-*.db backup in dir, into out. */
static void find_backup(const char *dir, char *out, size_t outlen)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int found = 0;

    assert_non_null(dp);
    while ((e = readdir(dp)))
        if (!strncmp(e->d_name, "signpost-", 9) && strlen(e->d_name) == 27) {
            snprintf(out, outlen, "%s/%s", dir, e->d_name);
            found++;
        }
    closedir(dp);
    assert_int_equal(found, 1);
}

static char before_id[64], after_id[64], backup_path[ITEST_PATH * 2];

static void backup_copies_a_running_daemon(void **ctx)
{
    char out[OUT_CAP], dest[ITEST_PATH + 32], db[ITEST_PATH + 32], sql[64];
    const char *args[] = {"backup", dest, NULL};
    itest_daemon *d = start();
    long long n = -1;
    (void)ctx;

    screening(d, before_id);
    path_in(spare, "bk", dest, sizeof dest);
    assert_int_equal(mkdir(dest, 0700), 0);
    if (run_cli(args, out, sizeof out) != 0)
        fail_msg("backup:\n%s", out);
    assert_non_null(strstr(out, "bytes"));
    find_backup(dest, backup_path, sizeof backup_path);
    assert_int_equal(itest_db_int(d, "SELECT count(*) FROM screenings", NULL, &n), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM screenings");
    assert_int_equal(q(backup_path, sql), n);
    assert_int_equal(q(backup_path, "SELECT count(*) FROM pragma_integrity_check"
                                    " WHERE integrity_check = 'ok'"), 1);
    snprintf(db, sizeof db, "%.*s.sms.key", (int)(strlen(backup_path) - 3), backup_path);
    assert_int_equal(access(db, R_OK), 0); /* the key travels with it */
    /* An explicit file name, twice: the second is refused. */
    path_in(spare, "explicit.db", dest, sizeof dest);
    assert_int_equal(run_cli(args, out, sizeof out), 0);
    assert_int_equal(run_cli(args, out, sizeof out), 1);
    assert_non_null(strstr(out, "not overwritten"));
    screening(d, after_id);
    stop(d);
}

static void restore_refuses_under_a_running_daemon(void **ctx)
{
    char out[OUT_CAP];
    const char *args[] = {"restore", backup_path, "--yes", NULL};
    itest_daemon *d = start();
    (void)ctx;

    assert_int_equal(run_cli(args, out, sizeof out), 1);
    if (statelock_held(state) == 1) /* serve holds the state lock */
        assert_non_null(strstr(out, "Stop the service"));
    else /* an older serve: SQLite's own lock still stops it before any change */
        assert_non_null(strstr(out, "locked"));
    stop(d);
    assert_int_equal(has_screening(after_id), 1); /* nothing changed, nothing kept aside */
    assert_int_equal(count_prefixed(state, "signpost.db.before-restore-"), 0);
}

static void restore_brings_back_the_backup(void **ctx)
{
    char out[OUT_CAP], junk[ITEST_PATH + 32];
    const char *ask[] = {"restore", backup_path, NULL};
    const char *yes[] = {"restore", backup_path, "--yes", NULL};
    const char *bad[] = {"restore", junk, "--yes", NULL};
    itest_daemon *d;
    (void)ctx;

    assert_int_equal(itest_write_file(spare, "junk.db", "not a database at all\n", junk,
                                      sizeof junk), 0);
    assert_int_equal(run_cli(bad, out, sizeof out), 1);
    assert_int_equal(run_cli(ask, out, sizeof out), 1); /* no terminal, no --yes */
    assert_non_null(strstr(out, "--yes"));
    assert_int_equal(has_screening(after_id), 1);
    if (run_cli(yes, out, sizeof out) != 0)
        fail_msg("restore:\n%s", out);
    assert_non_null(strstr(out, "before-restore-"));
    assert_int_equal(has_screening(before_id), 1);
    assert_int_equal(has_screening(after_id), 0);
    d = start(); /* and the daemon runs on it */
    assert_int_equal(itest_db_int(d, "SELECT count(*) FROM screenings WHERE id = ?1", before_id,
                                  &(long long){0}), 0);
    stop(d);
}

/* ---- maintain ------------------------------------------------------------------- */

static int count_backups(void)
{
    char dir[ITEST_PATH + 32];
    path_in(state, "backups", dir, sizeof dir);
    return count_prefixed(dir, "signpost-");
}

static void maintain_keeps_n_backups_and_purges_old_visits(void **ctx)
{
    char out[OUT_CAP], now[32], db[ITEST_PATH + 32], sql[1024], old_id[64], new_id[64];
    const char *args[] = {"maintain", "--config", conf, "--now", now, NULL};
    itest_daemon *d = start();
    (void)ctx;

    screening(d, old_id);
    screening(d, new_id);
    stop(d);
    path_in(state, "signpost.db", db, sizeof db);
    snprintf(sql, sizeof sql,
             "UPDATE screenings SET created_at = '2020-01-01T18:00:00Z' WHERE id = '%s';"
             "INSERT INTO sms_contacts VALUES ('%s', 'h1', x'00', 'en', 'v1', 1577901600, 1, 0,"
             " NULL, NULL);"
             "INSERT INTO sms_outbox(id, screening_id, phone_hash, phone_box, kind, body_box,"
             " state, due_at, expires_at, created_at, updated_at) VALUES ('o1', '%s', 'h1',"
             " x'00', 'reminder', x'00', 'sent', 1577901600, 1577988000, 1577901600,"
             " 1577901600);",
             old_id, old_id, old_id);
    sql_exec(db, sql);
    for (int i = 0; i < 4; i++) {
        snprintf(now, sizeof now, "%lld", (long long)time(NULL) + i);
        if (run_cli(args, out, sizeof out) != 0)
            fail_msg("maintain run %d:\n%s", i, out);
        assert_non_null(strstr(out, "maintain: backup signpost-"));
    }
    assert_int_equal(count_backups(), 2 * 3); /* two sets: db, directory, key */
    assert_non_null(strstr(out, "signpost.db ok"));
    assert_int_equal(has_screening(old_id), 0);
    assert_int_equal(has_screening(new_id), 1);
    assert_int_equal(q(db, "SELECT count(*) FROM sms_contacts"), 0);
    assert_int_equal(q(db, "SELECT count(*) FROM sms_outbox"), 0);
    /* 18:00 UTC is noon in Chicago, the demo clinic's zone */
    assert_int_equal(q(db, "SELECT value FROM daily_counts WHERE day = '2020-01-01'"
                           " AND metric = 'screenings'"), 1);
    assert_int_equal(q(db, "SELECT value FROM daily_counts WHERE day = '2020-01-01'"
                           " AND metric = 'positive:food'"), 1);
    assert_int_equal(q(db, "SELECT value FROM daily_counts WHERE day = '2020-01-01'"
                           " AND metric = 'texts_sent'"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doctor_passes_a_fresh_demo),
        cmocka_unit_test(doctor_fails_naming_a_damaged_directory),
        cmocka_unit_test(backup_copies_a_running_daemon),
        cmocka_unit_test(restore_refuses_under_a_running_daemon),
        cmocka_unit_test(restore_brings_back_the_backup),
        cmocka_unit_test(maintain_keeps_n_backups_and_purges_old_visits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
