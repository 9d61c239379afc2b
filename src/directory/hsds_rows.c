/*
 * What each kind of HSDS record must look like, and how it is staged.
 *
 * One table at the bottom (kinds[]) lists, per kind, the HSDS fields the
 * importer uses and which of them it cannot do without; the functions above
 * it check the values that have a shape (times, dates, weekdays, RRULE parts,
 * coordinates, numbers, status) and write one staging row.  A bad value that
 * only loses detail is reported and blanked; one that would make the row say
 * something false (an opening time that is not a time) leaves the row out.
 *
 * Values are normalised here, once, so the SQL that assembles the directory
 * can compare and copy them as they are: times become minutes, dates
 * YYYYMMDD, weekdays and BYDAY lists upper-case RRULE codes, status lower
 * case, languages ISO 639-1.  Times carry no offset: HSDS schedule times
 * are the clinic's local time and the 3.0 timezone field is ignored.
 */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hsds_internal.h"
#include "signpost/schedule.h"

#define SKIP HSDS_NEED_SKIP
#define KEEP HSDS_NEED_KEEP

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Ids: NULL when empty, so that UNIQUE lets rows without one repeat. */
static void bind_id(sqlite3_stmt *st, int i, const char *s)
{
    if (*s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/*
 * Descriptions exported through a spreadsheet or a naive JSON encoder often
 * carry the two characters \n where a line break was meant.  They become a
 * line break (\t a space); carriage returns, literal or real, are dropped so
 * that CRLF text reads like LF text.
 */
static void unescape_text(char *s)
{
    char *w = s;
    for (const char *p = s; *p;) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r' || p[1] == 't')) {
            if (p[1] != 'r')
                *w++ = p[1] == 'n' ? '\n' : ' ';
            p += 2;
        } else if (*p == '\r') {
            p++;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

/* A decimal number, the whole string; 0, or -1. */
static int parse_number(const char *s, double *out)
{
    char *end;
    double d;

    if (!*s)
        return -1;
    d = strtod(s, &end);
    if (*end || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

/* Binds an optional number (field i) at index bi: NULL when empty or bad. */
static void bind_number(hsds_ctx *c, hsds_rec *r, sqlite3_stmt *st, int bi, int i)
{
    double d;

    if (!*r->v[i])
        return; /* left unbound: NULL */
    if (parse_number(r->v[i], &d) == 0) {
        sqlite3_bind_double(st, bi, d);
        return;
    }
    hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, i, 0, "%s \"%.40s\" is not a number",
                    hsds_kind_get(r->kind)->fields[i].name, r->v[i]);
}

/* ---- organizations ---- */

enum { O_ID, O_NAME, O_WEBSITE, O_URL, O_EMAIL, O_N };
static const hsds_field org_fields[O_N] = {
    {"id", SKIP}, {"name", KEEP}, {"website", 0}, {"url", 0}, {"email", 0},
};

static sg_rc stage_org(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_ORG);
    if (!st)
        return SG_EDB;
    bind_id(st, 3, r->v[O_ID]);
    bind_text(st, 4, r->v[O_NAME]);
    bind_text(st, 5, *r->v[O_WEBSITE] ? r->v[O_WEBSITE] : r->v[O_URL]);
    bind_text(st, 6, r->v[O_EMAIL]);
    return hsds_insert(c, r, st);
}

/* ---- services ---- */

enum {
    S_ID,
    S_ORG,
    S_NAME,
    S_ALT,
    S_DESC,
    S_URL,
    S_EMAIL,
    S_STATUS,
    S_ELIGD,
    S_ELIG,
    S_MIN,
    S_MAX,
    S_KEYWORDS,
    S_MODIFIED,
    S_ASSURED,
    S_TAXIDS,
    S_N
};
static const hsds_field service_fields[S_N] = {
    {"id", SKIP},
    {"organization_id", HSDS_NEED_CSV},
    {"name", SKIP},
    {"alternate_name", 0},
    {"description", 0},
    {"url", 0},
    {"email", 0},
    {"status", 0},
    {"eligibility_description", 0},
    {"eligibility", 0},
    {"minimum_age", 0},
    {"maximum_age", 0},
    {"keywords", 0},
    {"last_modified", 0},
    {"assured_date", 0},
    {"taxonomy_ids", 0},
};

/* HSDS statuses, after lower-casing and reading _ and - as spaces. */
static const char *status_of(hsds_ctx *c, hsds_rec *r)
{
    static const char *const known[] = {"active", "inactive", "defunct",
                                        "temporarily closed"};
    char *s = r->v[S_STATUS];

    /* Empty status is the commonest mess (HSDS 1.x made it optional). */
    if (!*s)
        return "active";
    lower(s);
    for (char *p = s; *p; p++)
        if (*p == '_' || *p == '-')
            *p = ' ';
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(s, known[i]))
            return s;
    hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, S_STATUS, 0,
                    "status \"%.40s\" is not active, inactive, defunct or temporarily "
                    "closed; kept as it is",
                    s);
    return s;
}

/* 1.x services.taxonomy_ids: "id1,id2" links straight to taxonomy rows. */
static sg_rc stage_taxonomy_ids(hsds_ctx *c, hsds_rec *r)
{
    const char *p = r->v[S_TAXIDS];
    char id[256];
    sg_rc rc = SG_OK;

    while (*p && !rc) {
        size_t n = strcspn(p, ",;");
        const char *q = p;
        size_t m = n;
        while (m && isspace((unsigned char)*q)) {
            q++;
            m--;
        }
        while (m && isspace((unsigned char)q[m - 1]))
            m--;
        if (m && m < sizeof id) {
            sqlite3_stmt *st = hsds_stmt(c, HSDS_K_SVC_TERM);
            if (!st)
                return SG_EDB;
            memcpy(id, q, m);
            id[m] = '\0';
            bind_text(st, 4, r->v[S_ID]);
            bind_text(st, 5, "service");
            sqlite3_bind_text(st, 6, id, -1, SQLITE_TRANSIENT);
            rc = hsds_insert(c, r, st);
        }
        p += n + (p[n] != '\0');
    }
    return rc;
}

/* The publisher's last check as "YYYY-MM-DD", or "" (reported when bad):
 * it counts towards whether the kiosk calls the service stale. */
static void bind_assured(hsds_ctx *c, hsds_rec *r, sqlite3_stmt *st, int at)
{
    char iso[16];
    int d = schedule_parse_date(r->v[S_ASSURED]);

    if (d < 0)
        hsds_report_rec(c, r, HSDS_PROBLEM_BAD_VALUE, S_ASSURED, 0,
                        "assured_date \"%.40s\" is not a date (YYYY-MM-DD)",
                        r->v[S_ASSURED]);
    if (d <= 0) {
        sqlite3_bind_text(st, at, "", 0, SQLITE_STATIC);
        return;
    }
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", d / 10000 % 10000, d / 100 % 100, d % 100);
    sqlite3_bind_text(st, at, iso, -1, SQLITE_TRANSIENT);
}

static sg_rc stage_service(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_SERVICE);
    const char *elig = *r->v[S_ELIGD] ? r->v[S_ELIGD] : r->v[S_ELIG];
    sg_rc rc;

    if (!st)
        return SG_EDB;
    unescape_text(r->v[S_DESC]);
    unescape_text(r->v[S_ELIGD]);
    unescape_text(r->v[S_ELIG]);
    bind_id(st, 3, r->v[S_ID]);
    bind_text(st, 4, r->v[S_ORG]);
    bind_text(st, 5, r->v[S_NAME]);
    bind_text(st, 6, r->v[S_DESC]);
    bind_text(st, 7, status_of(c, r));
    bind_text(st, 8, r->v[S_URL]);
    bind_text(st, 9, r->v[S_EMAIL]);
    bind_text(st, 10, elig);
    bind_number(c, r, st, 11, S_MIN);
    bind_number(c, r, st, 12, S_MAX);
    bind_text(st, 13, r->v[S_ALT]);
    bind_text(st, 14, r->v[S_KEYWORDS]);
    bind_text(st, 15, r->v[S_MODIFIED]);
    bind_assured(c, r, st, 16);
    if ((rc = hsds_insert(c, r, st)) || !r->staged || !*r->v[S_TAXIDS])
        return rc;
    return stage_taxonomy_ids(c, r);
}

