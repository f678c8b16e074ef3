/*
 * cpuburn — keeps CPUs busy for cargoscope tests (CPU metrics, throttling, autoscaling).
 * usage: cpuburn [workers] [seconds]
 *   workers  busy processes to run (default 1)
 *   seconds  stop after this long (default 0 = run until killed)
 * Workers are processes, not threads, so the tool stays a tiny static binary and each worker
 * shows up in the container's cgroup like a real busy process would.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void burn(double seconds) {
    struct timespec start, now;
    volatile unsigned long x = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        for (int i = 0; i < 1000000; i++) x += (unsigned long)i * 2654435761u;
        if (seconds > 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 >= seconds) return;
        }
    }
}

int main(int argc, char **argv) {
    int workers = argc > 1 ? atoi(argv[1]) : 1;
    double seconds = argc > 2 ? atof(argv[2]) : 0;
    if (workers < 1 || seconds < 0) {
        fprintf(stderr, "usage: cpuburn [workers>=1] [seconds>=0]\n");
        return 2;
    }
    printf("cpuburn: %d worker(s) for %s\n", workers, seconds > 0 ? argv[2] : "ever");
    fflush(stdout);
    for (int i = 1; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) { burn(seconds); _exit(0); }
        if (pid < 0) { perror("fork"); return 1; }
    }
    burn(seconds);
    while (wait(NULL) > 0) {}
    return 0;
}
