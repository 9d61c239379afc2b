/*
 * The staff authentication core (staff_auth.h): password hashing, verifying
 * and rehashing; the password and username policy; the throttling rule
 * walked through simulated time; session tokens, their keyed hashes and
 * the constant-time comparison; session expiry; the Cookie header parser's
 * edge cases; and the Set-Cookie attributes.
 */
#include "helpers.h"
#include "signpost/staff_auth.h"

#define GOOD_PW "correct horse battery"

static int setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* ---- passwords --------------------------------------------------- */

static void hash_verify_rehash(void **state)
{
    char h[STAFF_HASH_MAX], old[STAFF_HASH_MAX];
    (void)state;

    assert_int_equal(staff_pw_hash(GOOD_PW, h), SG_OK);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_non_null(strstr(h, "m=65536"));
    assert_int_equal(staff_pw_verify(h, GOOD_PW), SG_OK);
    assert_int_equal(staff_pw_verify(h, GOOD_PW "x"), SG_EAUTH);
    assert_int_equal(staff_pw_verify(h, ""), SG_EAUTH);
    assert_int_equal(staff_pw_verify(NULL, GOOD_PW), SG_EAUTH);
    assert_int_equal(staff_pw_needs_rehash(h), 0);

    /* A hash made with other (older, cheaper) parameters still verifies,
     * and asks to be replaced. */
    assert_int_equal(crypto_pwhash_str_alg(
                         old, GOOD_PW, strlen(GOOD_PW), crypto_pwhash_OPSLIMIT_MIN + 1,
                         8u * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13),
                     0);
    assert_int_equal(staff_pw_verify(old, GOOD_PW), SG_OK);
    assert_int_equal(staff_pw_needs_rehash(old), 1);
    /* Not a hash at all. */
    assert_int_equal(staff_pw_verify("plain text", "plain text"), SG_EAUTH);
    assert_int_equal(staff_pw_needs_rehash("plain text"), 1);
}

static void password_policy(void **state)
{
    char why[160], big[STAFF_PW_MAX + 2];
    (void)state;

    assert_int_equal(staff_pw_policy("ana", "short-pw-11", why, sizeof why), SG_EINVAL);
    assert_non_null(strstr(why, "12"));
    assert_int_equal(staff_pw_policy("ana", "exactly-12ch", why, sizeof why), SG_OK);
    /* Characters, not bytes: twelve two-byte letters are enough, eleven are not. */
    assert_int_equal(staff_pw_policy("ana", "ññññññññññññ", why, sizeof why), SG_OK);
    assert_int_equal(staff_pw_policy("ana", "ñññññññññññ", why, sizeof why), SG_EINVAL);
    assert_int_equal(staff_pw_policy("front.desk.01", "Front.Desk.01", why, sizeof why),
                     SG_EINVAL);
    assert_non_null(strstr(why, "username"));
    assert_int_equal(staff_pw_policy("ana", "tab\tinside-password", why, sizeof why),
                     SG_EINVAL);
    assert_int_equal(staff_pw_policy("ana", "bad utf8 \xC3\x28 here", why, sizeof why),
                     SG_EINVAL);
    assert_int_equal(staff_pw_policy("ana", "overlong \xC0\xAF seq.", why, sizeof why),
                     SG_EINVAL);
    memset(big, 'a', STAFF_PW_MAX);
    big[STAFF_PW_MAX] = '\0';
    assert_int_equal(staff_pw_policy("ana", big, why, sizeof why), SG_OK);
    big[STAFF_PW_MAX] = 'a';
    big[STAFF_PW_MAX + 1] = '\0';
    assert_int_equal(staff_pw_policy("ana", big, why, sizeof why), SG_EINVAL);
    assert_non_null(strstr(why, "1024"));
    assert_int_equal(staff_pw_hash(big, why), SG_EINVAL);
}

