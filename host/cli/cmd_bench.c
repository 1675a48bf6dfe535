/* cmd_bench.c — `clcnn bench MODEL`: cold start (empty clcnn and POCL caches),
 * warm start (a second context on the filled cache), latency over --runs
 * after --warmup, images/s, device memory, kernels per inference, where one
 * profiled run's time goes and a per-layer profile. Measures only;
 * bench_report.c prints, bench_progress.c says on stderr what is under way.
 * Speed is never asserted here: this is a measuring tool, not a test. */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv, nftw */
#include <errno.h>
#include <stdarg.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_progress.h"
#include "bench_report.h"
#include "clcnn_tools.h"
#include "cli.h"
#include "npy.h"
#include "cache_fill.h"
#include "prewarm.h"

#define BENCH_MAX_IO 8

static const char *const bench_usage =
    "usage: clcnn bench MODEL [--device auto|gpu|cpu|ref|N|NAME] [--runs N (30)] [--warmup N (5)]\n"
    "                   [--batch B (model's)] [--json] [--no-profile] [--no-cold] [--input IN.npy ...]\n"
    "                   [--precision fp32|fp16|auto] [--progress | --quiet]\n"
    "                   [--output OUT.npy ...] [--width W --depth D --classes C --input-size S --seed N]\n"
    "MODEL is an .onnx file or a built-in architecture name (built-in flags apply to those).\n"
    "Reports cold start (process start -> first result, with empty clcnn and POCL kernel caches\n"
    "in fresh temp dirs), warm start (a second context on those filled caches: context + load +\n"
    "plan + first run), median/min/max latency over --runs after --warmup, images/s (batch /\n"
    "median), device memory (weights + activations, and the naive activation sum), kernels per\n"
    "inference, where the time of one profiled run goes (kernels, copies, device idle waiting for\n"
    "enqueues or dispatch, host work, unexplained rest; and on the host: enqueue calls, blocked in\n"
    "the sync), and a per-layer profile (per-layer median of 3 runs timed with OpenCL profiling\n"
    "events; not on the reference backend, which has no kernels). Inputs: --input NPY files of the session's\n"
    "shapes (batch applied), else seeded uniform [-1, 1). --output writes the last result.\n"
    "--no-cold skips the cold start (no temp caches: the warm start then uses the usual cache).\n"
    "--json prints one JSON object instead of the table.\n"
    "Progress (stages of the starts, run counters) goes to stderr when it is a terminal, or always\n"
    "with --progress (plain lines when not a terminal); --quiet: none. Never on stdout.\n";

typedef struct bench_args {
    const char *model, *device;
    int runs, warmup, batch, json, no_profile, no_cold;
    bench_progress_mode progress;
    clcnn_precision precision;
    const char *in_paths[BENCH_MAX_IO], *out_paths[BENCH_MAX_IO];
    int n_in, n_out;
    clcnn_builtin_options bopt;
} bench_args;

typedef struct bench_io {
    int n_in, n_out;
    float *in[BENCH_MAX_IO], *out[BENCH_MAX_IO];
    clcnn_tensor_info out_info[BENCH_MAX_IO];
} bench_io;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int parse_count(const char *cmd, const char *flag, const char *v, int lo, int hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || errno || end == v || *end || n < lo || n > hi)
        return cli_error(CLI_USAGE, cmd, "%s needs an integer in [%d, %d], got '%s'", flag, lo, hi,
                         v ? v : "");
    *out = (int)n;
    return 0;
}

