/*
 * The staff listener's TLS material: a first start makes a self-signed pair
 * in the state directory with the promised properties, a second start loads
 * the same one, bad, missing, mismatched or half-configured files are
 * refused with a message naming the file, and the generated certificate
 * really works: libmicrohttpd serves it and libcurl, verifying the peer and
 * the host name, accepts it.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "signpost/tls.h"

/* ---- temporary state directories ---- */

static void new_dir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/signpost-tls-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX];

    if (!d)
        return;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < len);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Each test gets a fresh state directory with a generated pair in it. */
typedef struct {
    char dir[64];
    char cert[PATH_MAX], key[PATH_MAX];
    tls_material m;
} fixture;

static int setup_pair(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char err[512];

    assert_non_null(f);
    new_dir(f->dir, sizeof f->dir);
    path_in(f->cert, sizeof f->cert, f->dir, "staff-tls.crt");
    path_in(f->key, sizeof f->key, f->dir, "staff-tls.key");
    if (tls_load_or_create(NULL, NULL, f->dir, &f->m, err, sizeof err) != SG_OK)
        fail_msg("generating: %s", err);
    *state = f;
    return 0;
}

static int teardown_pair(void **state)
{
    fixture *f = *state;
    tls_material_free(&f->m);
    rm_dir(f->dir);
    free(f);
    return 0;
}

/* The host name as generation treats it: used only when it is a plain DNS name. */
static int plain_host_name(char *host, size_t len)
{
    if (gethostname(host, len - 1) != 0)
        return 0;
    host[len - 1] = '\0';
    if (!*host || strcmp(host, "localhost") == 0)
        return 0;
    for (const char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return 0;
    return host[0] != '-' && host[0] != '.';
}

/* ---- generation and reloading ---- */

static void generates_then_reloads(void **state)
{
    fixture *f = *state;
    tls_material again = {0};
    struct stat st;
    char err[512];
    time_t now = time(NULL);

    assert_int_equal(f->m.generated, 1);
    assert_non_null(f->m.cert_pem);
    assert_non_null(f->m.key_pem);
    assert_non_null(strstr(f->m.cert_pem, "-----BEGIN CERTIFICATE-----"));
    assert_non_null(strstr(f->m.key_pem, "PRIVATE KEY-----"));
    assert_int_equal(strlen(f->m.fingerprint), 95);

    assert_int_equal(stat(f->key, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(stat(f->cert, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(count_entries(f->dir), 2); /* no temporary file left behind */

    /* Valid for 825 days from (an hour before) now. */
    int days = tls_days_left(&f->m, now);
    assert_in_range(days, 823, 825);

    assert_int_equal(tls_load_or_create("", "", f->dir, &again, err, sizeof err), SG_OK);
    assert_int_equal(again.generated, 0);
    assert_string_equal(again.fingerprint, f->m.fingerprint);
    assert_string_equal(again.cert_pem, f->m.cert_pem);
    assert_string_equal(again.key_pem, f->m.key_pem);
    assert_true(again.not_after == f->m.not_after);
    tls_material_free(&again);

    /* Free accepts a freed (zeroed) struct and NULL. */
    assert_null(again.cert_pem);
    tls_material_free(&again);
    tls_material_free(NULL);
}

static void explicit_paths_load(void **state)
{
    fixture *f = *state;
    tls_material m = {0};
    char err[512];

    assert_int_equal(tls_load_or_create(f->cert, f->key, NULL, &m, err, sizeof err),
                     SG_OK);
    assert_int_equal(m.generated, 0);
    assert_string_equal(err, "");
    assert_string_equal(m.fingerprint, f->m.fingerprint);
    tls_material_free(&m);
}

/* The fingerprint equals GnuTLS's own, and the certificate says what it should. */
static void certificate_properties(void **state)
{
    fixture *f = *state;
    gnutls_x509_crt_t crt;
    gnutls_datum_t d = {(unsigned char *)f->m.cert_pem,
                        (unsigned int)strlen(f->m.cert_pem)};
    unsigned char fp[32], buf[256];
    size_t size = sizeof fp;
    char hex[96], host[256];
    unsigned int critical = 0, ca = 99, usage = 0, bits = 0;
    int pathlen = 0;
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    unsigned int status = 99;

    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);

    assert_int_equal(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &size),
                     0);
    assert_int_equal(size, 32);
    for (size_t i = 0; i < size; i++)
        snprintf(hex + 3 * i, sizeof hex - 3 * i, i + 1 < size ? "%02X:" : "%02X", fp[i]);
    assert_string_equal(hex, f->m.fingerprint);
    assert_true(gnutls_x509_crt_get_expiration_time(crt) == f->m.not_after);

    assert_int_equal(gnutls_x509_crt_get_version(crt), 3);
    size = sizeof buf;
    assert_int_equal(
        gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size),
        0);
    assert_string_equal((char *)buf, "signpost staff console");
    size = sizeof buf;
    assert_int_equal(gnutls_x509_crt_get_serial(crt, buf, &size), 0);
    assert_int_equal(size, 16);
    assert_true(buf[0] < 0x80); /* a positive INTEGER */
    assert_true(gnutls_x509_crt_get_expiration_time(crt) -
                    gnutls_x509_crt_get_activation_time(crt) ==
                825 * 86400);

    assert_int_equal(gnutls_x509_crt_get_pk_algorithm(crt, &bits), GNUTLS_PK_ECDSA);
    assert_int_equal(gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, NULL, NULL), 0);
    assert_int_equal(curve, GNUTLS_ECC_CURVE_SECP256R1);

    assert_int_equal(gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, &pathlen),
                     0);
    assert_int_equal(ca, 0);
    assert_int_equal(gnutls_x509_crt_get_key_usage(crt, &usage, &critical), 0);
    assert_int_equal(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);
    size = sizeof buf;
    assert_int_equal(gnutls_x509_crt_get_key_purpose_oid(crt, 0, buf, &size, &critical),
                     0);
    assert_string_equal((char *)buf, GNUTLS_KP_TLS_WWW_SERVER);

    assert_true(gnutls_x509_crt_check_hostname(crt, "localhost"));
    assert_true(gnutls_x509_crt_check_hostname(crt, "127.0.0.1"));
    assert_false(gnutls_x509_crt_check_hostname(crt, "example.org"));
    assert_false(gnutls_x509_crt_check_hostname(crt, "10.0.0.1"));
    if (plain_host_name(host, sizeof host))
        assert_true(gnutls_x509_crt_check_hostname(crt, host));

    /* Self-signed: its own signature checks out against itself. */
    assert_int_equal(gnutls_x509_crt_verify(crt, &crt, 1, 0, &status), 0);
    assert_int_equal(status, 0);
    gnutls_x509_crt_deinit(crt);
}

