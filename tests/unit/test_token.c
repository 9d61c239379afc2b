/*
 * Kiosk bearer tokens: a token opens only its own screening, revocation and
 * expiry end it, and a full table drops the oldest entry.
 */
#include "helpers.h"
#include "signpost/token.h"

static void issue_check_revoke(void **state)
{
    (void)state;
    sg_token_table *t = token_table_new(60);
    char a[SG_TOKEN_LEN], b[SG_TOKEN_LEN];

    assert_int_equal(token_issue(t, "screening-a", a), SG_OK);
    assert_int_equal(token_issue(t, "screening-b", b), SG_OK);
    assert_int_equal(strlen(a), SG_TOKEN_LEN - 1);
    assert_string_not_equal(a, b);
    assert_int_equal(token_check(t, "screening-a", a), SG_OK);
    assert_int_equal(token_check(t, "screening-a", b), SG_EAUTH); /* another's token */
    assert_int_equal(token_check(t, "screening-a", NULL), SG_EAUTH);
    assert_int_equal(token_check(t, "screening-a", "short"), SG_EAUTH);
    token_revoke(t, "screening-a");
    assert_int_equal(token_check(t, "screening-a", a), SG_EAUTH);
    assert_int_equal(token_check(t, "screening-b", b), SG_OK);
    token_table_free(t);
    token_table_free(NULL);
}

static void expiry(void **state)
{
    (void)state;
    sg_token_table *t = token_table_new(1);
    char a[SG_TOKEN_LEN];
    token_issue(t, "x", a);
    assert_int_equal(token_check(t, "x", a), SG_OK);
    sleep(2);
    assert_int_equal(token_check(t, "x", a), SG_EAUTH);
    token_table_free(t);
}

static void full_table_drops_oldest(void **state)
{
    (void)state;
    sg_token_table *t = token_table_new(600);
    char first[SG_TOKEN_LEN], last[SG_TOKEN_LEN], id[16];
    token_issue(t, "first", first);
    for (int i = 0; i < SG_TOKEN_SLOTS; i++) {
        snprintf(id, sizeof id, "s%d", i);
        token_issue(t, id, last);
    }
    assert_int_equal(token_check(t, "first", first), SG_EAUTH);
    assert_int_equal(token_check(t, id, last), SG_OK);
    token_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(issue_check_revoke),
        cmocka_unit_test(expiry),
        cmocka_unit_test(full_table_drops_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
