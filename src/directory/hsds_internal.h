/*
 * The HSDS importer's insides, shared by its files (see hsds.h for the
 * public face):
 *
 *   hsds_import.c    the entry point: open the output, run the stages, clean up
 *   hsds_detect.c    what the input is: a folder, a .zip or JSON; 3.0 or 1.x
 *   hsds_csv.c       the known CSV files; streaming one into staging, row by row
 *   hsds_zip.c       reading the CSV files of a .zip without unpacking it
 *   hsds_json.c      flattening HSDS 3.0 JSON services into the same staging
 *   hsds_stage.c     the staging tables and the record machinery
 *   hsds_rows.c      each kind of record: its fields and checks (table-driven)
 *   hsds_sched.c     the schedule kinds: 3.0 RRULE rows, 1.x regular and holiday
 *   hsds_lang.c      language names and codes to ISO 639-1
 *   hsds_assemble.c  foreign keys, then the directory tables, in SQL
 *
 * The pipeline: every input row becomes an hsds_rec (the text of the HSDS
 * fields its kind uses), is checked in C and written to a staging table in
 * a scratch database attached as "stg".  Links between rows are checked and
 * the directory is assembled with SQL over the staging tables, so memory
 * stays flat whatever the size of the input.
 */
#ifndef SIGNPOST_HSDS_INTERNAL_H
#define SIGNPOST_HSDS_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "signpost/buf.h"
#include "signpost/hsds.h"

/* The kinds of input record, whatever file or JSON object they come from. */
typedef enum {
    HSDS_K_ORG,
    HSDS_K_SERVICE,
    HSDS_K_LOCATION,
    HSDS_K_SAL,     /* service_at_location(s) */
    HSDS_K_ADDRESS, /* 3.0 addresses, 1.x physical/postal_addresses */
    HSDS_K_PHONE,
    HSDS_K_SCHEDULE, /* 3.0 (and 2.0) RRULE-style schedules */
    HSDS_K_REGULAR,  /* 1.x regular_schedules */
    HSDS_K_HOLIDAY,  /* 1.x holiday_schedules */
    HSDS_K_LANGUAGE,
    HSDS_K_ATTRIBUTE, /* 3.0 attributes */
    HSDS_K_SVC_TERM,  /* 1.x services_taxonomy, 2.0 service_attributes */
    HSDS_K_TERM,      /* 3.0 taxonomy_terms, 1.x taxonomy */
    HSDS_K_COUNT
} hsds_kind;

/* How much a field is needed. */
enum {
    HSDS_OPTIONAL = 0,
    HSDS_NEED_KEEP, /* report when empty, keep the row */
    HSDS_NEED_SKIP, /* report when empty, leave the row out */
    HSDS_NEED_CSV   /* as KEEP, but only in CSV: JSON says it by nesting */
};

#define HSDS_MAX_FIELDS 20

typedef struct {
    const char *name; /* HSDS field: the CSV column and the JSON key */
    unsigned char need;
} hsds_field;

typedef struct hsds_ctx hsds_ctx;
typedef struct hsds_rec hsds_rec;

typedef struct {
    const char *what;         /* "service": for messages */
    const char *table;        /* staging table */
    const char *insert;       /* its INSERT: ?1 _src, ?2 _row, then the kind's own */
    const hsds_field *fields; /* fields[0] is always "id" */
    size_t nfields;
    sg_rc (*stage)(hsds_ctx *c, hsds_rec *r); /* checks and writes one row */
} hsds_kind_spec;

const hsds_kind_spec *hsds_kind_get(hsds_kind k);
/* The schedule kinds live in hsds_sched.c, the rest in hsds_rows.c. */
extern const hsds_kind_spec hsds_schedule_kind, hsds_regular_kind, hsds_holiday_kind;
/* Index of field name in kind k, or -1. */
int hsds_field_index(hsds_kind k, const char *name);

/*
 * One input record on its way to staging.  v[i] is the trimmed text of
 * field i of the kind (never NULL; "" when absent), in the context's scratch
 * buffer, writable so checks can normalise in place.
 */
struct hsds_rec {
    hsds_kind kind;
    int src;          /* index into hsds_ctx.src: the file it came from */
    size_t row;       /* CSV: line where the record starts; JSON: record number */
    const char *path; /* prefix of column names in reports ("" for CSV,
                         "service_at_locations[0].location." in JSON) */
    int variant;      /* per-file detail, e.g. HSDS_ADDR_POSTAL */
    int json;         /* from JSON: row is a record number, links may be implied */
    int quiet_dup;    /* JSON: a nested object seen before is no problem */
    char *v[HSDS_MAX_FIELDS];
    size_t off[HSDS_MAX_FIELDS];
    int staged;   /* out: 1 when a new row went into staging */
    int rejected; /* out: 1 when a problem left the row out */
};

enum { HSDS_ADDR_ANY = 0, HSDS_ADDR_PHYSICAL, HSDS_ADDR_POSTAL };

/* Where rows came from, for problems found later in SQL. */
#define HSDS_MAX_SOURCES 48

