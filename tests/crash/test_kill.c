/*
 * Crash consistency: the real daemon under a steady load of screenings,
 * receipts and texts is killed with SIGKILL at random moments and started
 * again on the same state directory, many times over.  The clients keep a
 * journal of every request the daemon acknowledged (201/202 with its id);
 * after the last restart and a drain, every acknowledged thing must be
 * there and whole, and nothing may have happened twice:
 *
 *   - every acknowledged screening is stored, its answers, domains and
 *     resources parse, and its stored result is what the API answered;
 *   - every acknowledged receipt ended "done" and reached the printer
 *     exactly once, or ended "failed" with a reason (printed at most once);
 *   - every acknowledged text went to the gateway exactly once, or is
 *     visibly "unknown" or "failed" after at most one send, never twice;
 *   - PRAGMA integrity_check says ok.
 *
 *   crash_kill [--kills N] [--seed S] [--clients C]
 *
 * The seed comes from the clock unless given, and is printed first, so a
 * failing run can be replayed (the kill points are the seed's; the daemon's
 * own timing is not, so a replay is close, not identical).
 *
 * The printer is tests/printer's fake_printer on loopback TCP, in its own
 * process, recording every byte; the gateway is tests/sms's fake, in this
 * process.  Both outlive every daemon.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crash.h"
#include "fake.h"
#include "fake_gateway.h"
#include "harness.h"

#define DEFAULT_KILLS 30
#define MAX_CLIENTS 8
#define JOURNAL_MAX 20000
#define KILL_MIN_MS 150
#define KILL_SPAN_MS 1200
#define DRAIN_MS 60000
#define ID_LEN 64
#define PHONES_MAX 8000

typedef struct {
    char id[ID_LEN];
    char *answer; /* the 201 body, as received */
} ack_screening;

typedef struct {
    char job[ID_LEN], screening[ID_LEN];
} ack_receipt;

typedef struct {
    char screening[ID_LEN], e164[24];
} ack_text;

static struct {
    pthread_mutex_t lock; /* guards the journal */
    ack_screening *screenings;
    ack_receipt *receipts;
    ack_text *texts;
    int nscreenings, nreceipts, ntexts;
    atomic_int port; /* the live daemon's kiosk port; 0 while it is down */
    atomic_int stop;
    atomic_int next_phone;
    int overflow; /* acknowledgements past JOURNAL_MAX: not checked, but counted */
    char consent[CR_CONSENT_MAX];
    unsigned seed;
    /* Unacknowledged answers by kind (screening, receipt, text): none, 503
     * print_queue_full (back-pressure by design), 503 otherwise, other. */
    atomic_int unacked[3][4];
} j;

static void note(int kind, int got_answer, const cr_reply *r)
{
    int c = 3;
    if (!got_answer)
        c = 0;
    else if (r->status == 503)
        c = strstr(r->raw, "print_queue_full") ? 1 : 2;
    atomic_fetch_add(&j.unacked[kind][c], 1);
}

static int failures;

