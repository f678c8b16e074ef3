/*
 * logwriter — writes numbered log lines for cargoscope's log pipeline tests.
 * usage: logwriter [--count N] [--rate LINES_PER_SEC] [--length BYTES] [--stream out|err|both]
 *                  [--prefix TEXT] [--hold]
 *   --count   lines to write (default 10; 0 = forever)
 *   --rate    lines per second (default 0 = as fast as possible)
 *   --length  bytes per line without the newline (default 0 = just "<prefix> <seq>"); longer
 *             lines are padded with a repeating alphabet, so 100000 gives lines far above the
 *             16 KiB at which Docker splits log entries
 *   --stream  out (default), err, or both (alternating, odd sequence numbers to stderr)
 *   --hold    after the last line, sleep until killed (keeps the container running)
 * Each line starts with "<prefix> <seq>" where seq counts from 1 and is zero-padded to 9 digits,
 * so a reader can check order and completeness.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long count = 10, length = 0;
    double rate = 0;
    const char *stream = "out", *prefix = "line";
    int hold = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--hold")) { hold = 1; continue; }
        if (!v) { fprintf(stderr, "logwriter: %s needs a value\n", a); return 2; }
        if (!strcmp(a, "--count")) count = atol(v);
        else if (!strcmp(a, "--rate")) rate = atof(v);
        else if (!strcmp(a, "--length")) length = atol(v);
        else if (!strcmp(a, "--stream")) stream = v;
        else if (!strcmp(a, "--prefix")) prefix = v;
        else { fprintf(stderr, "logwriter: unknown option %s\n", a); return 2; }
        i++;
    }
    int both = !strcmp(stream, "both"), fd = !strcmp(stream, "err") ? 2 : 1;
    if (count < 0 || length < 0 || rate < 0 || (!both && strcmp(stream, "out") && strcmp(stream, "err"))) {
        fprintf(stderr, "logwriter: bad arguments\n");
        return 2;
    }
    size_t cap = (size_t)length + strlen(prefix) + 32;
    char *line = malloc(cap);
    if (!line) { perror("malloc"); return 1; }
    double start = now_s();
    for (long seq = 1; count == 0 || seq <= count; seq++) {
        int n = snprintf(line, cap, "%s %09ld", prefix, seq);
        size_t len = (size_t)n;
        if (length > 0 && len < (size_t)length) {
            line[len++] = ' ';
            while (len < (size_t)length) line[len] = (char)('a' + (len % 26)), len++;
        }
        line[len++] = '\n';
        int out = both ? (seq % 2 ? 2 : 1) : fd;
        if (write_all(out, line, len) < 0) { perror("write"); return 1; }
        if (rate > 0) {
            /* pace against the start time so rounding errors do not accumulate */
            double due = start + (double)seq / rate, wait = due - now_s();
            if (wait > 0) {
                struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    free(line);
    if (hold) for (;;) pause();
    return 0;
}
