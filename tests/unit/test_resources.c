/*
 * The directory-upkeep helpers: a search box's words as an FTS5 query
 * that no typed character can turn into syntax, the staleness cut-off
 * (which must agree with the kiosk's rule), hours as staff read them,
 * checking a curation change field by field, merging it, and storing it
 * together with its audit row (or, refused, storing neither).
 */
#include <jansson.h>
#include <sqlite3.h>
#include "helpers.h"
#include "signpost/resources.h"

/* ---- search words ------------------------------------------------- */

static void fts_query_quotes_every_word(void **state)
{
    char q[RES_FTS_MAX];
    char long_text[RES_TEXT_MAX + 2];
    (void)state;

    assert_int_equal(res_fts_query("food", q, sizeof q), SG_OK);
    assert_string_equal(q, "\"food\"*");
    assert_int_equal(res_fts_query("  food\tpantry ", q, sizeof q), SG_OK);
    assert_string_equal(q, "\"food\"* \"pantry\"*");
    /* FTS5 operators and punctuation are words like any other. */
    assert_int_equal(res_fts_query("NOT food OR x* (a) NEAR", q, sizeof q), SG_OK);
    assert_string_equal(q, "\"NOT\"* \"food\"* \"OR\"* \"x*\"* \"(a)\"* \"NEAR\"*");
    /* A quote can never close the quoting: it splits words instead. */
    assert_int_equal(res_fts_query("al\"-noor\"", q, sizeof q), SG_OK);
    assert_string_equal(q, "\"al\"* \"-noor\"*");
    assert_int_equal(res_fts_query("despensa café", q, sizeof q), SG_OK);
    assert_string_equal(q, "\"despensa\"* \"café\"*");
    assert_int_equal(res_fts_query(" - ... \"\" ", q, sizeof q), SG_ENOTFOUND);
    assert_int_equal(res_fts_query("", q, sizeof q), SG_ENOTFOUND);
    assert_int_equal(res_fts_query(NULL, q, sizeof q), SG_ENOTFOUND);
    assert_int_equal(res_fts_query("a b c d e f g h i j k l m n o p", q, sizeof q),
                     SG_OK);
    assert_int_equal(res_fts_query("a b c d e f g h i j k l m n o p q", q, sizeof q),
                     SG_ETOOBIG);
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    assert_int_equal(res_fts_query(long_text, q, sizeof q), SG_ETOOBIG);
    long_text[RES_TEXT_MAX] = '\0';
    assert_int_equal(res_fts_query(long_text, q, sizeof q), SG_OK);
}

static void stale_cut_off_agrees_with_the_kiosk(void **state)
{
    static const char *const checks[] = {"2026-06-01", "2026-06-02", "2026-06-03",
                                         "2025-12-31", "2026-11-29", ""};
    char before[11];
    dir_curation c;
    (void)state;

    res_stale_before(20261129, 180, before);
    assert_string_equal(before, "2026-06-02");
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        memset(&c, 0, sizeof c);
        snprintf(c.verified_on, sizeof c.verified_on, "%s", checks[i]);
        /* SQL says stale when the last check sorts before the cut-off. */
        assert_int_equal(strcmp(checks[i], before) < 0,
                         directory_is_stale(&c, "", 20261129, 180));
    }
    res_stale_before(20240301, 1, before);
    assert_string_equal(before, "2024-02-29");
}

/* ---- hours ------------------------------------------------------- */

static schedule_rule weekly(const char *byday, int opens, int closes)
{
    schedule_rule r;
    memset(&r, 0, sizeof r);
    r.freq = SCHED_WEEKLY;
    r.interval = 1;
    assert_int_equal(schedule_parse_byday(byday, &r), 0);
    r.opens = (short)opens;
    r.closes = (short)closes;
    return r;
}