static int parse_args(int argc, char **argv, bench_args *a)
{
    const char *cmd = "bench";
    memset(a, 0, sizeof *a);
    clcnn_builtin_options_init(&a->bopt);
    a->runs = 30;
    a->warmup = 5;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int r;
        if (cli_is_help(s)) {
            fputs(bench_usage, stdout);
            return -1;
        } else if ((r = cli_builtin_flag(argc, argv, &i, cmd, &a->bopt)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if (strcmp(s, "--runs") == 0 || strcmp(s, "--warmup") == 0 || strcmp(s, "--batch") == 0) {
            const char *v = cli_flag_value(argc, argv, &i, cmd);
            int *dst = s[2] == 'r' ? &a->runs : s[2] == 'w' ? &a->warmup : &a->batch;
            if (!v || parse_count(cmd, s, v, s[2] == 'w' ? 0 : 1, s[2] == 'b' ? 4096 : 1000000, dst))
                return CLI_USAGE;
        } else if (strcmp(s, "--device") == 0) {
            if (!(a->device = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(s, "--input") == 0 || strcmp(s, "--output") == 0) {
            const char *v = cli_flag_value(argc, argv, &i, cmd);
            int is_in = s[2] == 'i';
            if (!v)
                return CLI_USAGE;
            if ((is_in ? a->n_in : a->n_out) >= BENCH_MAX_IO)
                return cli_error(CLI_USAGE, cmd, "at most %d %s files", BENCH_MAX_IO, s);
            if (is_in)
                a->in_paths[a->n_in++] = v;
            else
                a->out_paths[a->n_out++] = v;
        } else if (strcmp(s, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(s, "--no-profile") == 0) {
            a->no_profile = 1;
        } else if (strcmp(s, "--progress") == 0 || strcmp(s, "--quiet") == 0) {
            bench_progress_mode m = s[2] == 'p' ? BENCH_PROGRESS_ON : BENCH_PROGRESS_OFF;
            if (a->progress != BENCH_PROGRESS_AUTO && a->progress != m)
                return cli_error(CLI_USAGE, cmd, "--progress and --quiet exclude each other");
            a->progress = m;
        } else if (strcmp(s, "--precision") == 0) {
            if (cli_precision_flag(argc, argv, &i, cmd, &a->precision) < 0)
                return CLI_USAGE;
        } else if (strcmp(s, "--no-cold") == 0) {
            a->no_cold = 1;
        } else if (s[0] == '-' && s[1]) {
            return cli_bad_flag(cmd, s);
        } else if (!a->model) {
            a->model = s;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn bench --help')", s);
        }
    }
    if (!a->model)
        return cli_error(CLI_USAGE, cmd, "needs MODEL (see 'clcnn bench --help')");
    return 0;
}

/* ---- fresh cache dirs: the cold start must not find anything compiled ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* base/pocl for POCL_CACHE_DIR (set before the first OpenCL call, so POCL's
 * own compiled-kernel cache is cold too) and base/clcnn for our binary cache. */
static int make_cache_dirs(char *base, size_t len, char *pocl, char *ours)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, len, "%s/clcnn-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base))
        return cli_error(CLI_FAIL, "bench", "cannot make a temp dir in %s: %s", tmp ? tmp : "/tmp",
                         strerror(errno));
    snprintf(pocl, len, "%s/pocl", base);
    snprintf(ours, len, "%s/clcnn", base);
    if (mkdir(pocl, 0700) || mkdir(ours, 0700))
        return cli_error(CLI_FAIL, "bench", "cannot make cache dirs in %s: %s", base, strerror(errno));
    setenv("POCL_CACHE_DIR", pocl, 1);
    return 0;
}

/* ---- one context + model + session, as a user would make them ---- */

/* The library's log lines, after taking the progress line away (user). */
static void log_to_stderr(void *user, clcnn_log_level level, const char *msg)
{
    if (level < CLCNN_LOG_INFO)
        return;
    bench_progress_clear(user);
    fprintf(stderr, "clcnn: %s\n", msg);
}

typedef struct bench_stack {
    clcnn_context *ctx;
    const clcnn_model *model; /* the session's (clcnn_session_create_owning) */
    clcnn_session *sess;
    bench_progress *prog;     /* outlives the stack: kept by stack_close */
    cli_prewarm prewarm;      /* the helper of a cold start (prewarm.h) */
} bench_stack;

/* cli_error on a clean line: the progress line is taken away first. */
static int bench_fail(const bench_stack *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bench_fail(const bench_stack *k, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bench_progress_clear(k->prog);
    return cli_error(CLI_FAIL, "bench", "%s", msg);
}

static void stack_close(bench_stack *k)
{
    clcnn_session_destroy(k->sess); /* and the model it owns */
    cli_prewarm_wait(&k->prewarm);
    clcnn_context_destroy(k->ctx);
    bench_progress *prog = k->prog;
    memset(k, 0, sizeof *k);
    k->prog = prog;
}

/* "23 programs built" / "23 programs from the cache" after a session is up;
 * "" when the library cannot tell (reference backend, no disk cache). */
static const char *programs_said(clcnn_context *ctx, char *buf, size_t len)
{
    clcnn_program_stats ps;
    buf[0] = 0;
    if (clcnn_context_program_stats(ctx, &ps) == CLCNN_OK && ps.disk_cache)
        snprintf(buf, len, "%d program%s built, %d from the cache; ", ps.built, ps.built == 1 ? "" : "s",
                 ps.loaded);
    return buf;
}

/* Context, model, session; `phase` ("cold start", "warm start") names the
 * progress stages. */
static int stack_open(const bench_args *a, const char *cache_dir, int quiet, const char *phase,
                      bench_stack *k)
{
    clcnn_context_options co;
    clcnn_context_options_init(&co);
    co.device = a->device;
    co.cache_dir = cache_dir;
    co.log = quiet ? NULL : log_to_stderr;
    co.log_user = k->prog;
    cli_prewarm_options(&co, &k->prewarm); /* a cold start's helper, as `run` has */
    cli_lean_options(&co);
    char err[2048];
    bench_progress_stage(k->prog, "%s: context (device)", phase);
    if (clcnn_context_create(&co, &k->ctx, err, sizeof err) != CLCNN_OK)
        return bench_fail(k, "%s", err);
    /* cli_model_open prints its own error: on a terminal no progress line may
     * be up then (loading is short there anyway); plain lines can say it */
    bench_progress_clear(k->prog);
    if (!k->prog->tty)
        bench_progress_stage(k->prog, "%s: model (file or built-in)", phase);
    clcnn_model *m = cli_model_open(k->ctx, "bench", a->model, &a->bopt);
    if (!m)
        return CLI_FAIL;
    k->model = m;
    clcnn_session_options so;
    clcnn_session_options_init(&so);
    so.batch = a->batch;
    so.precision = a->precision;
    bench_progress_stage(k->prog, "%s: session (plan, kernel programs%s)", phase,
                         a->precision == CLCNN_PRECISION_AUTO ? ", fp16 calibration" : "");
    /* the session takes the model: it frees the weights its device copied, so
     * bench's peak memory is an app's (one session per model) */
    if (clcnn_session_create_owning(k->ctx, m, &so, &k->sess) != CLCNN_OK) {
        k->model = NULL; /* destroyed by the failed create */
        return bench_fail(k, "%s", clcnn_context_last_error(k->ctx));
    }
    bench_progress_clear(k->prog);
    if (!quiet)
        cli_precision_report("bench", k->sess);
    char said[128];
    bench_progress_stage(k->prog, "%s: %sfirst run (kernels may compile at first launch)", phase,
                         programs_said(k->ctx, said, sizeof said));
    return 0;
}

static int same_shape(const npy_array *x, const clcnn_tensor_info *t)
{
    if (x->ndim != t->ndim)
        return 0;
    for (int d = 0; d < t->ndim; d++)
        if (x->dims[d] != t->dims[d])
            return 0;
    return 1;
}

/* Inputs from --input files (each of the session's shape) or seeded uniform
 * [-1, 1) from a fixed xorshift, so every run of bench sees the same data. */
static int make_io(const bench_args *a, const bench_stack *k, bench_io *io)
{
    io->n_in = clcnn_model_num_inputs(k->model);
    io->n_out = clcnn_model_num_outputs(k->model);
    if (io->n_in > BENCH_MAX_IO || io->n_out > BENCH_MAX_IO)
        return bench_fail(k, "models with more than %d inputs/outputs are not supported",
                         BENCH_MAX_IO);
    if (a->n_in && a->n_in != io->n_in)
        return bench_fail(k, "%s has %d input(s), %d --input file(s) given", a->model,
                         io->n_in, a->n_in);
    if (a->n_out > io->n_out)
        return bench_fail(k, "%s has %d output(s), %d --output file(s) given", a->model,
                         io->n_out, a->n_out);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < io->n_in; i++) {
        clcnn_tensor_info t;
        clcnn_session_input(k->sess, i, &t);
        size_t n = cli_numel(&t);
        if (!(io->in[i] = malloc(n * sizeof(float) + 1)))
            return bench_fail(k, "out of memory");
        if (a->n_in) {
            npy_array arr = {0};
            char err[1024];
            if (npy_read_f32(a->in_paths[i], &arr, err, sizeof err))
                return bench_fail(k, "%s", err);
            int ok = same_shape(&arr, &t);
            if (ok)
                memcpy(io->in[i], arr.data, n * sizeof(float));
            npy_free(&arr);
            if (!ok)
                return bench_fail(k, "%s: shape does not match input '%s' of the session "
                                 "(batch %d)", a->in_paths[i], t.name, a->batch ? a->batch : 1);
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            io->in[i][j] = (float)((double)(x >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
        }
    }
    for (int i = 0; i < io->n_out; i++) {
        clcnn_session_output(k->sess, i, &io->out_info[i]);
        if (!(io->out[i] = malloc(cli_numel(&io->out_info[i]) * sizeof(float) + 1)))
            return bench_fail(k, "out of memory");
    }
    return 0;
}

static void io_free(bench_io *io)
{
    for (int i = 0; i < BENCH_MAX_IO; i++) {
        free(io->in[i]);
        free(io->out[i]);
    }
}

static int run_once(bench_stack *k, bench_io *io)
{
    if (clcnn_session_run(k->sess, (const float *const *)io->in, io->out) != CLCNN_OK)
        return bench_fail(k, "%s", clcnn_session_last_error(k->sess)); /* a session keeps its own */
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int cmp_row_ms(const void *x, const void *y)
{
    double a = ((const clcnn_profile_row *)x)->ms, b = ((const clcnn_profile_row *)y)->ms;
    return (a < b) - (a > b);
}

/* Warm-up, then --runs timed runs on the host clock: what a caller waits. */
static int time_runs(const bench_args *a, bench_stack *k, bench_io *io, bench_result *r)
{
    double *t = malloc(sizeof(double) * (size_t)a->runs);
    if (!t)
        return bench_fail(k, "out of memory");
    for (int i = 0; i < a->warmup; i++) {
        if (run_once(k, io))
            return free(t), CLI_FAIL;
        bench_progress_count(k->prog, "warm-up", i + 1, a->warmup);
    }
    double sum = 0.0;
    for (int i = 0; i < a->runs; i++) {
        double t0 = now_ms();
        if (run_once(k, io))
            return free(t), CLI_FAIL;
        t[i] = now_ms() - t0;
        sum += t[i];
        bench_progress_count(k->prog, "runs", i + 1, a->runs); /* after the clock: not timed */
    }
    qsort(t, (size_t)a->runs, sizeof *t, cmp_double);
    r->min_ms = t[0];
    r->max_ms = t[a->runs - 1];
    r->median_ms = a->runs % 2 ? t[a->runs / 2] : 0.5 * (t[a->runs / 2 - 1] + t[a->runs / 2]);
    r->mean_ms = sum / a->runs;
    free(t);
    return 0;
}

static int write_outputs(const bench_args *a, const bench_io *io)
{
    char err[1024];
    for (int i = 0; i < a->n_out; i++)
        if (npy_write_f32(a->out_paths[i], io->out[i], io->out_info[i].ndim, io->out_info[i].dims, err,
                          sizeof err))
            return cli_error(CLI_FAIL, "bench", "%s", err);
    return 0;
}

/* Per-row median over BENCH_PROFILE_RUNS profiled runs: one run on a shared,
 * noisy machine can put any layer on top. Rows come in the same (execution)
 * order every run. The time breakdown is the one of the run with the median
 * wall time: a whole run's parts, not medians of parts from different runs,
 * so that they add up. */
#define BENCH_PROFILE_RUNS 3
static int profile(bench_stack *k, bench_io *io, bench_result *r)
{
    clcnn_profile_row *runs[BENCH_PROFILE_RUNS] = {0};
    clcnn_run_timing tm[BENCH_PROFILE_RUNS];
    int n = 0, rc = 0;
    for (int p = 0; p < BENCH_PROFILE_RUNS && !rc; p++) {
        clcnn_run_timing_init(&tm[p]);
        if (clcnn_session_profile_timed(k->sess, (const float *const *)io->in, io->out, &runs[p], &n, &tm[p]) !=
            CLCNN_OK)
            rc = bench_fail(k, "profile: %s", clcnn_session_last_error(k->sess));
        else
            bench_progress_count(k->prog, "profiled runs", p + 1, BENCH_PROFILE_RUNS);
    }
    if (!rc) {
        int order[BENCH_PROFILE_RUNS];
        for (int p = 0; p < BENCH_PROFILE_RUNS; p++) { /* insertion sort by wall time */
            int j = p;
            for (; j > 0 && tm[order[j - 1]].wall_ms > tm[p].wall_ms; j--)
                order[j] = order[j - 1];
            order[j] = p;
        }
        r->timing = tm[order[BENCH_PROFILE_RUNS / 2]];
        r->timing_runs = BENCH_PROFILE_RUNS;
    }
    for (int i = 0; i < n && !rc; i++) {
        double ms[BENCH_PROFILE_RUNS];
        for (int p = 0; p < BENCH_PROFILE_RUNS; p++)
            ms[p] = runs[p][i].ms;
        qsort(ms, BENCH_PROFILE_RUNS, sizeof ms[0], cmp_double);
        clcnn_profile_row *w = &runs[0][i];
        w->ms = ms[BENCH_PROFILE_RUNS / 2];
        w->gflops = w->ms > 0 ? 2.0 * (double)w->macs / w->ms * 1e-6 : 0.0;
        w->gbps = w->ms > 0 ? (double)w->bytes / w->ms * 1e-6 : 0.0;
    }
    if (!rc) {
        r->rows = runs[0];
        r->n_rows = n;
        runs[0] = NULL;
    }
    for (int p = 0; p < BENCH_PROFILE_RUNS; p++)
        clcnn_profile_free(runs[p]);
    return rc;
}

/* Everything after the warm session is up: timing, figures, profile, report. */
static int measure(const bench_args *a, bench_stack *k, bench_io *io, bench_result *r)
{
    if (time_runs(a, k, io, r))
        return CLI_FAIL;
    r->kernels = clcnn_session_kernel_count(k->sess);
    if (!r->reference && clcnn_session_plan_groups(k->sess, &r->groups, &r->n_groups) != CLCNN_OK)
        r->groups = NULL, r->n_groups = 0; /* the report then has no fallback list */
    r->have_memory = clcnn_session_memory(k->sess, &r->mem) == CLCNN_OK;
    if (r->reference)
        r->profile_note = "the reference backend runs no kernels: timing only";
    else if (a->no_profile)
        r->profile_note = "--no-profile";
    else if (profile(k, io, r))
        return CLI_FAIL;
    if (r->rows)
        qsort(r->rows, (size_t)r->n_rows, sizeof *r->rows, cmp_row_ms);
    bench_progress_clear(k->prog);
    if (write_outputs(a, io))
        return CLI_FAIL;
    if (a->json)
        bench_print_json(r);
    else
        bench_print_text(r);
    if (!a->json && a->precision != CLCNN_PRECISION_FP32)
        cli_precision_table(k->sess);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    const double t_start = now_ms(); /* "process start" of the cold figure */
    bench_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    char base[1024] = "", pocl[1100], ours[1100];
    bench_progress prog;
    bench_progress_init(&prog, a.progress, t_start);
    bench_stack k = {.prog = &prog};
    bench_io io = {0};
    bench_result r = {0};
    rc = CLI_FAIL;
    r.cold_ms = NAN;
    if (cli_prewarm_child()) {
        /* the cold start's helper: POCL_CACHE_DIR is the command's fresh one */
        if (stack_open(&a, NULL, 1, "prewarm", &k) == 0)
            cli_prewarm_run(k.sess);
        stack_close(&k);
        rc = CLI_OK;
        goto out;
    }
    if (!a.no_cold) {
        if (make_cache_dirs(base, sizeof base, pocl, ours))
            goto out;
        /* cold: everything from an empty cache, then thrown away */
        if (stack_open(&a, ours, 0, "cold start", &k) || make_io(&a, &k, &io) || run_once(&k, &io))
            goto out;
        r.cold_ms = now_ms() - t_start;
        /* POCL's binaries are written when the context goes (rt.h: RT_STORE_AUTO) */
        bench_progress_stage(&prog, "cold start: %.1f s; closing its context%s", r.cold_ms * 1e-3,
                             clcnn_context_is_reference(k.ctx) ? "" : " (program cache written)");
        stack_close(&k);
    }
    /* warm: a second context finds the compiled programs */
    double t0 = now_ms();
    if (stack_open(&a, a.no_cold ? NULL : ours, !a.no_cold, "warm start", &k) ||
        (a.no_cold && make_io(&a, &k, &io)) || run_once(&k, &io))
        goto out;
    r.warm_ms = now_ms() - t0;
    r.model = a.model;
    r.device = clcnn_context_device_name(k.ctx);
    r.reference = clcnn_context_is_reference(k.ctx);
    r.runs = a.runs;
    r.warmup = a.warmup;
    clcnn_session_input(k.sess, 0, &r.input);
    r.batch = r.input.ndim > 0 ? (int)r.input.dims[0] : 1;
    if (measure(&a, &k, &io, &r))
        goto out;
    rc = CLI_OK;
out:
    bench_progress_clear(&prog);
    clcnn_profile_free(r.rows);
    clcnn_plan_groups_free(r.groups);
    stack_close(&k);
    io_free(&io);
    remove_tree(base);
    return rc;
}
