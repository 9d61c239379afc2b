/*
 * The replay driver for normal builds: a main() that feeds every file named
 * on the command line, or found in a directory named there, to the target's
 * LLVMFuzzerTestOneInput() once.  With it, each ctest run replays the seed
 * corpus and every crash ever found under whatever sanitizers the build
 * has (ASan + UBSan in the asan preset), without needing clang or libFuzzer.
 *
 * A directory that does not exist counts as empty (a crashes/ folder with
 * nothing in it yet is not kept by git), but at least one input must have
 * been run, so a mistyped corpus path cannot pass silently.  Dot files are
 * skipped.  Files are fed in name order so a failure is reproducible.
 */
#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs bigger than this are not seeds; refusing them keeps runs short. */
#define REPLAY_MAX_INPUT (4u * 1024 * 1024)

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    int rc = -1;

    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        (unsigned long)len > REPLAY_MAX_INPUT || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: %s: unreadable or larger than %u bytes\n", path,
                REPLAY_MAX_INPUT);
        goto out;
    }
    /* An exact-size heap copy, so ASan sees a read one past the end. */
    buf = malloc(len ? (size_t)len : 1);
    if (!buf || (len && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
        fprintf(stderr, "replay: %s: read failed\n", path);
        goto out;
    }
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Runs every regular file in dir; adds to *count.  -1 on a read error. */
static int run_dir(const char *dir, size_t *count)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, skip_dots, by_name), rc = 0;
    char path[4096];
    struct stat st;

    if (n < 0)
        return errno == ENOENT ? 0 : -1;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path))
                rc = -1;
            else
                (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    struct stat st;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(argv[i]) == 0)
                count++;
            else
                rc = 1;
        } else if (run_dir(argv[i], &count)) {
            rc = 1;
        }
    }
    printf("replay: %zu inputs\n", count);
    if (!count) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return rc;
}