static void hours_read_as_staff_say_them(void **state)
{
    schedule_rule r[4];
    char out[200], tiny[24];
    (void)state;

    r[0] = weekly("MO,TU,WE,TH", 9 * 60, 20 * 60);
    r[1] = weekly("FR,SA", 9 * 60, 17 * 60);
    r[2] = weekly("SU", 13 * 60, 17 * 60 + 30);
    res_hours_text(r, 3, out, sizeof out);
    assert_string_equal(out, "Mon-Thu 9 am-8 pm; Fri, Sat 9 am-5 pm; Sun 1 pm-5:30 pm");

    r[0] = weekly("", 19 * 60, 7 * 60); /* every night, overnight */
    r[1] = weekly("MO,WE,FR", 8 * 60, 12 * 60);
    r[2] = weekly("SA", 0, 1440);
    res_hours_text(r, 3, out, sizeof out);
    assert_string_equal(out, "every day 7 pm-7 am (next day); Mon, Wed, Fri 8 am-noon;"
                             " Sat open 24 hours");

    memset(&r[0], 0, sizeof r[0]);
    r[0].freq = SCHED_MONTHLY;
    r[0].interval = 1;
    assert_int_equal(schedule_parse_byday("1SA,3SA,-1FR", &r[0]), 0);
    r[0].opens = 10 * 60;
    r[0].closes = 12 * 60;
    r[1] = weekly("", 0, 0);
    r[1].kind = SCHED_CLOSURE;
    r[1].valid_from = r[1].valid_to = 20261225;
    res_hours_text(r, 2, out, sizeof out);
    assert_string_equal(out, "last Fri and 1st, 3rd Sat of the month 10 am-noon;"
                             " closed 2026-12-25");

    res_hours_text(r, 0, out, sizeof out);
    assert_string_equal(out, "");
    r[0] = weekly("MO,TU,WE,TH", 9 * 60, 20 * 60);
    r[1] = weekly("FR,SA", 9 * 60, 17 * 60);
    res_hours_text(r, 2, tiny, sizeof tiny);
    assert_true(strlen(tiny) < sizeof tiny);
    assert_non_null(strstr(tiny, "..."));
}

/* ---- curation changes -------------------------------------------- */

static sg_rc parse(const char *json, curation_patch *p, sg_field_error *e)
{
    json_t *body = json_loads(json, 0, NULL);
    sg_rc rc;

    assert_non_null(body);
    rc = curation_patch_parse(body, p, e);
    json_decref(body);
    return rc;
}

static void refused(const char *json, int status, const char *field)
{
    curation_patch p;
    sg_field_error e;

    if (parse(json, &p, &e) != SG_EINVAL)
        fail_msg("accepted: %s", json);
    assert_int_equal(e.status, status);
    assert_string_equal(e.field, field);
    assert_non_null(strstr(e.message, field));
}