static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("crash_kill: FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* ---- the clients ------------------------------------------------------------ */

/* POST /api/v1/screenings; on 201 journals it and returns 0 with id and token. */
static int client_screening(int port, unsigned *rnd, char *id, char *token)
{
    cr_reply r;
    const char *s, *t;
    int rc = -1;

    int got = cr_call(port, "POST", "/api/v1/screenings", cr_body((unsigned)rand_r(rnd)),
                      NULL, 5000, &r) == 0;
    if (!got || r.status != 201) {
        note(0, got, &r);
        goto out;
    }
    s = json_string_value(json_object_get(r.json, "id"));
    t = json_string_value(json_object_get(r.json, "token"));
    if (!s || !t || r.truncated) {
        problem("a 201 without an id or token: %.200s", r.raw);
        goto out;
    }
    snprintf(id, ID_LEN, "%s", s);
    snprintf(token, ID_LEN, "%s", t);
    pthread_mutex_lock(&j.lock);
    if (j.nscreenings < JOURNAL_MAX) {
        ack_screening *a = &j.screenings[j.nscreenings++];
        snprintf(a->id, sizeof a->id, "%s", s);
        a->answer = strdup(r.raw);
    } else {
        j.overflow++;
    }
    pthread_mutex_unlock(&j.lock);
    rc = 0;
out:
    cr_reply_free(&r);
    return rc;
}

static void client_receipt(int port, const char *id, const char *token)
{
    char path[160];
    cr_reply r;
    const char *job;

    snprintf(path, sizeof path, "/api/v1/screenings/%s/receipt", id);
    int got = cr_call(port, "POST", path, "", token, 5000, &r) == 0;
    if (!got || r.status != 202)
        note(1, got, &r);
    if (got && r.status == 202) {
        job = json_string_value(json_object_get(r.json, "job_id"));
        if (!job)
            problem("a 202 without a job_id: %.200s", r.raw);
        pthread_mutex_lock(&j.lock);
        if (job && j.nreceipts < JOURNAL_MAX) {
            ack_receipt *a = &j.receipts[j.nreceipts++];
            snprintf(a->job, sizeof a->job, "%s", job);
            snprintf(a->screening, sizeof a->screening, "%s", id);
        }
        pthread_mutex_unlock(&j.lock);
    }
    cr_reply_free(&r);
}

/* Consents with a number no other visit uses, reminders only: the first is
 * due a second later, so texts go out while the kills go on. */
static void client_text(int port, const char *id, const char *token)
{
    char path[160], body[400], e164[24];
    int n = atomic_fetch_add(&j.next_phone, 1);
    cr_reply r;

    /* 217-555-2000 onward: fictional, one per consent, never reused (a
     * second text to a number must mean a duplicate). */
    if (n >= PHONES_MAX)
        return;
    snprintf(e164, sizeof e164, "+1217555%04d", 2000 + n);
    snprintf(body, sizeof body,
             "{\"phone\":\"%s\",\"consent\":true,\"consent_version\":\"%s\","
             "\"language\":\"en\",\"reminders\":true,\"send_list\":false}",
             e164 + 2, j.consent);
    snprintf(path, sizeof path, "/api/v1/screenings/%s/sms", id);
    int got = cr_call(port, "POST", path, body, token, 5000, &r) == 0;
    if (!got || r.status != 201)
        note(2, got, &r);
    if (got) {
        if (r.status == 201) {
            pthread_mutex_lock(&j.lock);
            if (j.ntexts < JOURNAL_MAX) {
                ack_text *a = &j.texts[j.ntexts++];
                snprintf(a->screening, sizeof a->screening, "%s", id);
                snprintf(a->e164, sizeof a->e164, "%s", e164);
            }
            pthread_mutex_unlock(&j.lock);
        } else if (r.status == 422 || r.status == 409) {
            problem("POST .../sms answered %ld: %.200s", r.status, r.raw);
        }
    }
    cr_reply_free(&r);
}

static void *client(void *arg)
{
    unsigned rnd = j.seed ^ (unsigned)(uintptr_t)arg * 2654435761u;
    char id[ID_LEN], token[ID_LEN];

    while (!atomic_load(&j.stop)) {
        int port = atomic_load(&j.port);
        if (!port || client_screening(port, &rnd, id, token) != 0) {
            cr_sleep_ms(20);
            continue;
        }
        if (rand_r(&rnd) % 10 < 6)
            client_receipt(port, id, token);
        if (rand_r(&rnd) % 10 < 4)
            client_text(port, id, token);
        cr_sleep_ms(rand_r(&rnd) % 40);
    }
    return NULL;
}

/* ---- the daemon --------------------------------------------------------------- */

static char state_dir[ITEST_PATH], conf[CR_PATH];

static itest_daemon *start(void)
{
    itest_opts o = {.config = conf, .state_dir = state_dir};
    itest_daemon *d = itest_start(&o);
    if (d)
        atomic_store(&j.port, d->port);
    return d;
}

static int kill_daemon(itest_daemon *d)
{
    atomic_store(&j.port, 0);
    kill(d->pid, SIGKILL);
    if (itest_wait_exit(d, ITEST_WAIT_MS) != 128 + SIGKILL) {
        problem("the daemon did not die of SIGKILL (exit %d)", d->exit_code);
        return -1;
    }
    return 0;
}

/* Waits until nothing is queued, printing, sending or due: every journaled
 * thing has reached its end. */
static int drain(itest_daemon *d)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM print_jobs WHERE status IN ('queued', 'printing'))"
        " + (SELECT count(*) FROM sms_outbox WHERE state IN ('sending', 'unknown')"
        "    OR (state = 'scheduled' AND due_at <= CAST(strftime('%s', 'now') AS "
        "INTEGER) + 5))"
        " + (?1 IS NOT NULL)";
    long long left = -1, end = cr_now_ms() + DRAIN_MS;

    while (cr_now_ms() < end) {
        if (itest_db_int(d, sql, NULL, &left) == 0 && left == 0)
            return 0;
        cr_sleep_ms(200);
    }
    fprintf(stderr, "crash_kill: %lld jobs or texts still open after %d s\n", left,
            DRAIN_MS / 1000);
    return -1;
}

