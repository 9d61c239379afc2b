/*
 * The file transport (the demo's printer) and the "none" transport: jobs
 * appended to a file, a file per job in a directory, the default directory
 * under [store] dir, and a clear refusal when printing is switched off.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fake.h"
#include "signpost/printer.h"

/* One session: open, ask for status, write job, close. */
static void print_job(const sg_config *cfg, const char *job)
{
    printer_profile p = fake_profile(PRINTER_FLOW_NONE, 800);
    printer_state st = PRINTER_ERROR;
    printer *pr = NULL;
    char err[512];

    if (printer_open(cfg, &p, &pr, err, sizeof err))
        fail_msg("printer_open: %s", err);
    assert_int_equal(printer_status(pr, &st, 1000), SG_OK);
    assert_int_equal(st, PRINTER_READY);
    /* No pacing: there is no printer to overrun. */
    assert_int_equal(printer_write_floor_ms(pr, 100000), 0);
    assert_int_equal(printer_write(pr, job, strlen(job), 1000), SG_OK);
    printer_close(pr);
}

/* Files in dir, and the content of the one (or last) found. */
static int count_files(const char *dir, char *last, size_t lastlen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            n++;
            snprintf(last, lastlen, "%s/%s", dir, e->d_name);
        }
    closedir(d);
    return n;
}

static void appends_each_job(void **state)
{
    char dir[256], path[300], set[400];
    unsigned char *got;
    sg_config cfg;
    size_t len;

    (void)state;
    assert_int_equal(fake_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/printer.bin", dir);
    snprintf(set, sizeof set, "printer.path=%s", path);
    const char *sets[] = {"printer.transport=file", set, NULL};
    fake_config(&cfg, sets);
    print_job(&cfg, "job one\n");
    print_job(&cfg, "job two\n");
    got = fake_read_file(path, &len);
    assert_non_null(got);
    assert_string_equal((char *)got, "job one\njob two\n");
    free(got);
    fake_rmtree(dir);
}

static void writes_a_file_per_job_into_a_directory(void **state)
{
    char dir[256], set[400], last[600];
    printer_profile p = fake_profile(PRINTER_FLOW_NONE, 800);
    printer *pr = NULL;
    unsigned char *got;
    struct stat st;
    sg_config cfg;
    size_t len;

    (void)state;
    assert_int_equal(fake_tmpdir(dir), 0);
    snprintf(set, sizeof set, "printer.path=%s", dir);
    const char *sets[] = {"printer.transport=file", set, NULL};
    fake_config(&cfg, sets);
    /* A session that only asks for status leaves no file behind. */
    assert_int_equal(printer_open(&cfg, &p, &pr, last, sizeof last), SG_OK);
    printer_close(pr);
    assert_int_equal(count_files(dir, last, sizeof last), 0);
    print_job(&cfg, "first\n");
    print_job(&cfg, "second\n");
    assert_int_equal(count_files(dir, last, sizeof last), 2);
    assert_non_null(strstr(last, "/receipt-"));
    got = fake_read_file(last, &len);
    assert_true(!strcmp((char *)got, "first\n") || !strcmp((char *)got, "second\n"));
    free(got);
    assert_int_equal(stat(last, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* receipts are private */
    fake_rmtree(dir);
}

static void defaults_to_the_state_directory(void **state)
{
    char dir[256], set[400], receipts[300], last[600];
    sg_config cfg;

    (void)state;
    assert_int_equal(fake_tmpdir(dir), 0);
    snprintf(set, sizeof set, "store.dir=%s/state", dir);
    const char *sets[] = {"printer.transport=file", set, NULL};
    fake_config(&cfg, sets);
    print_job(&cfg, "demo\n");
    snprintf(receipts, sizeof receipts, "%s/state/receipts", dir);
    assert_int_equal(count_files(receipts, last, sizeof last), 1);
    fake_rmtree(dir);
}

static void none_refuses_clearly(void **state)
{
    printer_profile p = fake_profile(PRINTER_FLOW_NONE, 800);
    const char *sets[] = {"printer.transport=none", NULL};
    printer *pr = NULL;
    char err[512];
    sg_config cfg;

    (void)state;
    fake_config(&cfg, sets);
    assert_int_equal(printer_open(&cfg, &p, &pr, err, sizeof err), SG_EINVAL);
    assert_null(pr);
    assert_non_null(strstr(err, "transport = none"));
    printer_close(NULL);
    assert_string_equal(printer_errmsg(NULL), "");
}

static void unwritable_path_is_named(void **state)
{
    printer_profile p = fake_profile(PRINTER_FLOW_NONE, 800);
    const char *sets[] = {"printer.transport=file",
                          "printer.path=/nonexistent-signpost-dir/out.bin", NULL};
    printer *pr = NULL;
    char err[512];
    sg_config cfg;

    (void)state;
    fake_config(&cfg, sets);
    assert_int_equal(printer_open(&cfg, &p, &pr, err, sizeof err), SG_ENOTFOUND);
    assert_non_null(strstr(err, "/nonexistent-signpost-dir/out.bin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends_each_job),
        cmocka_unit_test(writes_a_file_per_job_into_a_directory),
        cmocka_unit_test(defaults_to_the_state_directory),
        cmocka_unit_test(none_refuses_clearly),
        cmocka_unit_test(unwritable_path_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
