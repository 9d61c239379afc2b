/*
 * Fuzzes a whole receipt: directory text (names, phones, addresses, hours,
 * what to ask for), the clinic's name, phone and footer and the QR payload
 * go through receipt_layout(), then escpos_encode() for every bundled
 * printer profile and receipt_preview_html() for the staff console.
 *
 * Input: '\n'-separated fields: flags (byte 0: profile, needs, options),
 * clinic name, clinic phone, footer, QR payload, QR URL template, then up
 * to 9 resources of 5 fields each (name, phone, address, hours, ask_for).
 * The template also goes through receipt_qr_payload().
 *
 * Invariants:
 *  - a laid-out receipt has at most RECEIPT_MAX_LINES lines, each free of
 *    control characters and no wider than its style's columns on paper;
 *  - the safety domain's resources never reach paper unless the screening
 *    found it positive and the clinic allows it;
 *  - the ESC/POS job starts with ESC @ and ESC t, never exceeds the
 *    buffer's cap, and a job that does not fit leaves the buffer as it was;
 *  - the HTML preview carries no markup from the input;
 *  - a QR payload fits its buffer, and a template without placeholders is
 *    the payload unchanged.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "fuzz_common.h"
#include "signpost/codepage.h"
#include "signpost/escpos.h"
#include "signpost/receipt.h"

#define NFIXED 5
#define NRES 9
#define PROFILES SOURCE_DIR "/data/printers/profiles.json"

static const sg_instrument *inst;
static printer_profile profiles[4];

static void setup(void)
{
    static const char *const names[4] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
    char err[512];
    sg_instrument *loaded;

    if (inst)
        return;
    if (instrument_load(SOURCE_DIR "/data/instruments/ahc-hrsn-core.json", &loaded, err,
                        sizeof err) != SG_OK) {
        fprintf(stderr, "fuzz_receipt: %s\n", err);
        abort();
    }
    inst = loaded;
    for (int i = 0; i < 4; i++)
        if (printer_profile_load(PROFILES, names[i], &profiles[i], err, sizeof err)) {
            fprintf(stderr, "fuzz_receipt: %s\n", err);
            abort();
        }
}

static void check_model(const receipt_model *m, const printer_profile *p, const char *marker)
{
    FUZZ_CHECK(m->nlines <= RECEIPT_MAX_LINES);
    for (size_t i = 0; i < m->nlines; i++) {
        const receipt_line *l = &m->lines[i];
        if (l->kind != RECEIPT_TEXT)
            continue;
        for (const char *c = l->text; *c; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7F);
        size_t width = codepage_width(p->page, l->text, strlen(l->text));
        uint32_t cp;
        size_t first = *l->text ? utf8_decode(l->text, strlen(l->text), &cp) : 0;
        FUZZ_CHECK(width <= (size_t)receipt_columns(p, l->style) ||
                   first == strlen(l->text));
        if (marker)
            FUZZ_CHECK(!strstr(l->text, marker));
    }
}

static void check_escpos(const receipt_model *m, const printer_profile *p, size_t cap)
{
    sg_buf out;
    sg_rc rc;

    sg_buf_init(&out, cap);
    FUZZ_CHECK(sg_buf_adds(&out, "x") == SG_OK);
    rc = escpos_encode(m, p, &out);
    FUZZ_CHECK(rc == SG_OK || rc == SG_ETOOBIG);
    FUZZ_CHECK(out.len <= cap);
    if (rc == SG_OK)
        FUZZ_CHECK(out.len >= 6 && !memcmp(out.data + 1, "\x1b@\x1bt", 4));
    else
        FUZZ_CHECK(out.len == 1 && out.data[1] == '\0');
    sg_buf_free(&out);
}

/* Every tag in the preview is one the previewer writes itself. */
static void check_tags(const char *html)
{
    static const char *const tags[] = {"<div ", "</div>", "<p ", "</p>", "<hr ", "<svg ",
                                       "</svg>", "<rect ", "<path "};
    for (const char *lt = strchr(html, '<'); lt; lt = strchr(lt + 1, '<')) {
        int known = 0;
        for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
            known |= !strncmp(lt, tags[i], strlen(tags[i]));
        FUZZ_CHECK(known);
    }
}