/* ---- locations ---- */

enum { L_ID, L_ORG, L_NAME, L_TYPE, L_LAT, L_LON, L_N };
static const hsds_field location_fields[L_N] = {
    {"id", SKIP},         {"organization_id", 0}, {"name", 0},
    {"location_type", 0}, {"latitude", 0},        {"longitude", 0},
};

/* One coordinate: 0 and *out, or -1 after reporting (the pair is dropped). */
static int coordinate(hsds_ctx *c, hsds_rec *r, int i, double limit, double *out)
{
    const char *name = location_fields[i].name;

    if (parse_number(r->v[i], out) < 0) {
        hsds_report_rec(c, r, HSDS_PROBLEM_COORDINATE, i, 0,
                        "%s \"%.40s\" is not a number; the location has no position",
                        name, r->v[i]);
        return -1;
    }
    if (*out < -limit || *out > limit) {
        hsds_report_rec(c, r, HSDS_PROBLEM_COORDINATE, i, 0,
                        "%s %.40s is out of range (-%g to %g); the location has no "
                        "position",
                        name, r->v[i], limit, limit);
        return -1;
    }
    return 0;
}

/* Binds latitude and longitude when both are sound, else leaves them NULL. */
static void bind_position(hsds_ctx *c, hsds_rec *r, sqlite3_stmt *st)
{
    double lat, lon;
    int has_lat = *r->v[L_LAT] != '\0', has_lon = *r->v[L_LON] != '\0';

    if (!has_lat && !has_lon)
        return; /* unknown: common, and not a problem */
    if (has_lat != has_lon) {
        hsds_report_rec(c, r, HSDS_PROBLEM_COORDINATE, has_lat ? L_LON : L_LAT, 0,
                        "%s is empty but %s is given; the location has no position",
                        has_lat ? "longitude" : "latitude",
                        has_lat ? "latitude" : "longitude");
        return;
    }
    if (coordinate(c, r, L_LAT, 90, &lat) < 0 || coordinate(c, r, L_LON, 180, &lon) < 0)
        return;
    if (lat == 0 && lon == 0) {
        hsds_report_rec(
            c, r, HSDS_PROBLEM_COORDINATE, L_LAT, 0,
            "0, 0 is a placeholder, not a place; the location has no position");
        return;
    }
    sqlite3_bind_double(st, 5, lat);
    sqlite3_bind_double(st, 6, lon);
}

