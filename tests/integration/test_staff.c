/*
 * The staff console's front door end to end: the real daemon with its
 * staff listener on loopback (plain http, [staff] tls = off, as behind a
 * local proxy; and once over HTTPS with the generated certificate), staff
 * accounts made with the real `signpost user` command (the password on
 * its standard input), and the database checked directly.  What staff and
 * the clinic rely on: the cookie's attributes, sessions that end at logout,
 * when idle and when the password changes, CSRF on every change, roles,
 * throttling that holds even against the right password, no session
 * fixation, an audit log that records logins and refuses to be rewritten,
 * a burst of sign-ins checked one at a time while the console goes on, and
 * a kiosk listener that never reaches any of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <sqlite3.h>

#include "harness.h"
#include "staff_client.h"

#ifndef SIGNPOST_BIN
#error "SIGNPOST_BIN must name the daemon binary"
#endif

#define PW "correct horse battery"
#define LOGIN "/staff/api/v1/login"
#define LOGOUT "/staff/api/v1/logout"
#define ME "/staff/api/v1/me"
#define AUDIT "/staff/api/v1/audit"
#define FOREIGN_TOKEN "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" /* 43 base64url */

static itest_daemon *d;
static char state[ITEST_PATH], conf[ITEST_PATH + 32];
static int staff_port;

/* ---- the staff client (staff_client.h), aimed at this daemon ------ */

typedef sc_resp resp;
typedef sc_session session;
typedef sc_target target;

static int run_user(const char *dir, const char *cfg, const char *input, char *out,
                    size_t outlen, const char *a1, const char *a2, const char *a3,
                    const char *a4)
{
    return sc_user(dir, cfg, input, out, outlen, a1, a2, a3, a4);
}

static void add_user(const char *name, const char *role)
{
    assert_int_equal(run_user(state, conf, PW "\n", NULL, 0, "add", name, "--role", role),
                     0);
}

static long request_to(const target *t, const char *method, const char *path,
                       const char *json, const char *cookie, const char *csrf, resp *r)
{
    return sc_request(t, method, path, json, cookie, csrf, r);
}

static long request(const char *method, const char *path, const char *json,
                    const char *cookie, const char *csrf, resp *r)
{
    target t = {staff_port, NULL};
    return sc_request(&t, method, path, json, cookie, csrf, r);
}

static void cookie_pair(const char *set_cookie, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.*s", (int)strcspn(set_cookie, ";"), set_cookie);
}

static long login_as(const char *name, const char *pw, const char *old_cookie, session *s,
                     resp *r)
{
    target t = {staff_port, NULL};
    return sc_login(&t, name, pw, old_cookie, s, r);
}

static void login_ok(const char *name, session *s)
{
    static resp r;
    assert_int_equal(login_as(name, PW, NULL, s, &r), 200);
}

/* ---- the database ------------------------------------------------ */

static long long db_int(const char *sql, const char *arg)
{
    long long v = -1;
    assert_int_equal(itest_db_int(d, sql, arg, &v), 0);
    return v;
}

static int db_exec(const char *sql, char *msg, size_t msglen)
{
    return sc_db_exec(d, sql, msg, msglen);
}

/* ---- set-up ------------------------------------------------------ */

static void write_config(const char *dir, const char *staff, char *out, size_t outlen)
{
    char text[512];
    snprintf(text, sizeof text,
             "[staff]\nlisten = 127.0.0.1:0\n%s\n[printer]\ntransport = none\n"
             "[sms]\ngateway = none\n",
             staff);
    assert_int_equal(itest_write_file(dir, "signpost.conf", text, out, outlen), 0);
}

static int find_port(itest_daemon *dm, const char *mark)
{
    return sc_find_port(dm, mark);
}

static int setup(void **ctx)
{
    (void)ctx;
    assert_int_equal(itest_init(), 0);
    assert_int_equal(itest_mkdtemp(state, sizeof state), 0);
    write_config(state, "tls = off", conf, sizeof conf);
    assert_non_null(d = sc_start(conf, state, &staff_port));
    add_user("ana", "admin");
    add_user("cy", "viewer");
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    sc_stop(d, state);
    return 0;
}

/* ---- tests ------------------------------------------------------- */

