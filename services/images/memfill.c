/*
 * memfill — allocates and touches memory, then holds it, for cargoscope tests (memory metrics,
 * limits, OOM, lxcfs meminfo).
 * usage: memfill <MiB> [step_MiB] [step_interval_ms]
 *   Allocates MiB in steps of step_MiB (default: all at once), waiting step_interval_ms between
 *   steps (default 0), writes every page so the memory is really resident, prints the running
 *   total after each step, then sleeps until killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: memfill <MiB> [step_MiB] [step_interval_ms]\n");
        return 2;
    }
    long total = atol(argv[1]);
    long step = argc > 2 ? atol(argv[2]) : total;
    long interval_ms = argc > 3 ? atol(argv[3]) : 0;
    if (total < 0 || step <= 0 || interval_ms < 0) {
        fprintf(stderr, "memfill: bad arguments\n");
        return 2;
    }
    long page = sysconf(_SC_PAGESIZE);
    long done = 0;
    while (done < total) {
        long mib = total - done < step ? total - done : step;
        size_t bytes = (size_t)mib << 20;
        char *p = malloc(bytes);
        if (!p) {
            fprintf(stderr, "memfill: malloc of %ld MiB failed after %ld MiB\n", mib, done);
            return 1;
        }
        /* one write per page makes it resident without paying for a full memset */
        for (size_t off = 0; off < bytes; off += (size_t)page) p[off] = (char)(off >> 12);
        done += mib;
        printf("memfill: %ld MiB resident\n", done);
        fflush(stdout);
        if (interval_ms > 0 && done < total) {
            struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    printf("memfill: holding %ld MiB\n", done);
    fflush(stdout);
    for (;;) pause();
}
