/*
 * Code pages and wrapping: every Spanish letter on CP850 and CP858 at the
 * byte the reference table gives, the euro sign only on CP858, the other
 * pages, transliteration of what a page lacks, control characters kept off
 * the printer, invalid UTF-8, and word-wrapping that counts printed cells
 * and never cuts a character in two.
 */
#include "helpers.h"
#include "signpost/codepage.h"

/* Converts s on page into a static buffer (tests only; one at a time). */
static const char *conv(codepage page, const char *s)
{
    static char out[512];
    sg_buf b;
    sg_buf_init(&b, sizeof out - 1);
    assert_int_equal(codepage_encode(page, s, strlen(s), &b), SG_OK);
    memcpy(out, b.data ? b.data : "", b.len + 1);
    sg_buf_free(&b);
    return out;
}

static const struct {
    const char *utf8;
    unsigned char byte;
} spanish_850[] = {
    {"á", 0xA0}, {"é", 0x82}, {"í", 0xA1}, {"ó", 0xA2}, {"ú", 0xA3}, {"Á", 0xB5},
    {"É", 0x90}, {"Í", 0xD6}, {"Ó", 0xE0}, {"Ú", 0xE9}, {"ñ", 0xA4}, {"Ñ", 0xA5},
    {"¿", 0xA8}, {"¡", 0xAD}, {"ü", 0x81}, {"Ü", 0x9A},
};

static void spanish_letters_on_cp850_and_cp858(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof spanish_850 / sizeof spanish_850[0]; i++) {
        char want[2] = {(char)spanish_850[i].byte, 0};
        assert_string_equal(conv(CODEPAGE_CP850, spanish_850[i].utf8), want);
        assert_string_equal(conv(CODEPAGE_CP858, spanish_850[i].utf8), want);
    }
    assert_string_equal(conv(CODEPAGE_CP858, "€"), "\xD5");
    assert_string_equal(conv(CODEPAGE_CP850, "€"), "EUR");
    /* CP850's D5 is the dotless i, which CP858 gives up for the euro. */
    assert_string_equal(conv(CODEPAGE_CP850, "ı"), "\xD5");
    assert_string_equal(conv(CODEPAGE_CP858, "ı"), "i");
    assert_string_equal(conv(CODEPAGE_CP858, "¿Dónde está? ¡Aquí!"),
                        "\xA8" "D\xA2nde est\xA0? \xAD" "Aqu\xA1!");
}

static void cp437_lacks_capital_accents(void **state)
{
    (void)state;
    assert_string_equal(conv(CODEPAGE_CP437, "áéíóúñÑü¿¡É"),
                        "\xA0\x82\xA1\xA2\xA3\xA4\xA5\x81\xA8\xAD\x90");
    assert_string_equal(conv(CODEPAGE_CP437, "Ángela Íñigo Óscar Úrsula"),
                        "Angela I\xA4igo Oscar Ursula");
    assert_string_equal(conv(CODEPAGE_CP437, "5 €"), "5 EUR");
    assert_string_equal(conv(CODEPAGE_CP437, "─"), "\xC4");
}

static void wpc1252_is_latin1_plus(void **state)
{
    (void)state;
    assert_string_equal(conv(CODEPAGE_WPC1252, "áÁñÑ¿¡ü"), "\xE1\xC1\xF1\xD1\xBF\xA1\xFC");
    assert_string_equal(conv(CODEPAGE_WPC1252, "€ “hola” – …"), "\x80 \x93hola\x94 \x96 \x85");
    assert_int_equal(codepage_from_name("CP1252"), CODEPAGE_WPC1252);
    assert_int_equal(codepage_from_name("WPC1252"), CODEPAGE_WPC1252);
    assert_int_equal(codepage_from_name("UTF-8"), CODEPAGE_NONE);
}

