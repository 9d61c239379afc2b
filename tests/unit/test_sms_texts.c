/*
 * The texts patients read: the exact English reminder and the Spanish
 * wording, every kind in every language inside one GSM-7 segment with the
 * default clinic and with a 40-character clinic name, what the start-up
 * check reports when a name is too long or pushes a text into UCS-2, the
 * HELP text's required parts, and the consent's phrasing of when texts
 * come, in both languages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "signpost/sms.h"

#define DAY 86400
#define CLINIC "Riverton Community Clinic"
#define PHONE "(217) 555-0100"
#define NAME40 "Riverton Community Health Clinic Central" /* 40 characters */

static const sms_text_vars defaults = {CLINIC, PHONE, 2};
static const sms_text_kind kinds[] = {TEXT_REMINDER, TEXT_HELP, TEXT_STOP_CONFIRM,
                                      TEXT_START_CONFIRM};

static const char *render(sms_text_kind k, const char *lang, const sms_text_vars *v)
{
    static char out[1024];
    assert_int_equal(sms_render(k, lang, v, out, sizeof out), SG_OK);
    return out;
}

static void contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static void english_reminder_is_exact(void **state)
{
    (void)state;
    assert_string_equal(render(TEXT_REMINDER, "en", &defaults),
                        "Hi, this is Riverton Community Clinic. Did you reach the help from "
                        "your visit? Reply 1 yes, 2 not yet, 3 need more help. STOP to stop");
}

static void spanish_texts_are_exact(void **state)
{
    (void)state;
    assert_string_equal(render(TEXT_REMINDER, "es", &defaults),
                        "Hola, somos Riverton Community Clinic. \xC2\xBFPudo recibir la ayuda "
                        "de su visita? Responda 1 si, 2 todavia no, 3 necesito ayuda. STOP "
                        "para parar");
    assert_string_equal(render(TEXT_HELP, "es", &defaults),
                        "Mensajes de Riverton Community Clinic: hasta 2 por visita. Ayuda: "
                        "(217) 555-0100. Pueden aplicarse tarifas de msj y datos. STOP para "
                        "parar.");
    assert_string_equal(render(TEXT_STOP_CONFIRM, "es", &defaults),
                        "Riverton Community Clinic: Ya no le enviaremos mensajes. Responda "
                        "START para recibirlos otra vez.");
    assert_string_equal(render(TEXT_START_CONFIRM, "es", &defaults),
                        "Riverton Community Clinic: Le enviaremos mensajes otra vez. AYUDA para "
                        "ayuda, STOP para parar. Pueden aplicarse tarifas de msj y datos.");
}

/* Every kind in every language: GSM-7, one segment. */
static void expect_one_gsm_segment(const sms_text_vars *v)
{
    for (size_t l = 0; sms_languages[l]; l++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            const char *text = render(kinds[k], sms_languages[l], v);
            sms_length len;
            assert_int_equal(sms_count(text, &len), SG_OK);
            if (len.ucs2 || len.segments != 1 || len.units > 160)
                fail_msg("%s/%zu: ucs2=%d units=%d segments=%d: %s", sms_languages[l], k,
                         len.ucs2, len.units, len.segments, text);
        }
}

static void every_text_fits_one_segment(void **state)
{
    (void)state;
    sms_text_vars long_name = {NAME40, PHONE, 8};
    char err[200] = "untouched";
    assert_int_equal((int)strlen(NAME40), 40);
    assert_string_equal(sms_languages[0], "en");
    assert_string_equal(sms_languages[1], "es");
    assert_null(sms_languages[2]);

    expect_one_gsm_segment(&defaults);
    expect_one_gsm_segment(&long_name);
    assert_int_equal(sms_check_texts(&defaults, err, sizeof err), SG_OK);
    assert_int_equal(sms_check_texts(&long_name, err, sizeof err), SG_OK);
}

static void check_reports_a_long_clinic_name(void **state)
{
    (void)state;
    /* 60 characters: the English reminder is 168 */
    sms_text_vars v = {"Riverton Community Health Clinic of Champaign County Illinoi", PHONE, 2};
    char err[200];
    assert_int_equal(sms_check_texts(&v, err, sizeof err), SG_ETOOBIG);
    assert_string_equal(err, "text reminder (en) is 168 characters, over one segment (160)");
}