static void usernames_and_roles(void **state)
{
    char why[160], long_name[80];
    (void)state;

    assert_int_equal(staff_username_check("ana.r-2@clinic_x", why, sizeof why), SG_OK);
    assert_int_equal(staff_username_check("", why, sizeof why), SG_EINVAL);
    assert_int_equal(staff_username_check(NULL, why, sizeof why), SG_EINVAL);
    assert_int_equal(staff_username_check("ana maria", why, sizeof why), SG_EINVAL);
    assert_int_equal(staff_username_check("ana;drop", why, sizeof why), SG_EINVAL);
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    assert_int_equal(staff_username_check(long_name, why, sizeof why), SG_EINVAL);
    long_name[64] = '\0';
    assert_int_equal(staff_username_check(long_name, why, sizeof why), SG_OK);

    assert_int_equal(staff_role_parse("admin"), STAFF_ROLE_ADMIN);
    assert_int_equal(staff_role_parse("navigator"), STAFF_ROLE_NAVIGATOR);
    assert_int_equal(staff_role_parse("viewer"), STAFF_ROLE_VIEWER);
    assert_int_equal(staff_role_parse("Admin"), STAFF_ROLE_NONE);
    assert_int_equal(staff_role_parse("none"), STAFF_ROLE_NONE);
    assert_int_equal(staff_role_parse(NULL), STAFF_ROLE_NONE);
    assert_string_equal(staff_role_name(STAFF_ROLE_NAVIGATOR), "navigator");
    assert_string_equal(staff_role_name((staff_role)9), "none");
    assert_true(STAFF_ROLE_ADMIN > STAFF_ROLE_NAVIGATOR &&
                STAFF_ROLE_NAVIGATOR > STAFF_ROLE_VIEWER);
}

/* ---- throttling over simulated time ------------------------------ */

static void fail_n(staff_throttle *t, int n, time_t at)
{
    for (int i = 0; i < n; i++)
        staff_throttle_fail(t, at);
}

static void throttle_locks_after_five(void **state)
{
    staff_throttle t = {0};
    const time_t t0 = 1700000000;
    (void)state;

    assert_int_equal(staff_throttle_wait(&t, t0), 0);
    assert_true(staff_throttle_idle(&t, t0));
    for (int i = 0; i < 4; i++) {
        staff_throttle_fail(&t, t0 + i * 60);
        assert_int_equal(staff_throttle_wait(&t, t0 + i * 60), 0);
    }
    staff_throttle_fail(&t, t0 + 240); /* the fifth within 15 minutes */
    assert_int_equal(staff_throttle_wait(&t, t0 + 240), 15 * 60);
    assert_int_equal(staff_throttle_wait(&t, t0 + 240 + 899), 1);
    assert_int_equal(staff_throttle_wait(&t, t0 + 240 + 900), 0);
    assert_false(staff_throttle_idle(&t, t0 + 240 + 900));
}

static void throttle_window_slides(void **state)
{
    staff_throttle t = {0};
    const time_t t0 = 1700000000;
    (void)state;

    fail_n(&t, 4, t0);
    /* Sixteen minutes later the window has closed: the fifth starts anew. */
    staff_throttle_fail(&t, t0 + 16 * 60);
    assert_int_equal(staff_throttle_wait(&t, t0 + 16 * 60), 0);
    assert_int_equal(t.count, 1);
    fail_n(&t, 3, t0 + 17 * 60);
    assert_int_equal(staff_throttle_wait(&t, t0 + 17 * 60), 0);
    staff_throttle_fail(&t, t0 + 18 * 60);
    assert_int_equal(staff_throttle_wait(&t, t0 + 18 * 60), 15 * 60);
    /* A window fully in the past is idle state (its row may go). */
    staff_throttle u = {0};
    fail_n(&u, 2, t0);
    assert_false(staff_throttle_idle(&u, t0 + 60));
    assert_true(staff_throttle_idle(&u, t0 + 15 * 60));
}

static void throttle_doubles_to_a_day(void **state)
{
    staff_throttle t = {0};
    time_t now = 1700000000;
    long want = 15 * 60;
    (void)state;

    for (int lock = 0; lock < 10; lock++) {
        fail_n(&t, 5, now);
        assert_int_equal(staff_throttle_wait(&t, now), want);
        now += want; /* wait it out, then fail five more times */
        want = want * 2 > 86400 ? 86400 : want * 2;
    }
    assert_int_equal(staff_throttle_wait(&t, now - 1), 1);
    /* A quiet day after the last lock ends the streak: back to 15 minutes. */
    now += 24 * 3600;
    assert_true(staff_throttle_idle(&t, now));
    fail_n(&t, 5, now);
    assert_int_equal(staff_throttle_wait(&t, now), 15 * 60);
}