static sg_rc stage_location(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_LOCATION);
    if (!st)
        return SG_EDB;
    bind_id(st, 3, r->v[L_ID]);
    bind_text(st, 4, r->v[L_ORG]);
    bind_position(c, r, st);
    return hsds_insert(c, r, st);
}

/* ---- service_at_location ---- */

enum { A_ID, A_SVC, A_LOC, A_N };
static const hsds_field sal_fields[A_N] = {
    {"id", KEEP},
    {"service_id", SKIP},
    {"location_id", SKIP},
};

static sg_rc stage_sal(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_SAL);
    if (!st)
        return SG_EDB;
    bind_id(st, 3, r->v[A_ID]);
    bind_text(st, 4, r->v[A_SVC]);
    bind_text(st, 5, r->v[A_LOC]);
    return hsds_insert(c, r, st);
}

/* ---- addresses ---- */

enum { D_ID, D_LOC, D_ADDR1, D_CITY, D_STATE, D_POSTAL, D_TYPE, D_N };
static const hsds_field address_fields[D_N] = {
    {"id", 0},           {"location_id", SKIP}, {"address_1", SKIP},
    {"city", 0},         {"state_province", 0}, {"postal_code", 0},
    {"address_type", 0},
};

/* "address_1, city, state_province postal_code", leaving out empty parts. */
static void format_address(const hsds_rec *r, char *out, size_t len)
{
    char last[160];
    const char *st = r->v[D_STATE], *pc = r->v[D_POSTAL];

    snprintf(last, sizeof last, "%s%s%s", st, *st && *pc ? " " : "", pc);
    snprintf(out, len, "%s%s%s%s%s", r->v[D_ADDR1], *r->v[D_CITY] ? ", " : "",
             r->v[D_CITY], *last ? ", " : "", last);
}