static void longest_clinic_name(void **state)
{
    (void)state;
    /* With the default phone and up to 9 reminders, 45 characters is the
     * budget; the English HELP text is the first to run out. */
    char name[64], err[200];
    sms_text_vars v = {name, PHONE, 9};
    memset(name, 'x', sizeof name);
    name[45] = '\0';
    assert_int_equal(sms_check_texts(&v, err, sizeof err), SG_OK);
    name[45] = 'x';
    name[46] = '\0';
    assert_int_equal(sms_check_texts(&v, err, sizeof err), SG_ETOOBIG);
    assert_string_equal(err, "text help (en) is 161 characters, over one segment (160)");
}

static void check_reports_a_name_that_needs_ucs2(void **state)
{
    (void)state;
    sms_text_vars v = {"Cl\xC3\xADnica Riverton", PHONE, 2}; /* í is not GSM-7 */
    char err[200];
    assert_int_equal(sms_check_texts(&v, err, sizeof err), SG_ETOOBIG);
    contains(err, "text reminder (en) is ");
    contains(err, "UCS-2 units, over one segment (70)");
}

static void check_rejects_bad_vars(void **state)
{
    (void)state;
    sms_text_vars no_phone = {CLINIC, "", 2}, no_name = {NULL, PHONE, 2};
    sms_text_vars none = {CLINIC, PHONE, 0}, bad_utf8 = {"Clinic \xC3", PHONE, 2};
    char err[200];
    assert_int_equal(sms_check_texts(&no_phone, err, sizeof err), SG_EINVAL);
    contains(err, "clinic name and phone");
    assert_int_equal(sms_check_texts(&no_name, err, sizeof err), SG_EINVAL);
    assert_int_equal(sms_check_texts(&none, err, sizeof err), SG_EINVAL);
    assert_int_equal(sms_check_texts(&bad_utf8, err, sizeof err), SG_EINVAL);
    assert_int_equal(sms_check_texts(NULL, err, sizeof err), SG_EINVAL);
}

static void help_has_every_required_part(void **state)
{
    (void)state;
    const char *en = render(TEXT_HELP, "en", &defaults);
    contains(en, "Riverton Community Clinic follow-up texts");
    contains(en, "(217) 555-0100");
    contains(en, "up to 2 texts");
    contains(en, "Msg&data rates may apply");
    contains(en, "Reply STOP to stop");
    sms_text_vars one = {CLINIC, PHONE, 1};
    contains(render(TEXT_HELP, "en", &one), "up to 1 text per visit");

    const char *es = render(TEXT_HELP, "es", &defaults);
    contains(es, "Mensajes de Riverton Community Clinic");
    contains(es, "(217) 555-0100");
    contains(es, "hasta 2 por visita");
    contains(es, "tarifas de msj y datos");
    contains(es, "STOP");
}

static void confirmations_say_what_happens(void **state)
{
    (void)state;
    contains(render(TEXT_STOP_CONFIRM, "en", &defaults), "no more texts");
    contains(render(TEXT_STOP_CONFIRM, "es", &defaults), "Ya no le enviaremos mensajes");
    contains(render(TEXT_START_CONFIRM, "en", &defaults), "STOP to stop");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t l = 0; sms_languages[l]; l++)
            contains(render(kinds[k], sms_languages[l], &defaults), CLINIC);
}

static void language_fallback(void **state)
{
    (void)state;
    char en[400], other[400];
    assert_int_equal(sms_render(TEXT_REMINDER, "en", &defaults, en, sizeof en), SG_OK);
    static const char *const not_spanish[] = {"fr", "", NULL, "e", "esp", "EN"};
    for (size_t i = 0; i < sizeof not_spanish / sizeof not_spanish[0]; i++) {
        assert_int_equal(sms_render(TEXT_REMINDER, not_spanish[i], &defaults, other,
                                    sizeof other), SG_OK);
        assert_string_equal(other, en);
    }
    static const char *const spanish[] = {"es", "ES", "es-MX", "es_US"};
    for (size_t i = 0; i < sizeof spanish / sizeof spanish[0]; i++) {
        assert_int_equal(sms_render(TEXT_REMINDER, spanish[i], &defaults, other, sizeof other),
                         SG_OK);
        contains(other, "Hola");
    }
}

static void render_is_capped(void **state)
{
    (void)state;
    char out[200];
    size_t need = strlen(render(TEXT_REMINDER, "en", &defaults)) + 1;
    assert_true(need < sizeof out);
    assert_int_equal(sms_render(TEXT_REMINDER, "en", &defaults, out, need), SG_OK);
    assert_int_equal(sms_render(TEXT_REMINDER, "en", &defaults, out, need - 1), SG_ETOOBIG);
    assert_string_equal(out, ""); /* never half a text */
    assert_int_equal(sms_render(TEXT_REMINDER, "en", &defaults, out, 0), SG_EINVAL);
    assert_int_equal(sms_render((sms_text_kind)42, "en", &defaults, out, sizeof out),
                     SG_EINVAL);
}

