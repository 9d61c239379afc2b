/*
 * Fuzzes the configuration reader: the input is written to a scratch file
 * and read with config_load() over the defaults (as `signpost serve
 * --config FILE` does), then config_finish().
 *
 * Invariants for a file that is accepted:
 *  - every value the daemon later relies on is in range: listen addresses
 *    split, quiet hours are a span inside the day once config_finish() has
 *    checked them against each other, reminders are positive
 *    durations, coordinates are unset or on the globe, numbers inside
 *    their documented limits, strings terminated inside their arrays;
 *  - reading the same file twice gives the same configuration.
 * For a refused file: the message names the file.
 */
#include <math.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/config.h"

#define TERMINATED(field) FUZZ_CHECK(memchr(field, '\0', sizeof field) != NULL)

static void check_values(sg_config *c)
{
    char addr[64];
    int port = -1, start = -1, end = -1, secs[SG_MAX_REMINDERS];
    int n;

    TERMINATED(c->clinic_name);
    TERMINATED(c->clinic_timezone);
    TERMINATED(c->kiosk_languages);
    TERMINATED(c->receipt_qr_url);
    TERMINATED(c->sms_reminders);
    TERMINATED(c->store_dir);
    FUZZ_CHECK(config_split_listen(c->kiosk_listen, addr, sizeof addr, &port) == SG_OK);
    FUZZ_CHECK(port >= 0 && port <= 65535);
    FUZZ_CHECK(config_split_listen(c->staff_listen, addr, sizeof addr, &port) == SG_OK);
    FUZZ_CHECK(port >= 0 && port <= 65535);
    config_hourspan(c->sms_quiet_hours, &start, &end);
    FUZZ_CHECK(start >= 0 && start < 1440 && end >= 0 && end <= 1440);
    n = config_durations(c->sms_reminders, secs, SG_MAX_REMINDERS);
    FUZZ_CHECK(n >= 0 && n <= SG_MAX_REMINDERS);
    for (int i = 0; i < n; i++)
        FUZZ_CHECK(secs[i] > 0);
    FUZZ_CHECK(isnan(c->kiosk_latitude) || fabs(c->kiosk_latitude) <= 90);
    FUZZ_CHECK(isnan(c->kiosk_longitude) || fabs(c->kiosk_longitude) <= 180);
    FUZZ_CHECK(c->idle_warning_s >= 1 && c->idle_warning_s <= 3600);
    FUZZ_CHECK(c->max_body_kb >= 1 && c->max_body_kb <= 1024);
    FUZZ_CHECK(c->threads >= 1 && c->threads <= 64);
    FUZZ_CHECK(c->safety_threshold >= 4 && c->safety_threshold <= 20);
    FUZZ_CHECK(c->printer_port >= 1 && c->printer_port <= 65535);
    FUZZ_CHECK(c->sms_max_per_day >= 1 && c->sms_max_per_day <= 10);
    FUZZ_CHECK(c->receipt_print_safety == 0 || c->receipt_print_safety == 1);
    FUZZ_CHECK(config_list_has("none,log,twilio,http,kannel", c->sms_gateway));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sg_config a, b;
    char path[300], err[512], err2[512];
    sg_rc rc;

    if (size > 16 * 1024)
        return 0;
    fuzz_write("in.conf", data, size, path, sizeof path);
    memset(&a, 0, sizeof a);
    config_defaults(&a);
    err[0] = '\0';
    rc = config_load(&a, path, err, sizeof err);
    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL);
    if (rc) {
        FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0);
        return 0;
    }
    memset(&b, 0, sizeof b);
    config_defaults(&b);
    FUZZ_CHECK(config_load(&b, path, err2, sizeof err2) == SG_OK);
    FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);
    check_values(&a);
    err[0] = '\0';
    if (config_finish(&a, err, sizeof err) != SG_OK) {
        FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    /* What the SMS planner assumes (sms_policy): a span inside the day. */
    int start, end;
    config_hourspan(a.sms_quiet_hours, &start, &end);
    FUZZ_CHECK(start < end);
    return 0;
}