static sg_rc stage_address(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_ADDRESS);
    char text[512];
    int physical;

    if (!st)
        return SG_EDB;
    lower(r->v[D_TYPE]);
    if (r->variant != HSDS_ADDR_ANY)
        physical = r->variant == HSDS_ADDR_PHYSICAL;
    else /* 3.0: physical, postal or virtual; an empty type is taken as physical */
        physical = !*r->v[D_TYPE] || !strcmp(r->v[D_TYPE], "physical");
    format_address(r, text, sizeof text);
    bind_id(st, 3, r->v[D_ID]);
    bind_text(st, 4, r->v[D_LOC]);
    sqlite3_bind_int(st, 5, physical);
    bind_text(st, 6, text);
    return hsds_insert(c, r, st);
}

/* ---- phones ---- */

enum { P_ID, P_LOC, P_SVC, P_ORG, P_CONTACT, P_SAL, P_NUMBER, P_EXT, P_TYPE, P_N };
static const hsds_field phone_fields[P_N] = {
    {"id", 0},         {"location_id", 0},
    {"service_id", 0}, {"organization_id", 0},
    {"contact_id", 0}, {"service_at_location_id", 0},
    {"number", SKIP},  {"extension", 0},
    {"type", 0},
};

/* Which number a patient should be given first: a voice line, then one of
 * unknown type or a mobile, then text lines; a fax never (3). */
static int phone_priority(char *type)
{
    lower(type);
    if (!strcmp(type, "voice"))
        return 0;
    if (!strcmp(type, "fax") || !strcmp(type, "pager"))
        return 3;
    if (!strcmp(type, "text") || !strcmp(type, "textphone") || !strcmp(type, "sms") ||
        !strcmp(type, "tty") || !strcmp(type, "video"))
        return 2;
    return 1;
}

static sg_rc stage_phone(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_PHONE);
    char number[160];
    const char *n = r->v[P_NUMBER];
    size_t len = strlen(n);

    if (!st)
        return SG_EDB;
    /* Some exports quote the number inside the field: "\"+44 1234 234567\"". */
    while (len && (*n == '"' || *n == '\'' || *n == ' ')) {
        n++;
        len--;
    }
    while (len && (n[len - 1] == '"' || n[len - 1] == '\'' || n[len - 1] == ' '))
        len--;
    if (*r->v[P_EXT])
        snprintf(number, sizeof number, "%.*s ext. %s", (int)len, n, r->v[P_EXT]);
    else
        snprintf(number, sizeof number, "%.*s", (int)len, n);
    bind_id(st, 3, r->v[P_ID]);
    bind_text(st, 4, r->v[P_SVC]);
    bind_text(st, 5, r->v[P_LOC]);
    bind_text(st, 6, r->v[P_ORG]);
    bind_text(st, 7, r->v[P_SAL]);
    sqlite3_bind_int(st, 8, phone_priority(r->v[P_TYPE]));
    sqlite3_bind_text(st, 9, number, -1, SQLITE_TRANSIENT);
    return hsds_insert(c, r, st);
}

/* ---- languages ---- */

enum { G_ID, G_SVC, G_LOC, G_PHONE, G_CODE, G_NAME, G_LANGUAGE, G_N };
static const hsds_field language_fields[G_N] = {
    {"id", 0},   {"service_id", 0}, {"location_id", 0}, {"phone_id", 0},
    {"code", 0}, {"name", 0},       {"language", 0},
};