static void patch_checks_every_field(void **state)
{
    curation_patch p;
    sg_field_error e;
    char json[1024];
    (void)state;

    assert_int_equal(
        parse("{\"contact_name\":\"Rosa Díaz\",\"contact_phone\":\"(217) 555-0199\","
              "\"ask_for\":{\"en\":\"the emergency box\",\"es\":null},"
              "\"priority\":-9,\"pinned\":true,\"hidden\":false,"
              "\"notes\":\"side door\\nafter 3 pm\"}",
              &p, &e),
        SG_OK);
    assert_int_equal(p.set, CUR_CONTACT_NAME | CUR_CONTACT_PHONE | CUR_ASK_FOR |
                                CUR_PRIORITY | CUR_PINNED | CUR_HIDDEN | CUR_NOTES);
    assert_string_equal(p.contact_name, "Rosa Díaz");
    assert_int_equal(p.priority, -9);
    assert_int_equal(p.pinned, 1);
    assert_int_equal(p.nask_for, 2);
    assert_int_equal(parse("{\"priority\":0}", &p, &e), SG_OK);
    assert_int_equal(p.set, CUR_PRIORITY);

    refused("{\"prio\":1}", 400, "prio");
    refused("{\"verified_on\":\"2026-01-01\"}", 400, "verified_on"); /* only by /verify */
    refused("{\"priority\":1,\"x\":1}", 400, "x"); /* every key before any value */
    refused("{}", 400, "body");
    refused("[1]", 400, "body");
    refused("{\"priority\":10}", 422, "priority");
    refused("{\"priority\":\"3\"}", 422, "priority");
    refused("{\"priority\":1.5}", 422, "priority");
    refused("{\"pinned\":1}", 422, "pinned");
    refused("{\"hidden\":\"yes\"}", 422, "hidden");
    refused("{\"contact_name\":\"two\\nlines\"}", 422, "contact_name");
    refused("{\"contact_phone\":\"call me\"}", 422, "contact_phone");
    refused("{\"contact_phone\":7}", 422, "contact_phone");
    refused("{\"ask_for\":\"food\"}", 422, "ask_for");
    refused("{\"ask_for\":{\"EN\":\"x\"}}", 422, "ask_for.EN");
    refused("{\"ask_for\":{\"en\":\"tab\\tinside\"}}", 422, "ask_for.en");
    refused("{\"ask_for\":{\"a\":\"x\",\"b\":\"x\",\"c\":\"x\",\"d\":\"x\",\"e\":\"x\"}}",
            422, "ask_for");
    refused("{\"notes\":\"bell\\u0007\"}", 422, "notes");

    /* Lengths are the record's: 95 bytes fit a 96-byte field, 96 do not. */
    snprintf(json, sizeof json, "{\"contact_name\":\"%095d\"}", 0);
    assert_int_equal(parse(json, &p, &e), SG_OK);
    snprintf(json, sizeof json, "{\"contact_name\":\"%096d\"}", 0);
    refused(json, 422, "contact_name");
    snprintf(json, sizeof json, "{\"notes\":\"%0600d\"}", 0);
    refused(json, 422, "notes");
}

static void merge_keeps_what_was_not_named(void **state)
{
    dir_curation c;
    curation_patch p;
    sg_field_error e;
    (void)state;

    memset(&c, 0, sizeof c);
    snprintf(c.contact_name, sizeof c.contact_name, "Ana");
    c.priority = 2;
    assert_int_equal(
        parse("{\"ask_for\":{\"en\":\"the box\",\"es\":\"la caja\",\"vi\":\"x\"}}", &p,
              &e),
        SG_OK);
    assert_int_equal(curation_patch_apply(&p, &c, &e), SG_OK);
    assert_int_equal(c.nask_for, 3);
    assert_string_equal(curation_ask_for(&c, "es"), "la caja");
    assert_string_equal(c.contact_name, "Ana"); /* not named: kept */
    assert_int_equal(c.priority, 2);

    /* "" removes one; the rest keep their order. */
    assert_int_equal(parse("{\"ask_for\":{\"en\":\"\"},\"priority\":-1}", &p, &e), SG_OK);
    assert_int_equal(curation_patch_apply(&p, &c, &e), SG_OK);
    assert_int_equal(c.nask_for, 2);
    assert_string_equal(c.ask_for[0].lang, "es");
    assert_string_equal(c.ask_for[1].lang, "vi");
    assert_int_equal(c.priority, -1);

    /* Full up: a fifth language is refused and nothing changes... */
    assert_int_equal(parse("{\"ask_for\":{\"fr\":\"a\",\"de\":\"b\"}}", &p, &e), SG_OK);
    assert_int_equal(curation_patch_apply(&p, &c, &e), SG_OK);
    assert_int_equal(c.nask_for, 4);
    assert_int_equal(parse("{\"ask_for\":{\"so\":\"c\"},\"priority\":5}", &p, &e), SG_OK);
    assert_int_equal(curation_patch_apply(&p, &c, &e), SG_EINVAL);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "ask_for");
    assert_int_equal(c.nask_for, 4);
    assert_int_equal(c.priority, -1);
    /* ...but one request may swap a language for another. */
    assert_int_equal(parse("{\"ask_for\":{\"so\":\"c\",\"vi\":null}}", &p, &e), SG_OK);
    assert_int_equal(curation_patch_apply(&p, &c, &e), SG_OK);
    assert_int_equal(c.nask_for, 4);
    assert_string_equal(curation_ask_for(&c, "so"), "c");
    assert_string_equal(curation_ask_for(&c, "vi"), ""); /* no English left either */
}

