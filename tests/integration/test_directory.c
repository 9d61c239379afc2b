/*
 * The directory from the outside: `signpost import` and `signpost directory`
 * on a state folder, then the real daemon answering screenings from it.
 *
 * Checks what a navigator would: curation made with the CLI reaches the
 * patient (pinned first, the direct contact, what to ask for in Spanish);
 * a new import replaces the directory under the running daemon without a
 * restart and keeps the curation; a failed import changes nothing, byte for
 * byte, and the daemon keeps answering from the old directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define DEMO SOURCE_DIR "/data/demo-directory"
#define OTHER SOURCE_DIR "/tests/data/hsds/example-city-1.1"
#define PANTRY "2a975747-f17f-43aa-8a35-21bae25e1858" /* Mobile Food Pantry */

static char state[ITEST_PATH];

/* Runs `signpost ARGS... --state-dir STATE` and returns its exit code. */
static int run_cli(const char *const *args)
{
    const char *argv[16];
    int n = 0, status = 0;
    pid_t pid;

    argv[n++] = SIGNPOST_BIN;
    for (; *args && n < 12; args++)
        argv[n++] = *args;
    argv[n++] = "--state-dir";
    argv[n++] = state;
    argv[n] = NULL;
    pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", 1);
        if (null >= 0)
            dup2(null, 1); /* the summary line is not the test's business */
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A screening positive for food only (food insecurity "often true"). */
static const char food_body[] =
    "{\"language\":\"es\",\"answers\":{\"88122-7\":\"LA28397-0\"},\"wants_help\":true}";

static json_t *post_food(itest_daemon *d)
{
    itest_resp r;
    json_t *o;
    assert_int_equal(itest_post_json(d, "/api/v1/screenings", food_body, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    o = itest_resp_json(&r);
    itest_resp_free(&r);
    assert_non_null(o);
    return o;
}

static const char *res_str(json_t *result, size_t i, const char *key)
{
    json_t *v = json_object_get(json_array_get(json_object_get(result, "resources"), i), key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static long long services_in_health(itest_daemon *d)
{
    itest_resp r;
    json_t *o;
    long long n;
    assert_int_equal(itest_get(d, "/healthz", NULL, &r), 0);
    o = itest_resp_json(&r);
    itest_resp_free(&r);
    n = json_integer_value(json_object_get(o, "directory_services"));
    json_decref(o);
    return n;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(64u << 20);
    *len = f && buf ? fread(buf, 1, 64u << 20, f) : 0;
    if (f)
        fclose(f);
    return buf;
}

static int setup(void **st)
{
    (void)st;
    itest_init();
    return itest_mkdtemp(state, sizeof state);
}

static int teardown(void **st)
{
    (void)st;
    itest_rmtree(state);
    itest_cleanup();
    return 0;
}

static void curation_from_the_cli_reaches_the_patient(void **st)
{
    static const char *const import[] = {"import", "--quiet", DEMO, NULL};
    static const char *const set[] = {"directory", "set", PANTRY, "--pin",
                                      "--contact-name", "Rosa", "--contact-phone",
                                      "217-555-0142", "--ask-for", "es=la despensa móvil",
                                      NULL};
    static const char *const unknown[] = {"directory", "set", "no-such-service", "--pin", NULL};
    itest_opts o = {.state_dir = state};
    itest_daemon *d;
    json_t *res;
    (void)st;

    assert_int_equal(run_cli(import), 0);
    assert_int_equal(run_cli(set), 0);
    assert_int_equal(run_cli(unknown), 1);
    d = itest_start(&o);
    assert_non_null(d);
    res = post_food(d);
    assert_string_equal(res_str(res, 0, "service_id"), PANTRY);
    assert_string_equal(res_str(res, 0, "contact"), "Rosa, 217-555-0142");
    assert_string_equal(res_str(res, 0, "ask_for"), "la despensa móvil");
    assert_non_null(strstr(res_str(res, 0, "why"), "pinned"));
    json_decref(res);
    assert_int_equal(itest_stop(d), 0);
    itest_free(d);
}

static void import_replaces_the_directory_of_a_running_daemon(void **st)
{
    static const char *const other[] = {"import", "--quiet", OTHER, NULL};
    static const char *const demo[] = {"import", "--quiet", DEMO, NULL};
    itest_opts o = {.state_dir = state};
    itest_daemon *d = itest_start(&o);
    json_t *res;
    (void)st;

    assert_non_null(d);
    assert_int_equal(services_in_health(d), 69);
    assert_int_equal(run_cli(other), 0);
    assert_int_equal(services_in_health(d), 13);
    res = post_food(d);
    for (size_t i = 0; i < json_array_size(json_object_get(res, "resources")); i++)
        assert_string_not_equal(res_str(res, i, "service_id"), PANTRY);
    json_decref(res);
    /* Back to the demo: the curation was never touched. */
    assert_int_equal(run_cli(demo), 0);
    res = post_food(d);
    assert_string_equal(res_str(res, 0, "service_id"), PANTRY);
    assert_string_equal(res_str(res, 0, "contact"), "Rosa, 217-555-0142");
    json_decref(res);
    assert_int_equal(itest_stop(d), 0);
    itest_free(d);
}

static void failed_import_changes_nothing(void **st)
{
    static const char *const missing[] = {"import", "/nonexistent/hsds", NULL};
    static const char *const not_hsds[] = {"import", SOURCE_DIR "/docs", NULL};
    char path[ITEST_PATH + 32];
    unsigned char *before, *after;
    size_t nb, na;
    itest_opts o = {.state_dir = state};
    itest_daemon *d = itest_start(&o);
    json_t *res;
    (void)st;

    assert_non_null(d);
    snprintf(path, sizeof path, "%s/directory.db", state);
    before = read_all(path, &nb);
    assert_true(nb > 0);
    assert_int_equal(run_cli(missing), 1);
    assert_int_equal(run_cli(not_hsds), 1);
    after = read_all(path, &na);
    assert_int_equal(na, nb);
    assert_memory_equal(before, after, nb);
    free(before);
    free(after);
    assert_int_equal(services_in_health(d), 69);
    res = post_food(d);
    assert_string_equal(res_str(res, 0, "service_id"), PANTRY);
    json_decref(res);
    assert_int_equal(itest_stop(d), 0);
    itest_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(curation_from_the_cli_reaches_the_patient),
        cmocka_unit_test(import_replaces_the_directory_of_a_running_daemon),
        cmocka_unit_test(failed_import_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
