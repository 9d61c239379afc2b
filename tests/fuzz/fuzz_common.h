/*
 * What the fuzz targets share: the libFuzzer entry point's prototype, a
 * check that aborts with a message (so a broken invariant is a crash that
 * libFuzzer saves, and a failing ctest under the replay driver), a
 * NUL-terminated copy of the input, splitting the input into parts, and a
 * scratch directory for the targets whose function under test reads a file.
 *
 * Everything is static inline: each target is one translation unit plus
 * replay.c (normal builds) or libFuzzer's own main (the fuzz preset).
 */
#ifndef SIGNPOST_FUZZ_COMMON_H
#define SIGNPOST_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which and where, then abort so it is kept. */
#define FUZZ_CHECK(cond)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* A NUL-terminated copy of the input (an embedded NUL ends the string early,
 * which is how a C caller would see it).  Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/*
 * Splits the input into at most max parts at each byte sep, in place in a
 * copy the caller frees (*buf).  Lets one input carry several strings, e.g.
 * a token, a URL and a form body.  Returns the number of parts.
 */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char sep, char **buf,
                                const char **parts, size_t max)
{
    size_t n = 0;
    char *s = fuzz_cstr(data, size), *p = s;

    *buf = s;
    while (n < max) {
        char *end = memchr(p, sep, strlen(p));
        parts[n++] = p;
        if (!end)
            break;
        *end = '\0';
        p = end + 1;
    }
    for (size_t i = n; i < max; i++)
        parts[i] = "";
    return n;
}

/* Removes the scratch directory at exit (its files are the targets' own). */
static char fuzz_dir_path[256];

static inline void fuzz_dir_cleanup(void)
{
    char cmd[300];
    if (!fuzz_dir_path[0])
        return;
    /* Only the files the targets write: "in.*" and "out.*", then the dir. */
    for (int i = 0; i < 2; i++) {
        static const char *const stems[] = {"in", "out"};
        static const char *const exts[] = {
            "",        ".json",  ".conf", ".zip", ".db", ".db-staging", ".db-journal",
            ".db-wal", ".db-shm"};
        for (size_t e = 0; e < sizeof exts / sizeof exts[0]; e++) {
            snprintf(cmd, sizeof cmd, "%s/%s%s", fuzz_dir_path, stems[i], exts[e]);
            unlink(cmd);
        }
    }
    if (rmdir(fuzz_dir_path) != 0)
        fprintf(stderr, "fuzz: left %s behind (unexpected files)\n", fuzz_dir_path);
}

/* A private directory for this process, made once: in /dev/shm when it is
 * there (no disk writes at thousands of inputs a second), else $TMPDIR. */
static inline const char *fuzz_dir(void)
{
    const char *base;
    if (fuzz_dir_path[0])
        return fuzz_dir_path;
    base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/signpost-fuzz-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(fuzz_dir_path)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_dir_cleanup);
    return fuzz_dir_path;
}

/* Writes the input to name in the scratch directory; returns its path. */
static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t size,
                                     char *path, size_t pathlen)
{
    FILE *f;
    snprintf(path, pathlen, "%s/%s", fuzz_dir(), name);
    f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: write");
        abort();
    }
    return path;
}

#endif
