/*
 * bench_outbox: how fast the SMS outbox drains against a gateway that
 * limits its rate, and what it wastes doing so.  A Twilio long code takes
 * about one text a second and a toll-free number about three; a clinic that
 * queues a morning's lists at once must get them all out at that rate, with
 * 429 answers retried rather than lost, and without the daemon's memory
 * growing.  The worker does not pace itself: it sends what is due and
 * reschedules what the gateway refuses (backoff with full jitter, at least
 * Retry-After), so the figures show what that costs in refused requests
 * and in delay.
 *
 * For each rate R (default 1 and 3 a second) it starts the fake gateway
 * (tests/sms/fake_gateway.h: fgw_rate_limit(R), 429 with Retry-After beyond
 * it, counted per wall-clock second) and the real daemon through the
 * integration-test harness, with the Twilio adapter pointed at the fake
 * ([sms] retry_base_s = 1, retry_cap_s = 4 and max_attempts = 8 unless -b,
 * -C and -a say otherwise; quiet hours all day, high caps, the demo
 * directory for the lists).  It stores M screenings (default 60)
 * through the kiosk API, then asks for "text me this list" on each, to M
 * distinct fictional numbers (217-555-01xx, then 02xx ...): M texts due at
 * once.  It polls the database read-only every 20 ms until every text is
 * sent (or failed, or the bounded wait ends) and prints the texts a second
 * achieved against R, the delay from queueing (the 201 of the request) to
 * "sent" (p50, p99, max; 20 ms resolution), the attempts and 429 answers
 * (from sms_attempts and from the fake's own log), and the daemon's VmRSS
 * before, during (sampled every 10 ms) and after.  Figures only, no pass or
 * fail.  Results: docs/performance.md; how to run it: bench/README.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "fake_gateway.h"
#include "harness.h"

#define SID "AC0123456789abcdef0123456789abcdef"
#define TOKEN "bench-auth-token-0123456789"
#define MAX_TEXTS 800 /* 217-555-0101 ... 0999, skipping xx00 */
#define MAX_RATES 8
#define POLL_MS 20
#define SAMPLE_MS 10
#define SETTLE_MS 500

typedef struct {
    const char *binary, *parent, *retry_after;
    int texts, max_attempts, retry_base_s, retry_cap_s, timeout_s;
    int rates[MAX_RATES], nrates;
} bench_opts;

typedef struct {
    char id[40], token[64];
    double queued, sent; /* seconds on the monotonic clock; sent < 0: not yet */
} text;

typedef struct {
    int rate;
    int sent, failed, timed_out, exit_code;
    double queue_s;             /* time to queue all texts */
    double first_queued, first_sent, last_sent;
    double *delay_ms;           /* sorted, sent texts only */
    long long attempts, db_429, max_attempts_row;
    int gw_posts, gw_201, gw_429, gw_other;
    long rss_idle, rss_peak, rss_after, hwm;
    char fail_reason[200];
} run_result;

/* ---- small utilities ----------------------------------------------------- */

/* The i-th fictional number: 217-555-0101 ... 0199, then 0201 ... */
static void phone_of(int i, char *out, size_t outlen)
{
    snprintf(out, outlen, "217555%04d", 100 * (1 + i / 99) + 1 + i % 99);
}

/* ---- talking to the daemon -------------------------------------------------- */

/* A screening with food and housing needs (so the list has places). */
static int new_visit(const itest_daemon *d, text *t)
{
    static const char body[] =
        "{\"language\":\"en\",\"answers\":{\"71802-3\":\"LA31994-9\",\"88122-7\":\"LA28397-0\","
        "\"88123-5\":\"LA28398-8\",\"93030-5\":\"LA32-8\",\"96779-4\":\"LA32-8\"},"
        "\"wants_help\":true}";
    itest_resp r;
    json_t *j = NULL;
    int rc = -1;

    if (itest_post_json(d, "/api/v1/screenings", body, NULL, &r) == 0 && r.status == 201 &&
        (j = itest_resp_json(&r)) && json_is_string(json_object_get(j, "id")) &&
        json_is_string(json_object_get(j, "token"))) {
        snprintf(t->id, sizeof t->id, "%s", json_string_value(json_object_get(j, "id")));
        snprintf(t->token, sizeof t->token, "%s",
                 json_string_value(json_object_get(j, "token")));
        rc = 0;
    }
    json_decref(j);
    itest_resp_free(&r);
    return rc;
}

