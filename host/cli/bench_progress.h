/* bench_progress.h — what `clcnn bench` is doing, on stderr while it works:
 * the stages of the cold and warm starts and the run counters. On a terminal
 * one line rewritten in place (\r); elsewhere (--progress into a pipe or a
 * file) plain lines, counters thinned to tenths. Never on stdout, so --json
 * output stays one JSON object. */
#ifndef CLCNN_CLI_BENCH_PROGRESS_H
#define CLCNN_CLI_BENCH_PROGRESS_H

#include <stdio.h>

typedef enum bench_progress_mode {
    BENCH_PROGRESS_AUTO, /* on when stderr is a terminal */
    BENCH_PROGRESS_ON,   /* --progress */
    BENCH_PROGRESS_OFF   /* --quiet */
} bench_progress_mode;

typedef struct bench_progress {
    FILE *f;
    int on, tty;
    int shown;           /* tty: a line is on screen, not yet cleared */
    double t0_ms;        /* process start: the elapsed figure counts from it */
    const char *last_what; /* plain: the counter last printed (its label) and its tenth */
    int last_tenth;
} bench_progress;

void bench_progress_init(bench_progress *p, bench_progress_mode mode, double t0_ms);
/* A new stage: "[  2.1 s] cold start: plan and program builds". */
void bench_progress_stage(bench_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A counter within a stage, "runs 12/30" (i from 1 to n). */
void bench_progress_count(bench_progress *p, const char *what, int i, int n);
/* Takes the terminal line away, so that other stderr or stdout text starts
 * on a clean line; a no-op elsewhere. Call before anything else writes. */
void bench_progress_clear(bench_progress *p);

#endif
