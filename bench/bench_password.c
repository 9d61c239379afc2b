/*
 * What a staff login costs: the Argon2id verify that every sign-in runs
 * (src/staff/auth.c), at the cost signpost ships (STAFF_PW_OPSLIMIT passes
 * over STAFF_PW_MEMLIMIT) and over a grid of other costs, so the choice in
 * include/signpost/staff_auth.h can be checked on the board that will run
 * it.  The target is a verify of about half a second on a Raspberry Pi 4:
 * slow enough that each offline guess costs real time and memory, quick
 * enough that staff do not notice.  Run it on the Pi itself; on a PC the
 * figures are several times lower (libsodium has SIMD Argon2 code for
 * x86-64 only, so an ARM board runs the portable code).
 *
 *   bench_password [--runs N] [--target-ms MS]
 *
 * Prints the machine, the shipped cost's verify time (median, min, max of
 * N runs), a table of median verify times for 1-4 passes over 19, 32, 64
 * and 128 MiB, and the passes at the shipped memory closest to the target.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "signpost/staff_auth.h"

#define MAX_RUNS 50
#define PASSWORD "correct horse battery staple"

static const size_t grid_mib[] = {19, 32, 64, 128};
static const unsigned long long grid_ops[] = {1, 2, 3, 4};

/* The CPU's name as /proc/cpuinfo gives it (x86 "model name", Pi "Model"). */
static void cpu_name(char *out, size_t outlen)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];

    snprintf(out, outlen, "unknown CPU");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (colon && (!strncmp(line, "model name", 10) || !strncmp(line, "Model", 5))) {
            colon += strspn(colon, ": \t");
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(out, outlen, "%s", colon);
            if (!strncmp(line, "Model", 5))
                break; /* the board's name beats the core's */
        }
    }
    fclose(f);
}

/* Median verify time in ms of runs verifies of a hash made at ops/mem;
 * min and max when asked.  -1 when libsodium refuses (out of memory). */
static double verify_ms(unsigned long long ops, size_t mem, int runs, double *min, double *max)
{
    char hash[crypto_pwhash_STRBYTES];
    double t[MAX_RUNS];

    if (crypto_pwhash_str_alg(hash, PASSWORD, strlen(PASSWORD), ops, mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return -1;
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_s();
        if (crypto_pwhash_str_verify(hash, PASSWORD, strlen(PASSWORD)) != 0)
            return -1;
        t[i] = (bench_now_s() - t0) * 1000.0;
    }
    bench_sort(t, (size_t)runs);
    if (min)
        *min = t[0];
    if (max)
        *max = t[runs - 1];
    return bench_percentile(t, runs, 50);
}

/* The shipped cost through the product's own functions. */
static int shipped(int runs)
{
    char hash[STAFF_HASH_MAX];
    double min, max, med;

    if (staff_pw_hash(PASSWORD, hash) != SG_OK || staff_pw_verify(hash, PASSWORD) != SG_OK) {
        fprintf(stderr, "bench_password: staff_pw_hash/verify failed\n");
        return 1;
    }
    med = verify_ms(STAFF_PW_OPSLIMIT, STAFF_PW_MEMLIMIT, runs, &min, &max);
    if (med < 0)
        return 1;
    printf("shipped cost: %llu passes over %zu MiB\n", STAFF_PW_OPSLIMIT,
           STAFF_PW_MEMLIMIT >> 20);
    printf("  verify: median %.0f ms, min %.0f ms, max %.0f ms (%d runs)\n\n", med, min, max,
           runs);
    return 0;
}

/* Median verify ms for every cell of the grid; best_ops gets the passes
 * at the shipped memory closest to target_ms. */
static void grid(int runs, double target_ms, unsigned long long *best_ops, double *best_ms)
{
    double best_gap = -1;

    printf("median verify (ms)  ");
    for (size_t o = 0; o < sizeof grid_ops / sizeof grid_ops[0]; o++)
        printf("%8llu pass%s", grid_ops[o], grid_ops[o] == 1 ? "  " : "es");
    printf("\n");
    for (size_t m = 0; m < sizeof grid_mib / sizeof grid_mib[0]; m++) {
        printf("%4zu MiB            ", grid_mib[m]);
        for (size_t o = 0; o < sizeof grid_ops / sizeof grid_ops[0]; o++) {
            double ms = verify_ms(grid_ops[o], grid_mib[m] << 20, runs, NULL, NULL);
            double gap = ms > target_ms ? ms - target_ms : target_ms - ms;
            if (ms < 0)
                printf("%12s  ", "n/a");
            else
                printf("%12.0f  ", ms);
            fflush(stdout);
            if (ms >= 0 && (grid_mib[m] << 20) == STAFF_PW_MEMLIMIT &&
                (best_gap < 0 || gap < best_gap)) {
                best_gap = gap;
                *best_ops = grid_ops[o];
                *best_ms = ms;
            }
        }
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"runs", required_argument, NULL, 'r'},
        {"target-ms", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    int runs = 7, target = 500, c;
    unsigned long long best_ops = 0;
    double best_ms = 0;
    char cpu[128];

    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if ((c == 'r' && bench_parse_int(optarg, 1, MAX_RUNS, &runs, NULL)) ||
            (c == 't' && bench_parse_int(optarg, 10, 60000, &target, NULL)) ||
            (c != 'r' && c != 't')) {
            fprintf(stderr, "usage: bench_password [--runs 1..%d] [--target-ms MS]\n",
                    MAX_RUNS);
            return 2;
        }
    }
    if (sodium_init() < 0)
        return 1;
    cpu_name(cpu, sizeof cpu);
    printf("machine: %s, %ld CPUs; libsodium %s, AVX2 %s\n\n", cpu,
           sysconf(_SC_NPROCESSORS_ONLN), sodium_version_string(),
           sodium_runtime_has_avx2() ? "yes" : "no");
    if (shipped(runs))
        return 1;
    grid(runs < 3 ? runs : 3, target, &best_ops, &best_ms);
    printf("\nclosest to %d ms at %zu MiB here: %llu passes (%.0f ms); shipped: %llu\n",
           target, STAFF_PW_MEMLIMIT >> 20, best_ops, best_ms, STAFF_PW_OPSLIMIT);
    return 0;
}