static int consent_version(const itest_daemon *d, char *out, size_t outlen)
{
    itest_resp r;
    json_t *j = NULL;
    int rc = -1;

    if (itest_get(d, "/api/v1/sms/consent?lang=en", NULL, &r) == 0 && r.status == 200 &&
        (j = itest_resp_json(&r)) && json_is_string(json_object_get(j, "version"))) {
        snprintf(out, outlen, "%s", json_string_value(json_object_get(j, "version")));
        rc = 0;
    }
    json_decref(j);
    itest_resp_free(&r);
    return rc;
}

/* "Text me this list", no reminders: one text, due now. */
static int ask_for_list(const itest_daemon *d, const text *t, const char *phone,
                        const char *version)
{
    char path[128], json[512];
    itest_resp r;
    long status = 0;

    snprintf(path, sizeof path, "/api/v1/screenings/%s/sms", t->id);
    snprintf(json, sizeof json,
             "{\"phone\":\"%s\",\"consent\":true,\"consent_version\":\"%s\","
             "\"language\":\"en\",\"reminders\":false,\"send_list\":true}",
             phone, version);
    if (itest_post_json(d, path, json, t->token, &r) == 0)
        status = r.status;
    if (status != 201)
        fprintf(stderr, "bench: POST %s answered %ld: %s\n", path, status,
                r.body ? r.body : "");
    itest_resp_free(&r);
    return status == 201 ? 0 : -1;
}

static long long db_count(const itest_daemon *d, const char *sql)
{
    long long v = -1;
    return itest_db_int(d, sql, NULL, &v) == 0 ? v : -1;
}

/* ---- one run ------------------------------------------------------------------ */

static int write_config(const bench_opts *o, const char *state, const fake_gw *f,
                        char *conf, size_t conflen)
{
    char cfg[2048], tok[ITEST_PATH + 32];

    if (itest_write_file(state, "twilio.token", TOKEN "\n", tok, sizeof tok))
        return -1;
    snprintf(cfg, sizeof cfg,
             "[clinic]\nname = Riverton Community Clinic\nphone = (217) 555-0100\n"
             "timezone = America/Chicago\n"
             "[staff]\nlisten = 127.0.0.1:0\ntls = off\n"
             "[printer]\ntransport = none\n"
             "[directory]\nimport = %s/data/demo-directory\n"
             "[sms]\ngateway = twilio\nfrom = +12175550100\n"
             "quiet_hours = 00:00-24:00\nmax_per_day = 10\nmax_per_week = 30\n"
             "retry_base_s = %d\nretry_cap_s = %d\nmax_attempts = %d\n"
             "[sms.twilio]\naccount_sid = " SID "\nauth_token_file = %s\nbase_url = %s\n",
             BENCH_SOURCE_DIR, o->retry_base_s, o->retry_cap_s, o->max_attempts, tok,
             fgw_url(f));
    return itest_write_file(state, "signpost.conf", cfg, conf, conflen);
}

/* Marks the texts whose screening ids appear in the comma list as sent at t. */
static int mark_sent(text *texts, int n, const char *list, double t)
{
    int newly = 0;
    for (int i = 0; i < n; i++)
        if (texts[i].sent < 0 && strstr(list, texts[i].id)) {
            texts[i].sent = t;
            newly++;
        }
    return newly;
}

/* Polls (bounded) until every text is sent or has stopped trying. */
static void wait_all(const bench_opts *o, const itest_daemon *d, text *texts, run_result *r)
{
    size_t cap = (size_t)o->texts * 34 + 64;
    char *list = malloc(cap);
    double deadline = bench_now_s() + o->timeout_s;

    r->timed_out = 1;
    while (list && bench_now_s() < deadline) {
        long long stopped;
        if (itest_db_text(d,
                          "SELECT group_concat(screening_id, ',') FROM sms_outbox"
                          " WHERE state IN ('sent', 'delivered')",
                          NULL, list, cap) == 0)
            r->sent += mark_sent(texts, o->texts, list, bench_now_s());
        stopped = db_count(d, "SELECT count(*) FROM sms_outbox WHERE state IN"
                              " ('failed', 'unknown', 'expired', 'cancelled')");
        r->failed = stopped > 0 ? (int)stopped : 0;
        if (r->sent + r->failed >= o->texts) {
            r->timed_out = 0;
            break;
        }
        bench_sleep_ms(POLL_MS);
    }
    free(list);
}

