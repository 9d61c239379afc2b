/*
 * Twilio's webhooks, pure: the X-Twilio-Signature (HMAC-SHA1 over the URL
 * and the sorted parameters, compared in constant time) and the two forms
 * Twilio posts, an inbound message and a status callback.  Nothing here
 * touches the network; the staff listener calls it with a decoded form.
 */
#include <assert.h>
#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_internal.h"

/* ---- Webhooks (pure) --------------------------------------------------------- */

#define SIGNED_CAP (256u * 1024)
#define SHA1_LEN 20

static int by_name_value(const void *a, const void *b)
{
    const gw_param *x = *(const gw_param *const *)a, *y = *(const gw_param *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value ? x->value : "", y->value ? y->value : "");
}

/* url, then each name and its value, sorted by name (byte order). */
static sg_rc signed_data(const char *url, const gw_param *p, size_t np, sg_buf *b)
{
    const gw_param **order = np ? calloc(np, sizeof *order) : NULL;
    sg_rc rc = np && !order ? SG_ENOMEM : sg_buf_adds(b, url);

    for (size_t i = 0; !rc && i < np; i++)
        order[i] = &p[i];
    if (!rc && np)
        qsort(order, np, sizeof *order, by_name_value);
    for (size_t i = 0; !rc && i < np; i++) {
        rc = sg_buf_adds(b, order[i]->name);
        if (!rc && order[i]->value)
            rc = sg_buf_adds(b, order[i]->value);
    }
    free(order);
    return rc;
}

sg_rc gw_twilio_sign(const char *auth_token, const char *url, const gw_param *p,
                     size_t np, char *out, size_t outlen)
{
    unsigned char mac[SHA1_LEN];
    sg_buf data;
    sg_rc rc;

    assert(auth_token && url && (p || !np) && out);
    sg_buf_init(&data, SIGNED_CAP);
    if (outlen < sodium_base64_ENCODED_LEN(SHA1_LEN, sodium_base64_VARIANT_ORIGINAL)) {
        rc = SG_ETOOBIG;
        goto out;
    }
    if ((rc = signed_data(url, p, np, &data)))
        goto out;
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA1, auth_token, strlen(auth_token), data.data,
                         data.len, mac) != 0) {
        rc = SG_EINVAL;
        goto out;
    }
    sodium_bin2base64(out, outlen, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
out:
    sg_buf_free(&data);
    return rc;
}

int gw_twilio_signature_ok(const char *auth_token, const char *url, const gw_param *p,
                           size_t np, const char *signature)
{
    char want[sodium_base64_ENCODED_LEN(SHA1_LEN, sodium_base64_VARIANT_ORIGINAL)];
    size_t n = sizeof want - 1;

    if (!signature || !auth_token || !*auth_token || strlen(signature) != n)
        return 0;
    if (gw_twilio_sign(auth_token, url, p, np, want, sizeof want))
        return 0;
    /* The length is no secret; the bytes are compared in constant time. */
    return sodium_memcmp(want, signature, n) == 0;
}

sg_rc gw_twilio_parse_inbound(const gw_param *p, size_t np, gw_inbound *in, char *err,
                              size_t errlen)
{
    const char *body = gw_param_get(p, np, "Body");
    sg_rc rc;

    assert((p || !np) && in && err);
    memset(in, 0, sizeof *in);
    if ((rc = gw_take_param(p, np, "MessageSid", in->message_id, sizeof in->message_id,
                            err, errlen)) ||
        (rc = gw_take_param(p, np, "From", in->from, sizeof in->from, err, errlen)) ||
        (rc = gw_take_param(p, np, "To", in->to, sizeof in->to, err, errlen)))
        return rc;
    if (!body) {
        snprintf(err, errlen, "Body is missing");
        return SG_EINVAL;
    }
    /* Twilio's limit is 1600 characters, ours 1600 bytes: a longer reply
     * is kept cut, which is enough to read it. */
    gw_copy(in->body, sizeof in->body, body);
    return SG_OK;
}

static const char *const final_statuses[] = {"delivered", "undelivered", "failed",
                                             "read",      "canceled",    NULL};

sg_rc gw_twilio_parse_status(const gw_param *p, size_t np, gw_status *st, char *err,
                             size_t errlen)
{
    const char *code;
    long n = 0;
    sg_rc rc;

    assert((p || !np) && st && err);
    memset(st, 0, sizeof *st);
    if ((rc = gw_take_param(p, np, "MessageSid", st->message_id, sizeof st->message_id,
                            err, errlen)) ||
        (rc = gw_take_param(p, np, "MessageStatus", st->status, sizeof st->status, err,
                            errlen)))
        return rc;
    code = gw_param_get(p, np, "ErrorCode");
    if (code && *code && gw_parse_int(code, 0, 999999, &n)) {
        snprintf(err, errlen, "ErrorCode is not a number");
        return SG_EINVAL;
    }
    st->error_code = (int)n;
    for (size_t i = 0; final_statuses[i]; i++)
        if (strcmp(st->status, final_statuses[i]) == 0)
            st->final = 1;
    return SG_OK;
}
