/*
 * Fuzzes what an SMS gateway can send the staff listener: the form body
 * of a Twilio webhook (form_parse in src/util/url.c), the X-Twilio-Signature
 * check, Twilio's inbound and status forms and Kannel's get-url and dlr-url
 * parameters (src/sms/gw_twilio_hooks.c, gw_kannel.c).
 *
 * The input is four parts split at '\n': auth token, URL, signature, body.
 *
 * Invariants:
 *  - a parsed form, written back with url_escape(), parses to the same
 *    pairs (decoding is exact and nothing is lost or invented);
 *  - a signature made with gw_twilio_sign() is accepted, the same with one
 *    character changed is not, and the input's own signature is accepted
 *    exactly when it equals the computed one;
 *  - the parsed messages' strings are terminated inside their arrays, a
 *    body is a prefix of what was sent, and status words and "final" agree.
 */
#include <string.h>

#include "fuzz_common.h"
#include "signpost/buf.h"
#include "signpost/sms_gateway.h"
#include "signpost/url.h"

#define SIG_LEN 29 /* base64 of 20 bytes, and a NUL */

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static void check_round_trip(const form_data *f)
{
    sg_buf text;
    form_data again;
    char esc[3 * 4096 + 1];

    sg_buf_init(&text, 1u << 20);
    for (size_t i = 0; i < f->n; i++) {
        if (i)
            FUZZ_CHECK(sg_buf_adds(&text, "&") == SG_OK);
        FUZZ_CHECK(url_escape(f->p[i].name, esc, sizeof esc) == SG_OK);
        FUZZ_CHECK(sg_buf_adds(&text, esc) == SG_OK);
        FUZZ_CHECK(sg_buf_adds(&text, "=") == SG_OK);
        FUZZ_CHECK(url_escape(f->p[i].value, esc, sizeof esc) == SG_OK);
        FUZZ_CHECK(sg_buf_adds(&text, esc) == SG_OK);
    }
    FUZZ_CHECK(form_parse(text.data ? text.data : "", text.len, &again) == SG_OK);
    /* A pair with an empty name and value ("=") is written as "=" and comes
     * back; only pairs strtok would drop ("" between "&&") never existed. */
    FUZZ_CHECK(again.n == f->n);
    for (size_t i = 0; i < f->n; i++) {
        FUZZ_CHECK(strcmp(again.p[i].name, f->p[i].name) == 0);
        FUZZ_CHECK(strcmp(again.p[i].value, f->p[i].value) == 0);
    }
    form_free(&again);
    sg_buf_free(&text);
}

static void check_signature(const char *token, const char *url, const gw_param *p, size_t n,
                            const char *given)
{
    char sig[SIG_LEN];

    if (!*token) {
        FUZZ_CHECK(!gw_twilio_signature_ok(token, url, p, n, given));
        return;
    }
    FUZZ_CHECK(gw_twilio_sign(token, url, p, n, sig, sizeof sig) == SG_OK);
    FUZZ_CHECK(strlen(sig) == SIG_LEN - 1);
    FUZZ_CHECK(gw_twilio_signature_ok(token, url, p, n, sig));
    FUZZ_CHECK(gw_twilio_signature_ok(token, url, p, n, given) == !strcmp(given, sig));
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    FUZZ_CHECK(!gw_twilio_signature_ok(token, url, p, n, sig));
}

static void check_inbound(const gw_inbound *in, const gw_param *p, size_t n, const char *key)
{
    FUZZ_CHECK(terminated(in->message_id, sizeof in->message_id));
    FUZZ_CHECK(terminated(in->from, sizeof in->from));
    FUZZ_CHECK(terminated(in->to, sizeof in->to));
    FUZZ_CHECK(terminated(in->body, sizeof in->body));
    for (size_t i = 0; i < n; i++)
        if (!strcmp(p[i].name, key)) {
            FUZZ_CHECK(strncmp(p[i].value, in->body, strlen(in->body)) == 0);
            break;
        }
}

static void check_twilio(const gw_param *p, size_t n)
{
    gw_inbound in;
    gw_status st;
    char err[160];

    err[0] = '\0';
    if (gw_twilio_parse_inbound(p, n, &in, err, sizeof err) == SG_OK)
        check_inbound(&in, p, n, "Body");
    else
        FUZZ_CHECK(err[0] != '\0');
    err[0] = '\0';
    if (gw_twilio_parse_status(p, n, &st, err, sizeof err) == SG_OK) {
        int final = !strcmp(st.status, "delivered") || !strcmp(st.status, "undelivered") ||
                    !strcmp(st.status, "failed") || !strcmp(st.status, "read") ||
                    !strcmp(st.status, "canceled");
        FUZZ_CHECK(st.final == final);
        FUZZ_CHECK(st.error_code >= 0 && st.error_code <= 999999);
        FUZZ_CHECK(terminated(st.message_id, sizeof st.message_id));
    } else {
        FUZZ_CHECK(err[0] != '\0');
    }
}

static void check_kannel(const gw_param *p, size_t n)
{
    gw_inbound in;
    gw_status st;
    char err[160];

    err[0] = '\0';
    if (gw_kannel_parse_inbound(p, n, &in, err, sizeof err) == SG_OK) {
        check_inbound(&in, p, n, "text");
        FUZZ_CHECK(in.received >= 0);
    } else {
        FUZZ_CHECK(err[0] != '\0');
    }
    err[0] = '\0';
    if (gw_kannel_parse_dlr(p, n, &st, err, sizeof err) == SG_OK) {
        FUZZ_CHECK(!strcmp(st.status, "delivered") || !strcmp(st.status, "failed") ||
                   !strcmp(st.status, "sent") || !strcmp(st.status, "queued"));
        FUZZ_CHECK(st.final == (!strcmp(st.status, "delivered") || !strcmp(st.status, "failed")));
        FUZZ_CHECK(terminated(st.outbox_id, sizeof st.outbox_id));
    } else {
        FUZZ_CHECK(err[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[4];
    char *buf;
    form_data f;
    gw_param p[FORM_MAX_PARAMS];
    const uint8_t *body = data;
    size_t blen = size;

    if (size > 4096) /* the escaped copy in check_round_trip() is sized for this */
        return 0;
    fuzz_split(data, size, '\n', &buf, part, 4);
    /* The body is everything after the third '\n', NULs and all. */
    for (int k = 0; k < 3; k++) {
        const uint8_t *nl = memchr(body, '\n', blen);
        blen = nl ? blen - (size_t)(nl + 1 - body) : 0;
        body = nl ? nl + 1 : data + size;
    }
    if (form_parse((const char *)body, blen, &f) == SG_OK) {
        FUZZ_CHECK(f.n <= FORM_MAX_PARAMS);
        check_round_trip(&f);
        for (size_t i = 0; i < f.n; i++)
            p[i] = (gw_param){f.p[i].name, f.p[i].value};
        check_signature(part[0], part[1], p, f.n, part[2]);
        check_twilio(p, f.n);
        check_kannel(p, f.n);
        form_free(&f);
    }
    free(buf);
    return 0;
}
