/*
 * Printer profiles: the four shipped profiles load with the facts the
 * reference and the printer database give, and every kind of bad field is
 * refused with a message that names the profile and the field.
 */
#include <jansson.h>
#include "test_receipt_fixture.h"

static void shipped_profiles(void **state)
{
    printer_profile g = fixture_profile("generic-58"), a = fixture_profile("csn-a2"),
                    t20 = fixture_profile("tm-t20"), t88 = fixture_profile("tm-t88");
    (void)state;
    assert_int_equal(g.dots_per_line, 384);
    assert_int_equal(g.columns_font_a, 32);
    assert_int_equal(g.columns_font_b, 42);
    assert_false(g.native_qr);
    assert_false(g.cutter);
    assert_int_equal(g.page, CODEPAGE_CP850);
    assert_int_equal(g.codepage_esc_t, 2);
    assert_int_equal(a.baud, 19200);
    assert_int_equal(a.flow, PRINTER_FLOW_NONE);
    assert_true(a.pacing_bytes_per_s > 0 && a.pacing_bytes_per_s <= a.baud / 10);
    assert_false(a.native_qr);
    assert_int_equal(t20.dots_per_line, 576);
    assert_int_equal(t20.columns_font_a, 48);
    assert_int_equal(t20.columns_font_b, 64);
    assert_true(t20.native_qr && t20.cutter);
    assert_int_equal(t20.page, CODEPAGE_CP858);
    assert_int_equal(t20.codepage_esc_t, 19);
    assert_int_equal(t20.pacing_bytes_per_s, 0);
    assert_int_equal(t88.dots_per_line, 512);
    assert_int_equal(t88.columns_font_a, 42);
    assert_int_equal(t88.columns_font_b, 56);
    assert_true(t88.native_qr && t88.cutter);
    assert_string_equal(printer_flow_name(t88.flow), "rtscts");
}

static void unknown_profile_lists_the_known(void **state)
{
    char err[256];
    printer_profile p;
    (void)state;
    assert_int_equal(printer_profile_load(PROFILES_PATH, "tm-u220", &p, err, sizeof err),
                     SG_ENOTFOUND);
    assert_non_null(strstr(err, "\"tm-u220\""));
    assert_non_null(strstr(err, "generic-58, csn-a2, tm-t20, tm-t88"));
}

/* Writes the shipped file with tm-t20's key set to value (NULL: removed). */
static void write_variant(char *path, size_t len, const char *key, json_t *value)
{
    json_t *root = json_load_file(PROFILES_PATH, 0, NULL), *prof;
    char *text;
    assert_non_null(root);
    prof = json_array_get(json_object_get(root, "profiles"), 2);
    assert_string_equal(json_string_value(json_object_get(prof, "name")), "tm-t20");
    if (value)
        json_object_set_new(prof, key, value);
    else
        json_object_del(prof, key);
    text = json_dumps(root, JSON_INDENT(2));
    write_temp(path, len, text);
    free(text);
    json_decref(root);
}

static void bad_fields_are_named(void **state)
{
    struct {
        const char *key;
        json_t *value;
        const char *want;
    } cases[] = {
        {"dots_per_line", json_integer(380), "tm-t20.dots_per_line: expected a multiple of 8"},
        {"dots_per_line", json_string("576"), "tm-t20.dots_per_line: expected a whole number"},
        {"columns_font_a", json_integer(0), "tm-t20.columns_font_a: expected a whole number from 8"},
        {"codepage", json_string("UTF-8"), "tm-t20.codepage: expected one of"},
        {"codepage_esc_t", json_integer(256), "tm-t20.codepage_esc_t:"},
        {"native_qr", json_string("yes"), "tm-t20.native_qr: expected true or false"},
        {"cutter", json_integer(1), "tm-t20.cutter: expected true or false"},
        {"flow", json_string("dtrdsr"), "tm-t20.flow: expected \"none\""},
        {"pacing_bytes_per_s", json_integer(900), "tm-t20.pacing_bytes_per_s: expected 0"},
        {"baud", json_integer(12345), "tm-t20.baud: expected a standard rate"},
        {"qr_module_dots", json_integer(0), "tm-t20.qr_module_dots: expected a whole number from 1 to 16"},
        {"max_raster_rows", json_integer(-1), "tm-t20.max_raster_rows:"},
        {"name", json_string(""), "profiles[2].name: missing"},
        {"cuter", json_true(), "tm-t20.cuter: unknown field"},
        {"description", NULL, "tm-t20.description: missing"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64], err[256];
        printer_profile p;
        write_variant(path, sizeof path, cases[i].key, cases[i].value);
        assert_int_equal(printer_profile_load(path, "tm-t20", &p, err, sizeof err), SG_EINVAL);
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err, cases[i].want);
        /* Another profile in the same file still loads. */
        if (strcmp(cases[i].key, "name") != 0)
            assert_int_equal(printer_profile_load(path, "tm-t88", &p, err, sizeof err), SG_OK);
        unlink(path);
    }
}

static void pacing_needs_no_flow_control(void **state)
{
    char path[64], err[256];
    printer_profile p;
    (void)state;
    write_variant(path, sizeof path, "flow", json_string("none"));
    assert_int_equal(printer_profile_load(path, "tm-t20", &p, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "tm-t20.pacing_bytes_per_s: expected a rate above 0"));
    unlink(path);
}

static void bad_files(void **state)
{
    char path[64], err[256];
    printer_profile p;
    (void)state;
    assert_int_equal(printer_profile_load("/nonexistent/profiles.json", "tm-t20", &p, err,
                                          sizeof err),
                     SG_EIO);
    write_temp(path, sizeof path, "{\"format\": \"signpost-printers/1\",\n \"profiles\": [,]}");
    assert_int_equal(printer_profile_load(path, "tm-t20", &p, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, ":2:"));
    unlink(path);
    write_temp(path, sizeof path, "{\"format\": \"signpost-printers/2\", \"profiles\": []}");
    assert_int_equal(printer_profile_load(path, "tm-t20", &p, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "format: expected \"signpost-printers/1\""));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_profiles),
        cmocka_unit_test(unknown_profile_lists_the_known),
        cmocka_unit_test(bad_fields_are_named),
        cmocka_unit_test(pacing_needs_no_flow_control),
        cmocka_unit_test(bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