/* ---- the checks --------------------------------------------------------------- */

static void check_screening(sqlite3 *db, const ack_screening *a)
{
    sqlite3_stmt *st = NULL;
    json_t *api = json_loads(a->answer, 0, NULL), *stored = NULL, *col[3] = {0};

    sqlite3_prepare_v2(db,
                       "SELECT answers, domains, resources, result_json FROM screenings"
                       " WHERE id = ?1",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        problem("screening %s was acknowledged but is not stored", a->id);
        goto out;
    }
    for (int c = 0; c < 3; c++) {
        col[c] = json_loads((const char *)sqlite3_column_text(st, c), 0, NULL);
        if (!json_is_array(col[c]))
            problem("screening %s: column %d is not a JSON array", a->id, c);
    }
    stored = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    /* The API's answer is the stored result plus the screen's token. */
    json_object_del(api, "token");
    json_object_del(api, "expires_in");
    if (!stored || !api || !json_equal(stored, api))
        problem("screening %s: the stored result differs from what the API answered",
                a->id);
    if (json_array_size(col[2]) != json_array_size(json_object_get(api, "resources")))
        problem("screening %s: %zu resources stored, %zu answered", a->id,
                json_array_size(col[2]),
                json_array_size(json_object_get(api, "resources")));
out:
    for (int c = 0; c < 3; c++)
        json_decref(col[c]);
    json_decref(stored);
    json_decref(api);
    sqlite3_finalize(st);
}

typedef struct {
    int done, failed, printed_done, extra;
} print_counts;

/* Each distinct receipt (same bytes) is one group: its copies on paper must
 * be at least its "done" jobs and at most "done" + "failed" (a job killed
 * after its bytes went out ends failed, printed once). */
static void check_receipts(sqlite3 *db, const unsigned char *rec, size_t reclen,
                           print_counts *pc)
{
    sqlite3_stmt *st = NULL;

    sqlite3_prepare_v2(db,
                       "SELECT payload, sum(status = 'done'), sum(status = 'failed'),"
                       " sum(status NOT IN ('done', 'failed')),"
                       " sum(status = 'failed' AND coalesce(error, '') = '')"
                       " FROM print_jobs GROUP BY payload",
                       -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        int done = sqlite3_column_int(st, 1), failed = sqlite3_column_int(st, 2);
        int copies = (int)cr_count(rec, reclen, p, n);
        if (sqlite3_column_int(st, 3))
            problem("%d receipts still queued or printing after the drain",
                    sqlite3_column_int(st, 3));
        if (sqlite3_column_int(st, 4))
            problem("%d receipts failed without a reason", sqlite3_column_int(st, 4));
        if (copies < done || copies > done + failed)
            problem("a receipt printed %d times for %d done and %d failed jobs", copies,
                    done, failed);
        pc->done += done;
        pc->failed += failed;
        pc->printed_done += copies < done ? copies : done;
        pc->extra += copies > done ? copies - done : 0;
    }
    sqlite3_finalize(st);
}

static void check_receipt_journal(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(
        db, "SELECT status FROM print_jobs WHERE id = ?1 AND screening_id = ?2", -1, &st,
        NULL);
    for (int i = 0; i < j.nreceipts; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, j.receipts[i].job, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, j.receipts[i].screening, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            problem("print job %s was acknowledged but is not stored", j.receipts[i].job);
    }
    sqlite3_finalize(st);
}

typedef struct {
    int sent, unknown, failed, other;
} text_counts;

