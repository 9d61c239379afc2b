/*
 * Golden bytes: the fixed Spanish receipt encoded for each shipped printer
 * profile (and for a WPC1252 printer) must equal the hex dump stored under
 * tests/data/receipts/.  Any change to layout or encoding shows up here as
 * a diff someone has to look at.
 *
 * To refresh the files on purpose, after checking the new output by eye:
 *     SIGNPOST_UPDATE_GOLDEN=1 build/debug/tests/unit/test_escpos_golden
 * Each file is a hex dump with an ASCII column; lines starting with '#'
 * are comments.  Besides the comparison, this test checks the properties a
 * person would look for: ESC t with the profile's number, each Spanish
 * letter at its code page's byte, and no UTF-8 left in the text.
 */
#include <ctype.h>
#include "test_receipt_fixture.h"
#include "signpost/escpos.h"

#define GOLDEN_DIR SOURCE_DIR "/tests/data/receipts/"


static void write_golden(const char *path, const printer_profile *p, const sg_buf *b)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "# signpost golden receipt: profile %s, %s (ESC t %d), %s QR, %zu bytes\n",
            p->name, codepage_name(p->page), p->codepage_esc_t,
            p->native_qr ? "native" : "raster", b->len);
    fprintf(f, "# regenerate: SIGNPOST_UPDATE_GOLDEN=1 build/debug/tests/unit/test_escpos_golden\n");
    for (size_t off = 0; off < b->len; off += 16) {
        fprintf(f, "%08zx ", off);
        for (size_t i = off; i < off + 16; i++) {
            if (i < b->len)
                fprintf(f, "%s%02x", i == off + 8 ? "  " : " ", (unsigned char)b->data[i]);
            else
                fprintf(f, "%s   ", i == off + 8 ? "  " : "");
        }
        fprintf(f, "  |");
        for (size_t i = off; i < off + 16 && i < b->len; i++)
            fputc(isprint((unsigned char)b->data[i]) ? b->data[i] : '.', f);
        fprintf(f, "|\n");
    }
    fclose(f);
}

/* Reads a hex dump written by write_golden() into out. */
static void read_golden(const char *path, sg_buf *out)
{
    char line[256];
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s is missing: run with SIGNPOST_UPDATE_GOLDEN=1 to create it", path);
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        p += strcspn(p, " "); /* the offset */
        for (;;) {
            unsigned byte;
            unsigned char c;
            p += strspn(p, " ");
            if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
                break;
            if (sscanf(p, "%2x", &byte) != 1)
                break;
            c = (unsigned char)byte;
            assert_int_equal(sg_buf_add(out, &c, 1), SG_OK);
            p += 2;
        }
    }
    fclose(f);
}

static int contains(const sg_buf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, s, n) == 0)
            return 1;
    return 0;
}

/* What a person checking the dump by eye would check. */
static void check_text(const printer_profile *p, const sg_buf *b)
{
    /* Each Spanish word as the page spells it: WPC1252, else CP850/CP858. */
    static const char *const words[][2] = {
        {"Cl\xEDnica", "Cl\xA1nica"},   {"Jos\xE9", "Jos\x82"},
        {"\xC1ngela", "\xB5ngela"},      {"N\xFA\xF1" "ez", "N\xA3\xA4" "ez"},
        {"\xCD\xF1igo", "\xD6\xA4igo"},  {"\xD3scar", "\xE0scar"},
        {"\xDAnico", "\xE9nico"},        {"\xC9" "bano", "\x90" "bano"},
        {"\xD1" "and\xFA", "\xA5" "and\xA3"}, {"Ping\xFCino", "Ping\x81ino"},
        {"\xC1rtico", "\xB5rtico"},      {"\xBFPreguntas?", "\xA8Preguntas?"},
        {"\xA1Ll\xE1menos!", "\xADLl\xA0menos!"}, {"M\xF3vil", "M\xA2vil"},
        {"Autob\xFAs", "Autob\xA3s"},    {"ma\xF1" "ana", "ma\xA4" "ana"},
    };
    const unsigned char esc_t[] = {0x1B, 0x40, 0x1B, 0x74, (unsigned char)p->codepage_esc_t};
    int latin1 = p->page == CODEPAGE_WPC1252;

    assert_memory_equal(b->data, esc_t, sizeof esc_t);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!contains(b, words[i][latin1 ? 0 : 1]))
            fail_msg("%s: word %zu not found in its code page form", p->name, i);
    assert_true(contains(b, p->page == CODEPAGE_CP850 ? "0 EUR." : latin1 ? "0 \x80." : "0 \xD5."));
    /* No UTF-8 lead byte of a Spanish letter survives (the text has no Ã or ├). */
    if (p->native_qr)
        assert_false(contains(b, "\xC3") || contains(b, "\xC2") || contains(b, "\xE2\x82"));
}

static void golden(const char *name, const printer_profile *p)
{
    char path[512];
    fixture f;
    receipt_model m;
    sg_buf got, want;

    fixture_init(&f, inst);
    snprintf(path, sizeof path, GOLDEN_DIR "%s.hex", name);
    assert_int_equal(receipt_layout(&f.in, p, &m), SG_OK);
    sg_buf_init(&got, 1 << 16);
    assert_int_equal(escpos_encode(&m, p, &got), SG_OK);
    receipt_model_free(&m);
    check_text(p, &got);
    if (getenv("SIGNPOST_UPDATE_GOLDEN")) {
        write_golden(path, p, &got);
        print_message("wrote %s (%zu bytes)\n", path, got.len);
    }
    sg_buf_init(&want, 1 << 16);
    read_golden(path, &want);
    if (want.len != got.len || memcmp(want.data, got.data, got.len) != 0) {
        size_t i = 0;
        while (i < got.len && i < want.len && got.data[i] == want.data[i])
            i++;
        fail_msg("%s: %zu bytes, golden %zu; first difference at offset %zu (0x%zx). "
                 "If the change is intended, regenerate (see the top of this file).",
                 name, got.len, want.len, i, i);
    }
    sg_buf_free(&want);
    sg_buf_free(&got);
}

static void generic_58(void **state)
{
    printer_profile p = fixture_profile("generic-58");
    (void)state;
    golden("generic-58", &p);
}

static void csn_a2(void **state)
{
    printer_profile p = fixture_profile("csn-a2");
    (void)state;
    golden("csn-a2", &p);
}

static void tm_t20(void **state)
{
    printer_profile p = fixture_profile("tm-t20");
    (void)state;
    golden("tm-t20", &p);
}

static void tm_t88(void **state)
{
    printer_profile p = fixture_profile("tm-t88");
    (void)state;
    golden("tm-t88", &p);
}

/* A TM-T20 set to WPC1252 (ESC t 16): Latin-1 bytes and € at 80. */
static void tm_t20_wpc1252(void **state)
{
    printer_profile p = fixture_profile("tm-t20");
    (void)state;
    p.page = CODEPAGE_WPC1252;
    p.codepage_esc_t = 16;
    golden("tm-t20-wpc1252", &p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generic_58), cmocka_unit_test(csn_a2), cmocka_unit_test(tm_t20),
        cmocka_unit_test(tm_t88),     cmocka_unit_test(tm_t20_wpc1252),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
