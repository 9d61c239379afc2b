/*
 * What the printer tests share: starting and stopping fake_printer,
 * waiting for the bytes it records, temporary directories, and a config
 * that points the transports at the fake.  Every wait here has a timeout,
 * and a fake that outlives its test dies by its own --lifetime.
 *
 * Ownership: fake_start() fills a caller-owned fake_printer; fake_stop()
 * ends the process and removes its directory (and accepts one that never
 * started).  fake_read_file() returns malloc'd, NUL-terminated bytes.
 */
#ifndef SIGNPOST_TEST_FAKE_H
#define SIGNPOST_TEST_FAKE_H

#include <stddef.h>
#include <sys/types.h>

#include "signpost/config.h"
#include "signpost/printer_profile.h"

typedef struct {
    pid_t pid;
    char dir[256];    /* a fresh temporary directory */
    char record[300]; /* every byte the fake received */
    char qr[300];     /* the last native QR payload it received */
    char device[256]; /* --pty: "/dev/pts/N" */
    int port;         /* --tcp: the port on 127.0.0.1 */
} fake_printer;

/*
 * Starts fake_printer in mode "pty" or "tcp" with extra arguments (a NULL-
 * terminated list, or NULL), and waits for it to say where it listens.
 * For a pty, also points the LD_PRELOAD shim at it.  0 on success.
 */
int fake_start(fake_printer *f, const char *mode, const char *const *extra);
void fake_stop(fake_printer *f);

/* Waits until the record holds at least n bytes; returns what it holds. */
size_t fake_wait_bytes(const fake_printer *f, size_t n, int timeout_ms);

/* The whole file at path, NUL-terminated; *len its size.  NULL if unreadable. */
unsigned char *fake_read_file(const char *path, size_t *len);

/* 1 when needle[0..m) occurs in hay[0..n). */
int fake_contains(const unsigned char *hay, size_t n, const void *needle, size_t m);

/* Makes a fresh temporary directory into dir (256 bytes); removes one with its files. */
int fake_tmpdir(char *dir);
void fake_rmtree(const char *dir);

/* Milliseconds on the monotonic clock. */
long fake_now_ms(void);

/* Defaults, then each "section.key=value" in sets (NULL-terminated); fails the test on error. */
void fake_config(sg_config *cfg, const char *const *sets);

/* A profile for the tests: 80 mm, CP858, native QR, the flow and pacing given. */
printer_profile fake_profile(printer_flow flow, int pacing);

#endif