static void login_me_logout(void **ctx)
{
    session s;
    resp r;
    json_t *j;
    (void)ctx;

    assert_int_equal(login_as("ana", PW, NULL, &s, &r), 200);
    assert_non_null(strstr(r.set_cookie, "sg_session="));
    assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
    assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
    assert_non_null(strstr(r.set_cookie, "; Path=/"));
    assert_null(strstr(r.set_cookie, "Secure")); /* plain http on loopback only */
    assert_int_equal(strlen(s.csrf), 43);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "user"), "role")), "admin");
    json_decref(j);

    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"username\":\"ana\""));
    assert_int_equal(request("GET", ME, NULL, NULL, NULL, &r), 401);

    /* Logout changes state: it needs the CSRF token. */
    assert_int_equal(request("POST", LOGOUT, NULL, s.cookie, NULL, &r), 403);
    assert_int_equal(request("POST", LOGOUT, NULL, s.cookie, FOREIGN_TOKEN, &r), 403);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 200); /* still alive */
    assert_int_equal(request("POST", LOGOUT, NULL, s.cookie, s.csrf, &r), 204);
    assert_non_null(strstr(r.set_cookie, "sg_session=;"));
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 401);
    assert_int_equal(request("POST", LOGOUT, NULL, s.cookie, s.csrf, &r), 401);

    assert_true(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'login' AND username = ?",
               "ana") >= 1);
    assert_true(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'logout' AND username = ?",
               "ana") >= 1);
    /* Never a secret in the database's log or the daemon's. */
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE instr(coalesce(detail, '') ||"
               " coalesce(username, '') || coalesce(target, ''), ?) > 0",
               PW),
        0);
    assert_false(itest_log_contains(d, PW));
    assert_false(itest_log_contains(d, s.cookie + strlen("sg_session=")));
    assert_false(itest_log_contains(d, s.csrf));
    assert_int_equal(db_int("SELECT count(*) FROM staff_sessions WHERE id_hash = ?",
                            s.cookie + strlen("sg_session=")),
                     0);
}

static void wrong_credentials_look_alike(void **ctx)
{
    char long_name[100], json[300], body[3][512];
    resp r;
    (void)ctx;

    assert_int_equal(login_as("ana", "not the password", NULL, NULL, &r), 401);
    snprintf(body[0], sizeof body[0], "%.500s", r.body);
    assert_int_equal(login_as("nobody-here", PW, NULL, NULL, &r), 401);
    snprintf(body[1], sizeof body[1], "%.500s", r.body);
    add_user("gone", "navigator");
    assert_int_equal(run_user(state, conf, NULL, NULL, 0, "disable", "gone", NULL, NULL),
                     0);
    assert_int_equal(login_as("gone", PW, NULL, NULL, &r),
                     401); /* right password, disabled */
    snprintf(body[2], sizeof body[2], "%.500s", r.body);
    assert_string_equal(body[0], body[1]);
    assert_string_equal(body[0], body[2]);
    assert_non_null(strstr(body[0], "wrong username or password"));
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'login_failed'"
                       " AND username = ?",
                       "ana") >= 1);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'login_failed'"
                       " AND username = ?",
                       "nobody-here") >= 1);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'user_disable'"
                       " AND username = 'cli' AND target = ?",
                       "gone") == 1);

    /* A long typed name is kept to 64 bytes in the audit log. */
    memset(long_name, 'z', 90);
    long_name[90] = '\0';
    snprintf(json, sizeof json, "{\"username\":\"%s\",\"password\":\"x\"}", long_name);
    assert_int_equal(request("POST", LOGIN, json, NULL, NULL, &r), 401);
    long_name[64] = '\0';
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE username = ?", long_name), 1);
    /* Bad bodies name the field. */
    assert_int_equal(request("POST", LOGIN, "{\"username\":\"ana\"}", NULL, NULL, &r),
                     400);
    assert_non_null(strstr(r.body, "password"));
    assert_int_equal(request("GET", LOGIN, NULL, NULL, NULL, &r), 405);
}

