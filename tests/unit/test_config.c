/*
 * Configuration: defaults, every documented key accepted, and each kind of
 * mistake stopping with the file, line and key named.
 */
#include <math.h>
#include "helpers.h"
#include "signpost/config.h"

static sg_config cfg;

/* Loads text as a config file; returns rc and leaves the message in err. */
static sg_rc load_text(const char *text, char *err, size_t errlen, char *path, size_t plen)
{
    write_temp(path, plen, text);
    config_defaults(&cfg);
    sg_rc rc = config_load(&cfg, path, err, errlen);
    unlink(path);
    return rc;
}

static void expect_error(const char *text, int line, const char *want)
{
    char err[512], path[64], prefix[96];
    assert_int_equal(load_text(text, err, sizeof err, path, sizeof path), SG_EINVAL);
    snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, want))
        fail_msg("expected \"%s...%s\", got: %s", prefix, want, err);
}

static void defaults(void **state)
{
    (void)state;
    config_defaults(&cfg);
    assert_string_equal(cfg.kiosk_listen, "127.0.0.1:8080");
    assert_int_equal(cfg.idle_warning_s, 60);
    assert_int_equal(cfg.idle_reset_s, 30);
    assert_int_equal(cfg.safety_threshold, 11);
    assert_int_equal(cfg.results_per_domain, 3);
    assert_int_equal(cfg.stale_days, 180);
    assert_string_equal(cfg.store_dir, "/var/lib/signpost");
    assert_string_equal(cfg.sms_reminders, "7d,14d");
    assert_true(isnan(cfg.kiosk_latitude));
    assert_true(cfg.demo);
}

static void every_documented_key(void **state)
{
    (void)state;
    char err[512], path[64];
    const char *text =
        "; every key in DESIGN.md\n"
        "[clinic]\nname = Test Clinic\nphone = 555\ntimezone = America/New_York\n"
        "[kiosk]\nlisten = 127.0.0.1:0\nid = k2\nlanguages = en\nlatitude = 40.5\n"
        "longitude = -80.25\nidle_warning_s = 5\nidle_reset_s = 4\n"
        "[staff]\nlisten = 0.0.0.0:9443\ntls_cert = /c.pem\ntls_key = /k.pem\n"
        "session_idle_min = 10\n"
        "[store]\ndir = /tmp/x\nretention_days = 365\n"
        "[screening]\ninstrument = ahc-hrsn-core\nsafety_threshold = 8\n"
        "[directory]\nimport = /tmp/hsds\nsync_url = https://example.org/hsds\n"
        "results_per_domain = 5\nradius_km = 12.5\nstale_days = 90\n"
        "[printer]\ntransport = tcp\nprofile = tm-t20\ndevice = /dev/ttyUSB0\nbaud = 9600\n"
        "flow = rtscts\nhost = 192.0.2.1\nport = 9100\npath = /tmp/receipts\nmax_queued = 5\n"
        "timeout_s = 30\n"
        "[receipt]\nqr_url = https://example.org/r?s={service_ids}\nfooter = Thanks\n"
        "print_safety = no\n"
        "[sms]\ngateway = twilio\nfrom = +15555550100\nreminders = 3d,10d,30d\n"
        "quiet_hours = 09:00-19:30\nmax_per_day = 1\nmax_per_week = 2\n"
        "[sms.twilio]\naccount_sid = AC123\nauth_token_file = /run/credentials/t\n"
        "messaging_service_sid = MG1\nbase_url = http://127.0.0.1:4010\n"
        "[sms.kannel]\nurl = http://127.0.0.1:13013/cgi-bin/sendsms\nusername = u\n"
        "password_file = /p\n"
        "[sms.http]\nurl = http://127.0.0.1/send\nmethod = POST\nbody = to={to}\n"
        "headers = X-A: b\nsuccess = 2xx\n"
        "[log]\nlevel = debug\n";
    assert_int_equal(load_text(text, err, sizeof err, path, sizeof path), SG_OK);
    assert_false(cfg.demo);
    assert_string_equal(cfg.clinic_name, "Test Clinic");
    assert_int_equal(cfg.idle_reset_s, 4);
    assert_true(fabs(cfg.kiosk_latitude - 40.5) < 1e-9);
    assert_int_equal(cfg.safety_threshold, 8);
    assert_string_equal(cfg.printer_profile, "tm-t20");
    assert_int_equal(cfg.printer_max_queued, 5);
    assert_int_equal(cfg.receipt_print_safety, 0);
    assert_string_equal(cfg.sms_reminders, "3d,10d,30d");
    assert_true(fabs(cfg.radius_km - 12.5) < 1e-9);
}

