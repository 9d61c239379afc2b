/*
 * The HTML preview: the same lines as the paper, text escaped, styles as
 * class names, no style attribute and no script (a strict CSP can serve
 * it), and the QR code as inline SVG whose dark modules are exactly the
 * symbol libqrencode makes for the payload.
 */
#include <qrencode.h>
#include "test_receipt_fixture.h"


static char *preview(const receipt_input *in, const char *profile)
{
    printer_profile p = fixture_profile(profile);
    receipt_model m;
    sg_buf b;
    sg_buf_init(&b, 1 << 20);
    assert_int_equal(receipt_layout(in, &p, &m), SG_OK);
    assert_int_equal(receipt_preview_html(&m, &b), SG_OK);
    receipt_model_free(&m);
    return sg_buf_take(&b);
}

static void lines_and_classes(void **state)
{
    fixture f;
    char *html;
    (void)state;
    fixture_init(&f, inst);
    html = preview(&f.in, "tm-t20");
    assert_true(strncmp(html, "<div class=\"sg-receipt sg-cols-48\">\n", 36) == 0);
    assert_non_null(strstr(html, "<p class=\"sg-line sg-bold sg-tall sg-center\">"
                                 "Clínica Comunitaria San José</p>\n"));
    assert_non_null(strstr(html, "<p class=\"sg-line sg-bold sg-tall\">Comida</p>\n"));
    assert_non_null(strstr(html, "<p class=\"sg-line\">(217) 555-0131</p>\n"));
    assert_non_null(strstr(html, "<p class=\"sg-line sg-blank\"></p>\n"));
    assert_non_null(strstr(html, "Cobbler&#39;s Row"));
    assert_non_null(strstr(html, "<p class=\"sg-line sg-center sg-small\">¿Preguntas?"));
    assert_non_null(strstr(html, "<hr class=\"sg-cut\">\n</div>\n"));
    assert_null(strstr(html, "style="));
    assert_null(strstr(html, "<script"));
    free(html);
}

static void text_is_escaped(void **state)
{
    fixture f;
    char *html;
    (void)state;
    fixture_init(&f, inst);
    f.in.clinic_name = "<script>alert(\"x\")</script> & Co";
    snprintf(f.res[0].name, sizeof f.res[0].name, "<img src=x onerror=alert(1)>\xC3(");
    html = preview(&f.in, "tm-t20");
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;?("));
    free(html);
}

/* Counts the dark modules an SVG path of "MxXyYhNv1h-Nz" runs draws. */
static int svg_dark(const char *html, int *side)
{
    const char *p = strstr(html, "viewBox=\"0 0 ");
    int dark = 0, x, y, n, used;
    assert_non_null(p);
    assert_int_equal(sscanf(p, "viewBox=\"0 0 %d", side), 1);
    p = strstr(p, " d=\"");
    assert_non_null(p);
    p += 4;
    while (sscanf(p, "M%d %dh%dv1h-%*dz%n", &x, &y, &n, &used) == 3) {
        assert_true(x >= 4 && y >= 4 && x + n <= *side - 4 && y < *side - 4);
        dark += n;
        p += used;
    }
    assert_true(*p == '"');
    return dark;
}

static void qr_is_inline_svg(void **state)
{
    fixture f;
    char *html;
    int side, want = 0;
    QRcode *qr = QRcode_encodeString(FIXTURE_PAYLOAD, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    (void)state;
    fixture_init(&f, inst);
    html = preview(&f.in, "generic-58");
    assert_non_null(strstr(html, "<div class=\"sg-qr\"><svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(qr);
    for (int i = 0; i < qr->width * qr->width; i++)
        want += qr->data[i] & 1;
    assert_int_equal(svg_dark(html, &side), want);
    assert_int_equal(side, qr->width + 8);
    QRcode_free(qr);
    free(html);
}

static void css_is_separate(void **state)
{
    const char *css = receipt_preview_css();
    (void)state;
    assert_non_null(strstr(css, ".sg-receipt{"));
    assert_non_null(strstr(css, ".sg-tall{"));
    assert_non_null(strstr(css, ".sg-qr svg{"));
    assert_null(strchr(css, '<'));
}

static void full_buffer_is_left_as_it_was(void **state)
{
    fixture f;
    printer_profile p = fixture_profile("tm-t20");
    receipt_model m;
    sg_buf b;
    (void)state;
    fixture_init(&f, inst);
    assert_int_equal(receipt_layout(&f.in, &p, &m), SG_OK);
    sg_buf_init(&b, 500);
    assert_int_equal(sg_buf_adds(&b, "x"), SG_OK);
    assert_int_equal(receipt_preview_html(&m, &b), SG_ETOOBIG);
    assert_string_equal(b.data, "x");
    sg_buf_free(&b);
    receipt_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_and_classes),
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(qr_is_inline_svg),
        cmocka_unit_test(css_is_separate),
        cmocka_unit_test(full_buffer_is_left_as_it_was),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