/* What the fake saw: CreateMessage requests and its answers. */
static void gateway_counts(fake_gw *f, run_result *r)
{
    for (int i = 0; i < fgw_request_count(f); i++) {
        const fgw_request *q = fgw_request_at(f, i);
        if (!q || strcmp(q->method, "POST") != 0 || !strstr(q->path, "/Messages.json"))
            continue;
        r->gw_posts++;
        if (q->status == 201)
            r->gw_201++;
        else if (q->status == 429)
            r->gw_429++;
        else
            r->gw_other++;
    }
}

static void db_figures(const itest_daemon *d, run_result *r)
{
    r->attempts = db_count(d, "SELECT count(*) FROM sms_attempts");
    r->db_429 = db_count(d, "SELECT count(*) FROM sms_attempts WHERE http_status = 429");
    r->max_attempts_row = db_count(d, "SELECT max(attempts) FROM sms_outbox");
    if (r->failed)
        itest_db_text(d, "SELECT error FROM sms_outbox WHERE state <> 'sent' LIMIT 1", NULL,
                      r->fail_reason, sizeof r->fail_reason);
}

static void delays(text *texts, int n, run_result *r)
{
    int k = 0;
    r->delay_ms = calloc((size_t)n + 1, sizeof *r->delay_ms);
    r->first_queued = texts[0].queued;
    r->first_sent = r->last_sent = -1;
    for (int i = 0; i < n && r->delay_ms; i++) {
        if (texts[i].sent < 0)
            continue;
        r->delay_ms[k++] = (texts[i].sent - texts[i].queued) * 1000;
        if (r->first_sent < 0 || texts[i].sent < r->first_sent)
            r->first_sent = texts[i].sent;
        if (texts[i].sent > r->last_sent)
            r->last_sent = texts[i].sent;
    }
    bench_sort(r->delay_ms, (size_t)k);
}

/* Queues the texts and waits for them, with the daemon's memory sampled. */
static int drive(const bench_opts *o, itest_daemon *d, fake_gw *f, text *texts,
                 run_result *r)
{
    char version[64], phone[24];
    bench_rss_sampler s;
    double t0;
    int rc = -1;

    if (consent_version(d, version, sizeof version)) {
        fprintf(stderr, "bench: no consent text\n");
        return -1;
    }
    for (int i = 0; i < o->texts; i++)
        if (new_visit(d, &texts[i])) {
            fprintf(stderr, "bench: screening %d was refused\n", i);
            return -1;
        }
    bench_sleep_ms(SETTLE_MS);
    r->rss_idle = bench_proc_status_kb(d->pid, "VmRSS:");
    if (bench_rss_start(&s, d->pid, SAMPLE_MS, r->rss_idle))
        return -1;
    t0 = bench_now_s();
    for (int i = 0; i < o->texts; i++) {
        phone_of(i, phone, sizeof phone);
        if (ask_for_list(d, &texts[i], phone, version))
            goto out;
        texts[i].queued = bench_now_s();
    }
    r->queue_s = bench_now_s() - t0;
    wait_all(o, d, texts, r);
    rc = 0;
out:
    r->rss_peak = bench_rss_stop(&s);
    bench_sleep_ms(SETTLE_MS);
    r->rss_after = bench_proc_status_kb(d->pid, "VmRSS:");
    r->hwm = bench_proc_status_kb(d->pid, "VmHWM:");
    gateway_counts(f, r);
    db_figures(d, r);
    return rc;
}

