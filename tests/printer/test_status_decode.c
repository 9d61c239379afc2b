/*
 * printer_status_decode(): ESC/POS real-time status bytes to a state.  The
 * bytes are Epson's layouts (DLE EOT 1, 2 and 4): every status
 * byte carries bits 1 and 4, so 0x12 is "nothing to report".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "signpost/printer.h"

typedef struct {
    int reply[3];
    printer_state want;
    const char *what;
} decode_case;

static const decode_case cases[] = {
    {{0x12, 0x12, 0x12}, PRINTER_READY, "all quiet"},
    {{0x16, 0x12, 0x12}, PRINTER_READY, "drawer pin high is not a fault"},
    {{0x12, 0x12, 0x1E}, PRINTER_PAPER_NEAR_END, "near-end sensor"},
    {{0x12, 0x12, 0x16}, PRINTER_PAPER_NEAR_END, "one near-end bit"},
    {{0x1A, 0x32, 0x72}, PRINTER_PAPER_OUT, "paper out, all three say so"},
    {{0x12, 0x12, 0x72}, PRINTER_PAPER_OUT, "roll sensor alone"},
    {{0x1A, 0x32, -1}, PRINTER_PAPER_OUT, "stopped at paper end, no third answer"},
    {{0x1A, 0x16, 0x12}, PRINTER_COVER_OPEN, "cover open"},
    {{0x1A, 0x16, 0x72}, PRINTER_COVER_OPEN, "cover open wins over paper out"},
    {{0x1A, 0x52, 0x12}, PRINTER_ERROR, "error bit"},
    {{0x1A, 0x12, 0x12}, PRINTER_OFFLINE, "offline, no cause given"},
    {{0x1A, -1, -1}, PRINTER_OFFLINE, "offline, later queries unanswered"},
    {{0x1A, 0x12, 0x1E}, PRINTER_OFFLINE, "offline hides near end"},
    {{0x12, -1, -1}, PRINTER_READY, "only the first query answered"},
    {{-1, -1, -1}, PRINTER_NO_ANSWER, "silent printer"},
    {{-1, 0x12, 0x12}, PRINTER_NO_ANSWER, "no first answer means no answer"},
    {{0xFF, 0xFF, 0xFF}, PRINTER_ERROR, "noise (wrong baud rate)"},
    {{0x13, 0x12, 0x12}, PRINTER_ERROR, "bit 0 set: not a status byte"},
    {{0x12, 0x92, 0x12}, PRINTER_ERROR, "bit 7 set: not a status byte"},
    {{0x12, 0x12, 0x10}, PRINTER_ERROR, "bit 1 clear: not a status byte"},
};

static void decodes_each_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = NULL;
        printer_state got = printer_status_decode(cases[i].reply, &why);
        if (got != cases[i].want)
            fail_msg("%s: got %s, want %s", cases[i].what, printer_state_name(got),
                     printer_state_name(cases[i].want));
        assert_non_null(why);
        assert_true(strlen(why) > 0);
    }
}

static void why_may_be_null(void **state)
{
    const int reply[3] = {0x1A, 0x16, 0x12};
    (void)state;
    assert_int_equal(printer_status_decode(reply, NULL), PRINTER_COVER_OPEN);
}

static void names_and_printability(void **state)
{
    (void)state;
    assert_string_equal(printer_state_name(PRINTER_READY), "ready");
    assert_string_equal(printer_state_name(PRINTER_PAPER_OUT), "paper out");
    assert_string_equal(printer_state_name(PRINTER_COVER_OPEN), "cover open");
    assert_string_equal(printer_state_name(PRINTER_NO_ANSWER), "no answer");
    assert_string_equal(printer_state_name((printer_state)99), "?");
    assert_true(printer_state_can_print(PRINTER_READY));
    assert_true(printer_state_can_print(PRINTER_PAPER_NEAR_END));
    assert_true(printer_state_can_print(PRINTER_NO_ANSWER));
    assert_false(printer_state_can_print(PRINTER_PAPER_OUT));
    assert_false(printer_state_can_print(PRINTER_COVER_OPEN));
    assert_false(printer_state_can_print(PRINTER_OFFLINE));
    assert_false(printer_state_can_print(PRINTER_ERROR));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_each_case),
        cmocka_unit_test(why_may_be_null),
        cmocka_unit_test(names_and_printability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
