/*
 * Building a directory snapshot from an HSDS 3.0 tabular package.
 *
 * This reads what the matcher and the patient need (service, organisation,
 * phone, address, coordinates, taxonomy codes, weekly hours, languages) and
 * skips the rest.  A row that cannot be used is skipped and counted, with the
 * first problem reported by file and row, so one bad row never hides the
 * other sixty good ones.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/buf.h"
#include "signpost/directory.h"
#include "table.h"

enum { T_SERVICES, T_ORGS, T_LOCATIONS, T_ADDRESSES, T_SAL, T_PHONES, T_SCHEDULES,
       T_ATTRIBUTES, T_TERMS, T_LANGUAGES, T_COUNT };

static const struct {
    const char *file;
    int optional;
} files[T_COUNT] = {
    {"services.csv", 0},      {"organizations.csv", 0}, {"locations.csv", 1},
    {"addresses.csv", 1},     {"service_at_location.csv", 1}, {"phones.csv", 1},
    {"schedules.csv", 1},     {"attributes.csv", 1},    {"taxonomy_terms.csv", 1},
    {"languages.csv", 1},
};

typedef struct {
    dir_table t[T_COUNT];
    size_t skipped;
    char *err;
    size_t errlen;
} load_ctx;

static void problem(load_ctx *c, const char *file, size_t row, const char *why)
{
    c->skipped++;
    if (!c->err[0])
        snprintf(c->err, c->errlen, "%s:%zu: %s", file, row + 2, why); /* +header, 1-based */
}

/* First row whose column col equals value, or -1. */
static long find_row(const dir_table *t, const char *col, const char *value)
{
    int c = table_col(t, col);
    if (c < 0 || !*value)
        return -1;
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(table_cell(t, r, c), value) == 0)
            return (long)r;
    return -1;
}

static const char *cell(const dir_table *t, long row, const char *col)
{
    return row < 0 ? "" : table_cell(t, (size_t)row, table_col(t, col));
}

static char *join_address(const load_ctx *c, const char *location_id)
{
    const dir_table *a = &c->t[T_ADDRESSES];
    long row = -1;
    sg_buf b;

    sg_buf_init(&b, 512);
    for (size_t r = 0; r < a->nrows && row < 0; r++)
        if (!strcmp(table_cell(a, r, table_col(a, "location_id")), location_id) &&
            strcmp(table_cell(a, r, table_col(a, "address_type")), "postal") != 0)
            row = (long)r;
    if (row >= 0)
        sg_buf_addf(&b, "%s, %s, %s %s", cell(a, row, "address_1"), cell(a, row, "city"),
                    cell(a, row, "state_province"), cell(a, row, "postal_code"));
    return b.data ? sg_buf_take(&b) : strdup("");
}

static double coord(const char *s, double lo, double hi)
{
    char *end;
    double v = strtod(s, &end);
    return *s && !*end && v >= lo && v <= hi ? v : NAN;
}

static void load_hours(load_ctx *c, dir_service *s, const char *loc_id);

static void place_service(load_ctx *c, dir_service *s)
{
    /* The first location stands for the service: the kiosk shows one address. */
    long sal = find_row(&c->t[T_SAL], "service_id", s->id);
    const char *loc_id = cell(&c->t[T_SAL], sal, "location_id");
    long loc = find_row(&c->t[T_LOCATIONS], "id", loc_id);
    long ph = find_row(&c->t[T_PHONES], "service_id", s->id);

    if (ph < 0)
        ph = find_row(&c->t[T_PHONES], "location_id", loc_id);
    s->phone = strdup(cell(&c->t[T_PHONES], ph, "number"));
    s->address = join_address(c, loc_id);
    s->latitude = coord(cell(&c->t[T_LOCATIONS], loc, "latitude"), -90, 90);
    s->longitude = coord(cell(&c->t[T_LOCATIONS], loc, "longitude"), -180, 180);
    if (isnan(s->latitude) || isnan(s->longitude))
        s->latitude = s->longitude = NAN;
    load_hours(c, s, loc_id);
}

