/*
 * Receipt layout (see receipt.h): from a screening result to printed lines.
 *
 * The paper reads top to bottom as a patient would use it at home: who
 * gave it to them (clinic, phone, date), then per need a heading in their
 * language and, for each place, its name, phone, address, when it is open
 * and what to ask for; then the QR code that opens the same list on a
 * phone, and the clinic's footer.  Each piece of text is wrapped here, for
 * the printer's columns in the style it is printed in, so the encoder and
 * the preview only draw lines.
 *
 * Outside text (directory entries, clinic configuration) can hold invalid
 * UTF-8 or control characters; every line is cleaned on its way into the
 * model, which is therefore always valid UTF-8 without controls.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/codepage.h"
#include "signpost/receipt.h"

#define LINE_CAP 4096 /* bytes in one cleaned line; a line is at most 255 columns */

/* The receipt's own words, per language. Add a language by adding a row. */
enum { T_TITLE, T_HOURS_UNKNOWN, T_ASK_FOR, T_NO_PLACES, T_MORE_SUPPORT, T_SCAN, T_CONTACT,
       T_N };

static const struct {
    const char *lang;
    const char *text[T_N];
} ui_text[] = {
    {"en",
     {"Your list of places that can help", "Hours unknown",
      "Ask for: ", "Ask the front desk for a place to call",
      "Ask the front desk about more support services",
      "Scan for this list on your phone", "Call: "}},
    {"es",
     {"Su lista de lugares que pueden ayudar", "Horario desconocido",
      "Pregunte por: ", "Pida en la recepción un lugar al que llamar",
      "Pregunte en la recepción por más servicios de apoyo",
      "Escanee para ver esta lista en su teléfono", "Llame a: "}},
};

typedef struct {
    receipt_model *m;
    const printer_profile *p;
    const char *const *t; /* ui_text row */
    unsigned style;       /* of the text being wrapped */
} layout;

static const char *const *ui_for(const char *lang)
{
    for (size_t i = 0; lang && i < sizeof ui_text / sizeof ui_text[0]; i++)
        if (strcmp(ui_text[i].lang, lang) == 0)
            return ui_text[i].text;
    return ui_text[0].text;
}

int receipt_columns(const printer_profile *p, unsigned style)
{
    int cols = (style & RECEIPT_SMALL) && p->columns_font_b ? p->columns_font_b
                                                            : p->columns_font_a;
    if (style & RECEIPT_WIDE)
        cols /= 2;
    return cols > 0 ? cols : 1;
}

/* Appends a line; the model takes text (malloc'd) in every case. */
static sg_rc add_line(receipt_model *m, receipt_kind kind, unsigned style, char *text,
                      int module)
{
    if (m->nlines == RECEIPT_MAX_LINES) {
        free(text);
        return SG_ETOOBIG;
    }
    if (m->nlines == m->alloc) {
        size_t n = m->alloc ? m->alloc * 2 : 64;
        receipt_line *grown = realloc(m->lines, n * sizeof *grown);
        if (!grown) {
            free(text);
            return SG_ENOMEM;
        }
        m->lines = grown;
        m->alloc = n;
    }
    m->lines[m->nlines++] = (receipt_line){kind, style, text, module};
    return SG_OK;
}

/* text_wrap callback: cleans one wrapped line into the model. */
static sg_rc take_line(void *ctx, const char *s, size_t len)
{
    layout *l = ctx;
    sg_buf b;
    sg_rc rc;

    sg_buf_init(&b, LINE_CAP);
    rc = codepage_encode(CODEPAGE_NONE, s, len, &b);
    if (!rc && !b.data)
        rc = sg_buf_add(&b, "", 0);
    if (!rc)
        return add_line(l->m, RECEIPT_TEXT, l->style, sg_buf_take(&b), 0);
    sg_buf_free(&b);
    return rc;
}

/* Wrapped text in a style; nothing for NULL or "". */
static sg_rc text(layout *l, unsigned style, const char *s)
{
    if (!s || !*s)
        return SG_OK;
    l->style = style;
    return text_wrap(s, (size_t)receipt_columns(l->p, style), l->p->page, take_line, l);
}

/* A label and a value wrapped as one paragraph ("Ask for: the pantry"). */
static sg_rc labeled(layout *l, unsigned style, const char *label, const char *value)
{
    sg_buf b;
    sg_rc rc;

    if (!value || !*value)
        return SG_OK;
    sg_buf_init(&b, LINE_CAP);
    if (!(rc = sg_buf_adds(&b, label)) && !(rc = sg_buf_adds(&b, value)))
        rc = text(l, style, b.data);
    sg_buf_free(&b);
    return rc;
}

/* One blank line, never two in a row and never first. */
static sg_rc blank(layout *l)
{
    receipt_model *m = l->m;
    char *empty;

    if (m->nlines == 0 || (m->lines[m->nlines - 1].kind == RECEIPT_TEXT &&
                           !m->lines[m->nlines - 1].text[0]))
        return SG_OK;
    if (!(empty = calloc(1, 1)))
        return SG_ENOMEM;
    return add_line(m, RECEIPT_TEXT, 0, empty, 0);
}

static sg_rc header(layout *l, const receipt_input *in)
{
    sg_rc rc;

    if ((rc = text(l, RECEIPT_CENTER | RECEIPT_BOLD | RECEIPT_TALL, in->clinic_name)) ||
        (rc = text(l, RECEIPT_CENTER, in->clinic_phone)) ||
        (rc = text(l, RECEIPT_CENTER, in->date)) || (rc = blank(l)) ||
        (rc = text(l, RECEIPT_CENTER | RECEIPT_BOLD, l->t[T_TITLE])))
        return rc;
    return blank(l);
}

