/*
 * Reply classification: every keyword in English and Spanish in the forms
 * phones send them (capitals, accents, punctuation, spaces, courtesy
 * words), YES before and after an opt-out, revocation phrases anywhere in
 * a text, sentences that merely contain a keyword (which must stay
 * "other"), and the 1600-byte bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "signpost/sms.h"

static void expect(const char *body, int opted_out, sms_reply want)
{
    sms_reply got = sms_classify_reply(body, opted_out);
    if (got != want)
        fail_msg("\"%s\" (opted_out=%d): got %s, want %s", body ? body : "(null)", opted_out,
                 sms_reply_name(got), sms_reply_name(want));
}

/* The same answer whether or not the number is opted out. */
static void expect_both(const char *body, sms_reply want)
{
    expect(body, 0, want);
    expect(body, 1, want);
}

static void every_stop_keyword(void **state)
{
    (void)state;
    static const char *const words[] = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END",
                                        "QUIT", "REVOKE", "OPTOUT", "PARAR", "ALTO",
                                        "CANCELAR", "BASTA"};
    char buf[64];
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        expect_both(words[i], REPLY_STOP);
        for (size_t k = 0; k < strlen(words[i]); k++) /* lower case */
            buf[k] = (char)(words[i][k] - 'A' + 'a');
        buf[strlen(words[i])] = '\0';
        expect_both(buf, REPLY_STOP);
        snprintf(buf, sizeof buf, "  %s!!\n", words[i]);
        expect_both(buf, REPLY_STOP);
    }
    expect_both("Stop.", REPLY_STOP);
    expect_both("S T O P", REPLY_STOP);
    expect_both("Stop all", REPLY_STOP);
    expect_both("opt-out", REPLY_STOP);
    expect_both("Opt out", REPLY_STOP);
    expect_both("\xC2\xA1" "Basta!", REPLY_STOP);
    expect_both("STOP STOP STOP", REPLY_STOP);
    expect_both("Stop please", REPLY_STOP);
    expect_both("please stop, thank you", REPLY_STOP);
    expect_both("Parar por favor", REPLY_STOP);
    expect_both("cancelar gracias", REPLY_STOP);
}

static void start_and_help_keywords(void **state)
{
    (void)state;
    expect_both("START", REPLY_START);
    expect_both("start", REPLY_START);
    expect_both("Unstop", REPLY_START);
    expect_both("UN-STOP", REPLY_START);
    expect_both("HELP", REPLY_HELP);
    expect_both("help?", REPLY_HELP);
    expect_both("Info", REPLY_HELP);
    expect_both("AYUDA", REPLY_HELP);
    expect_both("\xC2\xBF" "ayuda?", REPLY_HELP);
}

static void yes_means_start_only_when_opted_out(void **state)
{
    (void)state;
    expect("YES", 0, REPLY_CONNECTED);
    expect("YES", 1, REPLY_START);
    expect("yes please", 1, REPLY_START);
    expect("Si", 0, REPLY_CONNECTED);
    expect("S\xC3\xAD", 0, REPLY_CONNECTED); /* Sí */
    expect("S\xC3\x8D", 1, REPLY_START);     /* SÍ */
    expect("si", 1, REPLY_START);
    /* "1" is an answer, never a re-subscription */
    expect("1", 1, REPLY_CONNECTED);
}