static const char *consent(const char *lang, const int *offsets, int n)
{
    static char out[1024];
    assert_int_equal(sms_consent_text(lang, CLINIC, offsets, n, out, sizeof out), SG_OK);
    return out;
}

static void consent_english(void **state)
{
    (void)state;
    int two[] = {7 * DAY, 14 * DAY};
    assert_string_equal(consent("en", two, 2),
                        "Riverton Community Clinic will send you 2 texts, 7 and 14 days from "
                        "now, to ask if you got the help you needed. The texts will not say "
                        "what help you need. Reply STOP to stop, HELP for help. Msg & data "
                        "rates may apply.");
    int one[] = {DAY};
    contains(consent("en", one, 1), "will send you 1 text, 1 day from now, ");
    int three[] = {DAY, 7 * DAY, 14 * DAY};
    contains(consent("en", three, 3), "3 texts, 1, 7 and 14 days from now");
    int mixed[] = {3600, 2 * DAY, 7 * DAY};
    contains(consent("en", mixed, 3), "3 texts, 1 hour, 2 and 7 days from now");
    int odd[] = {36 * 3600, 90 * 60, 45};
    contains(consent("en", odd, 3), "3 texts, 36 hours, 90 minutes and 45 seconds from now");
    int down[] = {2 * DAY, DAY}; /* a run of two is plural even when it ends in 1 */
    contains(consent("en", down, 2), "2 texts, 2 and 1 days from now");
    int hours[] = {2 * 3600, 3 * 3600};
    contains(consent("en", hours, 2), "2 texts, 2 and 3 hours from now");
}

static void consent_spanish(void **state)
{
    (void)state;
    int two[] = {7 * DAY, 14 * DAY};
    assert_string_equal(consent("es", two, 2),
                        "Riverton Community Clinic le enviar\xC3\xA1 2 mensajes de texto, "
                        "dentro de 7 y 14 d\xC3\xAD" "as, para preguntarle si recibi\xC3\xB3 "
                        "la ayuda que necesitaba. Los mensajes no dir\xC3\xA1n qu\xC3\xA9 "
                        "ayuda necesita. Responda STOP para parar, AYUDA para recibir ayuda. "
                        "Pueden aplicarse tarifas de mensajes y datos.");
    int one[] = {DAY};
    contains(consent("es", one, 1), "1 mensaje de texto, dentro de 1 d\xC3\xAD" "a,");
    int mixed[] = {3600, 2 * DAY, 7 * DAY};
    contains(consent("es", mixed, 3), "dentro de 1 hora, 2 y 7 d\xC3\xAD" "as,");
}

static void consent_rejects_bad_input(void **state)
{
    (void)state;
    char out[512];
    int two[] = {7 * DAY, 14 * DAY}, neg[] = {-1};
    assert_int_equal(sms_consent_text("en", CLINIC, two, 0, out, sizeof out), SG_EINVAL);
    assert_int_equal(sms_consent_text("en", CLINIC, neg, 1, out, sizeof out), SG_EINVAL);
    assert_int_equal(sms_consent_text("en", NULL, two, 2, out, sizeof out), SG_EINVAL);
    assert_int_equal(sms_consent_text("en", "", two, 2, out, sizeof out), SG_EINVAL);
    assert_int_equal(sms_consent_text("en", CLINIC, NULL, 2, out, sizeof out), SG_EINVAL);
    assert_int_equal(sms_consent_text("en", CLINIC, two, 2, out, 50), SG_ETOOBIG);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(english_reminder_is_exact),
        cmocka_unit_test(spanish_texts_are_exact),
        cmocka_unit_test(every_text_fits_one_segment),
        cmocka_unit_test(check_reports_a_long_clinic_name),
        cmocka_unit_test(longest_clinic_name),
        cmocka_unit_test(check_reports_a_name_that_needs_ucs2),
        cmocka_unit_test(check_rejects_bad_vars),
        cmocka_unit_test(help_has_every_required_part),
        cmocka_unit_test(confirmations_say_what_happens),
        cmocka_unit_test(language_fallback),
        cmocka_unit_test(render_is_capped),
        cmocka_unit_test(consent_english),
        cmocka_unit_test(consent_spanish),
        cmocka_unit_test(consent_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
