/*
 * The RFC 4180 reader: quoting, embedded line breaks, CRLF, BOM, blank
 * lines, and each malformed shape reported with its line.
 */
#include "helpers.h"
#include "signpost/csv.h"

static void read_all(const char *text, const char *const *want, size_t nwant)
{
    csv_reader r;
    size_t k = 0;
    csv_init(&r, text, strlen(text));
    while (csv_next(&r) == SG_OK)
        for (size_t i = 0; i < r.nfields; i++) {
            assert_true(k < nwant);
            assert_string_equal(r.fields[i], want[k++]);
        }
    assert_int_equal(k, nwant);
    csv_free(&r);
}

static void plain_and_quoted(void **state)
{
    (void)state;
    const char *want[] = {"id", "name", "1", "A, B", "2", "say \"hi\"", "3", "two\nlines",
                          "4", ""};
    read_all("\xEF\xBB\xBFid,name\r\n1,\"A, B\"\r\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n\n4,\n",
             want, 10);
}

static void empty_fields_and_no_final_newline(void **state)
{
    (void)state;
    const char *want[] = {"", "", "", "x", "y"};
    read_all(",,\nx,y", want, 5);
}

static void line_numbers_follow_embedded_breaks(void **state)
{
    (void)state;
    csv_reader r;
    const char *text = "a\n\"b\nc\"\nd\n";
    csv_init(&r, text, strlen(text));
    assert_int_equal(csv_next(&r), SG_OK);
    assert_int_equal(csv_next(&r), SG_OK);
    assert_int_equal(csv_next(&r), SG_OK);
    assert_string_equal(r.fields[0], "d");
    assert_int_equal(r.line, 5); /* the next row would start on line 5 */
    assert_int_equal(csv_next(&r), SG_ENOTFOUND);
    csv_free(&r);
}

static void malformed(void **state)
{
    (void)state;
    const char *bad[] = {"a,\"unclosed\n", "a,b\"c\n", "a,\"x\"y\n"};
    const char *why[] = {"never closed", "quote inside", "after a closing quote"};
    for (int i = 0; i < 3; i++) {
        csv_reader r;
        csv_init(&r, bad[i], strlen(bad[i]));
        assert_int_equal(csv_next(&r), SG_EINVAL);
        assert_non_null(strstr(r.error, why[i]));
        assert_non_null(strstr(r.error, "line 1"));
        csv_free(&r);
    }
    char nul[] = {'a', ',', 'b', '\0', 'c', '\n'};
    csv_reader r;
    csv_init(&r, nul, sizeof nul);
    assert_int_equal(csv_next(&r), SG_EINVAL);
    assert_non_null(strstr(r.error, "NUL"));
    csv_free(&r);
}

static void too_many_fields(void **state)
{
    (void)state;
    char text[CSV_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    for (int i = 0; i <= CSV_MAX_FIELDS; i++) {
        text[n++] = 'x';
        text[n++] = ',';
    }
    text[n - 1] = '\n';
    csv_reader r;
    csv_init(&r, text, n);
    assert_int_equal(csv_next(&r), SG_EINVAL);
    assert_non_null(strstr(r.error, "too many fields"));
    csv_free(&r);
}

/* The stream reader gives the same records as the buffer reader, line numbers included. */
static void stream_matches_buffer(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFid,note\n1,\"two\nlines, \"\"quoted\"\"\"\n\n2,plain\r\n3,\n";
    const char *want[] = {"id", "note", "1", "two\nlines, \"quoted\"", "2", "plain", "3", ""};
    size_t lines[] = {1, 2, 5, 6};
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    csv_stream s;
    size_t k = 0, rows = 0;

    assert_non_null(f);
    csv_stream_init(&s, f);
    while (csv_stream_next(&s) == SG_OK) {
        assert_int_equal(s.r.row_line, lines[rows++]);
        for (size_t i = 0; i < s.r.nfields; i++)
            assert_string_equal(s.r.fields[i], want[k++]);
    }
    assert_int_equal(k, 8);
    csv_stream_free(&s);
    fclose(f);
}

static void stream_reports_bad_record_line(void **state)
{
    (void)state;
    const char *text = "a,b\nc,d\"x\ne,f\n";
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    csv_stream s;
    csv_stream_init(&s, f);
    assert_int_equal(csv_stream_next(&s), SG_OK);
    assert_int_equal(csv_stream_next(&s), SG_EINVAL);
    assert_non_null(strstr(s.r.error, "line 2"));
    csv_stream_free(&s);
    fclose(f);
}

/* A NUL byte (binary or UTF-16 input) refuses that record, names its line,
 * and the stream goes on with the next one; a NUL first in a line too. */
static void stream_refuses_nul_bytes(void **state)
{
    static const char text[] = "a,b\nc,\0d\n\0,x\ne,f\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    csv_stream s;
    (void)state;

    csv_stream_init(&s, f);
    assert_int_equal(csv_stream_next(&s), SG_OK);
    assert_int_equal(csv_stream_next(&s), SG_EINVAL);
    assert_non_null(strstr(s.r.error, "line 2: a NUL byte"));
    assert_int_equal(csv_stream_next(&s), SG_EINVAL);
    assert_non_null(strstr(s.r.error, "line 3"));
    assert_int_equal(csv_stream_next(&s), SG_OK);
    assert_string_equal(s.r.fields[0], "e");
    assert_int_equal(csv_stream_next(&s), SG_ENOTFOUND);
    csv_stream_free(&s);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_and_quoted),
        cmocka_unit_test(empty_fields_and_no_final_newline),
        cmocka_unit_test(line_numbers_follow_embedded_breaks),
        cmocka_unit_test(malformed),
        cmocka_unit_test(too_many_fields),
        cmocka_unit_test(stream_matches_buffer),
        cmocka_unit_test(stream_reports_bad_record_line),
        cmocka_unit_test(stream_refuses_nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