/* The QR text from the clinic's [receipt] qr_url template (field 4). */
static void check_qr_payload(const char *tmpl, const sg_resource *res, size_t n,
                             const char *phone, const char *lang)
{
    char out[RECEIPT_MAX_PAYLOAD + 1], err[200];
    sg_rc rc;

    err[0] = '\0';
    rc = receipt_qr_payload(*tmpl ? tmpl : NULL, res, n, phone, lang, out, sizeof out, err,
                            sizeof err);
    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL || rc == SG_ETOOBIG);
    if (rc == SG_OK)
        FUZZ_CHECK(strlen(out) < sizeof out);
    if (rc == SG_EINVAL)
        FUZZ_CHECK(strstr(err, "placeholder") != NULL);
    /* Without a placeholder the template is the payload, byte for byte. */
    if (rc == SG_OK && *tmpl && !strchr(tmpl, '{'))
        FUZZ_CHECK(strcmp(out, tmpl) == 0);
}

static void check_preview(const receipt_model *m)
{
    sg_buf html;

    sg_buf_init(&html, 1u << 22);
    if (receipt_preview_html(m, &html) == SG_OK && html.data)
        check_tags(html.data);
    sg_buf_free(&html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *f[NFIXED + 5 * NRES];
    sg_resource res[NRES];
    const char *ask[NRES];
    int needs[SG_MAX_DOMAINS];
    receipt_model m;
    char *buf;
    size_t n, nres;

    if (size < 1 || size > 16384)
        return 0;
    setup();
    n = fuzz_split(data + 1, size - 1, '\n', &buf, f, NFIXED + 5 * NRES);
    nres = n > NFIXED ? (n - NFIXED + 4) / 5 : 0;
    int safety = instrument_domain_index(inst, "safety");
    memset(res, 0, sizeof res);
    for (size_t i = 0; i < nres; i++) {
        const char *const *r = f + NFIXED + 5 * i;
        res[i].domain = (int)(i % (size_t)inst->ndomains);
        snprintf(res[i].service_id, sizeof res[i].service_id, "svc-%zu", i);
        snprintf(res[i].name, sizeof res[i].name, "%s", r[0]);
        snprintf(res[i].phone, sizeof res[i].phone, "%s", r[1]);
        snprintf(res[i].address, sizeof res[i].address, "%s", r[2]);
        snprintf(res[i].hours, sizeof res[i].hours, "%s", r[3]);
        ask[i] = *r[4] ? r[4] : NULL;
        /* A name that says it is the safety resource: must not reach paper. */
        if (res[i].domain == safety)
            snprintf(res[i].name, sizeof res[i].name, "SAFETY-RESOURCE-%zu", i);
    }
    for (int d = 0; d < inst->ndomains; d++)
        needs[d] = d;
    receipt_input in = {f[0], f[1], "29 Nov 2026", data[0] & 4 ? "es" : "en", inst,
                        needs, (size_t)inst->ndomains, res, nres, ask,
                        data[0] & 8 ? 1 : 0, data[0] & 16 ? 1 : 0, f[3], f[2]};
    const printer_profile *p = &profiles[data[0] & 3];
    check_qr_payload(f[4], res, nres, f[1], in.lang);
    sg_rc rc = receipt_layout(&in, p, &m);
    FUZZ_CHECK(rc == SG_OK || rc == SG_ETOOBIG);
    if (rc == SG_OK) {
        /* libFuzzer learns the marker from strstr(); only input without it
         * can tell whether the safety resource reached paper. */
        int hide = !(in.safety_positive && in.print_safety) &&
                   !memmem(data, size, "SAFETY-RESOURCE-", 16);
        check_model(&m, p, hide ? "SAFETY-RESOURCE-" : NULL);
        check_escpos(&m, p, 1u << 20);
        check_escpos(&m, p, (size_t)(data[0] >> 5) * 64 + 8);
        check_preview(&m);
        receipt_model_free(&m);
    } else {
        FUZZ_CHECK(m.nlines == 0 && m.lines == NULL);
    }
    free(buf);
    return 0;
}
