/*
 * `signpost directory`: look at the imported directory and curate it from
 * a shell, the way an installer or a navigator without the staff console
 * would.  The curation itself (contact, what to ask for, pin, priority,
 * hidden, notes, verification) goes to the store through store_curation_*,
 * the same calls the staff console uses, so both see the same records.
 *
 *   signpost directory info
 *   signpost directory search TEXT [--limit N]
 *   signpost directory show ID
 *   signpost directory set ID [--contact-name N] [--contact-phone P]
 *                             [--ask-for LANG=TEXT]... [--priority N]
 *                             [--pin|--unpin] [--hide|--unhide] [--notes TEXT]
 *   signpost directory verify ID --by NAME [--on YYYY-MM-DD]
 *   signpost directory stale [--limit N]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/cli.h"
#include "signpost/directory_db.h"
#include "signpost/store.h"

#define ASK_MAX SG_ASK_FOR_LANGS

typedef struct {
    const char *config, *state;
    const char *contact_name, *contact_phone, *notes, *by, *on;
    const char *ask[ASK_MAX];
    int nask;
    int priority_set, priority, pin, hide; /* pin/hide: -1 clear, 1 set, 0 keep */
    int limit;
    const char *sub, *arg;
} dir_args;

typedef struct {
    sg_config *cfg;
    sg_store *store;
    sqlite3 *db; /* directory.db, read-only, with the store attached as st */
} dir_env;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: signpost directory [--config FILE] [--state-dir DIR] <command>\n"
            "\n"
            "  info                          what is imported, from where and when\n"
            "  search TEXT [--limit N]       find services by name, description, keywords\n"
            "  show ID                       one service, with the clinic's curation\n"
            "  set ID [options]              curate a service:\n"
            "      --contact-name NAME --contact-phone NUMBER\n"
            "      --ask-for LANG=TEXT (once per language)  --notes TEXT\n"
            "      --priority -9..9  --pin | --unpin  --hide | --unhide\n"
            "  verify ID --by NAME [--on YYYY-MM-DD]   record that staff checked it\n"
            "  stale [--limit N]             services not verified within stale_days\n");
}

static int bad(const char *what, const char *why)
{
    fprintf(stderr, "signpost directory: %s: %s\n", what, why);
    return SG_EXIT_USAGE;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int take_option(int c, dir_args *a)
{
    switch (c) {
    case 'c': a->config = optarg; break;
    case 's': a->state = optarg; break;
    case 'n': a->contact_name = optarg; break;
    case 'p': a->contact_phone = optarg; break;
    case 'N': a->notes = optarg; break;
    case 'b': a->by = optarg; break;
    case 'o': a->on = optarg; break;
    case 'P': a->pin = 1; break;
    case 'U': a->pin = -1; break;
    case 'H': a->hide = 1; break;
    case 'S': a->hide = -1; break;
    case 'a':
        if (a->nask >= ASK_MAX)
            return bad("--ask-for", "at most 4 languages");
        a->ask[a->nask++] = optarg;
        break;
    case 'r':
        a->priority_set = 1;
        if (parse_int(optarg, -9, 9, &a->priority))
            return bad("--priority", "must be a whole number from -9 to 9");
        break;
    case 'l':
        if (parse_int(optarg, 1, 100000, &a->limit))
            return bad("--limit", "must be a whole number from 1 to 100000");
        break;
    default: usage(stderr); return SG_EXIT_USAGE;
    }
    return SG_EXIT_OK;
}

static int parse_args(int argc, char **argv, dir_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},   {"state-dir", required_argument, NULL, 's'},
        {"contact-name", required_argument, NULL, 'n'},
        {"contact-phone", required_argument, NULL, 'p'},
        {"ask-for", required_argument, NULL, 'a'},  {"priority", required_argument, NULL, 'r'},
        {"notes", required_argument, NULL, 'N'},    {"by", required_argument, NULL, 'b'},
        {"on", required_argument, NULL, 'o'},       {"limit", required_argument, NULL, 'l'},
        {"pin", no_argument, NULL, 'P'},            {"unpin", no_argument, NULL, 'U'},
        {"hide", no_argument, NULL, 'H'},           {"unhide", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int c, rc;

    memset(a, 0, sizeof *a);
    a->limit = 50;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        if ((rc = take_option(c, a)))
            return rc;
    }
    if (optind >= argc)
        return bad("command", "missing (info, search, show, set, verify or stale)");
    a->sub = argv[optind++];
    a->arg = optind < argc ? argv[optind++] : NULL;
    if (optind < argc)
        return bad(argv[optind], "unexpected argument");
    return SG_EXIT_OK;
}

