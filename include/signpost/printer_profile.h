/*
 * What the kiosk knows about a model of receipt printer, loaded from data
 * (data/printers/profiles.json, format "signpost-printers/1") rather than
 * compiled in: printers differ in paper width, fonts, code page numbering,
 * whether they understand native QR commands, whether they have a cutter,
 * how tall a raster band may be, and how fast they can take bytes.  A
 * clinic with a new printer model adds an entry to the file.
 *
 * The loader checks every field of the profile it is asked for and names
 * the first bad one ("tm-t20.codepage_esc_t: ..."), so a typo stops
 * start-up instead of printing garbage.  A printer_profile is plain data
 * with no pointers: copy it freely; there is nothing to free.
 */
#ifndef SIGNPOST_PRINTER_PROFILE_H
#define SIGNPOST_PRINTER_PROFILE_H

#include <stddef.h>
#include "signpost/codepage.h"
#include "signpost/result.h"

typedef enum {
    PRINTER_FLOW_NONE, /* no flow control: the writer must pace itself */
    PRINTER_FLOW_XONXOFF,
    PRINTER_FLOW_RTSCTS
} printer_flow;

typedef struct {
    char name[32]; /* "tm-t20": what [printer] profile = says */
    char description[160];
    int dots_per_line;   /* printable width in dots, a multiple of 8 */
    int columns_font_a;  /* characters per line in font A */
    int columns_font_b;  /* in font B; 0 when the printer has no font B */
    codepage page;       /* the page text is converted to */
    int codepage_esc_t;  /* n in ESC t n that selects it on this model */
    int native_qr;       /* 1: GS ( k QR commands; 0: raster image */
    int cutter;          /* 1: GS V cuts the paper */
    int max_raster_rows; /* tallest raster band one GS v 0 may carry */
    int baud;            /* usual serial speed for this model */
    printer_flow flow;
    int pacing_bytes_per_s; /* bytes/s to write at without flow control; 0 with it */
    int qr_module_dots;     /* dots per QR module */
} printer_profile;

/*
 * Loads the profile called name from the JSON file at path into *out.
 * SG_ENOTFOUND when the file has no such profile, SG_EINVAL for a bad file
 * or field, SG_EIO when it cannot be read; err says which and where.
 */
sg_rc printer_profile_load(const char *path, const char *name, printer_profile *out,
                           char *err, size_t errlen);

/* "none", "xonxoff", "rtscts". */
const char *printer_flow_name(printer_flow flow);

#endif