/* Accepted sends (answered 201) the fake gateway logged for a number. */
static int accepted_to(fake_gw *gw, const char *e164)
{
    int n = 0;
    for (int i = 0; i < fgw_request_count(gw); i++) {
        const fgw_request *r = fgw_request_at(gw, i);
        const char *to = fgw_field(r, "To");
        n += !strcmp(r->method, "POST") && to && !strcmp(to, e164) && r->status == 201;
    }
    return n;
}

/* Every number the gateway was asked to text, journaled or not (a consent
 * whose answer was lost to a kill still sends): accepted once at most. */
static void check_no_number_twice(fake_gw *gw)
{
    int n = fgw_request_count(gw);
    for (int i = 0; i < n; i++) {
        const fgw_request *r = fgw_request_at(gw, i);
        const char *to = fgw_field(r, "To");
        if (strcmp(r->method, "POST") || !to || r->status != 201)
            continue;
        for (int k = i + 1; k < n; k++) {
            const fgw_request *q = fgw_request_at(gw, k);
            const char *to2 = fgw_field(q, "To");
            if (!strcmp(q->method, "POST") && to2 && !strcmp(to, to2) &&
                q->status == 201) {
                problem("the gateway accepted two texts for one number");
                break;
            }
        }
    }
}

static void check_texts(sqlite3 *db, fake_gw *gw, text_counts *tc)
{
    sqlite3_stmt *st = NULL;

    /* The first reminder (due after 1 s); the 1 h one stays scheduled. */
    sqlite3_prepare_v2(db,
                       "SELECT state, coalesce(error, '') FROM sms_outbox"
                       " WHERE screening_id = ?1 AND kind = 'reminder'"
                       " ORDER BY due_at LIMIT 1",
                       -1, &st, NULL);
    for (int i = 0; i < j.ntexts; i++) {
        const ack_text *a = &j.texts[i];
        const char *state;
        int sends = accepted_to(gw, a->e164);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, a->screening, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            problem("texts for screening %s were acknowledged but are not stored",
                    a->screening);
            continue;
        }
        state = (const char *)sqlite3_column_text(st, 0);
        if (sends > 1)
            problem("a text went to the gateway %d times (state %s)", sends, state);
        if (!strcmp(state, "sent") || !strcmp(state, "delivered")) {
            tc->sent++;
            if (sends != 1)
                problem("a text is marked sent but the gateway took it %d times", sends);
        } else if (!strcmp(state, "unknown")) {
            tc->unknown++;
        } else if (!strcmp(state, "failed")) {
            tc->failed++;
            if (!*(const char *)sqlite3_column_text(st, 1))
                problem("a text failed without a reason");
        } else {
            tc->other++;
            problem("a due text ended in state %s", state);
        }
    }
    sqlite3_finalize(st);
}