static void throttled_even_with_the_right_password(void **ctx)
{
    resp r;
    long wait;
    (void)ctx;

    add_user("bo", "navigator");
    for (int i = 0; i < 5; i++)
        assert_int_equal(login_as("bo", "wrong password!", NULL, NULL, &r), 401);
    assert_int_equal(login_as("bo", "wrong password!", NULL, NULL, &r), 429);
    assert_int_equal(login_as("BO", PW, NULL, NULL, &r), 429); /* the name in any case */
    assert_true(r.retry_after[0]);
    wait = strtol(r.retry_after, NULL, 10);
    assert_true(wait > 0 && wait <= 15 * 60);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'login_throttled'"
                       " AND username = ?",
                       "BO") >= 1);
    /* Other accounts from the same (loopback) address are not locked out. */
    session s;
    login_ok("cy", &s);
    /* An admin's new password lets the colleague back in at once. */
    assert_int_equal(run_user(state, conf, "a brand new passphrase\n", NULL, 0, "passwd",
                              "bo", NULL, NULL),
                     0);
    assert_int_equal(login_as("bo", "a brand new passphrase", NULL, &s, &r), 200);
}

static void roles_guard_the_audit_log(void **ctx)
{
    session viewer, admin;
    resp r;
    long long reads;
    json_t *j;
    (void)ctx;

    login_ok("cy", &viewer);
    assert_int_equal(request("GET", AUDIT, NULL, viewer.cookie, NULL, &r), 403);
    assert_true(db_int("SELECT count(*) FROM audit_log WHERE action = 'denied'"
                       " AND username = ?",
                       "cy") >= 1);
    login_ok("ana", &admin);
    reads = db_int("SELECT count(*) FROM audit_log WHERE action = 'audit_read'", NULL);
    assert_int_equal(request("GET", AUDIT "?limit=5", NULL, admin.cookie, NULL, &r), 200);
    j = json_loads(r.body, 0, NULL);
    assert_true(json_array_size(json_object_get(j, "entries")) == 5);
    /* Newest first: the read itself is the first entry. */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "entries"), 0), "action")),
                        "audit_read");
    json_decref(j);
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'audit_read'", NULL),
        reads + 1);
    assert_int_equal(request("GET", AUDIT "?limit=0", NULL, admin.cookie, NULL, &r), 400);
    assert_int_equal(request("GET", AUDIT "?limit=x", NULL, admin.cookie, NULL, &r), 400);
    assert_int_equal(
        request("GET", "/staff/api/v1/nothing", NULL, admin.cookie, NULL, &r), 404);
}

static void no_session_fixation(void **ctx)
{
    char planted[80];
    session s, again;
    resp r;
    (void)ctx;

    /* A cookie planted before login is never adopted as the session. */
    snprintf(planted, sizeof planted, "sg_session=%s", FOREIGN_TOKEN);
    assert_int_equal(login_as("ana", PW, planted, &s, &r), 200);
    assert_string_not_equal(s.cookie, planted);
    assert_int_equal(request("GET", ME, NULL, planted, NULL, &r), 401);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 200);
    /* Logging in again over a live session replaces it. */
    assert_int_equal(login_as("ana", PW, s.cookie, &again, &r), 200);
    assert_string_not_equal(again.cookie, s.cookie);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 401);
    assert_int_equal(request("GET", ME, NULL, again.cookie, NULL, &r), 200);
    /* A malformed cookie is refused, and the browser told to drop it. */
    assert_int_equal(request("GET", ME, NULL, "sg_session=short", NULL, &r), 401);
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
}

static void idle_and_absolute_expiry(void **ctx)
{
    session s;
    resp r;
    char sql[200];
    (void)ctx;

    login_ok("cy", &s);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 200);
    /* Sixteen minutes without a request ([staff] session_idle_min = 15). */
    snprintf(sql, sizeof sql,
             "UPDATE staff_sessions SET last_seen_at = last_seen_at - 960"
             " WHERE user_id = (SELECT id FROM staff_users WHERE username = 'cy')");
    assert_int_equal(db_exec(sql, NULL, 0), SQLITE_OK);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 401);
    assert_non_null(strstr(r.body, "session_expired"));

    /* Busy all along, a session still ends at its absolute lifetime. */
    login_ok("cy", &s);
    snprintf(sql, sizeof sql,
             "UPDATE staff_sessions SET expires_at = %lld"
             " WHERE user_id = (SELECT id FROM staff_users WHERE username = 'cy')",
             (long long)time(NULL) - 1);
    assert_int_equal(db_exec(sql, NULL, 0), SQLITE_OK);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 401);
}