static int add_block(dir_service *s, const schedule_block *blk)
{
    schedule_block *b = realloc(s->blocks, (s->nblocks + 1) * sizeof *b);
    if (!b)
        return -1;
    s->blocks = b;
    b[s->nblocks++] = *blk;
    return 0;
}

/* Reads schedule row r into blk; -1 (after reporting) when it is unusable. */
static int parse_block(load_ctx *c, size_t r, schedule_block *blk)
{
    const dir_table *t = &c->t[T_SCHEDULES];
    const char *freq = table_cell(t, r, table_col(t, "freq"));

    if (*freq && strcmp(freq, "WEEKLY") != 0 && strcmp(freq, "weekly") != 0)
        return -1; /* monthly and one-off schedules say nothing about this week */
    blk->days = schedule_parse_days(table_cell(t, r, table_col(t, "byday")));
    blk->opens = schedule_parse_time(table_cell(t, r, table_col(t, "opens_at")));
    blk->closes = schedule_parse_time(table_cell(t, r, table_col(t, "closes_at")));
    blk->valid_from = schedule_parse_date(table_cell(t, r, table_col(t, "valid_from")));
    blk->valid_to = schedule_parse_date(table_cell(t, r, table_col(t, "valid_to")));
    if (!blk->days || blk->opens < 0 || blk->closes < 0) {
        problem(c, t->name, r, "bad byday, opens_at or closes_at");
        return -1;
    }
    if (blk->valid_from < 0 || blk->valid_to < 0) {
        problem(c, t->name, r, "bad valid_from or valid_to (expected YYYY-MM-DD)");
        return -1;
    }
    if (blk->closes == SG_MINUTES_PER_DAY - 1)
        blk->closes = SG_MINUTES_PER_DAY; /* "23:59" means until midnight */
    return 0;
}

/* Adds the rows whose column col equals value; returns how many. */
static size_t hours_where(load_ctx *c, dir_service *s, const char *col, const char *value,
                          const char *unset_col)
{
    const dir_table *t = &c->t[T_SCHEDULES];
    int k = table_col(t, col), u = unset_col ? table_col(t, unset_col) : -1;
    size_t added = 0;
    schedule_block blk;

    if (k < 0 || !*value)
        return 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (strcmp(table_cell(t, r, k), value) != 0 || (u >= 0 && *table_cell(t, r, u)))
            continue;
        if (parse_block(c, r, &blk) == 0 && add_block(s, &blk) == 0)
            added++;
    }
    return added;
}

/*
 * Hours, most specific first: the service at its (first) location, else the
 * service's own rows, else the opening hours of the building it is in.
 */
static void load_hours(load_ctx *c, dir_service *s, const char *loc_id)
{
    long sal = find_row(&c->t[T_SAL], "service_id", s->id);

    if (hours_where(c, s, "service_at_location_id", cell(&c->t[T_SAL], sal, "id"), NULL))
        return;
    if (hours_where(c, s, "service_id", s->id, "service_at_location_id"))
        return;
    hours_where(c, s, "location_id", loc_id, "service_id");
}

static void load_terms(load_ctx *c, dir_service *s)
{
    const dir_table *a = &c->t[T_ATTRIBUTES];
    for (size_t r = 0; r < a->nrows; r++) {
        if (strcmp(table_cell(a, r, table_col(a, "link_id")), s->id) != 0)
            continue;
        long term = find_row(&c->t[T_TERMS], "id",
                             table_cell(a, r, table_col(a, "taxonomy_term_id")));
        const char *code = cell(&c->t[T_TERMS], term, "code");
        if (!*code)
            continue;
        char **terms = realloc(s->terms, (s->nterms + 1) * sizeof *terms);
        if (!terms || !(terms[s->nterms] = strdup(code))) {
            if (terms)
                s->terms = terms;
            return;
        }
        s->terms = terms;
        s->nterms++;
    }
}

