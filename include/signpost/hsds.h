/*
 * Importing Open Referral HSDS into the kiosk's directory database.
 *
 * hsds_import() reads one HSDS source and writes a complete, new directory
 * database (the schema in directory_db.h) at a path that must not exist yet.
 * Sources: a Tabular Data Package (a folder of CSV files, with or without
 * datapackage.json, or a .zip of one), in the HSDS 3.0 layout or the 1.x
 * layout (regular_schedules, holiday_schedules, physical_addresses,
 * services_at_location, services_taxonomy), or HSDS 3.0 JSON (a file holding
 * one service, an array of services, or a Page object as the HSDS API
 * returns it).  The version is detected from the files.
 *
 * Every problem is reported through the caller's callback with the file,
 * the 1-based row (the header is row 1; for JSON, the index of the record)
 * and the column; rows that are sound are imported.  Memory does not grow
 * with the input: rows stream into staging tables on disk and are joined
 * there with SQL (CSV is read a record at a time, a .zip entry by entry
 * without unpacking; JSON is parsed whole by jansson, so it is capped at
 * 256 MB).
 *
 * hsds_import() never touches the live directory; directory_install() (in
 * directory_db.h) swaps the result in atomically.
 */
#ifndef SIGNPOST_HSDS_H
#define SIGNPOST_HSDS_H

#include <stddef.h>
#include <stdint.h>
#include "signpost/result.h"

typedef enum {
    HSDS_PROBLEM_MISSING,     /* a required field is empty or its column absent */
    HSDS_PROBLEM_BAD_VALUE,   /* bad time, date, number, weekday, RRULE, status */
    HSDS_PROBLEM_COORDINATE,  /* latitude/longitude out of range or half given */
    HSDS_PROBLEM_DANGLING,    /* a foreign key names a row that does not exist */
    HSDS_PROBLEM_DUPLICATE,   /* an id seen before in the same file */
    HSDS_PROBLEM_FORMAT       /* the file itself: bad CSV quoting, bad JSON */
} hsds_problem_kind;

typedef struct {
    hsds_problem_kind kind;
    const char *file;    /* "services.csv", "export/services.csv" in a .zip,
                            "service_list.json" */
    size_t row;          /* CSV: the line the record starts on, header = 1;
                            JSON: the record's number, first = 1;
                            0 when not row-bound */
    const char *column;  /* "" when not column-bound; in JSON the path inside
                            the record ("service_at_locations[0].location.latitude") */
    const char *message; /* plain English: "opens_at \"25:00\" is not a time" */
    int skipped;         /* 1 when the row was left out, 0 when only the field */
} hsds_problem;

typedef void (*hsds_report_fn)(void *ctx, const hsds_problem *p);
/* Progress through the input: done and total in bytes (total 0 when
 * unknown). Called at most a few times per second's worth of rows. */
typedef void (*hsds_progress_fn)(void *ctx, const char *stage, uint64_t done, uint64_t total);

typedef struct {
    hsds_report_fn report;   /* may be NULL */
    void *report_ctx;
    hsds_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    const char *source_label;  /* recorded in the meta table; NULL: the path */
} hsds_import_opts;

typedef struct {
    char version[16];      /* "3.0", "1.x", "2.0" or "3.0-json" */
    size_t services;       /* imported */
    size_t organizations;
    size_t locations;
    size_t schedules;
    size_t terms;          /* service-to-taxonomy links */
    size_t problems;       /* every problem reported */
    size_t skipped;        /* rows left out because of a problem */
} hsds_summary;

/*
 * Imports path into a new database at out_path.  SG_EINVAL when the source
 * is not HSDS at all or has no usable service (err says why); SG_EIO or
 * SG_EDB when the output cannot be written.  On any failure out_path is
 * removed.
 */
sg_rc hsds_import(const char *path, const char *out_path, const hsds_import_opts *o,
                  hsds_summary *sum, char *err, size_t errlen);

/* A short word for each problem kind ("missing", "dangling", ...). */
const char *hsds_problem_name(hsds_problem_kind k);

#endif
