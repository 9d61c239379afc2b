/*
 * The pure ranker (match_rank): what is never offered (hidden, inactive,
 * beyond the radius, the wrong age), what comes first (pinned, then the
 * score: taxonomy over keyword, open now, the patient's language, nearer,
 * clinic priority, patients' outcomes), and what the patient and staff read
 * (contact, what to ask for in their language, hours, staleness, why).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "signpost/directory.h"

#define KIOSK_LAT 39.7990
#define KIOSK_LON -89.6440
#define TUESDAY 20261124 /* a Tuesday */

/* Open 9-17 every weekday. */
static const schedule_rule weekdays = {SCHED_WEEKLY, SCHED_OPENING, 1, 0x1f, {0}, 0, 0,
                                       9 * 60, 17 * 60, 0, 0, 0, 0};

static match_candidate cand(const char *id, const char *name, double km_north)
{
    match_candidate c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.name = name;
    c.organization = "Org";
    c.phone = "217-555-0100";
    c.address = "1 Main St";
    c.url = "";
    c.status = "active";
    c.languages = "en";
    c.latitude = isnan(km_north) ? NAN : KIOSK_LAT + km_north / 111.2;
    c.longitude = isnan(km_north) ? NAN : KIOSK_LON;
    c.min_age = c.max_age = NAN;
    c.how = 2;
    c.matched = "Food Pantry";
    c.rules = &weekdays;
    c.nrules = 1;
    return c;
}

static match_query query(const char *lang)
{
    match_query q = {1, lang, KIOSK_LAT, KIOSK_LON, 0, 3, TUESDAY, 10 * 60, -1, 180};
    return q;
}

static size_t rank(const match_candidate *c, size_t n, const match_query *q, sg_resource *out)
{
    return match_rank(c, n, q, 0, out, 8);
}

static void never_offered(void **state)
{
    dir_curation hidden = {.service_id = "h", .hidden = 1};
    match_candidate c[5] = {cand("ok", "Ok", 1), cand("h", "Hidden", 1),
                            cand("in", "Inactive", 1), cand("tc", "Closed for now", 1),
                            cand("far", "Far", 40)};
    match_query q = query("en");
    sg_resource out[8];
    (void)state;

    c[1].cur = &hidden;
    c[2].status = "inactive";
    c[3].status = "temporarily closed";
    q.radius_km = 25;
    assert_int_equal(rank(c, 5, &q, out), 1);
    assert_string_equal(out[0].service_id, "ok");
}

static void age_is_checked_only_when_known(void **state)
{
    match_candidate c[2] = {cand("adult", "Adults only", 1), cand("any", "Anyone", 2)};
    match_query q = query("en");
    sg_resource out[8];
    (void)state;

    c[0].min_age = 18;
    assert_int_equal(rank(c, 2, &q, out), 2);
    q.age = 16;
    assert_int_equal(rank(c, 2, &q, out), 1);
    assert_string_equal(out[0].service_id, "any");
}

static void pinned_first_even_when_far_and_closed(void **state)
{
    dir_curation pin = {.service_id = "p", .pinned = 1};
    match_candidate c[3] = {cand("a", "Near", 0.5), cand("b", "Near too", 0.7),
                            cand("p", "Pinned", 15)};
    match_query q = query("en");
    sg_resource out[8];
    (void)state;

    c[2].cur = &pin;
    c[2].nrules = 0; /* hours unknown */
    assert_int_equal(rank(c, 3, &q, out), 3);
    assert_string_equal(out[0].service_id, "p");
    assert_non_null(strstr(out[0].why, "pinned"));
}

static void signals_order_equal_candidates(void **state)
{
    match_query q = query("en");
    sg_resource out[8];
    (void)state;

    /* Taxonomy over keyword. */
    match_candidate c[2] = {cand("kw", "A keyword", 1), cand("term", "B term", 1)};
    c[0].how = 1;
    c[0].matched = "pantry";
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "term");
    assert_non_null(strstr(out[1].why, "keyword \"pantry\""));

    /* Open now over hours unknown. */
    c[0] = cand("unknown", "A unknown", 1);
    c[0].nrules = 0;
    c[1] = cand("open", "B open", 1);
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "open");
    assert_int_equal(out[0].open_now, 1);
    assert_int_equal(out[1].open_now, -1);
    assert_string_equal(out[1].hours, "");

    /* Nearer wins when nothing else differs. */
    c[0] = cand("far", "A far", 8);
    c[1] = cand("near", "B near", 1);
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "near");
    assert_true(out[0].distance_km > 0.9 && out[0].distance_km < 1.1);
}

