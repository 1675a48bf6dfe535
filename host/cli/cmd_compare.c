/* cmd_compare.c — `clcnn compare MODEL`: runs the model on an OpenCL device with
 * every intermediate kept and on the reference backend, prints one row per
 * node (max abs / max rel difference of its first output) and names the first
 * node over tolerance as the likely culprit. Exit 0 all within, 1 otherwise. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clcnn_tools.h"
#include "cli.h"
#include "npy.h"

#define CMP_MAX_IN 8

static const char *const compare_usage =
    "usage: clcnn compare MODEL [--input IN.npy ...] [--device auto|gpu|cpu|N|NAME]\n"
    "                     [--tol REL] [--seed N] [--json] [--no-cache] [--precision fp32|fp16]\n"
    "Runs MODEL on an OpenCL device and on the plain-C reference on the same input and\n"
    "prints, per layer, the max abs and max relative difference (relative to the layer's\n"
    "max |ref|). The first layer over --tol (default 1e-4) is named as the likely culprit.\n"
    "Without --input each model input is seeded random uniform [-1, 1) (--seed, default 1:\n"
    "same seed, same input). Exit status: 0 all layers within tolerance, 1 otherwise.\n"
    "--precision fp16 stores the OpenCL side's tensors as half (cl_khr_fp16); --tol then\n"
    "defaults to 1e-2.\n";

/* splitmix64: the default input depends only on the seed, on every platform. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int over(const clcnn_compare_row *r, double tol)
{
    return !(r->max_rel <= tol);
}

static void print_table(const clcnn_compare_row *rows, int n, double tol, int bad)
{
    printf("%-4s %-40s %-20s %-16s %12s %12s\n", "#", "node", "op", "shape", "max abs", "max rel");
    for (int i = 0; i < n; i++) {
        char sh[96], nm[256];
        cli_shape_str(rows[i].ndim, rows[i].dims, sh, sizeof sh);
        printf("%-4d %-40s %-20s %-16s %12.3e %12.3e%s\n", i, cli_safe(rows[i].name, nm, sizeof nm),
               rows[i].op, sh,
               rows[i].max_abs, rows[i].max_rel, over(&rows[i], tol) ? "  <-- over tolerance" : "");
    }
    if (bad < 0)
        printf("all %d layers within tolerance %g\n", n, tol);
    else
        printf("first layer over tolerance %g: node '%s' (%s), max rel %.3e: likely culprit\n", tol,
               rows[bad].name, rows[bad].op, rows[bad].max_rel);
}

static void print_json(const char *model, const char *device, const clcnn_compare_row *rows, int n,
                       double tol, int bad)
{
    printf("{\"model\": ");
    cli_json_str(model);
    printf(", \"device\": ");
    cli_json_str(device);
    printf(", \"tol\": %g, \"ok\": %s, \"first_bad\": ", tol, bad < 0 ? "true" : "false");
    if (bad < 0)
        printf("null");
    else
        cli_json_str(rows[bad].name);
    printf(", \"rows\": [");
    for (int i = 0; i < n; i++) {
        printf("%s\n  {\"name\": ", i ? "," : "");
        cli_json_str(rows[i].name);
        printf(", \"op\": ");
        cli_json_str(rows[i].op);
        printf(", \"shape\": [");
        for (int d = 0; d < rows[i].ndim; d++)
            printf("%s%lld", d ? ", " : "", (long long)rows[i].dims[d]);
        printf("], \"max_abs\": ");
        cli_json_num(rows[i].max_abs);
        printf(", \"max_rel\": ");
        cli_json_num(rows[i].max_rel);
        printf(", \"ref_max\": ");
        cli_json_num(rows[i].ref_max);
        printf(", \"ok\": %s}", over(&rows[i], tol) ? "false" : "true");
    }
    printf("\n]}\n");
}

typedef struct cmp_args {
    const char *model, *device, *in_paths[CMP_MAX_IN];
    int n_in, json, no_cache, tol_given;
    double tol;
    uint64_t seed;
    clcnn_precision precision;
} cmp_args;

/* Returns CLI_OK to proceed, else the exit code. */
static int parse(int argc, char **argv, cmp_args *a, int *help)
{
    const char *cmd = "compare";
    a->tol = 1e-4;
    a->seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v;
        char *end;
        if (cli_is_help(s)) {
            *help = 1;
            return CLI_OK;
        } else if (strcmp(s, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(s, "--precision") == 0) {
            if (cli_precision_flag(argc, argv, &i, cmd, &a->precision) < 0)
                return CLI_USAGE;
        } else if (strcmp(s, "--no-cache") == 0) {
            a->no_cache = 1;
        } else if (strcmp(s, "--input") == 0 || strcmp(s, "--device") == 0 ||
                   strcmp(s, "--tol") == 0 || strcmp(s, "--seed") == 0) {
            if (!(v = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
            if (s[2] == 'i') {
                if (a->n_in >= CMP_MAX_IN)
                    return cli_error(CLI_USAGE, cmd, "at most %d --input files", CMP_MAX_IN);
                a->in_paths[a->n_in++] = v;
            } else if (s[2] == 'd') {
                a->device = v;
            } else if (s[2] == 't') {
                a->tol = strtod(v, &end);
                a->tol_given = 1;
                if (end == v || *end || !(a->tol >= 0) || !isfinite(a->tol))
                    return cli_error(CLI_USAGE, cmd, "--tol '%s' is not a number >= 0", v);
            } else {
                unsigned long long sd = strtoull(v, &end, 10);
                if (end == v || *end || v[0] == '-')
                    return cli_error(CLI_USAGE, cmd, "--seed '%s' is not a non-negative integer", v);
                a->seed = sd;
            }
        } else if (s[0] == '-' && s[1]) {
            return cli_bad_flag(cmd, s);
        } else if (!a->model) {
            a->model = s;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn compare --help')", s);
        }
    }
    if (!a->model)
        return cli_error(CLI_USAGE, cmd, "needs MODEL (see 'clcnn compare --help')");
    if (a->device && strcmp(a->device, "ref") == 0)
        return cli_error(CLI_USAGE, cmd, "--device ref: compare needs an OpenCL device to compare "
                         "against the reference");
    return CLI_OK;
}

/* Loads the --input files (checked against the model) or makes seeded ones. */
static int make_inputs(const cmp_args *a, const clcnn_model *m, npy_array *ins, float **rnd)
{
    const char *cmd = "compare";
    int mi = clcnn_model_num_inputs(m);
    if (mi > CMP_MAX_IN)
        return cli_error(CLI_FAIL, cmd, "%s: %d inputs; compare takes at most %d", a->model, mi, CMP_MAX_IN);
    if (a->n_in && a->n_in != mi)
        return cli_error(CLI_FAIL, cmd, "%s: model has %d input(s), %d --input file(s) given",
                         a->model, mi, a->n_in);
    uint64_t s = a->seed;
    for (int i = 0; i < mi; i++) {
        clcnn_tensor_info ti;
        clcnn_model_input(m, i, &ti);
        if (!a->n_in) {
            size_t n = cli_numel(&ti);
            if (!(rnd[i] = malloc(n * sizeof(float) + 1)))
                return cli_error(CLI_FAIL, cmd, "out of memory");
            for (size_t j = 0; j < n; j++)
                rnd[i][j] = (float)((next_u64(&s) >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
            continue;
        }
        char err[1024];
        if (npy_read_f32(a->in_paths[i], &ins[i], err, sizeof err))
            return cli_error(CLI_FAIL, cmd, "%s", err);
        int same = ins[i].ndim == ti.ndim;
        for (int d = 0; same && d < ti.ndim; d++)
            same = ins[i].dims[d] == ti.dims[d];
        if (!same) {
            char x[96], y[96];
            cli_shape_str(ins[i].ndim, ins[i].dims, x, sizeof x);
            cli_shape_str(ti.ndim, ti.dims, y, sizeof y);
            return cli_error(CLI_FAIL, cmd, "%s: shape %s does not match model input '%s' (%s)",
                             a->in_paths[i], x, ti.name, y);
        }
    }
    return CLI_OK;
}

int cmd_compare(int argc, char **argv)
{
    const char *cmd = "compare";
    cmp_args a = {0};
    int help = 0, rc = parse(argc, argv, &a, &help);
    if (help) {
        fputs(compare_usage, stdout);
        return CLI_OK;
    }
    if (rc != CLI_OK)
        return rc;
    npy_array ins[CMP_MAX_IN] = {{0}};
    float *rnd[CMP_MAX_IN] = {0};
    clcnn_model *m = NULL;
    clcnn_compare_row *rows = NULL;
    int n_rows = 0;
    clcnn_context *ctx = cli_context(cmd, a.device, a.no_cache);
    if (!ctx)
        return CLI_FAIL;
    rc = CLI_FAIL;
    if (clcnn_context_is_reference(ctx)) {
        cli_error(CLI_FAIL, cmd, "no OpenCL device: compare needs one to compare against the reference");
        goto out;
    }
    if (clcnn_model_load(ctx, a.model, &m) != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        goto out;
    }
    if (make_inputs(&a, m, ins, rnd) != CLI_OK)
        goto out;
    const float *ptrs[CMP_MAX_IN];
    for (int i = 0; i < clcnn_model_num_inputs(m); i++)
        ptrs[i] = a.n_in ? ins[i].data : rnd[i];
    if (a.precision == CLCNN_PRECISION_FP16 && !a.tol_given)
        a.tol = 1e-2; /* every stored tensor rounds to 11 significant bits */
    if (clcnn_compare_precision(ctx, m, ptrs, a.precision, &rows, &n_rows) != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        goto out;
    }
    int bad = -1;
    for (int i = 0; i < n_rows && bad < 0; i++)
        if (over(&rows[i], a.tol))
            bad = i;
    if (a.json)
        print_json(a.model, clcnn_context_device_name(ctx), rows, n_rows, a.tol, bad);
    else
        print_table(rows, n_rows, a.tol, bad);
    rc = bad < 0 ? CLI_OK : CLI_FAIL;
out:
    clcnn_compare_free(rows);
    for (int i = 0; i < CMP_MAX_IN; i++) {
        npy_free(&ins[i]);
        free(rnd[i]);
    }
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}