static void mistakes_name_file_line_and_key(void **state)
{
    (void)state;
    expect_error("[kiosk]\nlisten = 127.0.0.1:8080\nidle = 5\n", 3, "[kiosk] idle: unknown key");
    expect_error("[kiosks]\nid = x\n", 2, "[kiosks]: unknown section");
    expect_error("[kiosk]\nidle_warning_s = abc\n", 2, "[kiosk] idle_warning_s: expected a whole number");
    expect_error("[kiosk]\nidle_warning_s = 0\n", 2, "from 1 to 3600");
    expect_error("[kiosk]\nlisten = localhost\n", 2, "[kiosk] listen");
    expect_error("[kiosk]\nlisten = 1.2.3.4:70000\n", 2, "[kiosk] listen");
    expect_error("[kiosk]\nlanguages = english\n", 2, "[kiosk] languages");
    expect_error("[kiosk]\nlatitude = 91\n", 2, "[kiosk] latitude");
    expect_error("[printer]\ntransport = usb\n", 2, "expected one of serial,tcp,file,none");
    expect_error("[sms]\nreminders = 7x\n", 2, "[sms] reminders");
    expect_error("[receipt]\nprint_safety = maybe\n", 2, "expected yes or no");
    expect_error("[sms]\nquiet_hours = 8-20\n", 2, "expected HH:MM-HH:MM");
    expect_error("[clinic]\ntimezone = Mars/Olympus\n", 2, "time zone name from the IANA database");
    expect_error("[clinic]\nname = a\nname = b\n", 3, "set twice");
    expect_error("[clinic]\nthis is not ini\n", 2, "not a valid INI line");
    char longline[400];
    snprintf(longline, sizeof longline, "[clinic]\nname = %0250d\n", 0);
    expect_error(longline, 2, "line longer than");
}

static void command_line_override_and_finish(void **state)
{
    (void)state;
    char err[256];
    config_defaults(&cfg);
    assert_int_equal(config_set(&cfg, "kiosk", "listen", "127.0.0.1:0", err, sizeof err), SG_OK);
    assert_int_equal(config_set(&cfg, "kiosk", "listen", "nope", err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "[kiosk] listen"));
    assert_int_equal(config_finish(&cfg, err, sizeof err), SG_OK);
    assert_non_null(strstr(cfg.domain_map, "taxonomy/domain-map.ini"));
    assert_non_null(strstr(cfg.directory_import, "demo-directory"));
    cfg.kiosk_latitude = 10;
    assert_int_equal(config_finish(&cfg, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "latitude and longitude"));
    cfg.kiosk_latitude = NAN;
    /* The whole-request deadline may not be shorter than the idle timeout. */
    assert_int_equal(cfg.request_deadline_s, 30);
    assert_int_equal(cfg.staff_threads, 2);
    assert_int_equal(config_set(&cfg, "kiosk", "request_deadline_s", "5", err, sizeof err),
                     SG_OK);
    assert_int_equal(config_finish(&cfg, err, sizeof err), SG_EINVAL);
    assert_non_null(strstr(err, "request_deadline_s (5) must be at least request_timeout_s (10)"));
}

static void split_listen(void **state)
{
    (void)state;
    char addr[64];
    int port;
    assert_int_equal(config_split_listen("10.0.0.2:8443", addr, sizeof addr, &port), SG_OK);
    assert_string_equal(addr, "10.0.0.2");
    assert_int_equal(port, 8443);
    assert_int_equal(config_split_listen("10.0.0.256:1", addr, sizeof addr, &port), SG_EINVAL);
    assert_int_equal(config_split_listen("10.0.0.1", addr, sizeof addr, &port), SG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(every_documented_key),
        cmocka_unit_test(mistakes_name_file_line_and_key),
        cmocka_unit_test(command_line_override_and_finish),
        cmocka_unit_test(split_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
