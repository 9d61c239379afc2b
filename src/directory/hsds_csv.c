/*
 * HSDS Tabular Data Packages: which CSV files the importer reads, in what
 * order, and streaming each one into staging a record at a time.
 *
 * Files are known by name, whatever the HSDS version: 3.0 names, 1.x names
 * and 2.0's service_attributes all map to a kind of record, so a package
 * that mixes versions (common: a 1.x export with a 3.0 schedules.csv) still
 * imports.  Columns are found by header name, in any order and any case;
 * unknown columns are ignored.  The reader (csv.h) handles quoting, CRLF and
 * a byte-order mark; a record it cannot read is reported with its line and
 * left out, and reading goes on with the next.
 *
 * Rows are numbered by the line they start on (the header is line 1), which
 * is what a text editor or a spreadsheet shows.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hsds_internal.h"
#include "signpost/csv.h"

/* In the order they are read, so problems come out in a sensible order. */
static const struct {
    const char *name;
    hsds_kind kind;
    int variant;
} files[] = {
    {"organizations.csv", HSDS_K_ORG, 0},
    {"services.csv", HSDS_K_SERVICE, 0},
    {"locations.csv", HSDS_K_LOCATION, 0},
    {"service_at_location.csv", HSDS_K_SAL, 0},
    {"services_at_location.csv", HSDS_K_SAL, 0},
    {"addresses.csv", HSDS_K_ADDRESS, HSDS_ADDR_ANY},
    {"physical_addresses.csv", HSDS_K_ADDRESS, HSDS_ADDR_PHYSICAL},
    {"postal_addresses.csv", HSDS_K_ADDRESS, HSDS_ADDR_POSTAL},
    {"phones.csv", HSDS_K_PHONE, 0},
    {"schedules.csv", HSDS_K_SCHEDULE, 0},
    {"regular_schedules.csv", HSDS_K_REGULAR, 0},
    {"holiday_schedules.csv", HSDS_K_HOLIDAY, 0},
    {"languages.csv", HSDS_K_LANGUAGE, 0},
    {"taxonomy_terms.csv", HSDS_K_TERM, 0},
    {"taxonomy.csv", HSDS_K_TERM, 0},
    {"attributes.csv", HSDS_K_ATTRIBUTE, 0},
    {"services_taxonomy.csv", HSDS_K_SVC_TERM, 0},
    {"service_attributes.csv", HSDS_K_SVC_TERM, 0},
};

#define NFILES (sizeof files / sizeof *files)
_Static_assert(NFILES <= HSDS_CSV_MAX_FILES, "raise HSDS_CSV_MAX_FILES");
/* A file this broken is not worth reading on. */
#define MAX_BAD_RECORDS 50

int hsds_csv_rank(const char *basename)
{
    for (size_t i = 0; i < NFILES; i++)
        if (!strcasecmp(basename, files[i].name))
            return (int)i;
    return -1;
}

int hsds_csv_rank_is_services(int rank)
{
    return rank >= 0 && files[rank].kind == HSDS_K_SERVICE;
}

const char *hsds_csv_rank_name(int rank)
{
    return files[rank].name;
}

sg_rc hsds_csv_stage_rank(hsds_ctx *c, FILE *f, const char *label, int rank)
{
    return hsds_csv_stage(c, f, label, files[rank].kind, files[rank].variant);
}

/* Column of each field of the kind in this header, or -1. */
static void map_header(const hsds_kind_spec *spec, const csv_reader *h, int *col)
{
    for (size_t i = 0; i < spec->nfields; i++) {
        col[i] = -1;
        for (size_t j = 0; j < h->nfields && col[i] < 0; j++) {
            const char *name = h->fields[j];
            size_t n = strlen(name);
            while (*name == ' ') {
                name++;
                n--;
            }
            while (n && name[n - 1] == ' ')
                n--;
            if (n == strlen(spec->fields[i].name) &&
                !strncasecmp(name, spec->fields[i].name, n))
                col[i] = (int)j;
        }
    }
}

/* Reports needed columns the header lacks; 1 when no row can be used. */
static int missing_columns(hsds_ctx *c, int src, const hsds_kind_spec *spec,
                           const int *col)
{
    int hopeless = 0;
    for (size_t i = 0; i < spec->nfields; i++) {
        if (!spec->fields[i].need || col[i] >= 0)
            continue;
        hopeless |= spec->fields[i].need == HSDS_NEED_SKIP;
        hsds_report(c, HSDS_PROBLEM_MISSING, c->src[src].label, 1, spec->fields[i].name,
                    spec->fields[i].need == HSDS_NEED_SKIP, "there is no %s column; %s",
                    spec->fields[i].name,
                    spec->fields[i].need == HSDS_NEED_SKIP
                        ? "no row of this file can be used"
                        : "every row lacks it");
    }
    return hopeless;
}

