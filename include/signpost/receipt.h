/*
 * The printed receipt as a model: what goes on the paper, line by line,
 * before any printer bytes exist.
 *
 * receipt_layout() is pure: from the screening's result (needs and matched
 * resources, already in the patient's language) and a printer profile it
 * builds a receipt_model of printed lines, each already wrapped to the
 * printer's columns for its style, plus a QR code element.  The ESC/POS
 * encoder (escpos.h) turns the model into bytes and receipt_preview_html()
 * turns the same model into HTML, so the staff console and demo mode show
 * exactly the lines the paper gets.
 *
 * What is never on the paper: the patient's answers (the layout is not
 * given them), and the word for a sensitive need.  A domain that the
 * instrument gives a discreet label (safety: "Support services") is always
 * headed by that label, and its resources are printed only when the
 * screening found it positive and the clinic allows it (print_safety).
 * With print_safety = 0, every receipt carries one neutral line ("Ask the
 * front desk about more support services"), positive or not, so that the
 * line itself says nothing about the patient.
 *
 * Ownership: receipt_layout() fills a caller-provided receipt_model whose
 * lines and strings it allocates; receipt_model_free() releases them (and
 * accepts NULL or an already-freed model).  The input is only read.
 */
#ifndef SIGNPOST_RECEIPT_H
#define SIGNPOST_RECEIPT_H

#include <stddef.h>
#include "signpost/buf.h"
#include "signpost/directory.h"
#include "signpost/instrument.h"
#include "signpost/printer_profile.h"
#include "signpost/result.h"

/* Limits that keep a malformed input from making a metre of paper. */
#define RECEIPT_MAX_LINES 400
#define RECEIPT_MAX_PAYLOAD 1024 /* QR payload bytes */

typedef struct {
    const char *clinic_name;
    const char *clinic_phone;
    const char *date;          /* already formatted for the patient */
    const char *lang;          /* "en", "es"; others print in English */
    const sg_instrument *inst; /* domain labels */
    const int *needs;          /* positive domain indexes, in print order */
    size_t nneeds;
    const sg_resource *resources; /* matched resources; each names its domain */
    size_t nresources;
    const char *const *ask_for; /* NULL, or nresources entries (each may be NULL) */
    int safety_positive;        /* the screening found the sensitive domain positive */
    int print_safety;           /* clinic option: 0 keeps safety resources off paper */
    const char *qr_payload;     /* NULL or "": no QR code */
    const char *footer;         /* NULL or "": no footer */
} receipt_input;

/* Line styles; combine with |. */
enum {
    RECEIPT_BOLD = 1u << 0,
    RECEIPT_TALL = 1u << 1, /* double height */
    RECEIPT_WIDE = 1u << 2, /* double width: half the columns */
    RECEIPT_CENTER = 1u << 3,
    RECEIPT_SMALL = 1u << 4 /* font B: more columns */
};

typedef enum { RECEIPT_TEXT, RECEIPT_QR } receipt_kind;

typedef struct {
    receipt_kind kind;
    unsigned style; /* RECEIPT_* */
    char *text;     /* TEXT: one printed line of UTF-8 without control
                       characters ("" is a blank line); QR: the payload */
    int qr_module;  /* QR: dots per module */
} receipt_line;

typedef struct {
    receipt_line *lines;
    size_t nlines, alloc;
    int columns; /* font A columns it was laid out for */
    int cut;     /* end of receipt: cut, or feed past the tear bar */
} receipt_model;

/*
 * Builds the receipt for in on printer p into *out (overwritten).  On
 * failure *out is left empty.  SG_EINVAL for a domain index the instrument
 * does not have, SG_ETOOBIG past RECEIPT_MAX_LINES or RECEIPT_MAX_PAYLOAD.
 */
sg_rc receipt_layout(const receipt_input *in, const printer_profile *p,
                     receipt_model *out);
void receipt_model_free(receipt_model *m);

/* Columns a line of this style has on p. */
int receipt_columns(const printer_profile *p, unsigned style);

/*
 * Appends the model as a self-contained HTML fragment to out: a <div
 * class="sg-receipt"> of <p> lines with class names for styles, and the QR
 * code as inline SVG.  Text is escaped; there is no style attribute and no
 * script, so it can be served under a strict Content-Security-Policy with
 * receipt_preview_css() as a separate stylesheet.
 */
sg_rc receipt_preview_html(const receipt_model *m, sg_buf *out);
const char *receipt_preview_css(void);

/*
 * The QR code's text.  With a template ([receipt] qr_url), its placeholders
 * are filled: {service_ids} (the resources' HSDS ids, comma-separated),
 * {lang}, {clinic_phone} (digits only); values are percent-encoded.  With
 * none, the first resource's website, else a tel: link to the clinic, so the
 * code works on a patient's phone off the clinic network.  SG_EINVAL names
 * an unknown placeholder in err; SG_ETOOBIG past outlen.
 */
sg_rc receipt_qr_payload(const char *tmpl, const sg_resource *res, size_t n,
                         const char *clinic_phone, const char *lang, char *out,
                         size_t outlen, char *err, size_t errlen);

#endif