/* Every assigned byte of every page is reached by exactly one character. */
static void tables_round_trip(void **state)
{
    static const codepage pages[] = {CODEPAGE_CP437, CODEPAGE_CP850, CODEPAGE_CP858,
                                     CODEPAGE_WPC1252};
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        int seen[256] = {0}, assigned = 0;
        for (uint32_t cp = 0xA0; cp < 0x2600; cp++) {
            unsigned char b = codepage_lookup(pages[i], cp);
            if (b) {
                assert_true(b >= 0x80);
                assert_int_equal(seen[b]++, 0);
                assigned++;
            }
        }
        assert_int_equal(assigned, pages[i] == CODEPAGE_WPC1252 ? 123 : 128);
    }
}

static void transliteration(void **state)
{
    (void)state;
    assert_string_equal(conv(CODEPAGE_CP850, "“Sí” ‘no’ – — … •"), "\"S\xA1\" 'no' - - ... *");
    assert_string_equal(conv(CODEPAGE_CP850, "Łódź Œuvre ß"), "L\xA2" "dz OEuvre \xE1");
    assert_string_equal(conv(CODEPAGE_CP850, "中文 🙂"), "?? ?");
    assert_string_equal(conv(CODEPAGE_CP850, "a\xE2\x80\x8B" "b\xC2\xAD" "c"), "abc");
    /* A letter with a combining accent prints as the precomposed letter. */
    assert_string_equal(conv(CODEPAGE_CP850, "Jose\xCC\x81 n\xCC\x83"), "Jos\x82 \xA4");
    assert_string_equal(conv(CODEPAGE_CP437, "A\xCC\x81"), "A");
    assert_string_equal(conv(CODEPAGE_CP850, "x\xCC\x81"), "x");
    assert_string_equal(conv(CODEPAGE_CP850, "1\xC2\xA0" "000"), "1\xFF" "000");
}

static void controls_never_reach_the_printer(void **state)
{
    (void)state;
    assert_string_equal(conv(CODEPAGE_CP858, "a\x1b@b\x1dV\x00"), "a?@b?V");
    assert_string_equal(conv(CODEPAGE_CP858, "a\tb\nc\x7f"), "a b c?");
    assert_string_equal(conv(CODEPAGE_CP858, "\xC2\x9B" "x"), "?x"); /* C1 CSI */
    assert_string_equal(conv(CODEPAGE_NONE, "a\x1b" "b\xC2\x85"), "a?b?");
}

