/*
 * The pure rules of doctor, backup and maintain: disk, certificate,
 * integrity, printer and directory decisions at their edges; the report
 * line and the exit code; backup names, the files of a backup set and
 * which backups go; the retention cut-off and --now.
 */
#include "helpers.h"
#include "signpost/ops.h"

#define MB (1024ULL * 1024)

static void disk_thresholds(void **state)
{
    (void)state;
    assert_int_equal(doc_disk_level(50000 * MB, 100000 * MB), DOC_OK);
    assert_int_equal(doc_disk_level(15000 * MB, 100000 * MB), DOC_OK);    /* 15 %: not under */
    assert_int_equal(doc_disk_level(14999 * MB, 100000 * MB), DOC_WARN);  /* under 15 % */
    assert_int_equal(doc_disk_level(5000 * MB, 100000 * MB), DOC_WARN);
    assert_int_equal(doc_disk_level(4999 * MB, 100000 * MB), DOC_FAIL);   /* under 5 % */
    assert_int_equal(doc_disk_level(199 * MB, 1000 * MB), DOC_WARN);      /* 19 % but < 200 MB */
    assert_int_equal(doc_disk_level(200 * MB, 1000 * MB), DOC_OK);
    assert_int_equal(doc_disk_level(49 * MB, 400 * MB), DOC_FAIL);        /* 12 % but < 50 MB */
    assert_int_equal(doc_disk_level(0, 0), DOC_FAIL);
}

static void other_thresholds(void **state)
{
    (void)state;
    assert_int_equal(doc_cert_level(400), DOC_OK);
    assert_int_equal(doc_cert_level(30), DOC_OK);
    assert_int_equal(doc_cert_level(29), DOC_WARN);
    assert_int_equal(doc_cert_level(0), DOC_WARN); /* the last day */
    assert_int_equal(doc_cert_level(-1), DOC_FAIL);
    assert_int_equal(doc_integrity_level("ok"), DOC_OK);
    assert_int_equal(doc_integrity_level("*** in database main ***"), DOC_FAIL);
    assert_int_equal(doc_integrity_level(NULL), DOC_FAIL);
    assert_int_equal(doc_printer_level(PRINTER_READY), DOC_OK);
    assert_int_equal(doc_printer_level(PRINTER_NO_ANSWER), DOC_OK);
    assert_int_equal(doc_printer_level(PRINTER_PAPER_NEAR_END), DOC_WARN);
    assert_int_equal(doc_printer_level(PRINTER_PAPER_OUT), DOC_FAIL);
    assert_int_equal(doc_printer_level(PRINTER_COVER_OPEN), DOC_FAIL);
    assert_int_equal(doc_directory_level(69, 10, 180, 0), DOC_OK);
    assert_int_equal(doc_directory_level(0, 0, 180, 0), DOC_WARN);
    assert_int_equal(doc_directory_level(69, 181, 180, 0), DOC_WARN);
    assert_int_equal(doc_directory_level(69, 181, 180, 1), DOC_OK); /* sync keeps it current */
}

static void lines_and_exit_code(void **state)
{
    doc_line l[3];
    char out[600];
    (void)state;

    doc_set(&l[0], DOC_OK, "disk", "900 MB free", NULL);
    doc_set(&l[1], DOC_WARN, "clock", "not synchronised", "check NTP");
    doc_format(&l[0], out, sizeof out);
    assert_string_equal(out, "OK    disk         900 MB free");
    doc_format(&l[1], out, sizeof out);
    assert_string_equal(out, "WARN  clock        not synchronised -> check NTP");
    assert_int_equal(doc_exit_code(l, 2), 0); /* warnings do not fail */
    doc_set(&l[2], DOC_FAIL, "directory.db", "integrity: malformed", "import again");
    doc_format(&l[2], out, sizeof out);
    assert_string_equal(out, "FAIL  directory.db integrity: malformed -> import again");
    assert_int_equal(doc_exit_code(l, 3), 1);
}

static void backup_names(void **state)
{
    char name[OPS_BACKUP_NAME_LEN];
    ops_backup_paths p;
    (void)state;

    ops_backup_name((time_t)1790000000, name); /* 2026-09-21T14:13:20Z */
    assert_string_equal(name, "signpost-20260921-141320.db");
    assert_true(ops_is_backup_name(name));
    assert_false(ops_is_backup_name("signpost-20260921-141320.directory.db"));
    assert_false(ops_is_backup_name("signpost-2026092x-125320.db"));
    assert_false(ops_is_backup_name("notes.txt"));
    assert_int_equal(ops_backup_paths_for("/b/signpost-20260921-141320.db", &p), SG_OK);
    assert_string_equal(p.db, "/b/signpost-20260921-141320.db");
    assert_string_equal(p.directory, "/b/signpost-20260921-141320.directory.db");
    assert_string_equal(p.key, "/b/signpost-20260921-141320.sms.key");
    assert_int_equal(ops_backup_paths_for("/usb/monday", &p), SG_OK);
    assert_string_equal(p.db, "/usb/monday.db");
    assert_string_equal(p.key, "/usb/monday.sms.key");
    assert_int_equal(ops_backup_paths_for("", &p), SG_EINVAL);
}

static void prune_keeps_the_newest(void **state)
{
    char a[] = "signpost-20260103-020000.db", b[] = "signpost-20260101-020000.db",
         c[] = "notes.txt", d[] = "signpost-20260102-020000.db";
    char *names[] = {a, b, c, d};
    (void)state;

    assert_int_equal(ops_prune_plan(names, 4, 2), 1);
    assert_string_equal(names[0], "signpost-20260101-020000.db"); /* the oldest goes */
    assert_string_equal(names[1], "signpost-20260102-020000.db");
    assert_string_equal(names[3], "notes.txt"); /* never counted, never deleted */
    assert_int_equal(ops_prune_plan(names, 4, 7), 0);
    assert_int_equal(ops_prune_plan(names, 4, 0), 3);
}

static void retention_cutoff(void **state)
{
    char iso[21];
    time_t cut = 0, now = 0;
    (void)state;

    assert_int_equal(ops_retention_cutoff(1790000000, 0, &cut, iso), SG_ENOTFOUND);
    assert_int_equal(ops_retention_cutoff(1790000000, 90, &cut, iso), SG_OK);
    assert_int_equal(cut, 1790000000 - 90 * 86400);
    assert_string_equal(iso, "2026-06-23T14:13:20Z");
    assert_int_equal(ops_parse_time("2026-09-21T14:13:20Z", &now), 0);
    assert_int_equal(now, 1790000000);
    assert_int_equal(ops_parse_time("1790000000", &now), 0);
    assert_int_equal(now, 1790000000);
    assert_int_equal(ops_parse_time("2026-09-21", &now), -1);
    assert_int_equal(ops_parse_time("soon", &now), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disk_thresholds),   cmocka_unit_test(other_thresholds),
        cmocka_unit_test(lines_and_exit_code), cmocka_unit_test(backup_names),
        cmocka_unit_test(prune_keeps_the_newest), cmocka_unit_test(retention_cutoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
