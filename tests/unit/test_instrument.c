/*
 * The instrument loader: the shipped file loads with every item, and each
 * kind of malformed file is refused with a message naming the problem.
 */
#include "helpers.h"

static void shipped_instrument(void **state)
{
    (void)state;
    sg_instrument *loaded = load_core();
    int es = instrument_lang(loaded, "es");

    assert_int_equal(loaded->nitems, 10);
    assert_int_equal(loaded->ndomains, 6);
    assert_true(es >= 0);
    assert_string_equal(loaded->langs[es].status, "translation");
    assert_non_null(loaded->langs[es].review_status);
    assert_string_equal(loaded->items[0].text[0], "What is your living situation today?");
    assert_true(loaded->items[1].multi);
    assert_non_null(loaded->items[2].preamble[0]);
    assert_non_null(strstr(loaded->public_json[es], "\"language\":\"es\""));
    instrument_free(loaded);
}

/* Loads the shipped file with one substitution and expects err to mention want. */
static void broken(const char *from, const char *to, const char *want)
{
    FILE *f = fopen(INSTRUMENT_PATH, "r");
    char *text = calloc(1, 256 * 1024), *hit, path[64], err[512];
    sg_instrument *loaded = NULL;
    size_t n;

    assert_non_null(f);
    n = fread(text, 1, 256 * 1024 - 1, f);
    fclose(f);
    text[n] = '\0';
    hit = strstr(text, from);
    assert_non_null(hit);
    size_t head = (size_t)(hit - text), tail = strlen(hit + strlen(from));
    char *out = calloc(1, n + strlen(to) + 1);
    memcpy(out, text, head);
    memcpy(out + head, to, strlen(to));
    memcpy(out + head + strlen(to), hit + strlen(from), tail + 1);
    write_temp(path, sizeof path, out);
    assert_int_equal(instrument_load(path, &loaded, err, sizeof err), SG_EINVAL);
    assert_null(loaded);
    if (!strstr(err, want))
        fail_msg("expected \"%s\" in: %s", want, err);
    unlink(path);
    free(text);
    free(out);
}

static void malformed_files(void **state)
{
    (void)state;
    broken("\"format\": \"signpost-instrument/1\"", "\"format\": \"other\"", "format");
    broken("\"type\": \"multi\"", "\"type\": \"many\"", "items[1].type");
    broken("\"code\": \"LA31993-1\"", "\"code\": \"LA31994-9\"", "listed twice");
    broken("\"kind\": \"points_at_least\"", "\"kind\": \"sum\"", "unknown rule");
    broken("\"code\": \"LA32002-0\"", "\"code\": \"LA32002-X\"",
           "not an option of the rule's items");
    broken("\"threshold\": 11", "\"threshold\": \"eleven\"", "threshold");
    broken("\"format\"", "{\"format\"", ":2:3: ");
    /* A language the kiosk could never be asked for. */
    broken("\"code\": \"es\"", "\"code\": \"a,\"", "languages[1].code");
    broken("\"code\": \"es\"", "\"code\": \"ES\"", "languages[1].code");
}

static void missing_file(void **state)
{
    (void)state;
    sg_instrument *loaded = NULL;
    char err[256];
    assert_int_equal(instrument_load("/nonexistent/x.json", &loaded, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "/nonexistent/x.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_instrument),
        cmocka_unit_test(malformed_files),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