static void connected_answers(void **state)
{
    (void)state;
    static const char *const yes[] = {"1", " 1 ", "1.", "#1", "1!", "1 thanks", "yes", "Yes!",
                                      "y", "Y", "yeah", "yep", "si", "S\xC3\xAD", "S\xC3\xAD, gracias",
                                      "yes I did", "Yes, I did.", "I did", "ya", "Ya lo hice",
                                      "s\xC3\xAD lo hice", "si pude", "ok 1"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        expect(yes[i], 0, REPLY_CONNECTED);
}

static void not_yet_answers(void **state)
{
    (void)state;
    static const char *const notyet[] = {"2", "2.", "no", "No", "NO!", "n", "nope",
                                         "not yet", "Not yet.", "No, not yet",
                                         "todav\xC3\xAD" "a no", "Todavia no", "a\xC3\xBAn no",
                                         "aun no", "No, todav\xC3\xAD" "a no", "no pude",
                                         "no thanks", "2 gracias"};
    for (size_t i = 0; i < sizeof notyet / sizeof notyet[0]; i++)
        expect_both(notyet[i], REPLY_NOT_YET);
}

static void need_help_answers(void **state)
{
    (void)state;
    static const char *const need[] = {"3", "3)", "need help", "Need help!", "I need help",
                                       "more help", "need more help", "I need more help",
                                       "necesito ayuda", "Necesito m\xC3\xA1s ayuda",
                                       "m\xC3\xA1s ayuda", "3 please"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        expect_both(need[i], REPLY_NEED_HELP);
}

static void revocation_phrases_anywhere(void **state)
{
    (void)state;
    static const char *const stop[] = {
        "stop texting me", "Please stop texting me!!", "STOP SENDING ME THESE",
        "Don't text me again", "don\xE2\x80\x99t text me", "do not text this number",
        "no more texts please", "I want no more messages", "Leave me alone.",
        "unsubscribe me", "Please unsubscribe me from this", "I want to opt out",
        "take me off your list", "remove me from this list", "wrong number",
        "No me escriban", "por favor no me escriban m\xC3\xA1s",
        "No me manden mensajes", "no me mande mensajes", "Dejen de escribirme",
        "deja de escribirme por favor", "no m\xC3\xA1s mensajes", "no quiero recibir mensajes",
        "Hola, n\xC3\xBAmero equivocado", "thanks for the help but stop texting me",
        "2 but stop texting me"};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        expect_both(stop[i], REPLY_STOP);
}

static void keywords_inside_sentences_are_not_keywords(void **state)
{
    (void)state;
    static const char *const other[] = {
        "Did you stop by?", "I will stop by tomorrow", "the bus stop was too far",
        "I had to stop at the pharmacy", "Can you help me find food?", "help with rent",
        "Is this the end of the program?", "I quit my job", "cancel my appointment Tuesday",
        "yes and no", "1 2 3", "12", "Text me the address", "no se", "What is this?",
        "ok", "thanks", "gracias", "", "   ", "?!", "\xF0\x9F\x91\x8D", "stopp", "stopping",
        "nonstop", "starting", "helpful", "I did not", "yes no", "the end", "Alto Pass",
        "no more food at home", "stop sign", "We have no more textbooks",
        "I was nonstop texting my sister"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        expect_both(other[i], REPLY_OTHER);
    expect_both(NULL, REPLY_OTHER);
}

static void garbage_bytes_do_not_crash(void **state)
{
    (void)state;
    expect_both("\xC3", REPLY_OTHER);
    expect_both("\xFF\xFE", REPLY_OTHER);
    expect_both("STOP\xC3", REPLY_STOP);
    expect_both("\xE2\x80", REPLY_OTHER);
}

static void only_the_first_1600_bytes(void **state)
{
    (void)state;
    char buf[4096];

    /* a phrase inside the first 1600 bytes counts */
    memset(buf, 'x', sizeof buf);
    buf[0] = ' ';
    memcpy(buf + 1500, " stop texting me ", 17);
    buf[3000] = '\0';
    expect_both(buf, REPLY_STOP);

    /* ... one that starts past it does not */
    memset(buf, 'x', sizeof buf);
    memcpy(buf + 1600, " stop texting me ", 17);
    buf[3000] = '\0';
    expect_both(buf, REPLY_OTHER);

    /* a phrase cut by the limit does not count either */
    memset(buf, 'x', sizeof buf);
    memcpy(buf + 1590, " stop texting me ", 17);
    buf[3000] = '\0';
    expect_both(buf, REPLY_OTHER);

    /* a keyword followed by padding past the limit is still the whole message */
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "STOP", 4);
    buf[sizeof buf - 1] = '\0';
    expect_both(buf, REPLY_STOP);

    /* the longest folded input: 1600 letters */
    memset(buf, 'a', sizeof buf);
    buf[sizeof buf - 1] = '\0';
    expect_both(buf, REPLY_OTHER);

    /* a two-byte character cut at byte 1600 */
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "no", 2);
    memcpy(buf + 1599, "\xC3\xA1", 2);
    buf[1700] = '\0';
    expect_both(buf, REPLY_NOT_YET);
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(sms_reply_name(REPLY_OTHER), "other");
    assert_string_equal(sms_reply_name(REPLY_STOP), "stop");
    assert_string_equal(sms_reply_name(REPLY_START), "start");
    assert_string_equal(sms_reply_name(REPLY_HELP), "help");
    assert_string_equal(sms_reply_name(REPLY_CONNECTED), "connected");
    assert_string_equal(sms_reply_name(REPLY_NOT_YET), "not_yet");
    assert_string_equal(sms_reply_name(REPLY_NEED_HELP), "need_help");
    assert_string_equal(sms_reply_name((sms_reply)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_stop_keyword),
        cmocka_unit_test(start_and_help_keywords),
        cmocka_unit_test(yes_means_start_only_when_opted_out),
        cmocka_unit_test(connected_answers),
        cmocka_unit_test(not_yet_answers),
        cmocka_unit_test(need_help_answers),
        cmocka_unit_test(revocation_phrases_anywhere),
        cmocka_unit_test(keywords_inside_sentences_are_not_keywords),
        cmocka_unit_test(garbage_bytes_do_not_crash),
        cmocka_unit_test(only_the_first_1600_bytes),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
