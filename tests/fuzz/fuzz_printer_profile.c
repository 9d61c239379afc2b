/*
 * Fuzzes the printer profile loader (src/receipt/profile.c): the input is
 * a data/printers/profiles.json ("signpost-printers/1") written to a
 * scratch file and read with printer_profile_load(), as the daemon, `signpost
 * printers` and `signpost doctor` do with [printer] profile.  Each profile
 * name the file lists (up to 6), a bundled name and a name it cannot have
 * are asked for.  Every profile the loader accepts then prints a fixed
 * Spanish receipt with a QR code (receipt_layout(), escpos_encode()), and
 * the job's bytes are walked command by command.
 *
 * Invariants:
 *  - a profile is accepted only under the name asked for, only when the
 *    file lists it, and with every field inside the documented limits:
 *    dots a multiple of 8, font B 0 or at least 8 columns, a standard baud
 *    rate, pacing above 0 and at most baud / 10 without flow control and 0
 *    with it; loading it twice gives the same profile and no message;
 *  - a refusal starts with the file's path; "not found" only when the file
 *    is well formed and lists no such name;
 *  - an accepted profile can print: the job starts with ESC @ and ESC t n
 *    (n the profile's), holds only well-formed commands and text with no
 *    control byte, no line wider than its font's columns, font B only on a
 *    printer that has it, native QR commands only on a printer that has
 *    them, raster bands no wider than the paper and no taller than
 *    max_raster_rows, and ends with a cut on a printer with a cutter and a
 *    tear feed otherwise.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/escpos.h"
#include "signpost/receipt.h"

#define MAX_NAMES 8
#define FONT_B 0x01
#define WIDE 0x20

typedef struct {
    const printer_profile *p;
    const unsigned char *b;
    size_t n, i;
    int mode, line, qr, end;
} walker;

static const sg_instrument *instrument(void)
{
    static sg_instrument *inst;
    char err[512];

    if (!inst && instrument_load(SOURCE_DIR "/data/instruments/ahc-hrsn-core.json", &inst,
                                 err, sizeof err) != SG_OK) {
        fprintf(stderr, "fuzz_printer_profile: %s\n", err);
        abort();
    }
    return inst;
}

static void check_fields(const printer_profile *p, const char *name)
{
    static const int bauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
    int baud_ok = 0;

    FUZZ_CHECK(memchr(p->name, '\0', sizeof p->name) && !strcmp(p->name, name));
    FUZZ_CHECK(memchr(p->description, '\0', sizeof p->description) && p->description[0]);
    FUZZ_CHECK(p->dots_per_line >= 64 && p->dots_per_line <= 4096);
    FUZZ_CHECK(p->dots_per_line % 8 == 0);
    FUZZ_CHECK(p->columns_font_a >= 8 && p->columns_font_a <= 255);
    FUZZ_CHECK(p->columns_font_b == 0 ||
               (p->columns_font_b >= 8 && p->columns_font_b <= 255));
    FUZZ_CHECK(p->page != CODEPAGE_NONE &&
               codepage_from_name(codepage_name(p->page)) == p->page);
    FUZZ_CHECK(p->codepage_esc_t >= 0 && p->codepage_esc_t <= 255);
    FUZZ_CHECK((p->native_qr == 0 || p->native_qr == 1) &&
               (p->cutter == 0 || p->cutter == 1));
    FUZZ_CHECK(p->max_raster_rows >= 1 && p->max_raster_rows <= 2047);
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        baud_ok |= p->baud == bauds[i];
    FUZZ_CHECK(baud_ok);
    FUZZ_CHECK(strcmp(printer_flow_name(p->flow), "?") != 0);
    if (p->flow == PRINTER_FLOW_NONE)
        FUZZ_CHECK(p->pacing_bytes_per_s >= 1 && p->pacing_bytes_per_s <= p->baud / 10);
    else
        FUZZ_CHECK(p->pacing_bytes_per_s == 0);
    FUZZ_CHECK(p->qr_module_dots >= 1 && p->qr_module_dots <= 16);
}

/* ---- walking the job ---- */

