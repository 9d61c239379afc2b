/*
 * The capped buffer: it grows, stays NUL-terminated, and refuses to pass
 * its cap without changing what it already holds.
 */
#include "helpers.h"
#include "signpost/buf.h"

static void grows_and_caps(void **state)
{
    (void)state;
    sg_buf b;
    sg_buf_init(&b, 10);
    assert_int_equal(sg_buf_adds(&b, "hello"), SG_OK);
    assert_int_equal(sg_buf_addf(&b, "%d", 1234), SG_OK);
    assert_string_equal(b.data, "hello1234");
    assert_int_equal(sg_buf_adds(&b, "xy"), SG_ETOOBIG);
    assert_string_equal(b.data, "hello1234");
    assert_int_equal(sg_buf_adds(&b, "z"), SG_OK);
    assert_int_equal(b.len, 10);
    sg_buf_reset(&b);
    assert_string_equal(b.data, "");
    assert_int_equal(sg_buf_add(&b, "abc", 3), SG_OK);
    char *taken = sg_buf_take(&b);
    assert_string_equal(taken, "abc");
    assert_null(b.data);
    free(taken);
    sg_buf_free(&b);
    sg_buf_free(NULL);
}

static void huge_request_refused(void **state)
{
    (void)state;
    sg_buf b;
    sg_buf_init(&b, 1024);
    assert_int_equal(sg_buf_add(&b, "x", (size_t)-1), SG_ETOOBIG);
    assert_null(b.data);
    sg_buf_free(&b);
}

static void json_strings(void **state)
{
    (void)state;
    sg_buf b;
    sg_buf_init(&b, 256);
    assert_int_equal(sg_buf_add_json_string(&b, "a\"b\\c\n\x01 é"), SG_OK);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\u000a\\u0001 é\"");
    sg_buf_reset(&b);
    assert_int_equal(sg_buf_add_json_string(&b, ""), SG_OK);
    assert_string_equal(b.data, "\"\"");
    sg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_and_caps),
        cmocka_unit_test(huge_request_refused),
        cmocka_unit_test(json_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
