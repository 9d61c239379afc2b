/*
 * The receipt's QR text: template placeholders, the defaults, and errors.
 */
#include "helpers.h"
#include "signpost/receipt.h"

static sg_resource res[2];

static int setup(void **state)
{
    (void)state;
    snprintf(res[0].service_id, sizeof res[0].service_id, "a1");
    snprintf(res[1].service_id, sizeof res[1].service_id, "b 2");
    snprintf(res[1].url, sizeof res[1].url, "https://pantry.example.org/");
    return 0;
}

static void template_placeholders(void **state)
{
    (void)state;
    char out[256], err[128];
    assert_int_equal(receipt_qr_payload("https://c.example.org/r?s={service_ids}&l={lang}&p={clinic_phone}",
                                        res, 2, "(217) 555-0100", "es", out, sizeof out, err,
                                        sizeof err), SG_OK);
    assert_string_equal(out, "https://c.example.org/r?s=a1%2Cb%202&l=es&p=2175550100");
}

static void defaults(void **state)
{
    (void)state;
    char out[256], err[128];
    assert_int_equal(receipt_qr_payload("", res, 2, "(217) 555-0100", "en", out, sizeof out,
                                        err, sizeof err), SG_OK);
    assert_string_equal(out, "https://pantry.example.org/");
    assert_int_equal(receipt_qr_payload(NULL, res, 1, "(217) 555-0100", "en", out, sizeof out,
                                        err, sizeof err), SG_OK);
    assert_string_equal(out, "tel:+12175550100");
}

static void errors(void **state)
{
    (void)state;
    char out[16], err[160];
    assert_int_equal(receipt_qr_payload("https://x/{name}", res, 2, "", "en", out, sizeof out,
                                        err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "unknown placeholder {name}"));
    assert_int_equal(receipt_qr_payload("https://a-very-long-host.example.org/", res, 2, "",
                                        "en", out, sizeof out, err, sizeof err), SG_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(template_placeholders),
        cmocka_unit_test(defaults),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