static int open_env(const dir_args *a, dir_env *e)
{
    char path[4200], err[512];
    sqlite3_stmt *att = NULL;
    int rc;

    memset(e, 0, sizeof *e);
    if (!(e->cfg = malloc(sizeof *e->cfg)))
        return SG_EXIT_FAIL;
    if ((rc = cli_load_config(e->cfg, a->config, a->state, NULL)))
        return rc;
    if (store_open(e->cfg->store_dir, 1, &e->store, err, sizeof err)) {
        fprintf(stderr, "signpost directory: %s\n", err);
        return SG_EXIT_FAIL;
    }
    snprintf(path, sizeof path, "%s/%s", e->cfg->store_dir, DIRECTORY_DB_FILE);
    if (sqlite3_open_v2(path, &e->db, SQLITE_OPEN_READONLY, NULL)) {
        fprintf(stderr, "signpost directory: no directory in %s (run 'signpost import' first)\n",
                e->cfg->store_dir);
        return SG_EXIT_FAIL;
    }
    snprintf(path, sizeof path, "%s/%s", e->cfg->store_dir, SG_DB_FILE);
    rc = sqlite3_prepare_v2(e->db, "ATTACH DATABASE ?1 AS st", -1, &att, NULL) ||
         sqlite3_bind_text(att, 1, path, -1, SQLITE_STATIC) ||
         sqlite3_step(att) != SQLITE_DONE;
    sqlite3_finalize(att);
    if (rc) {
        fprintf(stderr, "signpost directory: %s\n", sqlite3_errmsg(e->db));
        return SG_EXIT_FAIL;
    }
    return SG_EXIT_OK;
}

static void close_env(dir_env *e)
{
    sqlite3_close(e->db);
    store_close(e->store);
    free(e->cfg);
}

static const char *col(sqlite3_stmt *s, int i)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    return v ? (const char *)v : "";
}

static int query_fail(dir_env *e)
{
    fprintf(stderr, "signpost directory: %s\n", sqlite3_errmsg(e->db));
    return SG_EXIT_FAIL;
}

static int cmd_info(dir_env *e)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(e->db, "SELECT key, value FROM meta ORDER BY key", -1, &s, NULL))
        return query_fail(e);
    while (sqlite3_step(s) == SQLITE_ROW)
        printf("%-14s %s\n", col(s, 0), col(s, 1));
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(e->db, "SELECT domain, count(*) FROM service_domains GROUP BY 1",
                           -1, &s, NULL))
        return query_fail(e);
    while (sqlite3_step(s) == SQLITE_ROW)
        printf("domain         %s: %d services\n", col(s, 0), sqlite3_column_int(s, 1));
    sqlite3_finalize(s);
    return SG_EXIT_OK;
}

/* A user's words as an FTS5 query: each word quoted, so no syntax leaks in. */
static int fts_query(const char *text, char *out, size_t outlen)
{
    size_t w = 0;
    int in_word = 0;
    for (const char *p = text; *p; p++) {
        int space = *p == ' ' || *p == '\t' || *p == '"';
        if (w + 6 >= outlen)
            return -1;
        if (space && in_word) {
            out[w++] = '"';
            out[w++] = ' ';
        } else if (!space && !in_word) {
            out[w++] = '"';
        }
        if (!space)
            out[w++] = *p;
        in_word = !space;
    }
    if (in_word)
        out[w++] = '"';
    out[w] = '\0';
    return w ? 0 : -1;
}