static void password_change_and_disable_end_sessions(void **ctx)
{
    session s;
    resp r;
    char out[2048];
    (void)ctx;

    add_user("dee", "navigator");
    login_ok("dee", &s);
    assert_int_equal(run_user(state, conf, "another good passphrase\n", NULL, 0, "passwd",
                              "dee", NULL, NULL),
                     0);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 401);
    assert_int_equal(login_as("dee", "another good passphrase", NULL, &s, &r), 200);
    assert_int_equal(run_user(state, conf, NULL, NULL, 0, "disable", "dee", NULL, NULL),
                     0);
    assert_int_equal(request("GET", ME, NULL, s.cookie, NULL, &r), 401);

    /* The CLI's refusals: a taken name (in any case), a weak password, a bad role. */
    assert_int_equal(
        run_user(state, conf, PW "\n", NULL, 0, "add", "ANA", "--role", "viewer"), 1);
    assert_int_equal(
        run_user(state, conf, "short\n", NULL, 0, "add", "eve", "--role", "viewer"), 1);
    assert_int_equal(run_user(state, conf, "eve-eve-eve-eve\n", NULL, 0, "add", "eve",
                              "--role", "root"),
                     2);
    assert_int_equal(
        run_user(state, conf, NULL, out, sizeof out, "list", NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "ana"));
    assert_non_null(strstr(out, "disabled"));
    assert_null(strstr(out, "argon2"));
    assert_int_equal(db_int("SELECT count(*) FROM staff_users WHERE username = ?", "eve"),
                     0);
}

static void kiosk_listener_has_no_staff_routes(void **ctx)
{
    char json[200];
    itest_resp r;
    (void)ctx;

    snprintf(json, sizeof json, "{\"username\":\"ana\",\"password\":\"%s\"}", PW);
    assert_int_equal(itest_get(d, LOGIN, NULL, &r), 0);
    assert_int_equal(r.status, 404);
    itest_resp_free(&r);
    assert_int_equal(itest_get(d, ME, NULL, &r), 0);
    assert_int_equal(r.status, 404);
    itest_resp_free(&r);
    /* POST: the kiosk's static handler refuses the method before the path. */
    assert_int_equal(itest_post_json(d, LOGIN, json, NULL, &r), 0);
    assert_true(r.status == 404 || r.status == 405);
    assert_null(itest_header(&r, "Set-Cookie"));
    itest_resp_free(&r);
}