/* A record the CSV reader refused: its error reads "line N: why". */
static void bad_record(hsds_ctx *c, int src, const csv_stream *s)
{
    const char *e = s->r.error, *why = e;
    size_t line = 0;

    if (!strncmp(e, "line ", 5)) {
        char *end;
        line = strtoul(e + 5, &end, 10);
        why = *end == ':' ? end + 1 : end;
        while (*why == ' ')
            why++;
    }
    hsds_report(c, HSDS_PROBLEM_FORMAT, c->src[src].label, line, "", 1,
                "the record cannot be read (%s); it is left out", why);
}

static int blank_record(const csv_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i][strspn(r->fields[i], " \t")])
            return 0;
    return 1;
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char ch = s[i];
        size_t len = ch < 0x80         ? 1
                     : (ch >> 5) == 6  ? 2
                     : (ch >> 4) == 14 ? 3
                     : (ch >> 3) == 30 ? 4
                                       : 0;
        uint32_t cp;
        if (!len || i + len > n)
            return 0;
        cp = len == 1 ? ch : ch & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/*
 * US spreadsheets save "CSV" in Windows-1252 unless told otherwise, so a
 * field that is not UTF-8 is read as that: "Ni\xF1os" becomes "Niños".
 * 0x80-0x9F are the code page's own; the rest is Latin-1.
 */
static void from_cp1252(const unsigned char *s, size_t n, sg_buf *out)
{
    static const uint16_t c1[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    sg_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        unsigned cp = s[i] >= 0x80 && s[i] < 0xA0 ? c1[s[i] - 0x80] : s[i];
        char u[3];
        size_t len = 1;
        if (cp < 0x80) {
            u[0] = (char)cp;
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | cp >> 6);
            u[1] = (char)(0x80 | (cp & 0x3F));
            len = 2;
        } else {
            u[0] = (char)(0xE0 | cp >> 12);
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            len = 3;
        }
        if (sg_buf_add(out, u, len))
            return; /* capped: the value is cut, not lost */
    }
}

/* Sets field i from a CSV field, reading it as Windows-1252 when it is not
 * UTF-8 (said once per file). */
static sg_rc set_field(hsds_ctx *c, hsds_rec *r, int i, const char *v, sg_buf *tmp)
{
    size_t n = strlen(v);

    if (utf8_valid((const unsigned char *)v, n))
        return hsds_rec_set(c, r, i, v, n);
    if (!c->src[r->src].not_utf8) {
        c->src[r->src].not_utf8 = 1;
        hsds_report(c, HSDS_PROBLEM_FORMAT, c->src[r->src].label, r->row,
                    hsds_kind_get(r->kind)->fields[i].name, 0,
                    "the file is not UTF-8; it is read as Windows-1252 (save it as "
                    "\"CSV UTF-8\" to be sure)");
    }
    from_cp1252((const unsigned char *)v, n, tmp);
    return hsds_rec_set(c, r, i, tmp->data ? tmp->data : "", tmp->len);
}

static sg_rc stage_record(hsds_ctx *c, const csv_reader *r, int src, hsds_kind k,
                          int variant, const int *col, sg_buf *tmp)
{
    const hsds_kind_spec *spec = hsds_kind_get(k);
    hsds_rec rec;
    sg_rc rc;

    if ((rc = hsds_rec_begin(c, &rec, k, src, r->row_line, "")))
        return rc;
    rec.variant = variant;
    for (size_t i = 0; i < spec->nfields; i++)
        if (col[i] >= 0 && (size_t)col[i] < r->nfields &&
            (rc = set_field(c, &rec, (int)i, r->fields[col[i]], tmp)))
            return rc;
    hsds_rec_end(c, &rec);
    return hsds_stage(c, &rec);
}

/*
 * Excel's "Unicode Text" and some exporters write UTF-16, which starts with
 * FF FE or FE FF; neither byte can begin UTF-8 text.  1 (after reporting)
 * when the file starts so; otherwise the stream is left as it was.
 */
static int not_text(hsds_ctx *c, FILE *f, int src)
{
    int ch = getc(f);

    if (ch != 0xFF && ch != 0xFE) {
        if (ch != EOF)
            ungetc(ch, f);
        return 0;
    }
    hsds_report(c, HSDS_PROBLEM_FORMAT, c->src[src].label, 1, "", 0,
                "the file is UTF-16 (or not text at all); save it as \"CSV UTF-8\"");
    return 1;
}

/* The header; SG_ENOTFOUND (after reporting) when the file has none. */
static sg_rc read_header(hsds_ctx *c, csv_stream *s, FILE *f, int src)
{
    sg_rc rc;

    if (not_text(c, f, src))
        return SG_ENOTFOUND;
    rc = csv_stream_next(s);

    if (rc == SG_ENOTFOUND)
        hsds_report(c, HSDS_PROBLEM_FORMAT, c->src[src].label, 1, "", 0,
                    "the file is empty");
    else if (rc == SG_EINVAL)
        bad_record(c, src, s);
    return rc == SG_EINVAL ? SG_ENOTFOUND : rc;
}

