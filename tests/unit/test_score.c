/*
 * The CMS AHC HRSN positive-screen rules, domain by domain, at their
 * boundaries, scored through the shipped instrument file.
 */
#include "helpers.h"


static sg_score score_of(const sg_answers *a, int threshold)
{
    sg_score s;
    screening_score(inst, a, threshold, &s);
    return s;
}

static void housing_instability(void **state)
{
    (void)state;
    static const struct { const char *code; int positive; } cases[] = {
        {"LA31993-1", 0}, {"LA31994-9", 1}, {"LA31995-6", 1}};
    for (size_t i = 0; i < 3; i++) {
        sg_answers a = {0};
        answer(inst, &a, "71802-3", cases[i].code);
        sg_score s = score_of(&a, 0);
        assert_int_equal(positive(inst, &s, "housing_instability"), cases[i].positive);
    }
}

static void housing_quality(void **state)
{
    (void)state;
    sg_answers none = {0}, mold = {0}, two = {0};
    answer(inst, &none, "96778-6", "LA9-3");
    answer(inst, &mold, "96778-6", "LA28580-1");
    answer(inst, &two, "96778-6", "LA31996-4");
    answer(inst, &two, "96778-6", "LA32001-2");
    sg_score s1 = score_of(&none, 0), s2 = score_of(&mold, 0), s3 = score_of(&two, 0);
    assert_false(positive(inst, &s1, "housing_quality"));
    assert_true(positive(inst, &s2, "housing_quality"));
    assert_true(positive(inst, &s3, "housing_quality"));
}

static void food_either_item(void **state)
{
    (void)state;
    const char *items[] = {"88122-7", "88123-5"};
    for (int k = 0; k < 2; k++) {
        sg_answers often = {0}, sometimes = {0}, never = {0};
        answer(inst, &often, items[k], "LA28397-0");
        answer(inst, &sometimes, items[k], "LA6729-3");
        answer(inst, &never, items[k], "LA28398-8");
        answer(inst, &never, items[1 - k], "LA28398-8");
        sg_score a = score_of(&often, 0), b = score_of(&sometimes, 0), c = score_of(&never, 0);
        assert_true(positive(inst, &a, "food"));
        assert_true(positive(inst, &b, "food"));
        assert_false(positive(inst, &c, "food"));
    }
}

static void transportation_and_utilities(void **state)
{
    (void)state;
    sg_answers yes = {0}, no = {0}, shut = {0};
    answer(inst, &yes, "93030-5", "LA33-6");
    answer(inst, &yes, "96779-4", "LA33-6");
    answer(inst, &no, "93030-5", "LA32-8");
    answer(inst, &no, "96779-4", "LA32-8");
    answer(inst, &shut, "96779-4", "LA32002-0");
    sg_score y = score_of(&yes, 0), n = score_of(&no, 0), s = score_of(&shut, 0);
    assert_true(positive(inst, &y, "transportation"));
    assert_true(positive(inst, &y, "utilities"));
    assert_false(positive(inst, &n, "transportation"));
    assert_false(positive(inst, &n, "utilities"));
    assert_true(positive(inst, &s, "utilities"));
}

/* Points 1..5 per option: Never, Rarely, Sometimes, Fairly often, Frequently. */
static const char *const freq[] = {NULL, "LA6270-8", "LA10066-1", "LA10082-8", "LA16644-9",
                                   "LA6482-9"};
static const char *const safety_items[] = {"95618-5", "95617-7", "95616-9", "95615-1"};

static sg_answers safety_answers(const int pts[4])
{
    sg_answers a = {0};
    for (int k = 0; k < 4; k++)
        if (pts[k])
            answer(inst, &a, safety_items[k], freq[pts[k]]);
    return a;
}

static void safety_threshold_boundary(void **state)
{
    (void)state;
    int ten[4] = {4, 2, 2, 2}, eleven[4] = {5, 2, 2, 2}, max[4] = {5, 5, 5, 5};
    int min[4] = {1, 1, 1, 1};
    sg_answers a10 = safety_answers(ten), a11 = safety_answers(eleven);
    sg_answers a20 = safety_answers(max), a4 = safety_answers(min);
    int d = instrument_domain_index(inst, "safety");
    sg_score s10 = score_of(&a10, 0), s11 = score_of(&a11, 0);
    sg_score s20 = score_of(&a20, 0), s4 = score_of(&a4, 0);

    assert_int_equal(s10.points[d], 10);
    assert_false(positive(inst, &s10, "safety"));
    assert_int_equal(s11.points[d], 11);
    assert_true(positive(inst, &s11, "safety"));
    assert_int_equal(s20.points[d], 20);
    assert_true(positive(inst, &s20, "safety"));
    assert_int_equal(s4.points[d], 4);
    assert_false(positive(inst, &s4, "safety"));
    assert_true(s10.complete[d]);
    assert_non_null(strstr(s11.rule, "safety>=11 (instrument)"));
}

static void safety_local_threshold(void **state)
{
    (void)state;
    int rarely[4] = {2, 1, 1, 1}, never[4] = {1, 1, 1, 1};
    sg_answers a = safety_answers(rarely), b = safety_answers(never);
    sg_score sa = score_of(&a, 5), sb = score_of(&b, 5);
    assert_true(positive(inst, &sa, "safety"));
    assert_false(positive(inst, &sb, "safety"));
    assert_non_null(strstr(sa.rule, "safety>=5 (local)"));
}

static void safety_skipped_item_is_incomplete(void **state)
{
    (void)state;
    int partial[4] = {5, 5, 5, 0}; /* 15 points, but one item skipped */
    sg_answers a = safety_answers(partial);
    sg_score s = score_of(&a, 0);
    int d = instrument_domain_index(inst, "safety");
    assert_false(s.complete[d]);
    assert_false(positive(inst, &s, "safety"));
}

static void all_skipped_is_all_negative(void **state)
{
    (void)state;
    sg_answers a = {0};
    sg_score s = score_of(&a, 0);
    assert_int_equal(s.positive, 0);
    assert_non_null(strstr(s.rule, "ahc-hrsn-core@"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(housing_instability),
        cmocka_unit_test(housing_quality),
        cmocka_unit_test(food_either_item),
        cmocka_unit_test(transportation_and_utilities),
        cmocka_unit_test(safety_threshold_boundary),
        cmocka_unit_test(safety_local_threshold),
        cmocka_unit_test(safety_skipped_item_is_incomplete),
        cmocka_unit_test(all_skipped_is_all_negative),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