/* ---- refusals ---- */

static void mismatched_pair_rejected(void **state)
{
    fixture *f = *state;
    tls_material other = {0}, m = {0};
    char dir2[64], key2[PATH_MAX], err[1024];

    new_dir(dir2, sizeof dir2);
    assert_int_equal(tls_load_or_create(NULL, NULL, dir2, &other, err, sizeof err),
                     SG_OK);
    assert_string_not_equal(other.fingerprint, f->m.fingerprint);
    path_in(key2, sizeof key2, dir2, "staff-tls.key");

    assert_int_equal(tls_load_or_create(f->cert, key2, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_key"));
    assert_non_null(strstr(err, key2));
    assert_non_null(strstr(err, "does not match"));
    assert_null(m.cert_pem);
    assert_null(m.key_pem);

    /* The same mix-up inside a state directory is refused too, not regenerated. */
    write_file(f->key, other.key_pem, strlen(other.key_pem));
    assert_int_equal(tls_load_or_create(NULL, NULL, f->dir, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, f->key));

    tls_material_free(&other);
    rm_dir(dir2);
}

static void missing_files_named(void **state)
{
    fixture *f = *state;
    tls_material m = {0};
    char nope[PATH_MAX], err[1024];

    path_in(nope, sizeof nope, f->dir, "no-such.crt");
    assert_int_equal(tls_load_or_create(nope, f->key, NULL, &m, err, sizeof err),
                     SG_ENOTFOUND);
    assert_non_null(strstr(err, "[staff] tls_cert"));
    assert_non_null(strstr(err, nope));

    path_in(nope, sizeof nope, f->dir, "no-such.key");
    assert_int_equal(tls_load_or_create(f->cert, nope, NULL, &m, err, sizeof err),
                     SG_ENOTFOUND);
    assert_non_null(strstr(err, "[staff] tls_key"));
    assert_non_null(strstr(err, nope));

    /* A generated certificate whose key has gone: say so, do not replace it. */
    assert_int_equal(unlink(f->key), 0);
    assert_int_equal(tls_load_or_create(NULL, NULL, f->dir, &m, err, sizeof err),
                     SG_ENOTFOUND);
    assert_non_null(strstr(err, f->key));
    assert_null(m.cert_pem);
}

static void corrupted_pem_rejected(void **state)
{
    fixture *f = *state;
    tls_material m = {0};
    char bad[PATH_MAX], err[1024];
    size_t len = strlen(f->m.cert_pem);
    char *copy = malloc(len + 1);

    assert_non_null(copy);
    path_in(bad, sizeof bad, f->dir, "bad.pem");

    /* A character that is not base64 in the middle of the body. */
    memcpy(copy, f->m.cert_pem, len + 1);
    copy[len / 2] = '*';
    write_file(bad, copy, len);
    assert_int_equal(tls_load_or_create(bad, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, bad));
    assert_null(m.cert_pem);

    /* Cut off half way: no END line. */
    write_file(bad, f->m.cert_pem, len / 2);
    assert_int_equal(tls_load_or_create(bad, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, bad));

    /* Not PEM at all, and a key where the certificate should be. */
    write_file(bad, "hello\n", 6);
    assert_int_equal(tls_load_or_create(bad, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, bad));
    assert_int_equal(tls_load_or_create(f->key, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_cert"));

    /* A broken key, and a certificate where the key should be. */
    write_file(bad, f->m.key_pem, strlen(f->m.key_pem) / 2);
    assert_int_equal(tls_load_or_create(f->cert, bad, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_key"));
    assert_non_null(strstr(err, bad));
    assert_int_equal(tls_load_or_create(f->cert, f->cert, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_key"));

    /* Empty, NUL inside, and far too big. */
    write_file(bad, "", 0);
    assert_int_equal(tls_load_or_create(bad, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, bad));
    memcpy(copy, f->m.cert_pem, len + 1);
    copy[40] = '\0';
    write_file(bad, copy, len);
    assert_int_equal(tls_load_or_create(bad, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    free(copy);
    copy = calloc(1, SG_TLS_PEM_MAX + 1);
    assert_non_null(copy);
    memset(copy, 'A', SG_TLS_PEM_MAX + 1);
    write_file(bad, copy, SG_TLS_PEM_MAX + 1);
    assert_int_equal(tls_load_or_create(bad, f->key, NULL, &m, err, sizeof err),
                     SG_ETOOBIG);
    assert_non_null(strstr(err, bad));
    free(copy);

    /* A directory is not a certificate file. */
    assert_int_equal(tls_load_or_create(f->dir, f->key, NULL, &m, err, sizeof err),
                     SG_EINVAL);
    assert_null(m.cert_pem);
}

static void half_configuration_rejected(void **state)
{
    fixture *f = *state;
    tls_material m = {0};
    char err[512];

    assert_int_equal(tls_load_or_create(f->cert, "", f->dir, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_key"));
    assert_int_equal(tls_load_or_create(f->cert, NULL, f->dir, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_key"));
    assert_int_equal(tls_load_or_create(NULL, f->key, f->dir, &m, err, sizeof err),
                     SG_EINVAL);
    assert_non_null(strstr(err, "[staff] tls_cert"));
    /* Neither set and nowhere to keep a pair. */
    assert_int_equal(tls_load_or_create(NULL, NULL, "", &m, err, sizeof err), SG_EINVAL);
    assert_null(m.cert_pem);
}

/* An interrupted first start leaves a key without a certificate: start over. */
static void orphan_key_replaced(void **state)
{
    fixture *f = *state;
    tls_material m = {0};
    char err[512];

    assert_int_equal(unlink(f->cert), 0);
    assert_int_equal(tls_load_or_create(NULL, NULL, f->dir, &m, err, sizeof err), SG_OK);
    assert_int_equal(m.generated, 1);
    assert_string_not_equal(m.fingerprint, f->m.fingerprint);
    assert_string_equal(err, ""); /* no leftover "not found" */
    assert_string_not_equal(m.key_pem, f->m.key_pem);
    tls_material_free(&m);
}

static void days_left(void **state)
{
    (void)state;
    tls_material m = {0};
    char dummy[] = "x";

    assert_int_equal(tls_days_left(NULL, 0), INT_MIN);
    assert_int_equal(tls_days_left(&m, 0), INT_MIN); /* zeroed: no certificate */
    m.cert_pem = dummy;
    m.not_after = 1000000000;
    assert_int_equal(tls_days_left(&m, 1000000000 - 10 * 86400), 10);
    assert_int_equal(tls_days_left(&m, 1000000000 - 10 * 86400 + 1), 9);
    assert_int_equal(tls_days_left(&m, 1000000000 - 1), 0);
    assert_int_equal(tls_days_left(&m, 1000000000), 0);
    assert_int_equal(tls_days_left(&m, 1000000000 + 1), -1);
    assert_int_equal(tls_days_left(&m, 1000000000 + 3 * 86400), -3);
}

/* ---- a real handshake ---- */

static enum MHD_Result answer_ok(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload, size_t *upload_size, void **req)
{
    static const char body[] = "signpost staff ok";
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size;
    (void)req;
    r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                        MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

typedef struct {
    char data[256];
    size_t len;
} sink;

static size_t to_sink(char *p, size_t size, size_t n, void *userdata)
{
    sink *s = userdata;
    size_t bytes = size * n, room = sizeof s->data - 1 - s->len;
    size_t take = bytes < room ? bytes : room;
    memcpy(s->data + s->len, p, take);
    s->len += take;
    s->data[s->len] = '\0';
    return bytes;
}

/*
 * GET https://name:port/ with peer and host verification on, trusting only
 * cafile; name is pinned to 127.0.0.1 so no resolver is involved.
 */
static CURLcode fetch(const char *name, unsigned port, const char *cafile, sink *body,
                      long *status)
{
    char url[512], pin[512];
    struct curl_slist *resolve = NULL;
    CURL *c = curl_easy_init();
    CURLcode cc;

    assert_non_null(c);
    snprintf(url, sizeof url, "https://%s:%u/", name, port);
    snprintf(pin, sizeof pin, "%s:%u:127.0.0.1", name, port);
    resolve = curl_slist_append(NULL, pin);
    memset(body, 0, sizeof *body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(c, CURLOPT_PROXY,
                     ""); /* never via an https_proxy from the environment */
    curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
    curl_easy_setopt(c, CURLOPT_CAPATH, NULL); /* only cafile, not the system store */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    cc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    curl_slist_free_all(resolve);
    return cc;
}

static void served_over_tls(void **state)
{
    fixture *f = *state;
    struct sockaddr_in sin;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    tls_material other = {0};
    char dir2[64], cert2[PATH_MAX], host[256], err[512];
    unsigned port;
    sink body;
    long status;

    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        skip();
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;
    /* With the error log on, the refused handshake below prints a GnuTLS line: expected.
     */
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        answer_ok, NULL, MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_HTTPS_MEM_CERT,
        f->m.cert_pem, MHD_OPTION_HTTPS_MEM_KEY, f->m.key_pem, MHD_OPTION_END);
    assert_non_null(d);
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    port = info->port;
    assert_true(port > 0);

    /* The IP SAN, the DNS SAN, and the host name when it made it into the certificate. */
    assert_int_equal(fetch("127.0.0.1", port, f->cert, &body, &status), CURLE_OK);
    assert_int_equal(status, 200);
    assert_string_equal(body.data, "signpost staff ok");
    assert_int_equal(fetch("localhost", port, f->cert, &body, &status), CURLE_OK);
    assert_string_equal(body.data, "signpost staff ok");
    if (plain_host_name(host, sizeof host))
        assert_int_equal(fetch(host, port, f->cert, &body, &status), CURLE_OK);

    /* Verification is really on: a name not in the SAN, and a stranger's certificate. */
    assert_int_equal(fetch("not-in-the-san.example", port, f->cert, &body, &status),
                     CURLE_PEER_FAILED_VERIFICATION);
    new_dir(dir2, sizeof dir2);
    assert_int_equal(tls_load_or_create(NULL, NULL, dir2, &other, err, sizeof err),
                     SG_OK);
    path_in(cert2, sizeof cert2, dir2, "staff-tls.crt");
    assert_int_not_equal(fetch("localhost", port, cert2, &body, &status), CURLE_OK);
    assert_int_equal(body.len, 0);

    MHD_stop_daemon(d);
    tls_material_free(&other);
    rm_dir(dir2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(generates_then_reloads, setup_pair,
                                        teardown_pair),
        cmocka_unit_test_setup_teardown(explicit_paths_load, setup_pair, teardown_pair),
        cmocka_unit_test_setup_teardown(certificate_properties, setup_pair,
                                        teardown_pair),
        cmocka_unit_test_setup_teardown(mismatched_pair_rejected, setup_pair,
                                        teardown_pair),
        cmocka_unit_test_setup_teardown(missing_files_named, setup_pair, teardown_pair),
        cmocka_unit_test_setup_teardown(corrupted_pem_rejected, setup_pair,
                                        teardown_pair),
        cmocka_unit_test_setup_teardown(half_configuration_rejected, setup_pair,
                                        teardown_pair),
        cmocka_unit_test_setup_teardown(orphan_key_replaced, setup_pair, teardown_pair),
        cmocka_unit_test(days_left),
        cmocka_unit_test_setup_teardown(served_over_tls, setup_pair, teardown_pair),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
