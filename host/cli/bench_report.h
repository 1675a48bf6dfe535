/* bench_report.h — what `clcnn bench` measured, and its two renderings: a
 * human report that fits 120 columns, or one JSON object. cmd_bench.c
 * measures; bench_report.c only prints. */
#ifndef CLCNN_CLI_BENCH_REPORT_H
#define CLCNN_CLI_BENCH_REPORT_H

#include "clcnn_tools.h"

typedef struct bench_result {
    const char *model;         /* as given on the command line */
    const char *device;        /* context's device name */
    int reference;             /* 1: reference backend (no kernels, no profile) */
    int batch;
    clcnn_tensor_info input;   /* session input 0 */
    int runs, warmup;
    double cold_ms, warm_ms;
    double median_ms, min_ms, max_ms, mean_ms;
    int kernels;               /* per inference; 0 on the reference backend */
    int have_memory;
    clcnn_memory_info mem;
    clcnn_profile_row *rows;   /* sorted by ms, descending; NULL: no profile */
    int n_rows;
    const char *profile_note;  /* why there is no profile, when rows is NULL */
    int timing_runs;           /* profiled runs the breakdown is the median-wall one of; 0: none */
    clcnn_run_timing timing;   /* where that run's time went */
    clcnn_plan_group *groups;  /* the plan's groups (their fallback notes); NULL: none */
    int n_groups;
} bench_result;

void bench_print_text(const bench_result *r);
void bench_print_json(const bench_result *r);

#endif