/* ---- the store: the change and its audit row together ------------ */

static char dir[] = "/tmp/signpost-resources-XXXXXX";

static long long count(const char *sql)
{
    return temp_db_count(dir, sql);
}

/* Makes every audit insert fail, as a full disk or a broken file would. */
static void block_audit(void)
{
    temp_db_exec(dir,
                 "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log"
                 " BEGIN SELECT RAISE(ABORT, 'audit refused'); END",
                 0);
}

static void update_writes_record_and_audit_together(void **state)
{
    audit_entry why = {7,          "nav", "resource.update", "svc-1", "fields=priority",
                       "127.0.0.1"};
    sg_store *st = temp_store_open(dir, 1);
    dir_curation c, got;
    curation_patch p;
    sg_field_error e;
    (void)state;

    assert_int_equal(parse("{\"priority\":3,\"ask_for\":{\"es\":\"la caja\"}}", &p, &e),
                     SG_OK);
    assert_int_equal(store_curation_update(st, "svc-1", &p, &why, &c, &e), SG_OK);
    assert_int_equal(c.priority, 3);
    assert_int_equal(strlen(c.updated_at), 20);
    assert_int_equal(store_curation_get(st, "svc-1", &got), SG_OK);
    assert_int_equal(got.priority, 3);
    assert_string_equal(got.updated_at, c.updated_at);
    assert_string_equal(curation_ask_for(&got, "es"), "la caja");
    assert_int_equal(
        count("SELECT count(*) FROM audit_log WHERE action = 'resource.update'"
              " AND target = 'svc-1' AND username = 'nav'"),
        1);

    /* A second change merges into the stored record, not a stale copy. */
    assert_int_equal(parse("{\"pinned\":true}", &p, &e), SG_OK);
    assert_int_equal(store_curation_update(st, "svc-1", &p, &why, &c, &e), SG_OK);
    assert_int_equal(store_curation_get(st, "svc-1", &got), SG_OK);
    assert_int_equal(got.priority, 3);
    assert_int_equal(got.pinned, 1);

    /* Refused while merging: neither the record nor an audit row. */
    assert_int_equal(
        parse("{\"ask_for\":{\"aa\":\"1\",\"bb\":\"2\",\"cc\":\"3\",\"dd\":\"4\"}}", &p,
              &e),
        SG_OK);
    assert_int_equal(store_curation_update(st, "svc-1", &p, &why, &c, &e), SG_EINVAL);
    assert_string_equal(e.field, "ask_for");
    assert_int_equal(count("SELECT count(*) FROM audit_log"), 2);
    assert_int_equal(store_curation_get(st, "svc-1", &got), SG_OK);
    assert_int_equal(got.nask_for, 1);

    /* A refused audit row takes the change back with it. */
    block_audit();
    assert_int_equal(parse("{\"priority\":-4}", &p, &e), SG_OK);
    assert_int_equal(store_curation_update(st, "svc-1", &p, &why, &c, &e), SG_EDB);
    assert_int_equal(store_curation_get(st, "svc-1", &got), SG_OK);
    assert_int_equal(got.priority, 3);
    temp_store_remove(st, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fts_query_quotes_every_word),
        cmocka_unit_test(stale_cut_off_agrees_with_the_kiosk),
        cmocka_unit_test(hours_read_as_staff_say_them),
        cmocka_unit_test(patch_checks_every_field),
        cmocka_unit_test(merge_keeps_what_was_not_named),
        cmocka_unit_test(update_writes_record_and_audit_together),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