static unsigned at(const walker *w, size_t k)
{
    FUZZ_CHECK(w->i + k < w->n); /* a command cut short */
    return w->b[w->i + k];
}

static int columns(const walker *w)
{
    int cols = (w->mode & FONT_B) ? w->p->columns_font_b : w->p->columns_font_a;
    return (w->mode & WIDE) ? cols / 2 : cols;
}

/* ESC c ...: the commands escpos_encode() sends; returns the length. */
static size_t esc(walker *w)
{
    unsigned c = at(w, 1), n = c == '@' ? 0 : at(w, 2);

    switch (c) {
    case '@':
        FUZZ_CHECK(w->i == 0);
        return 2;
    case 't':
        FUZZ_CHECK(w->i == 2 && n == (unsigned)w->p->codepage_esc_t);
        return 3;
    case '!':
        FUZZ_CHECK(!(n & FONT_B) || w->p->columns_font_b);
        w->mode = (int)n;
        return 3;
    case 'a':
        FUZZ_CHECK(n <= 1);
        return 3;
    case 'd':
        FUZZ_CHECK(!w->p->cutter && n == ESCPOS_TEAR_FEED_LINES);
        w->end = 1;
        return 3;
    }
    FUZZ_CHECK(c == 'J'); /* the QR code's quiet zone; nothing else is sent */
    return 3;
}

/* GS v 0 m xL xH yL yH and its rows: one raster band. */
static size_t raster(walker *w)
{
    size_t width = at(w, 4) | at(w, 5) << 8, height = at(w, 6) | at(w, 7) << 8;

    FUZZ_CHECK(!w->p->native_qr && at(w, 3) == 0);
    FUZZ_CHECK(width >= 1 && width * 8 <= (size_t)w->p->dots_per_line);
    FUZZ_CHECK(height >= 1 && height <= (size_t)w->p->max_raster_rows);
    FUZZ_CHECK(w->i + 8 + width * height <= w->n);
    w->qr = 1;
    return 8 + width * height;
}

static size_t gs(walker *w)
{
    unsigned c = at(w, 1);

    if (c == '(' && at(w, 2) == 'k') {
        size_t len = at(w, 3) | at(w, 4) << 8;
        FUZZ_CHECK(w->p->native_qr && len >= 3 && w->i + 5 + len <= w->n);
        if (at(w, 6) == 'C') /* module size */
            FUZZ_CHECK(at(w, 7) >= 1 && at(w, 7) <= 16);
        w->qr |= at(w, 6) == 'Q';
        return 5 + len;
    }
    if (c == 'v' && at(w, 2) == '0')
        return raster(w);
    FUZZ_CHECK(c == 'V' && at(w, 2) == 66 && w->i + 4 <= w->n && w->b[w->i + 3] == 0);
    FUZZ_CHECK(w->p->cutter);
    w->end = 1;
    return 4;
}

static void walk(const printer_profile *p, const sg_buf *job)
{
    walker w = {p, (const unsigned char *)job->data, job->len, 0, 0, 0, 0, 0};

    FUZZ_CHECK(w.n >= 5 && w.b[0] == 0x1B && w.b[1] == '@' && w.b[2] == 0x1B &&
               w.b[3] == 't');
    while (w.i < w.n) {
        unsigned c = w.b[w.i];
        FUZZ_CHECK(!w.end); /* nothing after the cut or tear feed */
        if (c == 0x1B) {
            w.i += esc(&w);
        } else if (c == 0x1D) {
            w.i += gs(&w);
        } else if (c == '\n') {
            w.line = 0;
            w.i++;
        } else {
            FUZZ_CHECK(c >= 0x20 && c != 0x7F);
            FUZZ_CHECK(++w.line <= columns(&w));
            w.i++;
        }
    }
    FUZZ_CHECK(w.end && w.qr);
}