/* 3.0 gives a code and a name, 1.x a name in "language": the first that
 * reads as a language wins. */
static sg_rc stage_language(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st;
    char code[8];
    int given = -1;

    for (int i = G_CODE; i <= G_LANGUAGE; i++) {
        if (!*r->v[i])
            continue;
        if (given < 0)
            given = i;
        if (hsds_lang_code(r->v[i], code) == 0)
            break;
        code[0] = '\0';
    }
    if (given < 0) {
        hsds_report_rec(c, r, HSDS_PROBLEM_MISSING, G_CODE, 1,
                        "code, name and language are all empty");
        return SG_OK;
    }
    if (!code[0]) {
        hsds_report_rec(
            c, r, HSDS_PROBLEM_BAD_VALUE, given, 1,
            "%s \"%.40s\" is not a language the kiosk knows (use an ISO 639-1 "
            "code such as es)",
            language_fields[given].name, r->v[given]);
        return SG_OK;
    }
    if (!(st = hsds_stmt(c, HSDS_K_LANGUAGE)))
        return SG_EDB;
    bind_id(st, 3, r->v[G_ID]);
    bind_text(st, 4, r->v[G_SVC]);
    bind_text(st, 5, r->v[G_LOC]);
    bind_text(st, 6, r->v[G_PHONE]);
    sqlite3_bind_text(st, 7, code, -1, SQLITE_TRANSIENT);
    return hsds_insert(c, r, st);
}

/* ---- attributes (3.0), services_taxonomy (1.x), service_attributes (2.0) ---- */

enum { T_ID, T_LINK, T_ENTITY, T_TERM, T_N };
static const hsds_field attribute_fields[T_N] = {
    {"id", 0},
    {"link_id", SKIP},
    {"link_entity", 0},
    {"taxonomy_term_id", SKIP},
};

static sg_rc stage_attribute(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_ATTRIBUTE);
    if (!st)
        return SG_EDB;
    lower(r->v[T_ENTITY]);
    bind_id(st, 3, r->v[T_ID]);
    bind_text(st, 4, r->v[T_LINK]);
    bind_text(st, 5, r->v[T_ENTITY]);
    bind_text(st, 6, r->v[T_TERM]);
    return hsds_insert(c, r, st);
}

enum { V_ID, V_SVC, V_TAXONOMY, V_TERM, V_N };
static const hsds_field svc_term_fields[V_N] = {
    {"id", 0},
    {"service_id", SKIP},
    {"taxonomy_id", 0},
    {"taxonomy_term_id", 0},
};

static sg_rc stage_svc_term(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st;
    const char *term = *r->v[V_TAXONOMY] ? r->v[V_TAXONOMY] : r->v[V_TERM];

    if (!*term) {
        hsds_report_rec(c, r, HSDS_PROBLEM_MISSING, V_TAXONOMY, 1,
                        "taxonomy_id is empty; the row links the service to nothing");
        return SG_OK;
    }
    if (!(st = hsds_stmt(c, HSDS_K_SVC_TERM)))
        return SG_EDB;
    bind_id(st, 3, r->v[V_ID]);
    bind_text(st, 4, r->v[V_SVC]);
    bind_text(st, 5, "service");
    bind_text(st, 6, term);
    return hsds_insert(c, r, st);
}

/* ---- taxonomy_terms (3.0), taxonomy (1.x: no code; the id is the code) ---- */

enum { M_ID, M_CODE, M_NAME, M_N };
static const hsds_field term_fields[M_N] = {
    {"id", SKIP},
    {"code", 0},
    {"name", 0},
};

static sg_rc stage_term(hsds_ctx *c, hsds_rec *r)
{
    sqlite3_stmt *st = hsds_stmt(c, HSDS_K_TERM);
    if (!st)
        return SG_EDB;
    bind_id(st, 3, r->v[M_ID]);
    bind_text(st, 4, r->v[M_CODE]);
    bind_text(st, 5, r->v[M_NAME]);
    return hsds_insert(c, r, st);
}

/* ---- the kinds ---- */