static void invalid_utf8_becomes_question_marks(void **state)
{
    static const char *const bad[][2] = {
        {"\x80", "?"},                 /* lone continuation */
        {"a\xC3", "a?"},               /* truncated at the end */
        {"\xC3(", "?("},               /* bad continuation */
        {"\xC0\x80", "??"},            /* overlong NUL */
        {"\xE0\x80\xAF", "???"},       /* overlong slash */
        {"\xED\xA0\x80", "???"},       /* surrogate */
        {"\xF4\x90\x80\x80", "????"},  /* above U+10FFFF */
        {"\xF5\xFF\xFE", "???"},
        {"\xE2\x82", "??"},            /* truncated euro */
        {"\xC3\xA1\xE2\x82\xAC", "\xA0\xD5"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_string_equal(conv(CODEPAGE_CP858, bad[i][0]), bad[i][1]);
        assert_int_equal(codepage_width(CODEPAGE_CP858, bad[i][0], strlen(bad[i][0])),
                         strlen(bad[i][1]));
    }
    assert_string_equal(conv(CODEPAGE_NONE, "\xC3\xA1\xC3(\xFF"), "\xC3\xA1?(?");
}

static void random_bytes_never_crash(void **state)
{
    unsigned seed = 12345;
    char s[64];
    (void)state;
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + (seed = seed * 1103515245u + 12345u) % (sizeof s - 1);
        for (size_t i = 0; i < n; i++)
            s[i] = (char)((seed = seed * 1103515245u + 12345u) >> 16);
        for (int page = CODEPAGE_NONE; page <= CODEPAGE_WPC1252; page++) {
            sg_buf b;
            sg_buf_init(&b, 4096);
            assert_int_equal(codepage_encode((codepage)page, s, n, &b), SG_OK);
            for (size_t i = 0; i < b.len; i++)
                assert_true((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7f);
            if (page != CODEPAGE_NONE)
                assert_int_equal(b.len, codepage_width((codepage)page, s, n));
            sg_buf_free(&b);
        }
    }
}

static void widths(void **state)
{
    (void)state;
    assert_int_equal(codepage_width(CODEPAGE_CP850, "€", strlen("€")), 3);
    assert_int_equal(codepage_width(CODEPAGE_CP858, "€", strlen("€")), 1);
    assert_int_equal(codepage_width(CODEPAGE_NONE, "€…ñ", strlen("€…ñ")), 3);
    assert_int_equal(codepage_width(CODEPAGE_CP850, "n\xCC\x83", 3), 1);
    assert_int_equal(codepage_width(CODEPAGE_NONE, "x\xCC\x81", 3), 1);
}

typedef struct {
    char lines[16][128];
    int n;
} wrapped;

static sg_rc collect(void *ctx, const char *line, size_t len)
{
    wrapped *w = ctx;
    assert_true(w->n < 16 && len < 128);
    memcpy(w->lines[w->n], line, len);
    w->lines[w->n++][len] = '\0';
    return SG_OK;
}

static wrapped wrap(const char *s, size_t cols, codepage page)
{
    wrapped w;
    memset(&w, 0, sizeof w);
    assert_int_equal(text_wrap(s, cols, page, collect, &w), SG_OK);
    return w;
}

static void wrap_at_spaces(void **state)
{
    wrapped w = wrap("  Abre hoy a las 11:30 a. m.  ", 12, CODEPAGE_CP858);
    (void)state;
    assert_int_equal(w.n, 3);
    assert_string_equal(w.lines[0], "Abre hoy a");
    assert_string_equal(w.lines[1], "las 11:30 a.");
    assert_string_equal(w.lines[2], "m.");
    w = wrap("uno\ndos  tres\n\ncuatro", 40, CODEPAGE_CP858);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.lines[1], "dos  tres");
    assert_int_equal(wrap("", 10, CODEPAGE_CP858).n, 0);
    assert_int_equal(wrap(" \n\t ", 10, CODEPAGE_CP858).n, 0);
}

/* Multibyte letters count as one column, right at the boundary. */
static void wrap_multibyte_at_the_boundary(void **state)
{
    wrapped w = wrap("Teléfono móvil", 8, CODEPAGE_CP858);
    (void)state;
    assert_int_equal(w.n, 2);
    assert_string_equal(w.lines[0], "Teléfono"); /* 8 letters, 9 bytes */
    assert_string_equal(w.lines[1], "móvil");
    w = wrap("ñáéíóúÑÁÉ", 4, CODEPAGE_CP858);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.lines[0], "ñáéí");
    assert_string_equal(w.lines[1], "óúÑÁ");
    assert_string_equal(w.lines[2], "É");
    /* A combining accent stays with its letter. */
    w = wrap("ne\xCC\x81" "e\xCC\x81" "e", 2, CODEPAGE_CP858);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.lines[0], "ne\xCC\x81");
    assert_string_equal(w.lines[1], "e\xCC\x81" "e");
}

/* The euro is three columns on CP850 ("EUR") and one on CP858. */
static void wrap_counts_transliterations(void **state)
{
    (void)state;
    assert_int_equal(wrap("Cuota 5 €", 9, CODEPAGE_CP858).n, 1);
    assert_int_equal(wrap("Cuota 5 €", 9, CODEPAGE_CP850).n, 2);
    assert_int_equal(wrap("Cuota 5 €", 9, CODEPAGE_NONE).n, 1);
}

static void wrap_keeps_phone_numbers_whole(void **state)
{
    wrapped w = wrap("Llame al (217) 555-0101 hoy", 20, CODEPAGE_CP858);
    (void)state;
    assert_int_equal(w.n, 2);
    assert_string_equal(w.lines[0], "Llame al");
    assert_string_equal(w.lines[1], "(217) 555-0101 hoy");
    /* Too long for one line: it breaks, but its tail stays together. */
    w = wrap("Tel. +1 217 555 0101", 14, CODEPAGE_CP858);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.lines[0], "Tel. +1");
    assert_string_equal(w.lines[1], "217 555 0101");
    w = wrap("Tel. +1 217 555 0101", 16, CODEPAGE_CP858);
    assert_string_equal(w.lines[0], "Tel.");
    assert_string_equal(w.lines[1], "+1 217 555 0101");
    /* Short numbers are ordinary words. */
    w = wrap("Suite 12 34 Main", 8, CODEPAGE_CP858);
    assert_string_equal(w.lines[0], "Suite 12");
}