/* A fixed receipt: two needs with resources, Spanish, a QR code. */
static void check_print(const printer_profile *p)
{
    static const int needs[] = {0, 1};
    sg_resource res[2];
    receipt_input in;
    receipt_model m;
    sg_buf job;

    memset(res, 0, sizeof res);
    res[0].domain = 0;
    snprintf(res[0].name, sizeof res[0].name, "Despensa de alimentos San José");
    snprintf(res[0].phone, sizeof res[0].phone, "(217) 555-0131");
    snprintf(res[0].address, sizeof res[0].address, "1 Main St, Riverton, IL 62999");
    snprintf(res[0].hours, sizeof res[0].hours, "Abierto hasta las 17:00");
    res[1].domain = 1;
    snprintf(res[1].name, sizeof res[1].name, "Refugio familiar «La Casa» – niños €");
    snprintf(res[1].ask_for, sizeof res[1].ask_for, "Pregunte por Ana Núñez");
    in = (receipt_input){.clinic_name = "Clínica Riverton",
                         .clinic_phone = "(217) 555-0100",
                         .date = "1 de mayo de 2024",
                         .lang = "es",
                         .inst = instrument(),
                         .needs = needs,
                         .nneeds = 2,
                         .resources = res,
                         .nresources = 2,
                         .qr_payload = "https://211.example.org/r?s=svc-1,svc-2&l=es",
                         .footer = "Gracias"};
    FUZZ_CHECK(receipt_layout(&in, p, &m) == SG_OK);
    sg_buf_init(&job, 1u << 20);
    FUZZ_CHECK(escpos_encode(&m, p, &job) == SG_OK);
    walk(p, &job);
    sg_buf_free(&job);
    receipt_model_free(&m);
}

/* The names the file lists (its own parse), up to MAX_NAMES - 2, then a
 * bundled one and one no file has.  *well_formed: format and array right. */
static size_t names_of(const char *path, const char **names, json_t **root,
                       int *well_formed)
{
    json_t *list, *v;
    const char *format;
    size_t i, n = 0;

    *root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
    format = json_string_value(json_object_get(*root, "format"));
    list = json_object_get(*root, "profiles");
    *well_formed =
        format && !strcmp(format, "signpost-printers/1") && json_is_array(list);
    json_array_foreach(list, i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        if (name && n < MAX_NAMES - 2)
            names[n++] = name;
    }
    names[n++] = "generic-58";
    names[n++] = "no-such-printer";
    return n;
}

static int listed(const json_t *root, const char *name)
{
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(root, "profiles"), i, v) {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && !strcmp(n, name))
            return 1;
    }
    return 0;
}

static void check_name(const char *path, const char *name, const json_t *root, int well)
{
    printer_profile p, again;
    char err[1024], err2[1024];
    sg_rc rc = printer_profile_load(path, name, &p, err, sizeof err);

    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL || rc == SG_ENOTFOUND);
    if (rc == SG_ENOTFOUND)
        FUZZ_CHECK(well && !listed(root, name) &&
                   strstr(err, "no printer profile named"));
    if (rc != SG_OK) {
        FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0);
        return;
    }
    FUZZ_CHECK(err[0] == '\0' && well && listed(root, name));
    check_fields(&p, name);
    memset(&again, 0xA5, sizeof again);
    FUZZ_CHECK(printer_profile_load(path, name, &again, err2, sizeof err2) == SG_OK);
    FUZZ_CHECK(memcmp(&p, &again, sizeof p) == 0);
    check_print(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *names[MAX_NAMES];
    char path[300];
    json_t *root;
    int well;
    size_t n;

    if (size > 16 * 1024)
        return 0;
    fuzz_write("in.json", data, size, path, sizeof path);
    n = names_of(path, names, &root, &well);
    for (size_t i = 0; i < n; i++)
        check_name(path, names[i], root, well);
    json_decref(root);
    return 0;
}