#define N(a) (sizeof(a) / sizeof *(a))

#define KIND(w, t, ins, f, fn)                                                           \
    {                                                                                    \
        .what = (w), .table = (t), .insert = (ins), .fields = (f), .nfields = N(f),      \
        .stage = (fn)                                                                    \
    }

static const hsds_kind_spec org_kind =
    KIND("organization", "org",
         "INSERT OR IGNORE INTO stg.org(_src, _row, id, name, url, email)"
         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
         org_fields, stage_org);
static const hsds_kind_spec service_kind =
    KIND("service", "svc",
         "INSERT OR IGNORE INTO stg.svc(_src, _row, id, organization_id, name,"
         " description, status, url, email, eligibility, min_age, max_age, keywords,"
         " last_modified, assured_date) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
         " ?11, ?12, trim(?13 || ' ' || ?14), ?15, ?16)",
         service_fields, stage_service);
static const hsds_kind_spec location_kind =
    KIND("location", "loc",
         "INSERT OR IGNORE INTO stg.loc(_src, _row, id, organization_id, latitude,"
         " longitude) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
         location_fields, stage_location);
static const hsds_kind_spec sal_kind =
    KIND("service at location", "sal",
         "INSERT OR IGNORE INTO stg.sal(_src, _row, id, service_id, location_id)"
         " VALUES(?1, ?2, ?3, ?4, ?5)",
         sal_fields, stage_sal);
static const hsds_kind_spec address_kind =
    KIND("address", "addr",
         "INSERT OR IGNORE INTO stg.addr(_src, _row, id, location_id, physical, text)"
         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
         address_fields, stage_address);
static const hsds_kind_spec phone_kind =
    KIND("phone", "phone",
         "INSERT OR IGNORE INTO stg.phone(_src, _row, id, service_id, location_id,"
         " organization_id, sal_id, prio, number)"
         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
         phone_fields, stage_phone);
static const hsds_kind_spec language_kind =
    KIND("language", "lang",
         "INSERT OR IGNORE INTO stg.lang(_src, _row, id, service_id, location_id,"
         " phone_id, code) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
         language_fields, stage_language);
#define ATTR_INSERT                                                                      \
    "INSERT OR IGNORE INTO stg.attr(_src, _row, id, link_id, link_entity, term_id)"      \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
static const hsds_kind_spec attribute_kind =
    KIND("attribute", "attr", ATTR_INSERT, attribute_fields, stage_attribute);
static const hsds_kind_spec svc_term_kind =
    KIND("service taxonomy link", "attr", ATTR_INSERT, svc_term_fields, stage_svc_term);
static const hsds_kind_spec term_kind =
    KIND("taxonomy term", "term",
         "INSERT OR IGNORE INTO stg.term(_src, _row, id, code, name)"
         " VALUES(?1, ?2, ?3, ?4, ?5)",
         term_fields, stage_term);

static const hsds_kind_spec *const kinds[HSDS_K_COUNT] = {
    [HSDS_K_ORG] = &org_kind,
    [HSDS_K_SERVICE] = &service_kind,
    [HSDS_K_LOCATION] = &location_kind,
    [HSDS_K_SAL] = &sal_kind,
    [HSDS_K_ADDRESS] = &address_kind,
    [HSDS_K_PHONE] = &phone_kind,
    [HSDS_K_SCHEDULE] = &hsds_schedule_kind,
    [HSDS_K_REGULAR] = &hsds_regular_kind,
    [HSDS_K_HOLIDAY] = &hsds_holiday_kind,
    [HSDS_K_LANGUAGE] = &language_kind,
    [HSDS_K_ATTRIBUTE] = &attribute_kind,
    [HSDS_K_SVC_TERM] = &svc_term_kind,
    [HSDS_K_TERM] = &term_kind,
};

const hsds_kind_spec *hsds_kind_get(hsds_kind k)
{
    assert(k < HSDS_K_COUNT && kinds[k] && kinds[k]->nfields <= HSDS_MAX_FIELDS);
    return kinds[k];
}