static void audit_log_is_append_only(void **ctx)
{
    char msg[200];
    long long rows = db_int("SELECT count(*) FROM audit_log", NULL);
    (void)ctx;

    assert_true(rows > 0);
    assert_int_not_equal(
        db_exec("UPDATE audit_log SET action = 'nothing'", msg, sizeof msg), SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    assert_int_not_equal(db_exec("DELETE FROM audit_log", msg, sizeof msg), SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    assert_int_equal(db_int("SELECT count(*) FROM audit_log", NULL), rows);
    assert_int_equal(
        db_int("SELECT count(*) FROM audit_log WHERE action = 'nothing'", NULL), 0);
}

/* A daemon of a test's own in a new state folder dir (config path in cfg),
 * with staff settings staff and the admin "ana"; itest_free + itest_rmtree
 * end it. */
static itest_daemon *own_daemon(const char *staff, char dir[ITEST_PATH],
                                char cfg[ITEST_PATH + 32])
{
    itest_opts o = {.config = cfg, .state_dir = dir};
    itest_daemon *t;

    assert_int_equal(itest_mkdtemp(dir, ITEST_PATH), 0);
    write_config(dir, staff, cfg, ITEST_PATH + 32);
    assert_int_equal(
        run_user(dir, cfg, PW "\n", NULL, 0, "add", "ana", "--role", "admin"), 0);
    assert_non_null(t = itest_start(&o));
    return t;
}

/* The default, tls = auto: HTTPS with the certificate made on first start,
 * and the cookie marked Secure. */
static void https_login_with_the_generated_certificate(void **ctx)
{
    char dir[ITEST_PATH], cfg[ITEST_PATH + 32], ca[ITEST_PATH + 32], json[200];
    itest_daemon *t;
    session s;
    resp r;
    target to;
    (void)ctx;

    t = own_daemon("tls = auto", dir, cfg);
    to.port = find_port(t, "staff listening on https://127.0.0.1:");
    assert_true(to.port > 0);
    snprintf(ca, sizeof ca, "%s/staff-tls.crt", dir);
    to.cafile = ca;
    snprintf(json, sizeof json, "{\"username\":\"ana\",\"password\":\"%s\"}", PW);
    assert_int_equal(request_to(&to, "POST", LOGIN, json, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.set_cookie, "; Secure"));
    assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
    assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
    cookie_pair(r.set_cookie, s.cookie, sizeof s.cookie);
    assert_int_equal(request_to(&to, "GET", ME, NULL, s.cookie, NULL, &r), 200);
    itest_free(t);
    itest_rmtree(dir);
}


/* ---- many sign-ins at once ---------------------------------------- */

#define BURST 8
#ifdef __SANITIZE_ADDRESS__
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

typedef struct {
    target t;
    pthread_barrier_t *start;
    int wrong; /* sign in with a wrong password */
    long status;
} burst_try;

static void *burst_one(void *arg)
{
    burst_try *b = arg;
    char json[200];
    resp r;

    snprintf(json, sizeof json, "{\"username\":\"ana\",\"password\":\"%s\"}",
             b->wrong ? "not the password" : PW);
    pthread_barrier_wait(b->start);
    b->status = sc_request(&b->t, "POST", LOGIN, json, NULL, NULL, &r);
    return NULL;
}

/* The daemon's peak resident memory in kB (VmHWM), or -1. */
static long peak_kb(pid_t pid)
{
    char path[64], line[128];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/*
 * BURST sign-ins at the same moment, on a staff listener with BURST
 * threads: each gets its right answer (200, or 401 for a wrong password),
 * and the password checks ran one at a time: the daemon's peak memory
 * stays far below BURST checks of 64 MiB each.  (Not under ASan, whose
 * quarantine keeps every freed 64 MiB block resident for a while.)
 */
static void sign_ins_at_once_are_checked_one_at_a_time(void **ctx)
{
    char dir[ITEST_PATH], cfg[ITEST_PATH + 32];
    pthread_t th[BURST];
    burst_try b[BURST];
    pthread_barrier_t start;
    itest_daemon *t;
    int port;
    long kb;
    (void)ctx;

    t = own_daemon("tls = off\nthreads = 8", dir, cfg);
    port = find_port(t, SC_STAFF_MARK);
    assert_true(port > 0);
    pthread_barrier_init(&start, NULL, BURST);
    for (int i = 0; i < BURST; i++) {
        b[i] = (burst_try){{port, NULL}, &start, i % 4 == 3, 0};
        assert_int_equal(pthread_create(&th[i], NULL, burst_one, &b[i]), 0);
    }
    for (int i = 0; i < BURST; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(b[i].status, b[i].wrong ? 401 : 200);
    }
    pthread_barrier_destroy(&start);
    kb = peak_kb(t->pid);
    print_message("%d sign-ins at once: daemon peak %ld kB\n", BURST, kb);
    if (!UNDER_ASAN)
        assert_true(kb > 0 && kb < 3 * 64 * 1024);
    itest_free(t);
    itest_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_me_logout),
        cmocka_unit_test(wrong_credentials_look_alike),
        cmocka_unit_test(throttled_even_with_the_right_password),
        cmocka_unit_test(roles_guard_the_audit_log),
        cmocka_unit_test(no_session_fixation),
        cmocka_unit_test(idle_and_absolute_expiry),
        cmocka_unit_test(password_change_and_disable_end_sessions),
        cmocka_unit_test(kiosk_listener_has_no_staff_routes),
        cmocka_unit_test(audit_log_is_append_only),
        cmocka_unit_test(https_login_with_the_generated_certificate),
        cmocka_unit_test(sign_ins_at_once_are_checked_one_at_a_time),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