static int one_run(const bench_opts *o, int rate, run_result *r)
{
    char state[ITEST_PATH], conf[ITEST_PATH + 32];
    itest_opts io = {.binary = o->binary, .config = conf, .state_dir = state};
    text *texts = calloc((size_t)o->texts, sizeof *texts);
    itest_daemon *d = NULL;
    fake_gw *f = fgw_start();
    int rc = -1;

    memset(r, 0, sizeof *r);
    r->rate = rate;
    snprintf(state, sizeof state, "%s/signpost-outbox-XXXXXX", o->parent);
    if (!texts || !f || !mkdtemp(state)) {
        fprintf(stderr, "bench: cannot set up (fake gateway or %s)\n", state);
        free(texts);
        fgw_stop(f);
        return -1;
    }
    for (int i = 0; i < o->texts; i++)
        texts[i].sent = -1;
    fgw_rate_limit(f, rate);
    fgw_retry_after(f, o->retry_after);
    fprintf(stderr, "bench: %d texts at %d a second ...\n", o->texts, rate);
    if (write_config(o, state, f, conf, sizeof conf) == 0 && (d = itest_start(&io)))
        rc = drive(o, d, f, texts, r);
    if (d) {
        if (rc || r->timed_out)
            itest_dump_log(d, "bench_outbox: the run did not finish");
        r->exit_code = itest_stop(d);
        itest_free(d);
    }
    delays(texts, o->texts, r);
    fgw_stop(f);
    free(texts);
    itest_rmtree(state);
    return rc;
}

/* ---- the report ------------------------------------------------------------------ */

static void print_run(const bench_opts *o, const run_result *r)
{
    double span = r->last_sent - r->first_queued, win = r->last_sent - r->first_sent;
    double achieved = span > 0 ? r->sent / span : 0;

    printf("\n%d texts a second (fake gateway limit), %d texts queued in %.2f s\n", r->rate,
           o->texts, r->queue_s);
    printf("  sent %d, failed or stopped %d%s%s%s\n", r->sent, r->failed,
           r->timed_out ? ", TIMED OUT" : "", r->fail_reason[0] ? ": " : "", r->fail_reason);
    /* The fake counts per wall-clock second: n texts need ceil(n / R) seconds
     * of the clock, so at least ceil(n / R) - 1 s from the first to the last. */
    printf("  first queued -> last sent: %.2f s (the limit allows about %d s at best)\n",
           span, r->sent > 0 ? (r->sent + r->rate - 1) / r->rate - 1 : 0);
    printf("  achieved: %.2f texts/s over that span (%.0f %% of the limit); "
           "%.2f texts/s first sent -> last sent\n",
           achieved, 100.0 * achieved / r->rate, win > 0 ? (r->sent - 1) / win : 0.0);
    printf("  delay queued -> sent: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
           bench_percentile(r->delay_ms, r->sent, 50),
           bench_percentile(r->delay_ms, r->sent, 99),
           r->sent ? r->delay_ms[r->sent - 1] : 0.0);
    printf("  attempts (sms_attempts): %lld for %d texts (%.2f a text, most on one text "
           "%lld); 429s: %lld\n",
           r->attempts, o->texts, (double)r->attempts / o->texts, r->max_attempts_row,
           r->db_429);
    printf("  the fake's log: %d CreateMessage requests: %d x 201, %d x 429, %d other\n",
           r->gw_posts, r->gw_201, r->gw_429, r->gw_other);
    printf("  daemon VmRSS: before queueing %ld kB, peak sampled %ld kB, after %ld kB "
           "(VmHWM %ld kB); exit %d\n",
           r->rss_idle, r->rss_peak, r->rss_after, r->hwm, r->exit_code);
}

