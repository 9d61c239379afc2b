/*
 * Serving the kiosk's own files from [paths] ui_dir.  Only plain relative
 * paths of known file types are served: no "..", no hidden files, no
 * directory listings.  HTML is revalidated on every load (so an update shows
 * at the next reset) while other files may be cached for an hour; both use
 * an ETag from size and modification time so revalidation is cheap.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_internal.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json; charset=utf-8"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* True for /staff and everything under it: the staff listener's files. */
static int staff_path(const char *url)
{
    return strncmp(url, "/staff", 6) == 0 && (url[6] == '\0' || url[6] == '/');
}

/* A URL path we are willing to map onto the file system (http_internal.h). */
int http_safe_path(const char *url)
{
    if (url[0] != '/' || strlen(url) > 200)
        return 0;
    for (const char *p = url; *p; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9') && !strchr("/._-", *p))
            return 0;
        if (*p == '/' && p[1] == '.')
            return 0; /* "..", "./" and hidden files */
    }
    return 1;
}

static MHD_RESULT send_file(http_ctx *h, int fd, const struct stat *st, const char *type,
                            const char *etag)
{
    const char *inm = MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, "If-None-Match");
    int html = strncmp(type, "text/html", 9) == 0;
    struct MHD_Response *r;
    unsigned status = MHD_HTTP_OK;
    MHD_RESULT ret;

    if (inm && strcmp(inm, etag) == 0) {
        close(fd);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_MODIFIED;
    } else {
        r = MHD_create_response_from_fd((uint64_t)st->st_size, fd);
    }
    if (!r) {
        if (status == MHD_HTTP_OK)
            close(fd);
        return MHD_NO;
    }
    http_security_headers(h, r);
    if (h->closing)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Cache-Control", html ? "no-cache" : "max-age=3600");
    ret = MHD_queue_response(h->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends url (already mapped: "/" is "/index.html") from [paths] ui_dir. */
static MHD_RESULT serve(http_ctx *h, const char *url)
{
    char path[SG_CFG_PATH + 256], etag[64];
    const char *type = content_type(url);
    struct stat st;
    int fd;

    if (strcmp(h->method, "GET") != 0 && strcmp(h->method, "HEAD") != 0)
        return http_method_not_allowed(h, "GET, HEAD");
    if (!http_safe_path(url) || !type)
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL);
    snprintf(path, sizeof path, "%s%s", h->app->cfg->ui_dir, url);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL);
    }
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime);
    return send_file(h, fd, &st, type, etag);
}

MHD_RESULT http_static(http_ctx *h)
{
    /* The staff console is served only by the staff listener: here it does
     * not exist, whatever the method. */
    if (staff_path(h->url))
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL);
    return serve(h, strcmp(h->url, "/") == 0 ? "/index.html" : h->url);
}

/* The staff listener: kiosk-ui/staff/ only; "/" and "/staff" lead there. */
MHD_RESULT http_static_staff(http_ctx *h)
{
    if (!strcmp(h->url, "/") || !strcmp(h->url, "/staff"))
        return http_redirect(h, "/staff/");
    if (!staff_path(h->url))
        return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL);
    return serve(h, strcmp(h->url, "/staff/") == 0 ? "/staff/index.html" : h->url);
}
