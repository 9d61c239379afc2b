/*
 * Receipt layout: what is on the paper and in what order, the patient's
 * language with an English fallback, lines that fit every printer, the
 * discreet safety heading and the clinic's print_safety option, and that
 * nothing of the patient's answers can appear.
 */
#include "test_receipt_fixture.h"


static char *lay_out(const receipt_input *in, const char *profile, receipt_model *m)
{
    printer_profile p = fixture_profile(profile);
    assert_int_equal(receipt_layout(in, &p, m), SG_OK);
    return fixture_text(m);
}

/* Whether s appears in the text with line breaks read as spaces. */
static int says(const char *all, const char *s)
{
    char *flat = strdup(all);
    int found;
    for (char *c = flat; *c; c++)
        if (*c == '\n')
            *c = ' ';
    found = strstr(flat, s) != NULL;
    free(flat);
    return found;
}

/* The index of the first text line equal to s, or -1. */
static int find_line(const receipt_model *m, const char *s)
{
    for (size_t i = 0; i < m->nlines; i++)
        if (m->lines[i].kind == RECEIPT_TEXT && strcmp(m->lines[i].text, s) == 0)
            return (int)i;
    return -1;
}

static void spanish_receipt_content(void **state)
{
    fixture f;
    receipt_model m;
    char *all;
    int clinic, title, vivienda, comida, transporte, qr;
    (void)state;
    fixture_init(&f, inst);
    all = lay_out(&f.in, "tm-t20", &m);
    clinic = find_line(&m, "Clínica Comunitaria San José");
    title = find_line(&m, "Su lista de lugares que pueden ayudar");
    vivienda = find_line(&m, "Vivienda");
    comida = find_line(&m, "Comida");
    transporte = find_line(&m, "Transporte");
    assert_int_equal(clinic, 0);
    assert_int_equal(m.lines[0].style, RECEIPT_CENTER | RECEIPT_BOLD | RECEIPT_TALL);
    assert_true(find_line(&m, "(217) 555-0100") == 1 && find_line(&m, "24/11/2026 10:15") == 2);
    /* Needs in the order given, each headed in bold double height. */
    assert_true(title > 2 && vivienda > title && comida > vivienda && transporte > comida);
    assert_int_equal(m.lines[comida].style, RECEIPT_BOLD | RECEIPT_TALL);
    assert_int_equal(m.lines[comida + 1].style, RECEIPT_BOLD);
    assert_string_equal(m.lines[comida + 1].text, "Despensa Comunitaria Riverton");
    assert_string_equal(m.lines[comida + 2].text, "(217) 555-0131");
    assert_string_equal(m.lines[comida + 3].text, "610 Harlan Street, Riverton, IL 62999");
    assert_string_equal(m.lines[comida + 4].text, "Abierto ahora hasta las 5 p. m.");
    assert_string_equal(m.lines[comida + 5].text, "Pregunte por: una caja de alimentos");
    assert_true(find_line(&m, "Horario desconocido") > comida);
    /* The QR code after the places, with its hint, then the footer. */
    qr = (int)m.nlines - 3;
    assert_int_equal(m.lines[qr].kind, RECEIPT_QR);
    assert_string_equal(m.lines[qr].text, FIXTURE_PAYLOAD);
    assert_int_equal(m.lines[qr].qr_module, 6);
    assert_string_equal(m.lines[qr - 1].text, "Escanee para ver esta lista en su teléfono");
    assert_int_equal(m.lines[m.nlines - 1].style, RECEIPT_CENTER | RECEIPT_SMALL);
    assert_true(m.cut);
    /* Clinic opted into safety resources but the screening was negative. */
    assert_null(strstr(all, "apoyo"));
    free(all);
    receipt_model_free(&m);
    receipt_model_free(&m); /* twice is harmless */
    receipt_model_free(NULL);
}

static void english_and_fallback(void **state)
{
    fixture f;
    receipt_model m;
    char *all;
    (void)state;
    fixture_init(&f, inst);
    f.in.lang = "fr";
    f.res[2].hours[0] = '\0';
    all = lay_out(&f.in, "tm-t20", &m);
    assert_non_null(strstr(all, "Your list of places that can help\n"));
    assert_non_null(strstr(all, "\nHousing\n"));
    assert_non_null(strstr(all, "\nHours unknown\n"));
    assert_non_null(strstr(all, "\nScan for this list on your phone\n"));
    free(all);
    receipt_model_free(&m);
}