static void throttle_clock_back(void **state)
{
    staff_throttle t = {0};
    const time_t t0 = 1700000000;
    (void)state;

    fail_n(&t, 3, t0);
    /* The clock stepped back an hour: the window restarts rather than
     * counting the earlier failures forever. */
    staff_throttle_fail(&t, t0 - 3600);
    assert_int_equal(t.count, 1);
    assert_int_equal(staff_throttle_wait(&t, t0 - 3600), 0);
}

/* ---- tokens and sessions ----------------------------------------- */

static void tokens_and_hashes(void **state)
{
    char a[STAFF_TOKEN_LEN], b[STAFF_TOKEN_LEN], ha[STAFF_SESSION_HASH_LEN],
        ha2[STAFF_SESSION_HASH_LEN], hk[STAFF_SESSION_HASH_LEN];
    unsigned char k1[STAFF_KEY_BYTES], k2[STAFF_KEY_BYTES];
    (void)state;

    staff_token_new(a);
    staff_token_new(b);
    assert_int_equal(strlen(a), 43);
    assert_true(staff_token_valid(a));
    assert_string_not_equal(a, b);
    assert_false(staff_token_valid(NULL));
    assert_false(staff_token_valid(""));
    assert_false(staff_token_valid("short"));
    a[10] = '+'; /* base64, not base64url */
    assert_false(staff_token_valid(a));
    staff_token_new(a);

    crypto_generichash_keygen(k1);
    crypto_generichash_keygen(k2);
    staff_session_hash(k1, a, ha);
    staff_session_hash(k1, a, ha2);
    staff_session_hash(k2, a, hk);
    assert_int_equal(strlen(ha), 64);
    assert_null(strstr(ha, a));
    assert_true(staff_secret_equal(ha, ha2));
    assert_false(staff_secret_equal(ha, hk)); /* another process's key */
    ha2[63] = ha2[63] == '0' ? '1' : '0';
    assert_false(staff_secret_equal(ha, ha2));
    assert_false(staff_secret_equal(ha, "abc"));
    assert_false(staff_secret_equal(NULL, ha));
    assert_false(staff_secret_equal("", ""));
}

static void session_expiry(void **state)
{
    const time_t t0 = 1700000000, max = t0 + 12 * 3600;
    (void)state;

    assert_int_equal(staff_session_check(t0, max, t0 + 60, 900), STAFF_SESSION_LIVE);
    assert_int_equal(staff_session_check(t0, max, t0 + 899, 900), STAFF_SESSION_LIVE);
    assert_int_equal(staff_session_check(t0, max, t0 + 900, 900), STAFF_SESSION_IDLE);
    /* Active all along, the session still ends at its absolute limit. */
    assert_int_equal(staff_session_check(max - 1, max, max, 900), STAFF_SESSION_EXPIRED);
    assert_int_equal(staff_session_check(t0, max, t0 - 3600, 900), STAFF_SESSION_LIVE);
    assert_false(staff_session_needs_touch(t0, t0 + 59));
    assert_true(staff_session_needs_touch(t0, t0 + 60));
    assert_true(staff_session_needs_touch(t0, t0 - 5));
}

/* ---- cookies ----------------------------------------------------- */