static void wrap_breaks_long_words(void **state)
{
    wrapped w = wrap("https://clinica.example.org/r/7Q2K9", 16, CODEPAGE_CP858);
    (void)state;
    assert_int_equal(w.n, 3);
    assert_string_equal(w.lines[0], "https://clinica.");
    assert_string_equal(w.lines[1], "example.org/r/7Q");
    assert_string_equal(w.lines[2], "2K9");
    /* The tail of a broken word takes the next word if it fits. */
    w = wrap("abcdefg hi", 5, CODEPAGE_CP858);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.lines[1], "fg hi");
    /* A character wider than the line still goes out, alone. */
    w = wrap("€€", 2, CODEPAGE_CP850);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.lines[0], "€");
}

static sg_rc check_line(void *ctx, const char *line, size_t len)
{
    size_t cols = *(size_t *)ctx, width = codepage_width(CODEPAGE_CP850, line, len), first;
    uint32_t cp;
    /* Each line starts on a sequence boundary and fits, or is one wide glyph. */
    assert_true(len > 0);
    if (((unsigned char)line[0] & 0xC0) == 0x80)
        fail_msg("line starts inside a UTF-8 sequence");
    first = utf8_decode(line, len, &cp);
    if (width > cols && codepage_width(CODEPAGE_CP850, line, first) < width)
        fail_msg("line wider than %zu", cols);
    return SG_OK;
}

static void wrap_random_text(void **state)
{
    static const char *const pieces[] = {"á", "€", " ", "ab", "\xCC\x81", "\xFF", "(217)",
                                         "555-0101", "\n", "palabra", "…"};
    unsigned seed = 99;
    (void)state;
    for (int round = 0; round < 3000; round++) {
        char s[256] = "";
        size_t cols = 1 + (seed = seed * 1103515245u + 12345u) % 20, n = 0;
        for (int k = 0; k < 24; k++) {
            const char *p = pieces[(seed = seed * 1103515245u + 12345u) % 11];
            memcpy(s + n, p, strlen(p));
            n += strlen(p);
        }
        s[n] = '\0';
        assert_int_equal(text_wrap(s, cols, CODEPAGE_CP850, check_line, &cols), SG_OK);
    }
}

static sg_rc stop_at_second(void *ctx, const char *line, size_t len)
{
    (void)line, (void)len;
    return ++*(int *)ctx == 2 ? SG_ETOOBIG : SG_OK;
}

static void wrap_stops_when_told(void **state)
{
    int calls = 0;
    (void)state;
    assert_int_equal(text_wrap("a b c d", 1, CODEPAGE_CP858, stop_at_second, &calls),
                     SG_ETOOBIG);
    assert_int_equal(calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spanish_letters_on_cp850_and_cp858),
        cmocka_unit_test(cp437_lacks_capital_accents),
        cmocka_unit_test(wpc1252_is_latin1_plus),
        cmocka_unit_test(tables_round_trip),
        cmocka_unit_test(transliteration),
        cmocka_unit_test(controls_never_reach_the_printer),
        cmocka_unit_test(invalid_utf8_becomes_question_marks),
        cmocka_unit_test(random_bytes_never_crash),
        cmocka_unit_test(widths),
        cmocka_unit_test(wrap_at_spaces),
        cmocka_unit_test(wrap_multibyte_at_the_boundary),
        cmocka_unit_test(wrap_counts_transliterations),
        cmocka_unit_test(wrap_keeps_phone_numbers_whole),
        cmocka_unit_test(wrap_breaks_long_words),
        cmocka_unit_test(wrap_random_text),
        cmocka_unit_test(wrap_stops_when_told),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
