/*
 * The ESC/POS encoder: the reset and code page at the start of every job,
 * one style or alignment command per change, native QR framing (pL/pH
 * included), raster QR bands that zbarimg decodes to the exact payload,
 * cut or tear feed by profile, the byte budget of a typical receipt,
 * control characters kept out, and a full buffer left as it was.
 */
#include <sys/stat.h>
#include "test_receipt_fixture.h"
#include "signpost/escpos.h"


/* Lays out and encodes in for p into out (cap 64 KB). */
static void encode(const receipt_input *in, const printer_profile *p, sg_buf *out)
{
    receipt_model m;
    sg_buf_init(out, 1 << 16);
    assert_int_equal(receipt_layout(in, p, &m), SG_OK);
    assert_int_equal(escpos_encode(&m, p, out), SG_OK);
    receipt_model_free(&m);
}

static const unsigned char *find(const sg_buf *b, const void *what, size_t n)
{
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, what, n) == 0)
            return (const unsigned char *)b->data + i;
    return NULL;
}

static void job_starts_with_reset_and_codepage(void **state)
{
    static const char *const names[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
    fixture f;
    (void)state;
    fixture_init(&f, inst);
    for (size_t k = 0; k < 4; k++) {
        printer_profile p = fixture_profile(names[k]);
        const unsigned char init[] = {0x1B, 0x40, 0x1B, 0x74, (unsigned char)p.codepage_esc_t,
                                      /* clinic name: centred, bold + double height */
                                      0x1B, 0x61, 0x01, 0x1B, 0x21, 0x18, 'C', 'l', 0xA1};
        sg_buf b;
        encode(&f.in, &p, &b);
        assert_memory_equal(b.data, init, sizeof init);
        sg_buf_free(&b);
    }
}

/* A hand-made model: exact bytes, and escape codes in text stay text. */
static void exact_bytes_for_a_small_model(void **state)
{
    printer_profile p = fixture_profile("generic-58");
    char t0[] = "\x1b@x", t1[] = "", t2[] = "B", t3[] = "c";
    receipt_line lines[] = {{RECEIPT_TEXT, 0, t0, 0},
                            {RECEIPT_TEXT, RECEIPT_CENTER, t1, 0},
                            {RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_SMALL | RECEIPT_WIDE, t2, 0},
                            {RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_SMALL | RECEIPT_WIDE, t3, 0}};
    receipt_model m = {lines, 4, 4, 32, 1};
    const unsigned char want[] = {0x1B, 0x40, 0x1B, 0x74, 0x02, '?', '@', 'x', 0x0A,
                                  0x0A, /* blank line: no alignment command */
                                  0x1B, 0x21, 0x29, 'B', 0x0A, 'c', 0x0A,
                                  0x1B, 0x64, ESCPOS_TEAR_FEED_LINES};
    sg_buf b;
    (void)state;
    sg_buf_init(&b, 1024);
    assert_int_equal(escpos_encode(&m, &p, &b), SG_OK);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    sg_buf_free(&b);
}

static void native_qr_commands(void **state)
{
    printer_profile p = fixture_profile("tm-t20");
    fixture f;
    sg_buf b;
    char payload[301];
    const unsigned char *at;
    const unsigned char head[] = {
        0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, /* model 2 */
        0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,       /* 6 dots per module */
        0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,       /* level M */
        0x1D, 0x28, 0x6B, sizeof FIXTURE_PAYLOAD - 1 + 3, 0x00, 0x31, 0x50, 0x30};
    const unsigned char print[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30};
    const unsigned char store_long[] = {0x1D, 0x28, 0x6B, (300 + 3) & 0xFF, (300 + 3) >> 8,
                                        0x31, 0x50, 0x30};
    (void)state;
    fixture_init(&f, inst);
    encode(&f.in, &p, &b);
    at = find(&b, head, sizeof head);
    assert_non_null(at);
    at += sizeof head;
    assert_memory_equal(at, FIXTURE_PAYLOAD, sizeof FIXTURE_PAYLOAD - 1);
    assert_memory_equal(at + sizeof FIXTURE_PAYLOAD - 1, print, sizeof print);
    /* Centred: the last alignment command before the symbol says so. */
    assert_non_null(find(&b, "\x1b" "a\x01", 3));
    assert_null(find(&b, "\x1dv0", 3));
    sg_buf_free(&b);
    /* Above 252 bytes the length needs its high byte. */
    memset(payload, 'A', 300);
    payload[300] = '\0';
    f.in.qr_payload = payload;
    encode(&f.in, &p, &b);
    at = find(&b, store_long, sizeof store_long);
    assert_non_null(at);
    assert_memory_equal(at + sizeof store_long, payload, 300);
    assert_memory_equal(at + sizeof store_long + 300, print, sizeof print);
    sg_buf_free(&b);
}

typedef struct {
    unsigned char *img; /* rows of width bytes, as GS v 0 sends them */
    int width, height;  /* bytes per row, rows */
    int margin;         /* dots of quiet zone the printer feeds */
    int nbands;
} raster;

/* Collects the GS v 0 bands of b, checking the ESC J feeds around them. */
static raster read_bands(const sg_buf *b, int max_rows)
{
    const unsigned char *d = (const unsigned char *)b->data, *at = find(b, "\x1dv0", 3);
    raster r = {NULL, 0, 0, 0, 0};
    size_t pos;

    assert_non_null(at);
    pos = (size_t)(at - d);
    assert_true(pos >= 3 && d[pos - 3] == 0x1B && d[pos - 2] == 'J');
    r.margin = d[pos - 1];
    while (pos + 8 <= b->len && !memcmp(d + pos, "\x1dv0", 3)) {
        int x = d[pos + 4] | d[pos + 5] << 8, y = d[pos + 6] | d[pos + 7] << 8;
        size_t n = (size_t)x * (size_t)y;
        assert_int_equal(d[pos + 3], 0);
        assert_true(y >= 1 && y <= max_rows);
        assert_true(r.width == 0 || r.width == x);
        assert_true(pos + 8 + n <= b->len);
        r.width = x;
        r.img = realloc(r.img, (size_t)r.width * (size_t)r.height + n);
        memcpy(r.img + (size_t)r.width * (size_t)r.height, d + pos + 8, n);
        r.height += y;
        pos += 8 + n;
        r.nbands++;
    }
    assert_memory_equal(d + pos, "\x1bJ", 2);
    assert_int_equal(d[pos + 2], r.margin);
    return r;
}

/* Writes the image as PBM (P4) with the blank paper around it drawn white. */
static void write_pbm(const char *path, const raster *r)
{
    int w = r->width * 8 + 2 * r->margin, h = r->height + 2 * r->margin, rowb = (w + 7) / 8;
    unsigned char *row = malloc((size_t)rowb);
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    fprintf(f, "P4\n%d %d\n", w, h);
    for (int y = 0; y < h; y++) {
        int iy = y - r->margin;
        memset(row, 0, (size_t)rowb);
        for (int x = 0; iy >= 0 && iy < r->height && x < r->width * 8; x++)
            if (r->img[(size_t)iy * (size_t)r->width + (size_t)(x / 8)] & (0x80 >> (x % 8)))
                row[(x + r->margin) / 8] |= (unsigned char)(0x80 >> ((x + r->margin) % 8));
        fwrite(row, 1, (size_t)rowb, f);
    }
    fclose(f);
    free(row);
}

static void zbar_decodes(const char *profile, const char *payload, int min_bands)
{
    printer_profile p = fixture_profile(profile);
    fixture f;
    sg_buf b;
    char path[] = "/tmp/signpost-qr-XXXXXX", cmd[128], got[2048] = "", want[2048];
    raster r;
    int fd;
    FILE *z;

    fixture_init(&f, inst);
    f.in.qr_payload = payload;
    encode(&f.in, &p, &b);
    assert_null(find(&b, "\x1d(k", 3));
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    r = read_bands(&b, p.max_raster_rows);
    assert_true(r.nbands >= min_bands);
    write_pbm(path, &r);
    free(r.img);
    snprintf(cmd, sizeof cmd, "zbarimg --nodbus --raw -q %s", path);
    z = popen(cmd, "r");
    assert_non_null(z);
    got[fread(got, 1, sizeof got - 1, z)] = '\0';
    assert_int_equal(pclose(z), 0);
    snprintf(want, sizeof want, "%s\n", payload);
    assert_string_equal(got, want);
    unlink(path);
    sg_buf_free(&b);
}

static void raster_qr_decodes_with_zbarimg(void **state)
{
    char long_payload[701];
    (void)state;
    if (system("command -v zbarimg >/dev/null 2>&1") != 0) {
        print_message("zbarimg not found (Debian: apt-get install zbar-tools); "
                      "skipping the raster QR decode test\n");
        skip();
    }
    zbar_decodes("generic-58", FIXTURE_PAYLOAD, 1);
    zbar_decodes("csn-a2", FIXTURE_PAYLOAD, 4); /* 24-row bands */
    zbar_decodes("generic-58", "tel:+12175550100", 1);
    /* Large enough that 4-dot modules would not fit 384 dots: shrinks to fit. */
    for (int i = 0; i < 700; i++)
        long_payload[i] = "https://example.org/abcdefghijklmnopqrstuvwxyz0123456789"[i % 56];
    long_payload[700] = '\0';
    zbar_decodes("generic-58", long_payload, 2);
}

static void cut_or_tear(void **state)
{
    static const char *const names[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
    fixture f;
    (void)state;
    fixture_init(&f, inst);
    for (size_t k = 0; k < 4; k++) {
        printer_profile p = fixture_profile(names[k]);
        sg_buf b;
        encode(&f.in, &p, &b);
        if (p.cutter)
            assert_memory_equal(b.data + b.len - 4, "\x1dV\x42\x00", 4);
        else
            assert_memory_equal(b.data + b.len - 3, "\x1b" "d\x04", 3);
        sg_buf_free(&b);
    }
}

/* The budget: a typical native-QR receipt under 1.5 KB. */
static void typical_receipt_budget(void **state)
{
    static const char *const names[] = {"generic-58", "csn-a2", "tm-t20", "tm-t88"};
    fixture f;
    (void)state;
    fixture_init(&f, inst);
    for (size_t k = 0; k < 4; k++) {
        printer_profile p = fixture_profile(names[k]);
        sg_buf b;
        encode(&f.in, &p, &b);
        print_message("%-10s %5zu bytes (%s QR)\n", names[k], b.len,
                      p.native_qr ? "native" : "raster");
        if (p.native_qr)
            assert_true(b.len < 1500);
        sg_buf_free(&b);
    }
}

static void full_buffer_is_left_as_it_was(void **state)
{
    printer_profile p = fixture_profile("generic-58");
    fixture f;
    receipt_model m;
    sg_buf b;
    (void)state;
    fixture_init(&f, inst);
    assert_int_equal(receipt_layout(&f.in, &p, &m), SG_OK);
    sg_buf_init(&b, 2000); /* the text fits, the raster QR does not */
    assert_int_equal(sg_buf_adds(&b, "abc"), SG_OK);
    assert_int_equal(escpos_encode(&m, &p, &b), SG_ETOOBIG);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    sg_buf_free(&b);
    /* A QR code that cannot fit the paper even at one dot per module. */
    p.dots_per_line = 32; /* below what a profile may say, to reach the check */
    sg_buf_init(&b, 1 << 16);
    assert_int_equal(escpos_encode(&m, &p, &b), SG_ETOOBIG);
    assert_int_equal(b.len, 0);
    sg_buf_free(&b);
    receipt_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(job_starts_with_reset_and_codepage),
        cmocka_unit_test(exact_bytes_for_a_small_model),
        cmocka_unit_test(native_qr_commands),
        cmocka_unit_test(raster_qr_decodes_with_zbarimg),
        cmocka_unit_test(cut_or_tear),
        cmocka_unit_test(typical_receipt_budget),
        cmocka_unit_test(full_buffer_is_left_as_it_was),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