static void cookie_parsing(void **state)
{
    char tok[STAFF_TOKEN_LEN], out[STAFF_TOKEN_LEN], hdr[STAFF_COOKIE_MAX + 64];
    (void)state;

    staff_token_new(tok);
    assert_int_equal(staff_cookie_session(NULL, out), SG_ENOTFOUND);
    assert_int_equal(staff_cookie_session("", out), SG_ENOTFOUND);
    assert_int_equal(staff_cookie_session("theme=dark", out), SG_ENOTFOUND);
    snprintf(hdr, sizeof hdr, "sg_session=%s", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_OK);
    assert_string_equal(out, tok);
    snprintf(hdr, sizeof hdr, "theme=dark;  sg_session=%s \t; lang=es", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_OK);
    assert_string_equal(out, tok);
    /* Other names that merely start alike are someone else's. */
    snprintf(hdr, sizeof hdr, "xsg_session=%s; sg_session2=abc", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_ENOTFOUND);
    /* Another application's odd cookie does not lock staff out. */
    snprintf(hdr, sizeof hdr, "flag; sg_session=%s", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_OK);

    /* Malformed: twice (cookie tossing), wrong length, wrong alphabet,
     * quoted, empty, control characters, over-long. */
    snprintf(hdr, sizeof hdr, "sg_session=%s; sg_session=%s", tok, tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(staff_cookie_session("sg_session=abc", out), SG_EINVAL);
    assert_int_equal(staff_cookie_session("sg_session=", out), SG_EINVAL);
    snprintf(hdr, sizeof hdr, "sg_session=%sA", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_EINVAL);
    snprintf(hdr, sizeof hdr, "sg_session=\"%.41s\"", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_EINVAL);
    snprintf(hdr, sizeof hdr, "sg_session=%.42s/", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_EINVAL);
    snprintf(hdr, sizeof hdr, "a=b\r\nsg_session=%s", tok);
    assert_int_equal(staff_cookie_session(hdr, out), SG_EINVAL);
    memset(hdr, 'a', STAFF_COOKIE_MAX + 1);
    memcpy(hdr, "x=", 2);
    hdr[STAFF_COOKIE_MAX + 1] = '\0';
    assert_int_equal(staff_cookie_session(hdr, out), SG_EINVAL);
    hdr[STAFF_COOKIE_MAX] = '\0'; /* exactly at the cap: read */
    assert_int_equal(staff_cookie_session(hdr, out), SG_ENOTFOUND);
}

static void set_cookie_attributes(void **state)
{
    char tok[STAFF_TOKEN_LEN], c[STAFF_SET_COOKIE_MAX], want[STAFF_SET_COOKIE_MAX];
    (void)state;

    staff_token_new(tok);
    assert_int_equal(staff_set_cookie(tok, 0, c, sizeof c), SG_OK);
    snprintf(want, sizeof want,
             "sg_session=%s; Path=/; Secure; HttpOnly; SameSite=Strict", tok);
    assert_string_equal(c, want);
    /* Plain http on loopback ([staff] tls = off): everything but Secure. */
    assert_int_equal(staff_set_cookie(tok, 1, c, sizeof c), SG_OK);
    assert_null(strstr(c, "Secure"));
    assert_non_null(strstr(c, "; HttpOnly"));
    assert_non_null(strstr(c, "; SameSite=Strict"));
    assert_non_null(strstr(c, "; Path=/"));
    /* Removal: empty value, Max-Age=0, same attributes. */
    assert_int_equal(staff_set_cookie(NULL, 0, c, sizeof c), SG_OK);
    assert_string_equal(c, "sg_session=; Path=/; Secure; HttpOnly; SameSite=Strict; "
                           "Max-Age=0");
    assert_int_equal(staff_set_cookie("not a token", 0, c, sizeof c), SG_EINVAL);
    assert_int_equal(staff_set_cookie(tok, 0, c, 40), SG_ETOOBIG);
}

static void truncating_typed_names(void **state)
{
    char out[STAFF_USERNAME_MAX + 1], in[200] = "a";
    (void)state;

    for (int i = 0; i < 40; i++) /* é: the cut at 64 bytes falls inside one */
        memcpy(in + 1 + 2 * i, "\xC3\xA9", 3);
    staff_truncate_utf8(in, STAFF_USERNAME_MAX, out, sizeof out);
    assert_int_equal(strlen(out), 63);
    staff_truncate_utf8(in + 1, STAFF_USERNAME_MAX, out, sizeof out);
    assert_int_equal(strlen(out), 64);
    staff_truncate_utf8("ana", STAFF_USERNAME_MAX, out, sizeof out);
    assert_string_equal(out, "ana");
    staff_truncate_utf8(NULL, STAFF_USERNAME_MAX, out, sizeof out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_verify_rehash),
        cmocka_unit_test(password_policy),
        cmocka_unit_test(usernames_and_roles),
        cmocka_unit_test(throttle_locks_after_five),
        cmocka_unit_test(throttle_window_slides),
        cmocka_unit_test(throttle_doubles_to_a_day),
        cmocka_unit_test(throttle_clock_back),
        cmocka_unit_test(tokens_and_hashes),
        cmocka_unit_test(session_expiry),
        cmocka_unit_test(cookie_parsing),
        cmocka_unit_test(set_cookie_attributes),
        cmocka_unit_test(truncating_typed_names),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