/* Every line fits its printer in its style, measured on the printer's page. */
static void lines_fit_every_printer(void **state)
{
    static const char *const names[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
    fixture f;
    (void)state;
    fixture_init(&f, inst);
    for (size_t k = 0; k < 4; k++) {
        printer_profile p = fixture_profile(names[k]);
        receipt_model m;
        assert_int_equal(receipt_layout(&f.in, &p, &m), SG_OK);
        assert_int_equal(m.columns, p.columns_font_a);
        for (size_t i = 0; i < m.nlines; i++) {
            const receipt_line *l = &m.lines[i];
            if (l->kind != RECEIPT_TEXT)
                continue;
            if (codepage_width(p.page, l->text, strlen(l->text)) >
                (size_t)receipt_columns(&p, l->style))
                fail_msg("%s: \"%s\" is wider than %d", names[k], l->text,
                         receipt_columns(&p, l->style));
        }
        receipt_model_free(&m);
    }
}

static void add_safety(fixture *f, int positive, int print)
{
    static int needs[4];
    int safety = instrument_domain_index(inst, "safety");
    memcpy(needs, f->needs, sizeof f->needs);
    needs[3] = safety;
    f->in.needs = needs;
    f->in.nneeds = 4;
    /* Two food places become safety places. */
    f->res[1].domain = safety;
    snprintf(f->res[1].name, sizeof f->res[1].name, "Línea de Ayuda Refugio Seguro");
    f->res[2].domain = safety;
    snprintf(f->res[2].name, sizeof f->res[2].name, "Domestic Violence Shelter");
    f->in.safety_positive = positive;
    f->in.print_safety = print;
}

static void safety_heading_is_discreet(void **state)
{
    fixture f;
    receipt_model m;
    char *all;
    int heading;
    (void)state;
    fixture_init(&f, inst);
    add_safety(&f, 1, 1);
    all = lay_out(&f.in, "tm-t88", &m);
    heading = find_line(&m, "Servicios de apoyo");
    assert_true(heading > 0);
    assert_int_equal(m.lines[heading].style, RECEIPT_BOLD | RECEIPT_TALL);
    assert_string_equal(m.lines[heading + 1].text, "Línea de Ayuda Refugio Seguro");
    assert_null(strstr(all, "Seguridad"));
    assert_null(strstr(all, "Safety"));
    assert_false(says(all, "Pregunte en la recepción por más servicios"));
    free(all);
    receipt_model_free(&m);
    f.in.lang = "en";
    all = lay_out(&f.in, "tm-t88", &m);
    assert_true(find_line(&m, "Support services") > 0);
    assert_null(strstr(all, "Safety"));
    free(all);
    receipt_model_free(&m);
}

static void print_safety_off(void **state)
{
    fixture f;
    receipt_model m;
    char *all;
    (void)state;
    for (int positive = 0; positive <= 1; positive++) {
        fixture_init(&f, inst);
        add_safety(&f, positive, 0);
        all = lay_out(&f.in, "generic-58", &m);
        assert_int_equal(find_line(&m, "Servicios de apoyo"), -1);
        assert_null(strstr(all, "Refugio"));
        assert_null(strstr(all, "Violence"));
        /* The neutral line is on every receipt, so it says nothing. */
        assert_true(says(all, "Pregunte en la recepción por más servicios de apoyo"));
        assert_non_null(strstr(all, "Despensa Comunitaria Riverton"));
        free(all);
        receipt_model_free(&m);
    }
    /* A safety need the screening did not find is never printed, even if listed. */
    fixture_init(&f, inst);
    add_safety(&f, 0, 1);
    all = lay_out(&f.in, "generic-58", &m);
    assert_null(strstr(all, "Refugio"));
    assert_null(strstr(all, "Servicios de apoyo"));
    free(all);
    receipt_model_free(&m);
}

/*
 * The layout is never given answers, and this proves its output holds
 * none: no item or option text of the instrument, in any language, and no
 * LOINC answer code, appears on a receipt with every need positive.
 */
static void never_the_answers(void **state)
{
    fixture f;
    receipt_model m;
    int needs[SG_MAX_DOMAINS];
    char *all;
    (void)state;
    fixture_init(&f, inst);
    for (int d = 0; d < inst->ndomains; d++)
        needs[d] = d;
    f.in.needs = needs;
    f.in.nneeds = (size_t)inst->ndomains;
    f.in.safety_positive = f.in.print_safety = 1;
    for (int l = 0; l < inst->nlangs; l++) {
        f.in.lang = inst->langs[l].code;
        all = lay_out(&f.in, "tm-t20", &m);
        for (int i = 0; i < inst->nitems; i++) {
            const instrument_item *it = &inst->items[i];
            assert_null(strstr(all, it->code));
            for (int k = 0; k < inst->nlangs; k++)
                assert_null(strstr(all, it->text[k]));
            for (int o = 0; o < it->noptions; o++) {
                assert_null(strstr(all, it->options[o].code));
                for (int k = 0; k < inst->nlangs; k++)
                    if (strlen(it->options[o].text[k]) >= 5 &&
                        strstr(all, it->options[o].text[k]))
                        fail_msg("answer text \"%s\" on the receipt", it->options[o].text[k]);
            }
        }
        free(all);
        receipt_model_free(&m);
    }
}

static void outside_text_is_cleaned(void **state)
{
    fixture f;
    receipt_model m;
    (void)state;
    fixture_init(&f, inst);
    snprintf(f.res[0].name, sizeof f.res[0].name, "Bad\x1b@Name\xC3(\x1d" "V");
    f.in.clinic_name = "Clínica\tdel\x7fValle";
    f.in.ask_for = NULL;
    free(lay_out(&f.in, "tm-t20", &m));
    assert_int_equal(find_line(&m, "Clínica del?Valle"), 0);
    assert_true(find_line(&m, "Bad?@Name?(?V") > 0);
    assert_int_equal(find_line(&m, "Pregunte por: una caja de alimentos"), -1);
    receipt_model_free(&m);
}

static void bad_input(void **state)
{
    fixture f;
    receipt_model m;
    printer_profile p = fixture_profile("tm-t20");
    char big[RECEIPT_MAX_PAYLOAD + 2];
    sg_buf footer;
    (void)state;
    fixture_init(&f, inst);
    f.needs[1] = 99;
    assert_int_equal(receipt_layout(&f.in, &p, &m), SG_EINVAL);
    assert_int_equal(m.nlines, 0);
    assert_null(m.lines);
    fixture_init(&f, inst);
    f.res[4].domain = -1;
    assert_int_equal(receipt_layout(&f.in, &p, &m), SG_EINVAL);
    fixture_init(&f, inst);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    f.in.qr_payload = big;
    assert_int_equal(receipt_layout(&f.in, &p, &m), SG_ETOOBIG);
    /* A runaway footer meets the line cap, not the end of the paper roll. */
    fixture_init(&f, inst);
    sg_buf_init(&footer, 1 << 20);
    for (int i = 0; i < RECEIPT_MAX_LINES; i++)
        assert_int_equal(sg_buf_adds(&footer, "line\n"), SG_OK);
    f.in.footer = footer.data;
    assert_int_equal(receipt_layout(&f.in, &p, &m), SG_ETOOBIG);
    assert_int_equal(m.nlines, 0);
    sg_buf_free(&footer);
}

static void no_qr_no_footer_no_resources(void **state)
{
    fixture f;
    receipt_model m;
    char *all;
    (void)state;
    fixture_init(&f, inst);
    f.in.qr_payload = "";
    f.in.footer = NULL;
    f.in.nresources = 0;
    all = lay_out(&f.in, "tm-t20", &m);
    for (size_t i = 0; i < m.nlines; i++)
        assert_int_equal(m.lines[i].kind, RECEIPT_TEXT);
    assert_null(strstr(all, "Escanee"));
    assert_non_null(strstr(all, "Vivienda\nPida en la recepción un lugar al que llamar\n"));
    assert_string_not_equal(m.lines[m.nlines - 1].text, "");
    free(all);
    receipt_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spanish_receipt_content),
        cmocka_unit_test(english_and_fallback),
        cmocka_unit_test(lines_fit_every_printer),
        cmocka_unit_test(safety_heading_is_discreet),
        cmocka_unit_test(print_safety_off),
        cmocka_unit_test(never_the_answers),
        cmocka_unit_test(outside_text_is_cleaned),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(no_qr_no_footer_no_resources),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