static int cmd_search(dir_env *e, const dir_args *a)
{
    static const char sql[] =
        "SELECT s.id, s.name, s.status, coalesce(c.pinned, 0), coalesce(c.hidden, 0)"
        " FROM service_fts f JOIN services s ON s.sid = f.rowid"
        " LEFT JOIN st.service_curation c ON c.service_id = s.id"
        " WHERE service_fts MATCH ?1 ORDER BY rank LIMIT ?2";
    char q[512];
    sqlite3_stmt *s = NULL;
    int n = 0;

    if (!a->arg || fts_query(a->arg, q, sizeof q))
        return bad("search", "give the words to look for (up to 400 characters)");
    if (sqlite3_prepare_v2(e->db, sql, -1, &s, NULL))
        return query_fail(e);
    sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, a->limit);
    while (sqlite3_step(s) == SQLITE_ROW && ++n)
        printf("%s  %s%s%s%s\n", col(s, 0), col(s, 1),
               strcmp(col(s, 2), "active") ? " [" : "", strcmp(col(s, 2), "active") ? col(s, 2) : "",
               sqlite3_column_int(s, 4) ? " [hidden]" : sqlite3_column_int(s, 3) ? " [pinned]" : "");
    sqlite3_finalize(s);
    fprintf(stderr, "%d found\n", n);
    return SG_EXIT_OK;
}