static void print_table(const bench_opts *o, const run_result *r, int n)
{
    printf("\n| limit /s | texts | sent | span s | texts/s | of limit | delay p50 / p99 / max "
           "s | attempts | 429s | VmRSS before / peak / after kB |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        double span = r[i].last_sent - r[i].first_queued;
        double ach = span > 0 ? r[i].sent / span : 0;
        printf("| %d | %d | %d | %.1f | %.2f | %.0f %% | %.1f / %.1f / %.1f | %lld | %lld | "
               "%ld / %ld / %ld |\n",
               r[i].rate, o->texts, r[i].sent, span, ach, 100.0 * ach / r[i].rate,
               bench_percentile(r[i].delay_ms, r[i].sent, 50) / 1000,
               bench_percentile(r[i].delay_ms, r[i].sent, 99) / 1000,
               r[i].sent ? r[i].delay_ms[r[i].sent - 1] / 1000 : 0.0, r[i].attempts,
               r[i].db_429, r[i].rss_idle, r[i].rss_peak, r[i].rss_after);
    }
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_outbox [SIGNPOST_BINARY] [-m TEXTS] [-r RATE[,RATE...]] "
            "[-a MAX_ATTEMPTS]\n"
            "                    [-b RETRY_BASE_S] [-C RETRY_CAP_S] [-A RETRY_AFTER] "
            "[-t TIMEOUT_S] [-d DIR]\n"
            "  SIGNPOST_BINARY  the daemon to measure (default: this build's)\n"
            "  -m TEXTS         texts queued at once (default 60, at most %d)\n"
            "  -r RATES         the fake gateway's limits, texts a second (default 1,3)\n"
            "  -a MAX_ATTEMPTS  [sms] max_attempts (default 8, as the daemon)\n"
            "  -b RETRY_BASE_S  [sms] retry_base_s (default 1; the daemon's default is 30)\n"
            "  -C RETRY_CAP_S   [sms] retry_cap_s (default 4; the daemon's default is 1800)\n"
            "  -A RETRY_AFTER   the fake's Retry-After on 429, seconds (default 1)\n"
            "  -t TIMEOUT_S     the longest wait for one run (default 600)\n"
            "  -d DIR           where state directories go (default $TMPDIR or /tmp)\n",
            MAX_TEXTS);
}

static int parse_rates(const char *s, bench_opts *o)
{
    const char *p = s;
    o->nrates = 0;
    while (*p) {
        if (o->nrates == MAX_RATES || bench_parse_int(p, 1, 1000, &o->rates[o->nrates], &p))
            return -1;
        o->nrates++;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return o->nrates ? 0 : -1;
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    int c, ra;

    memset(o, 0, sizeof *o);
    o->binary = BENCH_DEFAULT_BIN;
    o->parent = bench_scratch_parent();
    o->retry_after = "1";
    o->texts = 60;
    o->max_attempts = 8;
    o->retry_base_s = 1;
    o->retry_cap_s = 4;
    o->timeout_s = 600;
    o->rates[0] = 1;
    o->rates[1] = 3;
    o->nrates = 2;
    while ((c = getopt(argc, argv, "m:r:a:b:C:A:t:d:h")) != -1) {
        if ((c == 'm' && bench_parse_int(optarg, 1, MAX_TEXTS, &o->texts, NULL)) ||
            (c == 'r' && parse_rates(optarg, o)) ||
            (c == 'a' && bench_parse_int(optarg, 1, 50, &o->max_attempts, NULL)) ||
            (c == 'b' && bench_parse_int(optarg, 1, 3600, &o->retry_base_s, NULL)) ||
            (c == 'C' && bench_parse_int(optarg, 1, 86400, &o->retry_cap_s, NULL)) ||
            (c == 'A' && bench_parse_int(optarg, 0, 3600, &ra, NULL)) ||
            (c == 't' && bench_parse_int(optarg, 1, 86400, &o->timeout_s, NULL)) || c == '?')
            return -1;
        if (c == 'A')
            o->retry_after = optarg;
        bench_common_opt(c, optarg, &o->parent, usage);
    }
    return bench_daemon_arg(argc, argv, &o->binary);
}

int main(int argc, char **argv)
{
    bench_opts o;
    run_result r[MAX_RATES];
    int rc = 0, done = 0;

    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    if (itest_init())
        return 1;
    memset(r, 0, sizeof r);
    printf("signpost bench_outbox\n  binary: %s\n  state in: %s (%s)\n"
           "  [sms] retry_base_s %d, retry_cap_s %d, max_attempts %d; fake Retry-After %s s\n",
           o.binary, o.parent, bench_fs_name(o.parent), o.retry_base_s, o.retry_cap_s,
           o.max_attempts, o.retry_after);
    for (int i = 0; i < o.nrates; i++) {
        if (one_run(&o, o.rates[i], &r[i])) {
            fprintf(stderr, "bench: the run at %d a second failed\n", o.rates[i]);
            rc = 1;
        }
        print_run(&o, &r[i]);
        done = i + 1;
    }
    print_table(&o, r, done);
    for (int i = 0; i < done; i++)
        free(r[i].delay_ms);
    itest_cleanup();
    return rc;
}