sg_rc hsds_csv_stage(hsds_ctx *c, FILE *f, const char *label, hsds_kind k, int variant)
{
    const hsds_kind_spec *spec = hsds_kind_get(k);
    int col[HSDS_MAX_FIELDS], src, hopeless, bad = 0;
    uint64_t base = c->done;
    size_t rows = 0;
    csv_stream s;
    sg_buf tmp; /* a field re-encoded to UTF-8 */
    sg_rc rc;

    sg_buf_init(&tmp, 3 * CSV_MAX_ROW);
    if ((src = hsds_add_source(c, label, k)) < 0)
        return SG_EINVAL;
    csv_stream_init(&s, f);
    if ((rc = read_header(c, &s, f, src)))
        goto out;
    map_header(spec, &s.r, col);
    hopeless = missing_columns(c, src, spec, col);
    while ((rc = csv_stream_next(&s)) != SG_ENOTFOUND) {
        if (rc == SG_EINVAL) {
            bad_record(c, src, &s);
            c->sum->skipped++;
            if (++bad < MAX_BAD_RECORDS)
                continue;
            hsds_report(
                c, HSDS_PROBLEM_FORMAT, label, s.line, "", 0,
                "too many records cannot be read; the rest of the file is left out");
            break;
        }
        if (rc)
            goto out;
        if (blank_record(&s.r))
            continue;
        if (hopeless)
            c->sum->skipped++;
        else if ((rc = stage_record(c, &s.r, src, k, variant, col, &tmp)))
            goto out;
        if (++rows % 1024 == 0) {
            off_t at = ftello(f);
            hsds_progress(c, base + (at > 0 ? (uint64_t)at : 0), 0);
        }
    }
    rc = SG_OK;
out:
    csv_stream_free(&s);
    sg_buf_free(&tmp);
    if (rc == SG_ENOTFOUND)
        rc = SG_OK; /* an empty or unreadable file is reported, not fatal */
    return rc;
}

/* ---- a folder of CSV files ---- */

typedef struct {
    int rank;
    char name[256];
} found_file;

/* The known files in dir, in reading order; how many. */
static size_t scan_folder(DIR *d, found_file *out)
{
    struct dirent *e;
    size_t n = 0;

    while ((e = readdir(d)) && n < NFILES) {
        int rank = hsds_csv_rank(e->d_name);
        int seen = 0;
        if (rank < 0)
            continue;
        for (size_t i = 0; i < n; i++)
            seen |= out[i].rank == rank;
        if (seen)
            continue; /* services.csv and Services.csv: the first one */
        out[n].rank = rank;
        snprintf(out[n].name, sizeof out[n].name, "%s", e->d_name);
        n++;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: a dozen entries */
        for (size_t j = i; j > 0 && out[j].rank < out[j - 1].rank; j--) {
            found_file t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static sg_rc stage_file(hsds_ctx *c, const char *dir, const found_file *ff)
{
    char path[4096];
    struct stat st;
    FILE *f;
    sg_rc rc;

    snprintf(path, sizeof path, "%s/%s", dir, ff->name);
    if (!(f = fopen(path, "r"))) {
        snprintf(c->err, c->errlen, "%s: cannot open", path);
        return SG_EIO;
    }
    rc = hsds_csv_stage_rank(c, f, ff->name, ff->rank);
    if (fstat(fileno(f), &st) == 0)
        c->done += (uint64_t)st.st_size;
    fclose(f);
    return rc;
}

sg_rc hsds_read_folder(hsds_ctx *c, const char *dir)
{
    found_file found[NFILES];
    const char *names[NFILES];
    size_t n, services = 0;
    DIR *d = opendir(dir);
    sg_rc rc = SG_OK;

    if (!d) {
        snprintf(c->err, c->errlen, "%s: cannot open the folder", dir);
        return SG_EIO;
    }
    n = scan_folder(d, found);
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, found[i].name);
        if (stat(path, &st) == 0)
            c->total += (uint64_t)st.st_size;
        services += hsds_csv_rank_is_services(found[i].rank);
        names[i] = files[found[i].rank].name;
    }
    if (!services) {
        snprintf(c->err, c->errlen, "%s has no services.csv: not an HSDS data package",
                 dir);
        return SG_EINVAL;
    }
    snprintf(c->sum->version, sizeof c->sum->version, "%s",
             hsds_detect_version(names, n));
    for (size_t i = 0; i < n && !rc; i++)
        rc = stage_file(c, dir, &found[i]);
    return rc;
}