typedef struct {
    char label[160]; /* "services.csv", "export/phones.csv", "list.json" */
    hsds_kind kind;
    int not_utf8; /* said once: the file is read as Windows-1252 */
} hsds_source;

struct hsds_ctx {
    const char *path; /* what is being imported */
    sqlite3 *db;
    const hsds_import_opts *o;
    hsds_summary *sum;
    char *err;
    size_t errlen;
    sqlite3_stmt *ins[HSDS_K_COUNT]; /* prepared staging inserts, lazily */
    sqlite3_stmt *dup_row[HSDS_K_COUNT];
    sg_buf scratch; /* the current record's values */
    hsds_source src[HSDS_MAX_SOURCES];
    int nsrc;
    /* Progress over the whole input. */
    const char *stage;
    uint64_t done, total;
    int64_t last_progress_ms;
};

/* --- hsds_import.c --- */

/* Reports a problem (counts it, calls the callback). */
void hsds_report(hsds_ctx *c, hsds_problem_kind kind, const char *file, size_t row,
                 const char *column, int skipped, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Reports a problem with field i of record r; skipped marks r rejected. */
void hsds_report_rec(hsds_ctx *c, hsds_rec *r, hsds_problem_kind kind, int field,
                     int skipped, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Registers a source file; returns its index, or -1 when there are too many. */
int hsds_add_source(hsds_ctx *c, const char *label, hsds_kind kind);
/* Calls the progress callback, at most a few times a second unless force. */
void hsds_progress(hsds_ctx *c, uint64_t done, int force);
/* Runs SQL that returns no rows; on failure err names what was being done. */
sg_rc hsds_exec(hsds_ctx *c, const char *sql, const char *doing);
sg_rc hsds_db_error(hsds_ctx *c, const char *doing);
/* The one number a query such as "SELECT count(*) ..." returns. */
sg_rc hsds_count(hsds_ctx *c, const char *sql, size_t *out);

/* --- hsds_stage.c --- */

/* The staging tables, in the attached "stg" database. */
sg_rc hsds_stage_create(hsds_ctx *c);
/* Indexes for the joins, once every row is in. */
sg_rc hsds_stage_index(hsds_ctx *c);
void hsds_stage_finalize(hsds_ctx *c);
/* Starts a record of kind k: clears the scratch buffer. */
sg_rc hsds_rec_begin(hsds_ctx *c, hsds_rec *r, hsds_kind k, int src, size_t row,
                     const char *path);
/* Sets field i (trimming spaces); call for any fields, then hsds_rec_end(). */
sg_rc hsds_rec_set(hsds_ctx *c, hsds_rec *r, int i, const char *s, size_t len);
/* Fixes the value pointers once all fields are set. */
void hsds_rec_end(hsds_ctx *c, hsds_rec *r);
/* Checks r and writes it to staging (r->staged says whether it went in). */
sg_rc hsds_stage(hsds_ctx *c, hsds_rec *r);
/* For the kinds' checks: the kind's prepared insert (NULL after reporting a
 * database error), and running it once the kind's own values are bound. */
sqlite3_stmt *hsds_stmt(hsds_ctx *c, hsds_kind k);
sg_rc hsds_insert(hsds_ctx *c, hsds_rec *r, sqlite3_stmt *st);

/* --- hsds_lang.c --- */

/* An ISO 639-1 code (or a 639-2/3 code where there is none) for a language
 * code or an English or native name; 0, or -1 when unknown. */
int hsds_lang_code(const char *s, char out[8]);

/* --- hsds_csv.c --- */

/* Streams one CSV file (f, already open) of kind k into staging. */
sg_rc hsds_csv_stage(hsds_ctx *c, FILE *f, const char *label, hsds_kind k, int variant);
/* The known CSV files, by rank (their reading order): the rank of a file
 * name (any case), or -1 when the importer does not read it. */
int hsds_csv_rank(const char *basename);
int hsds_csv_rank_is_services(int rank);
const char *hsds_csv_rank_name(int rank);
/* hsds_csv_stage() with the kind the file's rank says. */
sg_rc hsds_csv_stage_rank(hsds_ctx *c, FILE *f, const char *label, int rank);
#define HSDS_CSV_MAX_FILES 24

/* --- hsds_detect.c --- */

typedef enum { HSDS_SRC_FOLDER, HSDS_SRC_ZIP, HSDS_SRC_JSON } hsds_src_type;

/* What path is: a folder, a .zip or a JSON file.  A file in a folder
 * (services.csv, datapackage.json) means the folder; *dir gets it. */
sg_rc hsds_detect(const char *path, hsds_src_type *type, char *dir, size_t dirlen,
                  char *err, size_t errlen);
/* "3.0", "1.x" or "2.0" from the CSV file names present (basenames). */
const char *hsds_detect_version(const char *const *names, size_t n);

/* --- the readers --- */

sg_rc hsds_read_folder(hsds_ctx *c, const char *dir);
sg_rc hsds_read_zip(hsds_ctx *c, const char *path);
sg_rc hsds_read_json(hsds_ctx *c, const char *path);

/* --- hsds_assemble.c --- */

/* Checks links, reports dangling ones, builds the directory tables. */
sg_rc hsds_assemble(hsds_ctx *c);

#endif