static int today_ymd(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static void print_curation(const dir_curation *c, int found)
{
    if (!found) {
        printf("curation:      none\n");
        return;
    }
    printf("contact:       %s%s%s\n", c->contact_name, c->contact_phone[0] ? ", " : "",
           c->contact_phone);
    for (int i = 0; i < c->nask_for; i++)
        printf("ask for (%s):  %s\n", c->ask_for[i].lang, c->ask_for[i].text);
    printf("priority:      %+d%s%s\n", c->priority, c->pinned ? "  pinned" : "",
           c->hidden ? "  HIDDEN" : "");
    printf("verified:      %s%s%s\n", c->verified_on[0] ? c->verified_on : "never",
           c->verified_by[0] ? " by " : "", c->verified_by);
    if (c->notes[0])
        printf("notes:         %s\n", c->notes);
    printf("updated:       %s\n", c->updated_at);
}

static int cmd_show(dir_env *e, const dir_args *a)
{
    static const char sql[] =
        "SELECT id, name, organization, status, phone, address, url, languages,"
        " latitude, longitude, assured_date, (SELECT group_concat(code || ' ' || name, '; ') FROM"
        " service_terms t WHERE t.sid = s.sid), (SELECT group_concat(domain, ', ') FROM"
        " service_domains d WHERE d.sid = s.sid), (SELECT count(*) FROM schedules h"
        " WHERE h.sid = s.sid) FROM services s WHERE id = ?1";
    static const char *const labels[] = {"id", "name", "organization", "status", "phone",
                                         "address", "url", "languages", "latitude",
                                         "longitude", "assured", "taxonomy", "domains",
                                         "schedule rows"};
    sqlite3_stmt *s = NULL;
    dir_curation cur;
    char assured[16];
    sg_rc rc;

    if (!a->arg)
        return bad("show", "give a service id");
    if (sqlite3_prepare_v2(e->db, sql, -1, &s, NULL))
        return query_fail(e);
    sqlite3_bind_text(s, 1, a->arg, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        fprintf(stderr, "signpost directory: no service \"%s\" in the directory\n", a->arg);
        return SG_EXIT_FAIL;
    }
    for (int i = 0; i < (int)(sizeof labels / sizeof labels[0]); i++)
        printf("%-14s %s\n", labels[i], col(s, i));
    snprintf(assured, sizeof assured, "%s", col(s, 10));
    sqlite3_finalize(s);
    rc = store_curation_get(e->store, a->arg, &cur);
    if (rc && rc != SG_ENOTFOUND)
        return SG_EXIT_FAIL;
    print_curation(&cur, rc == SG_OK);
    printf("stale:         %s\n",
           directory_is_stale(rc == SG_OK ? &cur : NULL, assured, today_ymd(),
                              e->cfg->stale_days)
               ? "yes: not verified by the clinic or the publisher within stale_days"
               : "no");
    return SG_EXIT_OK;
}

static int service_exists(dir_env *e, const char *id)
{
    sqlite3_stmt *s = NULL;
    int found = 0;
    if (!sqlite3_prepare_v2(e->db, "SELECT 1 FROM services WHERE id = ?1", -1, &s, NULL)) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        found = sqlite3_step(s) == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    return found;
}

/* Loads the service's curation, or a fresh one; refuses unknown ids. */
static int load_for_edit(dir_env *e, const char *id, dir_curation *c)
{
    sg_rc rc;
    if (!id)
        return bad("service", "give a service id");
    if (!service_exists(e, id)) {
        fprintf(stderr, "signpost directory: no service \"%s\" in the directory\n", id);
        return SG_EXIT_FAIL;
    }
    rc = store_curation_get(e->store, id, c);
    if (rc == SG_ENOTFOUND) {
        memset(c, 0, sizeof *c);
        snprintf(c->service_id, sizeof c->service_id, "%s", id);
    } else if (rc) {
        return SG_EXIT_FAIL;
    }
    return SG_EXIT_OK;
}

static int set_text(char *dst, size_t cap, const char *v, const char *what)
{
    if (!v)
        return SG_EXIT_OK;
    if (strlen(v) >= cap) {
        fprintf(stderr, "signpost directory: %s: longer than %zu bytes\n", what, cap - 1);
        return SG_EXIT_USAGE;
    }
    snprintf(dst, cap, "%s", v);
    return SG_EXIT_OK;
}

static int phone_ok(const char *p)
{
    for (; p && *p; p++)
        if (!strchr("0123456789 +-().x", *p))
            return 0;
    return 1;
}

static int apply_ask(dir_curation *c, const char *spec)
{
    const char *eq = strchr(spec, '=');
    size_t ll = eq ? (size_t)(eq - spec) : 0;
    int i;

    if (!eq || ll < 2 || ll > 3 || strspn(spec, "abcdefghijklmnopqrstuvwxyz") != ll)
        return bad("--ask-for", "write it as LANG=TEXT, for example es=\"Pregunte por ...\"");
    for (i = 0; i < c->nask_for; i++)
        if (strlen(c->ask_for[i].lang) == ll && !strncmp(c->ask_for[i].lang, spec, ll))
            break;
    if (i == c->nask_for && c->nask_for == SG_ASK_FOR_LANGS)
        return bad("--ask-for", "at most 4 languages per service");
    snprintf(c->ask_for[i].lang, sizeof c->ask_for[i].lang, "%.*s", (int)ll, spec);
    if (i == c->nask_for)
        c->nask_for++;
    return set_text(c->ask_for[i].text, sizeof c->ask_for[i].text, eq + 1, "--ask-for");
}

static int cmd_set(dir_env *e, const dir_args *a)
{
    dir_curation c;
    int rc;

    if ((rc = load_for_edit(e, a->arg, &c)))
        return rc;
    if (a->contact_phone && !phone_ok(a->contact_phone))
        return bad("--contact-phone", "only digits, spaces and + - ( ) . x");
    if ((rc = set_text(c.contact_name, sizeof c.contact_name, a->contact_name, "--contact-name")) ||
        (rc = set_text(c.contact_phone, sizeof c.contact_phone, a->contact_phone,
                       "--contact-phone")) ||
        (rc = set_text(c.notes, sizeof c.notes, a->notes, "--notes")))
        return rc;
    for (int i = 0; i < a->nask; i++)
        if ((rc = apply_ask(&c, a->ask[i])))
            return rc;
    if (a->priority_set)
        c.priority = a->priority;
    if (a->pin)
        c.pinned = a->pin > 0;
    if (a->hide)
        c.hidden = a->hide > 0;
    if (store_curation_put(e->store, &c))
        return SG_EXIT_FAIL;
    printf("saved curation of %s\n", c.service_id);
    return SG_EXIT_OK;
}

static int cmd_verify(dir_env *e, const dir_args *a)
{
    dir_curation c;
    int date = a->on ? schedule_parse_date(a->on) : today_ymd();
    int rc;

    if (!a->by || !*a->by)
        return bad("--by", "say who verified it");
    if (date <= 0 || date > today_ymd())
        return bad("--on", "must be a date like 2026-11-29, not in the future");
    if ((rc = load_for_edit(e, a->arg, &c)) ||
        (rc = set_text(c.verified_by, sizeof c.verified_by, a->by, "--by")))
        return rc;
    char iso[32];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
    snprintf(c.verified_on, sizeof c.verified_on, "%.10s", iso);
    if (store_curation_put(e->store, &c))
        return SG_EXIT_FAIL;
    printf("%s verified on %s by %s\n", c.service_id, c.verified_on, c.verified_by);
    return SG_EXIT_OK;
}

static int cmd_stale(dir_env *e, const dir_args *a)
{
    /* The later of the clinic's check and the publisher's assured_date. */
    static const char sql[] =
        "SELECT id, name, last FROM (SELECT s.id, s.name, s.status,"
        "   max(coalesce(c.verified_on, ''), s.assured_date) AS last"
        "   FROM services s LEFT JOIN st.service_curation c ON c.service_id = s.id"
        "   WHERE coalesce(c.hidden, 0) = 0)"
        " WHERE status IN ('active', '') AND last < date('now', 'localtime', ?1)"
        " ORDER BY last, name";
    char days[32];
    sqlite3_stmt *s = NULL;
    int n = 0;

    snprintf(days, sizeof days, "-%d days", e->cfg->stale_days);
    if (sqlite3_prepare_v2(e->db, sql, -1, &s, NULL))
        return query_fail(e);
    sqlite3_bind_text(s, 1, days, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW)
        if (++n <= a->limit)
            printf("%s  %s  (last verified: %s)\n", col(s, 0), col(s, 1),
                   *col(s, 2) ? col(s, 2) : "never");
    sqlite3_finalize(s);
    printf("%d services not verified in the last %d days%s\n", n, e->cfg->stale_days,
           n > a->limit ? " (use --limit to see more)" : "");
    return SG_EXIT_OK;
}

int cmd_directory(int argc, char **argv)
{
    dir_args a;
    dir_env e;
    int rc = parse_args(argc, argv, &a);

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if ((rc = open_env(&a, &e)))
        goto out;
    if (!strcmp(a.sub, "info"))
        rc = cmd_info(&e);
    else if (!strcmp(a.sub, "search"))
        rc = cmd_search(&e, &a);
    else if (!strcmp(a.sub, "show"))
        rc = cmd_show(&e, &a);
    else if (!strcmp(a.sub, "set"))
        rc = cmd_set(&e, &a);
    else if (!strcmp(a.sub, "verify"))
        rc = cmd_verify(&e, &a);
    else if (!strcmp(a.sub, "stale"))
        rc = cmd_stale(&e, &a);
    else
        rc = bad(a.sub, "unknown command (info, search, show, set, verify or stale)");
out:
    close_env(&e);
    return rc;
}
