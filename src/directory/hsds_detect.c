/*
 * What the user pointed the importer at, decided from the thing itself
 * rather than trusted from a name: a folder of CSV files, a zip archive (by
 * its signature, whatever it is called) or a JSON document (by its first
 * character).  Pointing at a file inside a package (services.csv,
 * datapackage.json) means the package.
 *
 * The HSDS version of a CSV package is told by its file names: 1.x has
 * regular_schedules, services_at_location, physical_addresses and
 * services_taxonomy; 3.0 has schedules, service_at_location, attributes and
 * taxonomy_terms.  datapackage.json is optional and often stale, so it is
 * not consulted.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hsds_internal.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The folder a package file sits in. */
static void folder_of(const char *path, char *dir, size_t dirlen)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(dir, dirlen, "%s", dirname(copy));
}

/* Sniffs the first bytes: a zip signature, or JSON's opening bracket. */
static sg_rc sniff(const char *path, hsds_src_type *type, char *err, size_t errlen)
{
    unsigned char head[64];
    size_t n, i = 0;
    FILE *f = fopen(path, "rb");

    if (!f) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
        return SG_EIO;
    }
    n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
        *type = HSDS_SRC_ZIP;
        return SG_OK;
    }
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < n &&
           (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i < n && (head[i] == '{' || head[i] == '[')) {
        *type = HSDS_SRC_JSON;
        return SG_OK;
    }
    snprintf(
        err, errlen,
        "%s is not HSDS: expected a folder of CSV files, a .zip of one, or a JSON file",
        path);
    return SG_EINVAL;
}

sg_rc hsds_detect(const char *path, hsds_src_type *type, char *dir, size_t dirlen,
                  char *err, size_t errlen)
{
    struct stat st;
    char copy[4096];
    const char *base;

    if (stat(path, &st) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? SG_EINVAL : SG_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        *type = HSDS_SRC_FOLDER;
        snprintf(dir, dirlen, "%s", path);
        return SG_OK;
    }
    snprintf(copy, sizeof copy, "%s", path);
    base = basename(copy);
    if (hsds_csv_rank(base) >= 0 || !strcasecmp(base, "datapackage.json") ||
        ends_with(base, ".csv")) {
        *type = HSDS_SRC_FOLDER;
        folder_of(path, dir, dirlen);
        return SG_OK;
    }
    return sniff(path, type, err, errlen);
}

const char *hsds_detect_version(const char *const *names, size_t n)
{
    static const char *const v1[] = {"regular_schedules.csv",
                                     "holiday_schedules.csv",
                                     "services_at_location.csv",
                                     "physical_addresses.csv",
                                     "postal_addresses.csv",
                                     "services_taxonomy.csv",
                                     "taxonomy.csv"};
    static const char *const v3[] = {"schedules.csv", "service_at_location.csv",
                                     "attributes.csv", "taxonomy_terms.csv",
                                     "addresses.csv"};
    int ones = 0, threes = 0;

    for (size_t i = 0; i < n; i++) {
        if (!strcasecmp(names[i], "service_attributes.csv"))
            return "2.0";
        for (size_t j = 0; j < sizeof v1 / sizeof *v1; j++)
            ones += !strcasecmp(names[i], v1[j]);
        for (size_t j = 0; j < sizeof v3 / sizeof *v3; j++)
            threes += !strcasecmp(names[i], v3[j]);
    }
    return ones > threes ? "1.x" : "3.0";
}