static sg_rc resource(layout *l, const sg_resource *r, const char *ask_for)
{
    sg_rc rc;

    /* The clinic's curated words travel with the resource; an explicit
       list from the caller overrides them. */
    if (!ask_for)
        ask_for = r->ask_for;
    /* The phone goes without a label: a number on its own line reads as
       one in any language, and nine labels cost 45 bytes of serial time. */
    if ((rc = text(l, RECEIPT_BOLD, r->name)) || (rc = text(l, 0, r->phone)) ||
        (rc = labeled(l, 0, l->t[T_CONTACT], r->contact)) || (rc = text(l, 0, r->address)) ||
        (rc = text(l, 0, r->hours[0] ? r->hours : l->t[T_HOURS_UNKNOWN])) ||
        (rc = labeled(l, 0, l->t[T_ASK_FOR], ask_for)))
        return rc;
    return blank(l);
}

static sg_rc need(layout *l, const receipt_input *in, int d, int lang)
{
    const char *label = instrument_domain_label(in->inst, d, lang, 1);
    size_t shown = 0;
    sg_rc rc;

    if ((rc = text(l, RECEIPT_BOLD | RECEIPT_TALL, label)))
        return rc;
    for (size_t i = 0; i < in->nresources; i++) {
        if (in->resources[i].domain != d)
            continue;
        if ((rc = resource(l, &in->resources[i], in->ask_for ? in->ask_for[i] : NULL)))
            return rc;
        shown++;
    }
    if (shown == 0 && (rc = text(l, 0, l->t[T_NO_PLACES])))
        return rc;
    return blank(l);
}

static sg_rc closing(layout *l, const receipt_input *in)
{
    char *payload;
    sg_rc rc;

    if (in->qr_payload && *in->qr_payload) {
        if ((rc = text(l, RECEIPT_CENTER, l->t[T_SCAN])))
            return rc;
        if (!(payload = strdup(in->qr_payload)))
            return SG_ENOMEM;
        if ((rc = add_line(l->m, RECEIPT_QR, RECEIPT_CENTER, payload,
                           l->p->qr_module_dots)))
            return rc;
    }
    if (!in->footer || !*in->footer)
        return SG_OK;
    if ((rc = blank(l)))
        return rc;
    return text(l, RECEIPT_CENTER | RECEIPT_SMALL, in->footer);
}

/* Paper after the last line is the cut's or the tear feed's business. */
static void trim_blank(receipt_model *m)
{
    while (m->nlines && m->lines[m->nlines - 1].kind == RECEIPT_TEXT &&
           !m->lines[m->nlines - 1].text[0])
        free(m->lines[--m->nlines].text);
}

/* A domain the instrument words discreetly in some language is sensitive. */
static int sensitive(const sg_instrument *inst, int d)
{
    for (int lang = 0; lang < inst->nlangs; lang++)
        if (inst->domains[d].discreet_label[lang])
            return 1;
    return 0;
}

static sg_rc check_input(const receipt_input *in, const printer_profile *p)
{
    if (!in->inst || (in->nneeds && !in->needs) || (in->nresources && !in->resources) ||
        p->columns_font_a < 1 || p->qr_module_dots < 1)
        return SG_EINVAL;
    for (size_t i = 0; i < in->nneeds; i++)
        if (in->needs[i] < 0 || in->needs[i] >= in->inst->ndomains)
            return SG_EINVAL;
    for (size_t i = 0; i < in->nresources; i++)
        if (in->resources[i].domain < 0 || in->resources[i].domain >= in->inst->ndomains)
            return SG_EINVAL;
    if (in->qr_payload && strlen(in->qr_payload) > RECEIPT_MAX_PAYLOAD)
        return SG_ETOOBIG;
    return SG_OK;
}

sg_rc receipt_layout(const receipt_input *in, const printer_profile *p,
                     receipt_model *out)
{
    layout l = {out, p, ui_for(in->lang), 0};
    uint32_t printed = 0;
    int lang;
    sg_rc rc;

    memset(out, 0, sizeof *out);
    out->columns = p->columns_font_a;
    out->cut = 1;
    if ((rc = check_input(in, p)))
        goto out;
    if ((lang = instrument_lang(in->inst, in->lang ? in->lang : "en")) < 0 &&
        (lang = instrument_lang(in->inst, "en")) < 0)
        lang = 0;
    if ((rc = header(&l, in)))
        goto out;
    for (size_t i = 0; i < in->nneeds; i++) {
        int d = in->needs[i];
        assert(d >= 0 && d < SG_MAX_DOMAINS);
        if ((printed >> d) & 1u)
            continue;
        printed |= 1u << d;
        /* Double-keyed on purpose: a sensitive need reaches paper only when
           the screening says so and the clinic allows it. */
        if (sensitive(in->inst, d) && !(in->safety_positive && in->print_safety))
            continue;
        if ((rc = need(&l, in, d, lang)))
            goto out;
    }
    if (!in->print_safety &&
        ((rc = text(&l, 0, l.t[T_MORE_SUPPORT])) || (rc = blank(&l))))
        goto out;
    if (!(rc = closing(&l, in)))
        trim_blank(out);
out:
    if (rc)
        receipt_model_free(out);
    return rc;
}

void receipt_model_free(receipt_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nlines; i++)
        free(m->lines[i].text);
    free(m->lines);
    m->lines = NULL;
    m->nlines = m->alloc = 0;
}
