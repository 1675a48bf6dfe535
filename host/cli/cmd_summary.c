/* cmd_summary.c — `clcnn summary ARCH|MODEL`: a Keras-style table (layer,
 * output shape, params, MACs) with Keras's totals, or --json, plus a Graphviz
 * drawing with --dot/--svg (summary_dot.c). Reads the model only: it runs on
 * the reference context and never needs OpenCL, except with --precision, which
 * plans the model on a device to show where it stores half (issue 18), and
 * --plan, which draws the plan's executed groups instead of the layers, with
 * --profile their device time from one profiled run (issue 17). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "summary_dot.h"

static const char *const summary_usage =
    "usage: clcnn summary ARCH|MODEL [--json] [--dot FILE] [--svg FILE] [--plan [--profile]]\n"
    "                     [--precision P] [--device D]\n"
    "                     [--width W] [--depth D] [--classes N] [--input-size S] [--seed N]\n"
    "Prints every layer of MODEL (an .onnx file) or of a built-in architecture (see\n"
    "'clcnn list') with its output shape, parameters and multiply-accumulates, then\n"
    "Keras-style totals (non-trainable = BatchNorm running mean/variance).\n"
    "  --json      the same as JSON on stdout\n"
    "  --dot FILE  write a Graphviz graph (blocks clustered by name prefix)\n"
    "  --svg FILE  render it to SVG with Graphviz's 'dot' (must be on PATH)\n"
    "  --plan      plan MODEL on OpenCL device D (default auto) and draw, instead of\n"
    "              every layer, one box per executed group (a kernel node with what the\n"
    "              plan fused into it: activation, BatchNorm, residual Add, ...) with its\n"
    "              op chain, kernel variant and output shape; needs --dot or --svg\n"
    "  --profile   with --plan: time one run (after a warm-up) and colour each box by\n"
    "              its share of the device time (ms and % in the box, legend top right)\n"
    "  --precision P  also plan MODEL on OpenCL device D (default auto) in precision P\n"
    "              (fp32, fp16, auto) and list each layer's storage, its fp16 error from\n"
    "              auto's calibration, and the plan's device memory; --plan draws that plan\n"
    "  --device D  the OpenCL device of --precision and --plan (default auto)\n";

typedef struct totals {
    long long params, non_trainable, macs;
} totals;

static totals sum_layers(const clcnn_model *m)
{
    totals t = {0, 0, 0};
    clcnn_layer_info L;
    for (int i = 0; i < clcnn_model_num_layers(m); i++)
        if (clcnn_model_layer(m, i, &L) == CLCNN_OK) {
            t.params += L.params;
            t.non_trainable += L.non_trainable;
            t.macs += L.macs;
        }
    return t;
}

static void shape_tuple(int ndim, const int64_t *dims, char *buf, size_t len)
{
    size_t pos = (size_t)snprintf(buf, len, "(");
    for (int d = 0; d < ndim && pos < len; d++)
        pos += (size_t)snprintf(buf + pos, len - pos, d ? ", %lld" : "%lld", (long long)dims[d]);
    if (pos < len)
        snprintf(buf + pos, len - pos, ")");
}

static void rule(char c, int width)
{
    for (int i = 0; i < width; i++)
        putchar(c);
    putchar('\n');
}

static void print_table(const clcnn_model *m, const char *title)
{
    int n = clcnn_model_num_layers(m), name_w = 24;
    clcnn_layer_info L;
    for (int i = 0; i < n; i++)
        if (clcnn_model_layer(m, i, &L) == CLCNN_OK) {
            int w = (int)(strlen(L.name) + strlen(L.op) + 3);
            if (w > name_w)
                name_w = w < 64 ? w : 64;
        }
    int width = name_w + 2 + 24 + 14 + 18;
    char shape[128], p[32], mac[32], label[256];
    char safe_title[512];
    printf("Model: \"%s\"\n", cli_safe(title, safe_title, sizeof safe_title));
    rule('_', width);
    printf("%-*s  %-24s%14s%18s\n", name_w, "Layer (type)", "Output Shape", "Param #", "MACs");
    rule('=', width);
    for (int i = 0; i < n; i++) {
        if (clcnn_model_layer(m, i, &L) != CLCNN_OK)
            continue;
        char safe[200];
        snprintf(label, sizeof label, "%s (%s)", cli_safe(L.name, safe, sizeof safe), L.op);
        shape_tuple(L.ndim, L.dims, shape, sizeof shape);
        printf("%-*s  %-24s%14s%18s\n", name_w, label, shape, cli_thousands(L.params, p, sizeof p),
               cli_thousands(L.macs, mac, sizeof mac));
    }
    rule('=', width);
    totals t = sum_layers(m);
    printf("Total params: %s\n", cli_thousands(t.params, p, sizeof p));
    printf("Trainable params: %s\n", cli_thousands(t.params - t.non_trainable, p, sizeof p));
    printf("Non-trainable params: %s\n", cli_thousands(t.non_trainable, p, sizeof p));
    printf("Total MACs: %s\n", cli_thousands(t.macs, p, sizeof p));
    rule('_', width);
}

static void print_json(const clcnn_model *m, const char *title)
{
    clcnn_layer_info L;
    printf("{\"model\": ");
    cli_json_str(title);
    printf(", \"layers\": [");
    for (int i = 0, first = 1; i < clcnn_model_num_layers(m); i++) {
        if (clcnn_model_layer(m, i, &L) != CLCNN_OK)
            continue;
        printf("%s\n  {\"name\": ", first ? "" : ",");
        first = 0;
        cli_json_str(L.name);
        printf(", \"op\": ");
        cli_json_str(L.op);
        printf(", \"shape\": [");
        for (int d = 0; d < L.ndim; d++)
            printf(d ? ", %lld" : "%lld", (long long)L.dims[d]);
        printf("], \"params\": %lld, \"non_trainable\": %lld, \"macs\": %lld, \"inputs\": [",
               (long long)L.params, (long long)L.non_trainable, (long long)L.macs);
        for (int k = 0; k < L.n_inputs; k++)
            printf(k ? ", %d" : "%d", L.inputs[k]);
        printf("]}");
    }
    totals t = sum_layers(m);
    printf("\n],\n\"total_params\": %lld, \"trainable_params\": %lld, \"non_trainable_params\": %lld, "
           "\"total_macs\": %lld}\n",
           t.params, t.params - t.non_trainable, t.non_trainable, t.macs);
}

/* What the device side of summary was asked for. */
typedef struct plan_args {
    const char *device;
    clcnn_precision prec;
    int want_prec;          /* --precision: the storage table */
    int want_plan, profile; /* --plan [--profile] */
    const char *dot_path, *svg_path;
} plan_args;