static char *service_languages(load_ctx *c, const char *id)
{
    const dir_table *t = &c->t[T_LANGUAGES];
    sg_buf b;

    sg_buf_init(&b, 256);
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(table_cell(t, r, table_col(t, "service_id")), id))
            sg_buf_addf(&b, "%s%s", b.len ? "," : "", table_cell(t, r, table_col(t, "code")));
    return b.data ? sg_buf_take(&b) : strdup("");
}

/* "name description" in ASCII lower case: what keywords are looked for in. */
static char *search_text(const char *name, const char *description)
{
    size_t n = strlen(name), m = strlen(description);
    char *t = malloc(n + m + 2);
    if (!t)
        return NULL;
    memcpy(t, name, n);
    t[n] = ' ';
    memcpy(t + n + 1, description, m + 1);
    for (char *p = t; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return t;
}

static int fill_service(load_ctx *c, size_t r, dir_service *s)
{
    const dir_table *t = &c->t[T_SERVICES];
    long org = find_row(&c->t[T_ORGS], "id", table_cell(t, r, table_col(t, "organization_id")));

    s->id = strdup(table_cell(t, r, table_col(t, "id")));
    s->name = strdup(table_cell(t, r, table_col(t, "name")));
    s->description = strdup(table_cell(t, r, table_col(t, "description")));
    s->status = strdup(table_cell(t, r, table_col(t, "status")));
    s->url = strdup(table_cell(t, r, table_col(t, "url")));
    s->organization = strdup(cell(&c->t[T_ORGS], org, "name"));
    s->languages = service_languages(c, s->id ? s->id : "");
    if (!s->id || !s->name || !s->description || !s->status || !s->url ||
        !s->organization || !s->languages)
        return -1;
    if (!(s->search = search_text(s->name, s->description)))
        return -1;
    place_service(c, s);
    load_terms(c, s);
    return s->phone && s->address ? 0 : -1;
}

static void free_service(dir_service *s)
{
    free(s->id); free(s->name); free(s->organization); free(s->description);
    free(s->status); free(s->phone); free(s->address); free(s->url);
    free(s->languages); free(s->blocks); free(s->search);
    for (size_t i = 0; i < s->nterms; i++)
        free(s->terms[i]);
    free(s->terms);
}

static sg_rc build(load_ctx *c, sg_directory *d)
{
    const dir_table *t = &c->t[T_SERVICES];
    int id = table_col(t, "id"), name = table_col(t, "name");

    if (id < 0 || name < 0) {
        snprintf(c->err, c->errlen, "services.csv: the id and name columns are required");
        return SG_EINVAL;
    }
    d->services = calloc(t->nrows ? t->nrows : 1, sizeof *d->services);
    if (!d->services)
        return SG_ENOMEM;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!*table_cell(t, r, id) || !*table_cell(t, r, name)) {
            problem(c, t->name, r, "missing id or name");
            continue;
        }
        if (fill_service(c, r, &d->services[d->nservices])) {
            free_service(&d->services[d->nservices]);
            return SG_ENOMEM;
        }
        d->nservices++;
    }
    return SG_OK;
}

sg_rc directory_load_csv(const char *dir, sg_directory **out, size_t *skipped, char *err,
                         size_t errlen)
{
    load_ctx *c = calloc(1, sizeof *c);
    sg_directory *d = calloc(1, sizeof *d);
    sg_rc rc = SG_ENOMEM;

    *out = NULL;
    err[0] = '\0';
    if (!c || !d)
        goto out;
    c->err = err;
    c->errlen = errlen;
    for (int i = 0; i < T_COUNT; i++)
        if ((rc = table_load(dir, files[i].file, files[i].optional, &c->t[i], err, errlen)))
            goto out;
    if ((rc = build(c, d)))
        goto out;
    *skipped = c->skipped;
    *out = d;
    d = NULL;
out:
    for (int i = 0; c && i < T_COUNT; i++)
        table_free(&c->t[i]);
    free(c);
    directory_free(d);
    return rc;
}

void directory_free(sg_directory *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nservices; i++)
        free_service(&d->services[i]);
    free(d->services);
    free(d);
}