static void language_priority_and_outcomes(void **state)
{
    dir_curation raised = {.service_id = "r", .priority = 3};
    match_candidate c[2] = {cand("en", "A English", 1), cand("es", "B Spanish", 3)};
    match_query q = query("es");
    sg_resource out[8];
    (void)state;

    c[1].languages = "en,es";
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "es");
    assert_non_null(strstr(out[0].why, "speaks es"));
    q.lang = "en"; /* English speakers are served by both: distance decides */
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "en");

    c[0] = cand("a", "A", 1);
    c[1] = cand("r", "R raised", 6);
    c[1].cur = &raised;
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "r");
    assert_non_null(strstr(out[0].why, "priority +3"));

    c[0] = cand("poor", "A poor", 1);
    c[0].outcomes_connected = 1;
    c[0].outcomes_total = 10;
    c[1] = cand("good", "B good", 1);
    c[1].outcomes_connected = 9;
    c[1].outcomes_total = 10;
    rank(c, 2, &q, out);
    assert_string_equal(out[0].service_id, "good");
    assert_non_null(strstr(out[0].why, "9 of 10 reached it"));
}

static void caps_and_ties(void **state)
{
    match_candidate c[6];
    match_query q = query("en");
    sg_resource out[8];
    const char *names[] = {"F", "E", "D", "C", "B", "A"};
    (void)state;

    for (int i = 0; i < 6; i++)
        c[i] = cand(names[i], names[i], 2);
    assert_int_equal(rank(c, 6, &q, out), 3);
    assert_string_equal(out[0].name, "A");
    assert_string_equal(out[1].name, "B");
    assert_string_equal(out[2].name, "C");
    assert_int_equal(match_rank(c, 6, &q, 0, out, 2), 2);
    q.per_domain = 0;
    assert_int_equal(rank(c, 6, &q, out), 0);
    assert_int_equal(rank(c, 0, &q, out), 0);
}

static void curated_words_reach_the_patient(void **state)
{
    dir_curation cur = {.service_id = "c", .contact_name = "Ana Ruiz",
                        .contact_phone = "217-555-0199", .nask_for = 2,
                        .verified_on = "2026-10-01"};
    match_candidate c = cand("c", "Curated", 1);
    match_query q = query("es");
    sg_resource out[1];
    (void)state;

    snprintf(cur.ask_for[0].lang, sizeof cur.ask_for[0].lang, "en");
    snprintf(cur.ask_for[0].text, sizeof cur.ask_for[0].text, "the emergency food box");
    snprintf(cur.ask_for[1].lang, sizeof cur.ask_for[1].lang, "es");
    snprintf(cur.ask_for[1].text, sizeof cur.ask_for[1].text, "la caja de comida de emergencia");
    c.cur = &cur;
    assert_int_equal(match_rank(&c, 1, &q, 2, out, 1), 1);
    assert_int_equal(out[0].domain, 2);
    assert_string_equal(out[0].contact, "Ana Ruiz, 217-555-0199");
    assert_string_equal(out[0].ask_for, "la caja de comida de emergencia");
    assert_string_equal(out[0].hours, "Abierto ahora hasta las 5 p. m.");
    assert_int_equal(out[0].stale, 0);
    q.lang = "fr"; /* no French text: English */
    match_rank(&c, 1, &q, 2, out, 1);
    assert_string_equal(out[0].ask_for, "the emergency food box");
    q.date = 20270601; /* eight months later: stale */
    match_rank(&c, 1, &q, 2, out, 1);
    assert_int_equal(out[0].stale, 1);
    assert_non_null(strstr(out[0].why, "not verified in 180 days"));
    c.cur = NULL; /* never verified */
    match_rank(&c, 1, &q, 2, out, 1);
    assert_int_equal(out[0].stale, 1);
    assert_string_equal(out[0].contact, "");
}

static void stale_rule(void **state)
{
    dir_curation c = {.verified_on = "2026-06-01"};
    (void)state;
    assert_int_equal(directory_is_stale(&c, NULL, 20261128, 180), 0); /* day 180 */
    assert_int_equal(directory_is_stale(&c, "", 20261129, 180), 1);
    assert_int_equal(directory_is_stale(NULL, NULL, 20261129, 180), 1);
    /* The publisher's assurance counts too; the later date wins. */
    assert_int_equal(directory_is_stale(&c, "2026-09-01", 20261129, 180), 0);
    assert_int_equal(directory_is_stale(NULL, "2026-09-01", 20261129, 180), 0);
    assert_int_equal(directory_is_stale(NULL, "2024-02-10", 20261129, 180), 1);
    c.verified_on[0] = '\0';
    assert_int_equal(directory_is_stale(&c, "not a date", 20261129, 180), 1);
}

static void distance(void **state)
{
    (void)state;
    /* Springfield, IL to Chicago, IL: about 280 km. */
    double km = directory_distance_km(39.7990, -89.6440, 41.8781, -87.6298);
    assert_true(km > 275 && km < 290);
    assert_true(directory_distance_km(1, 1, 1, 1) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(never_offered),
        cmocka_unit_test(age_is_checked_only_when_known),
        cmocka_unit_test(pinned_first_even_when_far_and_closed),
        cmocka_unit_test(signals_order_equal_candidates),
        cmocka_unit_test(language_priority_and_outcomes),
        cmocka_unit_test(caps_and_ties),
        cmocka_unit_test(curated_words_reach_the_patient),
        cmocka_unit_test(stale_rule),
        cmocka_unit_test(distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