static const char *prec_name(clcnn_precision p)
{
    return p == CLCNN_PRECISION_FP16 ? "fp16" : p == CLCNN_PRECISION_AUTO ? "auto" : "fp32";
}

/* ms[i] for every group from one profiled run after a warm-up, on
 * pseudo-random inputs in [-1, 1) (the times do not depend on the values). */
static int profile_groups(const char *cmd, clcnn_session *s, const clcnn_model *m,
                          const clcnn_plan_group *g, int n, double *ms)
{
    int n_in = clcnn_model_num_inputs(m), n_out = clcnn_model_num_outputs(m), rc = 0, n_rows = 0;
    float **in = calloc((size_t)n_in + 1, sizeof *in), **out = calloc((size_t)n_out + 1, sizeof *out);
    clcnn_profile_row *rows = NULL;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; in && i < n_in && !rc; i++) {
        clcnn_tensor_info t;
        clcnn_session_input(s, i, &t);
        size_t k = cli_numel(&t);
        if (!(in[i] = malloc(k * sizeof(float) + 1)))
            rc = 1;
        for (size_t j = 0; !rc && j < k; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            in[i][j] = (float)((double)(x >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
        }
    }
    for (int i = 0; out && i < n_out && !rc; i++) {
        clcnn_tensor_info t;
        clcnn_session_output(s, i, &t);
        rc = !(out[i] = malloc(cli_numel(&t) * sizeof(float) + 1));
    }
    if (!in || !out || rc) {
        rc = cli_error(CLI_FAIL, cmd, "out of memory for the profiled run's buffers");
    } else if (clcnn_session_run(s, (const float *const *)in, out) != CLCNN_OK ||
               clcnn_session_profile(s, (const float *const *)in, out, &rows, &n_rows) != CLCNN_OK) {
        rc = cli_error(CLI_FAIL, cmd, "profiled run failed: %s", clcnn_session_last_error(s));
    }
    /* rows and groups are both numbered by first launch; a mismatch would colour the wrong box */
    for (int i = 0; rc == 0 && i < n; i++) {
        int r = g[i].profile_row;
        ms[i] = r >= 0 && r < n_rows ? rows[r].ms : 0.0;
        if (r >= n_rows || (r >= 0 && strcmp(rows[r].name, g[i].name) != 0))
            rc = cli_error(CLI_FAIL, cmd, "internal: profile row %d does not match plan group '%s'", r,
                           g[i].name);
    }
    clcnn_profile_free(rows);
    for (int i = 0; in && i < n_in; i++)
        free(in[i]);
    for (int i = 0; out && i < n_out; i++)
        free(out[i]);
    free(in);
    free(out);
    return rc;
}

/* --plan: the session's groups drawn to --dot/--svg, and one line on stdout. */
static int draw_plan(const char *cmd, const char *what, clcnn_context *ctx, clcnn_session *s,
                     const clcnn_model *m, const plan_args *a, int json)
{
    clcnn_plan_group *g = NULL;
    int n = 0, rc = 0;
    clcnn_status st = clcnn_session_plan_groups(s, &g, &n);
    if (st == CLCNN_ERR_UNSUPPORTED)
        return cli_error(CLI_FAIL, cmd, "--plan needs an OpenCL device; '%s' is the reference "
                         "backend, which runs the layers unfused", a->device);
    if (st != CLCNN_OK)
        return cli_error(CLI_FAIL, cmd, "cannot list the plan's groups: %s", clcnn_status_str(st));
    double *ms = a->profile ? calloc((size_t)n + 1, sizeof *ms) : NULL;
    if (a->profile && !ms)
        rc = cli_error(CLI_FAIL, cmd, "out of memory");
    else if (a->profile)
        rc = profile_groups(cmd, s, m, g, n, ms);
    summary_plan p = {m, g, n, ms, 0.0, clcnn_context_device_name(ctx), prec_name(a->prec)};
    int launches = 0;
    for (int i = 0; i < n; i++) {
        p.total_ms += ms ? ms[i] : 0.0;
        launches += g[i].launches;
    }
    if (!rc && a->dot_path && summary_write_plan(m, what, &p, a->dot_path, 0, cmd) != 0)
        rc = CLI_FAIL;
    if (!rc && a->svg_path && summary_write_plan(m, what, &p, a->svg_path, 1, cmd) != 0)
        rc = CLI_FAIL;
    if (!rc && !json) {
        printf("Plan on %s (%s): %d groups from %d layers, %d launches", p.device, p.precision, n,
               clcnn_model_num_layers(m), launches);
        if (ms)
            printf(", %.3f ms of device time", p.total_ms);
        printf("\n");
    }
    free(ms);
    clcnn_plan_groups_free(g);
    return rc;
}

/* --precision / --plan: MODEL planned on a device in the asked precision. */
static int device_side(const char *cmd, const char *what, const plan_args *a,
                       const clcnn_builtin_options *opt, int json)
{
    clcnn_context *ctx = cli_context(cmd, a->device, 0);
    if (!ctx)
        return 1;
    int rc = 0;
    clcnn_session *s = NULL;
    clcnn_model *m = cli_model_open(ctx, cmd, what, opt);
    clcnn_session_options so;
    clcnn_session_options_init(&so);
    so.precision = a->prec;
    if (!m) {
        rc = 1;
    } else if (clcnn_session_create(ctx, m, &so, &s) != CLCNN_OK) {
        rc = cli_error(1, cmd, "%s", clcnn_context_last_error(ctx));
    } else {
        if (a->want_prec)
            cli_precision_table(s);
        if (a->want_plan)
            rc = draw_plan(cmd, what, ctx, s, m, a, json);
    }
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}

int cmd_summary(int argc, char **argv)
{
    const char *cmd = "summary", *what = NULL, *dot_path = NULL, *svg_path = NULL;
    int json = 0;
    plan_args pa = {"auto", CLCNN_PRECISION_FP32, 0, 0, 0, NULL, NULL};
    clcnn_builtin_options opt;
    clcnn_builtin_options_init(&opt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (cli_is_help(a)) {
            fputs(summary_usage, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--dot") == 0) {
            if (!(dot_path = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(a, "--svg") == 0) {
            if (!(svg_path = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(a, "--plan") == 0) {
            pa.want_plan = 1;
        } else if (strcmp(a, "--profile") == 0) {
            pa.profile = 1;
        } else if (strcmp(a, "--precision") == 0) {
            if (cli_precision_flag(argc, argv, &i, cmd, &pa.prec) < 0)
                return CLI_USAGE;
            pa.want_prec = 1;
        } else if (strcmp(a, "--device") == 0) {
            if (!(pa.device = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if ((r = cli_builtin_flag(argc, argv, &i, cmd, &opt)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return cli_bad_flag(cmd, a);
        } else if (!what) {
            what = a;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn summary --help')", a);
        }
    }
    if (!what)
        return cli_error(CLI_USAGE, cmd, "needs ARCH or MODEL (see 'clcnn summary --help')");
    if (pa.profile && !pa.want_plan)
        return cli_error(CLI_USAGE, cmd, "--profile colours the --plan drawing: add --plan and --svg FILE");
    if (pa.want_plan && !dot_path && !svg_path)
        return cli_error(CLI_USAGE, cmd, "--plan draws the plan: add --svg FILE or --dot FILE");
    pa.dot_path = dot_path;
    pa.svg_path = svg_path;
    /* Refuse before any work when the SVG cannot be made. */
    if (svg_path && !summary_have_dot())
        return cli_error(CLI_FAIL, cmd, "--svg needs Graphviz's 'dot' on PATH, which was not found "
                         "(install graphviz, or use --dot FILE)");
    clcnn_context *ctx = cli_context(cmd, "ref", 1);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    clcnn_model *m = cli_model_open(ctx, cmd, what, &opt);
    if (!m) {
        rc = CLI_FAIL;
        goto out;
    }
    if (json)
        print_json(m, what);
    else
        print_table(m, what);
    if (!pa.want_plan && dot_path && summary_write_dot(m, what, dot_path, cmd) != 0)
        rc = CLI_FAIL;
    if (!pa.want_plan && svg_path && summary_write_svg(m, what, svg_path, cmd) != 0)
        rc = CLI_FAIL;
    if ((pa.want_prec || pa.want_plan) && rc == CLI_OK && device_side(cmd, what, &pa, &opt, json) != 0)
        rc = CLI_FAIL;
out:
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}
