/*
 * Word-wrapping for the receipt (see codepage.h).  Greedy, like a person
 * writing on a narrow slip: put the next word on the line if it fits,
 * otherwise start a new line.  Widths come from the same glyph iterator
 * and character map that the converter uses, so what is measured here is
 * exactly what is printed.
 *
 * The one exception to breaking at spaces is a phone number: "(217)
 * 555-0101" split over two lines is easy to misdial, so a run of
 * number-like words with at least seven digits in all moves to the next
 * line as a whole when it can fit on one line.
 */
#include <assert.h>
#include <string.h>

#include "signpost/codepage.h"
#include "receipt_internal.h"

#define PHONE_MIN_DIGITS 7

typedef struct {
    const char *s;
    size_t n, cols;
    codepage page;
    text_line_fn emit;
    void *ctx;
    int have_line;
    size_t line_start, line_end, line_w;
} wrapper;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static size_t word_end(const wrapper *w, size_t i)
{
    while (i < w->n && !is_blank(w->s[i]) && w->s[i] != '\n')
        i++;
    return i;
}

/* A word made only of digits and phone punctuation, with at least one digit. */
static int phone_word(const char *s, size_t len, size_t *digits)
{
    size_t d = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            d++;
        else if (!(s[i] == '+' || s[i] == '-' || s[i] == '(' || s[i] == ')' ||
                   s[i] == '.' || s[i] == ',' || s[i] == '/' || s[i] == ';' ||
                   s[i] == ':'))
            return 0;
    }
    *digits = d;
    return d > 0;
}

/* The end of the unit that starts at i: a word, or a whole phone number. */
static size_t unit_end(const wrapper *w, size_t i)
{
    size_t end = word_end(w, i), e = end, digits = 0, total;

    if (!phone_word(w->s + i, end - i, &digits))
        return end;
    total = digits;
    while (e + 1 < w->n && w->s[e] == ' ' && !is_blank(w->s[e + 1]) &&
           w->s[e + 1] != '\n') {
        size_t next = word_end(w, e + 1);
        if (!phone_word(w->s + e + 1, next - e - 1, &digits))
            break;
        total += digits;
        e = next;
    }
    if (e > end && total >= PHONE_MIN_DIGITS &&
        codepage_width(w->page, w->s + i, e - i) <= w->cols)
        return e;
    return end;
}

static sg_rc flush(wrapper *w)
{
    if (!w->have_line)
        return SG_OK;
    w->have_line = 0;
    return w->emit(w->ctx, w->s + w->line_start, w->line_end - w->line_start);
}

static void open_line(wrapper *w, size_t start, size_t end, size_t width)
{
    w->have_line = 1;
    w->line_start = start;
    w->line_end = end;
    w->line_w = width;
}

/* Cuts a word wider than a line between glyphs; its tail stays open. */
static sg_rc split_long(wrapper *w, size_t i, size_t end)
{
    size_t start = i, width = 0;
    uint32_t cp;
    sg_rc rc;

    while (i < end) {
        size_t len = receipt_next_glyph(w->s + i, end - i, &cp);
        size_t cw = receipt_char_width(w->page, cp);
        if (width + cw > w->cols && i > start) {
            if ((rc = w->emit(w->ctx, w->s + start, i - start)))
                return rc;
            start = i;
            width = 0;
        }
        width += cw;
        i += len;
    }
    open_line(w, start, end, width);
    return SG_OK;
}

sg_rc text_wrap(const char *utf8, size_t cols, codepage page, text_line_fn emit,
                void *ctx)
{
    wrapper w = {utf8, 0, cols, page, emit, ctx, 0, 0, 0, 0};
    size_t i = 0;
    sg_rc rc;

    assert(cols > 0 && emit);
    w.n = utf8 ? strlen(utf8) : 0;
    while (i < w.n) {
        size_t end, width;
        if (utf8[i] == '\n' || is_blank(utf8[i])) {
            if (utf8[i++] == '\n' && (rc = flush(&w)))
                return rc;
            continue;
        }
        end = unit_end(&w, i);
        width = codepage_width(page, utf8 + i, end - i);
        if (w.have_line) {
            size_t gap = codepage_width(page, utf8 + w.line_end, i - w.line_end);
            if (w.line_w + gap + width <= cols) {
                w.line_end = end;
                w.line_w += gap + width;
                i = end;
                continue;
            }
            if ((rc = flush(&w)))
                return rc;
        }
        if (width <= cols)
            open_line(&w, i, end, width);
        else if ((rc = split_long(&w, i, end)))
            return rc;
        i = end;
    }
    return flush(&w);
}
