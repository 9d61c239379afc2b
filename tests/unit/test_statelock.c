/*
 * The state directory's lock: taking it makes the directory (0700) and the
 * lock file; a second taker, in this process or another, is refused with
 * SG_EBUSY; statelock_held() sees it from outside; releasing it (or the
 * holder dying) frees it at once.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include "helpers.h"
#include "signpost/statelock.h"

static char base[] = "/tmp/signpost-statelock-XXXXXX";

static int setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(base));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    (void)!system(cmd);
    return 0;
}

static void one_holder_at_a_time(void **state)
{
    char dir[128], err[256];
    struct stat st;
    int fd = -1, fd2 = -1;
    (void)state;

    snprintf(dir, sizeof dir, "%s/state", base);
    assert_int_equal(statelock_held(dir), 0); /* no directory, no lock file */
    assert_int_equal(statelock_acquire(dir, &fd, err, sizeof err), SG_OK);
    assert_true(fd >= 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(statelock_held(dir), 1);
    assert_int_equal(statelock_acquire(dir, &fd2, err, sizeof err), SG_EBUSY);
    assert_int_equal(fd2, -1);
    assert_non_null(strstr(err, "signpost.lock"));
    statelock_release(fd);
    assert_int_equal(statelock_held(dir), 0);
    assert_int_equal(statelock_acquire(dir, &fd2, err, sizeof err), SG_OK);
    statelock_release(fd2);
    statelock_release(-1); /* accepted */
}

/* A child holds it for its lifetime (no descriptor kept); its death frees it. */
static void a_process_holds_it_until_it_ends(void **state)
{
    char dir[128], err[256];
    int ready[2], go[2], status = 0, fd = -1;
    char c = 0;
    pid_t pid;
    (void)state;

    snprintf(dir, sizeof dir, "%s/proc", base);
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int ok = statelock_acquire(dir, NULL, err, sizeof err) == SG_OK;
        (void)!write(ready[1], ok ? "y" : "n", 1);
        (void)!read(go[0], &c, 1);
        _exit(0);
    }
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    assert_int_equal(statelock_held(dir), 1);
    assert_int_equal(statelock_acquire(dir, &fd, err, sizeof err), SG_EBUSY);
    assert_int_equal(write(go[1], "x", 1), 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(statelock_held(dir), 0);
    assert_int_equal(statelock_acquire(dir, &fd, err, sizeof err), SG_OK);
    statelock_release(fd);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_holder_at_a_time),
        cmocka_unit_test(a_process_holds_it_until_it_ends),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