/* Texts a kill caught mid-send, settled by asking the gateway afterwards. */
static int reconciled(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    sqlite3_prepare_v2(db,
                       "SELECT count(*) FROM sms_attempts WHERE outcome = 'reconciled'",
                       -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void check_integrity(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    if (sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
        problem("integrity_check: %s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        problem("foreign_key_check found a dangling reference in %s",
                sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* ---- main --------------------------------------------------------------------- */

static int selftest;

static int parse_args(int argc, char **argv, long *kills, int *clients)
{
    j.seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "--selftest")) {
            selftest = 1;
            continue;
        }
        long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
        if (v < 0 || !end || *end) {
            fprintf(stderr,
                    "usage: %s [--kills N] [--seed S] [--clients C] [--selftest]\n",
                    argv[0]);
            return -1;
        }
        if (!strcmp(argv[i], "--kills"))
            *kills = v;
        else if (!strcmp(argv[i], "--seed"))
            j.seed = (unsigned)v;
        else if (!strcmp(argv[i], "--clients") && v >= 1 && v <= MAX_CLIENTS)
            *clients = (int)v;
        else {
            fprintf(stderr,
                    "usage: %s [--kills N] [--seed S] [--clients C] [--selftest]\n",
                    argv[0]);
            return -1;
        }
        i++;
    }
    return 0;
}

/* The kill loop: random waits under load, SIGKILL, restart; returns kills survived. */
static long kill_loop(itest_daemon **d, long kills, unsigned *rnd)
{
    long survived = 0;
    for (long k = 0; k < kills; k++) {
        cr_sleep_ms(KILL_MIN_MS + rand_r(rnd) % KILL_SPAN_MS);
        if (kill_daemon(*d) != 0)
            break;
        itest_free(*d);
        if (!(*d = start())) {
            problem("the daemon did not come back after kill %ld", k + 1);
            break;
        }
        survived++;
        if ((k + 1) % 10 == 0)
            fprintf(stderr, "crash_kill: %ld kills, %d screenings acknowledged\n", k + 1,
                    j.nscreenings);
    }
    return survived;
}

static void report(long survived, const print_counts *pc, const text_counts *tc,
                   size_t reclen, long long ms)
{
    printf("crash_kill: seed %u: %ld kills survived in %.1f s\n", j.seed, survived,
           (double)ms / 1000.0);
    printf(
        "crash_kill: %d screenings acknowledged and checked (%d more past the journal's "
        "cap); %d problems found\n",
        j.nscreenings, j.overflow, failures);
    printf(
        "crash_kill: %d receipts acknowledged; print jobs: %d done (each printed once), "
        "%d failed visibly (%d of those reached the printer once); %zu bytes printed\n",
        j.nreceipts, pc->done, pc->failed, pc->extra, reclen);
    printf("crash_kill: %d consents acknowledged; first reminders: %d sent once, %d "
           "unknown, "
           "%d failed, %d other; gateway requests %s\n",
           j.ntexts, tc->sent, tc->unknown, tc->failed, tc->other, "checked per number");
    for (int k = 0; k < 3; k++)
        printf("crash_kill: %s requests not acknowledged: %d without an answer (killed), "
               "%d print_queue_full, %d other 503, %d another status\n",
               k == 0   ? "screening"
               : k == 1 ? "receipt"
                        : "text",
               atomic_load(&j.unacked[k][0]), atomic_load(&j.unacked[k][1]),
               atomic_load(&j.unacked[k][2]), atomic_load(&j.unacked[k][3]));
}

/* ---- the self-test ------------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* A send to the fake gateway that the daemon never made: a second text to a
 * number the journal says was texted once. */
static void send_behind_its_back(fake_gw *gw, const char *e164)
{
    char url[256], body[200];
    CURL *c = curl_easy_init();

    snprintf(url, sizeof url, "%s/2010-04-01/Accounts/" CR_SID "/Messages.json",
             fgw_url(gw));
    snprintf(body, sizeof body, "To=%%2B%s&From=%%2B12175550100&Body=again", e164 + 1);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
}

/*
 * --selftest: plants one of each fault the checks exist to find (a lost
 * screening, a result that differs from the answer, a receipt printed
 * twice, a text sent twice) so a run shows that each check can fail.  The
 * record gets every byte twice.
 */
static unsigned char *plant_faults(fake_gw *gw, unsigned char *rec, size_t *reclen)
{
    unsigned char *twice = malloc(2 * *reclen + 1);
    json_t *a;

    if (j.nscreenings < 1 || j.ntexts < 1 || !twice || j.nscreenings >= JOURNAL_MAX) {
        problem("self-test: the run left nothing to plant faults in");
        free(twice);
        return rec;
    }
    snprintf(j.screenings[j.nscreenings].id, ID_LEN, "%032d", 0);
    j.screenings[j.nscreenings++].answer = strdup("{}");
    a = json_loads(j.screenings[0].answer, 0, NULL);
    json_object_set_new(a, "safety_score", json_integer(99));
    free(j.screenings[0].answer);
    j.screenings[0].answer = json_dumps(a, 0);
    json_decref(a);
    memcpy(twice, rec, *reclen);
    memcpy(twice + *reclen, rec, *reclen);
    *reclen *= 2;
    free(rec);
    send_behind_its_back(gw, j.texts[0].e164);
    return twice;
}

/* After a self-test's checks: every planted fault must have been found. */
static void judge_selftest(int lost, int differs, int receipts, int texts)
{
    printf("crash_kill: self-test found: lost screening %d, different result %d, "
           "receipt twice %d, text twice %d\n",
           lost, differs, receipts, texts);
    failures = lost && differs && receipts && texts ? 0 : 1;
}

static void verify(itest_daemon *d, fake_gw *gw, fake_printer *fp, long survived,
                   long long t0)
{
    print_counts pc = {0};
    text_counts tc = {0};
    unsigned char *rec = NULL;
    size_t reclen = 0;
    sqlite3 *db = NULL;

    if (drain(d) != 0)
        problem("the queues did not drain");
    if (itest_stop(d) != 0)
        problem("the daemon did not stop cleanly after the run");
    if (sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        problem("cannot open %s", d->db_path);
        goto out;
    }
    rec = fake_read_file(fp->record, &reclen);
    if (selftest && rec)
        rec = plant_faults(gw, rec, &reclen);
    int before, lost = 0, differs = 0, receipts;
    for (int i = 0; i < j.nscreenings; i++) {
        before = failures;
        check_screening(db, &j.screenings[i]);
        if (i == 0)
            differs = failures - before;
        if (i == j.nscreenings - 1)
            lost = failures - before;
    }
    check_receipt_journal(db);
    before = failures;
    check_receipts(db, rec ? rec : (const unsigned char *)"", rec ? reclen : 0, &pc);
    receipts = failures - before;
    before = failures;
    check_texts(db, gw, &tc);
    check_no_number_twice(gw);
    check_integrity(db);
    report(survived, &pc, &tc, reclen, cr_now_ms() - t0);
    printf("crash_kill: %d texts caught mid-send were settled by asking the gateway\n",
           reconciled(db));
    if (selftest)
        judge_selftest(lost > 0, differs > 0, receipts > 0, failures - before > 0);
out:
    free(rec);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    const char *const printer_args[] = {"--lifetime", "3600", NULL};
    long kills = DEFAULT_KILLS, survived;
    int clients = 2;
    pthread_t threads[MAX_CLIENTS];
    fake_printer fp;
    fake_gw *gw = NULL;
    itest_daemon *d = NULL;
    long long t0 = cr_now_ms();
    unsigned rnd;

    if (parse_args(argc, argv, &kills, &clients))
        return 2;
    printf("crash_kill: seed %u (replay with --seed %u), %ld kills, %d clients\n", j.seed,
           j.seed, kills, clients);
    fflush(stdout);
    rnd = j.seed;
    pthread_mutex_init(&j.lock, NULL);
    j.screenings = calloc(JOURNAL_MAX, sizeof *j.screenings);
    j.receipts = calloc(JOURNAL_MAX, sizeof *j.receipts);
    j.texts = calloc(JOURNAL_MAX, sizeof *j.texts);
    if (!j.screenings || !j.receipts || !j.texts || itest_init() || !(gw = fgw_start()) ||
        fake_start(&fp, "tcp", printer_args) ||
        itest_mkdtemp(state_dir, sizeof state_dir) ||
        cr_write_config(state_dir, fp.port, fgw_url(gw), NULL, NULL, conf, sizeof conf) ||
        !(d = start()) || cr_consent_version(d->port, j.consent, sizeof j.consent)) {
        fprintf(stderr, "crash_kill: set-up failed\n");
        return 1;
    }
    for (int i = 0; i < clients; i++)
        pthread_create(&threads[i], NULL, client, (void *)(uintptr_t)(i + 1));
    survived = kill_loop(&d, kills, &rnd);
    cr_sleep_ms(1500); /* some load on the last daemon too */
    atomic_store(&j.stop, 1);
    for (int i = 0; i < clients; i++)
        pthread_join(threads[i], NULL);
    if (d)
        verify(d, gw, &fp, survived, t0);
    else
        failures++;
    if (failures && d)
        itest_dump_log(d, "the last daemon's log");
    itest_free(d);
    fake_stop(&fp);
    fgw_stop(gw);
    if (!failures)
        itest_rmtree(state_dir);
    else
        fprintf(stderr, "crash_kill: %d problems; state kept in %s (seed %u)\n", failures,
                state_dir, j.seed);
    for (int i = 0; i < j.nscreenings; i++)
        free(j.screenings[i].answer);
    free(j.screenings);
    free(j.receipts);
    free(j.texts);
    itest_cleanup();
    return failures ? 1 : 0;
}
